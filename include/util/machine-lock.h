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

#endif
