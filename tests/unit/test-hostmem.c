/* Host memory backends keep their promises, measured on real host memory. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "backends/hostmem.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static char *tmp_dir;

/*
 * Bytes of [addr, addr + len) that cost host memory.  mincore() is right
 * for every backend here: for private anonymous memory it reports the
 * pages in our page tables; for shared memory (shmem, files) it reports
 * the pages in the page cache of the backing object, which is what a
 * discard must free.  /proc/self/smaps Rss would be wrong for shared
 * memory: it counts only pages mapped into this process, so a page
 * zapped from our page tables but still in the memfd would look free.
 */
static uint64_t resident_bytes(void *addr, uint64_t len)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t pages = len / page, count = 0;
    g_autofree unsigned char *vec = g_malloc(pages);

    g_assert_cmpint(mincore(addr, len, vec), ==, 0);
    for (uint64_t i = 0; i < pages; i++) {
        count += vec[i] & 1;
    }
    return count * page;
}

/*
 * A backend as "-object TYPE,id=ID,PROPS..." creates it: PROPS are
 * "key=value" strings ending with NULL.  NULL and *errp on failure.
 */
static HostMemoryBackend *backend_try_new(const char *type, const char *id,
                                          const char *const *props,
                                          Error **errp)
{
    Object *obj = object_new(type);

    g_assert_nonnull(obj);
    g_assert_true(object_add_child(container_get("/objects"), id, obj,
                                   NULL));
    object_unref(obj);          /* the tree holds it */
    for (int i = 0; props && props[i]; i++) {
        g_auto(GStrv) kv = g_strsplit(props[i], "=", 2);

        if (!object_property_set_str(obj, kv[0], kv[1], PROP_INPUT_CMDLINE,
                                     errp)) {
            object_unparent(obj);
            return NULL;
        }
    }
    if (!object_realize(obj, errp)) {
        object_unparent(obj);
        return NULL;
    }
    return MEMORY_BACKEND(obj);
}

static HostMemoryBackend *backend_new(const char *type, const char *id,
                                      const char *const *props)
{
    g_autoptr(Error) err = NULL;
    HostMemoryBackend *b = backend_try_new(type, id, props, &err);

    if (!b) {
        g_error("%s: %s", type, error_get_pretty(err));
    }
    return b;
}

/* The error text of a backend that must fail to be created. */
static char *backend_new_fails(const char *type, const char *const *props)
{
    g_autoptr(Error) err = NULL;

    g_assert_null(backend_try_new(type, "bad", props, &err));
    g_assert_nonnull(err);
    return g_strdup(error_get_pretty(err));
}

static void backend_del(HostMemoryBackend *b)
{
    object_unparent(OBJECT(b));
}

/* A backend type and the props that make it the variant under test. */
typedef struct Variant {
    const char *type;
    const char *share;          /* "share=on"/"share=off" */
} Variant;

static const Variant ram_private = { TYPE_MEMORY_BACKEND_RAM, "share=off" };
static const Variant ram_shared = { TYPE_MEMORY_BACKEND_RAM, "share=on" };
static const Variant memfd_shared = { TYPE_MEMORY_BACKEND_MEMFD, "share=on" };
static const Variant memfd_private = { TYPE_MEMORY_BACKEND_MEMFD,
                                       "share=off" };
static const Variant file_shared = { TYPE_MEMORY_BACKEND_FILE, "share=on" };
static const Variant file_private = { TYPE_MEMORY_BACKEND_FILE, "share=off" };

static HostMemoryBackend *variant_new(const Variant *v, const char *size)
{
    g_autofree char *size_prop = g_strdup_printf("size=%s", size);
    g_autofree char *path_prop = g_strdup_printf("mem-path=%s", tmp_dir);
    bool is_file = g_str_equal(v->type, TYPE_MEMORY_BACKEND_FILE);
    const char *props[] = { size_prop, v->share,
                            is_file ? path_prop : NULL, NULL };

    return backend_new(v->type, "mem0", props);
}

/* ------------------------------------------------------------------ */

static void test_16g_costs_nothing_at_start(void)
{
    const char *props[] = { "size=16G", NULL };
    HostMemoryBackend *b = backend_new(TYPE_MEMORY_BACKEND_RAM, "mem0", props);

    g_assert_cmpuint(host_memory_backend_get_size(b), ==, 16 * GiB);
    g_assert_cmpuint(resident_bytes(host_memory_backend_get_host(b),
                                    16 * GiB), <, MiB);
    backend_del(b);
}

