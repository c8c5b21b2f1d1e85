/* virtio-mem block state: request checks, the usable-region rule, mapping only plugged blocks, host memory really given back. */
#include <glib.h>
#include <string.h>
#include <sys/mman.h>
#include <urcu.h>
#include "backends/hostmem.h"
#include "hw/virtio/virtio-mem-blocks.h"
#include "qom/object.h"
#include "system/physmem.h"

#define MiB (UINT64_C(1) << 20)
#define BS (2 * MiB)
#define REGION (64 * MiB)
#define BASE (UINT64_C(1) << 32)

typedef struct Fixture {
    Object *backend;
    MemoryRegion root, container;
    VirtioMemBlocks b;
} Fixture;

static uint64_t resident_bytes(void *addr, uint64_t len)
{
    uint64_t pages = len / 4096, n = 0;
    g_autofree unsigned char *vec = g_malloc(pages);

    g_assert_cmpint(mincore(addr, len, vec), ==, 0);
    for (uint64_t i = 0; i < pages; i++) {
        n += vec[i] & 1;
    }
    return n * 4096;
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
    const char *type = data ? data : TYPE_MEMORY_BACKEND_RAM;

    f->backend = object_new(type);
    g_assert_true(object_property_set_uint(f->backend, "size", REGION, NULL));
    g_assert_true(object_realize(f->backend, NULL));
    memory_region_init_container(&f->root, "root", 0);
    memory_region_init_container(&f->container, "vmem", REGION);
    memory_region_set_holes_read_zero(&f->container, true);
    memory_region_add_subregion(&f->root, BASE, &f->container);
    address_space_init(&address_space_memory, &f->root, "memory");
    virtio_mem_blocks_init(&f->b, (HostMemoryBackend *)f->backend,
                           &f->container, BS);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    virtio_mem_blocks_destroy(&f->b);
    address_space_destroy(&address_space_memory);
    rcu_barrier();      /* extents are freed from call_rcu */
    memory_region_del_subregion(&f->root, &f->container);
    memory_region_destroy(&f->container);
    memory_region_destroy(&f->root);
    object_unref(f->backend);
}

static uint8_t *host(Fixture *f, uint64_t block)
{
    return (uint8_t *)host_memory_backend_get_host(
        (HostMemoryBackend *)f->backend) + block * BS;
}

static void test_usable_rule(Fixture *f, gconstpointer data)
{
    g_assert_cmpuint(virtio_mem_usable_size_for(&f->b, 0), ==, 0);
    /* requested + 256 MiB, capped at the region. */
    g_assert_cmpuint(virtio_mem_usable_size_for(&f->b, BS), ==, REGION);
    virtio_mem_blocks_resize_usable(&f->b, BS, false);
    g_assert_cmpuint(f->b.usable_region_size, ==, REGION);
    /* Shrinks only when allowed (UNPLUG_ALL, reset). */
    virtio_mem_blocks_resize_usable(&f->b, 0, false);
    g_assert_cmpuint(f->b.usable_region_size, ==, REGION);
    virtio_mem_blocks_resize_usable(&f->b, 0, true);
    g_assert_cmpuint(f->b.usable_region_size, ==, 0);
}

static void test_range_checks(Fixture *f, gconstpointer data)
{
    uint64_t first;
    uint64_t nb = REGION / BS;

    virtio_mem_blocks_resize_usable(&f->b, REGION, false);
    g_assert_true(virtio_mem_blocks_range_valid(&f->b, 0, nb, &first));
    g_assert_cmpuint(first, ==, 0);
    g_assert_true(virtio_mem_blocks_range_valid(&f->b, BS, 1, &first));
    g_assert_cmpuint(first, ==, 1);
    g_assert_false(virtio_mem_blocks_range_valid(&f->b, 0, 0, &first));
    g_assert_false(virtio_mem_blocks_range_valid(&f->b, 4096, 1, &first));
    g_assert_false(virtio_mem_blocks_range_valid(&f->b, 0, nb + 1, &first));
    g_assert_false(virtio_mem_blocks_range_valid(&f->b, REGION, 1, &first));
    g_assert_false(virtio_mem_blocks_range_valid(&f->b, UINT64_MAX - BS + 1,
                                                 65535, &first));
    /* Outside the usable region even though inside the region. */
    virtio_mem_blocks_resize_usable(&f->b, 0, true);
    g_assert_false(virtio_mem_blocks_range_valid(&f->b, 0, 1, &first));
}

