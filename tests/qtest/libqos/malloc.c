/* libqos guest memory allocator: a first-fit free list over a RAM range the test owns. */
#include "malloc.h"

typedef struct Extent {
    uint64_t start, size;
} Extent;

struct QGuestAllocator {
    GMutex lock;
    uint64_t start, size;
    GArray *free;           /* Extent, sorted by start, never adjacent */
    GHashTable *used;       /* start -> size (guint64 keys and values) */
    uint64_t used_bytes;
};

QGuestAllocator *guest_alloc_new(uint64_t start, uint64_t size)
{
    QGuestAllocator *a = g_new0(QGuestAllocator, 1);
    Extent all = { start, size };

    g_assert(size && start + size > start);
    g_mutex_init(&a->lock);
    a->start = start;
    a->size = size;
    a->free = g_array_new(FALSE, FALSE, sizeof(Extent));
    g_array_append_val(a->free, all);
    a->used = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                    g_free);
    return a;
}

void guest_alloc_free_all(QGuestAllocator *a)
{
    if (!a) {
        return;
    }
    g_array_free(a->free, TRUE);
    g_hash_table_destroy(a->used);
    g_mutex_clear(&a->lock);
    g_free(a);
}

static uint64_t *box_u64(uint64_t v)
{
    uint64_t *p = g_new(uint64_t, 1);

    *p = v;
    return p;
}

static uint64_t align_up(uint64_t v, uint64_t align)
{
    return (v + align - 1) & ~(align - 1);
}

/* Take [at, at + size) out of free extent i, keeping what is left around. */
static void carve(QGuestAllocator *a, guint i, uint64_t at, uint64_t size)
{
    Extent e = g_array_index(a->free, Extent, i);
    Extent before = { e.start, at - e.start };
    Extent after = { at + size, e.start + e.size - (at + size) };

    g_array_remove_index(a->free, i);
    if (after.size) {
        g_array_insert_val(a->free, i, after);
    }
    if (before.size) {
        g_array_insert_val(a->free, i, before);
    }
}

uint64_t guest_alloc_aligned(QGuestAllocator *a, uint64_t size,
                             uint64_t align)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&a->lock);

    g_assert(size);
    g_assert(align && !(align & (align - 1)));
    align = MAX(align, QOS_ALLOC_MIN_ALIGN);
    /* Whole alignment units, so freed blocks coalesce into aligned runs. */
    size = align_up(size, QOS_ALLOC_MIN_ALIGN);
    for (guint i = 0; i < a->free->len; i++) {
        Extent *e = &g_array_index(a->free, Extent, i);
        uint64_t at = align_up(e->start, align);

        if (at >= e->start && at - e->start <= e->size &&
            e->size - (at - e->start) >= size) {
            carve(a, i, at, size);
            g_hash_table_insert(a->used, box_u64(at), box_u64(size));
            a->used_bytes += size;
            return at;
        }
    }
    g_error("libqos: guest allocator out of memory: %" G_GUINT64_FORMAT
            " bytes wanted, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
            " in use", size, a->used_bytes, a->size);
}

uint64_t guest_alloc(QGuestAllocator *a, uint64_t size)
{
    return guest_alloc_aligned(a, size, QOS_ALLOC_MIN_ALIGN);
}

void guest_free(QGuestAllocator *a, uint64_t addr)
{
    g_autoptr(GMutexLocker) locker = NULL;
    Extent e;
    uint64_t *size;
    guint i;

    if (!addr) {
        return;
    }
    locker = g_mutex_locker_new(&a->lock);
    size = g_hash_table_lookup(a->used, &addr);
    if (!size) {
        g_error("libqos: guest_free(0x%" G_GINT64_MODIFIER "x): not "
                "allocated", addr);
    }
    e = (Extent) { addr, *size };
    a->used_bytes -= e.size;
    g_hash_table_remove(a->used, &addr);
    for (i = 0; i < a->free->len; i++) {
        if (g_array_index(a->free, Extent, i).start > addr) {
            break;
        }
    }
    g_array_insert_val(a->free, i, e);
    /* Merge with the next extent, then with the previous one. */
    if (i + 1 < a->free->len) {
        Extent *cur = &g_array_index(a->free, Extent, i);
        Extent *next = &g_array_index(a->free, Extent, i + 1);

        if (cur->start + cur->size == next->start) {
            cur->size += next->size;
            g_array_remove_index(a->free, i + 1);
        }
    }
    if (i > 0) {
        Extent *prev = &g_array_index(a->free, Extent, i - 1);
        Extent *cur = &g_array_index(a->free, Extent, i);

        if (prev->start + prev->size == cur->start) {
            prev->size += cur->size;
            g_array_remove_index(a->free, i);
        }
    }
}

uint64_t guest_alloc_free_bytes(QGuestAllocator *a)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&a->lock);

    return a->size - a->used_bytes;
}

uint64_t guest_alloc_used_bytes(QGuestAllocator *a)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&a->lock);

    return a->used_bytes;
}