static void test_populate_makes_resident(gconstpointer opaque)
{
    const Variant *v = opaque;
    HostMemoryBackend *b = variant_new(v, "1G");
    char *host = host_memory_backend_get_host(b);
    g_autoptr(Error) err = NULL;

    g_assert_cmpuint(resident_bytes(host, GiB), <, MiB);
    /* Data already there survives populate. */
    memset(host + 5 * MiB, 0x5a, 4096);
    g_assert_true(host_memory_backend_populate(b, 0, GiB, 2, &err));
    g_assert_null(err);
    g_assert_cmpuint(resident_bytes(host, GiB), ==, GiB);
    g_assert_cmpint(host[5 * MiB], ==, 0x5a);
    g_assert_cmpint(host[5 * MiB + 4095], ==, 0x5a);
    g_assert_cmpint(host[GiB - 1], ==, 0);
    backend_del(b);
}

static bool range_is_zero(const char *p, uint64_t len)
{
    for (uint64_t i = 0; i < len; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static void test_discard_releases_and_reads_zero(gconstpointer opaque)
{
    const Variant *v = opaque;
    HostMemoryBackend *b = variant_new(v, "64M");
    char *host = host_memory_backend_get_host(b);
    g_autoptr(Error) err = NULL;

    memset(host, 0xa5, 64 * MiB);
    g_assert_cmpuint(resident_bytes(host, 64 * MiB), ==, 64 * MiB);
    g_assert_true(host_memory_backend_discard(b, 16 * MiB, 32 * MiB, &err));
    g_assert_null(err);
    /* Measured before reading: reading shmem holes allocates pages. */
    g_assert_cmpuint(resident_bytes(host + 16 * MiB, 32 * MiB), ==, 0);
    g_assert_cmpuint(resident_bytes(host, 16 * MiB), ==, 16 * MiB);
    g_assert_cmpuint(resident_bytes(host + 48 * MiB, 16 * MiB), ==, 16 * MiB);
    g_assert_true(range_is_zero(host + 16 * MiB, 32 * MiB));
    g_assert_cmpint(host[16 * MiB - 1], ==, (char)0xa5);
    g_assert_cmpint(host[48 * MiB], ==, (char)0xa5);
    /* Discarding nothing, or the same range again, is fine. */
    g_assert_true(host_memory_backend_discard(b, 0, 0, &err));
    g_assert_true(host_memory_backend_discard(b, 16 * MiB, 32 * MiB, &err));
    g_assert_null(err);
    backend_del(b);
}

static void test_prealloc_populates_before_complete_returns(void)
{
    const char *props[] = { "size=512M", "prealloc=on", "prealloc-threads=2",
                            NULL };
    HostMemoryBackend *b = backend_new(TYPE_MEMORY_BACKEND_RAM, "mem0", props);

    g_assert_cmpuint(resident_bytes(host_memory_backend_get_host(b),
                                    512 * MiB), ==, 512 * MiB);
    backend_del(b);
}

static uint64_t meminfo_value(const char *key)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/meminfo", &text, NULL, NULL)) {
        return 0;
    }
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], key) && lines[i][strlen(key)] == ':') {
            return g_ascii_strtoull(lines[i] + strlen(key) + 1, NULL, 10);
        }
    }
    return 0;
}

static uint64_t read_sysctl(const char *path)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return 0;
    }
    return g_ascii_strtoull(text, NULL, 10);
}

