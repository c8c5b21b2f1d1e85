/* Memory regions, their rendering into flat views, RCU publishing, listeners. */

/*
 * Design notes.
 *
 * RCU flavour: urcu-memb.  Readers (vCPUs on every MMIO/PIO exit, the
 * qtest engine, virtqueue DMA) must be cheap and must not depend on the
 * process's signal handling; memb readers are a TLS counter update with a
 * compiler barrier, and the writer pays with the membarrier() syscall
 * (falling back to full fences on kernels without it).  urcu-signal
 * would steal a signal from a process that also runs KVM vCPUs and GLib;
 * urcu-qsbr would make every thread announce quiescent states, which the
 * GLib main loop and blocking KVM_RUN do not do on their own; urcu-bp is
 * slower on the read side for no gain, since all our threads are ours to
 * register.  Debian's liburcu.so ("liburcu" in pkg-config, and <urcu.h>
 * with no flavour macro) *is* the memb flavour, so we link the project's
 * one `urcu` dependency: linking liburcu-memb.so as well would give the
 * process two copies of the grace-period state.
 *
 * Old views are freed with call_rcu(), never synchronize_rcu(): a writer
 * may hold the machine lock that a reader inside rcu_read_lock() is
 * waiting for (a vCPU dispatching MMIO), and may itself run inside a
 * read-side critical section (a BAR write from an MMIO callback).
 *
 * Rendering: a depth-first walk emits "pieces" in precedence order (the
 * first piece to cover an address wins), as QEMU's render_memory_region;
 * a sweep over the pieces sorted by start, with a min-heap of the pieces
 * covering the current address keyed by precedence, cuts them into the
 * flat view in O(n log n).  Every region change rebuilds every address
 * space (there are two); transactions make that once per batch.
 */

#define _LGPL_SOURCE            /* inline urcu read-side primitives */
#include "system/memory.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/*
 * Deeper than any real tree; only an alias cycle gets here.  Kept small
 * because a cycle through n aliases in one container renders n^depth
 * times before it is cut.
 */
#define MEMORY_MAX_DEPTH 16

/* Serializes writers; recursive so that a transaction holds it throughout. */
static GRecMutex memory_lock;
static unsigned memory_transaction_depth;
static bool memory_update_pending;
static bool memory_in_commit;
static GPtrArray *memory_address_spaces;

AddressSpace address_space_memory;
AddressSpace address_space_io;

/* One region's bytes [start, last] at addresses, showing mr from offset. */
typedef struct RenderPiece {
    uint64_t start;
    uint64_t last;
    uint64_t offset;
    MemoryRegion *mr;
} RenderPiece;

typedef struct RenderCtx {
    GArray *pieces;             /* RenderPiece, earlier ones win */
    bool warned;                /* about a cycle, once per rebuild */
} RenderCtx;

/* The last offset of mr; false for an empty region. */
static bool region_last(const MemoryRegion *mr, uint64_t *last)
{
    if (mr->spans_all) {
        *last = UINT64_MAX;
        return true;
    }
    if (mr->size == 0) {
        return false;
    }
    *last = mr->size - 1;
    return true;
}

static void memory_region_init_common(MemoryRegion *mr, MemoryRegionKind kind,
                                      const char *name, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->kind = kind;
    mr->name = g_strdup(name ? name : "anonymous");
    mr->size = size;
    mr->enabled = true;
}

void memory_region_init_ram_ptr(MemoryRegion *mr, const char *name,
                                uint64_t size, void *host)
{
    /* Caller bug, not input: a backend hands over a mapping it made. */
    g_assert(host || size == 0);
    memory_region_init_common(mr, MEMORY_REGION_RAM, name, size);
    mr->host = host;
}

static bool access_size_ok(unsigned size)
{
    return size == 0 || size == 1 || size == 2 || size == 4 || size == 8;
}

