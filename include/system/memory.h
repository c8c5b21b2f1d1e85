/* Guest-physical address spaces: region trees rendered into RCU flat views. */
#ifndef SYSTEM_MEMORY_H
#define SYSTEM_MEMORY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu.h>

/*
 * Model (QEMU's, cut down):
 *
 * - A MemoryRegion is RAM (a host pointer the owner supplies), I/O (MMIO
 *   or port I/O dispatched through MemoryRegionOps), an ALIAS (a window
 *   of another region) or a CONTAINER (children at addresses).
 * - An AddressSpace has a root region.  Every topology change renders the
 *   tree into a FlatView: a sorted array of non-overlapping FlatRanges.
 *   The view is published with rcu_assign_pointer() and freed after a
 *   grace period with call_rcu(), so readers never take a lock.
 * - MemoryListeners hear about RAM ranges that appear and disappear.
 *
 * Threads: every thread that reads a flat view (vCPUs, the qtest engine,
 * virtqueue code, the main loop) must call rcu_register_thread() once
 * before its first rcu_read_lock() and rcu_unregister_thread() before it
 * exits.  Topology changes (everything below that changes a region or an
 * address space) may come from any registered thread; Tide makes them
 * from the main loop or from a vCPU under the machine lock.  They are
 * serialized by a recursive mutex inside this module, never block on a
 * grace period, and so may run inside an RCU read-side critical section
 * (a guest's PCI BAR write moves a region from an MMIO callback).
 *
 * Lifetime: a region removed from the tree (or an address space root
 * being destroyed) may still be reached by readers that picked up an
 * older view.  Its owner must keep the MemoryRegion, its RAM and its ops
 * opaque alive until a grace period has passed: free them from a
 * call_rcu() callback, or after synchronize_rcu() called from a thread
 * that holds no lock a reader may wait for (not the machine lock, not
 * inside rcu_read_lock()).
 */

typedef struct MemoryRegion MemoryRegion;
typedef struct MemoryRegionOps MemoryRegionOps;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct FlatRange FlatRange;
typedef struct MemoryListener MemoryListener;

typedef enum MemoryRegionKind {
    MEMORY_REGION_RAM,
    MEMORY_REGION_IO,           /* MMIO or port I/O: dispatched through ops */
    MEMORY_REGION_ALIAS,
    MEMORY_REGION_CONTAINER,
} MemoryRegionKind;

/*
 * Callbacks of an I/O region.  addr is the offset in the region; values
 * are little-endian, size is 1, 2, 4 or 8.  A NULL read reads all-ones,
 * a NULL write is dropped.
 *
 * valid: the access sizes the guest may use (0 means the default, 1 for
 * min and 4 for max, as QEMU).  An access of another size reads as
 * all-ones and is dropped on write; it never reaches the callbacks.
 *
 * impl: the sizes the callbacks handle (same defaults).  A wider access
 * is split into several callbacks, lowest address first; a narrower one
 * becomes one callback of impl.min_access_size at the address aligned
 * down to that size, the bytes picked out with shift and mask.  A widened
 * write carries zeros in the bytes the guest did not write: there is no
 * read-modify-write, because reads may have side effects.  A device that
 * needs byte-granular writes declares impl.min_access_size = 1.
 *
 * Sizes must be 0, 1, 2, 4 or 8, and min <= max once defaults are
 * applied (checked when the region is initialized).
 */
struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, uint64_t addr, unsigned size);
    void (*write)(void *opaque, uint64_t addr, uint64_t val, unsigned size);
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
    } valid;
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
    } impl;
};

/*
 * Callers embed a MemoryRegion and initialize it with one of the
 * memory_region_init_* functions; the fields are private to this module.
 * Fields that readers reach through a flat view (kind, host, ops,
 * opaque) never change after init.
 */
struct MemoryRegion {
    MemoryRegionKind kind;
    char *name;
    /* Bytes; 0 is an empty region, except for a container with spans_all. */
    uint64_t size;
    bool spans_all;             /* a container covering all 2^64 addresses */
    bool enabled;
    bool readonly;              /* RAM: guest writes are dropped (ROM) */
    bool holes_read_zero;       /* CONTAINER: uncovered bytes read zero */
    void *host;                 /* RAM */
    const MemoryRegionOps *ops; /* IO */
    void *opaque;               /* IO */
    MemoryRegion *alias;        /* ALIAS: the region shown */
    uint64_t alias_offset;      /* ALIAS: where the window starts in it */
    GPtrArray *subregions;      /* CONTAINER: children, first one wins */
    MemoryRegion *container;    /* as a child: NULL when not mapped */
    uint64_t addr;              /* as a child: offset in the container */
    int priority;               /* as a child */
};

/* size bytes of RAM at host, which the caller owns and keeps mapped. */
void memory_region_init_ram_ptr(MemoryRegion *mr, const char *name,
                                uint64_t size, void *host);
/* MMIO or port I/O; ops must outlive the region (usually static const). */
void memory_region_init_io(MemoryRegion *mr, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size);
/*
 * Shows bytes [offset, offset + size) of orig.  Bytes of the window past
 * the end of orig are holes.  An alias may show a container, and aliases
 * may be chained; a cycle is cut after a fixed depth with a warning.
 */
void memory_region_init_alias(MemoryRegion *mr, const char *name,
                              MemoryRegion *orig, uint64_t offset,
                              uint64_t size);
/*
 * A container of size bytes; size 0 means all 2^64 addresses (the root
 * of an address space).  Children are clipped to the container.
 */
