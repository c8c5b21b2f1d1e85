/* The abstract memory-backend: common properties, mapping, discard, claim (populate: hostmem-populate.c). */
#include "backends/hostmem.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/mempolicy.h>
#include "util/cutils.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

static const char *const host_mem_policy_names[] = {
    [HOST_MEM_POLICY_DEFAULT] = "default",
    [HOST_MEM_POLICY_PREFERRED] = "preferred",
    [HOST_MEM_POLICY_BIND] = "bind",
    [HOST_MEM_POLICY_INTERLEAVE] = "interleave",
    NULL,
};

static uint64_t host_page_size(void)
{
    return (uint64_t)sysconf(_SC_PAGESIZE);
}

uint64_t host_memory_backend_fd_pagesize(int fd)
{
    struct statfs fs;
    int ret;

    do {
        ret = fstatfs(fd, &fs);
    } while (ret != 0 && errno == EINTR);
    if (ret == 0 && (uint32_t)fs.f_type == HUGETLBFS_MAGIC) {
        return (uint64_t)fs.f_bsize;
    }
    return host_page_size();
}

/* ------------------------------------------------------------------ */
/* Property validators                                                  */

static bool set_size(Object *obj, const Property *prop, const PropValue *in,
                     Error **errp)
{
    /* QEMU refuses 0 when it is given, not only at complete. */
    if (in->u == 0) {
        error_setg(errp, "property '%s' of %s doesn't take value '0'",
                   prop->name, object_get_typename(obj));
        return false;
    }
    object_prop_store(obj, prop, in);
    return true;
}

static bool set_prealloc_threads(Object *obj, const Property *prop,
                                 const PropValue *in, Error **errp)
{
    if (in->u == 0) {
        error_setg(errp, "property '%s' of %s doesn't take value '0'",
                   prop->name, object_get_typename(obj));
        return false;
    }
    object_prop_store(obj, prop, in);
    return true;
}

/*
 * Without a reservation, preallocation could be killed by SIGBUS (huge
 * pages) or the OOM killer instead of failing cleanly; QEMU refuses the
 * pair in whichever order it is set, and so does Tide.
 */
static bool set_prealloc(Object *obj, const Property *prop,
                         const PropValue *in, Error **errp)
{
    if (in->b && !MEMORY_BACKEND(obj)->reserve) {
        error_setg(errp, "'prealloc=on' and 'reserve=off' are incompatible");
        return false;
    }
    object_prop_store(obj, prop, in);
    return true;
}

static bool set_reserve(Object *obj, const Property *prop,
                        const PropValue *in, Error **errp)
{
    if (!in->b && MEMORY_BACKEND(obj)->prealloc) {
        error_setg(errp, "'prealloc=on' and 'reserve=off' are incompatible");
        return false;
    }
    object_prop_store(obj, prop, in);
    return true;
}

static bool parse_node(const char *s, char **end, uint64_t *out)
{
    if (!g_ascii_isdigit(*s)) {
        return false;
    }
    errno = 0;
    *out = g_ascii_strtoull(s, end, 10);
    return errno == 0;
}

/*
 * "0", "0-1", and (for QMP, which gives a string here) comma-separated
 * lists of those.  The node mask is only replaced when all of it parses.
 */
static bool set_host_nodes(Object *obj, const Property *prop,
                           const PropValue *in, Error **errp)
{
    HostMemoryBackend *b = MEMORY_BACKEND(obj);
    unsigned long mask[HOST_MEM_NODE_WORDS] = { 0 };
    const char *s = in->s;

    while (*s) {
        uint64_t lo, hi;
        char *end;

        if (!parse_node(s, &end, &lo)) {
            goto bad;
        }
        hi = lo;
        if (*end == '-' && (!parse_node(end + 1, &end, &hi) || hi < lo)) {
            goto bad;
        }
        if (*end != ',' && *end != '\0') {
            goto bad;
        }
        if (hi >= HOST_MEM_MAX_NODES) {
            error_setg(errp, "Invalid host-nodes value: %" PRIu64, hi);
            return false;
        }
        for (uint64_t n = lo; n <= hi; n++) {
            mask[n / HOST_MEM_LONG_BITS] |= 1UL << (n % HOST_MEM_LONG_BITS);
        }
        s = *end ? end + 1 : end;
    }
    memcpy(b->host_nodes, mask, sizeof(mask));
    object_prop_store(obj, prop, in);
    return true;

bad:
    error_setg(errp, "Parameter 'host-nodes' expects a uint64 value or range");
    return false;
}

