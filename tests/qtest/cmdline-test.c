/* Bad command lines: exit 1, one "tide: <option>: <why>" line, no crash. */
#include "libqtest.h"

#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* How long one run may take before the fuzz loop kills it (seconds). */
#define RUN_TIMEOUT "20"

typedef struct Run {
    int status;                 /* waitpid() status of the VMM */
    char *out, *err;
} Run;

static void run_free(Run *r)
{
    g_free(r->out);
    g_free(r->err);
    g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Run, run_free)

/*
 * Run Tide with args (NULL-terminated) in a private directory, under
 * coreutils timeout(1) so that a command line that starts a VM cannot
 * hang the test: a run it stops ends with exit status 124.
 */
static Run *run_tide(const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("tide-cmdline-XXXXXX", &err);
    /* The run happens elsewhere: a relative binary path must not. */
    g_autofree char *binary = g_canonicalize_filename(qtest_vmm_binary(),
                                                      NULL);
    Run *r = g_new0(Run, 1);

    g_assert_no_error(err);
    g_ptr_array_add(argv, (gpointer)"timeout");
    g_ptr_array_add(argv, (gpointer)RUN_TIMEOUT);
    g_ptr_array_add(argv, binary);
    for (int i = 0; args[i]; i++) {
        g_ptr_array_add(argv, (gpointer)args[i]);
    }
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(dir, (char **)argv->pdata, NULL,
                               G_SPAWN_SEARCH_PATH |
                               G_SPAWN_STDIN_FROM_DEV_NULL,
                               NULL, NULL, &r->out, &r->err, &r->status,
                               &err));
    g_assert_no_error(err);
    /* Whatever the run left behind (a socket, a pid file) goes too. */
    {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
            g_autofree char *path = g_build_filename(dir, name, NULL);

            unlink(path);
        }
        rmdir(dir);
    }
    return r;
}

static Run *run_tidev(const char *first, ...)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    va_list ap;

    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        g_ptr_array_add(args, (gpointer)a);
    }
    va_end(ap);
    g_ptr_array_add(args, NULL);
    return run_tide((const char *const *)args->pdata);
}

static bool one_line(const char *text)
{
    const char *nl = strchr(text, '\n');

    return nl && nl[1] == '\0';
}

static void assert_exit(Run *r, int code)
{
    if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != code) {
        g_error("expected exit status %d, got wait status 0x%x; stderr: %s",
                code, r->status, r->err);
    }
}

/*
 * The failure contract: exit status 1 and exactly one stderr line,
 * "tide: <the option as typed>: <why>".  want_why NULL: any why.
 */
static void assert_fails(const char *const *args, const char *loc,
                         const char *want_why)
{
    g_autoptr(Run) r = run_tide(args);
    g_autofree char *prefix = g_strdup_printf("tide: %s: ", loc);

    g_test_message("%s => %s", loc, r->err);
    assert_exit(r, 1);
    g_assert_true(one_line(r->err));
    g_assert_true(g_str_has_prefix(r->err, prefix));
    if (want_why) {
        g_autofree char *want = g_strdup_printf("%s%s\n", prefix, want_why);

        g_assert_cmpstr(r->err, ==, want);
    }
    g_assert_cmpstr(r->out, ==, "");
}

#define FAILS(loc, why, ...) \
    assert_fails((const char *const[]){ __VA_ARGS__, NULL }, loc, why)

static void test_memory(void)
{
    FAILS("-m 1X", "Parameter 'size' expects a size (a non-negative number "
          "below 2^64, optional suffix K, M, G, T, P or E)", "-m", "1X");
    FAILS("-m 1G,maxmem=512M", "invalid value of maxmem: maximum memory "
          "size (0x20000000) must be at least the initial memory size "
          "(0x40000000)", "-m", "1G,maxmem=512M");
    FAILS("-m 1G,foo=1", "Invalid parameter 'foo'", "-m", "1G,foo=1");
    FAILS("-m", "requires an argument", "-m");
}

static void test_unknown_option(void)
{
    FAILS("-foo", "invalid option", "-foo");
    FAILS("--foo", "invalid option", "--foo");
    FAILS("foo", "invalid option", "foo");
}

static void test_object(void)
{
    FAILS("-object memory-backend-ram", "Parameter 'id' is missing",
          "-object", "memory-backend-ram");
    FAILS("-object memory-backend-ram,id=1r,size=1G",
          "Parameter 'id' expects an identifier (letters, digits, '-', '.', "
          "'_', starting with a letter)",
          "-object", "memory-backend-ram,id=1r,size=1G");
    FAILS("-object nosuch,id=x",
          "invalid object type: nosuch (-object help lists them)",
          "-object", "nosuch,id=x");
    FAILS("-object memory-backend-ram,id=a,size=2G",
          "Duplicate ID 'a' for object",
          "-object", "memory-backend-ram,id=a,size=1G",
          "-object", "memory-backend-ram,id=a,size=2G");
    FAILS("-object memory-backend-ram,id=r,size=1G,share=maybe",
          "Parameter 'share' expects 'on' or 'off'",
          "-object", "memory-backend-ram,id=r,size=1G,share=maybe");
}

