/* ACPI tables: RSDP, XSDT/RSDT, FADT, DSDT, MADT, MCFG, SRAT. */
#include "hw/i386/acpi-build.h"

#include <string.h>
#include "accel/x86-topology.h"
#include "hw/mem/memory-device.h"
#include "hw/pci/pci-host.h"

#define ACPI_HEADER_SIZE        36
#define ACPI_OEM_ID             "TIDE  "
#define ACPI_OEM_TABLE_ID       "TIDEPC  "
#define APIC_DEFAULT_ADDRESS    0xfee00000u
#define IOAPIC_DEFAULT_ADDRESS  0xfec00000u

/* FADT flags and IA-PC boot architecture flags (ACPI 6.4, 5.2.9). */
#define FADT_F_WBINVD           (1u << 0)
#define FADT_F_RESET_REG_SUP    (1u << 10)
#define FADT_F_HW_REDUCED_ACPI  (1u << 20)
#define FADT_BOOT_VGA_NOT_PRESENT   (1u << 2)
#define FADT_BOOT_CMOS_RTC_NOT_PRESENT (1u << 5)

#define SERIAL_IRQ              4

#define SRAT_MEM_ENABLED        (1u << 0)
#define SRAT_MEM_HOTPLUGGABLE   (1u << 1)

typedef GByteArray Blob;

static void put8(Blob *b, uint8_t v)
{
    g_byte_array_append(b, &v, 1);
}

static void put16(Blob *b, uint16_t v)
{
    put8(b, (uint8_t)v);
    put8(b, (uint8_t)(v >> 8));
}

static void put32(Blob *b, uint32_t v)
{
    put16(b, (uint16_t)v);
    put16(b, (uint16_t)(v >> 16));
}

static void put64(Blob *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}

static void put_bytes(Blob *b, const void *p, size_t n)
{
    g_byte_array_append(b, p, (guint)n);
}

static void put_zeros(Blob *b, size_t n)
{
    while (n--) {
        put8(b, 0);
    }
}

static void patch32(Blob *b, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        b->data[off + i] = (uint8_t)(v >> (8 * i));
    }
}

static void patch64(Blob *b, size_t off, uint64_t v)
{
    patch32(b, off, (uint32_t)v);
    patch32(b, off + 4, (uint32_t)(v >> 32));
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;

    while (n--) {
        sum += *p++;
    }
    return (uint8_t)-sum;
}

/* Generic Address Structure: a byte register in I/O space. */
static void put_gas_io8(Blob *b, uint16_t port)
{
    put8(b, 1);         /* SystemIO */
    put8(b, 8);
    put8(b, 0);
    put8(b, 1);         /* byte access */
    put64(b, port);
}

/* ---- tables -------------------------------------------------------------- */

static size_t table_begin(Blob *b, const char *sig, uint8_t rev)
{
    size_t start;

    while (b->len % 16) {
        put8(b, 0);
    }
    start = b->len;
    put_bytes(b, sig, 4);
    put32(b, 0);                        /* length, patched */
    put8(b, rev);
    put8(b, 0);                         /* checksum, patched */
    put_bytes(b, ACPI_OEM_ID, 6);
    put_bytes(b, ACPI_OEM_TABLE_ID, 8);
    put32(b, 1);
    put_bytes(b, "TIDE", 4);
    put32(b, 1);
    return start;
}

static void table_end(Blob *b, size_t start)
{
    patch32(b, start + 4, (uint32_t)(b->len - start));
    b->data[start + 9] = checksum(b->data + start, b->len - start);
}

/* ---- DSDT: a few AML objects -------------------------------------------------- */

/* PkgLength (ACPI 6.4, 20.2.4) for content of len bytes, itself included. */
static void put_pkg_length(Blob *b, size_t len)
{
    if (len + 1 < 0x40) {
        put8(b, (uint8_t)(len + 1));
    } else if (len + 2 < 0x1000) {
        len += 2;
        put8(b, (uint8_t)(0x40 | (len & 0xf)));
        put8(b, (uint8_t)(len >> 4));
    } else {
        len += 3;
        put8(b, (uint8_t)(0x80 | (len & 0xf)));
        put8(b, (uint8_t)(len >> 4));
        put8(b, (uint8_t)(len >> 12));
    }
}

