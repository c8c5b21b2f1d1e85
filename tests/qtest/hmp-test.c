/* HMP through human-monitor-command and on a -monitor socket, vs QEMU 7.2. */
#include "libqtest.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MEM0 "-object memory-backend-ram,id=mem0,size=1G"
/* A virtio-mem device both VMMs build, for properties that change. */
#define VIRTIO_MEM "-m 1G,maxmem=4G " \
    "-object memory-backend-ram,id=mem1,size=1G " \
    "-device virtio-mem-pci,id=vm0,memdev=mem1"

static void assert_hmp(QTestState *s, const char *line, const char *want)
{
    g_autofree char *out = qtest_hmp(s, "%s", line);

    g_test_message("%s => %s", line, out);
    g_assert_cmpstr(out, ==, want);
}

/* "major.minor.micro" from query-version. */
static char *vmm_version(QTestState *s)
{
    g_autoptr(JsonNode) rsp = qtest_qmp(s, "{\"execute\": \"query-version\"}");
    JsonObject *v = json_object_get_object_member(qmp_rsp_return_object(rsp),
                                                  "qemu");

    return g_strdup_printf("%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
                           ".%" G_GINT64_FORMAT,
                           json_object_get_int_member(v, "major"),
                           json_object_get_int_member(v, "minor"),
                           json_object_get_int_member(v, "micro"));
}

/* ---- the socket monitor ------------------------------------------------- */

typedef struct HmpSocket {
    int fd;
    GString *rx;
    const char *prompt;
} HmpSocket;

static HmpSocket *hmp_socket_open(QTestState *s)
{
    HmpSocket *h = g_new0(HmpSocket, 1);
    struct sockaddr_un un = { .sun_family = AF_UNIX };

    g_strlcpy(un.sun_path, qtest_hmp_socket_path(s), sizeof(un.sun_path));
    h->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(connect(h->fd, (struct sockaddr *)&un, sizeof(un)), ==, 0);
    h->rx = g_string_new(NULL);
    h->prompt = qtest_is_tide() ? "(tide) " : "(qemu) ";
    return h;
}

static void hmp_socket_close(HmpSocket *h)
{
    close(h->fd);
    g_string_free(h->rx, TRUE);
    g_free(h);
}

