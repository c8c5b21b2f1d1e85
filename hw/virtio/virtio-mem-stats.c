/* virtio-mem's per-device counters as read-only QOM properties (x-stats-*). */
#include "hw/virtio/virtio-mem-stats.h"

#include <stddef.h>
#include "hw/virtio/virtio-mem.h"

/*
 * Field properties read straight from the counters.  The proxy's
 * "-device virtio-mem-pci,help" lists them, as QEMU lists its read-only
 * "size" there, so the description says they cannot be set.
 */
#define STAT(prop_name, field, desc)                                        \
    { .name = "x-stats-" prop_name, .kind = PROP_UINT64,                    \
      .access = PROP_READONLY, .description = "read-only: " desc,           \
      .offset = offsetof(VirtIOMEM, blocks.counters.field) }

static const Property virtio_mem_stats_props[] = {
    STAT("plug-requests", plug_requests, "PLUG requests received"),
    STAT("plugged-bytes", plugged_bytes, "bytes plugged (ACKed PLUGs)"),
    STAT("unplug-requests", unplug_requests, "UNPLUG requests received"),
    STAT("unplugged-bytes", unplugged_bytes,
         "bytes unplugged (UNPLUG, UNPLUG_ALL, system reset)"),
    STAT("unplug-all-requests", unplug_all_requests,
         "UNPLUG_ALL requests received"),
    STAT("state-requests", state_requests, "STATE requests received"),
    STAT("nacks", nacks, "NACK answers (plug beyond requested-size)"),
    STAT("errors", errors, "ERROR answers (invalid requests)"),
    STAT("busy", busy, "BUSY answers (the host failed; the guest retries)"),
    STAT("populate-fails", populate_fails,
         "failed populates of plugged blocks (prealloc=on)"),
    STAT("discard-fails", discard_fails,
         "failed discards (unplug, unplug-all, plug rollback)"),
    { NULL },
};

void virtio_mem_stats_class_init(ObjectClass *oc)
{
    object_class_add_props(oc, virtio_mem_stats_props);
}
