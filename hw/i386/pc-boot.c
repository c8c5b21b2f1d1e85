/* Linux x86 boot protocol: bzImage loader, zero page, e820, boot page tables. */
#include "hw/i386/pc-boot.h"

#include <string.h>
#include "hw/i386/acpi-build.h"
#include "hw/pci/pci-host.h"
#include "system/physmem.h"

/* Offsets in a bzImage and in boot_params (Documentation/arch/x86/boot.rst). */
#define BP_ACPI_RSDP_ADDR       0x070
#define BP_EXT_RAMDISK_IMAGE    0x0c0
#define BP_EXT_RAMDISK_SIZE     0x0c4
#define BP_EXT_CMD_LINE_PTR     0x0c8
#define BP_E820_ENTRIES         0x1e8
#define BP_E820_TABLE           0x2d0
#define BP_E820_MAX             128
#define HDR_SETUP_SECTS         0x1f1
#define HDR_VID_MODE            0x1fa
#define HDR_JUMP_END            0x201   /* header length - 0x202 + 0x1f1 */
#define HDR_MAGIC               0x202
#define HDR_VERSION             0x206
#define HDR_TYPE_OF_LOADER      0x210
#define HDR_LOADFLAGS           0x211
#define HDR_RAMDISK_IMAGE       0x218
#define HDR_RAMDISK_SIZE        0x21c
#define HDR_HEAP_END_PTR        0x224
#define HDR_CMD_LINE_PTR        0x228
#define HDR_INITRD_ADDR_MAX     0x22c
#define HDR_XLOADFLAGS          0x236
#define HDR_CMDLINE_SIZE        0x238
#define HDR_INIT_SIZE           0x260
#define ZERO_PAGE_SIZE          0x1000
/* Where a real-mode jump to the BIOS (F000:FFF0) lands. */
#define BIOS_RESET_VECTOR       UINT64_C(0xffff0)

#define LOADFLAGS_CAN_USE_HEAP  0x80
#define XLF_KERNEL_64           0x1
#define KERNEL_64BIT_ENTRY      0x200
#define KERNEL_DECOMPRESS_ADDR  UINT64_C(0x1000000)

typedef struct BootImages {
    PCMachineState *pcms;
    GBytes *kernel;             /* protected-mode part */
    GBytes *initrd;             /* NULL: none */
    uint8_t zero_page[ZERO_PAGE_SIZE];
    char *cmdline;
    uint64_t initrd_addr;
} BootImages;

static BootImages *images;

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, (uint16_t)v);
    wr16(p + 2, (uint16_t)(v >> 16));
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

/* ---- e820 ---------------------------------------------------------------- */

static void e820_add(uint8_t *zp, uint64_t addr, uint64_t size,
                     uint32_t type)
{
    uint8_t n = zp[BP_E820_ENTRIES];
    uint8_t *e = zp + BP_E820_TABLE + 20 * n;

    if (!size || n >= BP_E820_MAX) {
        return;
    }
    wr64(e, addr);
    wr64(e + 8, size);
    wr32(e + 16, type);
    zp[BP_E820_ENTRIES] = n + 1;
}

/*
 * Boot RAM, the legacy holes as a PC shows them, the ACPI tables and the
 * ECAM window reserved (Linux uses MMCONFIG only where firmware reserved
 * it).  The device-memory area is deliberately absent: memory there is
 * virtio-mem's to offer, and a guest that found it in e820 would use it
 * as boot memory.
 */
static void build_e820(PCMachineState *pcms, uint8_t *zp)
{
    e820_add(zp, 0, 0x9fc00, E820_RAM);
    e820_add(zp, 0x9fc00, 0x400, E820_RESERVED);
    e820_add(zp, PC_BOOT_ACPI_ADDR, PC_BOOT_ACPI_SIZE, E820_RESERVED);
    e820_add(zp, PC_BOOT_KERNEL_ADDR,
             pcms->below_4g_mem_size - PC_BOOT_KERNEL_ADDR, E820_RAM);
    e820_add(zp, PCI_HOST_ECAM_BASE, PCI_HOST_ECAM_SIZE, E820_RESERVED);
    e820_add(zp, PC_4G, pcms->above_4g_mem_size, E820_RAM);
}

/* ---- loading --------------------------------------------------------------- */

static bool check_kernel(const char *path, const uint8_t *k, gsize len,
                         Error **errp)
{
    uint16_t version;

    if (len < 0x1000 || memcmp(k + HDR_MAGIC, "HdrS", 4) != 0) {
        error_setg(errp, "-kernel %s: not a Linux x86 bzImage (no 'HdrS' "
                   "boot header)", path);
        return false;
    }
    version = rd16(k + HDR_VERSION);
    if (version < 0x20c || !(rd16(k + HDR_XLOADFLAGS) & XLF_KERNEL_64)) {
        error_setg(errp, "-kernel %s: boot protocol %u.%02u without a 64-bit "
                   "entry point; Tide boots kernels with protocol 2.12 or "
                   "later (Linux 3.8+, CONFIG_X86_64)", path, version >> 8,
                   version & 0xff);
        return false;
    }
    return true;
}

