/* The qtest server: each connection on a thread of its own, as KVM runs each vCPU on its own. */
#include "accel/qtest.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <urcu.h>
#include "qtest-internal.h"
#include "util/machine-lock.h"

/* Bytes read from a connection at once. */
#define READ_CHUNK 65536

/*
 * One test connection.  The test's thread that owns it plays one CPU, so
 * the connection gets a Tide thread as a vCPU does: its lines do not
 * queue behind the main loop or behind other connections' system calls,
 * and only the command itself runs under the machine lock.
 */
typedef struct QtestConn {
    int in_fd, out_fd;          /* nonblocking (stdout may not be) */
    int wake_fd;                /* eventfd: async lines queued, or stop */
    GThread *thread;
    gint stop;                  /* atomic: the server asks the thread out */
    gint finished;              /* atomic: the thread is about to return */
    /* Filled by any thread with the machine lock, drained by this one's. */
    GMutex lock;
    GString *async;
    bool overflow;              /* async passed CHAR_CLIENT_MAX_BACKLOG */
    /*
     * The connection thread's own.  It reads more only once the previous
     * reply is out, so a client that does not read its replies stalls
     * itself and holds at most one reply here.
     */
    GString *line;              /* the line being read */
    bool discarding;            /* inside a line that broke QTEST_MAX_LINE */
    char *rbuf;                 /* read, not yet parsed: [rpos, rlen) */
    size_t rpos, rlen;
    GString *out;               /* to write: [out_pos, out->len) */
    size_t out_pos;
} QtestConn;

/*
 * conns changes on the main thread only: with the machine lock held once
 * the main loop runs, and before that while no connection thread exists.
 * Broadcasts read it with the machine lock held.
 */
static struct {
    Chardev *chr;
    FILE *log;
    gint64 log_start;
    GPtrArray *conns;           /* QtestConn * */
    bool serving;               /* threads run: between serve and quiesce */
} server;

void qtest_log_line(char dir, const char *text)
{
    if (server.log) {
        fprintf(server.log, "[%c +%0.6f] %s\n", dir,
                (g_get_monotonic_time() - server.log_start) / 1e6, text);
        fflush(server.log);
    }
}

/* ---- one connection ------------------------------------------------------ */

static void conn_wake(QtestConn *conn)
{
    uint64_t one = 1;

    /* Fails only when the counter is saturated: it is awake already. */
    if (write(conn->wake_fd, &one, sizeof(one)) < 0) {
        return;
    }
}

/* Moves lines other threads queued into the output; false: drop it. */
static bool take_async(QtestConn *conn)
{
    bool ok;

    g_mutex_lock(&conn->lock);
    ok = !conn->overflow;
    g_string_append_len(conn->out, conn->async->str, conn->async->len);
    g_string_truncate(conn->async, 0);
    g_mutex_unlock(&conn->lock);
    return ok;
}

/* Writes what the peer takes now; false when it is gone. */
static bool flush_out(QtestConn *conn)
{
    while (conn->out_pos < conn->out->len) {
        ssize_t n = write(conn->out_fd, conn->out->str + conn->out_pos,
                          conn->out->len - conn->out_pos);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return true;
        }
        if (n <= 0) {
            return false;
        }
        conn->out_pos += n;
    }
    g_string_truncate(conn->out, 0);
    conn->out_pos = 0;
    return true;
}

typedef enum LineState { LINE_NONE, LINE_READY, LINE_TOO_LONG } LineState;

/* Feeds read bytes into the line until it is whole. */
static LineState next_line(QtestConn *conn)
{
    while (conn->rpos < conn->rlen) {
        const char *p = conn->rbuf + conn->rpos;
        size_t avail = conn->rlen - conn->rpos;
        const char *nl = memchr(p, '\n', avail);
        size_t n = nl ? (size_t)(nl - p) : avail;

        conn->rpos += n + (nl ? 1 : 0);
        if (!conn->discarding && conn->line->len + n > QTEST_MAX_LINE) {
            conn->discarding = true;
            g_string_truncate(conn->line, 0);
        }
        if (!conn->discarding) {
            g_string_append_len(conn->line, p, n);
        }
        if (nl) {
            bool too_long = conn->discarding;

            conn->discarding = false;
            return too_long ? LINE_TOO_LONG : LINE_READY;
        }
    }
    return LINE_NONE;
}

static void queue_reply(QtestConn *conn, const char *reply)
{
    /* Interrupt lines the command raised go before its reply, as QEMU. */
    take_async(conn);
    g_string_append(conn->out, reply);
    g_string_append_c(conn->out, '\n');
}

