/* The qtest accelerator: a test process plays the CPU over a line protocol. */
#ifndef ACCEL_QTEST_H
#define ACCEL_QTEST_H

#include <stdbool.h>
#include <stdint.h>
#include "accel/irq.h"
#include "util/chardev.h"
#include "util/error.h"

/*
 * Open QEMU's qtest protocol on spec (QEMU's libqtest listens and lets
 * the VMM connect, so a plain "unix:PATH" connects; server=on listens).
 * Connections are taken from then on but served only from
 * qtest_server_serve(): each on a thread of its own, which runs every
 * command under the machine lock (as a KVM vCPU thread runs an exit), so
 * tests that give each of their threads a connection run them in
 * parallel as a multi-vCPU guest would.  At most QTEST_MAX_CONNS at once;
 * more are closed at once.  log_path: NULL or "none" for no log.
 * Main thread, without the machine lock, for all four.
 */
#define QTEST_MAX_CONNS 64
bool qtest_server_start(const ChardevSpec *spec, const char *log_path,
                        Error **errp);
/* Once the machine is whole: its connections may touch it from now on. */
bool qtest_server_serve(Error **errp);
/* Every connection thread finishes its line and ends (before tear-down). */
void qtest_server_quiesce(void);
/* Quiesce, close every connection and the endpoint. */
void qtest_server_stop(void);

/*
 * Interrupts under qtest (install with accel_irq_set_ops()): an MSI is a
 * guest-memory write, a legacy line a remembered level, reported to the
 * test as "IRQ raise N" / "IRQ lower N" after irq_intercept_in.
 */
extern const AccelIrqOps qtest_irq_ops;

/* The virtual clock the test drives with clock_step/clock_set, in ns. */
int64_t qtest_clock_get_ns(void);

/* Per-command limits: past them the command answers FAIL. */
#define QTEST_MAX_LINE      (40u << 20)     /* a 16 MiB write in hex fits */
#define QTEST_MAX_RW_BYTES  (16u << 20)     /* read, b64read, write */
#define QTEST_MAX_MEMSET    (UINT64_C(1) << 30)

/* Run one protocol line; returns the reply without its newline. */
char *qtest_process_line(const char *line);

#endif
