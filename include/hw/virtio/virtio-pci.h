/* The modern (virtio 1.x) PCI transport: a PCI function that carries a virtio device. */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_PCI "virtio-pci"

#define PCI_VENDOR_ID_REDHAT_QUMRANET   0x1af4
#define PCI_DEVICE_ID_VIRTIO_BASE       0x1040

/* virtio_pci_cap.cfg_type (virtio 1.2, 4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG       1
#define VIRTIO_PCI_CAP_NOTIFY_CFG       2
#define VIRTIO_PCI_CAP_ISR_CFG          3
#define VIRTIO_PCI_CAP_DEVICE_CFG       4
#define VIRTIO_PCI_CAP_PCI_CFG          5

/* The common configuration structure (4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT      0x00
#define VIRTIO_PCI_COMMON_DF            0x04
#define VIRTIO_PCI_COMMON_GFSELECT      0x08
#define VIRTIO_PCI_COMMON_GF            0x0c
#define VIRTIO_PCI_COMMON_MSIX          0x10
#define VIRTIO_PCI_COMMON_NUMQ          0x12
#define VIRTIO_PCI_COMMON_STATUS        0x14
#define VIRTIO_PCI_COMMON_CFGGENERATION 0x15
#define VIRTIO_PCI_COMMON_Q_SELECT      0x16
#define VIRTIO_PCI_COMMON_Q_SIZE        0x18
#define VIRTIO_PCI_COMMON_Q_MSIX        0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE      0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF        0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO      0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI      0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO     0x28
#define VIRTIO_PCI_COMMON_Q_AVAILHI     0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO      0x30
#define VIRTIO_PCI_COMMON_Q_USEDHI      0x34

/*
 * The layout, as QEMU's: MSI-X table and PBA in BAR 1 (32-bit memory,
 * 4 KiB); the virtio structures in BAR 4 (64-bit prefetchable memory,
 * 16 KiB), one 4 KiB page each so a driver can map them separately.
 */
#define VIRTIO_PCI_MSIX_BAR             1
#define VIRTIO_PCI_MODERN_BAR           4
#define VIRTIO_PCI_COMMON_OFFSET        0x0000
#define VIRTIO_PCI_ISR_OFFSET           0x1000
#define VIRTIO_PCI_DEVICE_OFFSET        0x2000
#define VIRTIO_PCI_NOTIFY_OFFSET        0x3000
#define VIRTIO_PCI_REGION_SIZE          0x1000
#define VIRTIO_PCI_MODERN_BAR_SIZE      0x4000
#define VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER 4

typedef struct VirtIOPCIProxy {
    PCIDevice parent_obj;
    VirtIODevice *vdev;         /* the child "virtio-backend" */
    uint32_t vectors;           /* MSI-X vectors (property) */
    uint32_t dfselect, gfselect;
    uint64_t guest_features;    /* as the driver writes them, 32 bits at a time */
    uint16_t queue_sel;
    uint8_t pci_cfg_cap;        /* offset of the PCI cfg access capability */
    MemoryRegion modern_bar, msix_bar;
    MemoryRegion common, isr, device, notify;
} VirtIOPCIProxy;

typedef struct VirtIOPCIClass {
    PCIDeviceClass parent_class;
    const char *vdev_type;      /* the virtio device type it carries */
    uint32_t default_vectors;
} VirtIOPCIClass;

#define VIRTIO_PCI(obj) OBJECT_CHECK(VirtIOPCIProxy, (obj), TYPE_VIRTIO_PCI)
#define VIRTIO_PCI_GET_CLASS(obj) \
    ((VirtIOPCIClass *)object_class_check(OBJECT(obj)->klass, TYPE_VIRTIO_PCI))

/*
 * For a concrete proxy's class_init: forward every property of the
 * carried device type, so "qom-set vm0 requested-size 4G" on the proxy
 * acts on the device, with the device's own checks and messages.
 */
void virtio_pci_class_forward_props(ObjectClass *oc, const char *vdev_type);

void virtio_pci_register_types(void);

#endif
