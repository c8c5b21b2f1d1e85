/* Memory devices: the hooks a device implements, and the machine-side view. */
#ifndef HW_MEM_MEMORY_DEVICE_H
#define HW_MEM_MEMORY_DEVICE_H

#include <json-glib/json-glib.h>
#include <stdint.h>
#include "qom/object.h"

#define TYPE_MEMORY_DEVICE "memory-device"

struct MemoryRegion;

/*
 * What a memory device (virtio-mem-pci, ...) gives the machine.  The
 * machine code sees devices only through these hooks.
 * Called on the main loop thread with the machine lock held.
 */
typedef struct MemoryDeviceHooks {
    /* Guest-physical base, 0 before assignment. */
    uint64_t (*get_addr)(Object *md);
    /* Called once, before realize completes, with an address that fits. */
    bool (*set_addr)(Object *md, uint64_t addr, Error **errp);
    /* Bytes the guest can use now (plugged). */
    uint64_t (*get_plugged_size)(Object *md);
    /* The whole region the device occupies in the device-memory area. */
    struct MemoryRegion *(*get_region)(Object *md, Error **errp);
    /* Alignment the base needs beyond the region's page alignment. */
    uint64_t (*get_min_alignment)(Object *md);
    /*
     * Fill QEMU's MemoryDeviceInfo union: sets "type" ("virtio-mem") and
     * "data" (the per-kind fields, in QEMU's order).
     */
    void (*fill_info)(Object *md, JsonObject *info);
} MemoryDeviceHooks;

/* Every realized memory device in the tree, in creation order. */
GPtrArray *memory_device_list(void);
/* query-memory-devices' return value. */
JsonNode *memory_device_query(void);
/* info memory-devices' text, exactly QEMU's layout. */
char *memory_device_hmp_text(void);
/* Sum of get_plugged_size over all devices. */
uint64_t memory_device_plugged_total(void);

/*
 * Give md its guest-physical base; called from its realize, before it is
 * marked realized (QEMU's memory_device_pre_plug).  The caller passes the
 * machine's view, so nothing here knows about PC:
 *   area_base, area_size: the device-memory area (size 0: no maxmem);
 *   space_total: the budget for memory devices, maxmem - ram_size (the PC
 *     area is larger: QEMU pads it with 1 GiB per slot);
 *   legacy_align: an alignment the machine imposes, 0 for none; the one
 *     used is the larger of it and md's get_min_alignment;
 *   hint: the requested base (memaddr=), NULL to pick the first fit.
 * Every realized memory device other than md counts as placed, by its
 * get_addr and the size of its get_region.  Order of checks and texts
 * are QEMU 7.2's: "not enabled", the fragmentation warning (printed with
 * warn_report), "not enough space", then memory_device_find_addr's.
 * On success set_addr has been called; on failure md is unchanged.
 */
bool memory_device_pre_plug(Object *md, uint64_t area_base,
                            uint64_t area_size, uint64_t space_total,
                            uint64_t legacy_align, const uint64_t *hint,
                            Error **errp) G_GNUC_WARN_UNUSED_RESULT;

#endif