#define BACKEND_FIELD(f) offsetof(HostMemoryBackend, f)

static const Property backend_props[] = {
    { .name = "size", .kind = PROP_SIZE, .access = PROP_CONFIG,
      .description = "Size of the memory region (ex: 500M)",
      .offset = BACKEND_FIELD(size), .set = set_size },
    { .name = "share", .kind = PROP_BOOL, .access = PROP_CONFIG,
      .description = "Mark the memory as private to Tide or shared",
      .offset = BACKEND_FIELD(share), .defval = "off" },
    { .name = "prealloc", .kind = PROP_BOOL, .access = PROP_CONFIG,
      .description = "Preallocate memory",
      .offset = BACKEND_FIELD(prealloc), .defval = "off",
      .set = set_prealloc },
    { .name = "prealloc-threads", .kind = PROP_UINT32, .access = PROP_CONFIG,
      .description = "Number of CPU threads to use for prealloc",
      .offset = BACKEND_FIELD(prealloc_threads), .defval = "1",
      .set = set_prealloc_threads },
    { .name = "reserve", .kind = PROP_BOOL, .access = PROP_CONFIG,
      .description = "Reserve swap space (or huge pages) if applicable",
      .offset = BACKEND_FIELD(reserve), .defval = "on",
      .set = set_reserve },
    { .name = "merge", .kind = PROP_BOOL, .access = PROP_CONFIG,
      .description = "Mark memory as mergeable",
      .offset = BACKEND_FIELD(merge), .defval = "on" },
    { .name = "dump", .kind = PROP_BOOL, .access = PROP_CONFIG,
      .description = "Set to 'off' to exclude from core dump",
      .offset = BACKEND_FIELD(dump), .defval = "on" },
    { .name = "policy", .kind = PROP_ENUM, .access = PROP_CONFIG,
      .description = "Set the NUMA policy",
      .offset = BACKEND_FIELD(policy), .defval = "default",
      .enum_names = host_mem_policy_names, .enum_type = "HostMemPolicy" },
    { .name = "host-nodes", .kind = PROP_STR, .access = PROP_CONFIG,
      .description = "Binds memory to the list of NUMA host nodes",
      .offset = BACKEND_FIELD(host_nodes_str), .set = set_host_nodes },
    { .name = NULL },
};

/* ------------------------------------------------------------------ */
/* Accessors and claim                                                  */

const char *host_memory_backend_get_id(HostMemoryBackend *b)
{
    return OBJECT(b)->name ? OBJECT(b)->name : "<anonymous>";
}

void *host_memory_backend_get_host(HostMemoryBackend *b)
{
    return b->host;
}

uint64_t host_memory_backend_get_size(HostMemoryBackend *b)
{
    return b->host ? b->size : 0;
}

uint64_t host_memory_backend_pagesize(HostMemoryBackend *b)
{
    return b->host ? b->page_size : 0;
}

bool host_memory_backend_is_shared(HostMemoryBackend *b)
{
    return b->share;
}

int host_memory_backend_get_fd(HostMemoryBackend *b)
{
    return b->fd;
}

bool host_memory_backend_claim(HostMemoryBackend *b, const char *user,
                               Error **errp)
{
    const char *id = host_memory_backend_get_id(b);

    if (!b->host) {
        error_setg(errp, "memdev '%s' is not ready: its memory is not "
                   "allocated yet", id);
        return false;
    }
    if (b->in_use) {
        error_setg(errp, "memdev '%s' is already in use", id);
        error_append_hint(errp, "It is used by %s.\n", b->user);
        return false;
    }
    b->in_use = true;
    b->user = g_strdup(user);
    return true;
}

