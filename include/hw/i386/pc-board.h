/* What firmware and the board do for a PC guest: BARs, ACPI, boot, UART, power ports. */
#ifndef HW_I386_PC_BOARD_H
#define HW_I386_PC_BOARD_H

#include <stdbool.h>
#include "hw/i386/pc-boot.h"
#include "util/chardev.h"

typedef struct PCBoardConfig {
    const char *kernel, *initrd, *append;
    const ChardevSpec *serial;          /* NULL: no UART output */
} PCBoardConfig;

/*
 * Start-up stage "board" for a real guest (KVM), after every -device is
 * realized: map the 8250 UART and the ACPI power ports, assign PCI BARs
 * as firmware would (32-bit BARs between RAM and the ECAM window, 64-bit
 * BARs above the device-memory area, I/O from 0xc000; decoding and bus
 * mastering enabled), write the ACPI tables and load the kernel.  cpu
 * gets vCPU 0's boot registers.  Main thread, vCPUs not yet created.
 */
bool pc_board_init(const PCBoardConfig *cfg, PCBootCpu *cpu, Error **errp)
    G_GNUC_WARN_UNUSED_RESULT;
/*
 * Machine reset, after the devices' own reset (which unmapped every
 * BAR): the same again, so each boot finds what the first one found.
 * vCPUs paused, machine lock held.  Does nothing before init.
 */
void pc_board_reset(void);
void pc_board_exit(void);

#endif
