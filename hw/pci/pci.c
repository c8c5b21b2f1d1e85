/* PCI functions: the abstract device type, config space rules, BAR mapping. */
#include "hw/pci/pci.h"

#include <string.h>
#include <urcu.h>
#include "hw/pci/msix.h"
#include "hw/pci/pci-host.h"

/* QEMU's default subsystem ids (Red Hat, "QEMU"), for guests that match them. */
#define PCI_SUBVENDOR_ID_REDHAT_QUMRANET 0x1af4
#define PCI_SUBDEVICE_ID_QEMU            0x1100

#define PCI_BAR_IO_LIMIT        UINT64_C(0x10000)

static uint16_t get_word(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void set_word(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static uint32_t get_long(const uint8_t *p)
{
    return (uint32_t)get_word(p) | (uint32_t)get_word(p + 2) << 16;
}

static void set_long(uint8_t *p, uint32_t v)
{
    set_word(p, (uint16_t)v);
    set_word(p + 2, (uint16_t)(v >> 16));
}

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b,
                           uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

static uint32_t all_ones(unsigned len)
{
    return len >= 1 && len <= 3 ? (1u << (8 * len)) - 1 : UINT32_MAX;
}

/* Length 1, 2 or 4, naturally aligned, wholly inside config space. */
static bool config_access_ok(PCIDevice *dev, uint32_t addr, unsigned len)
{
    return (len == 1 || len == 2 || len == 4) && !(addr & (len - 1)) &&
           addr < dev->config_size && len <= dev->config_size - addr;
}

static uint32_t bar_offset(int bar)
{
    return PCI_BASE_ADDRESS_0 + 4 * (uint32_t)bar;
}

/* ---- BARs ---------------------------------------------------------------- */

/*
 * Where the guest's programming puts BAR bar, or PCI_BAR_UNMAPPED: the
 * decoding bit must be on, and the address must be real, not 0 and not
 * the all-ones a sizing write leaves behind.  As QEMU's pci_bar_address,
 * a 32-bit BAR must end below 0xffffffff; a 64-bit one must not reach
 * 2^64 - 1; an I/O BAR must fit the 64 KiB port space.
 */
static uint64_t bar_programmed_address(PCIDevice *dev, int bar)
{
    PCIBar *b = &dev->bars[bar];
    uint16_t cmd = get_word(dev->config + PCI_COMMAND);
    uint32_t off = bar_offset(bar);
    uint64_t addr, last;

    if (b->type & PCI_BAR_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = get_long(dev->config + off) & ~(b->size - 1);
        last = addr + b->size - 1;
        return addr && last < PCI_BAR_IO_LIMIT ? addr : PCI_BAR_UNMAPPED;
    }
    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    addr = get_long(dev->config + off);
    if (b->type & PCI_BAR_MEM64) {
        addr |= (uint64_t)get_long(dev->config + off + 4) << 32;
    }
    addr &= ~(b->size - 1);
    if (!addr || __builtin_add_overflow(addr, b->size - 1, &last) ||
        last == UINT64_MAX) {
        return PCI_BAR_UNMAPPED;
    }
    if (!(b->type & PCI_BAR_MEM64) && last >= UINT32_MAX) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

static MemoryRegion *bar_space(PCIBar *b)
{
    return b->type & PCI_BAR_IO ? address_space_io.root
                                : address_space_memory.root;
}

/* Move BAR bar to addr (or out of the space); inside a transaction. */
static void bar_move(PCIBar *b, uint64_t addr)
{
    MemoryRegion *space = bar_space(b);

    if (addr == b->addr) {
        return;
    }
    if (b->addr != PCI_BAR_UNMAPPED) {
        memory_region_del_subregion(space, b->mr);
    }
    b->addr = addr;
    if (addr != PCI_BAR_UNMAPPED) {
        memory_region_add_subregion_overlap(space, addr, b->mr,
                                            PCI_BAR_PRIORITY);
    }
}

/* Make every BAR's mapping follow config space, in one rebuild. */
static void update_mappings(PCIDevice *dev)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIBar *b = &dev->bars[i];
        uint64_t addr;

        if (!b->size) {
            continue;
        }
        addr = bar_programmed_address(dev, i);
        /* A machine without address spaces (some unit tests) maps nothing. */
        if (!bar_space(b)) {
            addr = PCI_BAR_UNMAPPED;
        }
        bar_move(b, addr);
    }
    memory_region_transaction_commit();
}

static void unmap_all(PCIDevice *dev)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        if (dev->bars[i].size) {
            bar_move(&dev->bars[i], PCI_BAR_UNMAPPED);
        }
    }
    memory_region_transaction_commit();
}

