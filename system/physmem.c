/* Guest-physical accesses: split over flat ranges, memcpy or I/O callbacks. */
#define _LGPL_SOURCE            /* inline urcu read-side primitives */
#include "system/physmem.h"

#include <string.h>

static uint64_t size_mask(unsigned bytes)
{
    return bytes >= 8 ? UINT64_MAX : (UINT64_C(1) << (bytes * 8)) - 1;
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)p[i] << (i * 8);
    }
    return v;
}

static void store_le(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        p[i] = v >> (i * 8);
    }
}

static unsigned pow2floor(uint64_t v)
{
    unsigned p = 1;

    while (p <= 4 && (uint64_t)p * 2 <= v) {
        p *= 2;
    }
    return p;
}

static bool is_access_size(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

static unsigned valid_min(const MemoryRegionOps *ops)
{
    return ops->valid.min_access_size ? ops->valid.min_access_size : 1;
}

static unsigned valid_max(const MemoryRegionOps *ops)
{
    return ops->valid.max_access_size ? ops->valid.max_access_size : 4;
}

static unsigned impl_min(const MemoryRegionOps *ops)
{
    return ops->impl.min_access_size ? ops->impl.min_access_size : 1;
}

static unsigned impl_max(const MemoryRegionOps *ops)
{
    return ops->impl.max_access_size ? ops->impl.max_access_size : 4;
}

/* The size the callbacks see for a guest access of size bytes. */
static unsigned impl_size(const MemoryRegionOps *ops, unsigned size)
{
    return MAX(MIN(size, impl_max(ops)), impl_min(ops));
}

/*
 * The callback units covering [addr, addr + size) are impl-sized and
 * aligned; lo and hi are the bytes of unit u the access owns.
 */
static void unit_overlap(uint64_t u, unsigned a, uint64_t addr,
                         uint64_t last, uint64_t *lo, uint64_t *hi)
{
    *lo = MAX(u, addr);
    *hi = MIN(u + (a - 1), last);
}

MemTxResult memory_region_dispatch_read(MemoryRegion *mr, uint64_t addr,
                                        uint64_t *val, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    uint64_t last, result = 0;
    unsigned a;

    if (!is_access_size(size) || size < valid_min(ops) ||
        size > valid_max(ops) ||
        __builtin_add_overflow(addr, size - 1, &last)) {
        *val = is_access_size(size) ? size_mask(size) : UINT64_MAX;
        return MEMTX_ACCESS_ERROR;
    }
    a = impl_size(ops, size);
    for (uint64_t u = addr & ~(uint64_t)(a - 1);; u += a) {
        uint64_t v = ops->read ? ops->read(mr->opaque, u, a) : UINT64_MAX;
        uint64_t lo, hi;

        unit_overlap(u, a, addr, last, &lo, &hi);
        v = (v >> ((lo - u) * 8)) & size_mask(hi - lo + 1);
        result |= v << ((lo - addr) * 8);
        if (u + (a - 1) >= last) {
            break;      /* before u += a could wrap at the top */
        }
    }
    *val = result;
    return MEMTX_OK;
}

MemTxResult memory_region_dispatch_write(MemoryRegion *mr, uint64_t addr,
                                         uint64_t val, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    uint64_t last;
    unsigned a;

    if (!is_access_size(size) || size < valid_min(ops) ||
        size > valid_max(ops) ||
        __builtin_add_overflow(addr, size - 1, &last)) {
        return MEMTX_ACCESS_ERROR;
    }
    a = impl_size(ops, size);
    for (uint64_t u = addr & ~(uint64_t)(a - 1);; u += a) {
        uint64_t lo, hi, v;

        unit_overlap(u, a, addr, last, &lo, &hi);
        v = (val >> ((lo - addr) * 8)) & size_mask(hi - lo + 1);
        if (ops->write) {
            ops->write(mr->opaque, u, v << ((lo - u) * 8), a);
        }
        if (u + (a - 1) >= last) {
            break;
        }
    }
    return MEMTX_OK;
}

/*
 * The next guest access of an I/O range: as large as the region allows,
 * naturally aligned to the offset, no larger than what is left.
 */
static unsigned io_chunk_size(const MemoryRegionOps *ops, uint64_t off,
                              uint64_t len)
{
    uint64_t max = valid_max(ops);
    uint64_t align = off & -off;    /* 0 for offset 0: any size fits */

    if (align && align < max) {
        max = align;
    }
    return pow2floor(MIN(len, max));
}

static MemTxResult io_access(MemoryRegion *mr, uint64_t off, uint8_t *buf,
                             uint64_t len, bool is_write)
{
    MemTxResult r = MEMTX_OK;

    while (len) {
        unsigned l = io_chunk_size(mr->ops, off, len);
        uint64_t v;

        if (is_write) {
            r |= memory_region_dispatch_write(mr, off, load_le(buf, l), l);
        } else {
            r |= memory_region_dispatch_read(mr, off, &v, l);
            store_le(buf, v, l);
        }
        off += l;
        buf += l;
        len -= l;
    }
    return r;
}

/* Bytes from addr (a hole) up to the next range, at most len. */
static uint64_t hole_length(const FlatView *fv, uint64_t addr, uint64_t len)
{
    size_t lo = 0, hi = fv->nr;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fv->ranges[mid].addr <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo < fv->nr && fv->ranges[lo].addr - addr < len) {
        return fv->ranges[lo].addr - addr;
    }
    return len;
}

