/* The machine lock: a mutex with per-thread nesting, a condition wait, and runners held out. */
#include "util/machine-lock.h"

static GMutex machine_mutex;
static __thread unsigned lock_depth;

void machine_lock(void)
{
    if (lock_depth++ == 0) {
        g_mutex_lock(&machine_mutex);
    }
}

void machine_unlock(void)
{
    /* Unlocking a lock the thread does not hold is a Tide bug. */
    g_assert(lock_depth > 0);
    if (--lock_depth == 0) {
        g_mutex_unlock(&machine_mutex);
    }
}

bool machine_lock_held(void)
{
    return lock_depth > 0;
}

void machine_lock_wait(GCond *cond)
{
    unsigned depth = lock_depth;

    g_assert(depth > 0);
    lock_depth = 0;
    g_cond_wait(cond, &machine_mutex);
    lock_depth = depth;
}

/* ---- runners ------------------------------------------------------------ */

/* MachineRunner *, changed and read under the lock. */
static GPtrArray *runners;

void machine_lock_runner_add(MachineRunner *r)
{
    machine_lock();
    if (!runners) {
        runners = g_ptr_array_new();
    }
    g_atomic_int_set(&r->running, 0);
    g_ptr_array_add(runners, r);
    machine_unlock();
}

void machine_lock_runner_remove(MachineRunner *r)
{
    machine_lock();
    if (runners) {
        g_ptr_array_remove(runners, r);
    }
    machine_unlock();
}

void machine_lock_run_begin(MachineRunner *r)
{
    /*
     * Marked before the lock goes: a holder that sees it clear knows
     * the thread is on this side of the lock, and one that sees it set
     * kicks it (its kick must also stop a run that has not quite begun).
     */
    g_atomic_int_set(&r->running, 1);
    machine_unlock();
}

void machine_lock_run_end(MachineRunner *r)
{
    g_atomic_int_set(&r->running, 0);
    machine_lock();
}

static bool any_running(void)
{
    for (guint i = 0; runners && i < runners->len; i++) {
        if (g_atomic_int_get(&((MachineRunner *)
                               g_ptr_array_index(runners, i))->running)) {
            return true;
        }
    }
    return false;
}

void machine_lock_hold_out(void)
{
    unsigned spins = 0;

    if (!any_running()) {
        return;
    }
    for (guint i = 0; i < runners->len; i++) {
        MachineRunner *r = g_ptr_array_index(runners, i);

        if (g_atomic_int_get(&r->running)) {
            r->kick(r->opaque);
        }
    }
    /* A kicked vCPU leaves KVM_RUN within microseconds. */
    while (any_running()) {
        if (++spins < 100) {
            g_thread_yield();
        } else {
            g_usleep(50);
        }
    }
}