/* Everything up to the next prompt (which is consumed). */
static char *hmp_socket_until_prompt(HmpSocket *h)
{
    gint64 deadline = g_get_monotonic_time() +
                      (gint64)qtest_timeout_ms() * 1000;

    for (;;) {
        const char *p = strstr(h->rx->str, h->prompt);
        struct pollfd pfd = { .fd = h->fd, .events = POLLIN };
        char buf[4096];
        ssize_t n;

        if (p) {
            size_t len = p - h->rx->str;
            char *text = g_strndup(h->rx->str, len);

            g_string_erase(h->rx, 0, len + strlen(h->prompt));
            return text;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        if (poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        n = read(h->fd, buf, sizeof(buf));
        g_assert_cmpint(n, >, 0);
        g_string_append_len(h->rx, buf, n);
    }
}

/*
 * QEMU's readline echoes what it reads, with cursor escapes, and ends
 * the echo with "\r\n".  Deliberate difference: Tide's monitor does no
 * line editing, so it echoes nothing.
 */
static char *strip_echo(char *out)
{
    const char *nl;

    if (qtest_is_tide() || !(nl = strstr(out, "\r\n"))) {
        return out;
    }
    memmove(out, nl + 2, strlen(nl + 2) + 1);
    return out;
}

static char *hmp_socket_cmd(HmpSocket *h, const char *line)
{
    g_autofree char *text = g_strdup_printf("%s\n", line);

    g_assert_cmpint(send(h->fd, text, strlen(text), MSG_NOSIGNAL), ==,
                    (ssize_t)strlen(text));
    return strip_echo(hmp_socket_until_prompt(h));
}

/* ---- info --------------------------------------------------------------- */

static void test_info_version(void)
{
    QTestState *s = qtest_init(NULL);
    g_autofree char *ver = vmm_version(s);
    g_autofree char *out = qtest_hmp(s, "info version");

    /* QEMU appends its package; Tide says its name. */
    g_assert_true(g_str_has_prefix(out, ver));
    g_assert_true(g_str_has_suffix(out, "\r\n"));
    if (qtest_is_tide()) {
        g_autofree char *want = g_strdup_printf("%s (tide)\r\n", ver);

        g_assert_cmpstr(out, ==, want);
    }
    qtest_quit(s);
}

static void test_info_status(void)
{
    QTestState *s = qtest_init("-S");

    assert_hmp(s, "info status", "VM status: paused (prelaunch)\r\n");
    assert_hmp(s, "cont", "");
    assert_hmp(s, "info status", "VM status: running\r\n");
    assert_hmp(s, "stop", "");
    assert_hmp(s, "info status", "VM status: paused\r\n");
    assert_hmp(s, "system_reset", "");
    assert_hmp(s, "info status", "VM status: paused (prelaunch)\r\n");
    /* Spaces around and between words do not matter. */
    assert_hmp(s, "  info   status  ", "VM status: paused (prelaunch)\r\n");
    qtest_quit(s);
    if (qtest_is_tide()) {
        s = qtest_init(NULL);
        assert_hmp(s, "info status", "VM status: running\r\n");
        qtest_quit(s);
    }
}

static void test_info_name(void)
{
    QTestState *s = qtest_init(NULL);

    assert_hmp(s, "info name", "");
    qtest_quit(s);
    s = qtest_init("-name testvm");
    assert_hmp(s, "info name", "testvm\r\n");
    qtest_quit(s);
}

static void test_info_memory_devices(void)
{
    QTestState *s = qtest_init(MEM0);

    assert_hmp(s, "info memory-devices", "");
    qtest_quit(s);
    s = qtest_init(VIRTIO_MEM);
    assert_hmp(s, "qom-set vm0 requested-size 64M", "");
    assert_hmp(s, "info memory-devices",
               "Memory device [virtio-mem]: \"vm0\"\r\n"
               "  memaddr: 0x100000000\r\n"
               "  node: 0\r\n"
               "  requested-size: 67108864\r\n"
               "  size: 0\r\n"
               "  max-size: 1073741824\r\n"
               "  block-size: 2097152\r\n"
               "  memdev: /objects/mem1\r\n");
    qtest_quit(s);
}

/* Each line "/name (type)", two more spaces per level, at most one. */
static void check_tree_layout(const char *out)
{
    g_auto(GStrv) lines = g_strsplit(out, "\r\n", -1);
    int prev = -1;

    for (int i = 0; lines[i] && *lines[i]; i++) {
        const char *l = lines[i];
        int indent = (int)strspn(l, " ");

        g_assert_cmpint(indent % 2, ==, 0);
        g_assert_cmpint(indent / 2, <=, prev + 1);
        g_assert_cmpint(l[indent], ==, '/');
        g_assert_true(g_str_has_suffix(l, ")"));
        g_assert_nonnull(strstr(l, " ("));
        prev = indent / 2;
    }
    g_assert_cmpint(prev, >=, 0);
}

static void test_info_qom_tree(void)
{
    QTestState *s = qtest_init(VIRTIO_MEM);
    g_autofree char *out = qtest_hmp(s, "info qom-tree");
    const char *periph;

    g_test_message("%s", out);
    check_tree_layout(out);
    g_assert_true(g_str_has_prefix(out, "/machine ("));
    periph = strstr(out, "\r\n  /peripheral (container)\r\n"
                         "    /vm0 (virtio-mem-pci)\r\n");
    g_assert_nonnull(periph);
    g_assert_nonnull(strstr(out, "\r\n  /peripheral-anon (container)\r\n"));
    g_assert_nonnull(strstr(out, "\r\n  /unattached (container)\r\n"));
    if (qtest_is_tide()) {
        g_assert_true(g_str_has_prefix(out, "/machine (pc-machine)\r\n"));
        g_assert_nonnull(strstr(out, "    /vm0 (virtio-mem-pci)\r\n"
                                     "      /virtio-backend (virtio-mem)\r\n"));
    }
    /* Children sorted by name, as QEMU. */
    g_assert_true(strstr(out, "  /peripheral (") <
                  strstr(out, "  /peripheral-anon ("));
    g_assert_true(strstr(out, "  /peripheral-anon (") <
                  strstr(out, "  /unattached ("));
    qtest_quit(s);
}

/* info qom-tree [path]: the subtree at a full or unique partial path. */
static void test_info_qom_tree_path(void)
{
    QTestState *s = qtest_init(MEM0 " " VIRTIO_MEM);
    g_autofree char *periph = qtest_hmp(s, "info qom-tree /machine/peripheral");
    g_autofree char *mem0 = qtest_hmp(s, "info qom-tree  mem0 ");

    g_assert_true(g_str_has_prefix(periph, "/peripheral (container)\r\n"
                                           "  /vm0 (virtio-mem-pci)\r\n"));
    g_assert_true(g_str_has_prefix(mem0, "/mem0 (memory-backend-ram)\r\n"));
    assert_hmp(s, "info qom-tree /machine/peripheral/vm0/virtio-backend",
               "/virtio-backend (virtio-mem)\r\n");
    assert_hmp(s, "info qom-tree /nope", "Path '/nope' could not be "
               "resolved.\r\n");
    /* Ambiguous partial paths resolve to nothing, as in QEMU. */
    assert_hmp(s, "info qom-tree virtio-pci-bus", "Path 'virtio-pci-bus' "
               "could not be resolved.\r\n");
    assert_hmp(s, "info qom-tree mem0 vm0", "qom-tree: extraneous characters "
               "at the end of line\r\nTry \"help info qom-tree\" for more "
               "information\r\n");
    assert_hmp(s, "info version x", "version: extraneous characters at the "
               "end of line\r\nTry \"help info version\" for more "
               "information\r\n");
    qtest_quit(s);
}

/* ---- QOM ---------------------------------------------------------------- */

static void test_qom_get(void)
{
    QTestState *s = qtest_init(MEM0 " " VIRTIO_MEM);

    assert_hmp(s, "qom-get mem0 size", "1073741824\r\n");
    assert_hmp(s, "qom-get /objects/mem0 size", "1073741824\r\n");
    assert_hmp(s, "qom-get /objects/mem0 type", "\"memory-backend-ram\"\r\n");
    assert_hmp(s, "qom-get mem0 policy", "\"default\"\r\n");
    assert_hmp(s, "qom-get mem0 prealloc", "false\r\n");
    assert_hmp(s, "qom-get /machine peripheral", "\"/machine/peripheral\"\r\n");
    assert_hmp(s, "qom-get vm0 requested-size", "0\r\n");
    assert_hmp(s, "qom-get /machine/peripheral/vm0 size", "0\r\n");
    assert_hmp(s, "qom-get vm0 memdev", "\"/objects/mem1\"\r\n");
    assert_hmp(s, "qom-get /machine/peripheral/vm0 type",
               "\"virtio-mem-pci\"\r\n");
    assert_hmp(s, "qom-get /machine/nosuch size",
               "Error: Device '/machine/nosuch' not found\r\n");
    assert_hmp(s, "qom-get mem0 nosuch",
               "Error: Property 'memory-backend-ram.nosuch' not found\r\n");
    qtest_quit(s);
}

static void test_qom_list(void)
{
    QTestState *s = qtest_init(MEM0);
    g_autofree char *out = qtest_hmp(s, "qom-list mem0");

    g_assert_true(g_str_has_prefix(out, "type (string)\r\n"));
    g_assert_nonnull(strstr(out, "\r\nshare (bool)\r\n"));
    g_assert_nonnull(strstr(out, "\r\nprealloc (bool)\r\n"));
    assert_hmp(s, "qom-list", "/\r\n");
    assert_hmp(s, "qom-list /machine/peripheral", "type (string)\r\n");
    assert_hmp(s, "qom-list /nosuch", "Error: Device '/nosuch' not found\r\n");
    qtest_quit(s);
}

static void test_qom_set(void)
{
    QTestState *s = qtest_init(MEM0 " " VIRTIO_MEM);

    assert_hmp(s, "qom-set vm0 requested-size 64M", "");
    assert_hmp(s, "qom-get vm0 requested-size", "67108864\r\n");
    assert_hmp(s, "qom-set /machine/peripheral/vm0 requested-size 0", "");
    assert_hmp(s, "qom-get vm0 requested-size", "0\r\n");
    assert_hmp(s, "qom-set vm0 requested-size abc",
               "Error: Parameter 'requested-size' expects a non-negative "
               "number below 2^64\r\nOptional suffix k, M, G, T, P or E "
               "means kilo-, mega-, giga-, tera-, peta-\r\n"
               "and exabytes, respectively.\r\n");
    assert_hmp(s, "qom-set vm0 requested-size 3",
               "Error: 'requested-size' has to be multiples of 'block-size' "
               "(0x200000)\r\n");
    assert_hmp(s, "qom-set mem0 type x",
               "Error: Property 'memory-backend-ram.type' is not writable\r\n");
    assert_hmp(s, "qom-set mem0 nosuch 1",
               "Error: Property 'memory-backend-ram.nosuch' not found\r\n");
    assert_hmp(s, "qom-set /machine/nosuch x 1",
               "Error: Device '/machine/nosuch' not found\r\n");
    if (qtest_is_tide()) {
        /*
         * Deliberate difference: Tide names the property and the backend
         * and refuses any backend property once created; QEMU 7.2 says
         * "cannot change property size of memory-backend-ram " and lets
         * prealloc change.
         */
        assert_hmp(s, "qom-set mem0 size 2G", "Error: cannot change "
                   "property 'size' of memory-backend-ram 'mem0'\r\n");
        assert_hmp(s, "qom-set mem0 prealloc on", "Error: cannot change "
                   "property 'prealloc' of memory-backend-ram 'mem0'\r\n");
    }
    qtest_quit(s);
}

static void test_qom_set_json(void)
{
    QTestState *s = qtest_init(MEM0 " " VIRTIO_MEM);
    g_autofree char *out = NULL;

    assert_hmp(s, "qom-set -j vm0 requested-size 134217728", "");
    assert_hmp(s, "qom-get vm0 requested-size", "134217728\r\n");
    assert_hmp(s, "qom-set -j vm0 requested-size \"x\"",
               "Error: Parameter 'requested-size' expects uint64\r\n");
    assert_hmp(s, "qom-set -j mem0 type \"x\"",
               "Error: Property 'memory-backend-ram.type' is not writable\r\n");
    /* The parser's own words differ (json-glib vs QEMU's). */
    out = qtest_hmp(s, "qom-set -j vm0 requested-size {");
    g_assert_true(g_str_has_prefix(out, "Error: JSON parse error, "));
    g_assert_true(g_str_has_suffix(out, "\r\n"));
    assert_hmp(s, "qom-set -j vm0 requested-size",
               "qom-set: string expected\r\n"
               "Try \"help qom-set\" for more information\r\n");
    assert_hmp(s, "qom-set -k vm0 requested-size 0",
               "qom-set: unsupported option -k\r\n"
               "Try \"help qom-set\" for more information\r\n");
    qtest_quit(s);
}

/* ---- errors and help ---------------------------------------------------- */

static void test_unknown_command(void)
{
    QTestState *s = qtest_init(NULL);

    assert_hmp(s, "foo", "unknown command: 'foo'\r\n");
    assert_hmp(s, "foo bar baz", "unknown command: 'foo'\r\n");
    assert_hmp(s, "info nosuch", "unknown command: 'info nosuch'\r\n");
    assert_hmp(s, "", "");
    assert_hmp(s, "   ", "");
    qtest_quit(s);
}

static void test_wrong_arguments(void)
{
    QTestState *s = qtest_init(MEM0);
    static const struct {
        const char *line, *want;
    } cases[] = {
        { "qom-get", "qom-get: string expected\r\n"
                     "Try \"help qom-get\" for more information\r\n" },
        { "qom-get mem0", "qom-get: string expected\r\n"
                          "Try \"help qom-get\" for more information\r\n" },
        { "qom-get mem0 size x", "qom-get: extraneous characters at the end "
          "of line\r\nTry \"help qom-get\" for more information\r\n" },
        { "qom-set mem0 size",
          "qom-set: string expected\r\n"
          "Try \"help qom-set\" for more information\r\n" },
        { "qom-list a b", "qom-list: extraneous characters at the end of "
          "line\r\nTry \"help qom-list\" for more information\r\n" },
        { "stop now", "stop|s: extraneous characters at the end of line\r\n"
                      "Try \"help stop\" for more information\r\n" },
        { "c x", "cont|c: extraneous characters at the end of line\r\n"
                 "Try \"help c\" for more information\r\n" },
        { "q x", "quit|q: extraneous characters at the end of line\r\n"
                 "Try \"help q\" for more information\r\n" },
        { "system_reset x", "system_reset: extraneous characters at the end "
          "of line\r\nTry \"help system_reset\" for more information\r\n" },
        { "info status x", "status: extraneous characters at the end of "
          "line\r\nTry \"help info status\" for more information\r\n" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        assert_hmp(s, cases[i].line, cases[i].want);
    }
    /* Still alive and still running what it was running. */
    assert_hmp(s, "info status",
               qtest_is_qemu() ? "VM status: paused (prelaunch)\r\n"
                               : "VM status: running\r\n");
    qtest_quit(s);
}

/* Help lines come sorted by name; "\t" lines continue the one before. */
static void check_sorted(const char *out)
{
    g_auto(GStrv) lines = g_strsplit(out, "\r\n", -1);
    const char *prev = "";

    for (int i = 0; lines[i] && *lines[i]; i++) {
        if (lines[i][0] == '\t') {
            continue;
        }
        g_assert_cmpint(strcmp(prev, lines[i]), <, 0);
        prev = lines[i];
    }
}

static void test_help(void)
{
    QTestState *s = qtest_init(NULL);
    g_autofree char *all = qtest_hmp(s, "help");
    g_autofree char *info = qtest_hmp(s, "help info");
    g_autofree char *bare_info = qtest_hmp(s, "info");
    static const char *const lines[] = {
        "cont|c  -- resume emulation\r\n",
        "help|? [cmd] -- show the help\r\n",
        "info [subcommand] -- show various information about the system "
        "state\r\n",
        "qom-get path property -- print QOM property\r\n",
        "qom-list path -- list QOM properties\r\n",
        "qom-set [-j] path property value -- set QOM property.\r\n"
        "\t\t\t-j: the value is specified in json format.\r\n",
        "quit|q  -- quit the emulator\r\n",
        "stop|s  -- stop emulation\r\n",
        "system_reset  -- reset the system\r\n",
    };
    static const char *const info_lines[] = {
        "info memory-devices  -- show memory devices\r\n",
        "info name  -- show the current VM name\r\n",
        "info status  -- show the current VM status (running|paused)\r\n",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        g_assert_nonnull(strstr(all, lines[i]));
    }
    /* help lists commands; the info commands are under "help info". */
    g_assert_null(strstr(all, "info status"));
    for (size_t i = 0; i < G_N_ELEMENTS(info_lines); i++) {
        g_assert_nonnull(strstr(info, info_lines[i]));
    }
    g_assert_cmpstr(info, ==, bare_info);
    g_assert_nonnull(strstr(info, "info qom-tree [path] -- show QOM "
                                  "composition tree\r\n"));
    if (qtest_is_tide()) {
        /* info version names Tide. */
        g_assert_nonnull(strstr(info, "info version  -- show the version "
                                      "of Tide\r\n"));
        /* QEMU's list has multi-line entries not marked by "\t". */
        check_sorted(all);
        check_sorted(info);
    }
    assert_hmp(s, "help qom-get", "qom-get path property -- print QOM "
               "property\r\n");
    assert_hmp(s, "help stop", "stop|s  -- stop emulation\r\n");
    assert_hmp(s, "help q", "quit|q  -- quit the emulator\r\n");
    assert_hmp(s, "help ?", "help|? [cmd] -- show the help\r\n");
    assert_hmp(s, "? c", "cont|c  -- resume emulation\r\n");
    assert_hmp(s, "help info status",
               "info status  -- show the current VM status "
               "(running|paused)\r\n");
    assert_hmp(s, "help info nosuch", "unknown command: 'info nosuch'\r\n");
    assert_hmp(s, "help nosuch", "unknown command: 'nosuch'\r\n");
    assert_hmp(s, "help nosuch more", "unknown command: 'nosuch'\r\n");
    qtest_quit(s);
}

/* ---- run state ---------------------------------------------------------- */

static void test_lifecycle(void)
{
    QTestState *s = qtest_init("-S");
    g_autoptr(JsonNode) ev = NULL;
    static const struct {
        const char *line, *event, *status;
    } steps[] = {
        { "c", "RESUME", "running" },
        { "s", "STOP", "paused" },
        { "cont", "RESUME", "running" },
        { "stop", "STOP", "paused" },
        { "system_reset", "RESET", "paused (prelaunch)" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        g_autofree char *want = g_strdup_printf("VM status: %s\r\n",
                                                steps[i].status);

        assert_hmp(s, steps[i].line, "");
        g_clear_pointer(&ev, json_node_unref);
        ev = qtest_qmp_eventwait(s, steps[i].event);
        assert_hmp(s, "info status", want);
    }
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(json_node_get_object(ev), "data"),
        "reason"), ==, "host-qmp-system-reset");
    qtest_quit(s);
}

static void test_quit(void)
{
    QTestState *s = qtest_init(NULL);
    g_autoptr(JsonNode) ev = NULL;
    int st;

    /* The answer may or may not beat the exit: wait for the event. */
    qtest_qmp_send(s, "{\"execute\": \"human-monitor-command\", "
                   "\"arguments\": {\"command-line\": \"quit\"}}");
    ev = qtest_qmp_eventwait(s, "SHUTDOWN");
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(json_node_get_object(ev), "data"),
        "reason"), ==, "host-qmp-quit");
    st = qtest_wait_exit(s, 5000);
    g_assert_true(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    qtest_quit(s);
}

/* ---- the socket --------------------------------------------------------- */

static void test_socket_banner(void)
{
    QTestState *s = qtest_init_with_hmp_socket(NULL);
    HmpSocket *h = hmp_socket_open(s);
    g_autofree char *banner = hmp_socket_until_prompt(h);
    g_autofree char *ver = vmm_version(s);
    g_autofree char *want = g_strdup_printf(
        "%s %s monitor - type 'help' for more information\r\n",
        qtest_is_tide() ? "Tide" : "QEMU", ver);

    g_assert_cmpstr(banner, ==, want);
    hmp_socket_close(h);
    qtest_quit(s);
}

/* The socket says what human-monitor-command says, command by command. */
static void test_socket_commands(void)
{
    QTestState *s = qtest_init_with_hmp_socket("-S " VIRTIO_MEM " " MEM0
                                               " -name sockvm");
    HmpSocket *h = hmp_socket_open(s);
    static const char *const lines[] = {
        "info status", "info name", "info version", "info qom-tree",
        "info memory-devices", "qom-list mem0", "qom-list",
        "qom-get mem0 size", "qom-get vm0 requested-size",
        "!qom-set vm0 requested-size 64M", "qom-get vm0 requested-size",
        "!qom-set -j vm0 requested-size 0", "qom-set mem0 type x",
        "qom-get /machine/nosuch x", "foo", "info nosuch", "qom-get",
        "stop now", "help qom-set", "help info", "help", "", "!cont",
        "info status", "!stop", "info status", "!system_reset", "info status",
    };

    g_free(hmp_socket_until_prompt(h));
    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        bool changes_state = lines[i][0] == '!';
        const char *line = lines[i] + changes_state;
        g_autofree char *on_socket = hmp_socket_cmd(h, line);
        g_autofree char *via_qmp = NULL;

        /* Lines marked '!' change state: they run once, on the socket. */
        if (changes_state) {
            g_assert_cmpstr(on_socket, ==, "");
            continue;
        }
        via_qmp = qtest_hmp(s, "%s", line);
        g_test_message("%s => %s", line, on_socket);
        g_assert_cmpstr(on_socket, ==, via_qmp);
    }
    hmp_socket_close(h);
    qtest_quit(s);
}

