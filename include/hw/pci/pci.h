/* PCI devices: configuration space, BARs, capabilities. */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "qom/device.h"
#include "system/memory.h"

#define TYPE_PCI_DEVICE "pci-device"

#define PCI_CONFIG_SPACE_SIZE   0x100
#define PCIE_CONFIG_SPACE_SIZE  0x1000
#define PCI_NUM_REGIONS         6
#define PCI_SLOT_MAX            32
#define PCI_DEVFN(slot, fn)     ((((slot) & 0x1f) << 3) | ((fn) & 7))

/* Standard header offsets and bits (PCI Local Bus 3.0, chapter 6). */
#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define  PCI_COMMAND_IO         0x1
#define  PCI_COMMAND_MEMORY     0x2
#define  PCI_COMMAND_MASTER     0x4
#define  PCI_COMMAND_SERR       0x100
#define  PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS              0x06
#define  PCI_STATUS_CAP_LIST    0x10
/* The error bits a guest clears by writing 1 (PCI 3.0, 6.2.3). */
#define  PCI_STATUS_W1C         0xf900
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CLASS_DEVICE        0x0a
#define PCI_CACHE_LINE_SIZE     0x0c
#define PCI_HEADER_TYPE         0x0e
#define PCI_BASE_ADDRESS_0      0x10
#define  PCI_BASE_ADDRESS_SPACE_IO      0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_64   0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH  0x08
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_ROM_ADDRESS         0x30
#define PCI_CAPABILITY_LIST     0x34
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d
#define PCI_CONFIG_HEADER_SIZE  0x40    /* capabilities start here */
#define PCI_CAP_LIST_ID         0
#define PCI_CAP_LIST_NEXT       1
#define PCI_SLOT(devfn)         (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)         ((devfn) & 7)
#define PCI_DEVFN_MAX           256

#define PCI_CAP_ID_VNDR         0x09
#define PCI_CAP_ID_MSIX         0x11

/* A BAR's type, as its low bits read. */
#define PCI_BAR_IO              PCI_BASE_ADDRESS_SPACE_IO
#define PCI_BAR_MEM32           0x00
#define PCI_BAR_MEM64           PCI_BASE_ADDRESS_MEM_TYPE_64
#define PCI_BAR_UNMAPPED        UINT64_MAX
/*
 * Mapped BARs sit below everything else in their address space (QEMU's
 * PCI hole is a priority -1 child of system memory), so a guest that
 * programs a BAR over RAM, the ECAM window or ports 0xcf8-0xcff hides
 * nothing: the BAR is just not reachable there.
 */
#define PCI_BAR_PRIORITY        (-1)

typedef struct PCIDevice PCIDevice;

typedef struct PCIBar {
    uint64_t size;              /* 0: unused; else a power of two */
    uint8_t type;               /* PCI_BAR_* plus PCI_BASE_ADDRESS_MEM_PREFETCH */
    MemoryRegion *mr;           /* the device's region, size bytes */
    uint64_t addr;              /* where it is mapped, or PCI_BAR_UNMAPPED */
} PCIBar;

typedef struct MSIXState {
    uint16_t nr_vectors;        /* 0: no MSI-X */
    uint8_t cap;                /* capability offset in config space */
    uint8_t *table;             /* 16 bytes per vector */
    uint8_t *pba;               /* one bit per vector */
    MemoryRegion table_mr, pba_mr;
} MSIXState;

/*
 * A PCI function.  The byte arrays are indexed by config-space offset:
 * config holds the values, wmask the bits a guest may write, w1cmask the
 * bits a guest write of 1 clears (status).  Everything a guest can do to
 * config space goes through pci_config_write(), which applies them.
 */
struct PCIDevice {
    DeviceState parent_obj;
    uint8_t config[PCIE_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCIE_CONFIG_SPACE_SIZE];
    uint8_t w1cmask[PCIE_CONFIG_SPACE_SIZE];
    uint32_t config_size;       /* 256, or 4096 for a PCIe capable device */
    int32_t devfn;              /* the "addr" property; -1: first free slot */
    PCIBar bars[PCI_NUM_REGIONS];
    uint8_t next_cap;           /* where the next capability goes */
    MSIXState msix;
    bool on_bus;                /* pci_bus_plug() placed it at devfn */
    char addr_str[8];           /* "addr" as qom-get shows it: "06.0" */
    /* config as realize left it: what pci_device_reset() restores */
    uint8_t config_poweron[PCIE_CONFIG_SPACE_SIZE];
};

