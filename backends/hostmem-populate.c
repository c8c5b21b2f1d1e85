/* memory-backend populate: fault memory in with worker threads, and say clearly why it failed. */
#include "backends/hostmem.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <unistd.h>
#include "util/cutils.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23          /* Linux 5.14 */
#endif

/* As QEMU's MAX_MEM_PREALLOC_THREAD_COUNT: more threads stop helping. */
#define POPULATE_MAX_THREADS 16
/*
 * Each worker faults its slice in chunks of this size, so a failure can
 * say how much was populated before it.  64 MiB keeps the extra madvise
 * calls below 0.1% of the work; a chunk is at least one (huge) page.
 */
#define POPULATE_CHUNK (64ULL << 20)

typedef struct PopulateJob {
    char *start;                /* this worker's slice */
    uint64_t len;
    uint64_t page_size;
    bool touch;                 /* the kernel lacks MADV_POPULATE_WRITE */
    gint *failed;               /* shared: set by the first failure */
    uint64_t done;              /* bytes populated before a failure */
    int err;                    /* errno of the failure, 0 if none */
} PopulateJob;

/*
 * The fallback for kernels before 5.14, never used for huge pages
 * (touching a page the kernel cannot back raises SIGBUS).  Reading and
 * writing back the same byte keeps data; it races with concurrent
 * writers of the same page, so callers populate memory the guest cannot
 * reach yet (prealloc before start, virtio-mem before a plug).
 */
static void touch_pages(char *start, uint64_t len, uint64_t page_size)
{
    for (uint64_t off = 0; off < len; off += page_size) {
        volatile char *p = start + off;

        *p = *p;
    }
}

static gpointer populate_worker(gpointer opaque)
{
    PopulateJob *job = opaque;
    uint64_t chunk = MAX(POPULATE_CHUNK / job->page_size, 1) * job->page_size;

    /* After one failure the others stop: the caller will undo anyway. */
    while (job->done < job->len && !g_atomic_int_get(job->failed)) {
        uint64_t n = MIN(chunk, job->len - job->done);
        int ret;

        if (job->touch) {
            touch_pages(job->start + job->done, n, job->page_size);
        } else {
            do {
                ret = madvise(job->start + job->done, n, MADV_POPULATE_WRITE);
            } while (ret != 0 && errno == EINTR);
            if (ret != 0) {
                job->err = errno;
                g_atomic_int_set(job->failed, 1);
                return NULL;
            }
        }
        job->done += n;
    }
    return NULL;
}

/* How many threads QEMU's qemu_prealloc_mem would use, never more than pages. */
static unsigned populate_thread_count(unsigned threads, uint64_t pages)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t n = MAX(threads, 1);

    n = MIN(n, POPULATE_MAX_THREADS);
    if (cpus > 0) {
        n = MIN(n, (uint64_t)cpus);
    }
    return (unsigned)MIN(n, pages);
}

static const char *populate_reason(HostMemoryBackend *b, int err,
                                   char **buf)
{
    g_autofree char *hp = NULL;

    switch (err) {
    case ENOMEM:
        return "the host is out of memory";
    case EFAULT:
        /* The fault handler's SIGBUS: no page to give. */
        if (b->hugetlb) {
            hp = size_to_str(b->page_size);
            *buf = g_strdup_printf("the host has no free %s huge pages", hp);
            return *buf;
        }
        return "the host could not back the memory (is its file system "
               "full?)";
    case EHWPOISON:
        return "a host page has a hardware memory error";
    case EINVAL:
        if (b->hugetlb) {
            return "the host kernel lacks MADV_POPULATE_WRITE (Linux 5.14), "
                   "which huge pages need";
        }
        /* fall through */
    default:
        return "madvise(MADV_POPULATE_WRITE) failed";
    }
}