void memory_region_init_io(MemoryRegion *mr, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size)
{
    /* ops are static tables in device code: a bad one is a Tide bug. */
    g_assert(ops);
    g_assert(access_size_ok(ops->valid.min_access_size) &&
             access_size_ok(ops->valid.max_access_size) &&
             access_size_ok(ops->impl.min_access_size) &&
             access_size_ok(ops->impl.max_access_size));
    g_assert((ops->valid.min_access_size ? ops->valid.min_access_size : 1) <=
             (ops->valid.max_access_size ? ops->valid.max_access_size : 4));
    g_assert((ops->impl.min_access_size ? ops->impl.min_access_size : 1) <=
             (ops->impl.max_access_size ? ops->impl.max_access_size : 4));
    memory_region_init_common(mr, MEMORY_REGION_IO, name, size);
    mr->ops = ops;
    mr->opaque = opaque;
}

void memory_region_init_alias(MemoryRegion *mr, const char *name,
                              MemoryRegion *orig, uint64_t offset,
                              uint64_t size)
{
    g_assert(orig);
    memory_region_init_common(mr, MEMORY_REGION_ALIAS, name, size);
    mr->alias = orig;
    mr->alias_offset = offset;
}

void memory_region_init_container(MemoryRegion *mr, const char *name,
                                  uint64_t size)
{
    memory_region_init_common(mr, MEMORY_REGION_CONTAINER, name, size);
    mr->spans_all = size == 0;
    mr->subregions = g_ptr_array_new();
}

void memory_region_transaction_begin(void)
{
    g_rec_mutex_lock(&memory_lock);
    /* A listener changing the topology would re-enter the rebuild. */
    g_assert(!memory_in_commit);
    memory_transaction_depth++;
}

/* Mark the views stale; the caller is inside a transaction. */
static void memory_region_changed(void)
{
    memory_update_pending = true;
}

void memory_region_destroy(MemoryRegion *mr)
{
    memory_region_transaction_begin();
    /* Destroying a mapped region is a Tide bug: unmap it first. */
    g_assert(!mr->container);
    if (mr->subregions) {
        for (guint i = 0; i < mr->subregions->len; i++) {
            MemoryRegion *child = g_ptr_array_index(mr->subregions, i);
            child->container = NULL;
        }
        if (mr->subregions->len) {
            memory_region_changed();
        }
        g_ptr_array_free(mr->subregions, true);
        mr->subregions = NULL;
    }
    g_clear_pointer(&mr->name, g_free);
    memory_region_transaction_commit();
}

void memory_region_add_subregion_overlap(MemoryRegion *container,
                                         uint64_t addr, MemoryRegion *child,
                                         int priority)
{
    guint i;

    memory_region_transaction_begin();
    /* Both are caller bugs that no guest or user input can reach. */
    g_assert(container->kind == MEMORY_REGION_CONTAINER);
    g_assert(!child->container && child != container);
    child->container = container;
    child->addr = addr;
    child->priority = priority;
    /*
     * Children are kept in precedence order: before every child of lower
     * or equal priority, so that the newest of equals comes first.
     */
    for (i = 0; i < container->subregions->len; i++) {
        MemoryRegion *other = g_ptr_array_index(container->subregions, i);
        if (priority >= other->priority) {
            break;
        }
    }
    g_ptr_array_insert(container->subregions, i, child);
    memory_region_changed();
    memory_region_transaction_commit();
}

void memory_region_add_subregion(MemoryRegion *container, uint64_t addr,
                                 MemoryRegion *child)
{
    memory_region_add_subregion_overlap(container, addr, child, 0);
}

void memory_region_del_subregion(MemoryRegion *container,
                                 MemoryRegion *child)
{
    memory_region_transaction_begin();
    /* A caller bug: deleting what it did not add. */
    g_assert(child->container == container);
    g_ptr_array_remove(container->subregions, child);
    child->container = NULL;
    memory_region_changed();
    memory_region_transaction_commit();
}

void memory_region_set_address(MemoryRegion *child, uint64_t addr)
{
    memory_region_transaction_begin();
    if (child->addr != addr) {
        child->addr = addr;
        if (child->container) {
            memory_region_changed();
        }
    }
    memory_region_transaction_commit();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    memory_region_transaction_begin();
    if (mr->enabled != enabled) {
        mr->enabled = enabled;
        memory_region_changed();
    }
    memory_region_transaction_commit();
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    memory_region_transaction_begin();
    if (mr->readonly != readonly) {
        mr->readonly = readonly;
        memory_region_changed();
    }
    memory_region_transaction_commit();
}