/* Whether [off, off + len) lies inside mr: never trust the view blindly. */
static bool ram_in_bounds(const MemoryRegion *mr, uint64_t off, uint64_t len)
{
    return off <= mr->size && len <= mr->size - off;
}

typedef enum AccessKind {
    ACCESS_READ,
    ACCESS_WRITE,
    ACCESS_WRITE_ROM,
} AccessKind;

static MemTxResult flatview_access(const FlatView *fv, uint64_t addr,
                                   uint8_t *buf, uint64_t len, AccessKind kind)
{
    bool is_write = kind != ACCESS_READ;
    MemTxResult r = MEMTX_OK;

    while (len) {
        const FlatRange *fr = flatview_lookup(fv, addr);
        uint64_t l, off;

        if (!fr) {
            l = hole_length(fv, addr, len);
            if (!is_write) {
                memset(buf, 0xff, l);
            }
            r |= MEMTX_UNASSIGNED;
        } else {
            l = MIN(len, fr->size - (addr - fr->addr));
            off = fr->offset_in_region + (addr - fr->addr);
            switch (fr->mr->kind) {
            case MEMORY_REGION_RAM:
                if (!ram_in_bounds(fr->mr, off, l)) {
                    if (!is_write) {
                        memset(buf, 0xff, l);
                    }
                    r |= MEMTX_UNASSIGNED;
                } else if (!is_write) {
                    memcpy(buf, (uint8_t *)fr->mr->host + off, l);
                } else if (!fr->readonly || kind == ACCESS_WRITE_ROM) {
                    memcpy((uint8_t *)fr->mr->host + off, buf, l);
                }
                break;
            case MEMORY_REGION_IO:
                r |= io_access(fr->mr, off, buf, l, is_write);
                break;
            default:
                /* A container's hole that reads zero. */
                if (!is_write) {
                    memset(buf, 0, l);
                }
                break;
            }
        }
        buf += l;
        addr += l;      /* wraps to 0 only with len reaching 0 */
        len -= l;
    }
    return r;
}

static MemTxResult address_space_access(AddressSpace *as, uint64_t addr,
                                        uint8_t *buf, uint64_t len,
                                        AccessKind kind)
{
    uint64_t last;
    MemTxResult r;

    if (len == 0) {
        return MEMTX_OK;
    }
    if (__builtin_add_overflow(addr, len - 1, &last)) {
        if (kind == ACCESS_READ) {
            memset(buf, 0xff, len);
        }
        return MEMTX_RANGE_ERROR;
    }
    rcu_read_lock();
    r = flatview_access(address_space_to_flatview(as), addr, buf, len, kind);
    rcu_read_unlock();
    return r;
}

MemTxResult address_space_read(AddressSpace *as, uint64_t addr, void *buf,
                               uint64_t len)
{
    return address_space_access(as, addr, buf, len, ACCESS_READ);
}

MemTxResult address_space_write(AddressSpace *as, uint64_t addr,
                                const void *buf, uint64_t len)
{
    /* Writes only read from buf; the cast feeds the shared walker. */
    return address_space_access(as, addr, (uint8_t *)buf, len, ACCESS_WRITE);
}

MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr,
                                    const void *buf, uint64_t len)
{
    return address_space_access(as, addr, (uint8_t *)buf, len,
                                ACCESS_WRITE_ROM);
}

MemTxResult address_space_ld(AddressSpace *as, uint64_t addr, unsigned size,
                             uint64_t *val)
{
    uint8_t b[8];
    MemTxResult r;

    if (!is_access_size(size)) {
        *val = UINT64_MAX;
        return MEMTX_ACCESS_ERROR;
    }
    r = address_space_read(as, addr, b, size);
    *val = load_le(b, size);
    return r;
}

MemTxResult address_space_st(AddressSpace *as, uint64_t addr, unsigned size,
                             uint64_t val)
{
    uint8_t b[8];

    if (!is_access_size(size)) {
        return MEMTX_ACCESS_ERROR;
    }
    store_le(b, val, size);
    return address_space_write(as, addr, b, size);
}

void *address_space_map(AddressSpace *as, uint64_t addr, uint64_t *plen,
                        bool is_write)
{
    FlatView *fv = address_space_to_flatview(as);
    const FlatRange *fr = fv ? flatview_lookup(fv, addr) : NULL;
    uint64_t len = *plen, off;

    *plen = 0;
    if (!len || !fr || !flat_range_is_ram(fr) || (is_write && fr->readonly)) {
        return NULL;
    }
    len = MIN(len, fr->size - (addr - fr->addr));
    off = fr->offset_in_region + (addr - fr->addr);
    if (!ram_in_bounds(fr->mr, off, len)) {
        return NULL;
    }
    *plen = len;
    return (uint8_t *)fr->mr->host + off;
}