static void put_pkg(Blob *b, const uint8_t *op, size_t oplen, Blob *body)
{
    put_bytes(b, op, oplen);
    put_pkg_length(b, body->len);
    put_bytes(b, body->data, body->len);
}

static void put_addr_space_word(Blob *r, uint8_t type, uint8_t tflags,
                                uint16_t min, uint16_t max)
{
    put8(r, 0x88);
    put16(r, 13);
    put8(r, type);
    put8(r, 0x0c);                      /* producer, min and max fixed */
    put8(r, tflags);
    put16(r, 0);
    put16(r, min);
    put16(r, max);
    put16(r, 0);
    put16(r, (uint16_t)(max - min + 1));
}

static void put_mem_dword(Blob *r, uint32_t min, uint32_t len)
{
    put8(r, 0x87);
    put16(r, 23);
    put8(r, 0);                         /* memory */
    put8(r, 0x0c);
    put8(r, 0x03);                      /* cacheable, read-write */
    put32(r, 0);
    put32(r, min);
    put32(r, min + len - 1);
    put32(r, 0);
    put32(r, len);
}

static void put_mem_qword(Blob *r, uint64_t min, uint64_t len)
{
    put8(r, 0x8a);
    put16(r, 43);
    put8(r, 0);
    put8(r, 0x0c);
    put8(r, 0x03);
    put64(r, 0);
    put64(r, min);
    put64(r, min + len - 1);
    put64(r, 0);
    put64(r, len);
}

/*
 * The root bridge's _CRS: bus 0-255, the config ports, I/O around them,
 * and the two memory windows BARs are assigned from.  The ECAM window
 * is not in them: it is reserved in e820 instead.
 */
static void put_pci_crs(Blob *b, const AcpiPciWindows *w)
{
    g_autoptr(GByteArray) r = g_byte_array_new();
    g_autoptr(GByteArray) buf = g_byte_array_new();
    static const uint8_t cf8_io[] = {
        0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08,
    };
    static const uint8_t name_op[] = { 0x08, '_', 'C', 'R', 'S' };
    static const uint8_t buffer_op[] = { 0x11 };

    put_addr_space_word(r, 2, 0, 0, 0xff);
    put_bytes(r, cf8_io, sizeof(cf8_io));
    put_addr_space_word(r, 1, 0x03, 0, 0x0cf7);
    put_addr_space_word(r, 1, 0x03, 0x0d00, 0xffff);
    put_mem_dword(r, (uint32_t)w->mem32_base, (uint32_t)w->mem32_size);
    if (w->mem64_size) {
        put_mem_qword(r, w->mem64_base, w->mem64_size);
    }
    put8(r, 0x79);                      /* end tag */
    put8(r, 0);
    put8(buf, 0x0b);                    /* WordConst buffer size */
    put16(buf, (uint16_t)r->len);
    put_bytes(buf, r->data, r->len);
    put_bytes(b, name_op, sizeof(name_op));
    put_pkg(b, buffer_op, sizeof(buffer_op), buf);
}

/*
 * COM1 as an ACPI device (PNP0501): on a hardware-reduced platform Linux
 * has no legacy IRQs set up, so the 8250 driver gets IRQ 4 through this
 * device's _CRS (acpi_register_gsi), as on Cloud Hypervisor.
 */
