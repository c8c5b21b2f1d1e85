/* The machine lock: the one lock that protects device state. */
#ifndef UTIL_MACHINE_LOCK_H
#define UTIL_MACHINE_LOCK_H

#include <glib.h>
#include <stdbool.h>

/*
 * Who holds it (DESIGN.md, "Threads and locking"):
 * - the main loop, all the time except while it polls (system/runstate.c
 *   installs a poll function that drops it), so every GLib source
 *   (QMP, HMP, chardevs, timers, virtqueue eventfds) runs under it;
 * - a vCPU thread, around each port I/O or MMIO dispatch and while it
 *   looks at its run/stop flags, never inside KVM_RUN.
 * The memory map is read under RCU, never under this lock.
 *
 * It nests per thread (a depth counter in thread-local storage over one
 * plain mutex), so a device callback may call code that takes it again.
 * machine_lock_wait() is a condition wait that releases the lock at
 * whatever depth and restores that depth: the vCPU pause handshake uses
 * it so a thread waiting for vCPUs never starves a vCPU that needs the
 * lock to finish its exit.
 */
void machine_lock(void);
void machine_unlock(void);
/* Whether the calling thread holds it. */
bool machine_lock_held(void);
/* Must hold the lock; returns holding it again at the same depth. */
void machine_lock_wait(GCond *cond);

/*
 * Runners: threads that run for long without the lock (a vCPU inside
 * KVM_RUN) leave it through machine_lock_run_begin() and come back
 * through machine_lock_run_end().  A lock holder about to change what
 * they run on (deleting a KVM memslot that comes back in the same
 * update) calls machine_lock_hold_out(): it kicks every runner that is
 * running and returns once none is.  None starts again before the
 * holder releases the lock, since a run begins only from under it; the
 * holder's own runner, if it is one, is not running (it holds the lock).
 */
typedef struct MachineRunner {
    gint running;               /* between run_begin and run_end */
    /* Makes the run end soon; called with the lock held. */
    void (*kick)(void *opaque);
    void *opaque;
} MachineRunner;

void machine_lock_runner_add(MachineRunner *r);
void machine_lock_runner_remove(MachineRunner *r);
/* Holding the lock once; returns without it. */
void machine_lock_run_begin(MachineRunner *r);
/* Returns holding the lock once. */
void machine_lock_run_end(MachineRunner *r);
/* Holding the lock (or with no runner running: start-up, tear-down). */
void machine_lock_hold_out(void);

#endif
