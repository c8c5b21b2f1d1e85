/* Interrupt delivery: forwards device interrupts to the installed accelerator. */
#include "accel/irq.h"

#include <glib.h>

/*
 * The ops are static tables installed once at start-up and cleared at
 * tear-down, while vCPU or I/O threads may be sending: an atomic pointer
 * is all the synchronisation a swap of one constant table needs.
 */
static const AccelIrqOps *irq_ops;

void accel_irq_set_ops(const AccelIrqOps *ops)
{
    g_atomic_pointer_set(&irq_ops, ops);
}

void accel_send_msi(uint64_t address, uint32_t data)
{
    const AccelIrqOps *ops = g_atomic_pointer_get(&irq_ops);

    /* No accelerator (unit tests, start-up): nobody could take it. */
    if (ops && ops->send_msi) {
        ops->send_msi(address, data);
    }
}

void accel_set_irq_line(unsigned gsi, int level)
{
    const AccelIrqOps *ops = g_atomic_pointer_get(&irq_ops);

    if (ops && ops->set_irq_line) {
        ops->set_irq_line(gsi, level);
    }
}
