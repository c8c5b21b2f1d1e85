/* virtio-mem-pci: the PCI proxy that makes virtio-mem a memory device. */
#ifndef HW_VIRTIO_VIRTIO_MEM_PCI_H
#define HW_VIRTIO_VIRTIO_MEM_PCI_H

#include "hw/virtio/virtio-mem.h"
#include "hw/virtio/virtio-pci.h"
#include "util/event.h"

#define TYPE_VIRTIO_MEM_PCI "virtio-mem-pci"
#define PCI_DEVICE_ID_VIRTIO_MEM (PCI_DEVICE_ID_VIRTIO_BASE + VIRTIO_ID_MEM)

/* MEMORY_DEVICE_SIZE_CHANGE: at most one per device per this period. */
#define VIRTIO_MEM_PCI_EVENT_PERIOD_MS 1000

typedef struct VirtIOMEMPCI {
    VirtIOPCIProxy parent_obj;
    EventThrottle size_event;   /* MEMORY_DEVICE_SIZE_CHANGE */
    bool mapped;                /* region is in the device-memory area */
} VirtIOMEMPCI;

#define VIRTIO_MEM_PCI(obj) OBJECT_CHECK(VirtIOMEMPCI, (obj), TYPE_VIRTIO_MEM_PCI)

void virtio_mem_pci_register_types(void);

#endif