static void populate_error(HostMemoryBackend *b, uint64_t offset,
                           uint64_t len, uint64_t done, int err,
                           bool injected, Error **errp)
{
    g_autofree char *buf = NULL;
    g_autofree char *want = size_to_str(len);
    g_autofree char *got = size_to_str(done);
    const char *reason = injected ? "fault injected by x-inject-fault"
                                  : populate_reason(b, err, &buf);

    error_setg_errno(errp, err, "cannot populate %s at offset 0x%" PRIx64
                     " of memory backend '%s' (%s of it populated): %s",
                     want, offset, host_memory_backend_get_id(b), got,
                     reason);
    if (err == EFAULT && b->hugetlb) {
        error_append_hint(errp, "Reserve huge pages with "
                          "/proc/sys/vm/nr_hugepages or "
                          "/sys/kernel/mm/hugepages/.\n");
    }
}

/*
 * Populate [start, start + len) with up to `threads` workers; returns the
 * first failure's errno (0 if none) and in *done how much was populated.
 */
static int populate_workers(HostMemoryBackend *b, char *start, uint64_t len,
                            unsigned threads, bool touch, uint64_t *done)
{
    g_autofree PopulateJob *jobs = NULL;
    g_autofree GThread **tids = NULL;
    uint64_t pages = len / b->page_size, per;
    unsigned n = populate_thread_count(threads, pages);
    gint failed = 0;
    int err = 0;

    per = pages / n;
    jobs = g_new0(PopulateJob, n);
    tids = g_new0(GThread *, n);
    for (unsigned i = 0; i < n; i++) {
        uint64_t first = i * per;
        uint64_t count = i == n - 1 ? pages - first : per;

        jobs[i] = (PopulateJob) {
            .start = start + first * b->page_size,
            .len = count * b->page_size,
            .page_size = b->page_size,
            .touch = touch,
            .failed = &failed,
        };
    }
    /* Slice 0 runs here; a slice whose thread cannot start runs here too. */
    for (unsigned i = 1; i < n; i++) {
        tids[i] = g_thread_try_new("populate", populate_worker, &jobs[i],
                                   NULL);
    }
    populate_worker(&jobs[0]);
    for (unsigned i = 1; i < n; i++) {
        if (tids[i]) {
            g_thread_join(tids[i]);
        } else {
            populate_worker(&jobs[i]);
        }
    }
    *done = 0;
    for (unsigned i = 0; i < n; i++) {
        *done += jobs[i].done;
        if (jobs[i].err && !err) {
            err = jobs[i].err;
        }
    }
    return err;
}

/*
 * An injected failure strikes halfway, as a host running out of memory
 * would: the first half (whole pages) is really populated, so the caller
 * has something to give back, and a test can see whether it did.
 */
static bool populate_injected(HostMemoryBackend *b, uint64_t offset,
                              uint64_t len, unsigned threads, bool touch,
                              int err, Error **errp)
{
    uint64_t half = len / 2 / b->page_size * b->page_size, done = 0;
    int real = half ? populate_workers(b, (char *)b->host + offset, half,
                                       threads, touch, &done) : 0;

    populate_error(b, offset, len, done, real ? real : err, !real, errp);
    return false;
}

bool host_memory_backend_populate(HostMemoryBackend *b, uint64_t offset,
                                  uint64_t len, unsigned threads,
                                  Error **errp)
{
    char *start;
    uint64_t done;
    bool touch = false;
    int err;

    if (!host_memory_backend_check_range(b, "populate", offset, len,
                                         errp)) {
        return false;
    }
    if (len == 0) {
        return true;
    }
    start = (char *)b->host + offset;
    /* Probe once, as QEMU: only EINVAL means "not supported". */
    if (madvise(start, b->page_size, MADV_POPULATE_WRITE) != 0) {
        if (errno != EINVAL || b->hugetlb) {
            populate_error(b, offset, len, 0, errno, false, errp);
            return false;
        }
        touch = true;
    }
    if (hostmem_fault_hit(&b->fault, HOST_MEM_FAULT_POPULATE, &err)) {
        return populate_injected(b, offset, len, threads, touch, err, errp);
    }
    err = populate_workers(b, start, len, threads, touch, &done);
    if (err) {
        populate_error(b, offset, len, done, err, false, errp);
        return false;
    }
    return true;
}
