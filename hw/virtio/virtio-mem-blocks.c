/* virtio-mem block state: the plug bitmap, request checks, plug and unplug transactions. */
#include "hw/virtio/virtio-mem-blocks.h"

#include <urcu.h>
#include "util/bitmap.h"

/* One maximal run of plugged blocks, mapped as one RAM region. */
typedef struct VirtioMemExtent {
    struct rcu_head rcu;
    uint64_t first, n;          /* blocks */
    MemoryRegion mr;
} VirtioMemExtent;

static uint64_t block_offset(const VirtioMemBlocks *b, uint64_t block)
{
    return block * b->block_size;
}

static uint64_t blocks_to_bytes(const VirtioMemBlocks *b, uint64_t n)
{
    return n * b->block_size;
}

/*
 * Chunk size in blocks: VIRTIO_MEM_MIN_CHUNK, doubled until the region has
 * at most VIRTIO_MEM_MAX_CHUNKS chunks, and never less than one block.
 */
static uint64_t chunk_blocks_for(uint64_t region_size, uint64_t block_size)
{
    uint64_t chunk = VIRTIO_MEM_MIN_CHUNK;

    while (chunk < region_size / VIRTIO_MEM_MAX_CHUNKS) {
        chunk <<= 1;
    }
    return MAX(chunk / block_size, 1);
}

void virtio_mem_blocks_init(VirtioMemBlocks *b, HostMemoryBackend *backend,
                            MemoryRegion *container, uint64_t block_size)
{
    b->backend = backend;
    b->container = container;
    b->block_size = block_size;
    b->region_size = host_memory_backend_get_size(backend);
    b->nb_blocks = b->region_size / block_size;
    b->chunk_blocks = chunk_blocks_for(b->region_size, block_size);
    b->bitmap = bitmap_new(b->nb_blocks);
    b->extents = g_ptr_array_new();
    b->usable_region_size = 0;
    b->plugged_blocks = 0;
}

/* Readers may still see a removed extent in an old flat view: free later. */
static void extent_free_rcu(struct rcu_head *head)
{
    VirtioMemExtent *e = caa_container_of(head, VirtioMemExtent, rcu);

    memory_region_destroy(&e->mr);
    g_free(e);
}

static void extent_unmap(VirtioMemBlocks *b, VirtioMemExtent *e)
{
    memory_region_del_subregion(b->container, &e->mr);
    g_ptr_array_remove(b->extents, e);
    call_rcu(&e->rcu, extent_free_rcu);
}

void virtio_mem_blocks_destroy(VirtioMemBlocks *b)
{
    memory_region_transaction_begin();
    while (b->extents->len) {
        extent_unmap(b, g_ptr_array_index(b->extents, 0));
    }
    memory_region_transaction_commit();
    g_ptr_array_free(b->extents, TRUE);
    bitmap_free(b->bitmap);
    b->bitmap = NULL;
}

uint64_t virtio_mem_usable_size_for(const VirtioMemBlocks *b,
                                    uint64_t requested)
{
    uint64_t size;

    if (!requested) {
        return 0;
    }
    size = MIN(b->region_size, requested + VIRTIO_MEM_USABLE_EXTENT);
    size = (size + b->block_size - 1) / b->block_size * b->block_size;
    return MIN(size, b->region_size);
}

void virtio_mem_blocks_resize_usable(VirtioMemBlocks *b, uint64_t requested,
                                     bool can_shrink)
{
    uint64_t size = virtio_mem_usable_size_for(b, requested);

    /* The spec lets it shrink only on UNPLUG_ALL and system reset (V8). */
    if (size < b->usable_region_size && !can_shrink) {
        return;
    }
    b->usable_region_size = size;
}

bool virtio_mem_blocks_range_valid(const VirtioMemBlocks *b, uint64_t offset,
                                   uint64_t nb_blocks, uint64_t *first)
{
    uint64_t usable_blocks = b->usable_region_size / b->block_size;

    if (nb_blocks == 0 || offset % b->block_size) {
        return false;
    }
    *first = offset / b->block_size;
    /* first + nb_blocks <= usable_blocks, written so it cannot overflow. */
    return *first < usable_blocks && nb_blocks <= usable_blocks - *first;
}

