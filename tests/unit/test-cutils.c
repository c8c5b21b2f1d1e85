/* Size and number parsing follow QEMU's rules. */
#include <errno.h>
#include <glib.h>
#include "util/cutils.h"

static void test_size_suffixes(void)
{
    uint64_t v;

    g_assert_cmpint(parse_size("1G", &v), ==, 0);
    g_assert_cmpuint(v, ==, UINT64_C(1) << 30);
    g_assert_cmpint(parse_size("1.5k", &v), ==, 0);
    g_assert_cmpuint(v, ==, 1536);
    g_assert_cmpint(parse_size("0x1000", &v), ==, 0);
    g_assert_cmpuint(v, ==, 4096);
    g_assert_cmpint(parse_size("1X", &v), ==, -EINVAL);
    g_assert_cmpint(parse_size("-1", &v), ==, -EINVAL);
    g_assert_cmpint(parse_size("16E", &v), ==, -ERANGE);
    g_assert_cmpint(parse_size_unit("512", 'M', &v), ==, 0);
    g_assert_cmpuint(v, ==, UINT64_C(512) << 20);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cutils/size/suffixes", test_size_suffixes);
    return g_test_run();
}
