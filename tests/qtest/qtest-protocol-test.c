/* The qtest accelerator through libqtest: guest RAM below and above 4 GiB, unassigned addresses, malformed lines, connections on threads. */
#include <glib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "libqtest.h"

#define GiB (UINT64_C(1) << 30)

/* -m 4G: 3 GiB below 4 GiB, 1 GiB above it; device memory from 5 GiB. */
static QTestState *start(void)
{
    return qtest_init("-m 4G,maxmem=8G "
                      "-object memory-backend-ram,id=mem0,size=2G "
                      "-device virtio-mem-pci,id=vm0,memdev=mem0");
}

static void test_ram_below_and_above_4g(void)
{
    QTestState *s = start();
    uint8_t buf[4096], back[4096];

    qtest_writeq(s, 0x1000, 0x1122334455667788);
    g_assert_cmphex(qtest_readq(s, 0x1000), ==, 0x1122334455667788);
    g_assert_cmphex(qtest_readl(s, 0x1004), ==, 0x11223344);
    g_assert_cmphex(qtest_readb(s, 0x1000), ==, 0x88);
    /* The last byte below the hole and the first above 4 GiB. */
    qtest_writeb(s, 3 * GiB - 1, 0xab);
    g_assert_cmphex(qtest_readb(s, 3 * GiB - 1), ==, 0xab);
    qtest_writel(s, 4 * GiB, 0xdeadbeef);
    g_assert_cmphex(qtest_readl(s, 4 * GiB), ==, 0xdeadbeef);
    qtest_writeq(s, 5 * GiB - 8, 42);
    g_assert_cmphex(qtest_readq(s, 5 * GiB - 8), ==, 42);
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i * 7);
    }
    qtest_memwrite(s, 4 * GiB + 12345, buf, sizeof(buf));
    qtest_memread(s, 4 * GiB + 12345, back, sizeof(back));
    g_assert_cmpmem(buf, sizeof(buf), back, sizeof(back));
    qtest_memset(s, 0x2000, 0x5a, 64);
    g_assert_cmphex(qtest_readq(s, 0x2000 + 56), ==, 0x5a5a5a5a5a5a5a5a);
    qtest_quit(s);
}

static void test_unassigned_reads_all_ones(void)
{
    QTestState *s = start();

    /* The PCI hole below 4 GiB (BARs unprogrammed): nothing there. */
    g_assert_cmphex(qtest_readl(s, 0xd0000000), ==, 0xffffffff);
    qtest_writel(s, 0xd0000000, 1);
    g_assert_cmphex(qtest_readl(s, 0xd0000000), ==, 0xffffffff);
    /* Past every mapping. */
    g_assert_cmphex(qtest_readq(s, UINT64_C(1) << 45), ==, UINT64_MAX);
    /* Unplugged virtio-mem memory (ram backend: readable as zeros). */
    g_assert_cmphex(qtest_readq(s, 5 * GiB), ==, 0);
    /* An unused I/O port. */
    g_assert_cmphex(qtest_inb(s, 0x80), ==, 0xff);
    qtest_quit(s);
}

static void expect_fail(QTestState *s, const char *line)
{
    g_autofree char *reply = qtest_protocol_cmd(s, "%s", line);

    if (!g_str_has_prefix(reply, "FAIL")) {
        g_error("'%s' answered '%s', not FAIL", line, reply);
    }
}