static void run_line(QtestConn *conn)
{
    /* Up to a NUL, as a C string: the engine parses text. */
    g_autofree char *line = g_strdup(conn->line->str);
    g_autofree char *reply = NULL;

    g_string_truncate(conn->line, 0);
    g_strchomp(line);               /* a trailing '\r' too */
    /* A blank line gets no answer, so a client cannot fall out of step. */
    if (!line[strspn(line, " \t")]) {
        return;
    }
    qtest_log_line('R', line);
    /*
     * Every command, RAM too: an unplug discards right after unmapping,
     * without a grace period, so a write holding the old flat view
     * outside the lock could bring a discarded page back.
     */
    machine_lock();
    reply = qtest_process_line(line);
    machine_unlock();
    qtest_log_line('S', reply);
    queue_reply(conn, reply);
}

static void run_next_line(QtestConn *conn)
{
    switch (next_line(conn)) {
    case LINE_READY:
        run_line(conn);
        break;
    case LINE_TOO_LONG: {
        g_autofree char *reply = g_strdup_printf("FAIL line longer than %u "
                                                 "bytes", QTEST_MAX_LINE);

        queue_reply(conn, reply);
        break;
    }
    case LINE_NONE:
        break;
    }
}

/* Reads more input; false at EOF or on an error. */
static bool read_input(QtestConn *conn)
{
    ssize_t n = read(conn->in_fd, conn->rbuf, READ_CHUNK);

    if (n < 0) {
        return errno == EAGAIN || errno == EINTR;
    }
    conn->rpos = 0;
    conn->rlen = n;
    return n > 0;
}

