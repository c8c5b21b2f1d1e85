/* How a logical memory size is spread over virtio-mem devices: pure arithmetic. */
#ifndef HW_MEM_MEMORY_MANAGER_POLICY_H
#define HW_MEM_MEMORY_MANAGER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum MemoryManagerPolicy {
    MM_POLICY_BALANCED,     /* the same fraction of every device's capacity */
    MM_POLICY_FILL,         /* node order up, reverse order down */
    MM_POLICY_WEIGHTED,     /* shares in proportion to weights */
} MemoryManagerPolicy;

typedef struct MMDeviceSpec {
    uint64_t block_size;    /* a power of two */
    uint64_t max_size;      /* a multiple of block_size */
    uint64_t weight;        /* weighted policy; 0: only when others are full */
    bool pinned;            /* stuck: its target is pinned_size, fixed */
    uint64_t pinned_size;
} MMDeviceSpec;

/*
 * Fill targets[i] for n devices (given in node order) so they sum to
 * total: each a multiple of its block size, between 0 and max_size,
 * pinned devices at their pinned size.  Returns true when the sum is
 * exactly total; false when capacity, pins or block sizes make that
 * impossible (the targets are then as close as they can get from below,
 * or the pinned sizes when the pins alone exceed total).
 */
bool memory_manager_distribute(MemoryManagerPolicy policy,
                               const MMDeviceSpec *devs, size_t n,
                               uint64_t total, uint64_t *targets);

#endif
