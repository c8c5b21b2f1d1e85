/* virtio-mem-pci: the PCI proxy that makes virtio-mem a memory device. */
#include "hw/virtio/virtio-mem-pci.h"

#include "hw/i386/pc.h"
#include "hw/mem/memory-device.h"
#include "util/event.h"

static bool (*parent_realize)(PCIDevice *dev, Error **errp);
static void (*parent_unrealize)(PCIDevice *dev);

static VirtIOMEM *vmem_of(Object *obj)
{
    return VIRTIO_MEM(VIRTIO_PCI(obj)->vdev);
}

/* ---- memory-device hooks ------------------------------------------------ */

static uint64_t md_get_addr(Object *md)
{
    return vmem_of(md)->addr;
}

static bool md_set_addr(Object *md, uint64_t addr, Error **errp)
{
    vmem_of(md)->addr = addr;
    return true;
}

static uint64_t md_get_plugged_size(Object *md)
{
    return virtio_mem_get_plugged_size(vmem_of(md));
}

static MemoryRegion *md_get_region(Object *md, Error **errp)
{
    return virtio_mem_get_region(vmem_of(md), errp);
}

static uint64_t md_get_min_alignment(Object *md)
{
    return virtio_mem_get_block_size(vmem_of(md));
}

/* QEMU's VirtioMEMDeviceInfo, in the order QEMU's HMP prints it. */
static void md_fill_info(Object *md, JsonObject *info)
{
    VirtIOMEM *vmem = vmem_of(md);
    JsonObject *data = json_object_new();
    const char *id = DEVICE(md)->id;
    g_autofree char *memdev = vmem->memdev
                              ? object_get_canonical_path(vmem->memdev)
                              : g_strdup("");

    if (id) {
        json_object_set_string_member(data, "id", id);
    }
    json_object_set_int_member(data, "memaddr", (gint64)vmem->addr);
    json_object_set_int_member(data, "node", vmem->node);
    json_object_set_int_member(data, "requested-size",
                               (gint64)vmem->requested_size);
    json_object_set_int_member(data, "size",
                               (gint64)virtio_mem_get_plugged_size(vmem));
    json_object_set_int_member(data, "max-size",
                               (gint64)virtio_mem_get_region_size(vmem));
    json_object_set_int_member(data, "block-size",
                               (gint64)virtio_mem_get_block_size(vmem));
    json_object_set_string_member(data, "memdev", memdev);
    json_object_set_string_member(info, "type", "virtio-mem");
    json_object_set_object_member(info, "data", data);
}

static const MemoryDeviceHooks virtio_mem_pci_md_hooks = {
    .get_addr = md_get_addr,
    .set_addr = md_set_addr,
    .get_plugged_size = md_get_plugged_size,
    .get_region = md_get_region,
    .get_min_alignment = md_get_min_alignment,
    .fill_info = md_fill_info,
};

/* ---- MEMORY_DEVICE_SIZE_CHANGE, rate-limited as QEMU's ------------------- */

static void emit_size_change(void *opaque)
{
    Object *obj = opaque;
    JsonObject *data = json_object_new();
    g_autofree char *path = object_get_canonical_path(obj);

    if (DEVICE(obj)->id) {
        json_object_set_string_member(data, "id", DEVICE(obj)->id);
    }
    json_object_set_int_member(data, "size",
                               (gint64)virtio_mem_get_plugged_size(
                                   vmem_of(obj)));
    json_object_set_string_member(data, "qom-path", path);
    event_emit("MEMORY_DEVICE_SIZE_CHANGE", data);
}

static void size_changed(void *opaque, VirtIOMEM *vmem, uint64_t size)
{
    event_throttle_fire(&VIRTIO_MEM_PCI(opaque)->size_event);
}

/* ---- realize ---------------------------------------------------------------- */

static bool plug_into_machine(VirtIOMEMPCI *pci, Error **errp)
{
    Object *obj = OBJECT(pci);
    VirtIOMEM *vmem = vmem_of(obj);
    PCMachineState *pcms = pc_machine_get();
    uint64_t base, size, hint = vmem->addr;

    if (!pcms) {
        error_setg(errp, "virtio-mem-pci needs a machine");
        return false;
    }
    pc_machine_device_memory_area(pcms, &base, &size);
    if (!memory_device_pre_plug(obj, base, size,
                                pcms->maxmem - pcms->ram_size, 0,
                                hint ? &hint : NULL, errp)) {
        return false;
    }
    memory_region_add_subregion(&pcms->device_mem, vmem->addr - base,
                                &vmem->region);
    pci->mapped = true;
    return true;
}

static bool virtio_mem_pci_realize(PCIDevice *dev, Error **errp)
{
    VirtIOMEMPCI *pci = VIRTIO_MEM_PCI(dev);

    if (!parent_realize(dev, errp)) {
        return false;
    }
    if (!plug_into_machine(pci, errp)) {
        parent_unrealize(dev);
        return false;
    }
    event_throttle_init(&pci->size_event, VIRTIO_MEM_PCI_EVENT_PERIOD_MS,
                        emit_size_change, pci);
    virtio_mem_add_size_notifier(vmem_of(OBJECT(dev)), size_changed, pci);
    return true;
}

static void virtio_mem_pci_unrealize(PCIDevice *dev)
{
    VirtIOMEMPCI *pci = VIRTIO_MEM_PCI(dev);
    PCMachineState *pcms = pc_machine_get();

    event_throttle_cancel(&pci->size_event);
    if (pci->mapped && pcms) {
        memory_region_del_subregion(&pcms->device_mem,
                                    &vmem_of(OBJECT(dev))->region);
        pci->mapped = false;
    }
    parent_unrealize(dev);
}

static void virtio_mem_pci_class_init(ObjectClass *oc)
{
    PCIDeviceClass *pc = (PCIDeviceClass *)oc;
    VirtIOPCIClass *vpc = (VirtIOPCIClass *)oc;

    oc->user_creatable = true;
    oc->category = "Memory devices";
    vpc->vdev_type = TYPE_VIRTIO_MEM;
    vpc->default_vectors = 2;
    pc->device_id = PCI_DEVICE_ID_VIRTIO_MEM;
    pc->subsystem_id = VIRTIO_ID_MEM;
    pc->class_id = 0x00ff;      /* PCI_CLASS_OTHERS, as QEMU */
    parent_realize = pc->pci_realize;
    parent_unrealize = pc->pci_unrealize;
    pc->pci_realize = virtio_mem_pci_realize;
    pc->pci_unrealize = virtio_mem_pci_unrealize;
    object_class_add_interface(oc, TYPE_MEMORY_DEVICE,
                               &virtio_mem_pci_md_hooks);
    virtio_pci_class_forward_props(oc, TYPE_VIRTIO_MEM);
}

static const TypeInfo virtio_mem_pci_info = {
    .name = TYPE_VIRTIO_MEM_PCI,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(VirtIOMEMPCI),
    .class_init = virtio_mem_pci_class_init,
};

void virtio_mem_pci_register_types(void)
{
    type_register_static(&virtio_mem_pci_info);
}
