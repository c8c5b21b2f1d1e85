/* Benchmark: the memory manager's balloon-to-settled time against the devices' own convergence (in the same resize, and alone), libqos drivers one thread per device. */
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

/* Each device's share of the manager's plan (query-memory-manager). */
static void plan_targets(QOSGuest *g, uint64_t *targets)
{
    g_autoptr(JsonNode) rsp = qtest_qmp(g->qts, "{\"execute\": "
                                        "\"query-memory-manager\"}");
    JsonArray *devs = json_object_get_array_member(
        qmp_rsp_return_object(rsp), "devices");

    g_assert_cmpuint(json_array_get_length(devs), ==, g->mems->len);
    for (guint i = 0; i < g->mems->len; i++) {
        targets[i] = json_object_get_int_member(
            json_array_get_object_element(devs, i), "target");
    }
}

static bool settled(QOSGuest *g)
{
    g_autofree char *state = qos_qom_get_str(g->qts, "/machine/memory-manager",
                                             "state");

    return g_str_equal(state, "settled");
}

/*
 * Balloon to settled, ms.  The same polls note when each device first
 * shows size == its share: *slowest is the last of those, the devices'
 * own convergence in this very resize; settled later than that would be
 * the manager's own delay in noticing.  The polls are what time_direct()
 * makes (a qom-get of each device's size) plus one of the state: every
 * qtest command takes the machine lock the drivers need too, so heavier
 * polling would slow the drivers down and show up as the manager's cost.
 */
static double time_balloon(QOSGuest *g, uint64_t size, double *slowest)
{
    unsigned n = g->mems->len, left = n;
    g_autofree uint64_t *targets = g_new0(uint64_t, n);
    g_autofree bool *reached = g_new0(bool, n);
    double t0 = now_ms(), t;

    *slowest = 0;
    qtest_qmp_assert_success(g->qts, "{\"execute\": \"balloon\", "
                             "\"arguments\": {\"value\": %" G_GUINT64_FORMAT
                             "}}", size);
    plan_targets(g, targets);
    for (;;) {
        for (unsigned i = 0; i < n; i++) {
            if (!reached[i] && dev_size(g, i) == targets[i]) {
                reached[i] = true;
                left--;
            }
        }
        t = now_ms() - t0;
        if (!left && *slowest == 0) {
            *slowest = t;
        }
        if (settled(g)) {
            /* The last device arrived between its poll and this one. */
            t = now_ms() - t0;
            if (left) {
                *slowest = t;
            }
            return t;
        }
        g_assert_cmpfloat(t, <, 60000);
        g_usleep(POLL_US);
    }
}

typedef struct Times {
    double mgr, in_run, alone, direct;      /* best of ROUNDS, ms */
} Times;

/* A qtest round trip's wall time, one thread alone and n at once, us. */
typedef struct HostTimes {
    double one, many;               /* best of ROUNDS */
} HostTimes;

static void keep_best(double *best, double t)
{
    *best = *best == 0 ? t : MIN(*best, t);
}

/* ---- what the host allows ------------------------------------------------ */

#define HOST_RTS    1000

typedef struct Pinger {
    QTestState *qts;
    uint64_t addr;
    GThread *thread;
    gint64 us;
} Pinger;

static gpointer pinger_run(gpointer opaque)
{
    Pinger *p = opaque;
    gint64 t0;

    qtest_thread_connect(p->qts);
    t0 = g_get_monotonic_time();
    for (int i = 0; i < HOST_RTS; i++) {
        qtest_readl(p->qts, p->addr);
    }
    p->us = g_get_monotonic_time() - t0;
    qtest_thread_disconnect(p->qts);
    return NULL;
}

/* Mean wall time of one round trip with n connections busy at once, us. */
static double round_trip_us(QOSGuest *g, unsigned n)
{
    g_autofree Pinger *p = g_new0(Pinger, n);
    double sum = 0;

    for (unsigned i = 0; i < n; i++) {
        p[i] = (Pinger) { .qts = g->qts, .addr = 0x1000 * (i + 1) };
        p[i].thread = g_thread_new("pinger", pinger_run, &p[i]);
    }
    for (unsigned i = 0; i < n; i++) {
        g_thread_join(p[i].thread);
        sum += p[i].us;
    }
    return sum / n / HOST_RTS;
}

/*
 * How much slower each of n guest threads goes when all n run at once
 * than one alone, on the same Tide, in every round, with the cheapest
 * thing a driver does (a qtest readl of guest RAM).  The drivers' work
 * here is mostly such round trips, so n devices converging at once take
 * about this much longer than one alone whatever the VMM or the manager
 * does (somewhat less where fixed delays, such as a driver noticing the
 * change, are a large part of "alone"); with 2n free CPUs (a driver
 * thread and a Tide thread each) it is about 1.
 */
static void time_host(QOSGuest *g, unsigned n, HostTimes *h)
{
    keep_best(&h->one, round_trip_us(g, 1));
    keep_best(&h->many, round_trip_us(g, n));
}