void host_memory_backend_release(HostMemoryBackend *b)
{
    b->in_use = false;
    g_clear_pointer(&b->user, g_free);
}

bool host_memory_backend_is_in_use(HostMemoryBackend *b)
{
    return b->in_use;
}

/* ------------------------------------------------------------------ */
/* Discard                                                              */

bool host_memory_backend_check_range(HostMemoryBackend *b, const char *what,
                                      uint64_t offset, uint64_t len,
                                      Error **errp)
{
    const char *id = host_memory_backend_get_id(b);

    if (!b->host) {
        error_setg(errp, "cannot %s memory of memory backend '%s': it is "
                   "not allocated yet", what, id);
        return false;
    }
    if (offset > b->size || len > b->size - offset) {
        error_setg(errp, "cannot %s [0x%" PRIx64 ", +0x%" PRIx64 ") of "
                   "memory backend '%s': the range is outside its size "
                   "0x%" PRIx64, what, offset, len, id, b->size);
        return false;
    }
    if (offset % b->page_size || len % b->page_size) {
        error_setg(errp, "cannot %s [0x%" PRIx64 ", +0x%" PRIx64 ") of "
                   "memory backend '%s': the range is not aligned to its "
                   "page size 0x%" PRIx64, what, offset, len, id,
                   b->page_size);
        return false;
    }
    return true;
}