static void test_socket_framing(void)
{
    QTestState *s;
    HmpSocket *h;
    static const char batch[] = "info name\r\nfoo\n\ninfo status\n";
    static const char *const want[] = {
        "hmpvm\r\n", "unknown command: 'foo'\r\n", "",
        "VM status: running\r\n",
    };
    g_autofree char *split = NULL;

    if (qtest_skip_unless_tide("QEMU's readline echo interleaves with batched "
                         "input")) {
        return;
    }
    s = qtest_init_with_hmp_socket("-name hmpvm");
    h = hmp_socket_open(s);
    g_free(hmp_socket_until_prompt(h));
    /* Several lines in one write, "\r\n" or "\n", an empty one. */
    g_assert_cmpint(send(h->fd, batch, strlen(batch), 0), ==,
                    (ssize_t)strlen(batch));
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        g_autofree char *out = hmp_socket_until_prompt(h);

        g_assert_cmpstr(out, ==, want[i]);
    }
    /* One line over many writes. */
    for (const char *p = "qom-get /machine type\n"; *p; p++) {
        g_assert_cmpint(send(h->fd, p, 1, 0), ==, 1);
        g_usleep(1000);
    }
    split = hmp_socket_until_prompt(h);
    g_assert_cmpstr(split, ==, "\"pc-machine\"\r\n");
    hmp_socket_close(h);
    qtest_quit(s);
}

