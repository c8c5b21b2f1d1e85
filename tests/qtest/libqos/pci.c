/* libqos PCI: bus 0 through ports 0xcf8/0xcfc, BAR sizing and placement, capabilities, MSI-X. */
#include "pci.h"

#define QPCI_MAX_CAPS 48

QPCIBus *qpci_bus_new(QTestState *qts)
{
    QPCIBus *bus = g_new0(QPCIBus, 1);

    bus->qts = qts;
    g_mutex_init(&bus->lock);
    bus->mmio_next = QPCI_MMIO_BASE;
    bus->mmio_end = QPCI_MMIO_END;
    bus->pio_next = QPCI_PIO_BASE;
    bus->pio_end = QPCI_PIO_END;
    return bus;
}

void qpci_bus_free(QPCIBus *bus)
{
    if (bus) {
        g_mutex_clear(&bus->lock);
        g_free(bus);
    }
}

/* ---- config space ------------------------------------------------------ */

static uint32_t cf8(uint8_t devfn, uint8_t off)
{
    return 0x80000000u | (uint32_t)devfn << 8 | (off & 0xfc);
}

/*
 * Address and data are two accesses: a driver thread on another
 * connection must not slip its address in between, hence the lock.
 */
static uint32_t config_read(QPCIBus *bus, QTestState *qts, uint8_t devfn,
                            uint8_t off, unsigned len)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&bus->lock);
    uint16_t port = QPCI_CONFIG_DATA + (off & 3);

    qtest_outl(qts, QPCI_CONFIG_ADDR, cf8(devfn, off));
    switch (len) {
    case 1:
        return qtest_inb(qts, port);
    case 2:
        return qtest_inw(qts, port);
    default:
        return qtest_inl(qts, port);
    }
}

static void config_write(QPCIBus *bus, QTestState *qts, uint8_t devfn,
                         uint8_t off, uint32_t val, unsigned len)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&bus->lock);
    uint16_t port = QPCI_CONFIG_DATA + (off & 3);

    qtest_outl(qts, QPCI_CONFIG_ADDR, cf8(devfn, off));
    switch (len) {
    case 1:
        qtest_outb(qts, port, (uint8_t)val);
        break;
    case 2:
        qtest_outw(qts, port, (uint16_t)val);
        break;
    default:
        qtest_outl(qts, port, val);
        break;
    }
}

uint8_t qpci_bus_config_readb(QPCIBus *bus, uint8_t devfn, uint8_t off)
{
    return (uint8_t)config_read(bus, bus->qts, devfn, off, 1);
}

uint16_t qpci_bus_config_readw(QPCIBus *bus, uint8_t devfn, uint8_t off)
{
    return (uint16_t)config_read(bus, bus->qts, devfn, off, 2);
}

uint32_t qpci_bus_config_readl(QPCIBus *bus, uint8_t devfn, uint8_t off)
{
    return config_read(bus, bus->qts, devfn, off, 4);
}

uint8_t qpci_config_readb(QPCIDevice *dev, uint8_t off)
{
    return (uint8_t)config_read(dev->bus, dev->qts, dev->devfn, off, 1);
}

uint16_t qpci_config_readw(QPCIDevice *dev, uint8_t off)
{
    return (uint16_t)config_read(dev->bus, dev->qts, dev->devfn, off, 2);
}

uint32_t qpci_config_readl(QPCIDevice *dev, uint8_t off)
{
    return config_read(dev->bus, dev->qts, dev->devfn, off, 4);
}

void qpci_config_writeb(QPCIDevice *dev, uint8_t off, uint8_t val)
{
    config_write(dev->bus, dev->qts, dev->devfn, off, val, 1);
}

void qpci_config_writew(QPCIDevice *dev, uint8_t off, uint16_t val)
{
    config_write(dev->bus, dev->qts, dev->devfn, off, val, 2);
}

void qpci_config_writel(QPCIDevice *dev, uint8_t off, uint32_t val)
{
    config_write(dev->bus, dev->qts, dev->devfn, off, val, 4);
}

/* ---- enumeration -------------------------------------------------------- */

void qpci_device_foreach(QPCIBus *bus, int vendor, int device,
                         void (*fn)(QPCIBus *bus, uint8_t devfn,
                                    uint16_t vendor, uint16_t device,
                                    void *opaque),
                         void *opaque)
{
    for (unsigned devfn = 0; devfn < 256; devfn++) {
        uint32_t id = qpci_bus_config_readl(bus, (uint8_t)devfn,
                                            QPCI_VENDOR_ID);
        uint16_t v = id & 0xffff, d = id >> 16;

        if (v == 0xffff) {
            /* No function 0: the slot is empty, skip its functions. */
            if (!(devfn & 7)) {
                devfn += 7;
            }
            continue;
        }
        if ((vendor < 0 || v == vendor) && (device < 0 || d == device)) {
            fn(bus, (uint8_t)devfn, v, d, opaque);
        }
        /* Single-function devices answer only at function 0. */
        if (!(devfn & 7) &&
            !(qpci_bus_config_readb(bus, (uint8_t)devfn, QPCI_HEADER_TYPE) &
              0x80)) {
            devfn += 7;
        }
    }
}

