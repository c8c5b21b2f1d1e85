/* Option strings follow QEMU's QemuOpts rules. */
#include <glib.h>
#include "util/option.h"

static void test_implied_and_flags(void)
{
    g_autoptr(Opts) o = opts_parse("1G,maxmem=4G,share", "size", NULL);

    g_assert_nonnull(o);
    g_assert_cmpstr(opts_get(o, "size"), ==, "1G");
    g_assert_cmpstr(opts_get(o, "maxmem"), ==, "4G");
    g_assert_cmpstr(opts_get(o, "share"), ==, "on");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/option/implied-key-and-bare-flag", test_implied_and_flags);
    return g_test_run();
}
