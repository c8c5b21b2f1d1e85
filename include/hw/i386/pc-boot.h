/* Linux x86 boot protocol: bzImage, initrd, command line, zero page, e820. */
#ifndef HW_I386_PC_BOOT_H
#define HW_I386_PC_BOOT_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/i386/pc.h"
#include "util/error.h"

/*
 * Low memory as the loader uses it (Tide has no BIOS; this is all the
 * "firmware" there is):
 *   0x00500  GDT (flat 64-bit code at 0x10, data at 0x18)
 *   0x07000  boot_params, the "zero page"
 *   0x08ff0  initial stack (grows down)
 *   0x09000  page tables: PML4, PDPT, 4 PDs identity-mapping 4 GiB
 *   0x20000  kernel command line
 *   0xe0000  ACPI tables (hw/i386/acpi-build.c), RSDP first
 *   0x100000 the bzImage's protected-mode kernel; the 64-bit entry is
 *            at +0x200
 *   initrd   at the top of RAM below 4 GiB and initrd_addr_max
 */
#define PC_BOOT_GDT_ADDR        UINT64_C(0x500)
#define PC_BOOT_ZERO_PAGE_ADDR  UINT64_C(0x7000)
#define PC_BOOT_STACK_TOP       UINT64_C(0x8ff0)
#define PC_BOOT_PML4_ADDR       UINT64_C(0x9000)
#define PC_BOOT_CMDLINE_ADDR    UINT64_C(0x20000)
#define PC_BOOT_CMDLINE_MAX     UINT64_C(0x10000)
#define PC_BOOT_ACPI_ADDR       UINT64_C(0xe0000)
#define PC_BOOT_ACPI_SIZE       UINT64_C(0x20000)
#define PC_BOOT_KERNEL_ADDR     UINT64_C(0x100000)

/* The registers vCPU 0 starts with (see accel/kvm.h's KvmBootCpu). */
typedef struct PCBootCpu {
    uint64_t rip, rsi, rsp, cr3, gdt_base;
    uint16_t gdt_limit;
} PCBootCpu;

/* e820 types, as the guest reads them. */
#define E820_RAM        1
#define E820_RESERVED   2

/*
 * Read and check the kernel and initrd (a missing file, a file that is
 * not a bzImage, a kernel older than boot protocol 2.12 without a 64-bit
 * entry, a command line too long for the kernel: one-line errors), then
 * write everything into guest RAM.  The images are kept so that
 * pc_boot_reload() can write them again at every machine reset (the
 * guest overwrites the low memory and the compressed kernel it ran).
 * rsdp is where the ACPI RSDP lies (boot_params.acpi_rsdp_addr).
 */
bool pc_boot_load(PCMachineState *pcms, const char *kernel,
                  const char *initrd, const char *append, uint64_t rsdp,
                  PCBootCpu *cpu, Error **errp) G_GNUC_WARN_UNUSED_RESULT;
void pc_boot_reload(void);
void pc_boot_unload(void);

#endif
