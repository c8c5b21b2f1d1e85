/* Interrupt delivery: the one door from devices to whichever accelerator runs. */
#ifndef ACCEL_IRQ_H
#define ACCEL_IRQ_H

#include <stdint.h>

/*
 * Devices raise interrupts only through these calls; the active
 * accelerator installs the ops at start-up.  Under qtest an MSI is a
 * 32-bit little-endian write of data to address in guest memory (as
 * QEMU's qtest does), so a test polls that address; under KVM it is
 * KVM_SIGNAL_MSI (or an irqfd).  Callable from any thread.
 */
typedef struct AccelIrqOps {
    void (*send_msi)(uint64_t address, uint32_t data);
    void (*set_irq_line)(unsigned gsi, int level);
} AccelIrqOps;

void accel_irq_set_ops(const AccelIrqOps *ops);
void accel_send_msi(uint64_t address, uint32_t data);
void accel_set_irq_line(unsigned gsi, int level);

#endif