static void test_plug_maps_unplug_unmaps(Fixture *f, gconstpointer data)
{
    uint64_t v;

    virtio_mem_blocks_resize_usable(&f->b, REGION, false);
    /* Unplugged: reads zero through the container, writes go nowhere. */
    g_assert_cmpint(address_space_st(&address_space_memory, BASE, 8,
                                     0x1122334455667788), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ld(&address_space_memory, BASE, 8, &v), ==,
                    MEMTX_OK);
    g_assert_cmpuint(v, ==, 0);
    g_assert_cmpuint(resident_bytes(host(f, 0), REGION), ==, 0);

    g_assert_true(virtio_mem_blocks_plug(&f->b, 0, 2, NULL));
    g_assert_cmpuint(virtio_mem_blocks_plugged_size(&f->b), ==, 2 * BS);
    g_assert_true(virtio_mem_blocks_range_plugged(&f->b, 0, 2));
    g_assert_cmpint(address_space_st(&address_space_memory, BASE + BS, 8,
                                     0xabcdef), ==, MEMTX_OK);
    g_assert_cmpuint(host(f, 1)[0], ==, 0xef);

    g_assert_true(virtio_mem_blocks_unplug(&f->b, 1, 1, NULL));
    g_assert_cmpuint(virtio_mem_blocks_plugged_size(&f->b), ==, BS);
    g_assert_cmpint(address_space_ld(&address_space_memory, BASE + BS, 8, &v),
                    ==, MEMTX_OK);
    g_assert_cmpuint(v, ==, 0);
    /* Re-plugged memory reads zero: the old contents went back to the host. */
    g_assert_true(virtio_mem_blocks_plug(&f->b, 1, 1, NULL));
    g_assert_cmpint(address_space_ld(&address_space_memory, BASE + BS, 8, &v),
                    ==, MEMTX_OK);
    g_assert_cmpuint(v, ==, 0);
}

static void test_extents_merge_and_split(Fixture *f, gconstpointer data)
{
    virtio_mem_blocks_resize_usable(&f->b, REGION, false);
    g_assert_true(virtio_mem_blocks_plug(&f->b, 4, 2, NULL));
    g_assert_true(virtio_mem_blocks_plug(&f->b, 8, 2, NULL));
    g_assert_cmpuint(virtio_mem_blocks_nr_extents(&f->b), ==, 2);
    /* Filling the gap joins them into one RAM range. */
    g_assert_true(virtio_mem_blocks_plug(&f->b, 6, 2, NULL));
    g_assert_cmpuint(virtio_mem_blocks_nr_extents(&f->b), ==, 1);
    /* A hole in the middle splits it. */
    g_assert_true(virtio_mem_blocks_unplug(&f->b, 6, 1, NULL));
    g_assert_cmpuint(virtio_mem_blocks_nr_extents(&f->b), ==, 2);
    g_assert_true(virtio_mem_blocks_unplug_all(&f->b, NULL));
    g_assert_cmpuint(virtio_mem_blocks_nr_extents(&f->b), ==, 0);
    g_assert_cmpuint(virtio_mem_blocks_plugged_size(&f->b), ==, 0);
    g_assert_true(virtio_mem_blocks_range_unplugged(&f->b, 0, REGION / BS));
}

static void test_unplug_returns_host_memory(Fixture *f, gconstpointer data)
{
    uint64_t nb = REGION / BS;
    g_autofree uint8_t *pattern = g_malloc(REGION);

    virtio_mem_blocks_resize_usable(&f->b, REGION, false);
    g_assert_true(virtio_mem_blocks_plug(&f->b, 0, nb, NULL));
    memset(pattern, 0x5a, REGION);
    g_assert_cmpint(address_space_write(&address_space_memory, BASE, pattern,
                                        REGION), ==, MEMTX_OK);
    g_assert_cmpuint(resident_bytes(host(f, 0), REGION), ==, REGION);
    g_assert_true(virtio_mem_blocks_unplug(&f->b, 0, nb / 2, NULL));
    g_assert_cmpuint(resident_bytes(host(f, 0), REGION), ==, REGION / 2);
    g_assert_true(virtio_mem_blocks_unplug_all(&f->b, NULL));
    g_assert_cmpuint(resident_bytes(host(f, 0), REGION), ==, 0);
    g_assert_cmpuint(f->b.counters.unplugged_bytes, ==, REGION);
}

static void test_prealloc_populates_on_plug(Fixture *f, gconstpointer data)
{
    virtio_mem_blocks_resize_usable(&f->b, REGION, false);
    f->b.prealloc = true;
    f->b.prealloc_threads = 2;
    g_assert_true(virtio_mem_blocks_plug(&f->b, 0, 4, NULL));
    g_assert_cmpuint(resident_bytes(host(f, 0), 4 * BS), ==, 4 * BS);
    g_assert_cmpuint(resident_bytes(host(f, 4), BS), ==, 0);
}

/* Counts what KVM's listener would do: memslots added and deleted. */
static unsigned ranges_added, ranges_deleted;

static void count_add(MemoryListener *l, const FlatRange *fr)
{
    ranges_added++;
}

static void count_del(MemoryListener *l, const FlatRange *fr, bool remapped)
{
    ranges_deleted++;
}

/*
 * With chunks of 4 blocks: runs are mapped chunk by chunk, and a request
 * for whole chunks (what Linux sends: a memory block) next to plugged
 * ones only adds ranges, and an unplug of a whole chunk only deletes
 * its own, so no range the guest uses is deleted to come back merged.
 */
