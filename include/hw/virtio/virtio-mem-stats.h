/* virtio-mem's per-device counters as read-only QOM properties (x-stats-*). */
#ifndef HW_VIRTIO_VIRTIO_MEM_STATS_H
#define HW_VIRTIO_VIRTIO_MEM_STATS_H

#include "qom/object.h"

/*
 * Add x-stats-plug-requests, ... (one per VirtioMemCounters field) to the
 * virtio-mem class.  "x-": QEMU's prefix for properties that are not a
 * stable interface.  virtio-mem-pci forwards them like every property of
 * its device, so "qom-get vm0 x-stats-busy" works on the proxy's id.
 */
void virtio_mem_stats_class_init(ObjectClass *oc);

#endif
