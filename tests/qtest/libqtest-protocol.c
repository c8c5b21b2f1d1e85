/* libqtest: the qtest line protocol (in/out, read/write, memset, clock) on one or more connections. */
#include "libqtest.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Bytes per read/write line: well below Tide's 16 MiB limit. */
#define RW_CHUNK        (UINT64_C(1) << 20)
/* Bytes per memset line: below Tide's 1 GiB limit. */
#define MEMSET_CHUNK    (UINT64_C(256) << 20)
#define CONNECT_TRIES   1000
#define THREAD_CONNS    8

/*
 * A thread that called qtest_thread_connect() talks over its own
 * connection: replies on a shared socket would interleave.
 */
typedef struct ThreadConn {
    QTestState *s;
    int fd;
} ThreadConn;

static __thread ThreadConn thread_conns[THREAD_CONNS];

static int conn_fd(QTestState *s)
{
    int fd;

    for (int i = 0; i < THREAD_CONNS; i++) {
        if (thread_conns[i].s == s) {
            return thread_conns[i].fd;
        }
    }
    fd = qtest_qtest_fd(s);
    if (fd < 0) {
        g_error("libqtest: no qtest connection (%s does not speak the qtest "
                "protocol here)", qtest_vmm_binary());
    }
    return fd;
}

char *qtest_protocol_socket_path(const char *tmpdir)
{
    return g_build_filename(tmpdir, "qtest.sock", NULL);
}

/*
 * Replies are waited for in recv() itself, which gives up after the
 * timeout: a poll() before each would be one more system call per
 * round trip, and round trips are most of what a driver costs.
 */
static void set_reply_timeout(int fd)
{
    struct timeval tv = {
        .tv_sec = qtest_timeout_ms() / 1000,
        .tv_usec = qtest_timeout_ms() % 1000 * 1000,
    };

    g_assert_cmpint(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
                    ==, 0);
}

int qtest_protocol_connect(const char *path)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };

    g_assert_cmpuint(strlen(path), <, sizeof(un.sun_path));
    strcpy(un.sun_path, path);
    /* The VMM listens once it has started up; QMP answering means it has. */
    for (int i = 0; i < CONNECT_TRIES; i++) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        g_assert_cmpint(fd, >=, 0);
        if (connect(fd, (struct sockaddr *)&un, sizeof(un)) == 0) {
            set_reply_timeout(fd);
            return fd;
        }
        close(fd);
        g_usleep(10 * 1000);
    }
    g_error("libqtest: cannot connect to the qtest socket %s: %s", path,
            g_strerror(errno));
}

void qtest_thread_connect(QTestState *s)
{
    g_autofree char *path = qtest_protocol_socket_path(qtest_tmpdir(s));

    for (int i = 0; i < THREAD_CONNS; i++) {
        if (!thread_conns[i].s) {
            thread_conns[i].fd = qtest_protocol_connect(path);
            thread_conns[i].s = s;
            return;
        }
    }
    g_error("libqtest: more than %d qtest connections in one thread",
            THREAD_CONNS);
}

void qtest_thread_disconnect(QTestState *s)
{
    for (int i = 0; i < THREAD_CONNS; i++) {
        if (thread_conns[i].s == s) {
            close(thread_conns[i].fd);
            thread_conns[i].s = NULL;
            thread_conns[i].fd = -1;
        }
    }
}

/* ---- lines ---------------------------------------------------------------- */

static void send_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            g_error("libqtest: qtest connection: send: %s",
                    n < 0 ? g_strerror(errno) : "closed");
        }
        buf += n;
        len -= n;
    }
}

/*
 * One line from fd, without its newline.  Peeks first so that nothing
 * after the line is consumed: the connection needs no buffer of its own,
 * whatever thread reads next.
 */
static char *recv_line(int fd)
{
    GString *line = g_string_new(NULL);

    for (;;) {
        char buf[65536];
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK);
        char *nl;

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            g_error("libqtest: no qtest reply within %u ms (have: %.200s)",
                    qtest_timeout_ms(), line->str);
        }
        if (n <= 0) {
            g_error("libqtest: qtest connection closed (%s)",
                    n < 0 ? g_strerror(errno) : "EOF");
        }
        nl = memchr(buf, '\n', n);
        if (nl) {
            n = nl - buf + 1;
        }
        n = recv(fd, buf, n, 0);
        g_assert_cmpint(n, >, 0);
        if (buf[n - 1] == '\n') {
            g_string_append_len(line, buf, n - 1);
            return g_string_free(line, FALSE);
        }
        g_string_append_len(line, buf, n);
    }
}

char *qtest_protocol_vcmd(QTestState *s, const char *fmt, va_list ap)
{
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    g_autofree char *sent = g_strconcat(cmd, "\n", NULL);
    int fd = conn_fd(s);

    /* One send: a line split in two can wake the VMM twice. */
    send_all(fd, sent, strlen(sent));
    for (;;) {
        char *line = recv_line(fd);

        /* Asynchronous interrupt lines (irq_intercept_in) are not replies. */
        if (!g_str_has_prefix(line, "IRQ ")) {
            return line;
        }
        g_free(line);
    }
}

char *qtest_protocol_cmd(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    char *reply;

    va_start(ap, fmt);
    reply = qtest_protocol_vcmd(s, fmt, ap);
    va_end(ap);
    return reply;
}