/* Best of the manager's time, with the slowest device of that round. */
static void balloon_round(QOSGuest *g, uint64_t size, Times *t)
{
    double slowest, mgr = time_balloon(g, size, &slowest);

    if (t->mgr == 0 || mgr < t->mgr) {
        t->mgr = mgr;
        t->in_run = slowest;
    }
}

static void bench(unsigned n, unsigned chunk, Times *grow, Times *shrink,
                  HostTimes *host)
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
        balloon_round(g, BOOT + TOTAL, grow);
        balloon_round(g, BOOT, shrink);
        time_host(g, n, host);
    }
    for (unsigned i = 0; i < n; i++) {
        g_atomic_int_set(&w[i].stop, 1);
        g_thread_join(w[i].thread);
    }
}

/* One line of the table; *in_run_met, *alone_met cleared when missed. */
static void print_row(unsigned n, unsigned chunk, const char *dir,
                      const Times *t, double host, bool *in_run_met,
                      bool *alone_met)
{
    printf("%-7u %-6u %-6s %7.1f %7.1f %6.2f %7.1f %6.2f %7.1f %6.2f "
           "%5.2f\n", n, chunk, dir, t->mgr, t->in_run, t->mgr / t->in_run,
           t->alone, t->mgr / t->alone, t->direct, t->mgr / t->direct, host);
    *in_run_met &= t->mgr / t->in_run <= 1.1;
    *alone_met &= t->mgr / t->alone <= 1.1;
}

int main(int argc, char **argv)
{
    static const unsigned counts[] = { 2, 4, 8 };
    static const unsigned chunks[] = { QVIRTIO_MEM_DEFAULT_CHUNK };
    g_autoptr(GString) host_bound = g_string_new(NULL);
    bool in_run_met = true, alone_met = true;

    g_test_init(&argc, &argv, NULL);
    printf("manager: balloon to settled (mgr), growing and shrinking by 8 "
           "GiB in total, libqos\nvirtio-mem driver (one thread and qtest "
           "connection per device), best of %d rounds,\nagainst: the "
           "slowest device's own convergence in that same resize (in-run);"
           "\nthe slowest device converging its share alone, the others idle "
           "(alone); all devices\nset directly at once, no manager (direct)."
           " Host has %u CPUs\n", ROUNDS, g_get_num_processors());
    printf("%-7s %-6s %-6s %7s %7s %6s %7s %6s %7s %6s %5s\n", "devices",
           "blocks", "dir", "mgr ms", "in-run", "ratio", "alone", "ratio",
           "direct", "ratio", "host");
    for (size_t c = 0; c < G_N_ELEMENTS(chunks); c++) {
        for (size_t k = 0; k < G_N_ELEMENTS(counts); k++) {
            Times grow = { 0 }, shrink = { 0 };
            HostTimes h = { 0 };
            double host;

            bench(counts[k], chunks[c], &grow, &shrink, &h);
            host = h.many / h.one;
            print_row(counts[k], chunks[c], "grow", &grow, host, &in_run_met,
                      &alone_met);
            print_row(counts[k], chunks[c], "shrink", &shrink, host,
                      &in_run_met, &alone_met);
            if (host > 1.1) {
                g_string_append_printf(host_bound, " %u", counts[k]);
            }
            fflush(stdout);
        }
    }
    printf("goal, manager within 1.1 of the slowest device in the same "
           "resize: %s\n", in_run_met ? "met" : "MISSED");
    printf("goal, manager within 1.1 of the slowest device alone: %s\n",
           alone_met ? "met" : "MISSED");
    if (host_bound->len) {
        printf("\"host\" is above 1.1 for%s devices: there this host "
               "runs the drivers' guest\nwork that much slower at once "
               "than alone, and \"alone\" needs more free CPUs\n",
               host_bound->str);
    }
    /*
     * Why "alone" is hard to match here: each driver's guest memory
     * access is a qtest round trip, served by a Tide thread per
     * connection (as a vCPU) under the machine lock (a read outside it
     * could bring a page unplug just discarded back), so n drivers' work
     * at once is serialized, where a real guest's vCPUs touch RAM with
     * no lock; and on top of that, n drivers need n times the CPU of
     * one.  "host" measures what n at once cost here.  "direct" does the
     * same total work without the manager, and "in-run" is the devices'
     * own time in the manager's resize: those ratios are what the manager
     * adds.
     */
    printf("(host: how much slower each of n guest threads' qtest round "
           "trips go when n run at\nonce than one alone, on this host; every "
           "qtest access takes the machine lock, so\nthe drivers' guest work "
           "is serialized, unlike a real guest's. The ratio to \"alone\"\n"
           "follows it. \"direct\" (the same work without the manager) and "
           "\"in-run\" (the\ndevices' own time in the same resize) measure "
           "the manager's own cost)\n");
    return 0;
}