QPCIDevice *qpci_device_at(QPCIBus *bus, uint8_t devfn)
{
    uint32_t id = qpci_bus_config_readl(bus, devfn, QPCI_VENDOR_ID);
    QPCIDevice *dev;

    if ((id & 0xffff) == 0xffff) {
        return NULL;
    }
    dev = g_new0(QPCIDevice, 1);
    dev->bus = bus;
    dev->qts = bus->qts;
    dev->devfn = devfn;
    dev->vendor_id = id & 0xffff;
    dev->device_id = id >> 16;
    return dev;
}

typedef struct FindState {
    unsigned index;
    int devfn;
} FindState;

static void find_nth(QPCIBus *bus, uint8_t devfn, uint16_t vendor,
                     uint16_t device, void *opaque)
{
    FindState *fs = opaque;

    if (fs->devfn < 0 && fs->index-- == 0) {
        fs->devfn = devfn;
    }
}

QPCIDevice *qpci_device_find(QPCIBus *bus, uint16_t vendor, uint16_t device,
                             unsigned index)
{
    FindState fs = { .index = index, .devfn = -1 };

    qpci_device_foreach(bus, vendor, device, find_nth, &fs);
    return fs.devfn < 0 ? NULL : qpci_device_at(bus, (uint8_t)fs.devfn);
}

void qpci_device_free(QPCIDevice *dev)
{
    g_free(dev);
}

/* ---- BARs ----------------------------------------------------------------- */

static uint8_t bar_reg(int bar)
{
    return (uint8_t)(QPCI_BASE_ADDRESS_0 + 4 * bar);
}

uint64_t qpci_bar_size(QPCIDevice *dev, int bar, uint8_t *type)
{
    uint16_t cmd = qpci_config_readw(dev, QPCI_COMMAND);
    uint32_t lo = qpci_config_readl(dev, bar_reg(bar));
    uint32_t hi = 0, mask_lo, mask_hi = 0xffffffff;
    bool is64 = !(lo & QPCI_BAR_IO) && (lo & 0x6) == QPCI_BAR_MEM64;
    uint64_t mask;

    g_assert(bar >= 0 && bar < QPCI_NUM_BARS);
    /* Decoding off while the BAR holds all-ones, as firmware does. */
    qpci_config_writew(dev, QPCI_COMMAND,
                       cmd & ~(QPCI_COMMAND_IO | QPCI_COMMAND_MEMORY));
    qpci_config_writel(dev, bar_reg(bar), 0xffffffff);
    mask_lo = qpci_config_readl(dev, bar_reg(bar));
    qpci_config_writel(dev, bar_reg(bar), lo);
    if (is64) {
        g_assert(bar + 1 < QPCI_NUM_BARS);
        hi = qpci_config_readl(dev, bar_reg(bar + 1));
        qpci_config_writel(dev, bar_reg(bar + 1), 0xffffffff);
        mask_hi = qpci_config_readl(dev, bar_reg(bar + 1));
        qpci_config_writel(dev, bar_reg(bar + 1), hi);
    }
    qpci_config_writew(dev, QPCI_COMMAND, cmd);
    if (type) {
        *type = (uint8_t)(lo & (lo & QPCI_BAR_IO ? 0x3 : 0xf));
    }
    if (!mask_lo && !(is64 && mask_hi)) {
        return 0;
    }
    if (lo & QPCI_BAR_IO) {
        mask = (mask_lo & ~UINT32_C(3)) | UINT64_C(0xffffffffffff0000);
    } else {
        mask = (uint64_t)mask_hi << 32 | (mask_lo & ~UINT32_C(0xf));
        if (!is64) {
            mask |= UINT64_C(0xffffffff00000000);
        }
    }
    return ~mask + 1;
}

static uint64_t align_up(uint64_t v, uint64_t align)
{
    return (v + align - 1) & ~(align - 1);
}

static void bar_program(QPCIDevice *dev, int bar)
{
    uint64_t addr = dev->bar_addr[bar];
    uint8_t type = dev->bar_type[bar];

    qpci_config_writel(dev, bar_reg(bar), (uint32_t)addr);
    if (!(type & QPCI_BAR_IO) && (type & 0x6) == QPCI_BAR_MEM64) {
        qpci_config_writel(dev, bar_reg(bar + 1), (uint32_t)(addr >> 32));
    }
}

uint64_t qpci_bar_map(QPCIDevice *dev, int bar)
{
    QPCIBus *bus = dev->bus;
    uint8_t type;
    uint64_t size, addr;

    if (dev->bar_addr[bar]) {
        bar_program(dev, bar);
        return dev->bar_addr[bar];
    }
    size = qpci_bar_size(dev, bar, &type);
    if (!size) {
        return 0;
    }
    g_mutex_lock(&bus->lock);
    if (type & QPCI_BAR_IO) {
        addr = align_up(bus->pio_next, size);
        g_assert_cmpuint(addr + size, <=, bus->pio_end);
        bus->pio_next = (uint32_t)(addr + size);
    } else {
        addr = align_up(bus->mmio_next, size);
        g_assert_cmpuint(addr + size, <=, bus->mmio_end);
        bus->mmio_next = addr + size;
    }
    g_mutex_unlock(&bus->lock);
    dev->bar_addr[bar] = addr;
    dev->bar_size[bar] = size;
    dev->bar_type[bar] = type;
    bar_program(dev, bar);
    return addr;
}

