/* What the qtest engine (qtest.c) and its connection server (qtest-server.c) share. */
#ifndef ACCEL_QTEST_INTERNAL_H
#define ACCEL_QTEST_INTERNAL_H

/*
 * One line of the -qtest-log: dir 'R' received, 'S' sent, 'I' info.
 * Any thread.
 */
void qtest_log_line(char dir, const char *text);

/*
 * Queue an asynchronous line ("IRQ raise 4", without its newline) for
 * every connection.  Machine lock held; never waits for a client that
 * does not read: one that lets CHAR_CLIENT_MAX_BACKLOG bytes pile up is
 * dropped.
 */
void qtest_server_broadcast(const char *msg);

/* Forget the interrupt state (irq_intercept_in, line levels). */
void qtest_engine_reset(void);

#endif
