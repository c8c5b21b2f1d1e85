/* ACPI tables for the PC machine: what the guest learns about CPUs, memory and PCI. */
#ifndef HW_I386_ACPI_BUILD_H
#define HW_I386_ACPI_BUILD_H

#include <glib.h>
#include <stdint.h>
#include "hw/i386/pc.h"

/*
 * I/O ports the tables point the guest at (hw/i386/pc-board.c answers
 * them).  The FADT describes a hardware-reduced ACPI platform (no SCI,
 * no PM1 blocks, as Cloud Hypervisor and Firecracker): S5 through the
 * sleep control register, reboot through the reset register.
 */
#define ACPI_SLEEP_CONTROL_PORT 0x600
#define ACPI_SLEEP_STATUS_PORT  0x601
/*
 * Not 0xcf9: that byte sits inside the PCI host's dword register at
 * 0xcf8, and a region there would split config mechanism #1 accesses.
 */
#define ACPI_RESET_PORT         0x602
#define ACPI_RESET_VALUE        0x06
#define  ACPI_SLEEP_TYPE_SHIFT  2
#define  ACPI_SLEEP_TYPE_MASK   0x1c
#define  ACPI_SLEEP_ENABLE      0x20
#define ACPI_S5_SLEEP_TYPE      5

/* The PCI windows the DSDT's root bridge offers (and pc-board assigns from). */
typedef struct AcpiPciWindows {
    uint64_t mem32_base, mem32_size;
    uint64_t mem64_base, mem64_size;
} AcpiPciWindows;

/*
 * Every table, laid out for guest-physical address base with the RSDP
 * first: XSDT and RSDT, FADT, DSDT (root bridge PNP0A03 with _CRS, _S5),
 * MADT (one LAPIC per vCPU, the IOAPIC, LINT1 as NMI), MCFG (ECAM), and
 * SRAT when there are NUMA nodes or memory devices: each vCPU's and each
 * node's boot RAM proximity, plus one hotpluggable memory-affinity range
 * per virtio-mem device on that device's node.  Returns NULL when the
 * result would not fit in size bytes (a Tide bug for any sane -smp).
 */
GByteArray *acpi_build_tables(PCMachineState *pcms,
                              const AcpiPciWindows *win, uint64_t base,
                              uint64_t size);

#endif
