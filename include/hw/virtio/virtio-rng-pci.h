/* virtio-rng-pci: the PCI proxy for virtio-rng. */
#ifndef HW_VIRTIO_VIRTIO_RNG_PCI_H
#define HW_VIRTIO_VIRTIO_RNG_PCI_H

#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/virtio-rng.h"

#define TYPE_VIRTIO_RNG_PCI "virtio-rng-pci"
#define PCI_DEVICE_ID_VIRTIO_RNG (PCI_DEVICE_ID_VIRTIO_BASE + VIRTIO_ID_RNG)

void virtio_rng_pci_register_types(void);

#endif