static bool read_images(BootImages *im, const char *kernel,
                        const char *initrd, Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    g_autofree gchar *k = NULL;
    gsize klen;
    unsigned setup_sects;
    gsize pm_off;

    if (!g_file_get_contents(kernel, &k, &klen, &gerr)) {
        error_setg(errp, "-kernel %s: %s", kernel, gerr->message);
        return false;
    }
    if (!check_kernel(kernel, (uint8_t *)k, klen, errp)) {
        return false;
    }
    setup_sects = (uint8_t)k[HDR_SETUP_SECTS];
    pm_off = (gsize)((setup_sects ? setup_sects : 4) + 1) * 512;
    if (pm_off >= klen) {
        error_setg(errp, "-kernel %s: truncated bzImage", kernel);
        return false;
    }
    memset(im->zero_page, 0, sizeof(im->zero_page));
    memcpy(im->zero_page + HDR_SETUP_SECTS, k + HDR_SETUP_SECTS,
           (size_t)(0x202 + (uint8_t)k[HDR_JUMP_END]) - HDR_SETUP_SECTS);
    im->kernel = g_bytes_new(k + pm_off, klen - pm_off);
    if (initrd) {
        gchar *data;
        gsize len;

        if (!g_file_get_contents(initrd, &data, &len, &gerr)) {
            error_setg(errp, "-initrd %s: %s", initrd, gerr->message);
            return false;
        }
        im->initrd = g_bytes_new_take(data, len);
    }
    return true;
}

/* Fill the header fields a boot loader owns (boot.rst, "Details of header fields"). */
static bool setup_header(BootImages *im, const char *append, uint64_t rsdp,
                         Error **errp)
{
    uint8_t *zp = im->zero_page;
    uint64_t kernel_end = PC_BOOT_KERNEL_ADDR + g_bytes_get_size(im->kernel);
    uint32_t cmdline_size = rd32(zp + HDR_CMDLINE_SIZE);
    uint64_t initrd_max;
    size_t alen = append ? strlen(append) : 0;

    if (alen > cmdline_size || alen >= PC_BOOT_CMDLINE_MAX) {
        error_setg(errp, "-append: the command line is %zu bytes; the kernel "
                   "takes at most %u", alen, MIN(cmdline_size,
                   (uint32_t)PC_BOOT_CMDLINE_MAX - 1));
        return false;
    }
    im->cmdline = g_strdup(append ? append : "");
    wr16(zp + HDR_VID_MODE, 0xffff);
    zp[HDR_TYPE_OF_LOADER] = 0xff;
    zp[HDR_LOADFLAGS] |= LOADFLAGS_CAN_USE_HEAP;
    wr16(zp + HDR_HEAP_END_PTR, 0xfe00);
    wr32(zp + HDR_CMD_LINE_PTR, (uint32_t)PC_BOOT_CMDLINE_ADDR);
    wr64(zp + BP_ACPI_RSDP_ADDR, rsdp);
    if (kernel_end > im->pcms->below_4g_mem_size) {
        error_setg(errp, "-kernel: the kernel (%" G_GSIZE_FORMAT " bytes) "
                   "does not fit in RAM below 4 GiB; give more -m",
                   g_bytes_get_size(im->kernel));
        return false;
    }
    if (im->initrd) {
        uint64_t size = g_bytes_get_size(im->initrd);
        /*
         * Above where the kernel decompresses itself too: at 16 MiB
         * (LOAD_PHYSICAL_ADDR) for init_size bytes when KASLR is off.
         */
        uint64_t low = MAX(kernel_end, KERNEL_DECOMPRESS_ADDR +
                                       rd32(zp + HDR_INIT_SIZE));

        initrd_max = MIN((uint64_t)rd32(zp + HDR_INITRD_ADDR_MAX),
                         im->pcms->below_4g_mem_size - 1);
        if (low > initrd_max || size > initrd_max + 1 - low) {
            error_setg(errp, "-initrd: the initrd (%" G_GUINT64_FORMAT
                       " bytes) does not fit in RAM below 0x%"
                       G_GINT64_MODIFIER "x beside the kernel; give more -m",
                       size, initrd_max + 1);
            return false;
        }
        im->initrd_addr = (initrd_max + 1 - size) & ~UINT64_C(0xfff);
        wr32(zp + HDR_RAMDISK_IMAGE, (uint32_t)im->initrd_addr);
        wr32(zp + HDR_RAMDISK_SIZE, (uint32_t)size);
        wr32(zp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(im->initrd_addr >> 32));
        wr32(zp + BP_EXT_RAMDISK_SIZE, (uint32_t)(size >> 32));
    }
    build_e820(im->pcms, zp);
    return true;
}

