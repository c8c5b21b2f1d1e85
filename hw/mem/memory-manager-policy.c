/* How a logical memory size is spread over virtio-mem devices: pure arithmetic. */
#include "hw/mem/memory-manager-policy.h"

#include <glib.h>
#include <string.h>

static uint64_t align_down(uint64_t v, uint64_t block)
{
    return v / block * block;
}

/* Node order up: each device in turn takes what it can. */
static uint64_t spread_fill(const MMDeviceSpec *devs, size_t n, uint64_t left,
                            uint64_t *targets)
{
    for (size_t i = 0; i < n && left; i++) {
        if (devs[i].pinned) {
            continue;
        }
        targets[i] = align_down(MIN(left, devs[i].max_size),
                                devs[i].block_size);
        left -= targets[i];
    }
    return left;
}

/*
 * Water-filling: shares in proportion to weight; a device whose share
 * exceeds its capacity gets its capacity and the rest is shared again
 * among the others.  ideal[] receives the exact (fractional) shares.
 */
static void share_by_weight(const MMDeviceSpec *devs, const uint64_t *w,
                            size_t n, uint64_t total, long double *ideal)
{
    g_autofree bool *capped = g_new0(bool, n);
    bool changed = true;

    while (changed) {
        unsigned __int128 sum_w = 0;
        uint64_t left = total;

        changed = false;
        for (size_t i = 0; i < n; i++) {
            if (capped[i]) {
                left -= MIN(left, devs[i].max_size);
            } else {
                sum_w += w[i];
            }
        }
        for (size_t i = 0; i < n; i++) {
            if (capped[i]) {
                ideal[i] = devs[i].max_size;
                continue;
            }
            ideal[i] = sum_w ? (long double)left * w[i] / sum_w : 0;
            if (ideal[i] > devs[i].max_size) {
                capped[i] = true;
                changed = true;
            }
        }
    }
}

/* Hand out what rounding left, a block at a time, largest shortfall first. */
static uint64_t top_up(const MMDeviceSpec *devs, const long double *ideal,
                       size_t n, uint64_t left, uint64_t *targets)
{
    bool progress = true;

    while (left && progress) {
        long double best_gap = 0;
        size_t best = n;

        progress = false;
        for (size_t i = 0; i < n; i++) {
            long double gap = ideal[i] - targets[i];

            if (devs[i].pinned || devs[i].block_size > left ||
                targets[i] + devs[i].block_size > devs[i].max_size) {
                continue;
            }
            if (best == n || gap > best_gap) {
                best_gap = gap;
                best = i;
            }
        }
        if (best < n) {
            targets[best] += devs[best].block_size;
            left -= devs[best].block_size;
            progress = true;
        }
    }
    return left;
}

static uint64_t spread_weighted(const MMDeviceSpec *devs, size_t n,
                                bool balanced, uint64_t left,
                                uint64_t *targets)
{
    g_autofree uint64_t *w = g_new0(uint64_t, n);
    g_autofree long double *ideal = g_new0(long double, n);

    for (size_t i = 0; i < n; i++) {
        if (!devs[i].pinned) {
            /* Balanced: the same fraction of each device's capacity. */
            w[i] = balanced ? devs[i].max_size : devs[i].weight;
        }
    }
    share_by_weight(devs, w, n, left, ideal);
    for (size_t i = 0; i < n; i++) {
        if (!devs[i].pinned) {
            targets[i] = align_down((uint64_t)ideal[i], devs[i].block_size);
            left -= targets[i];
        }
    }
    return top_up(devs, ideal, n, left, targets);
}

bool memory_manager_distribute(MemoryManagerPolicy policy,
                               const MMDeviceSpec *devs, size_t n,
                               uint64_t total, uint64_t *targets)
{
    uint64_t pinned = 0, left;
    g_autofree long double *none = g_new0(long double, n);

    memset(targets, 0, n * sizeof(*targets));
    for (size_t i = 0; i < n; i++) {
        if (devs[i].pinned) {
            targets[i] = devs[i].pinned_size;
            pinned += devs[i].pinned_size;
        }
    }
    if (pinned > total) {
        return false;
    }
    left = total - pinned;
    if (policy == MM_POLICY_FILL) {
        left = spread_fill(devs, n, left, targets);
    } else {
        left = spread_weighted(devs, n, policy == MM_POLICY_BALANCED, left,
                               targets);
    }
    /* Whatever the policy could not place goes wherever there is room. */
    left = top_up(devs, none, n, left, targets);
    return left == 0;
}
