/* Bitmaps of arbitrary length: set, clear, test and scan ranges of bits. */
#ifndef UTIL_BITMAP_H
#define UTIL_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A bitmap of n bits is ceil(n / 64) uint64_t words; bits past n in the
 * last word stay 0.  Callers pass ranges already checked against n: a
 * range outside the bitmap is a caller bug.
 */
uint64_t *bitmap_new(uint64_t nbits);
void bitmap_free(uint64_t *map);
void bitmap_set_range(uint64_t *map, uint64_t start, uint64_t count);
void bitmap_clear_range(uint64_t *map, uint64_t start, uint64_t count);
void bitmap_clear_all(uint64_t *map, uint64_t nbits);
bool bitmap_test(const uint64_t *map, uint64_t bit);
/* True when every bit of [start, start + count) is set (is clear). */
bool bitmap_range_is_set(const uint64_t *map, uint64_t start, uint64_t count);
bool bitmap_range_is_clear(const uint64_t *map, uint64_t start,
                           uint64_t count);
/* First set (clear) bit at or after start, or nbits when none. */
uint64_t bitmap_find_next_set(const uint64_t *map, uint64_t nbits,
                              uint64_t start);
uint64_t bitmap_find_next_clear(const uint64_t *map, uint64_t nbits,
                                uint64_t start);
uint64_t bitmap_count(const uint64_t *map, uint64_t nbits);

#endif