void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset)
{
    memory_region_transaction_begin();
    g_assert(mr->kind == MEMORY_REGION_ALIAS);  /* caller bug */
    if (mr->alias_offset != offset) {
        mr->alias_offset = offset;
        memory_region_changed();
    }
    memory_region_transaction_commit();
}

void memory_region_set_holes_read_zero(MemoryRegion *mr, bool on)
{
    memory_region_transaction_begin();
    g_assert(mr->kind == MEMORY_REGION_CONTAINER);  /* caller bug */
    if (mr->holes_read_zero != on) {
        mr->holes_read_zero = on;
        memory_region_changed();
    }
    memory_region_transaction_commit();
}

/* Rendering ------------------------------------------------------------ */

static void render_emit(GArray *pieces, MemoryRegion *mr, uint64_t start,
                        uint64_t last, uint64_t offset)
{
    RenderPiece p = { .start = start, .last = last, .offset = offset,
                      .mr = mr };

    g_array_append_val(pieces, p);
}

/*
 * Emit mr's bytes from offset off at addresses [start, last], clipped to
 * mr, children first in precedence order.  Offsets are carried instead
 * of base addresses so that nothing is ever subtracted below zero.
 */
static void render_region(RenderCtx *ctx, MemoryRegion *mr, uint64_t start,
                          uint64_t last, uint64_t off, unsigned depth)
{
    uint64_t mr_last, target_off, win_last;

    if (!mr->enabled || !region_last(mr, &mr_last) || off > mr_last) {
        return;
    }
    if (depth > MEMORY_MAX_DEPTH) {
        if (ctx->warned) {
            return;
        }
        ctx->warned = true;
        warn_report("memory region '%s' nests deeper than %d levels; "
                    "an alias cycle?  Not rendering it", mr->name,
                    MEMORY_MAX_DEPTH);
        return;
    }
    if (last - start > mr_last - off) {
        last = start + (mr_last - off);
    }

    switch (mr->kind) {
    case MEMORY_REGION_RAM:
    case MEMORY_REGION_IO:
        render_emit(ctx->pieces, mr, start, last, off);
        break;
    case MEMORY_REGION_ALIAS:
        if (__builtin_add_overflow(mr->alias_offset, off, &target_off)) {
            return;     /* the window lies past 2^64 in the target */
        }
        render_region(ctx, mr->alias, start, last, target_off, depth + 1);
        break;
    case MEMORY_REGION_CONTAINER:
        /* The window in the container's own offsets is [off, win_last]. */
        win_last = off + (last - start);
        for (guint i = 0; i < mr->subregions->len; i++) {
            MemoryRegion *child = g_ptr_array_index(mr->subregions, i);
            uint64_t child_last, child_end, lo, hi;

            if (!child->enabled || !region_last(child, &child_last)) {
                continue;
            }
            if (__builtin_add_overflow(child->addr, child_last, &child_end)) {
                child_end = UINT64_MAX;     /* clipped at the top */
            }
            lo = MAX(child->addr, off);
            hi = MIN(child_end, win_last);
            if (lo > hi) {
                continue;
            }
            render_region(ctx, child, start + (lo - off), start + (hi - off),
                          lo - child->addr, depth + 1);
        }
        if (mr->holes_read_zero) {
            /* Last in precedence: it shows only where no child does. */
            render_emit(ctx->pieces, mr, start, last, off);
        }
        break;
    }
}

typedef struct PieceStart {
    uint64_t start;
    guint index;
} PieceStart;

static int piece_start_cmp(const void *a, const void *b)
{
    const PieceStart *pa = a, *pb = b;

    if (pa->start != pb->start) {
        return pa->start < pb->start ? -1 : 1;
    }
    return pa->index < pb->index ? -1 : pa->index > pb->index;
}

/* A binary min-heap of piece indices: the lowest index wins. */
typedef struct PieceHeap {
    guint *items;
    size_t len;
} PieceHeap;

