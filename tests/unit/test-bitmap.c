/* Bitmap ranges agree with a one-byte-per-bit model, at word edges too. */
#include <glib.h>
#include "util/bitmap.h"

#define NBITS 300

static void check_against_model(const uint64_t *map, const bool *model)
{
    for (uint64_t i = 0; i < NBITS; i++) {
        g_assert_cmpint(bitmap_test(map, i), ==, model[i]);
    }
}

static void test_random_ranges_match_model(void)
{
    uint64_t *map = bitmap_new(NBITS);
    bool model[NBITS] = { false };
    GRand *rand = g_rand_new_with_seed(7);

    for (int round = 0; round < 5000; round++) {
        uint64_t start = g_rand_int_range(rand, 0, NBITS);
        uint64_t count = g_rand_int_range(rand, 0, NBITS - start + 1);
        bool set = g_rand_boolean(rand);
        bool all_set = true, all_clear = true;
        uint64_t next_set = NBITS, next_clear = NBITS, pop = 0;

        if (set) {
            bitmap_set_range(map, start, count);
        } else {
            bitmap_clear_range(map, start, count);
        }
        for (uint64_t i = start; i < start + count; i++) {
            model[i] = set;
        }
        start = g_rand_int_range(rand, 0, NBITS);
        count = g_rand_int_range(rand, 0, NBITS - start + 1);
        for (uint64_t i = start; i < start + count; i++) {
            all_set &= model[i];
            all_clear &= !model[i];
        }
        for (uint64_t i = NBITS; i > start; i--) {
            if (model[i - 1]) {
                next_set = i - 1;
            } else {
                next_clear = i - 1;
            }
        }
        for (uint64_t i = 0; i < NBITS; i++) {
            pop += model[i];
        }
        g_assert_cmpint(bitmap_range_is_set(map, start, count), ==, all_set);
        g_assert_cmpint(bitmap_range_is_clear(map, start, count), ==,
                        all_clear);
        g_assert_cmpuint(bitmap_find_next_set(map, NBITS, start), ==,
                         next_set);
        g_assert_cmpuint(bitmap_find_next_clear(map, NBITS, start), ==,
                         next_clear);
        g_assert_cmpuint(bitmap_count(map, NBITS), ==, pop);
    }
    check_against_model(map, model);
    g_rand_free(rand);
    bitmap_free(map);
}

static void test_word_edges(void)
{
    uint64_t *map = bitmap_new(128);

    bitmap_set_range(map, 63, 2);
    g_assert_true(bitmap_test(map, 63));
    g_assert_true(bitmap_test(map, 64));
    g_assert_false(bitmap_test(map, 62));
    g_assert_false(bitmap_test(map, 65));
    bitmap_set_range(map, 0, 128);
    g_assert_cmpuint(bitmap_count(map, 128), ==, 128);
    g_assert_cmpuint(bitmap_find_next_clear(map, 128, 0), ==, 128);
    bitmap_clear_all(map, 128);
    g_assert_cmpuint(bitmap_find_next_set(map, 128, 0), ==, 128);
    bitmap_free(map);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bitmap/ranges/match-a-simple-model",
                    test_random_ranges_match_model);
    g_test_add_func("/bitmap/ranges/word-edges", test_word_edges);
    return g_test_run();
}