static void test_hugetlb_without_hugepages_fails_clearly(void)
{
    const char *reserved[] = { "size=4M", "hugetlb=on", NULL };
    const char *prealloc[] = { "size=4M", "hugetlb=on", "prealloc=on", NULL };
    const char *noreserve[] = { "size=4M", "hugetlb=on", "reserve=off", NULL };
    const char *odd_size[] = { "size=1M", "hugetlb=on", "reserve=off", NULL };
    const char *odd_huge[] = { "size=4M", "hugetlb=on", "hugetlbsize=3M",
                               NULL };
    uint64_t hp_kib = meminfo_value("Hugepagesize");
    g_autofree char *msg = NULL;
    g_autoptr(Error) err = NULL;
    HostMemoryBackend *b;
    int probe;

    if (meminfo_value("HugePages_Free") ||
        read_sysctl("/proc/sys/vm/nr_overcommit_hugepages")) {
        g_test_skip("this host has free (or overcommittable) huge pages, "
                    "so running out of them cannot be shown");
        return;
    }
    probe = memfd_create("probe", MFD_HUGETLB | MFD_CLOEXEC);
    if (probe < 0 || hp_kib != 2048) {
        g_test_skip("the host has no 2 MiB hugetlb memfd support");
        if (probe >= 0) {
            close(probe);
        }
        return;
    }
    close(probe);

    /* reserve=on (the default, and forced by prealloc=on) fails at mmap. */
    msg = backend_new_fails(TYPE_MEMORY_BACKEND_MEMFD, reserved);
    g_assert_cmpstr(msg, ==, "unable to map backing store for guest RAM: "
                    "Cannot allocate memory");
    g_free(msg);
    msg = backend_new_fails(TYPE_MEMORY_BACKEND_MEMFD, prealloc);
    g_assert_cmpstr(msg, ==, "unable to map backing store for guest RAM: "
                    "Cannot allocate memory");
    g_free(msg);
    msg = backend_new_fails(TYPE_MEMORY_BACKEND_MEMFD, odd_size);
    g_assert_cmpstr(msg, ==, "'size' (0x100000) must be a multiple of the "
                    "huge page size (2 MiB)");
    g_free(msg);
    msg = backend_new_fails(TYPE_MEMORY_BACKEND_MEMFD, odd_huge);
    g_assert_cmpstr(msg, ==, "Hugepage size must be a power of 2");

    /* reserve=off maps; populate then fails with an Error, no SIGBUS. */
    b = backend_new(TYPE_MEMORY_BACKEND_MEMFD, "mem0", noreserve);
    g_assert_cmpuint(host_memory_backend_pagesize(b), ==, 2 * MiB);
    g_assert_false(host_memory_backend_populate(b, 0, 4 * MiB, 2, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "cannot populate 4 MiB at offset 0x0 of memory backend "
                    "'mem0' (0 B of it populated): the host has no free "
                    "2 MiB huge pages: Bad address");
    g_assert_nonnull(strstr(error_get_hint(err), "nr_hugepages"));
    /* The backend is still consistent: discard and retry behave. */
    g_assert_true(host_memory_backend_discard(b, 0, 4 * MiB, NULL));
    g_assert_false(host_memory_backend_populate(b, 2 * MiB, 2 * MiB, 1,
                                                NULL));
    /* Huge page alignment is enforced for ranges too. */
    g_clear_pointer(&err, error_free);
    g_assert_false(host_memory_backend_discard(b, 4096, 2 * MiB, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "not aligned"));
    backend_del(b);
}

static void test_size_errors(void)
{
    const char *missing[] = { NULL };
    const char *zero[] = { "size=0", NULL };
    const char *odd[] = { "size=4097", NULL };
    const char *bad[] = { "size=1X", NULL };
    g_autofree char *m1 = backend_new_fails(TYPE_MEMORY_BACKEND_RAM, missing);
    g_autofree char *m2 = backend_new_fails(TYPE_MEMORY_BACKEND_RAM, zero);
    g_autofree char *m3 = backend_new_fails(TYPE_MEMORY_BACKEND_RAM, odd);
    g_autofree char *m4 = backend_new_fails(TYPE_MEMORY_BACKEND_MEMFD, odd);
    g_autofree char *m5 = backend_new_fails(TYPE_MEMORY_BACKEND_RAM, bad);

    g_assert_cmpstr(m1, ==, "Parameter 'size' is missing");
    g_assert_cmpstr(m2, ==, "property 'size' of memory-backend-ram doesn't "
                    "take value '0'");
    g_assert_cmpstr(m3, ==, "'size' (0x1001) must be a multiple of the page "
                    "size (4 KiB)");
    g_assert_cmpstr(m4, ==, m3);
    g_assert_cmpstr(m5, ==, "Parameter 'size' expects a size value");
    /* Nothing is left behind by a failed complete. */
    g_assert_null(object_find_by_id("/objects", "bad"));
}

static void test_claim_twice_fails(void)
{
    const char *props[] = { "size=2M", NULL };
    HostMemoryBackend *b = backend_new(TYPE_MEMORY_BACKEND_RAM, "mem0", props);
    Object *fresh = object_new(TYPE_MEMORY_BACKEND_RAM);
    g_autoptr(Error) err = NULL;

    g_assert_false(host_memory_backend_is_in_use(b));
    g_assert_true(host_memory_backend_claim(b, "vm0", &err));
    g_assert_true(host_memory_backend_is_in_use(b));
    g_assert_false(host_memory_backend_claim(b, "vm1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "memdev 'mem0' is already in use");
    g_assert_cmpstr(error_get_hint(err), ==, "It is used by vm0.\n");
    host_memory_backend_release(b);
    g_assert_false(host_memory_backend_is_in_use(b));
    g_assert_true(host_memory_backend_claim(b, "vm1", NULL));
    host_memory_backend_release(b);
    backend_del(b);

    /* A backend that is not complete has no memory to give. */
    g_assert_false(host_memory_backend_claim(MEMORY_BACKEND(fresh), "vm0",
                                             NULL));
    object_unref(fresh);
}

static void test_discard_out_of_range_fails(void)
{
    static const struct {
        uint64_t offset, len;
        const char *why;
    } bad[] = {
        { 8 * MiB, 4096, "outside" },
        { 0, 8 * MiB + 4096, "outside" },
        { 4 * MiB, 4 * MiB + 4096, "outside" },
        { 4096, UINT64_MAX - 4095, "outside" },
        { UINT64_MAX - 4095, 8192, "outside" },
        { 100, 4096, "not aligned" },
        { 0, 100, "not aligned" },
    };
    const char *props[] = { "size=8M", NULL };
    HostMemoryBackend *b = backend_new(TYPE_MEMORY_BACKEND_RAM, "mem0", props);
    Object *fresh = object_new(TYPE_MEMORY_BACKEND_RAM);

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(Error) e1 = NULL;
        g_autoptr(Error) e2 = NULL;

        g_assert_false(host_memory_backend_discard(b, bad[i].offset,
                                                   bad[i].len, &e1));
        g_assert_nonnull(strstr(error_get_pretty(e1), bad[i].why));
        g_assert_nonnull(strstr(error_get_pretty(e1), "'mem0'"));
        g_assert_false(host_memory_backend_populate(b, bad[i].offset,
                                                    bad[i].len, 2, &e2));
        g_assert_nonnull(strstr(error_get_pretty(e2), bad[i].why));
    }
    /* The whole backend and its last page are fine. */
    g_assert_true(host_memory_backend_discard(b, 0, 8 * MiB, NULL));
    g_assert_true(host_memory_backend_populate(b, 8 * MiB - 4096, 4096, 4,
                                               NULL));
    g_assert_false(host_memory_backend_discard(MEMORY_BACKEND(fresh), 0, 0,
                                               NULL));
    object_unref(fresh);
    backend_del(b);
}

static void test_file_readonly_refused(void)
{
    g_autofree char *path_prop = g_strdup_printf("mem-path=%s", tmp_dir);
    const char *ro[] = { "size=2M", path_prop, "readonly=on", NULL };
    const char *rw[] = { "size=2M", path_prop, "readonly=off", NULL };
    const char *no_path[] = { "size=2M", NULL };
    g_autofree char *m1 = backend_new_fails(TYPE_MEMORY_BACKEND_FILE, ro);
    g_autofree char *m2 = backend_new_fails(TYPE_MEMORY_BACKEND_FILE, no_path);
    HostMemoryBackend *b;

    g_assert_cmpstr(m1, ==, "readonly=on is not supported");
    g_assert_cmpstr(m2, ==, "Parameter 'mem-path' is missing");
    b = backend_new(TYPE_MEMORY_BACKEND_FILE, "mem0", rw);
    backend_del(b);
}

static void test_file_named_file_is_created_and_sized(void)
{
    g_autofree char *path = g_build_filename(tmp_dir, "guest-ram", NULL);
    g_autofree char *path_prop = g_strdup_printf("mem-path=%s", path);
    const char *props[] = { "size=4M", path_prop, "share=on", NULL };
    const char *bigger[] = { "size=8M", path_prop, NULL };
    g_autofree char *msg = NULL;
    HostMemoryBackend *b = backend_new(TYPE_MEMORY_BACKEND_FILE, "mem0",
                                       props);
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 4 * MiB);
    memcpy(host_memory_backend_get_host(b), "tide", 4);
    backend_del(b);

    /* The file keeps its data and is refused when it is too small. */
    b = backend_new(TYPE_MEMORY_BACKEND_FILE, "mem0", props);
    g_assert_cmpmem(host_memory_backend_get_host(b), 4, "tide", 4);
    backend_del(b);
    msg = backend_new_fails(TYPE_MEMORY_BACKEND_FILE, bigger);
    g_assert_cmpstr(msg, ==, "backing store size 0x400000 does not match "
                    "'size' option 0x800000");
    g_assert_cmpint(g_unlink(path), ==, 0);
}

static void test_numa_policy(void)
{
    const char *nodes_no_policy[] = { "size=2M", "host-nodes=0", NULL };
    const char *policy_no_nodes[] = { "size=2M", "policy=bind", NULL };
    const char *bad_node[] = { "size=2M", "host-nodes=200", NULL };
    const char *bad_range[] = { "size=2M", "host-nodes=1-0", NULL };
    const char *bind0[] = { "size=2M", "host-nodes=0", "policy=bind",
                            "prealloc=on", NULL };
    const char *noreserve_prealloc[] = { "size=2M", "reserve=off",
                                         "prealloc=on", NULL };
    g_autofree char *m1 = backend_new_fails(TYPE_MEMORY_BACKEND_RAM,
                                            nodes_no_policy);
    g_autofree char *m2 = backend_new_fails(TYPE_MEMORY_BACKEND_RAM,
                                            policy_no_nodes);
    g_autofree char *m3 = backend_new_fails(TYPE_MEMORY_BACKEND_RAM, bad_node);
    g_autofree char *m4 = backend_new_fails(TYPE_MEMORY_BACKEND_RAM,
                                            bad_range);
    g_autofree char *m5 = backend_new_fails(TYPE_MEMORY_BACKEND_RAM,
                                            noreserve_prealloc);

    g_assert_cmpstr(m1, ==, "host-nodes must be empty for policy default, "
                    "or you should explicitly specify a policy other than "
                    "default");
    g_assert_cmpstr(m2, ==, "host-nodes must be set for policy bind");
    g_assert_cmpstr(m3, ==, "Invalid host-nodes value: 200");
    g_assert_cmpstr(m4, ==, "Parameter 'host-nodes' expects a uint64 value "
                    "or range");
    g_assert_cmpstr(m5, ==, "'prealloc=on' and 'reserve=off' are "
                    "incompatible");
    /* Every host has node 0 (a non-NUMA host is node 0). */
    backend_del(backend_new(TYPE_MEMORY_BACKEND_RAM, "mem0", bind0));
}

static void test_config_props_refused_after_complete(void)
{
    static const char *const sets[][2] = {
        { "size", "4M" }, { "share", "on" }, { "prealloc", "on" },
        { "prealloc-threads", "2" }, { "reserve", "off" }, { "merge", "off" },
        { "dump", "off" }, { "policy", "bind" }, { "host-nodes", "0" },
        { "hugetlb", "on" }, { "hugetlbsize", "2M" }, { "seal", "off" },
    };
    const char *props[] = { "size=2M", NULL };
    HostMemoryBackend *b = backend_new(TYPE_MEMORY_BACKEND_MEMFD, "mem0",
                                       props);

    for (size_t i = 0; i < G_N_ELEMENTS(sets); i++) {
        g_autoptr(Error) err = NULL;
        g_autofree char *want = g_strdup_printf(
            "cannot change property '%s' of memory-backend-memfd 'mem0'",
            sets[i][0]);

        g_assert_false(object_property_set_str(OBJECT(b), sets[i][0],
                                               sets[i][1], PROP_INPUT_CMDLINE,
                                               &err));
        g_assert_cmpstr(error_get_pretty(err), ==, want);
    }
    g_assert_cmpuint(host_memory_backend_get_size(b), ==, 2 * MiB);
    g_assert_true(host_memory_backend_is_shared(b));
    g_assert_cmpint(host_memory_backend_get_fd(b), >=, 0);
    backend_del(b);
}

/* -object memory-backend-memfd,help lists QEMU's options and texts. */
static void test_help_lists_options(void)
{
    ObjectClass *oc = object_class_by_name(TYPE_MEMORY_BACKEND_MEMFD);
    g_autofree char *help = object_class_help(oc, false);
    static const char *const lines[] = {
        "  dump=<bool>            - Set to 'off' to exclude from core dump\n",
        "  host-nodes=<str>       - Binds memory to the list of NUMA host "
        "nodes\n",
        "  hugetlbsize=<size>     - Huge pages size (ex: 2M, 1G)\n",
        "  policy=<HostMemPolicy> - Set the NUMA policy\n",
        "  prealloc-threads=<uint32> - Number of CPU threads to use for "
        "prealloc\n",
        "  reserve=<bool>         - Reserve swap space (or huge pages) if "
        "applicable\n",
        "  seal=<bool>            - Seal growing & shrinking\n",
        "  size=<size>            - Size of the memory region (ex: 500M)\n",
    };

    g_assert_true(oc->user_creatable);
    g_assert_nonnull(oc->description);
    g_assert_true(g_str_has_prefix(help, "memory-backend-memfd options:\n"));
    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        if (!strstr(help, lines[i])) {
            g_error("missing from help: %s\nhelp:\n%s", lines[i], help);
        }
    }
    g_assert_true(object_class_by_name(TYPE_MEMORY_BACKEND_RAM)->
                  user_creatable);
    g_assert_true(object_class_by_name(TYPE_MEMORY_BACKEND_FILE)->
                  user_creatable);
    g_assert_null(object_new(TYPE_MEMORY_BACKEND));
}

