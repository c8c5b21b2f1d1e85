/* The 16550A UART as Linux's 8250 driver probes and drives it. */
#include "hw/i386/serial.h"

#include <stdlib.h>

#include <termios.h>
#include <unistd.h>
#include <urcu.h>
#include "accel/cpus.h"
#include "accel/irq.h"
#include "system/memory.h"

/* Registers (offsets from base) and bits, as in Linux's serial_reg.h. */
#define UART_RX         0
#define UART_IER        1
#define  UART_IER_RDI   0x01
#define  UART_IER_THRI  0x02
#define  UART_IER_RLSI  0x04
#define  UART_IER_MSI   0x08
#define UART_IIR        2
#define  UART_IIR_NO_INT 0x01
#define  UART_IIR_MSI   0x00
#define  UART_IIR_THRI  0x02
#define  UART_IIR_RDI   0x04
#define  UART_IIR_RLSI  0x06
#define  UART_IIR_FIFO  0xc0
#define UART_FCR        2
#define  UART_FCR_ENABLE 0x01
#define  UART_FCR_CLEAR_RCVR 0x02
#define UART_LCR        3
#define  UART_LCR_DLAB  0x80
#define UART_MCR        4
#define  UART_MCR_LOOP  0x10
#define UART_LSR        5
#define  UART_LSR_DR    0x01
#define  UART_LSR_OE    0x02
#define  UART_LSR_BI    0x10
#define  UART_LSR_THRE  0x20
#define  UART_LSR_TEMT  0x40
#define UART_MSR        6
#define  UART_MSR_DCD   0x80
#define  UART_MSR_DSR   0x20
#define  UART_MSR_CTS   0x10
#define  UART_MSR_ANY_DELTA 0x0f
#define UART_SCR        7

/* Host input waiting for the guest; more is dropped with an overrun. */
#define RX_BUFFER_SIZE  4096
#define CTRL_A          0x01

/*
 * The terminal's settings before a stdio console made it raw, put back
 * at exit however Tide ends (a guest console must see every key at once
 * and do its own echo, as QEMU's stdio chardev does; ISIG stays on, so
 * Ctrl-C still ends Tide as it ends QEMU).
 */
static struct termios saved_tty;
static bool tty_saved;

static void restore_tty(void)
{
    if (tty_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
        tty_saved = false;
    }
}

static void make_tty_raw(void)
{
    struct termios t;

    if (tty_saved || !isatty(STDIN_FILENO) ||
        tcgetattr(STDIN_FILENO, &saved_tty) < 0) {
        return;
    }
    t = saved_tty;
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                   ICRNL | IXON);
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
        tty_saved = true;
        atexit(restore_tty);
    }
}

struct SerialState {
    MemoryRegion io;
    unsigned irq;
    int irq_level;
    Chardev *chr;
    GPtrArray *clients;         /* CharClient *, where output goes */
    bool mux;
    bool escape;                /* C-a seen (mux) */
    uint16_t divider;
    uint8_t ier, iir, lcr, mcr, lsr, msr, scr, fcr;
    bool thr_ipending;
    uint8_t rx[RX_BUFFER_SIZE];
    unsigned rx_head, rx_count;
};

static void update_irq(SerialState *s)
{
    uint8_t iir = UART_IIR_NO_INT;
    int level;

    if ((s->ier & UART_IER_RLSI) && (s->lsr & (UART_LSR_OE | UART_LSR_BI))) {
        iir = UART_IIR_RLSI;
    } else if ((s->ier & UART_IER_RDI) && (s->lsr & UART_LSR_DR)) {
        iir = UART_IIR_RDI;
    } else if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        iir = UART_IIR_THRI;
    } else if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_ANY_DELTA)) {
        iir = UART_IIR_MSI;
    }
    s->iir = iir | (s->iir & UART_IIR_FIFO);
    level = iir != UART_IIR_NO_INT;
    if (level != s->irq_level) {
        s->irq_level = level;
        accel_set_irq_line(s->irq, level);
    }
}

static void rx_push(SerialState *s, uint8_t c)
{
    if (s->rx_count == RX_BUFFER_SIZE) {
        s->lsr |= UART_LSR_OE;
        return;
    }
    s->rx[(s->rx_head + s->rx_count++) % RX_BUFFER_SIZE] = c;
    s->lsr |= UART_LSR_DR;
}

static uint8_t rx_pop(SerialState *s)
{
    uint8_t c = 0;

    if (s->rx_count) {
        c = s->rx[s->rx_head];
        s->rx_head = (s->rx_head + 1) % RX_BUFFER_SIZE;
        s->rx_count--;
    }
    if (!s->rx_count) {
        s->lsr &= ~UART_LSR_DR;
    }
    return c;
}

static void transmit(SerialState *s, uint8_t c)
{
    if (s->mcr & UART_MCR_LOOP) {
        rx_push(s, c);
        return;
    }
    for (guint i = 0; i < s->clients->len; i++) {
        char_client_write(g_ptr_array_index(s->clients, i), (char *)&c, 1);
    }
}

