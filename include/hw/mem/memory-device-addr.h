/* Memory-device placement arithmetic, free of objects so tests can drive it. */
#ifndef HW_MEM_MEMORY_DEVICE_ADDR_H
#define HW_MEM_MEMORY_DEVICE_ADDR_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

/*
 * A device already placed in the device-memory area: [addr, addr + size).
 * id is what a conflict error names; NULL for an anonymous device (QEMU
 * then says id='(unnamed)').  A range of size 0 occupies nothing.
 */
typedef struct MemoryDeviceRange {
    uint64_t addr;
    uint64_t size;
    const char *id;
} MemoryDeviceRange;

/*
 * Space accounting done before placement (QEMU's
 * memory_device_check_addable plus the "maxmem" check that precedes it).
 *
 * space_total is the budget for memory devices, maxmem - ram_size; it is
 * not the area size, which the PC machine pads with 1 GiB per slot.  0
 * means no maxmem was given: memory devices are not enabled.
 * used_total is the sum of the region sizes of the devices already
 * placed, size the region size of the one being added.  Overflow of
 * used_total + size counts as "not enough space".
 */
bool memory_device_check_space(uint64_t used_total, uint64_t space_total,
                               uint64_t size, Error **errp)
    G_GNUC_WARN_UNUSED_RESULT;

/*
 * True when placing with this alignment will fragment the area: its base
 * is not aligned to align.  QEMU takes the base's own alignment as the
 * largest it expects and then warns (the caller does, with
 * MEMORY_DEVICE_ALIGN_WARNING_FMT) before the space check; the PC area
 * starts 1 GiB-aligned, so alignments above 1 GiB usually trigger it.
 * align 0 means 1.
 */
bool memory_device_align_fragments(uint64_t area_base, uint64_t align);

#define MEMORY_DEVICE_ALIGN_WARNING_FMT                                   \
    "the alignment (0x%" G_GINT64_MODIFIER "x) exceeds the expected"      \
    " maximum alignment, memory will get fragmented and not all 'maxmem'" \
    " might be usable for memory devices."

/*
 * Where a device of size bytes goes in the area [area_base, area_base +
 * area_size), given the devices already placed in used[0..nr_used) (any
 * order; nothing is written to them).  QEMU 7.2's
 * memory_device_get_free_addr, check for check and message for message:
 *
 *  1. a hint (memaddr=) must be a multiple of align;
 *  2. size must be a multiple of align (the backend size against the
 *     device's block size: QEMU checks it here, so the device need not);
 *  3. a hinted range must lie inside the area, else "can't add memory
 *     device [hint:size], usable range for memory devices
 *     [area_base:area_size]" (QEMU prints sizes, not ends, in both);
 *  4. scanning used ranges in address order: with a hint, the first one
 *     it overlaps is an error naming that device; without, the candidate
 *     moves to the first align boundary after each range it overlaps
 *     (first fit);
 *  5. a candidate that ends up outside the area, or could not be formed
 *     without passing 2^64, is "could not find position ... fragmented".
 *
 * align 0 means 1 (no alignment); it need not be a power of two.
 * Everything is computed without wrapping: an area running past 2^64 is
 * treated as ending at 2^64, and a range that would wrap is refused.
 * On success *addr is set; on failure *addr is untouched.
 */
bool memory_device_find_addr(uint64_t area_base, uint64_t area_size,
                             const MemoryDeviceRange *used, size_t nr_used,
                             uint64_t align, uint64_t size,
                             const uint64_t *hint, uint64_t *addr,
                             Error **errp) G_GNUC_WARN_UNUSED_RESULT;

#endif