static void test_numa(void)
{
    FAILS("-numa node,nodeid=banana",
          "Parameter 'nodeid' expects a uint64 value",
          "-numa", "node,nodeid=banana");
    FAILS("-numa node,nodeid=0,memdev=nosuch", "Device 'nosuch' not found",
          "-numa", "node,nodeid=0,memdev=nosuch");
    /*
     * A check across options: the node sizes against -m.  It names no
     * single option, so the location is "-numa" alone.
     */
    FAILS("-numa", "total memory for NUMA nodes (0x40000000) should equal "
          "RAM size (0x80000000)",
          "-m", "2G", "-object", "memory-backend-ram,id=r0,size=1G",
          "-numa", "node,memdev=r0");
}

static void test_smp(void)
{
    FAILS("-smp 4,maxcpus=2", "Invalid CPU topology: maxcpus must be equal "
          "to or greater than smp: sockets (2) * dies (1) * cores (1) * "
          "threads (1) == maxcpus (2) < smp_cpus (4)", "-smp", "4,maxcpus=2");
    FAILS("-smp x", "Parameter 'smp.cpus' expects integer", "-smp", "x");
}

static void test_device_machine_accel(void)
{
    FAILS("-device nosuch", "'nosuch' is not a valid device model name",
          "-device", "nosuch");
    FAILS("-device foo=bar", "Parameter 'driver' is missing",
          "-device", "foo=bar");
    FAILS("-device driver=", "'' is not a valid device model name",
          "-device", "driver=");
    FAILS("-machine nosuch", "unsupported machine type 'nosuch' (-machine "
          "help lists the supported ones)", "-machine", "nosuch");
    FAILS("-accel nosuch", "invalid accelerator nosuch (Tide supports kvm "
          "and qtest)", "-accel", "nosuch");
    FAILS("-display gtk", "Display 'gtk' is not available (Tide has no "
          "display; use -display none)", "-display", "gtk");
}

static void test_accel_kvm_absent(void)
{
    if (g_file_test("/dev/kvm", G_FILE_TEST_EXISTS)) {
        g_test_skip("/dev/kvm exists");
        return;
    }
    FAILS("-accel kvm", "/dev/kvm: No such file or directory",
          "-accel", "kvm");
}

static void test_monitors(void)
{
    FAILS("-qmp foo:bar", "'foo:bar' is not a valid char driver",
          "-qmp", "foo:bar");
    FAILS("-qmp unix:/tmp/x,server=on,bogus=1", "Invalid parameter 'bogus'",
          "-qmp", "unix:/tmp/x,server=on,bogus=1");
    FAILS("-mon chardev=nosuch", "chardev \"nosuch\" not found",
          "-mon", "chardev=nosuch");
}

/* ---- what succeeds ------------------------------------------------------ */

static void test_version(void)
{
    g_autoptr(Run) r = run_tidev("-version", NULL);

    assert_exit(r, 0);
    g_assert_true(g_str_has_prefix(r->out, "Tide version "));
    g_assert_cmpstr(r->err, ==, "");
}

static void test_help(void)
{
    static const char *const forms[] = { "-h", "-help", "--help" };

    for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
        g_autoptr(Run) r = run_tidev(forms[i], NULL);

        assert_exit(r, 0);
        g_assert_nonnull(strstr(r->out, "\n  -device "));
        g_assert_nonnull(strstr(r->out, "\n  -object "));
        g_assert_cmpstr(r->err, ==, "");
    }
}

static void test_type_help(void)
{
    g_autoptr(Run) dev = run_tidev("-device", "help", NULL);
    g_autoptr(Run) obj = run_tidev("-object", "help", NULL);
    g_autoptr(Run) ram = run_tidev("-object", "memory-backend-ram,help",
                                   NULL);
    g_autoptr(Run) bad = run_tidev("-object", "nosuch,help", NULL);
    g_autofree char *line = NULL;
    const char *size;

    assert_exit(dev, 0);
    g_assert_nonnull(strstr(dev->out, "name \"virtio-mem-pci\""));
    assert_exit(obj, 0);
    g_assert_true(g_str_has_prefix(obj->out,
                                   "List of user creatable objects:\n"));
    g_assert_nonnull(strstr(obj->out, "\n  memory-backend-ram\n"));
    assert_exit(ram, 0);
    g_assert_true(g_str_has_prefix(ram->out, "memory-backend-ram options:\n"));
    /* The option and its description on one line. */
    size = strstr(ram->out, "\n  size=<size>");
    g_assert_nonnull(size);
    line = g_strndup(size + 1, strcspn(size + 1, "\n"));
    g_assert_true(g_str_has_suffix(line,
                                   " - Size of the memory region (ex: 500M)"));
    g_assert_cmpstr(ram->err, ==, "");
    assert_exit(bad, 1);
    g_assert_true(one_line(bad->err));
}

