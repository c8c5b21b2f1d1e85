/* libqos guest memory allocator: a first-fit free list over a RAM range the test owns. */
#ifndef TESTS_QTEST_LIBQOS_MALLOC_H
#define TESTS_QTEST_LIBQOS_MALLOC_H

#include <glib.h>
#include <stdint.h>

/*
 * The range drivers take rings, buffers and MSI words from.  It must be
 * guest RAM the test owns (nothing else writes there): 16 MiB at 1 MiB
 * is below any -m a test uses and above the real-mode area.
 */
#define QOS_ALLOC_START     (UINT64_C(1) << 20)
#define QOS_ALLOC_SIZE      (UINT64_C(16) << 20)
/* Every block starts at this alignment at least (descriptor tables: 16). */
#define QOS_ALLOC_MIN_ALIGN 64

typedef struct QGuestAllocator QGuestAllocator;

/*
 * A free list over [start, start + size).  Thread-safe: drivers for
 * several devices may allocate from their own threads.
 */
QGuestAllocator *guest_alloc_new(uint64_t start, uint64_t size);
/* Frees the allocator (not guest memory); blocks still in use are fine. */
void guest_alloc_free_all(QGuestAllocator *a);

/*
 * size bytes aligned to align (a power of two; raised to
 * QOS_ALLOC_MIN_ALIGN).  The memory is not cleared.  Running out fails
 * the test: a test that needs more should own a larger range.
 */
uint64_t guest_alloc_aligned(QGuestAllocator *a, uint64_t size,
                             uint64_t align);
uint64_t guest_alloc(QGuestAllocator *a, uint64_t size);
/* addr must come from guest_alloc*(); 0 is a no-op, as free(NULL). */
void guest_free(QGuestAllocator *a, uint64_t addr);

/* Bytes not allocated now, and bytes in use: for leak checks in tests. */
uint64_t guest_alloc_free_bytes(QGuestAllocator *a);
uint64_t guest_alloc_used_bytes(QGuestAllocator *a);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QGuestAllocator, guest_alloc_free_all)

#endif