static void test_malformed_lines_fail_and_tide_runs_on(void)
{
    QTestState *s = start();
    g_autoptr(JsonNode) r = NULL;
    static const char *const bad[] = {
        "bogus", "readb", "readb x", "readb 1 2", "writeb 0 0x100",
        "outb 0x10000 1", "outl 0x80", "read 0 99999999999",
        "write 0 2 0x123456", "write 0 2 123", "write 0 2 0xzz",
        "b64write 0 4 !!!!", "memset 0 16 0x100", "readq 0xfffffffffffffffc",
        "read 0xffffffffffffff00 0x200", "clock_set", "clock_step -1",
        "readl -1", "inb +1", "irq_intercept_in /nowhere",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        expect_fail(s, bad[i]);
    }
    /* Still a working CPU, and still a working monitor. */
    qtest_writeb(s, 0x3000, 7);
    g_assert_cmphex(qtest_readb(s, 0x3000), ==, 7);
    r = qtest_qmp(s, "{'execute': 'query-status'}");
    g_assert_false(qmp_rsp_is_error(r));
    qtest_quit(s);
}

/* ---- connections, each served on a thread of Tide's own ---------------- */

#define MAX_CONNS       64          /* QTEST_MAX_CONNS */
#define PARALLEL        4
#define ROUNDS          300

typedef struct Writer {
    QTestState *s;
    uint64_t base;
} Writer;

/* Each thread plays a CPU on its own connection, on its own page. */
static gpointer writer_run(gpointer opaque)
{
    Writer *w = opaque;

    qtest_thread_connect(w->s);
    for (uint64_t i = 0; i < ROUNDS; i++) {
        uint64_t v = w->base << 16 | i;

        qtest_writeq(w->s, w->base + 8 * (i % 64), v);
        g_assert_cmphex(qtest_readq(w->s, w->base + 8 * (i % 64)), ==, v);
    }
    qtest_thread_disconnect(w->s);
    return NULL;
}

static void test_connections_run_in_parallel(void)
{
    QTestState *s = start();
    Writer w[PARALLEL];
    GThread *t[PARALLEL];

    for (int i = 0; i < PARALLEL; i++) {
        w[i] = (Writer) { .s = s, .base = 0x100000 + 0x1000 * i };
        t[i] = g_thread_new("writer", writer_run, &w[i]);
    }
    /* QMP and the first connection keep working meanwhile. */
    for (int i = 0; i < 20; i++) {
        g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'query-status'}");

        g_assert_false(qmp_rsp_is_error(r));
        qtest_writeb(s, 0x3000, (uint8_t)i);
        g_assert_cmphex(qtest_readb(s, 0x3000), ==, i);
    }
    for (int i = 0; i < PARALLEL; i++) {
        g_thread_join(t[i]);
    }
    for (int i = 0; i < PARALLEL; i++) {
        g_assert_cmphex(qtest_readq(s, w[i].base + 8 * ((ROUNDS - 1) % 64)),
                        ==, w[i].base << 16 | (ROUNDS - 1));
    }
    qtest_quit(s);
}

static int raw_connect(QTestState *s)
{
    g_autofree char *path = qtest_protocol_socket_path(qtest_tmpdir(s));

    return qtest_protocol_connect(path);
}

static void raw_send(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        g_assert_cmpint(n, >, 0);
        buf += n;
        len -= n;
    }
}

/* One line (without '\n'), "" at EOF; fails the test after 10 s. */
static char *raw_line(int fd)
{
    GString *line = g_string_new(NULL);
    struct pollfd p = { .fd = fd, .events = POLLIN };
    char c;

    for (;;) {
        g_assert_cmpint(poll(&p, 1, 10000), ==, 1);
        if (recv(fd, &c, 1, 0) != 1 || c == '\n') {
            return g_string_free(line, FALSE);
        }
        g_string_append_c(line, c);
    }
}

static void test_too_long_line_fails_and_the_connection_lives(void)
{
    QTestState *s = start();
    int fd = raw_connect(s);
    size_t len = (41u << 20);       /* past QTEST_MAX_LINE (40 MiB) */
    g_autofree char *junk = g_malloc(len);
    g_autofree char *reply = NULL;
    g_autofree char *next = NULL;

    memset(junk, 'a', len);
    /* Sent in pieces, as a real socket delivers it. */
    for (size_t done = 0; done < len; done += 1u << 20) {
        raw_send(fd, junk + done, 1u << 20);
    }
    raw_send(fd, "\nreadb 0x3000\n", 14);
    reply = raw_line(fd);
    g_assert_true(g_str_has_prefix(reply, "FAIL line longer than"));
    next = raw_line(fd);
    g_assert_true(g_str_has_prefix(next, "OK "));
    close(fd);
    qtest_quit(s);
}