static void put_com1(Blob *b)
{
    g_autoptr(GByteArray) dev = g_byte_array_new();
    g_autoptr(GByteArray) buf = g_byte_array_new();
    static const uint8_t device_op[] = { 0x5b, 0x82 };
    static const uint8_t hid[] = {
        0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01, /* PNP0501 */
    };
    static const uint8_t uid[] = { 0x08, '_', 'U', 'I', 'D', 0x00 };
    static const uint8_t name_crs[] = { 0x08, '_', 'C', 'R', 'S' };
    static const uint8_t buffer_op[] = { 0x11 };
    static const uint8_t crs[] = {
        0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08,   /* IO 0x3f8, 8 */
        0x22, 1u << SERIAL_IRQ, 0x00,                     /* IRQNoFlags {4} */
        0x79, 0x00,
    };

    put_bytes(dev, "COM1", 4);
    put_bytes(dev, hid, sizeof(hid));
    put_bytes(dev, uid, sizeof(uid));
    put8(buf, 0x0a);                    /* ByteConst buffer size */
    put8(buf, sizeof(crs));
    put_bytes(buf, crs, sizeof(crs));
    put_bytes(dev, name_crs, sizeof(name_crs));
    put_pkg(dev, buffer_op, sizeof(buffer_op), buf);
    put_pkg(b, device_op, sizeof(device_op), dev);
}

static void build_dsdt(Blob *b, const AcpiPciWindows *w)
{
    size_t t = table_begin(b, "DSDT", 2);
    g_autoptr(GByteArray) dev = g_byte_array_new();
    g_autoptr(GByteArray) devpkg = g_byte_array_new();
    g_autoptr(GByteArray) scope = g_byte_array_new();
    static const uint8_t hid[] = {
        0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03, /* PNP0A03 */
    };
    static const uint8_t uid[] = { 0x08, '_', 'U', 'I', 'D', 0x00 };
    static const uint8_t device_op[] = { 0x5b, 0x82 };
    static const uint8_t scope_op[] = { 0x10 };
    /* Name (\_S5, Package () { 5, 0 }): S5 is SLP_TYP 5. */
    static const uint8_t s5[] = {
        0x08, '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a,
        ACPI_S5_SLEEP_TYPE, 0x00,
    };

    put_bytes(dev, "PCI0", 4);
    put_bytes(dev, hid, sizeof(hid));
    put_bytes(dev, uid, sizeof(uid));
    put_pci_crs(dev, w);
    put_pkg(devpkg, device_op, sizeof(device_op), dev);
    put_bytes(scope, "\\_SB_", 5);
    put_bytes(scope, devpkg->data, devpkg->len);
    put_com1(scope);
    put_pkg(b, scope_op, sizeof(scope_op), scope);
    put_bytes(b, s5, sizeof(s5));
    table_end(b, t);
}

/* ---- FADT, MADT, MCFG ------------------------------------------------------- */

static size_t build_fadt(Blob *b, uint64_t dsdt)
{
    size_t t = table_begin(b, "FACP", 6);

    put32(b, 0);                        /* FIRMWARE_CTRL: no FACS */
    put32(b, (uint32_t)dsdt);
    put_zeros(b, 109 - 44);             /* up to IAPC_BOOT_ARCH */
    put16(b, FADT_BOOT_VGA_NOT_PRESENT | FADT_BOOT_CMOS_RTC_NOT_PRESENT);
    put8(b, 0);
    put32(b, FADT_F_WBINVD | FADT_F_RESET_REG_SUP | FADT_F_HW_REDUCED_ACPI);
    put_gas_io8(b, ACPI_RESET_PORT);
    put8(b, ACPI_RESET_VALUE);
    put16(b, 0);                        /* ARM boot arch */
    put8(b, 4);                         /* FADT minor version: 6.4 */
    put64(b, 0);                        /* X_FIRMWARE_CTRL */
    put64(b, dsdt);                     /* X_DSDT */
    put_zeros(b, 244 - 148);            /* X_PM blocks: hardware-reduced */
    put_gas_io8(b, ACPI_SLEEP_CONTROL_PORT);
    put_gas_io8(b, ACPI_SLEEP_STATUS_PORT);
    put_bytes(b, "TIDE\0\0\0\0", 8);    /* hypervisor vendor identity */
    table_end(b, t);
    return t;
}

