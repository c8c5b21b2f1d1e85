/* MSI-X: the table and pending-bit array in a BAR, masking, delivery. */
#ifndef HW_PCI_MSIX_H
#define HW_PCI_MSIX_H

#include "hw/pci/pci.h"

#define PCI_MSIX_FLAGS          2       /* within the capability */
#define  PCI_MSIX_FLAGS_QSIZE   0x07ff
#define  PCI_MSIX_FLAGS_MASKALL 0x4000
#define  PCI_MSIX_FLAGS_ENABLE  0x8000
#define PCI_MSIX_TABLE          4
#define PCI_MSIX_PBA            8
#define PCI_MSIX_CAP_SIZE       12
#define PCI_MSIX_ENTRY_SIZE     16
#define  PCI_MSIX_ENTRY_LOWER_ADDR  0
#define  PCI_MSIX_ENTRY_UPPER_ADDR  4
#define  PCI_MSIX_ENTRY_DATA        8
#define  PCI_MSIX_ENTRY_VECTOR_CTRL 12
#define   PCI_MSIX_ENTRY_CTRL_MASKBIT 1
#define VIRTIO_NO_VECTOR        0xffff

/*
 * Adds the capability and maps table (at table_offset) and PBA (at
 * pba_offset) into bar_mr, a container the caller registers as BAR
 * bar_nr.  nr_vectors 1..2048.  The table is 16 bytes per vector, the
 * PBA one bit per vector rounded up to 8 bytes; both offsets must be
 * 8-byte aligned, fit in bar_mr and not overlap.  Table and PBA take
 * 4- and 8-byte accesses only; the PBA ignores writes.  Every vector
 * starts masked.  Only the enable and function-mask bits of the message
 * control word are writable by the guest.
 */
bool msix_init(PCIDevice *dev, uint16_t nr_vectors, MemoryRegion *bar_mr,
               uint8_t bar_nr, uint32_t table_offset, uint32_t pba_offset,
               Error **errp);
void msix_uninit(PCIDevice *dev, MemoryRegion *bar_mr);
/*
 * pci_config_write calls this after a write touched the message control
 * word (old_ctrl: its value before): clearing the function mask or
 * setting enable delivers the pending vectors that are not masked.
 */
void msix_config_written(PCIDevice *dev, uint16_t old_ctrl);
bool msix_enabled(PCIDevice *dev);
/*
 * Deliver vector: sent through accel_send_msi() if MSI-X is enabled and
 * neither the function nor the vector is masked; otherwise its pending
 * bit is set and it is sent when unmasked (as QEMU, a disabled function
 * counts as masked).  A vector out of range (a guest can program one)
 * is ignored.  Called with the machine lock held.
 */
void msix_notify(PCIDevice *dev, unsigned vector);
/* Clears pending bits and masks every vector (device reset). */
void msix_reset(PCIDevice *dev);

#endif
