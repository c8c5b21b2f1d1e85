/* Benchmark: the memory manager's balloon-to-settled time against the slowest device converging alone, libqos drivers one thread per device. */
#include <glib.h>
#include <stdio.h>
#include "guest.h"

#define TOTAL       (8 * GiB)
#define BOOT        (2 * GiB)
#define ROUNDS      5
/* Between convergence checks: polling QMP flat out would load the VMM. */
#define POLL_US     100

/*
 * One guest worker per device, as Linux runs each virtio-mem device's
 * work item on its own: a thread with its own qtest connection that runs
 * the driver a step at a time and naps, growing to 2 ms, while idle
 * (a real driver sleeps until the config interrupt; here noticing it
 * costs a poll of its MSI word).
 */
typedef struct Worker {
    QOSGuest *g;
    QVirtioMem *m;
    GThread *thread;
    gint stop;
} Worker;

static gpointer worker_run(gpointer opaque)
{
    Worker *w = opaque;
    gulong nap = 50;

    qtest_thread_connect(w->g->qts);
    while (!g_atomic_int_get(&w->stop)) {
        if (qvirtio_mem_sync(w->m)) {
            g_usleep(nap);
            nap = MIN(nap * 2, 2000);
        } else {
            nap = 50;
        }
    }
    qtest_thread_disconnect(w->g->qts);
    return NULL;
}

static QOSGuest *start(unsigned n, unsigned chunk)
{
    g_autoptr(GString) a = g_string_new(NULL);
    QVirtioMemOptions opts = { .chunk_blocks = chunk };
    uint64_t cap = 2 * TOTAL / n;
    QOSGuest *g;

    g_string_append_printf(a, "-m 2G,maxmem=%" G_GUINT64_FORMAT "G -smp %u",
                           (BOOT + n * cap) / GiB, n);
    for (unsigned i = 0; i < n; i++) {
        g_string_append_printf(a, " -object memory-backend-ram,id=ram%u,"
                               "size=%" G_GUINT64_FORMAT "M -numa node,"
                               "nodeid=%u,cpus=%u,memdev=ram%u -object "
                               "memory-backend-ram,id=mem%u,size=%"
                               G_GUINT64_FORMAT "M -device virtio-mem-pci,"
                               "id=vm%u,memdev=mem%u,node=%u", i,
                               BOOT / n / MiB, i, i, i, i, cap / MiB, i, i, i);
    }
    g = qos_guest_start(a->str);
    qos_guest_add_all_virtio_mem(g, &opts);
    g_assert_cmpuint(g->mems->len, ==, n);
    return g;
}

static char *dev_path(unsigned i)
{
    return g_strdup_printf("/machine/peripheral/vm%u", i);
}

static uint64_t dev_size(QOSGuest *g, unsigned i)
{
    g_autofree char *path = dev_path(i);

    return qos_qom_get_uint(g->qts, path, "size");
}

static void set_requested(QOSGuest *g, unsigned i, uint64_t size)
{
    g_autofree char *path = dev_path(i);

    qos_qom_set_uint(g->qts, path, "requested-size", size);
}

static bool settled(QOSGuest *g)
{
    g_autofree char *state = qos_qom_get_str(g->qts, "/machine/memory-manager",
                                             "state");

    return g_str_equal(state, "settled");
}

static double now_ms(void)
{
    return g_get_monotonic_time() / 1000.0;
}

/* One device alone, others idle: ms until its size is size. */
static double time_alone(QOSGuest *g, unsigned i, uint64_t size)
{
    double t0 = now_ms();

    set_requested(g, i, size);
    while (dev_size(g, i) != size) {
        g_assert_cmpfloat(now_ms() - t0, <, 60000);
        g_usleep(POLL_US);
    }
    return now_ms() - t0;
}

/* Every device at once, set directly (what tide-node-resize does). */
static double time_direct(QOSGuest *g, unsigned n, uint64_t each)
{
    double t0 = now_ms();

    for (unsigned i = 0; i < n; i++) {
        set_requested(g, i, each);
    }
    for (unsigned i = 0; i < n; i++) {
        while (dev_size(g, i) != each) {
            g_assert_cmpfloat(now_ms() - t0, <, 60000);
            g_usleep(POLL_US);
        }
    }
    return now_ms() - t0;
}

