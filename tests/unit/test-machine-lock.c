/* The machine lock: nesting per thread, exclusion, the condition wait, and runners held out. */
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

/* ---- runners: fake vCPUs whose "KVM_RUN" spins until kicked ----------------- */

typedef struct FakeVcpu {
    MachineRunner runner;
    gint kicked;            /* immediate_exit and the signal, in one */
    gint quit;
    gint runs;
    gint ran_mid_update;    /* ran "guest code" while a memslot was gone */
    gint hold_out_from_here;    /* call hold_out between two runs */
    gint held_out_others;
    GThread *thread;
} FakeVcpu;

/* Set by the updater between deleting a memslot and adding it back. */
static gint mid_update;

static void fake_kick(void *opaque)
{
    g_atomic_int_set(&((FakeVcpu *)opaque)->kicked, 1);
}

static gpointer fake_vcpu(gpointer data)
{
    FakeVcpu *v = data;

    machine_lock();
    while (!g_atomic_int_get(&v->quit)) {
        /* As kvm-cpu.c: the loop top clears immediate_exit under the lock. */
        g_atomic_int_set(&v->kicked, 0);
        machine_lock_run_begin(&v->runner);
        /* "Guest code" until a kick, or an exit of its own now and then. */
        for (unsigned i = 0; i < 20000 && !g_atomic_int_get(&v->kicked);
             i++) {
            if (g_atomic_int_get(&mid_update)) {
                g_atomic_int_set(&v->ran_mid_update, 1);
            }
        }
        machine_lock_run_end(&v->runner);
        g_atomic_int_inc(&v->runs);
        /* "Exit handling" under the lock, as an MMIO write that plugs. */
        if (g_atomic_int_get(&v->hold_out_from_here)) {
            machine_lock_hold_out();
            g_atomic_int_set(&v->held_out_others, 1);
            g_atomic_int_set(&v->hold_out_from_here, 0);
        }
    }
    machine_unlock();
    return NULL;
}

static void fake_vcpus_start(FakeVcpu *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        v[i] = (FakeVcpu) { .runner = { .kick = fake_kick, .opaque = &v[i] } };
        machine_lock_runner_add(&v[i].runner);
        v[i].thread = g_thread_new("fake-vcpu", fake_vcpu, &v[i]);
    }
    /* Each has run at least once. */
    for (unsigned i = 0; i < n; i++) {
        while (g_atomic_int_get(&v[i].runs) == 0) {
            g_usleep(100);
        }
    }
}

static void fake_vcpus_stop(FakeVcpu *v, unsigned n)
{
    machine_lock();
    for (unsigned i = 0; i < n; i++) {
        g_atomic_int_set(&v[i].quit, 1);
        fake_kick(&v[i]);
    }
    machine_unlock();
    for (unsigned i = 0; i < n; i++) {
        g_thread_join(v[i].thread);
        machine_lock_runner_remove(&v[i].runner);
    }
}

/* One memslot update as the KVM listener does it, held out or not. */
static void update(bool hold_out)
{
    machine_lock();
    if (hold_out) {
        machine_lock_hold_out();
    }
    g_atomic_int_set(&mid_update, 1);
    g_usleep(200);
    g_atomic_int_set(&mid_update, 0);
    machine_unlock();
}

/*
 * The bug a real guest found: plugging next to plugged virtio-mem blocks
 * deletes and re-adds their memslot while other vCPUs run from it.
 */
static void test_hold_out_no_runner_mid_update(void)
{
    FakeVcpu v[3];
    gint before;

    fake_vcpus_start(v, 3);
    before = g_atomic_int_get(&v[0].runs);
    for (unsigned i = 0; i < 200; i++) {
        update(true);
        g_usleep(100);
    }
    fake_vcpus_stop(v, 3);
    for (unsigned i = 0; i < 3; i++) {
        g_assert_cmpint(g_atomic_int_get(&v[i].ran_mid_update), ==, 0);
    }
    /* They ran between the updates (kicked out, then back in). */
    g_assert_cmpint(g_atomic_int_get(&v[0].runs) - before, >=, 100);
}

/* The harness sees the bug: without hold_out, runners run mid-update. */
static void test_without_hold_out_runners_run_mid_update(void)
{
    FakeVcpu v[2];
    bool seen = false;

    fake_vcpus_start(v, 2);
    for (unsigned i = 0; i < 50 && !seen; i++) {
        update(false);
        seen = g_atomic_int_get(&v[0].ran_mid_update) ||
               g_atomic_int_get(&v[1].ran_mid_update);
    }
    fake_vcpus_stop(v, 2);
    g_assert_true(seen);
}

/* A vCPU thread that plugs (holding the lock) holds out the others only. */
static void test_hold_out_from_a_runner(void)
{
    FakeVcpu v[2];

    fake_vcpus_start(v, 2);
    g_atomic_int_set(&v[0].hold_out_from_here, 1);
    while (!g_atomic_int_get(&v[0].held_out_others)) {
        g_usleep(100);
    }
    fake_vcpus_stop(v, 2);
}

/* Start-up and tear-down: nobody runs, no lock needed. */
static void test_hold_out_nobody_running(void)
{
    MachineRunner r = { .kick = fake_kick };

    machine_lock_runner_add(&r);
    g_assert_false(machine_lock_held());
    machine_lock_hold_out();
    machine_lock_runner_remove(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/machine-lock/nests-per-thread", test_nests_per_thread);
    g_test_add_func("/machine-lock/excludes-other-threads-at-any-depth",
                    test_excludes_other_threads);
    g_test_add_func("/machine-lock/wait-releases-every-level-and-restores-it",
                    test_wait_releases_every_level);
    g_test_add_func("/machine-lock/hold-out/no-runner-runs-mid-update",
                    test_hold_out_no_runner_mid_update);
    g_test_add_func("/machine-lock/hold-out/without-it-runners-run-mid-update",
                    test_without_hold_out_runners_run_mid_update);
    g_test_add_func("/machine-lock/hold-out/from-a-runner-holds-out-the-others",
                    test_hold_out_from_a_runner);
    g_test_add_func("/machine-lock/hold-out/nobody-running-returns-at-once",
                    test_hold_out_nobody_running);
    return g_test_run();
}