typedef struct PCIDeviceClass {
    DeviceClass parent_class;
    /* Function-specific realize/unrealize, run inside the PCI ones. */
    bool (*pci_realize)(PCIDevice *dev, Error **errp);
    void (*pci_unrealize)(PCIDevice *dev);
    /* Optional: see config writes after the generic handling. */
    void (*config_written)(PCIDevice *dev, uint32_t addr, uint32_t val,
                           unsigned len);
    /*
     * Optional: change what a (valid) config read returns, for registers
     * that are windows on device state (virtio's PCI_CFG capability).
     * *val holds the stored bytes on entry.
     */
    void (*config_read)(PCIDevice *dev, uint32_t addr, unsigned len,
                        uint32_t *val);
    /*
     * Optional: the function's own reset, after the generic one (config
     * restored, BARs unmapped, MSI-X masked).  Subclasses set this rather
     * than ObjectClass.reset, which runs the generic part.
     */
    void (*pci_reset)(PCIDevice *dev);
    uint16_t vendor_id, device_id;
    uint16_t subsystem_vendor_id, subsystem_id;
    uint8_t revision;
    uint16_t class_id;          /* class << 8 | subclass */
    uint8_t interrupt_pin;      /* 0: none, 1..4: INTA#..INTD# */
} PCIDeviceClass;

#define PCI_DEVICE(obj) OBJECT_CHECK(PCIDevice, (obj), TYPE_PCI_DEVICE)
#define PCI_DEVICE_GET_CLASS(obj) \
    ((PCIDeviceClass *)object_class_check(OBJECT(obj)->klass, TYPE_PCI_DEVICE))

/*
 * Config space access, from the host bridge (guest) or tests.  Accesses
 * that straddle the end, have a bad length (1, 2, 4 only) or are
 * unaligned read as all-ones and write nothing.  A write applies wmask
 * and w1cmask byte by byte, then, if it touched the command register or
 * a BAR, remaps the BARs in one memory transaction, then lets MSI-X see
 * its control word and the class its config_written hook.  Called with
 * the machine lock held; may run inside rcu_read_lock() (an MMIO or PIO
 * callback), which a remap allows.
 */
uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, unsigned len);
void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len);

/*
 * Realize-time setup, from pci_realize.  mr's size is the BAR's: a power
 * of two, at least 4 KiB for memory BARs (so that BARs never share a
 * page), 4 to 256 bytes for I/O BARs.  A 64-bit BAR takes bar and
 * bar + 1.  The region is mapped into address_space_memory.root or
 * address_space_io.root (at PCI_BAR_PRIORITY) while the guest has
 * enabled decoding in the command register and programmed an address
 * that is not 0 and whose last byte stays below 4 GiB - 1 (32-bit),
 * 2^64 - 1 (64-bit) or 64 KiB (I/O), as QEMU's pci_bar_address.
 * Breaking these rules is a Tide bug (asserted): no guest input reaches
 * them.  Unrealize unmaps every BAR and waits for an RCU grace period
 * before calling pci_unrealize, so the function may destroy its regions
 * there.
 */
void pci_register_bar(PCIDevice *dev, int bar, uint8_t type,
                      MemoryRegion *mr);
/* Where BAR bar is mapped now, or PCI_BAR_UNMAPPED. */
uint64_t pci_bar_address(PCIDevice *dev, int bar);
/*
 * Reserve size bytes (at least 2) for a capability, dword aligned, in
 * the first 256 bytes; it is linked at the head of the list (as QEMU, so
 * lspci shows the last added first) and reads only (wmask 0) until the
 * caller opens bits.  Returns its offset, 0 with errp when it does not fit.
 */
uint8_t pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size,
                           Error **errp);

/*
 * The bus: the machine's single root bus 0 (hw/pci/pci-bus.c).  plug
 * places dev at dev->devfn, or with devfn -1 at function 0 of the first
 * free slot from 1 up (slot 0 is the host bridge's), with QEMU's
 * messages when it cannot.  Realize plugs, unrealize unplugs.
 */
bool pci_bus_plug(PCIDevice *dev, Error **errp);
void pci_bus_unplug(PCIDevice *dev);
PCIDevice *pci_bus_find(uint8_t devfn);
/*
 * "SLOT[.FN]" in hex, as QEMU's addr= ("06.0", "1f.7", "6"): the devfn,
 * or -1 when str is not one.
 */
int pci_parse_devfn(const char *str);
/*
 * Unmaps every BAR and resets config to power-on values, masks and
 * clears MSI-X (system reset; the object reset hook runs this and then
 * the class's pci_reset).
 */
void pci_device_reset(PCIDevice *dev);

/* TYPE_PCI_DEVICE and the host bridge's function type. */
void pci_register_types(void);

#endif