static void heap_push(PieceHeap *h, guint v)
{
    size_t i = h->len++;

    while (i > 0 && h->items[(i - 1) / 2] > v) {
        h->items[i] = h->items[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->items[i] = v;
}

static void heap_pop(PieceHeap *h)
{
    guint v = h->items[--h->len];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->len) {
            break;
        }
        if (c + 1 < h->len && h->items[c + 1] < h->items[c]) {
            c++;
        }
        if (h->items[c] >= v) {
            break;
        }
        h->items[i] = h->items[c];
        i = c;
    }
    if (h->len) {
        h->items[i] = v;
    }
}

/* Append [start, last] showing mr from offset; merge with a contiguous one. */
static void segment_append(GArray *segs, MemoryRegion *mr, uint64_t start,
                           uint64_t last, uint64_t offset)
{
    if (segs->len) {
        RenderPiece *prev = &g_array_index(segs, RenderPiece, segs->len - 1);
        uint64_t prev_off_last = prev->offset + (prev->last - prev->start);

        if (prev->mr == mr && prev->last + 1 == start &&
            prev_off_last != UINT64_MAX && prev_off_last + 1 == offset) {
            prev->last = last;
            return;
        }
    }
    render_emit(segs, mr, start, last, offset);
}

/* Cut the pieces (in precedence order) into non-overlapping segments. */
static GArray *pieces_to_segments(GArray *pieces)
{
    guint n = pieces->len;
    GArray *segs = g_array_new(false, false, sizeof(RenderPiece));
    g_autofree PieceStart *order = g_new(PieceStart, n ? n : 1);
    g_autofree guint *heap_items = g_new(guint, n ? n : 1);
    PieceHeap heap = { .items = heap_items, .len = 0 };
    RenderPiece *p = (RenderPiece *)pieces->data;
    guint next = 0;
    uint64_t pos;

    if (n == 0) {
        return segs;
    }
    for (guint i = 0; i < n; i++) {
        order[i] = (PieceStart){ .start = p[i].start, .index = i };
    }
    qsort(order, n, sizeof(*order), piece_start_cmp);

    pos = order[0].start;
    for (;;) {
        const RenderPiece *w;
        uint64_t seg_last;

        while (next < n && order[next].start <= pos) {
            heap_push(&heap, order[next++].index);
        }
        /* Lazy removal: pieces that ended before pos. */
        while (heap.len && p[heap.items[0]].last < pos) {
            heap_pop(&heap);
        }
        if (!heap.len) {
            if (next == n) {
                break;
            }
            pos = order[next].start;
            continue;
        }
        w = &p[heap.items[0]];
        seg_last = w->last;
        /* A piece starting later may take precedence from there on. */
        if (next < n && order[next].start - 1 < seg_last) {
            seg_last = order[next].start - 1;
        }
        segment_append(segs, w->mr, pos, seg_last,
                       w->offset + (pos - w->start));
        if (seg_last == UINT64_MAX) {
            break;
        }
        pos = seg_last + 1;
    }
    return segs;
}

static void flatview_free(FlatView *fv)
{
    g_free(fv);
}

static void flatview_free_rcu(struct rcu_head *head)
{
    flatview_free(caa_container_of(head, FlatView, rcu));
}

static FlatRange *flatview_put(FlatRange *fr, const RenderPiece *s)
{
    *fr = (FlatRange){
        .addr = s->start,
        .size = s->last - s->start + 1,
        .mr = s->mr,
        .offset_in_region = s->offset,
        .readonly = s->mr->kind == MEMORY_REGION_RAM && s->mr->readonly,
    };
    return fr + 1;
}

