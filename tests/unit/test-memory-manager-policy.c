/* The manager's arithmetic: every policy's targets are aligned, capped, and add up. */
#include <glib.h>
#include "hw/mem/memory-manager-policy.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static uint64_t sum(const uint64_t *t, size_t n)
{
    uint64_t s = 0;

    for (size_t i = 0; i < n; i++) {
        s += t[i];
    }
    return s;
}

static void check_valid(const MMDeviceSpec *d, const uint64_t *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpuint(t[i] % d[i].block_size, ==, 0);
        g_assert_cmpuint(t[i], <=, d[i].max_size);
        if (d[i].pinned) {
            g_assert_cmpuint(t[i], ==, d[i].pinned_size);
        }
    }
}

static void test_balanced_same_fraction(void)
{
    MMDeviceSpec d[] = { { 2 * MiB, 8 * GiB, 1 }, { 2 * MiB, 4 * GiB, 1 } };
    uint64_t t[2];

    g_assert_true(memory_manager_distribute(MM_POLICY_BALANCED, d, 2,
                                            6 * GiB, t));
    g_assert_cmpuint(t[0], ==, 4 * GiB);
    g_assert_cmpuint(t[1], ==, 2 * GiB);
}

static void test_fill_in_node_order(void)
{
    MMDeviceSpec d[] = { { 2 * MiB, 4 * GiB, 1 }, { 2 * MiB, 4 * GiB, 1 },
                         { 2 * MiB, 4 * GiB, 1 } };
    uint64_t t[3];

    g_assert_true(memory_manager_distribute(MM_POLICY_FILL, d, 3, 6 * GiB,
                                            t));
    g_assert_cmpuint(t[0], ==, 4 * GiB);
    g_assert_cmpuint(t[1], ==, 2 * GiB);
    g_assert_cmpuint(t[2], ==, 0);
    /* Shrinking takes from the last nodes first. */
    g_assert_true(memory_manager_distribute(MM_POLICY_FILL, d, 3, 3 * GiB,
                                            t));
    g_assert_cmpuint(t[0], ==, 3 * GiB);
    g_assert_cmpuint(t[1], ==, 0);
}

static void test_weighted_caps_redistribute(void)
{
    MMDeviceSpec d[] = { { 2 * MiB, 1 * GiB, 3 }, { 2 * MiB, 8 * GiB, 1 } };
    uint64_t t[2];

    /* 3:1 of 4 GiB wants 3 GiB on a 1 GiB device: the rest moves over. */
    g_assert_true(memory_manager_distribute(MM_POLICY_WEIGHTED, d, 2,
                                            4 * GiB, t));
    g_assert_cmpuint(t[0], ==, 1 * GiB);
    g_assert_cmpuint(t[1], ==, 3 * GiB);
}

static void test_rounding_adds_up_exactly(void)
{
    MMDeviceSpec d[] = { { 2 * MiB, 1 * GiB, 1 }, { 2 * MiB, 1 * GiB, 1 },
                         { 2 * MiB, 1 * GiB, 1 } };
    uint64_t t[3];

    /* 100 MiB over three: 50 blocks can only split 17/17/16. */
    g_assert_true(memory_manager_distribute(MM_POLICY_BALANCED, d, 3,
                                            100 * MiB, t));
    check_valid(d, t, 3);
    g_assert_cmpuint(sum(t, 3), ==, 100 * MiB);
    g_assert_cmpuint(MAX(MAX(t[0], t[1]), t[2]) -
                     MIN(MIN(t[0], t[1]), t[2]), <=, 2 * MiB);
}

static void test_mixed_block_sizes(void)
{
    MMDeviceSpec d[] = { { 128 * MiB, 4 * GiB, 1 }, { 2 * MiB, 4 * GiB, 1 } };
    uint64_t t[2];

    g_assert_true(memory_manager_distribute(MM_POLICY_BALANCED, d, 2,
                                            1 * GiB + 2 * MiB, t));
    check_valid(d, t, 2);
    g_assert_cmpuint(sum(t, 2), ==, 1 * GiB + 2 * MiB);
}