/* Send a command that must succeed; returns what follows "OK" (may be ""). */
static char *cmd_ok(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static char *cmd_ok(QTestState *s, const char *fmt, ...)
{
    g_autofree char *reply = NULL;
    va_list ap;

    va_start(ap, fmt);
    reply = qtest_protocol_vcmd(s, fmt, ap);
    va_end(ap);
    if (g_str_equal(reply, "OK")) {
        return g_strdup("");
    }
    if (!g_str_has_prefix(reply, "OK ")) {
        g_error("libqtest: qtest command failed: %.200s", reply);
    }
    return g_strdup(reply + 3);
}

static uint64_t cmd_value(QTestState *s, const char *verb, uint64_t addr)
{
    g_autofree char *v = cmd_ok(s, "%s 0x%" G_GINT64_MODIFIER "x", verb, addr);
    char *end;
    uint64_t val = g_ascii_strtoull(v, &end, 0);

    if (end == v || *end) {
        g_error("libqtest: bad qtest reply to %s: %s", verb, v);
    }
    return val;
}

static void cmd_store(QTestState *s, const char *verb, uint64_t addr,
                      uint64_t val)
{
    g_free(cmd_ok(s, "%s 0x%" G_GINT64_MODIFIER "x 0x%" G_GINT64_MODIFIER "x",
                  verb, addr, val));
}

/* ---- the verbs ----------------------------------------------------------------- */

void qtest_outb(QTestState *s, uint16_t port, uint8_t value)
{
    cmd_store(s, "outb", port, value);
}

void qtest_outw(QTestState *s, uint16_t port, uint16_t value)
{
    cmd_store(s, "outw", port, value);
}

void qtest_outl(QTestState *s, uint16_t port, uint32_t value)
{
    cmd_store(s, "outl", port, value);
}

uint8_t qtest_inb(QTestState *s, uint16_t port)
{
    return (uint8_t)cmd_value(s, "inb", port);
}

uint16_t qtest_inw(QTestState *s, uint16_t port)
{
    return (uint16_t)cmd_value(s, "inw", port);
}

uint32_t qtest_inl(QTestState *s, uint16_t port)
{
    return (uint32_t)cmd_value(s, "inl", port);
}

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value)
{
    cmd_store(s, "writeb", addr, value);
}

void qtest_writew(QTestState *s, uint64_t addr, uint16_t value)
{
    cmd_store(s, "writew", addr, value);
}

void qtest_writel(QTestState *s, uint64_t addr, uint32_t value)
{
    cmd_store(s, "writel", addr, value);
}

void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value)
{
    cmd_store(s, "writeq", addr, value);
}

uint8_t qtest_readb(QTestState *s, uint64_t addr)
{
    return (uint8_t)cmd_value(s, "readb", addr);
}

uint16_t qtest_readw(QTestState *s, uint64_t addr)
{
    return (uint16_t)cmd_value(s, "readw", addr);
}

uint32_t qtest_readl(QTestState *s, uint64_t addr)
{
    return (uint32_t)cmd_value(s, "readl", addr);
}

uint64_t qtest_readq(QTestState *s, uint64_t addr)
{
    return cmd_value(s, "readq", addr);
}

static void memread_chunk(QTestState *s, uint64_t addr, uint8_t *out,
                          size_t size)
{
    g_autofree char *v = cmd_ok(s, "read 0x%" G_GINT64_MODIFIER "x 0x%zx",
                                addr, size);

    if (strlen(v) != 2 + 2 * size || v[0] != '0' || v[1] != 'x') {
        g_error("libqtest: bad reply to read of %zu bytes: %.100s", size, v);
    }
    for (size_t i = 0; i < size; i++) {
        out[i] = (uint8_t)(g_ascii_xdigit_value(v[2 + 2 * i]) << 4 |
                           g_ascii_xdigit_value(v[3 + 2 * i]));
    }
}

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    uint8_t *out = data;

    for (size_t done = 0; done < size;) {
        size_t n = MIN(size - done, RW_CHUNK);

        memread_chunk(s, addr + done, out + done, n);
        done += n;
    }
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *in = data;

    for (size_t done = 0; done < size;) {
        size_t n = MIN(size - done, RW_CHUNK);
        g_autofree char *enc = g_malloc(2 * n + 1);

        for (size_t i = 0; i < n; i++) {
            enc[2 * i] = hex[in[done + i] >> 4];
            enc[2 * i + 1] = hex[in[done + i] & 0xf];
        }
        enc[2 * n] = '\0';
        g_free(cmd_ok(s, "write 0x%" G_GINT64_MODIFIER "x 0x%zx 0x%s",
                      addr + done, n, enc));
        done += n;
    }
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size)
{
    for (uint64_t done = 0; done < size;) {
        uint64_t n = MIN(size - done, MEMSET_CHUNK);

        g_free(cmd_ok(s, "memset 0x%" G_GINT64_MODIFIER "x 0x%"
                      G_GINT64_MODIFIER "x 0x%02x", addr + done, n, pattern));
        done += n;
    }
}

static int64_t clock_reply(char *v)
{
    g_autofree char *owned = v;
    char *end;
    int64_t ns = g_ascii_strtoll(owned, &end, 10);

    if (end == owned || *end) {
        g_error("libqtest: bad clock reply: %s", owned);
    }
    return ns;
}

int64_t qtest_clock_step_next(QTestState *s)
{
    return clock_reply(cmd_ok(s, "clock_step"));
}

int64_t qtest_clock_step(QTestState *s, int64_t step)
{
    return clock_reply(cmd_ok(s, "clock_step %" G_GINT64_FORMAT, step));
}

int64_t qtest_clock_set(QTestState *s, int64_t val)
{
    return clock_reply(cmd_ok(s, "clock_set %" G_GINT64_FORMAT, val));
}