static void write_guest(uint64_t addr, const void *buf, uint64_t len)
{
    address_space_write_rom(&address_space_memory, addr, buf, len);
}

/* Identity map of the first 4 GiB with 2 MiB pages, and the boot GDT. */
static void write_tables(void)
{
    uint64_t pml4 = (PC_BOOT_PML4_ADDR + 0x1000) | 0x3;
    uint8_t pdpt[4096] = { 0 };
    g_autofree uint8_t *pd = g_malloc0(4 * 4096);
    static const uint64_t gdt[4] = {
        0, 0,
        UINT64_C(0x00af9b000000ffff),   /* 0x10: 64-bit code */
        UINT64_C(0x00cf93000000ffff),   /* 0x18: flat data */
    };
    uint8_t gdt_bytes[sizeof(gdt)];

    for (int i = 0; i < 4; i++) {
        wr64(pdpt + 8 * i, (PC_BOOT_PML4_ADDR + 0x2000 + 0x1000 * i) | 0x3);
    }
    for (int i = 0; i < 4 * 512; i++) {
        wr64(pd + 8 * i, ((uint64_t)i << 21) | 0x83);   /* present, rw, 2M */
    }
    for (size_t i = 0; i < G_N_ELEMENTS(gdt); i++) {
        wr64(gdt_bytes + 8 * i, gdt[i]);
    }
    {
        uint8_t p[8];

        wr64(p, pml4);
        write_guest(PC_BOOT_PML4_ADDR, p, 8);
    }
    write_guest(PC_BOOT_PML4_ADDR + 0x1000, pdpt, sizeof(pdpt));
    write_guest(PC_BOOT_PML4_ADDR + 0x2000, pd, 4 * 4096);
    write_guest(PC_BOOT_GDT_ADDR, gdt_bytes, sizeof(gdt_bytes));
}

/*
 * Tide has no BIOS, but Linux may still jump to its reset vector: on a
 * hardware-reduced ACPI machine without EFI its reboot ends in
 * machine_real_restart() (BOOT_EFI falls back to BOOT_BIOS).  What a
 * BIOS would do there is reset the machine, so the vector holds
 * "mov al, 6; mov dx, ACPI_RESET_PORT; out dx, al; hlt; jmp $-1".
 */
static void write_reset_vector(void)
{
    const uint8_t stub[] = {
        0xb0, ACPI_RESET_VALUE,
        0xba, ACPI_RESET_PORT & 0xff, ACPI_RESET_PORT >> 8,
        0xee, 0xf4, 0xeb, 0xfd,
    };

    write_guest(BIOS_RESET_VECTOR, stub, sizeof(stub));
}

void pc_boot_reload(void)
{
    if (!images) {
        return;
    }
    write_tables();
    write_reset_vector();
    write_guest(PC_BOOT_ZERO_PAGE_ADDR, images->zero_page, ZERO_PAGE_SIZE);
    write_guest(PC_BOOT_CMDLINE_ADDR, images->cmdline,
                strlen(images->cmdline) + 1);
    write_guest(PC_BOOT_KERNEL_ADDR, g_bytes_get_data(images->kernel, NULL),
                g_bytes_get_size(images->kernel));
    if (images->initrd) {
        write_guest(images->initrd_addr,
                    g_bytes_get_data(images->initrd, NULL),
                    g_bytes_get_size(images->initrd));
    }
}

bool pc_boot_load(PCMachineState *pcms, const char *kernel,
                  const char *initrd, const char *append, uint64_t rsdp,
                  PCBootCpu *cpu, Error **errp)
{
    BootImages *im = g_new0(BootImages, 1);

    im->pcms = pcms;
    images = im;
    if (!read_images(im, kernel, initrd, errp) ||
        !setup_header(im, append, rsdp, errp)) {
        pc_boot_unload();
        return false;
    }
    pc_boot_reload();
    *cpu = (PCBootCpu) {
        .rip = PC_BOOT_KERNEL_ADDR + KERNEL_64BIT_ENTRY,
        .rsi = PC_BOOT_ZERO_PAGE_ADDR,
        .rsp = PC_BOOT_STACK_TOP,
        .cr3 = PC_BOOT_PML4_ADDR,
        .gdt_base = PC_BOOT_GDT_ADDR,
        .gdt_limit = 4 * 8 - 1,
    };
    return true;
}

void pc_boot_unload(void)
{
    if (!images) {
        return;
    }
    if (images->kernel) {
        g_bytes_unref(images->kernel);
    }
    if (images->initrd) {
        g_bytes_unref(images->initrd);
    }
    g_free(images->cmdline);
    g_clear_pointer(&images, g_free);
}