void memory_region_init_container(MemoryRegion *mr, const char *name,
                                  uint64_t size);
/*
 * Frees what init allocated.  mr must not be a child of a container nor
 * the root of an address space; a container's children are unmapped.
 * See "Lifetime" above for when this may run.
 */
void memory_region_destroy(MemoryRegion *mr);

/*
 * Maps child at offset addr of container.  Where children overlap, the
 * higher priority wins; at equal priority the child added last wins (as
 * QEMU).  A child is in at most one container at a time: mapping a
 * mapped child, or into a region that is not a container, is a caller
 * bug and aborts (no guest or user input decides either).
 */
void memory_region_add_subregion(MemoryRegion *container, uint64_t addr,
                                 MemoryRegion *child);
void memory_region_add_subregion_overlap(MemoryRegion *container,
                                         uint64_t addr, MemoryRegion *child,
                                         int priority);
/* child must be a child of container (a caller bug otherwise: aborts). */
void memory_region_del_subregion(MemoryRegion *container,
                                 MemoryRegion *child);
/* Moves a mapped child; it keeps its rank among equal priorities. */
void memory_region_set_address(MemoryRegion *child, uint64_t addr);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset);
/*
 * Container only: bytes no child covers read as zeros and writes to them
 * are dropped, and accesses there succeed, instead of the all-ones of an
 * unassigned address.  Used for holes inside RAM.  The holes are not RAM:
 * listeners do not hear about them, address_space_map() refuses them.
 */
void memory_region_set_holes_read_zero(MemoryRegion *mr, bool on);

static inline uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size;    /* 0 with spans_all means 2^64 */
}

static inline const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

/*
 * Batches changes: the flat views are rebuilt, and listeners called,
 * once, at the outermost commit.  Nests.  Between begin and commit the
 * calling thread holds the module's writer mutex, so other writers wait.
 * Not to be called from a listener callback.
 */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

/*
 * A piece of the flat view: [addr, addr + size) shows mr from
 * offset_in_region.  size is never 0 (a view covering all 2^64 addresses
 * with one region is split in two).  addr + size may wrap to 0 for the
 * range that ends at the top of the space: compute its last byte as
 * addr + size - 1.  mr is RAM, IO, or a container whose holes read zero.
 */
struct FlatRange {
    uint64_t addr;
    uint64_t size;
    MemoryRegion *mr;
    uint64_t offset_in_region;
    bool readonly;
};

/* Immutable once published; freed a grace period after it is replaced. */
struct FlatView {
    struct rcu_head rcu;
    size_t nr;
    FlatRange ranges[];         /* sorted by addr, non-overlapping */
};

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *current_map;      /* RCU: read with address_space_to_flatview */
    GPtrArray *listeners;       /* by ascending priority */
};

/*
 * The machine's two spaces, initialized by the machine with
 * address_space_init().  Tests make their own.
 */
extern AddressSpace address_space_memory;
extern AddressSpace address_space_io;

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
/* Listeners still registered hear region_del for every RAM range. */
void address_space_destroy(AddressSpace *as);

/*
 * Call inside rcu_read_lock(); the view stays valid until the matching
 * rcu_read_unlock().  Never NULL for an initialized address space.
 */
FlatView *address_space_to_flatview(AddressSpace *as);
/* The range containing addr, or NULL for an unassigned address. */
const FlatRange *flatview_lookup(const FlatView *fv, uint64_t addr);

static inline bool flat_range_is_ram(const FlatRange *fr)
{
    return fr->mr->kind == MEMORY_REGION_RAM;
}

/* The host address of the range's first byte; NULL unless RAM. */
static inline void *flat_range_host(const FlatRange *fr)
{
    if (!flat_range_is_ram(fr)) {
        return NULL;
    }
    return (uint8_t *)fr->mr->host + fr->offset_in_region;
}

/*
 * Told about RAM ranges of one address space (only RAM: KVM memslots are
 * what this is for; MMIO and zero holes are not reported).  On a change,
 * every listener gets begin, then region_del for each RAM range that is
 * gone or changed (in descending priority), then region_add for each new
 * or changed one (ascending priority), then commit.  begin and commit are
 * called once per rebuild even when no RAM range changed.  A range is
 * "changed" when any FlatRange field differs; adjacent pieces of one
 * region with contiguous offsets are merged into one range first.
 *
 * Callbacks run on the thread making the change, with the writer mutex
 * held (and, in Tide, the machine lock).  They must not change the
 * topology nor wait for a grace period.  The FlatRange passed is valid
 * only during the call.  Any callback may be NULL.
 *
 * region_del's remapped is true when some of the range's addresses are
 * RAM again once the update is done (a range merged, split or changed):
 * until its region_add, the guest must not run into the hole.  False
 * means the addresses leave the guest's RAM.
 */
struct MemoryListener {
    void (*begin)(MemoryListener *listener);
    void (*region_add)(MemoryListener *listener, const FlatRange *fr);
    void (*region_del)(MemoryListener *listener, const FlatRange *fr,
                       bool remapped);
    void (*commit)(MemoryListener *listener);
    int priority;
    const char *name;
    AddressSpace *as;           /* private: where it is registered */
};

/*
 * Registers listener (whose as field must be NULL: zero-initialize it)
 * and tells it about every current RAM range.
 */
void memory_listener_register(MemoryListener *listener, AddressSpace *as);
/* Tells the listener region_del for every current RAM range; forgets it. */
void memory_listener_unregister(MemoryListener *listener);

#endif