static void test_pinned_device_others_compensate(void)
{
    MMDeviceSpec d[] = { { 2 * MiB, 4 * GiB, 1, true, 3 * GiB },
                         { 2 * MiB, 4 * GiB, 1 } };
    uint64_t t[2];

    /* Shrinking to 4 GiB with node 0 stuck at 3 GiB: node 1 gives more. */
    g_assert_true(memory_manager_distribute(MM_POLICY_BALANCED, d, 2,
                                            4 * GiB, t));
    g_assert_cmpuint(t[0], ==, 3 * GiB);
    g_assert_cmpuint(t[1], ==, 1 * GiB);
    /* Pins alone above the target: cannot be met. */
    g_assert_false(memory_manager_distribute(MM_POLICY_BALANCED, d, 2,
                                             2 * GiB, t));
    g_assert_cmpuint(t[0], ==, 3 * GiB);
}

static void test_capacity_exceeded_is_reported(void)
{
    MMDeviceSpec d[] = { { 2 * MiB, 1 * GiB, 1 }, { 2 * MiB, 1 * GiB, 0 } };
    uint64_t t[2];

    g_assert_false(memory_manager_distribute(MM_POLICY_WEIGHTED, d, 2,
                                             3 * GiB, t));
    g_assert_cmpuint(sum(t, 2), ==, 2 * GiB);
    /* Weight 0: used only once the others are full. */
    g_assert_true(memory_manager_distribute(MM_POLICY_WEIGHTED, d, 2,
                                            3 * GiB / 2, t));
    g_assert_cmpuint(t[0], ==, 1 * GiB);
    g_assert_cmpuint(t[1], ==, GiB / 2);
}

static void test_random_always_valid(void)
{
    GRand *r = g_rand_new_with_seed(42);

    for (int round = 0; round < 2000; round++) {
        size_t n = g_rand_int_range(r, 1, 9);
        MMDeviceSpec d[8];
        uint64_t t[8], cap = 0, total;
        MemoryManagerPolicy p = g_rand_int_range(r, 0, 3);

        for (size_t i = 0; i < n; i++) {
            d[i].block_size = MiB << g_rand_int_range(r, 1, 8);
            d[i].max_size = d[i].block_size * g_rand_int_range(r, 0, 64);
            d[i].weight = g_rand_int_range(r, 0, 5);
            d[i].pinned = g_rand_int_range(r, 0, 6) == 0;
            d[i].pinned_size = d[i].pinned
                               ? d[i].block_size *
                                 g_rand_int_range(r, 0, 1 + d[i].max_size /
                                                  d[i].block_size)
                               : 0;
            cap += d[i].max_size;
        }
        total = (2 * MiB) * g_rand_int_range(r, 0, 1 + cap / (2 * MiB));
        if (memory_manager_distribute(p, d, n, total, t)) {
            g_assert_cmpuint(sum(t, n), ==, total);
        } else {
            uint64_t pins = 0;

            for (size_t i = 0; i < n; i++) {
                pins += d[i].pinned ? d[i].pinned_size : 0;
            }
            g_assert_true(sum(t, n) != total);
            g_assert_true(sum(t, n) < total || pins > total);
        }
        check_valid(d, t, n);
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory-manager/policy/balanced-same-fraction",
                    test_balanced_same_fraction);
    g_test_add_func("/memory-manager/policy/fill-node-order-up-reverse-down",
                    test_fill_in_node_order);
    g_test_add_func("/memory-manager/policy/weighted-caps-redistribute",
                    test_weighted_caps_redistribute);
    g_test_add_func("/memory-manager/policy/rounding-adds-up-exactly",
                    test_rounding_adds_up_exactly);
    g_test_add_func("/memory-manager/policy/mixed-block-sizes",
                    test_mixed_block_sizes);
    g_test_add_func("/memory-manager/policy/stuck-device-others-compensate",
                    test_pinned_device_others_compensate);
    g_test_add_func("/memory-manager/policy/capacity-exceeded-reported",
                    test_capacity_exceeded_is_reported);
    g_test_add_func("/memory-manager/policy/random-targets-always-valid",
                    test_random_always_valid);
    return g_test_run();
}
