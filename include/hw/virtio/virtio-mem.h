/* The virtio-mem device: requests from the guest, requested-size from the host. */
#ifndef HW_VIRTIO_VIRTIO_MEM_H
#define HW_VIRTIO_VIRTIO_MEM_H

#include "hw/virtio/virtio-mem-blocks.h"
#include "hw/virtio/virtio.h"
#include "standard-headers/linux/virtio_mem.h"

#define TYPE_VIRTIO_MEM "virtio-mem"

#define VIRTIO_MEM_MIN_BLOCK_SIZE   (UINT64_C(1) << 20)
#define VIRTIO_MEM_DEFAULT_THP_SIZE (UINT64_C(2) << 20)
#define VIRTIO_MEM_QUEUE_SIZE       128

typedef enum OnOffAuto {
    ON_OFF_AUTO_ON,
    ON_OFF_AUTO_OFF,
    ON_OFF_AUTO_AUTO,
} OnOffAuto;

typedef struct VirtIOMEM VirtIOMEM;

/*
 * Told after every change of the plugged size (guest request or reset),
 * and, through the requested-size list, after every accepted write of
 * requested-size (whoever made it).
 */
typedef void (*VirtioMemSizeNotify)(void *opaque, VirtIOMEM *vmem,
                                    uint64_t size);

struct VirtIOMEM {
    VirtIODevice parent_obj;
    /* Properties. */
    Object *memdev;
    uint32_t node;
    uint64_t block_size;        /* 0 until realize picks the default */
    uint64_t requested_size;
    uint64_t addr;              /* memaddr */
    bool prealloc;
    int unplugged_inaccessible; /* OnOffAuto */
    /* State. */
    bool ui_resolved;           /* unplugged-inaccessible after auto */
    VirtioMemBlocks blocks;
    MemoryRegion region;        /* container: the device's guest window */
    VirtQueue *vq;
    guint retry_kick;           /* config kick after BUSY, 0 when none */
    GArray *size_notifiers;
    GArray *requested_notifiers;
    bool acpi_pxm;              /* offer VIRTIO_MEM_F_ACPI_PXM */
};

#define VIRTIO_MEM(obj) OBJECT_CHECK(VirtIOMEM, (obj), TYPE_VIRTIO_MEM)

void virtio_mem_add_size_notifier(VirtIOMEM *vmem, VirtioMemSizeNotify fn,
                                  void *opaque);
void virtio_mem_remove_size_notifier(VirtIOMEM *vmem, VirtioMemSizeNotify fn,
                                     void *opaque);
void virtio_mem_add_requested_notifier(VirtIOMEM *vmem, VirtioMemSizeNotify fn,
                                       void *opaque);
void virtio_mem_remove_requested_notifier(VirtIOMEM *vmem,
                                          VirtioMemSizeNotify fn,
                                          void *opaque);
uint64_t virtio_mem_get_plugged_size(VirtIOMEM *vmem);
uint64_t virtio_mem_get_region_size(VirtIOMEM *vmem);
/* The block size realize will use (the property, or the default). */
uint64_t virtio_mem_get_block_size(VirtIOMEM *vmem);
MemoryRegion *virtio_mem_get_region(VirtIOMEM *vmem, Error **errp);

/*
 * Set requested-size (the qom-set path): validates against block size
 * and region, grows the usable region and always notifies the driver,
 * even for the same value (QEMU: "we trigger even if the size didn't
 * change"), so re-setting a stuck size makes the guest retry.
 */
bool virtio_mem_set_requested_size(VirtIOMEM *vmem, uint64_t size,
                                   Error **errp);

/* System reset: unplug and discard everything, shrink the usable region. */
void virtio_mem_system_reset(VirtIOMEM *vmem);

void virtio_mem_register_types(void);

#endif
