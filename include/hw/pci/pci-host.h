/* The PCI host bridge: config mechanism #1, the ECAM window, the i440FX function. */
#ifndef HW_PCI_PCI_HOST_H
#define HW_PCI_PCI_HOST_H

#include <stdbool.h>
#include "util/error.h"

/*
 * The guest reaches config space two ways (docs/system/pci.md):
 *
 * - Configuration mechanism #1: a dword write to port 0xcf8 selects
 *   (bit 31 enable, bits 23:16 bus, 15:11 slot, 10:8 function, 7:2
 *   register); ports 0xcfc-0xcff then read and write that dword's bytes
 *   (byte, word or dword at the matching lane).  0xcf8 takes dword
 *   accesses only; other sizes read all-ones and write nothing.
 * - ECAM (PCIe's enhanced mechanism, "MMCONFIG"): 256 MiB at
 *   PCI_HOST_ECAM_BASE, byte offset bus << 20 | devfn << 12 | register,
 *   all 4 KiB of each function's space.  The window lies in the 32-bit
 *   PCI hole: RAM below 4 GiB ends at 0xe0000000 at most (hw/i386/pc.h).
 *
 * Only bus 0 exists; other buses, empty slots, and a 256-byte function's
 * registers past 0xff read all-ones (vendor 0xffff: "nothing here").
 */
#define PCI_HOST_CONFIG_ADDR    0xcf8
#define PCI_HOST_CONFIG_DATA    0xcfc
#define PCI_HOST_ECAM_BASE      UINT64_C(0xe0000000)
#define PCI_HOST_ECAM_SIZE      UINT64_C(0x10000000)

/*
 * The host bridge function at 00.0, as QEMU's pc machine: vendor 0x8086
 * device 0x1237 (i440FX), class 0x0600.  Tide puts it at /machine/i440fx.
 */
#define TYPE_I440FX_PCI_DEVICE  "i440FX"
#define PCI_HOST_BRIDGE_PATH    "/machine/i440fx"

/*
 * Start-up stage "pci", after "machine" (which made the address spaces)
 * and before "devices": map the config ports and the ECAM window and
 * realize the host bridge.  exit undoes it; it waits for an RCU grace
 * period, so it runs on the main thread outside rcu_read_lock().
 */
bool pci_host_init(Error **errp);
void pci_host_exit(void);

void pci_host_register_types(void);

#endif
