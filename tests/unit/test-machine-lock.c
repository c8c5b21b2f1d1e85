/* The machine lock: nesting per thread, exclusion, and the condition wait. */
#include <glib.h>
#include "util/machine-lock.h"

static void test_nests_per_thread(void)
{
    g_assert_false(machine_lock_held());
    machine_lock();
    machine_lock();
    g_assert_true(machine_lock_held());
    machine_unlock();
    g_assert_true(machine_lock_held());
    machine_unlock();
    g_assert_false(machine_lock_held());
}

static gint entered;

static gpointer take_and_mark(gpointer data)
{
    machine_lock();
    g_atomic_int_set(&entered, 1);
    g_assert_true(machine_lock_held());
    machine_unlock();
    return NULL;
}

/* Another thread waits while this one holds the lock at any depth. */
static void test_excludes_other_threads(void)
{
    GThread *t;

    g_atomic_int_set(&entered, 0);
    machine_lock();
    machine_lock();
    t = g_thread_new("other", take_and_mark, NULL);
    g_usleep(50 * 1000);
    g_assert_cmpint(g_atomic_int_get(&entered), ==, 0);
    machine_unlock();
    g_usleep(50 * 1000);
    g_assert_cmpint(g_atomic_int_get(&entered), ==, 0);
    machine_unlock();
    g_thread_join(t);
    g_assert_cmpint(g_atomic_int_get(&entered), ==, 1);
}

static GCond cond;
static gboolean flag;

static gpointer set_flag(gpointer data)
{
    machine_lock();
    flag = TRUE;
    g_cond_signal(&cond);
    machine_unlock();
    return NULL;
}

/*
 * A wait at depth 2 lets another thread take the lock (as a vCPU must
 * while the main loop waits for it to park), then comes back at depth 2.
 */
static void test_wait_releases_every_level(void)
{
    GThread *t;

    flag = FALSE;
    machine_lock();
    machine_lock();
    t = g_thread_new("signaller", set_flag, NULL);
    while (!flag) {
        machine_lock_wait(&cond);
    }
    g_assert_true(machine_lock_held());
    machine_unlock();
    g_assert_true(machine_lock_held());
    machine_unlock();
    g_assert_false(machine_lock_held());
    g_thread_join(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/machine-lock/nests-per-thread", test_nests_per_thread);
    g_test_add_func("/machine-lock/excludes-other-threads-at-any-depth",
                    test_excludes_other_threads);
    g_test_add_func("/machine-lock/wait-releases-every-level-and-restores-it",
                    test_wait_releases_every_level);
    return g_test_run();
}
