/* virtio-rng-pci: the PCI proxy for virtio-rng. */
#include "hw/virtio/virtio-rng-pci.h"

static void virtio_rng_pci_class_init(ObjectClass *oc)
{
    PCIDeviceClass *pc = (PCIDeviceClass *)oc;
    VirtIOPCIClass *vpc = (VirtIOPCIClass *)oc;

    oc->user_creatable = true;
    oc->category = "Misc devices";
    vpc->vdev_type = TYPE_VIRTIO_RNG;
    vpc->default_vectors = 2;
    pc->device_id = PCI_DEVICE_ID_VIRTIO_RNG;
    pc->subsystem_id = VIRTIO_ID_RNG;
    pc->class_id = 0x00ff;      /* PCI_CLASS_OTHERS, as QEMU */
    virtio_pci_class_forward_props(oc, TYPE_VIRTIO_RNG);
}

static const TypeInfo virtio_rng_pci_info = {
    .name = TYPE_VIRTIO_RNG_PCI,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(VirtIOPCIProxy),
    .class_init = virtio_rng_pci_class_init,
};

void virtio_rng_pci_register_types(void)
{
    type_register_static(&virtio_rng_pci_info);
}