static void build_madt(Blob *b, PCMachineState *pcms)
{
    size_t t = table_begin(b, "APIC", 5);

    put32(b, APIC_DEFAULT_ADDRESS);
    put32(b, 1);                        /* PCAT_COMPAT: 8259s present */
    for (unsigned i = 0; i < pcms->smp_cpus; i++) {
        put8(b, 0);                     /* processor local APIC */
        put8(b, 8);
        put8(b, (uint8_t)i);
        put8(b, (uint8_t)x86_apic_id_from_index(i, pcms->smp_cores,
                                                 pcms->smp_threads));
        put32(b, 1);                    /* enabled */
    }
    put8(b, 1);                         /* I/O APIC, as KVM's: id 0, GSI 0 */
    put8(b, 12);
    put8(b, 0);
    put8(b, 0);
    put32(b, IOAPIC_DEFAULT_ADDRESS);
    put32(b, 0);
    /*
     * ISA IRQs to the IOAPIC pins of the same number (KVM's default
     * routing).  Said explicitly because a hardware-reduced platform has
     * no legacy PIC, and then Linux assumes no ISA mapping at all: the
     * UART's IRQ 4 would reach nothing.  0 (the PIT's) and 2 (cascade)
     * are left out: the guest's timers are the LAPIC and kvm-clock.
     */
    for (uint8_t irq = 1; irq < 16; irq++) {
        if (irq == 2) {
            continue;
        }
        put8(b, 2);                     /* interrupt source override */
        put8(b, 10);
        put8(b, 0);                     /* ISA */
        put8(b, irq);
        put32(b, irq);
        put16(b, 0);                    /* conforming: edge, active high */
    }
    put8(b, 4);                         /* LINT1 is NMI on every CPU */
    put8(b, 6);
    put8(b, 0xff);
    put16(b, 0);
    put8(b, 1);
    table_end(b, t);
}

static void build_mcfg(Blob *b)
{
    size_t t = table_begin(b, "MCFG", 1);

    put64(b, 0);
    put64(b, PCI_HOST_ECAM_BASE);
    put16(b, 0);
    put8(b, 0);
    put8(b, (uint8_t)(PCI_HOST_ECAM_SIZE / (1u << 20) - 1));
    put32(b, 0);
    table_end(b, t);
}

/* ---- SRAT ----------------------------------------------------------------- */

static void srat_mem(Blob *b, uint32_t node, uint64_t base, uint64_t len,
                     uint32_t flags)
{
    if (!len) {
        return;
    }
    put8(b, 1);
    put8(b, 40);
    put32(b, node);
    put16(b, 0);
    put64(b, base);
    put64(b, len);
    put32(b, 0);
    put32(b, flags);
    put64(b, 0);
}

/* RAM offsets [off, off + len) of boot RAM, as guest-physical ranges. */
static void srat_boot_ram(Blob *b, PCMachineState *pcms, uint32_t node,
                          uint64_t off, uint64_t len)
{
    uint64_t below = pcms->below_4g_mem_size;
    uint64_t end = off + len;

    if (off < below) {
        srat_mem(b, node, off, MIN(end, below) - off, SRAT_MEM_ENABLED);
    }
    if (end > below) {
        uint64_t s = MAX(off, below);

        srat_mem(b, node, PC_4G + (s - below), end - s, SRAT_MEM_ENABLED);
    }
}

static uint32_t cpu_node(PCMachineState *pcms, unsigned cpu)
{
    for (guint i = 0; i < pcms->numa_nodes->len; i++) {
        NumaNode *n = g_ptr_array_index(pcms->numa_nodes, i);

        for (guint c = 0; c < n->cpus->len; c++) {
            if (g_array_index(n->cpus, unsigned, c) == cpu) {
                return n->nodeid;
            }
        }
    }
    return 0;                           /* unlisted CPUs: node 0, as QEMU */
}

