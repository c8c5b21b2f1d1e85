/* Memory-device placement: the space check and the first-fit address, as QEMU 7.2. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "hw/mem/memory-device-addr.h"

/*
 * Ranges are inclusive [lob, upb], like QEMU's Range, so that one ending
 * exactly at 2^64 is representable; lob > upb is the empty range.
 */
typedef struct Span {
    uint64_t lob;
    uint64_t upb;
} Span;

static const Span span_empty = { .lob = 1, .upb = 0 };

static bool span_is_empty(Span s)
{
    return s.lob > s.upb;
}

/*
 * [lob, lob + size).  As QEMU's range_init(), false when lob + size
 * wraps, which refuses a range ending exactly at 2^64 too; size 0 gives
 * the empty range.
 */
static bool span_init(Span *s, uint64_t lob, uint64_t size)
{
    if (lob + size < lob) {
        return false;
    }
    *s = size ? (Span){ .lob = lob, .upb = lob + size - 1 } : span_empty;
    return true;
}

/*
 * [lob, lob + size) cut at 2^64: for ranges handed to us (the area, the
 * devices already placed) that we must accept whatever they are.
 */
static Span span_clipped(uint64_t lob, uint64_t size)
{
    if (!size) {
        return span_empty;
    }
    if (size - 1 > UINT64_MAX - lob) {
        return (Span){ .lob = lob, .upb = UINT64_MAX };
    }
    return (Span){ .lob = lob, .upb = lob + size - 1 };
}

static bool span_contains(Span outer, Span inner)
{
    if (span_is_empty(outer) || span_is_empty(inner)) {
        return false;
    }
    return outer.lob <= inner.lob && inner.upb <= outer.upb;
}

static bool spans_overlap(Span a, Span b)
{
    if (span_is_empty(a) || span_is_empty(b)) {
        return false;
    }
    return a.lob <= b.upb && b.lob <= a.upb;
}

/* The first multiple of align at or above x; false if that is 2^64 or more. */
static bool align_up(uint64_t x, uint64_t align, uint64_t *out)
{
    uint64_t rem = x % align;

    if (!rem) {
        *out = x;
        return true;
    }
    if (align - rem > UINT64_MAX - x) {
        return false;
    }
    *out = x + (align - rem);
    return true;
}

static int compare_addr(const void *a, const void *b)
{
    const MemoryDeviceRange *ra = a, *rb = b;

    return ra->addr < rb->addr ? -1 : ra->addr > rb->addr;
}

bool memory_device_check_space(uint64_t used_total, uint64_t space_total,
                               uint64_t size, Error **errp)
{
    if (!space_total) {
        error_setg(errp, "memory devices (e.g. for memory hotplug) are not "
                   "enabled, please specify the maxmem option");
        return false;
    }
    if (used_total + size < used_total || used_total + size > space_total) {
        error_setg(errp, "not enough space, currently 0x%" PRIx64
                   " in use of total space for memory devices 0x%" PRIx64,
                   used_total, space_total);
        return false;
    }
    return true;
}

bool memory_device_align_fragments(uint64_t area_base, uint64_t align)
{
    return align > 1 && area_base % align;
}

bool memory_device_find_addr(uint64_t area_base, uint64_t area_size,
                             const MemoryDeviceRange *used, size_t nr_used,
                             uint64_t align, uint64_t size,
                             const uint64_t *hint, uint64_t *addr,
                             Error **errp)
{
    g_autofree MemoryDeviceRange *sorted = NULL;
    const Span area = span_clipped(area_base, area_size);
    Span new;

    if (!align) {
        align = 1;
    }
    if (hint && *hint % align) {
        error_setg(errp, "address must be aligned to 0x%" PRIx64 " bytes",
                   align);
        return false;
    }
    if (size % align) {
        error_setg(errp, "backend memory size must be multiple of 0x%" PRIx64,
                   align);
        return false;
    }

    if (hint) {
        if (!span_init(&new, *hint, size) || !span_contains(area, new)) {
            error_setg(errp, "can't add memory device [0x%" PRIx64 ":0x%"
                       PRIx64 "], usable range for memory devices [0x%"
                       PRIx64 ":0x%" PRIx64 "]", *hint, size, area_base,
                       area_size);
            return false;
        }
    } else {
        uint64_t start;

        /*
         * QEMU's QEMU_ALIGN_UP wraps here and then fails the containment
         * check below; an empty candidate fails it the same way.
         */
        if (!align_up(area_base, align, &start)) {
            new = span_empty;
        } else if (!span_init(&new, start, size)) {
            error_setg(errp, "can't add memory device, device too big");
            return false;
        }
    }

    /*
     * Address order makes one pass enough: the candidate only moves up,
     * past the end of the range it hit, so a range sorted before that
     * one either ended below the candidate or was hit and passed.  That
     * holds even if the caller's ranges overlap each other.
     */
    if (nr_used) {
        sorted = g_new(MemoryDeviceRange, nr_used);
        memcpy(sorted, used, nr_used * sizeof(*used));
        qsort(sorted, nr_used, sizeof(*sorted), compare_addr);
    }
    for (size_t i = 0; i < nr_used && !span_is_empty(new); i++) {
        const Span tmp = span_clipped(sorted[i].addr, sorted[i].size);
        uint64_t next;

        if (spans_overlap(tmp, new)) {
            if (hint) {
                error_setg(errp, "address range conflicts with memory device"
                           " id='%s'", sorted[i].id ? sorted[i].id
                                                    : "(unnamed)");
                return false;
            }
            if (tmp.upb == UINT64_MAX || !align_up(tmp.upb + 1, align, &next)
                || !span_init(&new, next, size)) {
                new = span_empty;
            }
        } else if (tmp.lob > new.upb) {
            break;
        }
    }

    if (!span_contains(area, new)) {
        error_setg(errp, "could not find position in guest address space for "
                   "memory device - memory fragmented due to alignments");
        return false;
    }
    *addr = new.lob;
    return true;
}
