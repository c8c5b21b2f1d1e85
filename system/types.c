/* Every QOM type Tide has, registered in one place in a fixed order. */
#include "system/types.h"

#include "backends/hostmem.h"
#include "hw/i386/pc.h"
#include "hw/mem/memory-manager.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio-mem-pci.h"
#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/virtio-rng-pci.h"
#include "hw/virtio/virtio.h"
#include "qom/device.h"
#include "qom/object.h"

void types_register_all(void)
{
    qom_register_types();
    device_register_types();
    backends_register_types();
    pc_register_types();
    pci_register_types();
    virtio_register_types();
    virtio_pci_register_types();
    virtio_mem_register_types();
    virtio_mem_pci_register_types();
    virtio_rng_register_types();
    virtio_rng_pci_register_types();
    memory_manager_register_types();
}
