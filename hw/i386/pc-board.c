/* PC board and firmware duties: BAR assignment, ACPI, boot images, UART, power ports. */
#include "hw/i386/pc-board.h"

#include <urcu.h>
#include "accel/cpus.h"
#include "hw/i386/acpi-build.h"
#include "hw/i386/serial.h"
#include "hw/pci/pci-host.h"
#include "hw/pci/pci.h"
#include "system/physmem.h"

#define KBC_COMMAND_PORT        0x64
#define  KBC_CMD_PULSE_RESET    0xfe
#define PCI_IO_WINDOW_BASE      UINT64_C(0xc000)
#define PCI_IO_WINDOW_END       UINT64_C(0x10000)
#define PCI_MEM32_MIN_BASE      UINT64_C(0xc0000000)
/* As QEMU's default pci-hole64-size. */
#define PCI_MEM64_SIZE          (UINT64_C(32) << 30)
/* What firmware programs into PCI_INTERRUPT_LINE (no INTx is delivered). */
#define PCI_DEFAULT_IRQ_LINE    11

typedef struct Board {
    PCMachineState *pcms;
    SerialState *serial;
    MemoryRegion acpi_io, kbc_io;
    AcpiPciWindows win;
    GByteArray *acpi;
} Board;

static Board *board;

/* ---- power ports (vCPU threads, machine lock held) -------------------------- */

static void acpi_io_write(void *opaque, uint64_t addr, uint64_t val,
                          unsigned size)
{
    if (addr == ACPI_SLEEP_CONTROL_PORT - ACPI_SLEEP_CONTROL_PORT &&
        (val & ACPI_SLEEP_ENABLE) &&
        ((val & ACPI_SLEEP_TYPE_MASK) >> ACPI_SLEEP_TYPE_SHIFT) ==
        ACPI_S5_SLEEP_TYPE) {
        accel_machine_request(MACHINE_REQUEST_POWEROFF);
    } else if (addr == ACPI_RESET_PORT - ACPI_SLEEP_CONTROL_PORT &&
               val == ACPI_RESET_VALUE) {
        accel_machine_request(MACHINE_REQUEST_RESET);
    }
}

static uint64_t acpi_io_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;           /* sleep status: never woken */
}

static const MemoryRegionOps acpi_io_ops = {
    .read = acpi_io_read,
    .write = acpi_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* The 8042's reset line: all a guest without a keyboard uses it for. */
static void kbc_write(void *opaque, uint64_t addr, uint64_t val,
                      unsigned size)
{
    if (val == KBC_CMD_PULSE_RESET) {
        accel_machine_request(MACHINE_REQUEST_RESET);
    }
}

static uint64_t kbc_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;           /* buffers empty: Linux's kb_wait() ends at once */
}

static const MemoryRegionOps kbc_ops = {
    .read = kbc_read,
    .write = kbc_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- PCI BARs, as firmware assigns them --------------------------------------- */

typedef struct Cursor {
    uint64_t next, end;
} Cursor;

static bool cursor_take(Cursor *c, uint64_t size, uint64_t *addr)
{
    uint64_t a = (c->next + size - 1) & ~(size - 1);

    if (a < c->next || a > c->end || size > c->end - a) {
        return false;
    }
    *addr = a;
    c->next = a + size;
    return true;
}

static void compute_windows(PCMachineState *pcms, AcpiPciWindows *w)
{
    uint64_t top = pcms->device_mem_size
                   ? pcms->device_mem_base + pcms->device_mem_size
                   : PC_4G + pcms->above_4g_mem_size;

    w->mem32_base = MAX(pcms->below_4g_mem_size, PCI_MEM32_MIN_BASE);
    w->mem32_size = PCI_HOST_ECAM_BASE - w->mem32_base;
    w->mem64_base = (top + PC_DEVICE_MEM_ALIGN - 1) &
                    ~(PC_DEVICE_MEM_ALIGN - 1);
    w->mem64_size = PCI_MEM64_SIZE;
}

static void assign_bar(PCIDevice *dev, int i, Cursor *io, Cursor *m32,
                       Cursor *m64)
{
    PCIBar *b = &dev->bars[i];
    uint32_t off = PCI_BASE_ADDRESS_0 + 4 * (uint32_t)i;
    Cursor *c = (b->type & PCI_BAR_IO) ? io
              : (b->type & PCI_BAR_MEM64) ? m64 : m32;
    uint64_t addr;

    if (!cursor_take(c, b->size, &addr)) {
        warn_report("PCI %02x.%x: no room for BAR %d (%" G_GUINT64_FORMAT
                    " bytes); the guest must assign it",
                    PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn), i, b->size);
        return;
    }
    pci_config_write(dev, off, (uint32_t)addr | b->type, 4);
    if (b->type & PCI_BAR_MEM64) {
        pci_config_write(dev, off + 4, (uint32_t)(addr >> 32), 4);
    }
}