/* Sleeps until input (nothing to write), output room, or a wake-up. */
static bool wait_io(QtestConn *conn)
{
    bool writing = conn->out_pos < conn->out->len;
    struct pollfd p[2] = {
        { .fd = conn->wake_fd, .events = POLLIN },
        { .fd = writing ? conn->out_fd : conn->in_fd,
          .events = writing ? POLLOUT : POLLIN },
    };
    uint64_t count;

    if (poll(p, 2, -1) < 0) {
        return errno == EINTR;
    }
    if ((p[0].revents & POLLIN) &&
        read(conn->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN) {
        return false;
    }
    if (!writing && p[1].revents) {
        return read_input(conn);
    }
    return true;
}

static void conn_serve(QtestConn *conn)
{
    while (!g_atomic_int_get(&conn->stop)) {
        if (!take_async(conn) || !flush_out(conn)) {
            return;
        }
        if (conn->out->len == 0 && conn->rpos < conn->rlen) {
            run_next_line(conn);
        } else if (!wait_io(conn)) {
            return;
        }
    }
}

static void close_fds(QtestConn *conn)
{
    if (conn->in_fd > 2) {
        close(conn->in_fd);
    }
    if (conn->out_fd > 2 && conn->out_fd != conn->in_fd) {
        close(conn->out_fd);
    }
    conn->in_fd = conn->out_fd = -1;
}

static gpointer conn_thread(gpointer opaque)
{
    QtestConn *conn = opaque;

    /* The engine reads flat views under RCU, as vCPU threads do. */
    rcu_register_thread();
    conn_serve(conn);
    rcu_unregister_thread();
    close_fds(conn);
    qtest_log_line('I', "CLOSED");
    g_atomic_int_set(&conn->finished, 1);
    return NULL;
}

static QtestConn *conn_new(int in_fd, int out_fd)
{
    int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    QtestConn *conn;

    if (wake_fd < 0) {
        return NULL;
    }
    conn = g_new0(QtestConn, 1);
    conn->in_fd = in_fd;
    conn->out_fd = out_fd;
    conn->wake_fd = wake_fd;
    g_mutex_init(&conn->lock);
    conn->async = g_string_new(NULL);
    conn->line = g_string_new(NULL);
    conn->rbuf = g_malloc(READ_CHUNK);
    conn->out = g_string_new(NULL);
    return conn;
}

/* The thread has returned, or never ran. */
static void conn_free(QtestConn *conn)
{
    if (conn->thread) {
        g_thread_join(conn->thread);
    }
    close_fds(conn);
    close(conn->wake_fd);
    g_mutex_clear(&conn->lock);
    g_string_free(conn->async, TRUE);
    g_string_free(conn->line, TRUE);
    g_free(conn->rbuf);
    g_string_free(conn->out, TRUE);
    g_free(conn);
}

static bool conn_start(QtestConn *conn, Error **errp)
{
    g_autoptr(GError) gerr = NULL;

    conn->thread = g_thread_try_new("qtest", conn_thread, conn, &gerr);
    if (!conn->thread) {
        error_setg(errp, "cannot start a qtest connection thread: %s",
                   gerr->message);
        return false;
    }
    return true;
}

/* ---- the connections -------------------------------------------------------- */

/* Closed connections go when the next one comes: join them, free them. */
static void reap_finished(void)
{
    for (guint i = server.conns->len; i-- > 0;) {
        QtestConn *conn = g_ptr_array_index(server.conns, i);

        if (g_atomic_int_get(&conn->finished)) {
            g_ptr_array_remove_index(server.conns, i);
            conn_free(conn);
        }
    }
}

static bool qtest_adopt(void *opaque, int in_fd, int out_fd)
{
    g_autoptr(Error) err = NULL;
    QtestConn *conn;

    reap_finished();
    if (server.conns->len >= QTEST_MAX_CONNS) {
        qtest_log_line('I', "REFUSED: too many connections");
        return false;
    }
    conn = conn_new(in_fd, out_fd);
    if (!conn) {
        return false;
    }
    if (server.serving && !conn_start(conn, &err)) {
        warn_report("qtest: %s", error_get_pretty(err));
        conn->in_fd = conn->out_fd = -1;    /* the chardev closes them */
        conn_free(conn);
        return false;
    }
    g_ptr_array_add(server.conns, conn);
    qtest_log_line('I', "OPENED");
    return true;
}

void qtest_server_broadcast(const char *msg)
{
    size_t len = strlen(msg) + 1;

    for (guint i = 0; server.conns && i < server.conns->len; i++) {
        QtestConn *conn = g_ptr_array_index(server.conns, i);

        g_mutex_lock(&conn->lock);
        if (conn->async->len + len > CHAR_CLIENT_MAX_BACKLOG) {
            conn->overflow = true;
        } else {
            g_string_append(conn->async, msg);
            g_string_append_c(conn->async, '\n');
        }
        g_mutex_unlock(&conn->lock);
        conn_wake(conn);
    }
}

static const CharHandlers qtest_handlers = {
    .adopt = qtest_adopt,
};

bool qtest_server_start(const ChardevSpec *spec, const char *log_path,
                        Error **errp)
{
    if (log_path && !g_str_equal(log_path, "none")) {
        server.log = g_str_equal(log_path, "/dev/stderr")
                     ? stderr : fopen(log_path, "w");
        if (!server.log) {
            error_setg_errno(errp, errno, "-qtest-log %s", log_path);
            return false;
        }
    }
    server.log_start = g_get_monotonic_time();
    server.conns = g_ptr_array_new();
    server.chr = chardev_open(spec, &qtest_handlers, NULL, errp);
    if (!server.chr) {
        qtest_server_stop();
        return false;
    }
    return true;
}

bool qtest_server_serve(Error **errp)
{
    server.serving = true;
    for (guint i = 0; i < server.conns->len; i++) {
        QtestConn *conn = g_ptr_array_index(server.conns, i);

        if (!conn->thread && !conn_start(conn, errp)) {
            qtest_server_quiesce();
            return false;
        }
    }
    return true;
}

void qtest_server_quiesce(void)
{
    if (!server.conns) {
        return;
    }
    machine_lock();
    server.serving = false;
    for (guint i = 0; i < server.conns->len; i++) {
        QtestConn *conn = g_ptr_array_index(server.conns, i);

        g_atomic_int_set(&conn->stop, 1);
        conn_wake(conn);
    }
    machine_unlock();
    /* Out of the lock: a thread may be waiting for it to finish its line. */
    for (guint i = 0; i < server.conns->len; i++) {
        QtestConn *conn = g_ptr_array_index(server.conns, i);

        if (conn->thread) {
            g_thread_join(conn->thread);
            conn->thread = NULL;
        }
    }
}

void qtest_server_stop(void)
{
    qtest_server_quiesce();
    if (server.conns) {
        for (guint i = 0; i < server.conns->len; i++) {
            conn_free(g_ptr_array_index(server.conns, i));
        }
        g_ptr_array_free(server.conns, TRUE);
        server.conns = NULL;
    }
    chardev_close(server.chr);
    server.chr = NULL;
    qtest_engine_reset();
    if (server.log && server.log != stderr) {
        fclose(server.log);
    }
    server.log = NULL;
}
