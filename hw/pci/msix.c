/* MSI-X: the vector table and pending bits in a BAR, masking and delivery. */
#include "hw/pci/msix.h"

#include <string.h>
#include "accel/irq.h"

#define MSIX_MAX_VECTORS        2048
#define MSIX_BIR_MASK           0x7

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void set_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* PBA bytes: one bit per vector, rounded up to whole qwords (as QEMU). */
static uint32_t pba_size(uint16_t nr_vectors)
{
    return (((uint32_t)nr_vectors + 63) / 64) * 8;
}

static uint32_t table_size(uint16_t nr_vectors)
{
    return (uint32_t)nr_vectors * PCI_MSIX_ENTRY_SIZE;
}

static uint16_t msix_ctrl(PCIDevice *dev)
{
    const uint8_t *p = dev->config + dev->msix.cap + PCI_MSIX_FLAGS;

    return (uint16_t)(p[0] | p[1] << 8);
}

/* A disabled function counts as masked: the guest has not set it up yet. */
static bool ctrl_function_masked(uint16_t ctrl)
{
    return !(ctrl & PCI_MSIX_FLAGS_ENABLE) || (ctrl & PCI_MSIX_FLAGS_MASKALL);
}

static uint8_t *entry(PCIDevice *dev, unsigned vector)
{
    return dev->msix.table + vector * PCI_MSIX_ENTRY_SIZE;
}

