/* Populate and discard throughput of Tide's backends against raw mmap + madvise. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "backends/hostmem.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define GiB (UINT64_C(1) << 30)
#define BENCH_SIZE (4 * GiB)
/*
 * Runs per measurement; the best one is reported.  In a VM (this
 * project's CI runs in one) interference only ever slows a run down
 * (guest memory the hypervisor must fault in again, a busy neighbour):
 * the same 4 GiB populate was seen to take anything from 0.5 to 4 s.
 * The best run is the code's own cost; the ratio of medians is printed
 * too, to show the spread.
 */
#define BENCH_RUNS 5

typedef struct RawMap {
    char *host;
    int fd;                     /* -1: private anonymous */
} RawMap;

typedef struct RawSlice {
    char *start;
    uint64_t len;
    int err;
} RawSlice;

static void die(const char *what, int err)
{
    fprintf(stderr, "bench-backend: %s: %s\n", what, g_strerror(err));
    exit(1);
}

/* The comparison: what a VMM would write without Tide's backend layer. */
static RawMap raw_map(bool memfd)
{
    RawMap m = { .fd = -1 };
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;

    if (memfd) {
        m.fd = memfd_create("bench-raw", MFD_CLOEXEC);
        if (m.fd < 0 || ftruncate(m.fd, BENCH_SIZE) != 0) {
            die("memfd", errno);
        }
        flags = MAP_SHARED;
    }
    m.host = mmap(NULL, BENCH_SIZE, PROT_READ | PROT_WRITE, flags, m.fd, 0);
    if (m.host == MAP_FAILED) {
        die("mmap", errno);
    }
    return m;
}

static void raw_unmap(RawMap *m)
{
    munmap(m->host, BENCH_SIZE);
    if (m->fd >= 0) {
        close(m->fd);
    }
}

static gpointer raw_populate_slice(gpointer opaque)
{
    RawSlice *s = opaque;

    if (madvise(s->start, s->len, MADV_POPULATE_WRITE) != 0) {
        s->err = errno;
    }
    return NULL;
}

static void raw_populate(RawMap *m, unsigned threads)
{
    RawSlice slices[2];
    GThread *tid = NULL;
    uint64_t half = BENCH_SIZE / threads;

    for (unsigned i = 0; i < threads; i++) {
        slices[i] = (RawSlice) { m->host + i * half, half, 0 };
    }
    if (threads == 2) {
        tid = g_thread_new("raw", raw_populate_slice, &slices[1]);
    }
    raw_populate_slice(&slices[0]);
    if (tid) {
        g_thread_join(tid);
    }
    for (unsigned i = 0; i < threads; i++) {
        if (slices[i].err) {
            die("raw populate", slices[i].err);
        }
    }
}

/* memfd memory is only freed by a hole; DONTNEED would just unmap it. */
static void raw_discard(RawMap *m)
{
    int ret = m->fd >= 0
        ? fallocate(m->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
                    BENCH_SIZE)
        : madvise(m->host, BENCH_SIZE, MADV_DONTNEED);

    if (ret != 0) {
        die("raw discard", errno);
    }
}

static HostMemoryBackend *tide_backend(const char *type)
{
    Object *obj = object_new(type);
    g_autoptr(Error) err = NULL;

    if (!object_property_set_uint(obj, "size", BENCH_SIZE, &err) ||
        !object_realize(obj, &err)) {
        fprintf(stderr, "bench-backend: %s: %s\n", type,
                error_get_pretty(err));
        exit(1);
    }
    return MEMORY_BACKEND(obj);
}

static void tide_populate(HostMemoryBackend *b, unsigned threads)
{
    g_autoptr(Error) err = NULL;

    if (!host_memory_backend_populate(b, 0, BENCH_SIZE, threads, &err)) {
        fprintf(stderr, "bench-backend: %s\n", error_get_pretty(err));
        exit(1);
    }
}

static void tide_discard(HostMemoryBackend *b)
{
    g_autoptr(Error) err = NULL;

    if (!host_memory_backend_discard(b, 0, BENCH_SIZE, &err)) {
        fprintf(stderr, "bench-backend: %s\n", error_get_pretty(err));
        exit(1);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

typedef struct Stat {
    double best, median;
} Stat;

static Stat summarize(double *v)
{
    qsort(v, BENCH_RUNS, sizeof(*v), cmp_double);
    return (Stat) { v[BENCH_RUNS - 1], v[BENCH_RUNS / 2] };
}

static double gib_per_s(int64_t start_us)
{
    double s = (double)(g_get_monotonic_time() - start_us) / 1e6;

    return (double)BENCH_SIZE / GiB / s;
}

typedef struct Result {
    Stat populate, discard;
} Result;

static void run_tide(const char *type, unsigned threads, double *pop,
                     double *disc)
{
    HostMemoryBackend *b = tide_backend(type);
    int64_t t;

    t = g_get_monotonic_time();
    tide_populate(b, threads);
    *pop = gib_per_s(t);
    t = g_get_monotonic_time();
    tide_discard(b);
    *disc = gib_per_s(t);
    object_unref(OBJECT(b));
}

static void run_raw(bool memfd, unsigned threads, double *pop, double *disc)
{
    RawMap m = raw_map(memfd);
    int64_t t;

    t = g_get_monotonic_time();
    raw_populate(&m, threads);
    *pop = gib_per_s(t);
    t = g_get_monotonic_time();
    raw_discard(&m);
    *disc = gib_per_s(t);
    raw_unmap(&m);
}

/* Tide and raw alternate, and swap who goes first, so drift hits both alike. */
static void measure(const char *type, bool memfd, unsigned threads,
                    Result *tide, Result *raw)
{
    double tp[BENCH_RUNS], td[BENCH_RUNS], rp[BENCH_RUNS], rd[BENCH_RUNS];

    for (int i = 0; i < BENCH_RUNS; i++) {
        if (i % 2) {
            run_raw(memfd, threads, &rp[i], &rd[i]);
            run_tide(type, threads, &tp[i], &td[i]);
        } else {
            run_tide(type, threads, &tp[i], &td[i]);
            run_raw(memfd, threads, &rp[i], &rd[i]);
        }
    }
    tide->populate = summarize(tp);
    tide->discard = summarize(td);
    raw->populate = summarize(rp);
    raw->discard = summarize(rd);
}

static void print_row(const char *kind, unsigned threads, const char *op,
                      Stat tide, Stat raw)
{
    printf("%-6s %7u  %-8s %9.2f %9.2f %9.2f %12.2f\n", kind, threads, op,
           tide.best, raw.best, tide.best / raw.best,
           tide.median / raw.median);
}

int main(void)
{
    static const struct {
        const char *name, *type;
        bool memfd;
    } kinds[] = {
        { "ram", TYPE_MEMORY_BACKEND_RAM, false },
        { "memfd", TYPE_MEMORY_BACKEND_MEMFD, true },
    };

    qom_register_types();
    backends_register_types();
    printf("4 GiB backends, GiB/s, best of %d runs (ratio of medians too)\n",
           BENCH_RUNS);
    printf("%-6s %7s  %-8s %9s %9s %9s %12s\n", "kind", "threads", "op",
           "tide", "raw", "tide/raw", "median ratio");
    for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
        for (unsigned threads = 1; threads <= 2; threads++) {
            Result tide, raw;

            measure(kinds[k].type, kinds[k].memfd, threads, &tide, &raw);
            print_row(kinds[k].name, threads, "populate", tide.populate,
                      raw.populate);
            print_row(kinds[k].name, threads, "discard", tide.discard,
                      raw.discard);
            fflush(stdout);
        }
    }
    return 0;
}
