/* libqos PCI: bus 0 through ports 0xcf8/0xcfc, BAR sizing and placement, capabilities, MSI-X. */
#ifndef TESTS_QTEST_LIBQOS_PCI_H
#define TESTS_QTEST_LIBQOS_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "libqtest.h"

#define QPCI_CONFIG_ADDR        0xcf8
#define QPCI_CONFIG_DATA        0xcfc

#define QPCI_VENDOR_ID          0x00
#define QPCI_DEVICE_ID          0x02
#define QPCI_COMMAND            0x04
#define  QPCI_COMMAND_IO        0x1
#define  QPCI_COMMAND_MEMORY    0x2
#define  QPCI_COMMAND_MASTER    0x4
#define QPCI_STATUS             0x06
#define  QPCI_STATUS_CAP_LIST   0x10
#define QPCI_REVISION_ID        0x08
#define QPCI_HEADER_TYPE        0x0e
#define QPCI_BASE_ADDRESS_0     0x10
#define  QPCI_BAR_IO            0x1
#define  QPCI_BAR_MEM64         0x4
#define  QPCI_BAR_PREFETCH      0x8
#define QPCI_SUBSYSTEM_ID       0x2e
#define QPCI_CAPABILITY_LIST    0x34
#define QPCI_NUM_BARS           6

#define QPCI_CAP_ID_VNDR        0x09
#define QPCI_CAP_ID_MSIX        0x11
#define QPCI_MSIX_FLAGS         2
#define  QPCI_MSIX_FLAGS_QSIZE  0x07ff
#define  QPCI_MSIX_FLAGS_MASKALL 0x4000
#define  QPCI_MSIX_FLAGS_ENABLE 0x8000
#define QPCI_MSIX_TABLE         4
#define QPCI_MSIX_PBA           8
#define QPCI_MSIX_ENTRY_SIZE    16

/*
 * Where BARs go.  Tide has no firmware, so the test places BARs itself:
 * memory BARs (32- and 64-bit alike) in the PCI hole from 0xc0000000 up
 * to the ECAM window at 0xe0000000, which stays clear of RAM for -m up
 * to 3 GiB; I/O BARs from port 0xc000.
 */
#define QPCI_MMIO_BASE          UINT64_C(0xc0000000)
#define QPCI_MMIO_END           UINT64_C(0xe0000000)
#define QPCI_PIO_BASE           0xc000
#define QPCI_PIO_END            0x10000

/*
 * Bus 0 of one VMM.  Its BAR allocator is a bump pointer: BARs are
 * never given back (tests map a handful).  Thread-safe, so drivers on
 * their own qtest connections (qtest_thread_connect) can share one bus.
 */
typedef struct QPCIBus {
    QTestState *qts;
    GMutex lock;
    uint64_t mmio_next, mmio_end;
    uint32_t pio_next, pio_end;
} QPCIBus;

typedef struct QPCIDevice {
    QPCIBus *bus;
    QTestState *qts;            /* the bus's */
    uint8_t devfn;
    uint16_t vendor_id, device_id;
    /* What qpci_bar_map() assigned, kept across a system reset. */
    uint64_t bar_addr[QPCI_NUM_BARS];
    uint64_t bar_size[QPCI_NUM_BARS];
    uint8_t bar_type[QPCI_NUM_BARS];
    /* MSI-X, after qpci_msix_init(). */
    uint8_t msix_cap;
    uint16_t msix_entries;
    uint64_t msix_table, msix_pba;      /* guest-physical */
} QPCIDevice;

QPCIBus *qpci_bus_new(QTestState *qts);
void qpci_bus_free(QPCIBus *bus);

/* Config space of any devfn on bus 0, via config mechanism #1. */
uint8_t qpci_bus_config_readb(QPCIBus *bus, uint8_t devfn, uint8_t off);
uint16_t qpci_bus_config_readw(QPCIBus *bus, uint8_t devfn, uint8_t off);
uint32_t qpci_bus_config_readl(QPCIBus *bus, uint8_t devfn, uint8_t off);

/*
 * Call fn for every present function (vendor not 0xffff) matching
 * vendor and device (-1: any), in devfn order.
 */
void qpci_device_foreach(QPCIBus *bus, int vendor, int device,
                         void (*fn)(QPCIBus *bus, uint8_t devfn,
                                    uint16_t vendor, uint16_t device,
                                    void *opaque),
                         void *opaque);
/* The index'th function with these IDs (0: the first), or NULL. */
QPCIDevice *qpci_device_find(QPCIBus *bus, uint16_t vendor, uint16_t device,
                             unsigned index);
/* The function at devfn, or NULL when nothing answers there. */
QPCIDevice *qpci_device_at(QPCIBus *bus, uint8_t devfn);
void qpci_device_free(QPCIDevice *dev);

uint8_t qpci_config_readb(QPCIDevice *dev, uint8_t off);
uint16_t qpci_config_readw(QPCIDevice *dev, uint8_t off);
uint32_t qpci_config_readl(QPCIDevice *dev, uint8_t off);
void qpci_config_writeb(QPCIDevice *dev, uint8_t off, uint8_t val);
void qpci_config_writew(QPCIDevice *dev, uint8_t off, uint16_t val);
void qpci_config_writel(QPCIDevice *dev, uint8_t off, uint32_t val);

/*
 * Size BAR bar the way firmware does (all-ones, read back, restore):
 * returns its size (0: unused) and its type bits in *type.  For a 64-bit
 * BAR, bar + 1 is its upper half and not a BAR of its own.
 */
uint64_t qpci_bar_size(QPCIDevice *dev, int bar, uint8_t *type);
/*
 * Give BAR bar an address (naturally aligned, from the bus allocator;
 * the same address again if it had one) and program it.  Returns the
 * address, or 0 for an unused BAR.  Decoding is not enabled here.
 */
uint64_t qpci_bar_map(QPCIDevice *dev, int bar);
/* Program every BAR qpci_bar_map() assigned again (after a reset). */
void qpci_bars_restore(QPCIDevice *dev);
/* Command register: memory and I/O decoding and bus mastering on. */
void qpci_device_enable(QPCIDevice *dev);

/*
 * Offset of the first capability with id after offset start (0: from
 * the list head), or 0.  The walk stops after 48 entries, so a looping
 * list cannot hang the test.
 */
uint8_t qpci_find_capability(QPCIDevice *dev, uint8_t id, uint8_t start);

/*
 * MSI-X: find the capability, map the BARs holding table and PBA.
 * false when the function has no MSI-X.
 */
bool qpci_msix_init(QPCIDevice *dev);
/* Set enable and clear the function mask (or clear enable). */
void qpci_msix_enable(QPCIDevice *dev);
void qpci_msix_disable(QPCIDevice *dev);
void qpci_msix_mask_all(QPCIDevice *dev, bool masked);
/* Point vector at a guest address; the message is data, written as 32 bits. */
void qpci_msix_set_vector(QPCIDevice *dev, uint16_t vector, uint64_t addr,
                          uint32_t data);
void qpci_msix_mask(QPCIDevice *dev, uint16_t vector, bool masked);
bool qpci_msix_pending(QPCIDevice *dev, uint16_t vector);

#endif