static void build_srat(Blob *b, PCMachineState *pcms)
{
    size_t t = table_begin(b, "SRAT", 3);
    g_autoptr(GPtrArray) mds = memory_device_list();
    uint64_t off = 0;

    put32(b, 1);                        /* reserved, 1 for compatibility */
    put64(b, 0);
    for (unsigned i = 0; i < pcms->smp_cpus; i++) {
        uint32_t node = cpu_node(pcms, i);

        put8(b, 0);
        put8(b, 16);
        put8(b, (uint8_t)node);
        put8(b, (uint8_t)x86_apic_id_from_index(i, pcms->smp_cores,
                                                 pcms->smp_threads));
        put32(b, 1);
        put8(b, 0);
        put8(b, (uint8_t)(node >> 8));
        put8(b, (uint8_t)(node >> 16));
        put8(b, (uint8_t)(node >> 24));
        put32(b, 0);
    }
    if (!pcms->numa_nodes->len) {
        srat_boot_ram(b, pcms, 0, 0, pcms->ram_size);
    }
    for (guint i = 0; i < pcms->numa_nodes->len; i++) {
        NumaNode *n = g_ptr_array_index(pcms->numa_nodes, i);
        uint64_t len = memory_region_size(&n->ram);

        srat_boot_ram(b, pcms, n->nodeid, off, len);
        off += len;
    }
    for (guint i = 0; i < mds->len; i++) {
        Object *md = g_ptr_array_index(mds, i);
        const MemoryDeviceHooks *h = object_get_interface(md,
                                                          TYPE_MEMORY_DEVICE);
        MemoryRegion *mr = h->get_region(md, NULL);
        uint64_t node = object_property_get_uint(md, "node", NULL);

        if (mr) {
            srat_mem(b, (uint32_t)node, h->get_addr(md),
                     memory_region_size(mr),
                     SRAT_MEM_ENABLED | SRAT_MEM_HOTPLUGGABLE);
        }
    }
    table_end(b, t);
}

/* ---- root pointers --------------------------------------------------------- */

static void build_rsdp(Blob *b)
{
    put_bytes(b, "RSD PTR ", 8);
    put8(b, 0);
    put_bytes(b, ACPI_OEM_ID, 6);
    put8(b, 2);
    put32(b, 0);                        /* RSDT, patched */
    put32(b, 36);
    put64(b, 0);                        /* XSDT, patched */
    put8(b, 0);
    put_zeros(b, 3);
}

GByteArray *acpi_build_tables(PCMachineState *pcms,
                              const AcpiPciWindows *win, uint64_t base,
                              uint64_t size)
{
    Blob *b = g_byte_array_new();
    size_t tables[4], nt = 0, dsdt, xsdt, rsdt;
    g_autoptr(GPtrArray) mds = memory_device_list();

    build_rsdp(b);
    dsdt = b->len + (16 - b->len % 16) % 16;
    build_dsdt(b, win);
    tables[nt++] = build_fadt(b, base + dsdt);
    tables[nt] = b->len + (16 - b->len % 16) % 16;
    build_madt(b, pcms);
    nt++;
    tables[nt] = b->len + (16 - b->len % 16) % 16;
    build_mcfg(b);
    nt++;
    if (pcms->numa_nodes->len || mds->len) {
        tables[nt] = b->len + (16 - b->len % 16) % 16;
        build_srat(b, pcms);
        nt++;
    }
    xsdt = table_begin(b, "XSDT", 1);
    for (size_t i = 0; i < nt; i++) {
        put64(b, base + tables[i]);
    }
    table_end(b, xsdt);
    rsdt = table_begin(b, "RSDT", 1);
    for (size_t i = 0; i < nt; i++) {
        put32(b, (uint32_t)(base + tables[i]));
    }
    table_end(b, rsdt);
    patch32(b, 16, (uint32_t)(base + rsdt));
    patch64(b, 24, base + xsdt);
    b->data[8] = checksum(b->data, 20);
    b->data[32] = checksum(b->data, 36);
    if (b->len > size) {
        g_byte_array_unref(b);
        return NULL;
    }
    return b;
}