static void assign_bars(Board *bd)
{
    Cursor io = { PCI_IO_WINDOW_BASE, PCI_IO_WINDOW_END };
    Cursor m32 = { bd->win.mem32_base, bd->win.mem32_base +
                   bd->win.mem32_size };
    Cursor m64 = { bd->win.mem64_base, bd->win.mem64_base +
                   bd->win.mem64_size };

    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *dev = pci_bus_find((uint8_t)devfn);
        uint32_t cmd;

        if (!dev) {
            continue;
        }
        /* Largest first would pack tighter; a few small BARs need no care. */
        for (int i = 0; i < PCI_NUM_REGIONS; i++) {
            if (dev->bars[i].size) {
                assign_bar(dev, i, &io, &m32, &m64);
            }
        }
        if (dev->config[PCI_INTERRUPT_PIN]) {
            pci_config_write(dev, PCI_INTERRUPT_LINE, PCI_DEFAULT_IRQ_LINE, 1);
        }
        cmd = pci_config_read(dev, PCI_COMMAND, 2);
        pci_config_write(dev, PCI_COMMAND, cmd | PCI_COMMAND_IO |
                         PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    }
}

/* ---- the stage ---------------------------------------------------------------- */

static void write_acpi(Board *bd)
{
    address_space_write_rom(&address_space_memory, PC_BOOT_ACPI_ADDR,
                            bd->acpi->data, bd->acpi->len);
}

bool pc_board_init(const PCBoardConfig *cfg, PCBootCpu *cpu, Error **errp)
{
    Board *bd = g_new0(Board, 1);

    board = bd;
    bd->pcms = pc_machine_get();
    if (!cfg->kernel) {
        error_setg(errp, "-accel kvm: Tide has no firmware: give the guest "
                   "kernel with -kernel (and -initrd, -append)");
        pc_board_exit();
        return false;
    }
    memory_region_init_io(&bd->acpi_io, &acpi_io_ops, bd, "acpi-power", 3);
    memory_region_add_subregion(address_space_io.root,
                                ACPI_SLEEP_CONTROL_PORT, &bd->acpi_io);
    memory_region_init_io(&bd->kbc_io, &kbc_ops, bd, "kbc-reset", 1);
    memory_region_add_subregion(address_space_io.root, KBC_COMMAND_PORT,
                                &bd->kbc_io);
    if (cfg->serial) {
        bd->serial = serial_new(SERIAL_COM1_BASE, SERIAL_COM1_IRQ,
                                cfg->serial, errp);
        if (!bd->serial) {
            error_prepend(errp, "-serial: ");
            pc_board_exit();
            return false;
        }
    }
    compute_windows(bd->pcms, &bd->win);
    assign_bars(bd);
    bd->acpi = acpi_build_tables(bd->pcms, &bd->win, PC_BOOT_ACPI_ADDR,
                                 PC_BOOT_ACPI_SIZE);
    if (!bd->acpi) {
        error_setg(errp, "the ACPI tables do not fit in %" G_GUINT64_FORMAT
                   " bytes", PC_BOOT_ACPI_SIZE);
        pc_board_exit();
        return false;
    }
    write_acpi(bd);
    if (!pc_boot_load(bd->pcms, cfg->kernel, cfg->initrd, cfg->append,
                      PC_BOOT_ACPI_ADDR, cpu, errp)) {
        pc_board_exit();
        return false;
    }
    return true;
}

void pc_board_reset(void)
{
    if (!board) {
        return;
    }
    assign_bars(board);
    write_acpi(board);
    pc_boot_reload();
    if (board->serial) {
        serial_reset(board->serial);
    }
}

void pc_board_exit(void)
{
    Board *bd = board;

    if (!bd) {
        return;
    }
    pc_boot_unload();
    serial_free(bd->serial);
    if (bd->acpi_io.name) {
        memory_region_del_subregion(address_space_io.root, &bd->acpi_io);
        memory_region_del_subregion(address_space_io.root, &bd->kbc_io);
        synchronize_rcu();
        memory_region_destroy(&bd->acpi_io);
        memory_region_destroy(&bd->kbc_io);
    }
    if (bd->acpi) {
        g_byte_array_unref(bd->acpi);
    }
    g_free(bd);
    board = NULL;
}
