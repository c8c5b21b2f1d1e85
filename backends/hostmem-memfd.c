/* memory-backend-memfd: memory in an anonymous memfd, shared by default, optionally huge pages. */
#include "backends/hostmem.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <unistd.h>
#include "util/cutils.h"

#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif

/* memfd_create() names are at most 249 bytes; ids are cut to fit. */
#define MEMFD_NAME_MAX 200

typedef struct HostMemoryBackendMemfd {
    HostMemoryBackend parent_obj;
    bool hugetlb;
    uint64_t hugetlbsize;       /* 0: the host's default huge page size */
    bool seal;
} HostMemoryBackendMemfd;

#define MEMORY_BACKEND_MEMFD(obj) \
    OBJECT_CHECK(HostMemoryBackendMemfd, (obj), TYPE_MEMORY_BACKEND_MEMFD)

static bool set_hugetlbsize(Object *obj, const Property *prop,
                            const PropValue *in, Error **errp)
{
    if (in->u == 0) {
        error_setg(errp, "Property '%s.%s' doesn't take value '0'",
                   object_get_typename(obj), prop->name);
        return false;
    }
    object_prop_store(obj, prop, in);
    return true;
}

static bool memfd_flags(HostMemoryBackendMemfd *m, unsigned *flags,
                        Error **errp)
{
    *flags = MFD_CLOEXEC;
    if (m->seal) {
        *flags |= MFD_ALLOW_SEALING;
    }
    if (!m->hugetlb) {
        return true;
    }
    *flags |= MFD_HUGETLB;
    if (m->hugetlbsize) {
        if (m->hugetlbsize & (m->hugetlbsize - 1)) {
            error_setg(errp, "Hugepage size must be a power of 2");
            return false;
        }
        /* The kernel takes log2 of the size in the top flag bits. */
        *flags |= (unsigned)__builtin_ctzll(m->hugetlbsize) << MFD_HUGE_SHIFT;
    }
    return true;
}

/*
 * The id names the memfd, so /proc/PID/maps and smaps show which
 * backend a mapping is ("/memfd:mem0 (deleted)").
 */
static bool memfd_backend_alloc(HostMemoryBackend *b, Error **errp)
{
    HostMemoryBackendMemfd *m = MEMORY_BACKEND_MEMFD(b);
    g_autofree char *name = g_strndup(OBJECT(b)->name ? OBJECT(b)->name
                                      : TYPE_MEMORY_BACKEND_MEMFD,
                                      MEMFD_NAME_MAX);
    unsigned flags;
    int fd;

    if (!memfd_flags(m, &flags, errp)) {
        return false;
    }
    fd = memfd_create(name, flags);
    if (fd < 0) {
        int err = errno;

        error_setg_errno(errp, err, "failed to create memfd with flags 0x%x",
                         flags);
        if (m->hugetlb && err == ENODEV && m->hugetlbsize) {
            g_autofree char *hs = size_to_str(m->hugetlbsize);

            error_append_hint(errp, "The host has no %s huge pages; see "
                              "/sys/kernel/mm/hugepages/.\n", hs);
        } else if (m->hugetlb && err == EINVAL) {
            error_append_hint(errp, "The host kernel has no huge page "
                              "support for memfd.\n");
        }
        return false;
    }
    b->page_size = host_memory_backend_fd_pagesize(fd);
    b->hugetlb = m->hugetlb;
    if (!host_memory_backend_check_size(b, errp)) {
        goto fail;
    }
    if (ftruncate(fd, (off_t)b->size) != 0) {
        error_setg_errno(errp, errno, "failed to resize memfd to %" PRIu64,
                         b->size);
        goto fail;
    }
    /* Sealed, no one holding the fd can shrink it under the guest (SIGBUS). */
    if (m->seal &&
        fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)) {
        error_setg_errno(errp, errno, "failed to add seals");
        goto fail;
    }
    b->fd = fd;
    return true;

fail:
    close(fd);
    return false;
}

/* QEMU's memfd default is share=on: the point of a memfd is sharing it. */
static void memfd_backend_instance_init(Object *obj)
{
    MEMORY_BACKEND(obj)->share = true;
}

#define MEMFD_FIELD(f) offsetof(HostMemoryBackendMemfd, f)

static const Property memfd_backend_props[] = {
    { .name = "hugetlb", .kind = PROP_BOOL, .access = PROP_CONFIG,
      .description = "Use huge pages",
      .offset = MEMFD_FIELD(hugetlb), .defval = "off" },
    { .name = "hugetlbsize", .kind = PROP_SIZE, .access = PROP_CONFIG,
      .description = "Huge pages size (ex: 2M, 1G)",
      .offset = MEMFD_FIELD(hugetlbsize), .set = set_hugetlbsize },
    { .name = "seal", .kind = PROP_BOOL, .access = PROP_CONFIG,
      .description = "Seal growing & shrinking",
      .offset = MEMFD_FIELD(seal), .defval = "on" },
    { .name = NULL },
};

static void memfd_backend_class_init(ObjectClass *oc)
{
    HostMemoryBackendClass *bc = (HostMemoryBackendClass *)oc;

    object_class_add_props(oc, memfd_backend_props);
    bc->alloc = memfd_backend_alloc;
    oc->user_creatable = true;
    oc->description = "Guest memory backed by an anonymous memfd";
}

static const TypeInfo memfd_backend_info = {
    .name = TYPE_MEMORY_BACKEND_MEMFD,
    .parent = TYPE_MEMORY_BACKEND,
    .instance_size = sizeof(HostMemoryBackendMemfd),
    .class_init = memfd_backend_class_init,
    .instance_init = memfd_backend_instance_init,
};

void hostmem_memfd_register_types(void)
{
    type_register_static(&memfd_backend_info);
}
