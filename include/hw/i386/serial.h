/* The 16550A UART: COM1 at 0x3f8, IRQ 4, on a character device. */
#ifndef HW_I386_SERIAL_H
#define HW_I386_SERIAL_H

#include <stdint.h>
#include "util/chardev.h"
#include "util/error.h"

#define SERIAL_COM1_BASE    0x3f8
#define SERIAL_COM1_IRQ     4

typedef struct SerialState SerialState;

/*
 * Map the UART's eight ports at base in address_space_io and open spec
 * (stdio, file:, a socket; "mon:stdio" adds QEMU's escape: C-a x quits,
 * C-a C-a sends C-a).  Its interrupt goes to GSI irq through
 * accel_set_irq_line().  Main thread, before the vCPUs run.
 */
SerialState *serial_new(uint16_t base, unsigned irq, const ChardevSpec *spec,
                        Error **errp);
/* Machine reset: registers to power-on values, FIFOs emptied. */
void serial_reset(SerialState *s);
void serial_free(SerialState *s);

#endif
