/* memory-backend-file: memory in a file (or an unlinked file in a directory), e.g. on hugetlbfs. */
#include "backends/hostmem.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct HostMemoryBackendFile {
    HostMemoryBackend parent_obj;
    char *mem_path;
    bool readonly;
    char *created;              /* a file complete created, for rollback */
} HostMemoryBackendFile;

#define MEMORY_BACKEND_FILE(obj) \
    OBJECT_CHECK(HostMemoryBackendFile, (obj), TYPE_MEMORY_BACKEND_FILE)

/* Guest RAM has to be writable; a read-only mapping would need ROM semantics. */
static bool set_readonly(Object *obj, const Property *prop,
                         const PropValue *in, Error **errp)
{
    if (in->b) {
        error_setg(errp, "readonly=on is not supported");
        return false;
    }
    object_prop_store(obj, prop, in);
    return true;
}

/*
 * A directory gets a fresh file that is unlinked at once, as QEMU: the
 * memory goes away with the process and no name is left behind.
 */
static int open_in_dir(HostMemoryBackend *b, const char *dir, Error **errp)
{
    g_autofree char *id = g_strdup(host_memory_backend_get_id(b));
    g_autofree char *tmpl = NULL;
    int fd;

    g_strdelimit(id, "/<>", '_');
    tmpl = g_strdup_printf("%s/tide_%s_XXXXXX", dir, id);
    fd = mkostemp(tmpl, O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "unable to create backing store for "
                         "guest RAM in %s", dir);
        return -1;
    }
    unlink(tmpl);
    return fd;
}

static int open_backing_store(HostMemoryBackendFile *f, Error **errp)
{
    const char *path = f->mem_path;

    /* Open an existing file, else create it; retry if one races us. */
    for (int tries = 0; tries < 16; tries++) {
        int fd = open(path, O_RDWR | O_CLOEXEC);

        if (fd >= 0) {
            return fd;
        }
        if (errno == EISDIR) {
            return open_in_dir(MEMORY_BACKEND(f), path, errp);
        }
        if (errno != ENOENT) {
            break;
        }
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            f->created = g_strdup(path);
            return fd;
        }
        if (errno != EEXIST) {
            break;
        }
    }
    error_setg_errno(errp, errno, "can't open backing store %s for guest RAM",
                     path);
    return -1;
}

/*
 * An empty file is sized to 'size'.  A non-empty file smaller than
 * 'size' is refused, as QEMU: it holds someone's data, and it is more
 * likely the wrong file than one to grow.
 */
static bool size_backing_store(HostMemoryBackend *b, int fd, Error **errp)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        error_setg_errno(errp, errno, "cannot stat backing store %s",
                         MEMORY_BACKEND_FILE(b)->mem_path);
        return false;
    }
    if (st.st_size > 0 && (uint64_t)st.st_size < b->size) {
        error_setg(errp, "backing store size 0x%" PRIx64 " does not match "
                   "'size' option 0x%" PRIx64, (uint64_t)st.st_size, b->size);
        return false;
    }
    if (st.st_size == 0 && ftruncate(fd, (off_t)b->size) != 0) {
        error_setg_errno(errp, errno, "cannot resize backing store %s to "
                         "0x%" PRIx64, MEMORY_BACKEND_FILE(b)->mem_path,
                         b->size);
        return false;
    }
    return true;
}

static void file_backend_alloc_failed(HostMemoryBackend *b)
{
    HostMemoryBackendFile *f = MEMORY_BACKEND_FILE(b);

    if (f->created) {
        unlink(f->created);
        g_clear_pointer(&f->created, g_free);
    }
}

static bool file_backend_alloc(HostMemoryBackend *b, Error **errp)
{
    HostMemoryBackendFile *f = MEMORY_BACKEND_FILE(b);
    int fd;

    if (!f->mem_path || !*f->mem_path) {
        error_setg(errp, "Parameter 'mem-path' is missing");
        return false;
    }
    fd = open_backing_store(f, errp);
    if (fd < 0) {
        return false;
    }
    b->page_size = host_memory_backend_fd_pagesize(fd);
    b->hugetlb = b->page_size != (uint64_t)sysconf(_SC_PAGESIZE);
    if (!host_memory_backend_check_size(b, errp) ||
        !size_backing_store(b, fd, errp)) {
        close(fd);
        file_backend_alloc_failed(b);
        return false;
    }
    b->fd = fd;
    return true;
}

static void file_backend_instance_finalize(Object *obj)
{
    g_free(MEMORY_BACKEND_FILE(obj)->created);
}

#define FILE_FIELD(f) offsetof(HostMemoryBackendFile, f)

static const Property file_backend_props[] = {
    { .name = "mem-path", .kind = PROP_STR, .access = PROP_CONFIG,
      .description = "File, or directory for an unlinked file, to map",
      .offset = FILE_FIELD(mem_path) },
    { .name = "readonly", .kind = PROP_BOOL, .access = PROP_CONFIG,
      .description = "Map the file read-only (only 'off' is supported)",
      .offset = FILE_FIELD(readonly), .defval = "off", .set = set_readonly },
    { .name = NULL },
};

static void file_backend_class_init(ObjectClass *oc)
{
    HostMemoryBackendClass *bc = (HostMemoryBackendClass *)oc;

    object_class_add_props(oc, file_backend_props);
    bc->alloc = file_backend_alloc;
    bc->alloc_failed = file_backend_alloc_failed;
    oc->user_creatable = true;
    oc->description = "Guest memory backed by a file (e.g. on hugetlbfs)";
}

static const TypeInfo file_backend_info = {
    .name = TYPE_MEMORY_BACKEND_FILE,
    .parent = TYPE_MEMORY_BACKEND,
    .instance_size = sizeof(HostMemoryBackendFile),
    .class_init = file_backend_class_init,
    .instance_finalize = file_backend_instance_finalize,
};

void hostmem_file_register_types(void)
{
    type_register_static(&file_backend_info);
}