static FlatView *flatview_render(MemoryRegion *root)
{
    g_autoptr(GArray) pieces = g_array_new(false, false, sizeof(RenderPiece));
    g_autoptr(GArray) segs = NULL;
    RenderCtx ctx = { .pieces = pieces };
    size_t nr;
    FlatView *fv;
    FlatRange *fr;

    if (root) {
        render_region(&ctx, root, 0, UINT64_MAX, 0, 0);
    }
    segs = pieces_to_segments(pieces);

    nr = segs->len;
    if (nr == 1 && g_array_index(segs, RenderPiece, 0).start == 0 &&
        g_array_index(segs, RenderPiece, 0).last == UINT64_MAX) {
        nr = 2;     /* 2^64 bytes do not fit FlatRange.size */
    }
    fv = g_malloc0(sizeof(*fv) + nr * sizeof(FlatRange));
    fv->nr = nr;
    fr = fv->ranges;
    for (guint i = 0; i < segs->len; i++) {
        RenderPiece s = g_array_index(segs, RenderPiece, i);

        if (nr > segs->len) {
            RenderPiece lo = s, hi = s;
            lo.last = (UINT64_C(1) << 63) - 1;
            hi.start = UINT64_C(1) << 63;
            hi.offset = s.offset + hi.start;
            fr = flatview_put(fr, &lo);
            fr = flatview_put(fr, &hi);
        } else {
            fr = flatview_put(fr, &s);
        }
    }
    return fv;
}

/* Readers --------------------------------------------------------------- */

FlatView *address_space_to_flatview(AddressSpace *as)
{
    return rcu_dereference(as->current_map);
}

const FlatRange *flatview_lookup(const FlatView *fv, uint64_t addr)
{
    size_t lo = 0, hi = fv->nr;

    /* Find the last range starting at or below addr. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fv->ranges[mid].addr <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return NULL;
    }
    if (addr - fv->ranges[lo - 1].addr > fv->ranges[lo - 1].size - 1) {
        return NULL;
    }
    return &fv->ranges[lo - 1];
}

/* Listeners ------------------------------------------------------------- */

static bool flat_range_equal(const FlatRange *a, const FlatRange *b)
{
    return a->addr == b->addr && a->size == b->size && a->mr == b->mr &&
           a->offset_in_region == b->offset_in_region &&
           a->readonly == b->readonly;
}

static bool flatview_has_range(const FlatView *fv, const FlatRange *fr)
{
    const FlatRange *found = fv ? flatview_lookup(fv, fr->addr) : NULL;

    return found && flat_range_equal(found, fr);
}

/*
 * Whether any address of [addr, addr + size) is RAM in fv: a deleted range
 * that is, is being mapped again (merged, split or changed), not removed.
 */
static bool flatview_has_ram_in(const FlatView *fv, uint64_t addr,
                                uint64_t size)
{
    size_t lo = 0, hi = fv ? fv->nr : 0;

    /* The first range ending above addr. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const FlatRange *r = &fv->ranges[mid];

        if (r->addr + (r->size - 1) < addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (size_t i = lo; fv && i < fv->nr; i++) {
        /* Only the first may start below addr. */
        if (fv->ranges[i].addr > addr && fv->ranges[i].addr - addr >= size) {
            break;
        }
        if (flat_range_is_ram(&fv->ranges[i])) {
            return true;
        }
    }
    return false;
}

static MemoryListener *listener_at(AddressSpace *as, guint i)
{
    return g_ptr_array_index(as->listeners, i);
}

/* Tell as's listeners what changed from old to new (either may be NULL). */
static void listeners_update(AddressSpace *as, const FlatView *old,
                             const FlatView *new)
{
    guint nl = as->listeners->len;

    if (!nl) {
        return;
    }
    for (guint l = 0; l < nl; l++) {
        if (listener_at(as, l)->begin) {
            listener_at(as, l)->begin(listener_at(as, l));
        }
    }
    /* Deletions first: a memslot must go before one overlapping it comes. */
    for (size_t i = 0; old && i < old->nr; i++) {
        const FlatRange *fr = &old->ranges[i];
        bool remapped;

        if (!flat_range_is_ram(fr) || flatview_has_range(new, fr)) {
            continue;
        }
        remapped = flatview_has_ram_in(new, fr->addr, fr->size);
        for (guint l = nl; l-- > 0;) {
            if (listener_at(as, l)->region_del) {
                listener_at(as, l)->region_del(listener_at(as, l), fr,
                                               remapped);
            }
        }
    }
    for (size_t i = 0; new && i < new->nr; i++) {
        const FlatRange *fr = &new->ranges[i];
        if (!flat_range_is_ram(fr) || flatview_has_range(old, fr)) {
            continue;
        }
        for (guint l = 0; l < nl; l++) {
            if (listener_at(as, l)->region_add) {
                listener_at(as, l)->region_add(listener_at(as, l), fr);
            }
        }
    }
    for (guint l = 0; l < nl; l++) {
        if (listener_at(as, l)->commit) {
            listener_at(as, l)->commit(listener_at(as, l));
        }
    }
}