/* Machine lock held: a vCPU's port access. */
static void serial_write(void *opaque, uint64_t addr, uint64_t val,
                         unsigned size)
{
    SerialState *s = opaque;
    uint8_t v = (uint8_t)val;

    switch (addr) {
    case UART_RX:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0xff00) | v;
            break;
        }
        /* Sent at once: the transmitter is always empty again. */
        transmit(s, v);
        s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
        s->thr_ipending = true;
        update_irq(s);
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (uint16_t)((s->divider & 0xff) | v << 8);
            break;
        }
        /* Enabling THRI with an empty transmitter raises it (8250 test). */
        if ((v & UART_IER_THRI) && !(s->ier & UART_IER_THRI) &&
            (s->lsr & UART_LSR_THRE)) {
            s->thr_ipending = true;
        }
        s->ier = v & 0x0f;
        update_irq(s);
        break;
    case UART_FCR:
        if (v & UART_FCR_CLEAR_RCVR) {
            s->rx_count = 0;
            s->lsr &= ~UART_LSR_DR;
        }
        s->fcr = v & 0xc9;
        s->iir = (s->iir & ~UART_IIR_FIFO) |
                 ((v & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0);
        update_irq(s);
        break;
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR:
        s->mcr = v & 0x1f;
        break;
    case UART_SCR:
        s->scr = v;
        break;
    default:
        break;          /* LSR and MSR are read-only */
    }
}

static uint64_t serial_read(void *opaque, uint64_t addr, unsigned size)
{
    SerialState *s = opaque;
    uint8_t v = 0;

    switch (addr) {
    case UART_RX:
        if (s->lcr & UART_LCR_DLAB) {
            return s->divider & 0xff;
        }
        v = rx_pop(s);
        update_irq(s);
        return v;
    case UART_IER:
        return (s->lcr & UART_LCR_DLAB) ? s->divider >> 8 : s->ier;
    case UART_IIR:
        v = s->iir;
        if ((v & 0x0f) == UART_IIR_THRI) {
            s->thr_ipending = false;
            update_irq(s);
        }
        return v;
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        v = s->lsr;
        s->lsr &= ~(UART_LSR_OE | UART_LSR_BI);
        update_irq(s);
        return v;
    case UART_MSR:
        if (s->mcr & UART_MCR_LOOP) {
            /* Loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
            return (uint64_t)((s->mcr & 0x0c) << 4 | (s->mcr & 0x02) << 3 |
                              (s->mcr & 0x01) << 5);
        }
        v = s->msr;
        s->msr &= ~UART_MSR_ANY_DELTA;
        update_irq(s);
        return v;
    case UART_SCR:
        return s->scr;
    }
    return 0xff;
}

static const MemoryRegionOps serial_ops = {
    .read = serial_read,
    .write = serial_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- the character device (main loop, machine lock held) ------------------ */

static void chr_connected(void *opaque, CharClient *c)
{
    SerialState *s = opaque;

    g_ptr_array_add(s->clients, c);
}

static void chr_closed(void *opaque, CharClient *c)
{
    SerialState *s = opaque;

    g_ptr_array_remove(s->clients, c);
}

static void chr_received(void *opaque, CharClient *c, const char *buf,
                         size_t len)
{
    SerialState *s = opaque;

    for (size_t i = 0; i < len; i++) {
        uint8_t ch = (uint8_t)buf[i];

        if (s->mux && s->escape) {
            s->escape = false;
            if (ch == 'x') {
                accel_machine_request(MACHINE_REQUEST_QUIT);
                continue;
            }
            if (ch != CTRL_A) {
                continue;       /* C-a c (monitor) and others: not here */
            }
        } else if (s->mux && ch == CTRL_A) {
            s->escape = true;
            continue;
        }
        rx_push(s, ch);
    }
    update_irq(s);
}

static const CharHandlers serial_chr_handlers = {
    .connected = chr_connected,
    .received = chr_received,
    .closed = chr_closed,
};

void serial_reset(SerialState *s)
{
    s->divider = 12;    /* 9600 baud */
    s->ier = 0;
    s->iir = UART_IIR_NO_INT;
    s->lcr = 0;
    s->mcr = 0;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    s->scr = 0;
    s->fcr = 0;
    s->thr_ipending = false;
    s->rx_count = 0;
    s->rx_head = 0;
    update_irq(s);
}

SerialState *serial_new(uint16_t base, unsigned irq, const ChardevSpec *spec,
                        Error **errp)
{
    SerialState *s = g_new0(SerialState, 1);

    s->irq = irq;
    s->mux = spec->mux;
    s->clients = g_ptr_array_new();
    s->chr = chardev_open(spec, &serial_chr_handlers, s, errp);
    if (!s->chr) {
        g_ptr_array_free(s->clients, TRUE);
        g_free(s);
        return NULL;
    }
    if (spec->backend == CHARDEV_STDIO) {
        make_tty_raw();
    }
    serial_reset(s);
    memory_region_init_io(&s->io, &serial_ops, s, "serial", 8);
    memory_region_add_subregion(address_space_io.root, base, &s->io);
    return s;
}

/* After the vCPUs are gone (so no reader is left in the region). */
void serial_free(SerialState *s)
{
    if (!s) {
        return;
    }
    memory_region_del_subregion(address_space_io.root, &s->io);
    synchronize_rcu();
    memory_region_destroy(&s->io);
    chardev_close(s->chr);
    restore_tty();
    g_ptr_array_free(s->clients, TRUE);
    g_free(s);
}
