/* virtio-mem block state: the plug bitmap, request checks, plug and unplug transactions. */
#ifndef HW_VIRTIO_VIRTIO_MEM_BLOCKS_H
#define HW_VIRTIO_VIRTIO_MEM_BLOCKS_H

#include <stdbool.h>
#include <stdint.h>
#include "backends/hostmem.h"
#include "system/memory.h"
#include "util/error.h"

/*
 * Slack above requested-size in the usable region, so Linux can add whole
 * memory blocks (128 MiB sections on x86-64) around what it plugs:
 * QEMU's value for x86.
 */
#define VIRTIO_MEM_USABLE_EXTENT (UINT64_C(256) << 20)

/*
 * Runs of plugged blocks are mapped chunk by chunk: a RAM region never
 * crosses a chunk boundary.  A chunk is at least a Linux memory block on
 * x86-64 (128 MiB), which is what the Linux driver plugs and unplugs in
 * one request, so such a request adds or removes whole regions and never
 * deletes one the guest is using only to add it back merged or split
 * (a KVM memslot deletion holds every vCPU out and drops the slot's
 * mappings).  It grows with the region so a device has at most
 * VIRTIO_MEM_MAX_CHUNKS of them (KVM memslots are counted).
 */
#define VIRTIO_MEM_MIN_CHUNK (UINT64_C(128) << 20)
#define VIRTIO_MEM_MAX_CHUNKS 256

/*
 * What the device did since realize, readable as the read-only QOM
 * properties x-stats-* (virtio-mem-stats.c) and asserted by tests.
 * Requests count every request of the type, whatever the answer; bytes
 * count only what was done.  Mapping a plugged run cannot fail (a KVM
 * memslot failure falls back to MMIO exits in the listener), so there
 * is no map-failure counter.
 */
typedef struct VirtioMemCounters {
    uint64_t plug_requests, plugged_bytes;
    uint64_t unplug_requests, unplugged_bytes;
    uint64_t unplug_all_requests;
    uint64_t state_requests;
    uint64_t nacks, errors, busy;
    uint64_t populate_fails, discard_fails;
} VirtioMemCounters;

/*
 * Sizing: the bitmap has region_size / block_size bits, one per block,
 * set = plugged; plugged_blocks is its population count, kept in step.
 *
 * Host mapping: only plugged blocks are guest RAM.  Each maximal run of
 * plugged blocks inside one chunk (chunk_blocks blocks, aligned to the
 * region start) is one RAM region in `container` (the device's window in
 * the device-memory area).  Unplugged blocks are not RAM at all: with
 * zero_holes they read as zeros through the container (the spec lets a
 * driver without UNPLUGGED_INACCESSIBLE read them), otherwise they are
 * unassigned.  Either way a guest cannot make the host allocate memory
 * for a block it was not given.
 *
 * Called with the machine lock held; may allocate and take the memory
 * writer mutex; never waits for an RCU grace period.
 */
typedef struct VirtioMemBlocks {
    uint64_t region_size;
    uint64_t block_size;
    uint64_t nb_blocks;
    uint64_t usable_region_size;
    uint64_t plugged_blocks;
    uint64_t chunk_blocks;      /* no RAM region crosses a multiple of it */
    uint64_t *bitmap;
    HostMemoryBackend *backend;
    MemoryRegion *container;
    GPtrArray *extents;         /* VirtioMemExtent *, sorted by first block */
    bool prealloc;              /* populate before mapping a plug */
    unsigned prealloc_threads;
    VirtioMemCounters counters;
} VirtioMemBlocks;

/* container must be region_size bytes; the blocks start all unplugged. */
void virtio_mem_blocks_init(VirtioMemBlocks *b, HostMemoryBackend *backend,
                            MemoryRegion *container, uint64_t block_size);
void virtio_mem_blocks_destroy(VirtioMemBlocks *b);

static inline uint64_t virtio_mem_blocks_plugged_size(const VirtioMemBlocks *b)
{
    return b->plugged_blocks * b->block_size;
}

/* QEMU's rule: requested + 256 MiB, block-aligned, capped; 0 for 0. */
uint64_t virtio_mem_usable_size_for(const VirtioMemBlocks *b,
                                    uint64_t requested);
/* Grow (or, with can_shrink, shrink) the usable region for requested. */
void virtio_mem_blocks_resize_usable(VirtioMemBlocks *b, uint64_t requested,
                                     bool can_shrink);

/*
 * A request's range as block numbers: offset must be block-aligned,
 * nb_blocks non-zero, and every block inside the usable region, with no
 * overflow anywhere.  offset is relative to the region start.
 */
bool virtio_mem_blocks_range_valid(const VirtioMemBlocks *b, uint64_t offset,
                                   uint64_t nb_blocks, uint64_t *first);
bool virtio_mem_blocks_range_plugged(const VirtioMemBlocks *b, uint64_t first,
                                     uint64_t n);
bool virtio_mem_blocks_range_unplugged(const VirtioMemBlocks *b,
                                       uint64_t first, uint64_t n);

/*
 * Plug order: populate (prealloc), map as guest RAM, set the bits.
 * Unplug order: unmap, discard (host memory back), clear the bits.  Either
 * completes or leaves bitmap, mapping and size as they were, returning
 * false with the host's reason.  The range must be valid and entirely in
 * the opposite state (a caller bug otherwise).
 */
bool virtio_mem_blocks_plug(VirtioMemBlocks *b, uint64_t first, uint64_t n,
                            Error **errp);
bool virtio_mem_blocks_unplug(VirtioMemBlocks *b, uint64_t first, uint64_t n,
                              Error **errp);
/* Unplug everything (UNPLUG_ALL, system reset). */
bool virtio_mem_blocks_unplug_all(VirtioMemBlocks *b, Error **errp);
/* Number of mapped runs, split at chunks (each one RAM range, one memslot). */
unsigned virtio_mem_blocks_nr_extents(const VirtioMemBlocks *b);

#endif
