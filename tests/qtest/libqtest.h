/* libqtest: start a VMM under test and talk QMP and the qtest protocol to it. */
#ifndef TESTS_QTEST_LIBQTEST_H
#define TESTS_QTEST_LIBQTEST_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Which VMM the tests drive.  By default Tide (TIDE_BINARY, which meson
 * sets, or build/tide), or QTEST_QEMU_BINARY when set; both get
 * "-accel qtest -display none -qmp ...".  With TIDE_TEST_VMM=qemu the
 * tests run against Debian's qemu-system-x86_64, which has no qtest
 * accelerator: it gets "-accel tcg -S -display none -nodefaults -qmp ..."
 * instead, so it always starts in "prelaunch".
 */
typedef enum QTestVmm {
    QTEST_VMM_TIDE,
    QTEST_VMM_QTEST_BINARY,     /* QTEST_QEMU_BINARY */
    QTEST_VMM_QEMU_TCG,         /* TIDE_TEST_VMM=qemu */
} QTestVmm;

QTestVmm qtest_vmm(void);
static inline bool qtest_is_tide(void)
{
    return qtest_vmm() == QTEST_VMM_TIDE;
}
static inline bool qtest_is_qemu(void)
{
    return qtest_vmm() == QTEST_VMM_QEMU_TCG;
}
/*
 * For tests of what only Tide does: unless the VMM is Tide, skip the
 * test with "Tide-only: why" and return true.
 */
bool qtest_skip_unless_tide(const char *why);
/* The binary qtest_init() runs. */
const char *qtest_vmm_binary(void);

/*
 * One VMM process and its connections.  It owns a private temporary
 * directory for its sockets, removed by qtest_quit().
 */
typedef struct QTestState QTestState;

/*
 * Start the VMM with extra_args (split as a shell would, so quotes
 * work; NULL for none), connect to QMP (retrying for up to 10 s), read
 * the greeting and negotiate capabilities.  Any failure fails the test.
 */
QTestState *qtest_init(const char *extra_args);
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* As qtest_init(), but stop after the greeting: for protocol tests. */
QTestState *qtest_init_without_qmp_handshake(const char *extra_args);
/*
 * As qtest_init(), and also serve HMP on a unix socket in the private
 * directory (qtest_hmp_socket_path()).
 */
QTestState *qtest_init_with_hmp_socket(const char *extra_args);

/*
 * Send quit if the process is alive, wait for it to exit (SIGKILL after
 * 5 s), check how it ended (see qtest_set_expected_status()), remove the
 * temporary directory and free s.  NULL is a no-op.
 */
void qtest_quit(QTestState *s);
/*
 * The exit status qtest_quit() expects (default 0); -1 accepts anything.
 * A death by signal is always a failure, except our own SIGKILL after a
 * timeout when the expected status is -1.
 */
void qtest_set_expected_status(QTestState *s, int status);
/*
 * Wait up to timeout_ms for the process to exit on its own; returns
 * its waitpid() status, or -1 on timeout.  The process is reaped.
 */
int qtest_wait_exit(QTestState *s, unsigned timeout_ms);
bool qtest_probe_alive(QTestState *s);

pid_t qtest_pid(QTestState *s);
const char *qtest_tmpdir(QTestState *s);
const char *qtest_qmp_socket_path(QTestState *s);
/* NULL unless started with qtest_init_with_hmp_socket(). */
const char *qtest_hmp_socket_path(QTestState *s);
/* The QMP connection's fd, for raw protocol tests. */
int qtest_qmp_fd(QTestState *s);

/*
 * The qtest protocol connection: Tide (and a QTEST_QEMU_BINARY) get
 * "-qtest unix:TMPDIR/qtest.sock,server=on,wait=off" and qtest_init()
 * connects to it; -1 against Debian's QEMU, which has no qtest.
 */
int qtest_qtest_fd(QTestState *s);

/* ---- the qtest protocol (libqtest-protocol.c) ----------------------------- */

/*
 * QEMU's libqtest verbs.  Each sends one line and waits for its "OK";
 * a "FAIL" fails the test.  Asynchronous "IRQ ..." lines are skipped.
 */
void qtest_outb(QTestState *s, uint16_t port, uint8_t value);
void qtest_outw(QTestState *s, uint16_t port, uint16_t value);
void qtest_outl(QTestState *s, uint16_t port, uint32_t value);
uint8_t qtest_inb(QTestState *s, uint16_t port);
uint16_t qtest_inw(QTestState *s, uint16_t port);
uint32_t qtest_inl(QTestState *s, uint16_t port);
void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t value);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t value);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value);
uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
/* Any size: split into lines of at most 1 MiB. */
void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
/* Any size: split into lines of at most 256 MiB. */
void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size);
/* The virtual clock after the step, in ns. */
int64_t qtest_clock_step_next(QTestState *s);
int64_t qtest_clock_step(QTestState *s, int64_t step);
int64_t qtest_clock_set(QTestState *s, int64_t val);

/*
 * Send any line and return the whole reply ("OK ...", "FAIL ..."): for
 * tests of the protocol itself.  Caller frees.
 */