static double time_balloon(QOSGuest *g, uint64_t size)
{
    double t0 = now_ms();

    qtest_qmp_assert_success(g->qts, "{\"execute\": \"balloon\", "
                             "\"arguments\": {\"value\": %" G_GUINT64_FORMAT
                             "}}", size);
    while (!settled(g)) {
        g_assert_cmpfloat(now_ms() - t0, <, 60000);
        g_usleep(POLL_US);
    }
    return now_ms() - t0;
}

typedef struct Times {
    double mgr, alone, direct;      /* best of ROUNDS, ms */
} Times;

static void keep_best(double *best, double t)
{
    *best = *best == 0 ? t : MIN(*best, t);
}

static void bench(unsigned n, unsigned chunk, Times *grow, Times *shrink)
{
    g_autoptr(QOSGuest) g = start(n, chunk);
    g_autofree Worker *w = g_new0(Worker, n);
    uint64_t each = TOTAL / n;

    for (unsigned i = 0; i < n; i++) {
        w[i] = (Worker) { .g = g, .m = qos_guest_mem(g, i) };
        w[i].thread = g_thread_new("driver", worker_run, &w[i]);
    }
    for (int r = 0; r < ROUNDS; r++) {
        double slow_grow = 0, slow_shrink = 0;

        /* Equal devices: the balanced share of each is TOTAL / n. */
        for (unsigned i = 0; i < n; i++) {
            /* Not inside MAX(): it would run the resize twice. */
            double up = time_alone(g, i, each);
            double down = time_alone(g, i, 0);

            slow_grow = MAX(slow_grow, up);
            slow_shrink = MAX(slow_shrink, down);
        }
        keep_best(&grow->alone, slow_grow);
        keep_best(&shrink->alone, slow_shrink);
        keep_best(&grow->direct, time_direct(g, n, each));
        keep_best(&shrink->direct, time_direct(g, n, 0));
        keep_best(&grow->mgr, time_balloon(g, BOOT + TOTAL));
        keep_best(&shrink->mgr, time_balloon(g, BOOT));
    }
    for (unsigned i = 0; i < n; i++) {
        g_atomic_int_set(&w[i].stop, 1);
        g_thread_join(w[i].thread);
    }
}

int main(int argc, char **argv)
{
    static const unsigned counts[] = { 2, 4, 8 };
    static const unsigned chunks[] = { QVIRTIO_MEM_DEFAULT_CHUNK };
    bool met = true;

    g_test_init(&argc, &argv, NULL);
    printf("manager: balloon to settled, growing and shrinking by 8 GiB in "
           "total, libqos virtio-mem\ndriver (one thread and qtest "
           "connection per device), best of %d rounds, against the\n"
           "slowest device converging its share alone (qom-set on that "
           "device only) and against\nall devices set directly at once; "
           "host has %u CPUs\n", ROUNDS, g_get_num_processors());
    printf("%-8s %-7s %-6s %9s %9s %7s %9s %7s\n", "devices", "blocks",
           "dir", "mgr ms", "alone ms", "ratio", "direct ms", "ratio");
    for (size_t c = 0; c < G_N_ELEMENTS(chunks); c++) {
        for (size_t k = 0; k < G_N_ELEMENTS(counts); k++) {
            Times grow = { 0 }, shrink = { 0 };

            bench(counts[k], chunks[c], &grow, &shrink);
            for (int s = 0; s < 2; s++) {
                Times *t = s ? &shrink : &grow;

                printf("%-8u %-7u %-6s %9.1f %9.1f %7.2f %9.1f %7.2f\n",
                       counts[k], chunks[c], s ? "shrink" : "grow", t->mgr,
                       t->alone, t->mgr / t->alone, t->direct,
                       t->mgr / t->direct);
                met &= t->mgr / t->alone <= 1.1;
            }
            fflush(stdout);
        }
    }
    printf("goal, manager within 1.1 of the slowest device alone: %s\n",
           met ? "met" : "MISSED");
    /*
     * Why "alone" is hard to match here: under -accel qtest every guest
     * memory access of every driver is a line Tide's main thread serves,
     * so drivers of different devices queue behind each other, where a
     * real guest's would run on their own vCPUs.  "direct" does the same
     * total work without the manager: that ratio is what it adds.
     */
    printf("(qtest serialises the drivers' guest work on Tide's main "
           "thread; \"direct\" is the same\ntotal work without the "
           "manager, so its ratio is the manager's own cost)\n");
    return 0;
}