static void test_socket_clients(void)
{
    QTestState *s;
    HmpSocket *a, *b;
    g_autofree char *ba = NULL, *bb = NULL, *oa = NULL, *ob = NULL;

    if (qtest_skip_unless_tide("QEMU serves one client per monitor socket")) {
        return;
    }
    s = qtest_init_with_hmp_socket(NULL);
    a = hmp_socket_open(s);
    b = hmp_socket_open(s);
    ba = hmp_socket_until_prompt(a);
    bb = hmp_socket_until_prompt(b);
    g_assert_cmpstr(ba, ==, bb);
    oa = hmp_socket_cmd(a, "stop");
    ob = hmp_socket_cmd(b, "info status");
    g_assert_cmpstr(oa, ==, "");
    g_assert_cmpstr(ob, ==, "VM status: paused\r\n");
    /* A client gone mid-line changes nothing for the others. */
    g_assert_cmpint(send(a->fd, "info sta", 8, 0), ==, 8);
    hmp_socket_close(a);
    g_free(ob);
    ob = hmp_socket_cmd(b, "cont");
    g_assert_cmpstr(ob, ==, "");
    hmp_socket_close(b);
    g_assert_true(qtest_probe_alive(s));
    qtest_quit(s);
}

static void test_socket_quit(void)
{
    QTestState *s = qtest_init_with_hmp_socket(NULL);
    HmpSocket *h = hmp_socket_open(s);
    char buf[256];
    ssize_t n;
    int st;

    g_free(hmp_socket_until_prompt(h));
    g_assert_cmpint(send(h->fd, "q\n", 2, 0), ==, 2);
    st = qtest_wait_exit(s, 5000);
    g_assert_true(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* The monitor hung up (after QEMU's echo, if any). */
    do {
        n = read(h->fd, buf, sizeof(buf));
    } while (n > 0);
    g_assert_true(n == 0 || errno == ECONNRESET);
    hmp_socket_close(h);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hmp/info/version", test_info_version);
    g_test_add_func("/hmp/info/status", test_info_status);
    g_test_add_func("/hmp/info/name", test_info_name);
    g_test_add_func("/hmp/info/memory-devices", test_info_memory_devices);
    g_test_add_func("/hmp/info/qom-tree", test_info_qom_tree);
    g_test_add_func("/hmp/info/qom-tree-path", test_info_qom_tree_path);
    g_test_add_func("/hmp/qom/get", test_qom_get);
    g_test_add_func("/hmp/qom/list", test_qom_list);
    g_test_add_func("/hmp/qom/set", test_qom_set);
    g_test_add_func("/hmp/qom/set-json", test_qom_set_json);
    g_test_add_func("/hmp/errors/unknown-command", test_unknown_command);
    g_test_add_func("/hmp/errors/wrong-arguments", test_wrong_arguments);
    g_test_add_func("/hmp/help", test_help);
    g_test_add_func("/hmp/runstate/lifecycle", test_lifecycle);
    g_test_add_func("/hmp/runstate/quit", test_quit);
    g_test_add_func("/hmp/socket/banner", test_socket_banner);
    g_test_add_func("/hmp/socket/commands", test_socket_commands);
    g_test_add_func("/hmp/socket/framing", test_socket_framing);
    g_test_add_func("/hmp/socket/clients", test_socket_clients);
    g_test_add_func("/hmp/socket/quit", test_socket_quit);
    return g_test_run();
}
