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

#endif
