/* The machine lock: a mutex with per-thread nesting and a condition wait. */
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