bool host_memory_backend_discard(HostMemoryBackend *b, uint64_t offset,
                                 uint64_t len, Error **errp)
{
    char *addr;
    int advice, err;

    if (!host_memory_backend_check_range(b, "discard", offset, len, errp)) {
        return false;
    }
    if (len == 0) {
        return true;
    }
    /* An injected failure does nothing, as a refused fallocate or madvise. */
    if (hostmem_fault_hit(&b->fault, HOST_MEM_FAULT_DISCARD, &err)) {
        error_setg_errno(errp, err, "cannot discard [0x%" PRIx64 ", +0x%"
                         PRIx64 ") of memory backend '%s': fault injected by "
                         "x-inject-fault", offset, len,
                         host_memory_backend_get_id(b));
        return false;
    }
    addr = (char *)b->host + offset;
    if (b->fd >= 0) {
        /* The mapping is at file offset 0, so offsets are file offsets. */
        if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                      (off_t)offset, (off_t)len) != 0) {
            error_setg_errno(errp, errno, "cannot discard [0x%" PRIx64
                             ", +0x%" PRIx64 ") of memory backend '%s': "
                             "fallocate(PUNCH_HOLE) failed", offset, len,
                             host_memory_backend_get_id(b));
            return false;
        }
        if (b->share) {
            /* The hole unmapped the pages from every mapping already. */
            return true;
        }
        /* Private copies of the file's pages live on in our page tables. */
        advice = MADV_DONTNEED;
    } else {
        /* DONTNEED would only drop our view of shared anonymous memory. */
        advice = b->share ? MADV_REMOVE : MADV_DONTNEED;
    }
    if (madvise(addr, len, advice) != 0) {
        error_setg_errno(errp, errno, "cannot discard [0x%" PRIx64 ", +0x%"
                         PRIx64 ") of memory backend '%s': madvise(%s) failed",
                         offset, len, host_memory_backend_get_id(b),
                         advice == MADV_REMOVE ? "MADV_REMOVE"
                                               : "MADV_DONTNEED");
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Complete and unrealize                                               */

bool host_memory_backend_check_size(HostMemoryBackend *b, Error **errp)
{
    g_autofree char *ps = NULL;

    if (b->size % b->page_size == 0) {
        return true;
    }
    ps = size_to_str(b->page_size);
    error_setg(errp, "'size' (0x%" PRIx64 ") must be a multiple of the "
               "%spage size (%s)", b->size, b->hugetlb ? "huge " : "", ps);
    return false;
}

static uint64_t last_node(HostMemoryBackend *b, bool *any)
{
    *any = false;
    for (int n = HOST_MEM_MAX_NODES - 1; n >= 0; n--) {
        if (b->host_nodes[n / HOST_MEM_LONG_BITS] &
            (1UL << (n % HOST_MEM_LONG_BITS))) {
            *any = true;
            return (uint64_t)n;
        }
    }
    return 0;
}

static bool check_policy(HostMemoryBackend *b, Error **errp)
{
    bool any;

    last_node(b, &any);
    if (any && b->policy == HOST_MEM_POLICY_DEFAULT) {
        error_setg(errp, "host-nodes must be empty for policy default, or "
                   "you should explicitly specify a policy other than "
                   "default");
        return false;
    }
    if (!any && b->policy != HOST_MEM_POLICY_DEFAULT) {
        error_setg(errp, "host-nodes must be set for policy %s",
                   host_mem_policy_names[b->policy]);
        return false;
    }
    return true;
}

/* The policy moves pages already there (STRICT|MOVE), as QEMU asks. */
static bool apply_policy(HostMemoryBackend *b, Error **errp)
{
    static const int modes[] = {
        [HOST_MEM_POLICY_DEFAULT] = MPOL_DEFAULT,
        [HOST_MEM_POLICY_PREFERRED] = MPOL_PREFERRED,
        [HOST_MEM_POLICY_BIND] = MPOL_BIND,
        [HOST_MEM_POLICY_INTERLEAVE] = MPOL_INTERLEAVE,
    };
    bool any;
    uint64_t maxnode = last_node(b, &any) + 1;

    if (!any) {
        return true;
    }
    /* +1: old kernels drop the last node of the mask. */
    if (syscall(SYS_mbind, b->host, (unsigned long)b->size,
                modes[b->policy], b->host_nodes,
                (unsigned long)maxnode + 1,
                (unsigned)(MPOL_MF_STRICT | MPOL_MF_MOVE)) != 0) {
        error_setg_errno(errp, errno, "cannot bind memory to host NUMA nodes");
        return false;
    }
    return true;
}

/*
 * Guest RAM is mapped at a 2 MiB boundary (or the huge page size) so the
 * kernel can back it with transparent huge pages: an unaligned mapping
 * populates about 3x slower and costs the guest TLB reach, as QEMU found.
 * Reserve an aligned window of address space, then map over it.
 */
#define MAP_ALIGN (UINT64_C(2) << 20)

static void *map_aligned(uint64_t size, uint64_t align, int flags, int fd)
{
    uint8_t *window, *p;
    uint64_t head;

    window = mmap(NULL, size + align, PROT_NONE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (window == MAP_FAILED) {
        return MAP_FAILED;
    }
    head = (align - (uintptr_t)window % align) % align;
    p = mmap(window + head, size, PROT_READ | PROT_WRITE, flags | MAP_FIXED,
             fd, 0);
    if (p == MAP_FAILED) {
        int err = errno;

        munmap(window, size + align);
        errno = err;
        return MAP_FAILED;
    }
    if (head) {
        munmap(window, head);
    }
    munmap(p + size, align - head);
    return p;
}

static bool map_memory(HostMemoryBackend *b, Error **errp)
{
    int flags = b->share ? MAP_SHARED : MAP_PRIVATE;
    void *p;

    if (b->fd < 0) {
        flags |= MAP_ANONYMOUS;
    }
    /*
     * reserve=on (the default, as QEMU) lets the kernel account the
     * whole size at mmap time (commit charge, or huge pages for hugetlb),
     * so running out shows here and not as SIGBUS or the OOM killer
     * later.  reserve=off (MAP_NORESERVE) is for sparse backends larger
     * than the host can ever back, as virtio-mem's can be.  Neither
     * populates anything: only prealloc and populate() do.
     */
    if (!b->reserve) {
        flags |= MAP_NORESERVE;
    }
    p = map_aligned(b->size, MAX(b->page_size, MAP_ALIGN), flags, b->fd);
    if (p == MAP_FAILED) {
        int err = errno;

        error_setg_errno(errp, err, "unable to map backing store for guest "
                         "RAM");
        if (err == ENOMEM && b->reserve) {
            error_append_hint(errp, "The host cannot reserve %s for all of "
                              "memory backend '%s'; 'reserve=off' maps it "
                              "without a reservation.\n",
                              b->hugetlb ? "huge pages" : "memory",
                              host_memory_backend_get_id(b));
        }
        return false;
    }
    b->host = p;
    return true;
}

static bool apply_advice(HostMemoryBackend *b, Error **errp)
{
    /*
     * Merging is a hint: KSM may be compiled out (EINVAL), and the kernel
     * ignores it for shared memory; QEMU ignores failures too.
     */
    if (b->merge) {
        (void)madvise(b->host, b->size, MADV_MERGEABLE);
    }
    /* dump=off keeps guest data out of core files: that one must hold. */
    if (!b->dump && madvise(b->host, b->size, MADV_DONTDUMP) != 0) {
        error_setg_errno(errp, errno, "cannot exclude memory backend '%s' "
                         "from core dumps", host_memory_backend_get_id(b));
        return false;
    }
    return true;
}

static void release_memory(HostMemoryBackend *b)
{
    if (b->host) {
        munmap(b->host, b->size);
        b->host = NULL;
    }
    if (b->fd >= 0) {
        close(b->fd);
        b->fd = -1;
    }
}

/*
 * The -object "complete" step: open, check, map, advise, bind, and with
 * prealloc=on populate everything before returning (so before QMP or
 * the guest can run).  On failure nothing is left mapped or open.
 */
static bool backend_complete(Object *obj, Error **errp)
{
    HostMemoryBackend *b = MEMORY_BACKEND(obj);
    HostMemoryBackendClass *bc = MEMORY_BACKEND_GET_CLASS(obj);

    if (b->host) {
        error_setg(errp, "memory backend '%s' is still in use",
                   host_memory_backend_get_id(b));
        return false;
    }
    if (!b->size) {
        error_setg(errp, "Parameter 'size' is missing");
        return false;
    }
    if (!check_policy(b, errp)) {
        return false;
    }
    b->fd = -1;
    b->page_size = host_page_size();
    b->hugetlb = false;
    if (bc->alloc && !bc->alloc(b, errp)) {
        return false;
    }
    if (!host_memory_backend_check_size(b, errp) ||
        !map_memory(b, errp) || !apply_advice(b, errp) ||
        !apply_policy(b, errp)) {
        goto fail;
    }
    if (b->prealloc &&
        !host_memory_backend_populate(b, 0, b->size, b->prealloc_threads,
                                      errp)) {
        goto fail;
    }
    return true;

fail:
    if (bc->alloc_failed) {
        bc->alloc_failed(b);
    }
    release_memory(b);
    return false;
}

/*
 * object-del checks host_memory_backend_is_in_use() first; should an
 * unparent reach a claimed backend anyway, its user (who holds a
 * reference) keeps the mapping until the last unref.
 */
static void backend_unrealize(Object *obj)
{
    HostMemoryBackend *b = MEMORY_BACKEND(obj);

    if (!b->in_use) {
        release_memory(b);
    }
}

static void backend_instance_init(Object *obj)
{
    MEMORY_BACKEND(obj)->fd = -1;
    hostmem_fault_init(&MEMORY_BACKEND(obj)->fault);
}

static void backend_instance_finalize(Object *obj)
{
    HostMemoryBackend *b = MEMORY_BACKEND(obj);

    release_memory(b);
    g_free(b->user);
    hostmem_fault_destroy(&b->fault);
}

static void backend_class_init(ObjectClass *oc)
{
    object_class_add_props(oc, backend_props);
    hostmem_fault_class_init(oc);
    oc->realize = backend_complete;
    oc->unrealize = backend_unrealize;
}

static const TypeInfo backend_info = {
    .name = TYPE_MEMORY_BACKEND,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .instance_size = sizeof(HostMemoryBackend),
    .class_size = sizeof(HostMemoryBackendClass),
    .class_init = backend_class_init,
    .instance_init = backend_instance_init,
    .instance_finalize = backend_instance_finalize,
};

void backends_register_types(void)
{
    if (object_class_by_name(TYPE_MEMORY_BACKEND)) {
        return;
    }
    type_register_static(&backend_info);
    hostmem_ram_register_types();
    hostmem_memfd_register_types();
    hostmem_file_register_types();
}