/* One listener alone hears about every RAM range of fv, as added or deleted. */
static void listener_replay(MemoryListener *listener, const FlatView *fv,
                            bool add)
{
    if (listener->begin) {
        listener->begin(listener);
    }
    for (size_t i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];

        if (!flat_range_is_ram(fr)) {
            continue;
        }
        if (add && listener->region_add) {
            listener->region_add(listener, fr);
        } else if (!add && listener->region_del) {
            listener->region_del(listener, fr, false);
        }
    }
    if (listener->commit) {
        listener->commit(listener);
    }
}

void memory_listener_register(MemoryListener *listener, AddressSpace *as)
{
    guint i;

    g_rec_mutex_lock(&memory_lock);
    g_assert(!listener->as);    /* registered twice: a Tide bug */
    for (i = 0; i < as->listeners->len; i++) {
        if (listener_at(as, i)->priority > listener->priority) {
            break;
        }
    }
    g_ptr_array_insert(as->listeners, i, listener);
    listener->as = as;
    memory_in_commit = true;
    listener_replay(listener, as->current_map, true);
    memory_in_commit = false;
    g_rec_mutex_unlock(&memory_lock);
}

void memory_listener_unregister(MemoryListener *listener)
{
    AddressSpace *as = listener->as;

    if (!as) {
        return;
    }
    g_rec_mutex_lock(&memory_lock);
    memory_in_commit = true;
    listener_replay(listener, as->current_map, false);
    memory_in_commit = false;
    g_ptr_array_remove(as->listeners, listener);
    listener->as = NULL;
    g_rec_mutex_unlock(&memory_lock);
}

/* Publishing ------------------------------------------------------------ */

static void address_space_update(AddressSpace *as)
{
    FlatView *old = as->current_map;
    FlatView *new = flatview_render(as->root);

    listeners_update(as, old, new);
    rcu_assign_pointer(as->current_map, new);
    if (old) {
        call_rcu(&old->rcu, flatview_free_rcu);
    }
}

void memory_region_transaction_commit(void)
{
    g_assert(memory_transaction_depth > 0);     /* unbalanced: a Tide bug */
    if (--memory_transaction_depth == 0 && memory_update_pending) {
        memory_update_pending = false;
        memory_in_commit = true;
        for (guint i = 0; memory_address_spaces &&
                          i < memory_address_spaces->len; i++) {
            address_space_update(g_ptr_array_index(memory_address_spaces, i));
        }
        memory_in_commit = false;
    }
    g_rec_mutex_unlock(&memory_lock);
}

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name)
{
    memory_region_transaction_begin();
    if (!memory_address_spaces) {
        memory_address_spaces = g_ptr_array_new();
    }
    as->name = g_strdup(name);
    as->root = root;
    as->listeners = g_ptr_array_new();
    /* Published at once, even inside a transaction: never NULL to readers. */
    rcu_assign_pointer(as->current_map, flatview_render(root));
    g_ptr_array_add(memory_address_spaces, as);
    memory_region_transaction_commit();
}

void address_space_destroy(AddressSpace *as)
{
    FlatView *old;

    memory_region_transaction_begin();
    while (as->listeners->len) {
        memory_listener_unregister(listener_at(as, as->listeners->len - 1));
    }
    g_ptr_array_remove(memory_address_spaces, as);
    old = as->current_map;
    rcu_assign_pointer(as->current_map, NULL);
    call_rcu(&old->rcu, flatview_free_rcu);
    g_ptr_array_free(as->listeners, true);
    as->listeners = NULL;
    g_clear_pointer(&as->name, g_free);
    as->root = NULL;
    memory_region_transaction_commit();
}
