/* Reading, writing and mapping guest-physical memory of an address space. */
#ifndef SYSTEM_PHYSMEM_H
#define SYSTEM_PHYSMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "system/memory.h"

/*
 * What an access met, as bit flags OR-ed over all its bytes (0 is full
 * success).  None of these is fatal: reads always fill the whole buffer
 * (0xff where nothing answered), writes to nothing are dropped.
 */
typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_UNASSIGNED = 1 << 0,      /* some bytes hit no region */
    MEMTX_ACCESS_ERROR = 1 << 1,    /* an I/O region refused the size */
    MEMTX_RANGE_ERROR = 1 << 2,     /* [addr, addr + len) wraps past 2^64:
                                     * nothing was accessed */
} MemTxResult;

/*
 * All of these take rcu_read_lock() themselves (it nests), so the calling
 * thread must be registered with rcu_register_thread().
 *
 * The range is split at flat range boundaries.  RAM is copied with
 * memcpy; I/O regions are called in naturally aligned chunks of at most
 * their ops' valid.max_access_size (as QEMU's address_space_rw), so a
 * chunk may come out smaller than valid.min_access_size and be refused:
 * it reads all-ones and its write is dropped.  Bytes no region covers
 * read 0xff (0x00 in a container whose holes read zero, which counts as
 * success).  Writes to read-only RAM are dropped and count as success,
 * as a ROM; address_space_write_rom() writes it anyway (for loaders).
 *
 * I/O callbacks run inside the read-side critical section, on the
 * calling thread; the caller takes whatever lock the devices need.
 */
MemTxResult address_space_read(AddressSpace *as, uint64_t addr, void *buf,
                               uint64_t len);
MemTxResult address_space_write(AddressSpace *as, uint64_t addr,
                                const void *buf, uint64_t len);
MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr,
                                    const void *buf, uint64_t len);

/*
 * One little-endian value of size 1, 2, 4 or 8 bytes through
 * address_space_read/write (so an 8-byte access to a 4-byte device is
 * two callbacks, as QEMU's qtest readq).  Another size fails with
 * MEMTX_ACCESS_ERROR.  *val is always set: all-ones where nothing
 * answered.
 */
MemTxResult address_space_ld(AddressSpace *as, uint64_t addr, unsigned size,
                             uint64_t *val);
MemTxResult address_space_st(AddressSpace *as, uint64_t addr, unsigned size,
                             uint64_t val);

static inline uint8_t address_space_ldub(AddressSpace *as, uint64_t addr,
                                         MemTxResult *result)
{
    uint64_t v;
    MemTxResult r = address_space_ld(as, addr, 1, &v);

    if (result) {
        *result = r;
    }
    return (uint8_t)v;
}

static inline uint16_t address_space_lduw_le(AddressSpace *as, uint64_t addr,
                                             MemTxResult *result)
{
    uint64_t v;
    MemTxResult r = address_space_ld(as, addr, 2, &v);

    if (result) {
        *result = r;
    }
    return (uint16_t)v;
}

static inline uint32_t address_space_ldl_le(AddressSpace *as, uint64_t addr,
                                            MemTxResult *result)
{
    uint64_t v;
    MemTxResult r = address_space_ld(as, addr, 4, &v);

    if (result) {
        *result = r;
    }
    return (uint32_t)v;
}

static inline uint64_t address_space_ldq_le(AddressSpace *as, uint64_t addr,
                                            MemTxResult *result)
{
    uint64_t v;
    MemTxResult r = address_space_ld(as, addr, 8, &v);

    if (result) {
        *result = r;
    }
    return v;
}

static inline MemTxResult address_space_stb(AddressSpace *as, uint64_t addr,
                                            uint8_t val)
{
    return address_space_st(as, addr, 1, val);
}

static inline MemTxResult address_space_stw_le(AddressSpace *as,
                                               uint64_t addr, uint16_t val)
{
    return address_space_st(as, addr, 2, val);
}

static inline MemTxResult address_space_stl_le(AddressSpace *as,
                                               uint64_t addr, uint32_t val)
{
    return address_space_st(as, addr, 4, val);
}

static inline MemTxResult address_space_stq_le(AddressSpace *as,
                                               uint64_t addr, uint64_t val)
{
    return address_space_st(as, addr, 8, val);
}

/*
 * A direct host pointer to guest memory at addr, for virtqueues: only
 * when addr lies in RAM (writable RAM if is_write).  *plen is shortened
 * to the bytes that are contiguous RAM in that one flat range; NULL (and
 * *plen = 0) for MMIO, holes, a zero length, or read-only RAM on write.
 *
 * The caller must be inside rcu_read_lock() and must not use the pointer
 * after the matching rcu_read_unlock(): after that the RAM may be
 * unmapped from the guest and its host memory discarded or freed.
 */
void *address_space_map(AddressSpace *as, uint64_t addr, uint64_t *plen,
                        bool is_write);

/*
 * One access of size bytes at offset addr of an I/O region, with the
 * valid/impl rules of its ops (see MemoryRegionOps).  A refused access
 * reads all-ones, is not written, and returns MEMTX_ACCESS_ERROR.
 */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, uint64_t addr,
                                        uint64_t *val, unsigned size);
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, uint64_t addr,
                                         uint64_t val, unsigned size);

#endif
