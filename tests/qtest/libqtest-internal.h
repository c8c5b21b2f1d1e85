/*
 * libqtest's private header, for libqtest.c (the process) and
 * libqtest-qmp.c (QMP) only: tests see QTestState as opaque through
 * libqtest.h.  The state is shared because the process side creates and
 * frees it while the QMP side buffers the connection's bytes and queues
 * its events in it.
 */
#ifndef TESTS_QTEST_LIBQTEST_INTERNAL_H
#define TESTS_QTEST_LIBQTEST_INTERNAL_H

#include "libqtest.h"

/*
 * Tracks where one JSON text ends in a byte stream.  The VMM only sends
 * objects, so a text is complete when its outermost bracket closes.
 */
typedef struct JsonSplit {
    int depth;
    bool in_string, escape;
} JsonSplit;

struct QTestState {
    pid_t pid;                  /* 0 once reaped */
    int wstatus;                /* valid once reaped */
    int expected_status;
    char *tmpdir;
    char *qmp_path;
    char *hmp_path;
    int qmp_fd;
    int qtest_fd;               /* the qtest protocol; -1 until used */
    GString *rx;                /* bytes read but not yet a whole message */
    size_t rx_scanned;
    JsonSplit split;
    GQueue events;              /* JsonNode *, oldest first */
    GQueue responses;           /* read while waiting for an event */
    JsonNode *greeting;
    int live_slot;
};

/*
 * Both halves wait against deadlines (a message, the VMM's exit) and
 * read the greeting as an object: small enough to inline in each.
 */
static inline gint64 deadline_after(unsigned ms)
{
    return g_get_monotonic_time() + (gint64)ms * 1000;
}

static inline int ms_left(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    return left <= 0 ? 0 : (int)MIN(left / 1000 + 1, G_MAXINT);
}

static inline JsonObject *as_object(JsonNode *n)
{
    return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

/*
 * Defined in libqtest-qmp.c with the raw fd I/O; libqtest.c needs them
 * too, to connect to QMP at start and to send quit on a fresh
 * connection.
 */
void qtest_fd_send_all(int fd, const char *bytes, size_t len);
/* Wait until fd is readable; false on timeout. */
bool qtest_wait_readable(int fd, gint64 deadline);
/* A connected unix socket, or -1 when connect() fails. */
int qtest_unix_connect(const char *path);

#endif