static bool vector_masked(PCIDevice *dev, unsigned vector)
{
    return entry(dev, vector)[PCI_MSIX_ENTRY_VECTOR_CTRL] &
           PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

static bool is_pending(PCIDevice *dev, unsigned vector)
{
    return dev->msix.pba[vector / 8] & (1u << (vector % 8));
}

static void set_pending(PCIDevice *dev, unsigned vector, bool on)
{
    uint8_t bit = (uint8_t)(1u << (vector % 8));

    if (on) {
        dev->msix.pba[vector / 8] |= bit;
    } else {
        dev->msix.pba[vector / 8] &= (uint8_t)~bit;
    }
}

static void send(PCIDevice *dev, unsigned vector)
{
    const uint8_t *e = entry(dev, vector);
    uint64_t addr = get_le32(e + PCI_MSIX_ENTRY_LOWER_ADDR) |
                    (uint64_t)get_le32(e + PCI_MSIX_ENTRY_UPPER_ADDR) << 32;

    accel_send_msi(addr, get_le32(e + PCI_MSIX_ENTRY_DATA));
}

/* A vector just became deliverable: send what it kept pending. */
static void deliver_if_pending(PCIDevice *dev, unsigned vector)
{
    if (is_pending(dev, vector) && !vector_masked(dev, vector) &&
        !ctrl_function_masked(msix_ctrl(dev))) {
        set_pending(dev, vector, false);
        send(dev, vector);
    }
}

bool msix_enabled(PCIDevice *dev)
{
    return dev->msix.nr_vectors &&
           (msix_ctrl(dev) & PCI_MSIX_FLAGS_ENABLE);
}

void msix_notify(PCIDevice *dev, unsigned vector)
{
    if (vector >= dev->msix.nr_vectors) {
        return;
    }
    if (ctrl_function_masked(msix_ctrl(dev)) || vector_masked(dev, vector)) {
        set_pending(dev, vector, true);
        return;
    }
    send(dev, vector);
}

void msix_config_written(PCIDevice *dev, uint16_t old_ctrl)
{
    if (!dev->msix.nr_vectors || !ctrl_function_masked(old_ctrl) ||
        ctrl_function_masked(msix_ctrl(dev))) {
        return;
    }
    for (unsigned v = 0; v < dev->msix.nr_vectors; v++) {
        deliver_if_pending(dev, v);
    }
}

void msix_reset(PCIDevice *dev)
{
    uint8_t *ctrl = dev->config + dev->msix.cap + PCI_MSIX_FLAGS;

    if (!dev->msix.nr_vectors) {
        return;
    }
    ctrl[1] &= (uint8_t)~((PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8);
    memset(dev->msix.table, 0, table_size(dev->msix.nr_vectors));
    memset(dev->msix.pba, 0, pba_size(dev->msix.nr_vectors));
    for (unsigned v = 0; v < dev->msix.nr_vectors; v++) {
        entry(dev, v)[PCI_MSIX_ENTRY_VECTOR_CTRL] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
    }
}

/* ---- the table and the PBA, as the guest sees them -------------------------- */

/*
 * Both regions declare 4-byte callbacks and 4..8-byte guest accesses,
 * so an offset here is dword aligned and inside the region (the memory
 * core sizes and splits accesses); the checks below keep that true for
 * any caller.
 */
static uint64_t table_read(void *opaque, uint64_t addr, unsigned size)
{
    PCIDevice *dev = opaque;

    if (size != 4 || (addr & 3) ||
        addr >= table_size(dev->msix.nr_vectors)) {
        return UINT64_MAX;
    }
    return get_le32(dev->msix.table + addr);
}

static void table_write(void *opaque, uint64_t addr, uint64_t val,
                        unsigned size)
{
    PCIDevice *dev = opaque;
    unsigned vector = (unsigned)(addr / PCI_MSIX_ENTRY_SIZE);
    bool was_masked;

    if (size != 4 || (addr & 3) ||
        addr >= table_size(dev->msix.nr_vectors)) {
        return;
    }
    was_masked = vector_masked(dev, vector);
    if (addr % PCI_MSIX_ENTRY_SIZE == PCI_MSIX_ENTRY_VECTOR_CTRL) {
        /* Bits 31:1 are reserved and read 0 (PCI 3.0, 6.8.2.9). */
        val &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
    }
    set_le32(dev->msix.table + addr, (uint32_t)val);
    if (was_masked && !vector_masked(dev, vector)) {
        deliver_if_pending(dev, vector);
    }
}

static uint64_t pba_read(void *opaque, uint64_t addr, unsigned size)
{
    PCIDevice *dev = opaque;

    if (size != 4 || (addr & 3) || addr >= pba_size(dev->msix.nr_vectors)) {
        return UINT64_MAX;
    }
    return get_le32(dev->msix.pba + addr);
}

static const MemoryRegionOps msix_table_ops = {
    .read = table_read,
    .write = table_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/* The PBA is read-only to software (PCI 3.0, 6.8.2.10): writes drop. */
static const MemoryRegionOps msix_pba_ops = {
    .read = pba_read,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static bool fits(uint32_t offset, uint32_t size, uint64_t bar_size)
{
    return offset <= bar_size && size <= bar_size - offset;
}

bool msix_init(PCIDevice *dev, uint16_t nr_vectors, MemoryRegion *bar_mr,
               uint8_t bar_nr, uint32_t table_offset, uint32_t pba_offset,
               Error **errp)
{
    uint64_t bar_size = memory_region_size(bar_mr);
    uint32_t tsize = table_size(nr_vectors), psize = pba_size(nr_vectors);
    MSIXState *m = &dev->msix;
    uint8_t cap;

    if (nr_vectors < 1 || nr_vectors > MSIX_MAX_VECTORS) {
        error_setg(errp, "MSI-X: %u vectors requested, 1 to %d supported",
                   nr_vectors, MSIX_MAX_VECTORS);
        return false;
    }
    if (bar_nr >= PCI_NUM_REGIONS || (table_offset & 7) || (pba_offset & 7) ||
        !fits(table_offset, tsize, bar_size) ||
        !fits(pba_offset, psize, bar_size) ||
        (table_offset < pba_offset + psize &&
         pba_offset < table_offset + tsize)) {
        error_setg(errp, "MSI-X: table & pba overlap, or they don't fit in "
                   "BARs, or don't align");
        return false;
    }
    cap = pci_add_capability(dev, PCI_CAP_ID_MSIX, PCI_MSIX_CAP_SIZE, errp);
    if (!cap) {
        return false;
    }
    m->nr_vectors = nr_vectors;
    m->cap = cap;
    dev->config[cap + PCI_MSIX_FLAGS] = (uint8_t)(nr_vectors - 1);
    dev->config[cap + PCI_MSIX_FLAGS + 1] = (uint8_t)((nr_vectors - 1) >> 8);
    set_le32(dev->config + cap + PCI_MSIX_TABLE, table_offset | bar_nr);
    set_le32(dev->config + cap + PCI_MSIX_PBA, pba_offset | bar_nr);
    dev->wmask[cap + PCI_MSIX_FLAGS + 1] =
        (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
    m->table = g_malloc0(tsize);
    m->pba = g_malloc0(psize);
    msix_reset(dev);
    memory_region_init_io(&m->table_mr, &msix_table_ops, dev, "msix-table",
                          tsize);
    memory_region_init_io(&m->pba_mr, &msix_pba_ops, dev, "msix-pba", psize);
    memory_region_transaction_begin();
    memory_region_add_subregion(bar_mr, table_offset, &m->table_mr);
    memory_region_add_subregion(bar_mr, pba_offset, &m->pba_mr);
    memory_region_transaction_commit();
    return true;
}

/*
 * The capability stays in config space (it is rebuilt at the next
 * realize); what goes is the guest's view and the state behind it.  The
 * caller runs this from pci_unrealize, after the BARs were unmapped and
 * a grace period passed, or on a realize error before they ever were.
 */
void msix_uninit(PCIDevice *dev, MemoryRegion *bar_mr)
{
    MSIXState *m = &dev->msix;

    if (!m->nr_vectors) {
        return;
    }
    memory_region_transaction_begin();
    memory_region_del_subregion(bar_mr, &m->table_mr);
    memory_region_del_subregion(bar_mr, &m->pba_mr);
    memory_region_transaction_commit();
    memory_region_destroy(&m->table_mr);
    memory_region_destroy(&m->pba_mr);
    g_clear_pointer(&m->table, g_free);
    g_clear_pointer(&m->pba, g_free);
    m->nr_vectors = 0;
    m->cap = 0;
}