char *qtest_protocol_cmd(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
char *qtest_protocol_vcmd(QTestState *s, const char *fmt, va_list ap)
    G_GNUC_PRINTF(2, 0);

/*
 * Give the calling thread a qtest connection of its own to s: from then
 * on the verbs for s in this thread use it (replies on one shared socket
 * would interleave).  Disconnect before qtest_quit().
 */
void qtest_thread_connect(QTestState *s);
void qtest_thread_disconnect(QTestState *s);

/* For libqtest.c: where the socket is, and connecting to it (retries). */
char *qtest_protocol_socket_path(const char *tmpdir);
int qtest_protocol_connect(const char *path);

/* ---- QMP on the main connection ----------------------------------------- */

/*
 * The greeting qtest_init() read: {"QMP": {...}}.  Owned by s.
 */
JsonNode *qtest_qmp_greeting(QTestState *s);

/*
 * Format a command (printf-style; the caller writes valid JSON), send it
 * and wait for its response.  Events that arrive before the response are
 * queued for qtest_qmp_eventwait().  Caller frees the response.
 */
JsonNode *qtest_qmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
JsonNode *qtest_vqmp(QTestState *s, const char *fmt, va_list ap)
    G_GNUC_PRINTF(2, 0);
/* Send without waiting. */
void qtest_qmp_send(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Send bytes exactly as given: partial JSON, garbage, several commands. */
void qtest_qmp_send_raw(QTestState *s, const char *bytes, size_t len);
/*
 * The next message that is not an event (events are queued), waiting
 * up to the timeout.  Fails the test on timeout or EOF.
 */
JsonNode *qtest_qmp_receive(QTestState *s);
/*
 * The next message of any kind, straight from the socket (queued events
 * are not looked at).  For tests of message order.
 */
JsonNode *qtest_qmp_receive_any(QTestState *s);
/*
 * The first queued or arriving event named event; fails the test after
 * the timeout.  Other events stay queued.
 */
JsonNode *qtest_qmp_eventwait(QTestState *s, const char *event);
/* As above, but returns NULL after timeout_ms instead of failing. */
JsonNode *qtest_qmp_eventwait_timeout(QTestState *s, const char *event,
                                      unsigned timeout_ms);
/* Remove and return a queued event named event (NULL: any), or NULL. */
JsonNode *qtest_qmp_event_pop(QTestState *s, const char *event);
/* Drop all queued events. */
void qtest_qmp_events_clear(QTestState *s);

/*
 * Run an HMP command line through human-monitor-command and return its
 * output ("\r\n" line ends).  Fails the test if the QMP command fails.
 */
char *qtest_hmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Run a command that must succeed. */
void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Run a command that must succeed; returns its "return" value to free. */
JsonNode *qtest_qmp_return(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Open one more client connection to the QMP socket; returns its fd.
 * Nothing is read: the greeting is waiting on it.
 */
int qtest_qmp_connect(QTestState *s);

/* ---- QMP on any fd (extra connections) ---------------------------------- */

/*
 * Stateless, so any number of connections can be used from any thread:
 * receive reads one byte at a time and never past the message.
 */
void qmp_fd_send(int fd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void qmp_fd_send_raw(int fd, const char *bytes, size_t len);
/* The next message (events included); NULL on EOF.  Fails on timeout. */
JsonNode *qmp_fd_receive(int fd);
/* Send, then return the first message that is not an event. */
JsonNode *qmp_fd(int fd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Read the greeting and negotiate capabilities. */
void qmp_fd_handshake(int fd);

/* ---- responses ---------------------------------------------------------- */

/* The "return" member (borrowed); fails the test if there is none. */
JsonNode *qmp_rsp_return(JsonNode *rsp);
JsonObject *qmp_rsp_return_object(JsonNode *rsp);
JsonArray *qmp_rsp_return_array(JsonNode *rsp);
/*
 * query-status's "status" ("running", "paused", ...), checked against its
 * "running" and "singlestep"; valid until the next call.
 */
const char *qtest_query_status(QTestState *s);
bool qmp_rsp_is_error(JsonNode *rsp);
/* The error's class and desc, or NULL when rsp is not an error. */
const char *qmp_rsp_error_class(JsonNode *rsp);
const char *qmp_rsp_error_desc(JsonNode *rsp);
/* Fail the test unless rsp is an error of that class and desc. */
void qmp_assert_error(JsonNode *rsp, const char *cls, const char *desc);
/* The "id" member (borrowed), or NULL. */
JsonNode *qmp_rsp_id(JsonNode *rsp);
/* An event's name, or NULL when rsp is not an event. */
const char *qmp_event_name(JsonNode *msg);

/* Compact JSON text of node, for messages and comparisons. */
char *qtest_json_to_string(JsonNode *node);
/* Parse JSON text; fails the test when it is not valid JSON. */
JsonNode *qtest_json_parse(const char *text);
/* JSON string literal for s, quotes included, for building commands. */
char *qtest_json_quote(const char *s);

/* Milliseconds every wait allows (QTEST_TIMEOUT_MS, default 30000). */
unsigned qtest_timeout_ms(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QTestState, qtest_quit)

#endif