static void add_variant_tests(const char *name, const Variant *v,
                              bool populate)
{
    g_autofree char *p1 = g_strdup_printf("/hostmem/%s/populate-makes-resident",
                                          name);
    g_autofree char *p2 = g_strdup_printf(
        "/hostmem/%s/discard-releases-and-reads-zero", name);

    if (populate) {
        g_test_add_data_func(p1, v, test_populate_makes_resident);
    }
    g_test_add_data_func(p2, v, test_discard_releases_and_reads_zero);
}

int main(int argc, char **argv)
{
    const char *base = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR)
                       ? "/dev/shm" : g_get_tmp_dir();
    int ret;

    g_test_init(&argc, &argv, NULL);
    qom_register_types();
    backends_register_types();
    /* tmpfs when there is one: file tests measure memory, not a disk. */
    tmp_dir = g_build_filename(base, "test-hostmem-XXXXXX", NULL);
    g_assert_nonnull(g_mkdtemp(tmp_dir));

    g_test_add_func("/hostmem/ram/16g-costs-nothing-at-start",
                    test_16g_costs_nothing_at_start);
    add_variant_tests("ram", &ram_private, true);
    add_variant_tests("memfd", &memfd_shared, true);
    add_variant_tests("file", &file_shared, true);
    add_variant_tests("ram-shared", &ram_shared, false);
    add_variant_tests("memfd-private", &memfd_private, false);
    add_variant_tests("file-private", &file_private, false);
    g_test_add_func("/hostmem/prealloc-populates-before-complete-returns",
                    test_prealloc_populates_before_complete_returns);
    g_test_add_func("/hostmem/hugetlb-without-hugepages-fails-clearly",
                    test_hugetlb_without_hugepages_fails_clearly);
    g_test_add_func("/hostmem/size-errors", test_size_errors);
    g_test_add_func("/hostmem/claim-twice-fails", test_claim_twice_fails);
    g_test_add_func("/hostmem/discard-out-of-range-fails",
                    test_discard_out_of_range_fails);
    g_test_add_func("/hostmem/file-readonly-refused",
                    test_file_readonly_refused);
    g_test_add_func("/hostmem/file/named-file-is-created-and-sized",
                    test_file_named_file_is_created_and_sized);
    g_test_add_func("/hostmem/numa-policy", test_numa_policy);
    g_test_add_func("/hostmem/config-props-refused-after-complete",
                    test_config_props_refused_after_complete);
    g_test_add_func("/hostmem/help-lists-qemu-options",
                    test_help_lists_options);

    ret = g_test_run();
    g_rmdir(tmp_dir);
    g_free(tmp_dir);
    return ret;
}