bool virtio_mem_blocks_range_plugged(const VirtioMemBlocks *b, uint64_t first,
                                     uint64_t n)
{
    return bitmap_range_is_set(b->bitmap, first, n);
}

bool virtio_mem_blocks_range_unplugged(const VirtioMemBlocks *b,
                                       uint64_t first, uint64_t n)
{
    return bitmap_range_is_clear(b->bitmap, first, n);
}

static VirtioMemExtent *find_extent_ending_at(VirtioMemBlocks *b,
                                              uint64_t block)
{
    for (guint i = 0; i < b->extents->len; i++) {
        VirtioMemExtent *e = g_ptr_array_index(b->extents, i);

        if (e->first + e->n == block) {
            return e;
        }
    }
    return NULL;
}

static VirtioMemExtent *find_extent_starting_at(VirtioMemBlocks *b,
                                                uint64_t block)
{
    for (guint i = 0; i < b->extents->len; i++) {
        VirtioMemExtent *e = g_ptr_array_index(b->extents, i);

        if (e->first == block) {
            return e;
        }
    }
    return NULL;
}

static VirtioMemExtent *find_extent_containing(VirtioMemBlocks *b,
                                               uint64_t block)
{
    for (guint i = 0; i < b->extents->len; i++) {
        VirtioMemExtent *e = g_ptr_array_index(b->extents, i);

        if (block >= e->first && block - e->first < e->n) {
            return e;
        }
    }
    return NULL;
}

static gint extent_cmp(gconstpointer a, gconstpointer b)
{
    const VirtioMemExtent *ea = *(VirtioMemExtent *const *)a;
    const VirtioMemExtent *eb = *(VirtioMemExtent *const *)b;

    return (ea->first > eb->first) - (ea->first < eb->first);
}

static void extent_map(VirtioMemBlocks *b, uint64_t first, uint64_t n)
{
    VirtioMemExtent *e = g_new0(VirtioMemExtent, 1);
    uint8_t *host = host_memory_backend_get_host(b->backend);
    g_autofree char *name = g_strdup_printf("%s[%" G_GUINT64_FORMAT "+%"
                                            G_GUINT64_FORMAT "]",
                                            host_memory_backend_get_id(b->backend),
                                            first, n);

    e->first = first;
    e->n = n;
    memory_region_init_ram_ptr(&e->mr, name, blocks_to_bytes(b, n),
                               host + block_offset(b, first));
    memory_region_add_subregion(b->container, block_offset(b, first), &e->mr);
    g_ptr_array_add(b->extents, e);
    g_ptr_array_sort(b->extents, extent_cmp);
}

/* The end of the piece of [first, end) that lies in first's chunk. */
static uint64_t piece_end(const VirtioMemBlocks *b, uint64_t first,
                          uint64_t end)
{
    uint64_t chunk_end = (first / b->chunk_blocks + 1) * b->chunk_blocks;

    return MIN(end, chunk_end);
}

static bool is_chunk_start(const VirtioMemBlocks *b, uint64_t block)
{
    return block % b->chunk_blocks == 0;
}

/*
 * Map [first, first + n) as RAM, chunk by chunk, each piece merged with
 * the plugged neighbours in its chunk, in one memory transaction so
 * listeners see one change.  A piece that fills its chunk has no such
 * neighbour: nothing mapped is removed.
 */
static void map_plugged(VirtioMemBlocks *b, uint64_t first, uint64_t n)
{
    uint64_t end = first + n;

    memory_region_transaction_begin();
    for (uint64_t s = first, e; s < end; s = e) {
        VirtioMemExtent *left = NULL, *right = NULL;
        uint64_t start = s, count;

        e = piece_end(b, s, end);
        count = e - s;
        if (!is_chunk_start(b, s)) {
            left = find_extent_ending_at(b, s);
        }
        if (!is_chunk_start(b, e)) {
            right = find_extent_starting_at(b, e);
        }
        if (left) {
            start = left->first;
            count += left->n;
            extent_unmap(b, left);
        }
        if (right) {
            count += right->n;
            extent_unmap(b, right);
        }
        extent_map(b, start, count);
    }
    memory_region_transaction_commit();
}