/* ",," is a literal comma inside a value, as QEMU. */
static void test_name_commas(void)
{
    QTestState *s = qtest_init("-name 'my,,vm'");
    g_autoptr(JsonNode) rsp = qtest_qmp(s, "{\"execute\": \"query-name\"}");

    g_assert_cmpstr(json_object_get_string_member(qmp_rsp_return_object(rsp),
                                                  "name"), ==, "my,vm");
    qtest_quit(s);
    FAILS("-name my,vm", "Invalid parameter 'vm'", "-name", "my,vm");
}

/* ---- fuzz --------------------------------------------------------------- */

#define FUZZ_RUNS 300

static char *random_value(void)
{
    static const char *const tokens[] = {
        "", "=", ",", ",,", "id", "id=", "size", "size=", "1G", "0", "-1",
        "x", "memory-backend-ram", "memory-backend-memfd", "virtio-mem-pci",
        "node", "nodeid", "memdev", "help", "?", "socket", "path=", "server",
        "on", "off", "maxmem=", "cpus", "cpus=", "maxcpus=", "4", "1E", "\\",
        "18446744073709551615", "99999999999999999999", ":", "-", "0x10",
        "requested-size=", "block-size=", "prealloc=", "share", "k", "T",
        "mem0", "..", "/", " ", "\xff", "%s", "%n",
    };
    GString *s = g_string_new(NULL);
    int n = g_test_rand_int_range(1, 9);

    for (int i = 0; i < n; i++) {
        g_string_append(s, tokens[g_test_rand_int_range(
                                   0, G_N_ELEMENTS(tokens))]);
    }
    return g_string_free(s, FALSE);
}

/*
 * Random values for the structured options.  "-accel kvm" follows, so a
 * value that happens to be valid fails at the accelerator (no /dev/kvm)
 * instead of starting a VM.  Where /dev/kvm exists such a run may start;
 * timeout(1) then stops it, and that counts as a failure only when the
 * run printed nothing at all (a silent hang).
 */
static void test_fuzz(void)
{
    static const char *const opts[] = {
        "-m", "-object", "-numa", "-smp", "-device", "-chardev",
    };

    for (int i = 0; i < FUZZ_RUNS; i++) {
        const char *opt = opts[g_test_rand_int_range(0, G_N_ELEMENTS(opts))];
        g_autofree char *val = random_value();
        g_autoptr(Run) r = run_tidev(opt, val, "-accel", "kvm", NULL);

        if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 124) {
            if (!*r->out && !*r->err) {
                g_error("%s '%s': hung silently", opt, val);
            }
            continue;
        }
        if (!WIFEXITED(r->status) ||
            (WEXITSTATUS(r->status) != 0 && WEXITSTATUS(r->status) != 1)) {
            g_error("%s '%s': wait status 0x%x; stderr: %s", opt, val,
                    r->status, r->err);
        }
        if (WEXITSTATUS(r->status) == 1) {
            if (!one_line(r->err) || !g_str_has_prefix(r->err, "tide: ")) {
                g_error("%s '%s': not one 'tide: ' line on stderr: %s", opt,
                        val, r->err);
            }
        } else {
            g_assert_cmpstr(r->err, ==, "");
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cmdline/bad/memory", test_memory);
    g_test_add_func("/cmdline/bad/unknown-option", test_unknown_option);
    g_test_add_func("/cmdline/bad/object", test_object);
    g_test_add_func("/cmdline/bad/numa", test_numa);
    g_test_add_func("/cmdline/bad/smp", test_smp);
    g_test_add_func("/cmdline/bad/device-machine-accel",
                    test_device_machine_accel);
    g_test_add_func("/cmdline/bad/accel-kvm-without-dev-kvm",
                    test_accel_kvm_absent);
    g_test_add_func("/cmdline/bad/monitors", test_monitors);
    g_test_add_func("/cmdline/good/version", test_version);
    g_test_add_func("/cmdline/good/help", test_help);
    g_test_add_func("/cmdline/good/type-help", test_type_help);
    g_test_add_func("/cmdline/good/name-commas", test_name_commas);
    g_test_add_func("/cmdline/fuzz", test_fuzz);
    return g_test_run();
}
