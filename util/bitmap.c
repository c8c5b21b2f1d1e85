/* Bitmaps of arbitrary length: set, clear, test and scan ranges of bits. */
#include "util/bitmap.h"

#include <glib.h>

#define WORD_BITS 64

static uint64_t words_for(uint64_t nbits)
{
    return nbits / WORD_BITS + (nbits % WORD_BITS != 0);
}

uint64_t *bitmap_new(uint64_t nbits)
{
    return g_new0(uint64_t, MAX(words_for(nbits), 1));
}

void bitmap_free(uint64_t *map)
{
    g_free(map);
}

/* Mask of the bits of word w that [start, end) covers. */
static uint64_t word_mask(uint64_t w, uint64_t start, uint64_t end)
{
    uint64_t lo = w * WORD_BITS, hi = lo + WORD_BITS;
    uint64_t from = MAX(start, lo) - lo, to = MIN(end, hi) - lo;

    if (to - from == WORD_BITS) {
        return ~UINT64_C(0);
    }
    return ((UINT64_C(1) << (to - from)) - 1) << from;
}

void bitmap_set_range(uint64_t *map, uint64_t start, uint64_t count)
{
    uint64_t end = start + count;

    for (uint64_t w = start / WORD_BITS; count && w * WORD_BITS < end; w++) {
        map[w] |= word_mask(w, start, end);
    }
}

void bitmap_clear_range(uint64_t *map, uint64_t start, uint64_t count)
{
    uint64_t end = start + count;

    for (uint64_t w = start / WORD_BITS; count && w * WORD_BITS < end; w++) {
        map[w] &= ~word_mask(w, start, end);
    }
}

void bitmap_clear_all(uint64_t *map, uint64_t nbits)
{
    for (uint64_t w = 0; w < words_for(nbits); w++) {
        map[w] = 0;
    }
}

bool bitmap_test(const uint64_t *map, uint64_t bit)
{
    return map[bit / WORD_BITS] >> (bit % WORD_BITS) & 1;
}

bool bitmap_range_is_set(const uint64_t *map, uint64_t start, uint64_t count)
{
    uint64_t end = start + count;

    for (uint64_t w = start / WORD_BITS; count && w * WORD_BITS < end; w++) {
        uint64_t m = word_mask(w, start, end);

        if ((map[w] & m) != m) {
            return false;
        }
    }
    return true;
}

bool bitmap_range_is_clear(const uint64_t *map, uint64_t start,
                           uint64_t count)
{
    uint64_t end = start + count;

    for (uint64_t w = start / WORD_BITS; count && w * WORD_BITS < end; w++) {
        if (map[w] & word_mask(w, start, end)) {
            return false;
        }
    }
    return true;
}

static uint64_t find_next(const uint64_t *map, uint64_t nbits,
                          uint64_t start, uint64_t invert)
{
    while (start < nbits) {
        uint64_t w = start / WORD_BITS;
        uint64_t bits = (map[w] ^ invert) & (~UINT64_C(0) << (start % WORD_BITS));

        if (bits) {
            return MIN(w * WORD_BITS + __builtin_ctzll(bits), nbits);
        }
        start = (w + 1) * WORD_BITS;
    }
    return nbits;
}

uint64_t bitmap_find_next_set(const uint64_t *map, uint64_t nbits,
                              uint64_t start)
{
    return find_next(map, nbits, start, 0);
}

uint64_t bitmap_find_next_clear(const uint64_t *map, uint64_t nbits,
                                uint64_t start)
{
    return find_next(map, nbits, start, ~UINT64_C(0));
}

uint64_t bitmap_count(const uint64_t *map, uint64_t nbits)
{
    uint64_t n = 0;

    for (uint64_t w = 0; w < words_for(nbits); w++) {
        n += __builtin_popcountll(map[w]);
    }
    return n;
}