void pci_register_bar(PCIDevice *dev, int bar, uint8_t type,
                      MemoryRegion *mr)
{
    uint64_t size = memory_region_size(mr);
    uint64_t wmask = ~(size - 1);
    bool io = type & PCI_BAR_IO;
    bool is64 = !io && (type & PCI_BAR_MEM64);
    uint32_t off = bar_offset(bar);
    PCIBar *b;

    /* The device's own code chooses all of these; none is guest input. */
    g_assert(bar >= 0 && bar < PCI_NUM_REGIONS - (is64 ? 1 : 0));
    g_assert(size && !(size & (size - 1)));
    g_assert(io ? size >= 4 && size <= 256 : size >= 4096);
    g_assert(!dev->bars[bar].size && (!is64 || !dev->bars[bar + 1].size));
    g_assert(bar == 0 || !(dev->bars[bar - 1].type & PCI_BAR_MEM64) ||
             !dev->bars[bar - 1].size);

    b = &dev->bars[bar];
    b->size = size;
    b->type = io ? PCI_BAR_IO
                 : type & (PCI_BAR_MEM64 | PCI_BASE_ADDRESS_MEM_PREFETCH);
    b->mr = mr;
    b->addr = PCI_BAR_UNMAPPED;
    set_long(dev->config + off, b->type);
    set_long(dev->wmask + off, (uint32_t)wmask);
    if (is64) {
        set_long(dev->config + off + 4, 0);
        set_long(dev->wmask + off + 4, (uint32_t)(wmask >> 32));
    }
}

uint64_t pci_bar_address(PCIDevice *dev, int bar)
{
    if (bar < 0 || bar >= PCI_NUM_REGIONS || !dev->bars[bar].size) {
        return PCI_BAR_UNMAPPED;
    }
    return dev->bars[bar].addr;
}

/* ---- capabilities ------------------------------------------------------------ */

uint8_t pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size,
                           Error **errp)
{
    /* next_cap 0: the last capability ended at the end of the space. */
    uint32_t offset = (dev->next_cap + 3u) & ~3u;

    if (size < 2 || !dev->next_cap || offset + size > PCI_CONFIG_SPACE_SIZE) {
        error_setg(errp, "PCI capability 0x%x (%u bytes) does not fit in "
                   "the config space of %s", cap_id, size,
                   object_get_typename(OBJECT(dev)));
        return 0;
    }
    memset(dev->config + offset, 0, size);
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    dev->config[offset + PCI_CAP_LIST_ID] = cap_id;
    dev->config[offset + PCI_CAP_LIST_NEXT] = dev->config[PCI_CAPABILITY_LIST];
    dev->config[PCI_CAPABILITY_LIST] = (uint8_t)offset;
    dev->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    dev->next_cap = (uint8_t)(offset + size);   /* 256 wraps to 0: full */
    return (uint8_t)offset;
}

/* ---- config space ------------------------------------------------------------ */

uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, unsigned len)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    uint32_t val = 0;

    if (!config_access_ok(dev, addr, len)) {
        return all_ones(len);
    }
    for (unsigned i = 0; i < len; i++) {
        val |= (uint32_t)dev->config[addr + i] << (8 * i);
    }
    if (pc->config_read) {
        pc->config_read(dev, addr, len, &val);
    }
    return val;
}

void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    uint8_t msix_cap = dev->msix.nr_vectors ? dev->msix.cap : 0;
    uint16_t old_msix_ctrl = 0;

    if (!config_access_ok(dev, addr, len)) {
        return;
    }
    if (msix_cap) {
        old_msix_ctrl = get_word(dev->config + msix_cap + PCI_MSIX_FLAGS);
    }
    for (unsigned i = 0; i < len; i++) {
        uint32_t a = addr + i;
        uint8_t b = (uint8_t)(val >> (8 * i));

        dev->config[a] = (dev->config[a] & ~dev->wmask[a]) |
                         (b & dev->wmask[a]);
        dev->config[a] &= ~(b & dev->w1cmask[a]);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2) ||
        ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, 4 * PCI_NUM_REGIONS)) {
        update_mappings(dev);
    }
    if (msix_cap && ranges_overlap(addr, len, msix_cap + PCI_MSIX_FLAGS, 2)) {
        msix_config_written(dev, old_msix_ctrl);
    }
    if (pc->config_written) {
        pc->config_written(dev, addr, val, len);
    }
}

/*
 * The power-on header: ids from the class, everything read-only except
 * what PCI 3.0 chapter 6 lets software write (command enables, cache
 * line size, interrupt line; BARs open their bits when registered) and
 * the status error bits, which are write-1-to-clear.
 */