void qpci_bars_restore(QPCIDevice *dev)
{
    for (int bar = 0; bar < QPCI_NUM_BARS; bar++) {
        if (dev->bar_addr[bar]) {
            bar_program(dev, bar);
        }
    }
}

void qpci_device_enable(QPCIDevice *dev)
{
    uint16_t cmd = qpci_config_readw(dev, QPCI_COMMAND);

    qpci_config_writew(dev, QPCI_COMMAND, cmd | QPCI_COMMAND_IO |
                       QPCI_COMMAND_MEMORY | QPCI_COMMAND_MASTER);
}

/* ---- capabilities ---------------------------------------------------------- */

uint8_t qpci_find_capability(QPCIDevice *dev, uint8_t id, uint8_t start)
{
    uint8_t at;

    if (!(qpci_config_readw(dev, QPCI_STATUS) & QPCI_STATUS_CAP_LIST)) {
        return 0;
    }
    at = start ? qpci_config_readb(dev, start + 1)
               : qpci_config_readb(dev, QPCI_CAPABILITY_LIST);
    for (int n = 0; at && n < QPCI_MAX_CAPS; n++) {
        at &= 0xfc;
        if (qpci_config_readb(dev, at) == id) {
            return at;
        }
        at = qpci_config_readb(dev, at + 1);
    }
    return 0;
}

/* ---- MSI-X ----------------------------------------------------------------- */

bool qpci_msix_init(QPCIDevice *dev)
{
    uint8_t cap = qpci_find_capability(dev, QPCI_CAP_ID_MSIX, 0);
    uint32_t table, pba;
    uint64_t table_bar, pba_bar;

    if (!cap) {
        return false;
    }
    dev->msix_cap = cap;
    dev->msix_entries = (qpci_config_readw(dev, cap + QPCI_MSIX_FLAGS) &
                         QPCI_MSIX_FLAGS_QSIZE) + 1;
    table = qpci_config_readl(dev, cap + QPCI_MSIX_TABLE);
    pba = qpci_config_readl(dev, cap + QPCI_MSIX_PBA);
    table_bar = qpci_bar_map(dev, table & 7);
    pba_bar = qpci_bar_map(dev, pba & 7);
    g_assert(table_bar && pba_bar);
    dev->msix_table = table_bar + (table & ~UINT32_C(7));
    dev->msix_pba = pba_bar + (pba & ~UINT32_C(7));
    return true;
}

static void msix_set_ctrl(QPCIDevice *dev, uint16_t clear, uint16_t set)
{
    uint8_t off = dev->msix_cap + QPCI_MSIX_FLAGS;
    uint16_t ctrl = qpci_config_readw(dev, off);

    g_assert(dev->msix_cap);
    qpci_config_writew(dev, off, (ctrl & ~clear) | set);
}

void qpci_msix_enable(QPCIDevice *dev)
{
    msix_set_ctrl(dev, QPCI_MSIX_FLAGS_MASKALL, QPCI_MSIX_FLAGS_ENABLE);
}

void qpci_msix_disable(QPCIDevice *dev)
{
    msix_set_ctrl(dev, QPCI_MSIX_FLAGS_ENABLE, 0);
}

void qpci_msix_mask_all(QPCIDevice *dev, bool masked)
{
    msix_set_ctrl(dev, masked ? 0 : QPCI_MSIX_FLAGS_MASKALL,
                  masked ? QPCI_MSIX_FLAGS_MASKALL : 0);
}

void qpci_msix_set_vector(QPCIDevice *dev, uint16_t vector, uint64_t addr,
                          uint32_t data)
{
    uint64_t e = dev->msix_table + (uint64_t)vector * QPCI_MSIX_ENTRY_SIZE;

    g_assert_cmpuint(vector, <, dev->msix_entries);
    qtest_writel(dev->qts, e, (uint32_t)addr);
    qtest_writel(dev->qts, e + 4, (uint32_t)(addr >> 32));
    qtest_writel(dev->qts, e + 8, data);
}

void qpci_msix_mask(QPCIDevice *dev, uint16_t vector, bool masked)
{
    uint64_t ctrl = dev->msix_table + (uint64_t)vector * QPCI_MSIX_ENTRY_SIZE +
                    12;
    uint32_t v = qtest_readl(dev->qts, ctrl);

    g_assert_cmpuint(vector, <, dev->msix_entries);
    qtest_writel(dev->qts, ctrl, masked ? v | 1 : v & ~UINT32_C(1));
}

bool qpci_msix_pending(QPCIDevice *dev, uint16_t vector)
{
    uint64_t word = dev->msix_pba + (vector / 64) * 8;

    g_assert_cmpuint(vector, <, dev->msix_entries);
    return qtest_readq(dev->qts, word) >> (vector % 64) & 1;
}