/*
 * Unmap [first, first + n), chunk by chunk; each piece lies inside one
 * extent (extents stop at chunk ends), whose rest stays mapped.
 */
static void unmap_plugged(VirtioMemBlocks *b, uint64_t first, uint64_t n)
{
    uint64_t end = first + n;

    memory_region_transaction_begin();
    for (uint64_t s = first, e; s < end; s = e) {
        VirtioMemExtent *x = find_extent_containing(b, s);
        uint64_t x_first, x_end;

        e = piece_end(b, s, end);
        /* The bitmap says these blocks are plugged, so an extent holds them. */
        g_assert(x && e <= x->first + x->n);
        x_first = x->first;
        x_end = x->first + x->n;
        extent_unmap(b, x);
        if (s > x_first) {
            extent_map(b, x_first, s - x_first);
        }
        if (e < x_end) {
            extent_map(b, e, x_end - e);
        }
    }
    memory_region_transaction_commit();
}

bool virtio_mem_blocks_plug(VirtioMemBlocks *b, uint64_t first, uint64_t n,
                            Error **errp)
{
    uint64_t off = block_offset(b, first), len = blocks_to_bytes(b, n);

    if (b->prealloc &&
        !host_memory_backend_populate(b->backend, off, len,
                                      b->prealloc_threads, errp)) {
        b->counters.populate_fails++;
        /*
         * Give back whatever was populated before the failure.  Should
         * that fail too, the memory stays (counted) until the guest's
         * retry plugs these blocks after all or an unplug-all or reset
         * discards the whole region.
         */
        if (!host_memory_backend_discard(b->backend, off, len, NULL)) {
            b->counters.discard_fails++;
        }
        return false;
    }
    map_plugged(b, first, n);
    bitmap_set_range(b->bitmap, first, n);
    b->plugged_blocks += n;
    b->counters.plugged_bytes += len;
    return true;
}

bool virtio_mem_blocks_unplug(VirtioMemBlocks *b, uint64_t first, uint64_t n,
                              Error **errp)
{
    uint64_t off = block_offset(b, first), len = blocks_to_bytes(b, n);

    /* Unreachable first, so no vCPU writes into memory being discarded. */
    unmap_plugged(b, first, n);
    if (!host_memory_backend_discard(b->backend, off, len, errp)) {
        b->counters.discard_fails++;
        map_plugged(b, first, n);
        return false;
    }
    bitmap_clear_range(b->bitmap, first, n);
    b->plugged_blocks -= n;
    b->counters.unplugged_bytes += len;
    return true;
}

bool virtio_mem_blocks_unplug_all(VirtioMemBlocks *b, Error **errp)
{
    if (!b->plugged_blocks) {
        return true;
    }
    memory_region_transaction_begin();
    while (b->extents->len) {
        extent_unmap(b, g_ptr_array_index(b->extents, 0));
    }
    memory_region_transaction_commit();
    if (!host_memory_backend_discard(b->backend, 0, b->region_size, errp)) {
        uint64_t first = 0;

        b->counters.discard_fails++;
        /* Put every run back as it was (no extent is left to merge with). */
        memory_region_transaction_begin();
        while ((first = bitmap_find_next_set(b->bitmap, b->nb_blocks, first))
               < b->nb_blocks) {
            uint64_t end = bitmap_find_next_clear(b->bitmap, b->nb_blocks,
                                                  first);

            map_plugged(b, first, end - first);
            first = end;
        }
        memory_region_transaction_commit();
        return false;
    }
    b->counters.unplugged_bytes += virtio_mem_blocks_plugged_size(b);
    bitmap_clear_all(b->bitmap, b->nb_blocks);
    b->plugged_blocks = 0;
    return true;
}

unsigned virtio_mem_blocks_nr_extents(const VirtioMemBlocks *b)
{
    return b->extents->len;
}