static void init_header(PCIDevice *dev, PCIDeviceClass *pc)
{
    uint16_t svid = pc->subsystem_vendor_id, sid = pc->subsystem_id;

    memset(dev->config, 0, sizeof(dev->config));
    memset(dev->wmask, 0, sizeof(dev->wmask));
    memset(dev->w1cmask, 0, sizeof(dev->w1cmask));
    memset(dev->bars, 0, sizeof(dev->bars));
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        dev->bars[i].addr = PCI_BAR_UNMAPPED;
    }
    if (!svid && !sid) {
        svid = PCI_SUBVENDOR_ID_REDHAT_QUMRANET;
        sid = PCI_SUBDEVICE_ID_QEMU;
    }
    set_word(dev->config + PCI_VENDOR_ID, pc->vendor_id);
    set_word(dev->config + PCI_DEVICE_ID, pc->device_id);
    dev->config[PCI_REVISION_ID] = pc->revision;
    set_word(dev->config + PCI_CLASS_DEVICE, pc->class_id);
    set_word(dev->config + PCI_SUBSYSTEM_VENDOR_ID, svid);
    set_word(dev->config + PCI_SUBSYSTEM_ID, sid);
    dev->config[PCI_INTERRUPT_PIN] = pc->interrupt_pin;
    set_word(dev->wmask + PCI_COMMAND,
             PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
             PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
    set_word(dev->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
    dev->next_cap = PCI_CONFIG_HEADER_SIZE;
}

void pci_device_reset(PCIDevice *dev)
{
    memcpy(dev->config, dev->config_poweron, dev->config_size);
    if (dev->msix.nr_vectors) {
        msix_reset(dev);
    }
    update_mappings(dev);
}

/* ---- the device type ------------------------------------------------------------ */

/*
 * Plug first, so a taken address fails before the function builds
 * anything (QEMU's order); the power-on snapshot is taken last, after
 * the function added its BARs and capabilities.
 */
static bool pci_device_realize(Object *obj, Error **errp)
{
    PCIDevice *dev = PCI_DEVICE(obj);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(obj);

    if (!pci_bus_plug(dev, errp)) {
        return false;
    }
    init_header(dev, pc);
    if (pc->pci_realize && !pc->pci_realize(dev, errp)) {
        memset(dev->bars, 0, sizeof(dev->bars));
        pci_bus_unplug(dev);
        return false;
    }
    memcpy(dev->config_poweron, dev->config, dev->config_size);
    return true;
}

/*
 * The guest can no longer reach the function once its BARs are out of
 * the address spaces and it is off the bus; readers that picked up an
 * older flat view may still be inside a BAR callback, so wait for them
 * before the function tears its regions down.  Hence: not to be called
 * inside rcu_read_lock() or with a lock such a reader waits for (today
 * only start-up unwinding and tear-down unrealize devices, on the main
 * thread).
 */
static void pci_device_unrealize(Object *obj)
{
    PCIDevice *dev = PCI_DEVICE(obj);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(obj);

    unmap_all(dev);
    pci_bus_unplug(dev);
    synchronize_rcu();
    if (pc->pci_unrealize) {
        pc->pci_unrealize(dev);
    }
    memset(dev->bars, 0, sizeof(dev->bars));
}

static void pci_device_reset_hook(Object *obj)
{
    PCIDevice *dev = PCI_DEVICE(obj);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(obj);

    pci_device_reset(dev);
    if (pc->pci_reset) {
        pc->pci_reset(dev);
    }
}

static bool get_addr(Object *obj, const Property *prop, PropValue *out)
{
    PCIDevice *dev = PCI_DEVICE(obj);

    if (dev->devfn < 0) {
        g_strlcpy(dev->addr_str, "-1", sizeof(dev->addr_str));
    } else {
        g_snprintf(dev->addr_str, sizeof(dev->addr_str), "%02x.%x",
                   PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn));
    }
    out->s = dev->addr_str;
    return true;
}

static bool set_addr(Object *obj, const Property *prop, const PropValue *in,
                     Error **errp)
{
    int devfn = pci_parse_devfn(in->s);

    if (devfn < 0) {
        error_setg(errp, "Property '%s.%s' doesn't take value '%s'",
                   object_get_typename(obj), prop->name, in->s);
        return false;
    }
    PCI_DEVICE(obj)->devfn = devfn;
    return true;
}

static const Property pci_device_props[] = {
    { .name = "addr", .kind = PROP_STR, .access = PROP_CONFIG,
      .offset = PROP_NO_FIELD, .get = get_addr, .set = set_addr,
      .description = "Slot and optional function number, example: 06.0 "
                     "or 06 (default: first free slot)" },
    { NULL },
};

static void pci_device_instance_init(Object *obj)
{
    PCIDevice *dev = PCI_DEVICE(obj);

    dev->devfn = -1;
    dev->config_size = PCI_CONFIG_SPACE_SIZE;
    dev->next_cap = PCI_CONFIG_HEADER_SIZE;
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        dev->bars[i].addr = PCI_BAR_UNMAPPED;
    }
}

static void pci_device_class_init(ObjectClass *oc)
{
    oc->realize = pci_device_realize;
    oc->unrealize = pci_device_unrealize;
    oc->reset = pci_device_reset_hook;
    DEVICE_CLASS(oc)->bus_type = "PCI";
    object_class_add_props(oc, pci_device_props);
}

static const TypeInfo pci_device_info = {
    .name = TYPE_PCI_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(PCIDevice),
    .class_size = sizeof(PCIDeviceClass),
    .abstract = true,
    .class_init = pci_device_class_init,
    .instance_init = pci_device_instance_init,
};

void pci_register_types(void)
{
    type_register_static(&pci_device_info);
    pci_host_register_types();
}