/*
 * A client that sends big reads and never reads the answers stalls only
 * itself: Tide holds one answer for it, and everyone else runs on; quit
 * still ends its thread.
 */
static void test_client_that_never_reads_stalls_only_itself(void)
{
    QTestState *s = start();
    int fd = raw_connect(s);
    g_autoptr(JsonNode) r = NULL;

    for (int i = 0; i < 32; i++) {
        static const char line[] = "b64read 0x0 0x1000000\n";

        raw_send(fd, line, strlen(line));
    }
    for (int i = 0; i < 20; i++) {
        qtest_writeb(s, 0x3000, (uint8_t)i);
        g_assert_cmphex(qtest_readb(s, 0x3000), ==, i);
    }
    r = qtest_qmp(s, "{'execute': 'query-status'}");
    g_assert_false(qmp_rsp_is_error(r));
    qtest_quit(s);
    close(fd);
}

static bool raw_answers(int fd)
{
    g_autofree char *reply = NULL;

    raw_send(fd, "readb 0x3000\n", 13);
    reply = raw_line(fd);
    return g_str_has_prefix(reply, "OK ");
}

/* Past MAX_CONNS a connection is closed at once; closed ones free a slot. */
static void test_connections_are_limited_and_freed(void)
{
    QTestState *s = start();
    int fds[MAX_CONNS];
    int refused = 0, fd;
    gint64 deadline;

    /* libqtest's own connection is one of them. */
    for (int i = 0; i < MAX_CONNS; i++) {
        fds[i] = raw_connect(s);
    }
    for (int i = 0; i < MAX_CONNS; i++) {
        if (i < MAX_CONNS - 1) {
            g_assert_true(raw_answers(fds[i]));
        } else {
            g_autofree char *eof = raw_line(fds[i]);

            g_assert_cmpstr(eof, ==, "");
            refused++;
        }
    }
    g_assert_cmpint(refused, ==, 1);
    for (int i = 0; i < MAX_CONNS; i++) {
        close(fds[i]);
    }
    /* Their threads end on their own time: retry until a slot is free. */
    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    for (;;) {
        g_autofree char *reply = NULL;

        fd = raw_connect(s);
        raw_send(fd, "readb 0x3000\n", 13);
        reply = raw_line(fd);
        close(fd);
        if (g_str_has_prefix(reply, "OK ")) {
            break;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(10000);
    }
    qtest_writeb(s, 0x3000, 9);
    g_assert_cmphex(qtest_readb(s, 0x3000), ==, 9);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (qtest_is_qemu()) {
        g_test_skip("Tide-only: Debian's QEMU has no qtest accelerator");
        return g_test_run();
    }
    g_test_add_func("/qtest/ram/below-and-above-4g", test_ram_below_and_above_4g);
    g_test_add_func("/qtest/unassigned/reads-all-ones", test_unassigned_reads_all_ones);
    g_test_add_func("/qtest/protocol/malformed-lines-fail-and-tide-runs-on",
                    test_malformed_lines_fail_and_tide_runs_on);
    g_test_add_func("/qtest/protocol/too-long-line-fails-and-the-connection-lives",
                    test_too_long_line_fails_and_the_connection_lives);
    g_test_add_func("/qtest/connections/run-in-parallel",
                    test_connections_run_in_parallel);
    g_test_add_func("/qtest/connections/one-that-never-reads-stalls-only-itself",
                    test_client_that_never_reads_stalls_only_itself);
    g_test_add_func("/qtest/connections/are-limited-and-freed",
                    test_connections_are_limited_and_freed);
    return g_test_run();
}
