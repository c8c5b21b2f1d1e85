/* The host bridge: config mechanism #1 at 0xcf8/0xcfc, ECAM, and function 00.0. */
#include "hw/pci/pci-host.h"

#include <urcu.h>
#include "hw/pci/pci.h"

#define CONFIG_ADDR_ENABLE      UINT32_C(0x80000000)
/* Enable, bus, devfn, dword register: the bits PCI 3.0 3.2.2.3.2 defines. */
#define CONFIG_ADDR_MASK        UINT32_C(0x80fffffc)

static uint32_t config_address;         /* last dword written to 0xcf8 */
static MemoryRegion config_addr_mr, config_data_mr, ecam_mr;
static Object *host_bridge;

/* The function a bus/devfn names, or NULL: only bus 0 exists. */
static PCIDevice *lookup(unsigned bus, unsigned devfn)
{
    return bus == 0 ? pci_bus_find((uint8_t)devfn) : NULL;
}

static uint64_t config_read(unsigned bus, unsigned devfn, uint32_t reg,
                            unsigned size)
{
    PCIDevice *dev = lookup(bus, devfn);

    return dev ? pci_config_read(dev, reg, size) : UINT64_MAX;
}

static void config_write(unsigned bus, unsigned devfn, uint32_t reg,
                         uint64_t val, unsigned size)
{
    PCIDevice *dev = lookup(bus, devfn);

    if (dev) {
        pci_config_write(dev, reg, (uint32_t)val, size);
    }
}

/* ---- mechanism #1 ------------------------------------------------------------- */

static uint64_t config_addr_read(void *opaque, uint64_t addr, unsigned size)
{
    return config_address;
}

static void config_addr_write(void *opaque, uint64_t addr, uint64_t val,
                              unsigned size)
{
    config_address = (uint32_t)val & CONFIG_ADDR_MASK;
}

/* Dword only: byte writes to 0xcf8-0xcfb are other chipsets' registers. */
static const MemoryRegionOps config_addr_ops = {
    .read = config_addr_read,
    .write = config_addr_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t config_data_read(void *opaque, uint64_t addr, unsigned size)
{
    uint32_t ca = config_address;

    if (!(ca & CONFIG_ADDR_ENABLE)) {
        return UINT64_MAX;
    }
    return config_read((ca >> 16) & 0xff, (ca >> 8) & 0xff,
                       (ca & 0xfc) | (uint32_t)addr, size);
}

static void config_data_write(void *opaque, uint64_t addr, uint64_t val,
                              unsigned size)
{
    uint32_t ca = config_address;

    if (ca & CONFIG_ADDR_ENABLE) {
        config_write((ca >> 16) & 0xff, (ca >> 8) & 0xff,
                     (ca & 0xfc) | (uint32_t)addr, val, size);
    }
}

/*
 * The memory core hands over naturally aligned pieces of at most 4
 * bytes, so addr + size stays within the dword; pci_config_* refuse
 * anything else anyway.
 */
static const MemoryRegionOps config_data_ops = {
    .read = config_data_read,
    .write = config_data_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* ---- ECAM ---------------------------------------------------------------------- */

static uint64_t ecam_read(void *opaque, uint64_t addr, unsigned size)
{
    return config_read((unsigned)(addr >> 20) & 0xff,
                       (unsigned)(addr >> 12) & 0xff,
                       (uint32_t)(addr & 0xfff), size);
}

static void ecam_write(void *opaque, uint64_t addr, uint64_t val,
                       unsigned size)
{
    config_write((unsigned)(addr >> 20) & 0xff, (unsigned)(addr >> 12) & 0xff,
                 (uint32_t)(addr & 0xfff), val, size);
}

/* 8-byte guest accesses become two dword config accesses, as on hardware. */
static const MemoryRegionOps ecam_ops = {
    .read = ecam_read,
    .write = ecam_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* ---- the i440FX function ------------------------------------------------------- */

/* Reset forgets the selected address, as the chipset's power-on state. */
static void i440fx_pci_reset(PCIDevice *dev)
{
    config_address = 0;
}

static void i440fx_class_init(ObjectClass *oc)
{
    PCIDeviceClass *pc = (PCIDeviceClass *)oc;

    oc->description = "Host bridge";
    oc->user_creatable = false;
    pc->vendor_id = 0x8086;     /* Intel */
    pc->device_id = 0x1237;     /* 82441FX PMC */
    pc->revision = 0x02;
    pc->class_id = 0x0600;      /* bridge, host */
    pc->pci_reset = i440fx_pci_reset;
}

static const TypeInfo i440fx_info = {
    .name = TYPE_I440FX_PCI_DEVICE,
    .parent = TYPE_PCI_DEVICE,
    .class_init = i440fx_class_init,
};

void pci_host_register_types(void)
{
    type_register_static(&i440fx_info);
}

/* ---- the stage --------------------------------------------------------------- */

static bool create_host_bridge(Error **errp)
{
    g_autoptr(Object) obj = object_new(TYPE_I440FX_PCI_DEVICE);
    Object *machine = object_resolve_path("/machine", NULL);

    if (!machine) {
        error_setg(errp, "PCI: the machine must exist before its host bridge");
        return false;
    }
    PCI_DEVICE(obj)->devfn = PCI_DEVFN(0, 0);
    if (!object_add_child(machine, "i440fx", obj, errp)) {
        return false;
    }
    if (!object_realize(obj, errp)) {
        object_unparent(obj);
        return false;
    }
    host_bridge = obj;
    return true;
}

bool pci_host_init(Error **errp)
{
    if (!address_space_memory.root || !address_space_io.root) {
        error_setg(errp, "PCI: the machine has no address spaces");
        return false;
    }
    if (!create_host_bridge(errp)) {
        return false;
    }
    config_address = 0;
    memory_region_init_io(&config_addr_mr, &config_addr_ops, NULL,
                          "pci-conf-idx", 4);
    memory_region_init_io(&config_data_mr, &config_data_ops, NULL,
                          "pci-conf-data", 4);
    memory_region_init_io(&ecam_mr, &ecam_ops, NULL, "pcie-mmcfg-mmio",
                          PCI_HOST_ECAM_SIZE);
    memory_region_transaction_begin();
    memory_region_add_subregion(address_space_io.root, PCI_HOST_CONFIG_ADDR,
                                &config_addr_mr);
    memory_region_add_subregion(address_space_io.root, PCI_HOST_CONFIG_DATA,
                                &config_data_mr);
    memory_region_add_subregion(address_space_memory.root, PCI_HOST_ECAM_BASE,
                                &ecam_mr);
    memory_region_transaction_commit();
    return true;
}

void pci_host_exit(void)
{
    if (!host_bridge) {
        return;
    }
    memory_region_transaction_begin();
    memory_region_del_subregion(address_space_io.root, &config_addr_mr);
    memory_region_del_subregion(address_space_io.root, &config_data_mr);
    memory_region_del_subregion(address_space_memory.root, &ecam_mr);
    memory_region_transaction_commit();
    /* A reader may still be in a callback (they use no opaque, but ops). */
    synchronize_rcu();
    memory_region_destroy(&config_addr_mr);
    memory_region_destroy(&config_data_mr);
    memory_region_destroy(&ecam_mr);
    object_unparent(host_bridge);
    host_bridge = NULL;
}