static void test_chunks_bound_ranges(Fixture *f, gconstpointer data)
{
    MemoryListener l = { .region_add = count_add, .region_del = count_del,
                         .name = "count" };
    uint64_t v;

    f->b.chunk_blocks = 4;
    virtio_mem_blocks_resize_usable(&f->b, REGION, false);
    memory_listener_register(&l, &address_space_memory);
    ranges_added = ranges_deleted = 0;

    /* Blocks 2-9 cross two chunk ends: [2,4) [4,8) [8,10). */
    g_assert_true(virtio_mem_blocks_plug(&f->b, 2, 8, NULL));
    g_assert_cmpuint(virtio_mem_blocks_nr_extents(&f->b), ==, 3);
    g_assert_cmpuint(ranges_deleted, ==, 0);
    /* Inside a chunk, neighbours still merge: [8,10) + [10,12). */
    g_assert_true(virtio_mem_blocks_plug(&f->b, 10, 2, NULL));
    g_assert_cmpuint(virtio_mem_blocks_nr_extents(&f->b), ==, 3);
    g_assert_cmpuint(ranges_deleted, ==, 1);
    /* Whole chunks beside plugged ones: added, nothing deleted. */
    ranges_added = ranges_deleted = 0;
    g_assert_true(virtio_mem_blocks_plug(&f->b, 12, 8, NULL));
    g_assert_cmpuint(virtio_mem_blocks_nr_extents(&f->b), ==, 5);
    g_assert_cmpuint(ranges_added, ==, 2);
    g_assert_cmpuint(ranges_deleted, ==, 0);
    /* A whole chunk back: its range goes, no other is touched. */
    ranges_added = ranges_deleted = 0;
    g_assert_true(virtio_mem_blocks_unplug(&f->b, 16, 4, NULL));
    g_assert_cmpuint(ranges_added, ==, 0);
    g_assert_cmpuint(ranges_deleted, ==, 1);
    /* An unplug across a chunk end splits the two ranges it cuts. */
    g_assert_true(virtio_mem_blocks_unplug(&f->b, 7, 2, NULL));
    g_assert_cmpuint(virtio_mem_blocks_nr_extents(&f->b), ==, 4);
    g_assert_true(virtio_mem_blocks_range_plugged(&f->b, 2, 5));
    g_assert_true(virtio_mem_blocks_range_plugged(&f->b, 9, 7));
    /* Memory on each side of a chunk end is RAM and the cut reads zero. */
    g_assert_cmpint(address_space_st(&address_space_memory, BASE + 4 * BS - 8,
                                     8, 0x1234), ==, MEMTX_OK);
    g_assert_cmpint(address_space_st(&address_space_memory, BASE + 4 * BS, 8,
                                     0x5678), ==, MEMTX_OK);
    g_assert_cmpuint(host(f, 3)[BS - 8], ==, 0x34);
    g_assert_cmpuint(host(f, 4)[0], ==, 0x78);
    g_assert_cmpint(address_space_ld(&address_space_memory, BASE + 7 * BS, 8,
                                     &v), ==, MEMTX_OK);
    g_assert_cmpuint(v, ==, 0);
    memory_listener_unregister(&l);
    g_assert_true(virtio_mem_blocks_unplug_all(&f->b, NULL));
    g_assert_cmpuint(virtio_mem_blocks_nr_extents(&f->b), ==, 0);
}

static void test_chunk_size_rule(Fixture *f, gconstpointer data)
{
    /* 64 MiB of 2 MiB blocks: one 128 MiB chunk covers it all. */
    g_assert_cmpuint(f->b.chunk_blocks, ==, 64);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    qom_register_types();
    backends_register_types();
#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/virtio-mem/blocks/usable-region-follows-qemus-rule",
        test_usable_rule);
    ADD("/virtio-mem/blocks/range-checks-alignment-zero-usable-overflow",
        test_range_checks);
    ADD("/virtio-mem/blocks/plug-maps-ram-unplug-reads-zero",
        test_plug_maps_unplug_unmaps);
    ADD("/virtio-mem/blocks/plugged-runs-merge-and-split",
        test_extents_merge_and_split);
    ADD("/virtio-mem/blocks/whole-chunk-requests-delete-no-other-range",
        test_chunks_bound_ranges);
    ADD("/virtio-mem/blocks/chunk-is-a-linux-memory-block-at-least",
        test_chunk_size_rule);
    ADD("/virtio-mem/blocks/unplug-returns-host-memory",
        test_unplug_returns_host_memory);
    ADD("/virtio-mem/blocks/prealloc-populates-on-plug",
        test_prealloc_populates_on_plug);
    g_test_add("/virtio-mem/blocks/memfd-unplug-returns-host-memory", Fixture,
               TYPE_MEMORY_BACKEND_MEMFD, fixture_setup,
               test_unplug_returns_host_memory, fixture_teardown);
    return g_test_run();
}
