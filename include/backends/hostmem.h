/* Host memory backends: the host mapping behind guest memory, and how pages come and go. */
#ifndef BACKENDS_HOSTMEM_H
#define BACKENDS_HOSTMEM_H

#include <stdbool.h>
#include <stdint.h>
#include "backends/hostmem-fault.h"
#include "qom/object.h"
#include "util/error.h"

#define TYPE_MEMORY_BACKEND "memory-backend"
#define TYPE_MEMORY_BACKEND_RAM "memory-backend-ram"
#define TYPE_MEMORY_BACKEND_MEMFD "memory-backend-memfd"
#define TYPE_MEMORY_BACKEND_FILE "memory-backend-file"

/* QEMU's HostMemPolicy; the values are the kernel's MPOL_* modes. */
typedef enum HostMemPolicy {
    HOST_MEM_POLICY_DEFAULT,
    HOST_MEM_POLICY_PREFERRED,
    HOST_MEM_POLICY_BIND,
    HOST_MEM_POLICY_INTERLEAVE,
    HOST_MEM_POLICY__MAX,
} HostMemPolicy;

/* As QEMU's MAX_NODES: host-nodes accepts node numbers below this. */
#define HOST_MEM_MAX_NODES 128
/*
 * mbind() is passed maxnode + 1 (an old kernel quirk drops the last
 * node), so the mask has room for HOST_MEM_MAX_NODES + 1 bits.
 */
#define HOST_MEM_LONG_BITS (8 * (int)sizeof(unsigned long))
#define HOST_MEM_NODE_WORDS \
    ((HOST_MEM_MAX_NODES + 1 + HOST_MEM_LONG_BITS - 1) / HOST_MEM_LONG_BITS)

/*
 * One backend.  The fields are private to backends/: memory users go
 * through the functions below.  Configuration is fixed at complete
 * (every property is PROP_CONFIG); the mapping lives from complete until
 * unrealize.
 */
typedef struct HostMemoryBackend {
    Object parent_obj;

    /* Configuration (properties). */
    uint64_t size;
    bool share;
    bool prealloc;
    uint32_t prealloc_threads;
    bool reserve;
    bool merge;
    bool dump;
    int policy;                 /* HostMemPolicy */
    char *host_nodes_str;       /* as given, "0-1" */
    unsigned long host_nodes[HOST_MEM_NODE_WORDS];   /* mbind()'s mask */

    /* State, valid once complete. */
    void *host;                 /* NULL until complete */
    uint64_t page_size;         /* host page or huge page size */
    int fd;                     /* -1 for anonymous memory */
    bool hugetlb;               /* page_size is a huge page size */

    /* The one memory user (a virtio-mem device, a NUMA node...). */
    bool in_use;
    char *user;

    /* x-inject-fault: for tests, any time (hostmem-fault.c). */
    HostMemFault fault;
} HostMemoryBackend;

typedef struct HostMemoryBackendClass {
    ObjectClass parent_class;
    /*
     * Optional: called by complete before the mapping is made, to open
     * the backing fd.  It sets b->fd (leave -1 for anonymous memory),
     * b->page_size and b->hugetlb; complete then checks the size against
     * the page size and maps b->fd with b->share and b->reserve.  On
     * failure it must leave b->fd at -1.
     */
    bool (*alloc)(HostMemoryBackend *b, Error **errp);
    /*
     * Optional: complete failed after alloc succeeded; undo what alloc
     * left outside the process (a file it created).  b->fd is still open.
     */
    void (*alloc_failed)(HostMemoryBackend *b);
} HostMemoryBackendClass;

#define MEMORY_BACKEND(obj) \
    OBJECT_CHECK(HostMemoryBackend, (obj), TYPE_MEMORY_BACKEND)
#define MEMORY_BACKEND_GET_CLASS(obj) \
    OBJECT_GET_CLASS(HostMemoryBackendClass, (obj))

/* Registers memory-backend and its ram, memfd and file subtypes. */
void backends_register_types(void);

/*
 * Give [offset, offset + len) back to the host; afterwards it reads as
 * zeros and costs no host memory.  Private anonymous memory gets
 * MADV_DONTNEED, shared anonymous memory MADV_REMOVE, fd-backed shared
 * memory a punched hole, fd-backed private memory both a punched hole
 * and MADV_DONTNEED (as QEMU's ram_block_discard_range).  The range must
 * be page-aligned and inside the backend.  Safe from any thread; the
 * caller keeps the guest away from the range meanwhile.
 */
bool host_memory_backend_discard(HostMemoryBackend *b, uint64_t offset,
                                 uint64_t len, Error **errp)
    G_GNUC_WARN_UNUSED_RESULT;

/*
 * Fault [offset, offset + len) in writable, split over up to `threads`
 * worker threads (capped, as QEMU, at the host CPU count and 16), and
 * block until done.  Data already there is kept.  On failure (no host
 * memory, no free huge pages, a poisoned page) the Error says what and
 * how much; pages populated so far stay valid memory and the caller may
 * discard them.  Must not run concurrently with a discard of an
 * overlapping range.
 */
bool host_memory_backend_populate(HostMemoryBackend *b, uint64_t offset,
                                  uint64_t len, unsigned threads,
                                  Error **errp) G_GNUC_WARN_UNUSED_RESULT;

/* Accessors; host is NULL and the rest 0/-1 before complete. */
void *host_memory_backend_get_host(HostMemoryBackend *b);
uint64_t host_memory_backend_get_size(HostMemoryBackend *b);
uint64_t host_memory_backend_pagesize(HostMemoryBackend *b);
bool host_memory_backend_is_shared(HostMemoryBackend *b);
int host_memory_backend_get_fd(HostMemoryBackend *b);
/* The id users name it by ("mem0"), or "<anonymous>" outside /objects. */
const char *host_memory_backend_get_id(HostMemoryBackend *b);

/*
 * A backend serves one memory user.  claim() fails with "memdev '<id>'
 * is already in use" (callers prepend their own context) or when the
 * backend is not complete yet.  release() by a backend's user only.
 */
bool host_memory_backend_claim(HostMemoryBackend *b, const char *user,
                               Error **errp) G_GNUC_WARN_UNUSED_RESULT;
void host_memory_backend_release(HostMemoryBackend *b);
bool host_memory_backend_is_in_use(HostMemoryBackend *b);

/*
 * For backend implementations: [offset, offset + len) is inside the
 * mapped backend and page-aligned; else errp says "cannot <what> ...".
 */
bool host_memory_backend_check_range(HostMemoryBackend *b, const char *what,
                                     uint64_t offset, uint64_t len,
                                     Error **errp) G_GNUC_WARN_UNUSED_RESULT;
/* For backend implementations: page size of an fd (huge page on hugetlbfs). */
uint64_t host_memory_backend_fd_pagesize(int fd);
/*
 * For backend implementations: 'size' must be a multiple of
 * b->page_size.  complete checks it after alloc; alloc calls it itself
 * before sizing a file, so the user sees this and not ftruncate's EINVAL.
 */
bool host_memory_backend_check_size(HostMemoryBackend *b, Error **errp)
    G_GNUC_WARN_UNUSED_RESULT;
/* Each subtype's registration, called by backends_register_types(). */
void hostmem_ram_register_types(void);
void hostmem_memfd_register_types(void);
void hostmem_file_register_types(void);

#endif
