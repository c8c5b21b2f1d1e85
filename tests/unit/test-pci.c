/* PCI config space, BARs, capabilities, MSI-X and bus placement, as rules. */
#include <glib.h>
#include <string.h>
#include <urcu.h>

#include "accel/irq.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "system/memory.h"
#include "system/physmem.h"

#define TYPE_TEST_PCI "test-pci-dev"
#define KiB (UINT64_C(1) << 10)

/*
 * The device under test: BAR 0 a 4 KiB register window that logs its
 * accesses, BARs 2-3 a 64-bit 16 KiB window holding the MSI-X table (at
 * 0) and PBA (at 0x800), BAR 4 32 I/O ports.
 */
#define BAR_MEM32   0
#define BAR_MEM64   2
#define BAR_IO      4
#define NR_VECTORS  8
#define MSIX_PBA    0x800
#define MEM64_SIZE  (16 * KiB)

typedef struct TestPCIDevice {
    PCIDevice parent_obj;
    MemoryRegion regs, io, msix_bar;
} TestPCIDevice;

static char dev_log[512];       /* "r0/4 w8/4=12 " */
static GArray *msis;            /* Msi, what the fake accelerator got */

typedef struct Msi {
    uint64_t addr;
    uint32_t data;
} Msi;

#define LOG(...) g_snprintf(dev_log + strlen(dev_log), \
                            sizeof(dev_log) - strlen(dev_log), __VA_ARGS__)
#define ASSERT_LOG(expect) do {                 \
        g_assert_cmpstr(dev_log, ==, expect);   \
        dev_log[0] = 0;                         \
    } while (0)

static uint64_t regs_read(void *opaque, uint64_t addr, unsigned size)
{
    LOG("r%" G_GINT64_MODIFIER "x/%u ", addr, size);
    return 0xab000000 | addr;
}

static void regs_write(void *opaque, uint64_t addr, uint64_t val,
                       unsigned size)
{
    LOG("w%" G_GINT64_MODIFIER "x/%u=%" G_GINT64_MODIFIER "x ", addr, size,
        val);
}

static const MemoryRegionOps regs_ops = {
    .read = regs_read,
    .write = regs_write,
};

static bool test_pci_realize(PCIDevice *dev, Error **errp)
{
    TestPCIDevice *t = (TestPCIDevice *)dev;

    memory_region_init_io(&t->regs, &regs_ops, t, "test-regs", 4 * KiB);
    memory_region_init_io(&t->io, &regs_ops, t, "test-io", 32);
    memory_region_init_container(&t->msix_bar, "test-msix", MEM64_SIZE);
    if (!msix_init(dev, NR_VECTORS, &t->msix_bar, BAR_MEM64, 0, MSIX_PBA,
                   errp)) {
        memory_region_destroy(&t->msix_bar);
        memory_region_destroy(&t->io);
        memory_region_destroy(&t->regs);
        return false;
    }
    pci_register_bar(dev, BAR_MEM32, PCI_BAR_MEM32, &t->regs);
    pci_register_bar(dev, BAR_MEM64, PCI_BAR_MEM64, &t->msix_bar);
    pci_register_bar(dev, BAR_IO, PCI_BAR_IO, &t->io);
    return true;
}

static void test_pci_unrealize(PCIDevice *dev)
{
    TestPCIDevice *t = (TestPCIDevice *)dev;

    msix_uninit(dev, &t->msix_bar);
    memory_region_destroy(&t->msix_bar);
    memory_region_destroy(&t->io);
    memory_region_destroy(&t->regs);
}

static void test_pci_class_init(ObjectClass *oc)
{
    PCIDeviceClass *pc = (PCIDeviceClass *)oc;

    oc->user_creatable = true;
    pc->pci_realize = test_pci_realize;
    pc->pci_unrealize = test_pci_unrealize;
    pc->vendor_id = 0x1234;
    pc->device_id = 0x5678;
    pc->revision = 0x01;
    pc->class_id = 0x00ff;
}

static const TypeInfo test_pci_info = {
    .name = TYPE_TEST_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(TestPCIDevice),
    .class_init = test_pci_class_init,
};

static void fake_send_msi(uint64_t addr, uint32_t data)
{
    Msi m = { addr, data };

    g_array_append_val(msis, m);
}

static const AccelIrqOps fake_irq_ops = { .send_msi = fake_send_msi };

/* ---- fixture: two address spaces of our own and one realized device ------ */

static MemoryRegion mem_root, io_root;
static PCIDevice *dev;

static PCIDevice *new_device(const char *addr, Error **errp)
{
    Object *obj = object_new(TYPE_TEST_PCI);

    if ((addr && !object_property_set_str(obj, "addr", addr,
                                          PROP_INPUT_CMDLINE, errp)) ||
        !object_realize(obj, errp)) {
        object_unref(obj);
        return NULL;
    }
    return PCI_DEVICE(obj);
}

static PCIDevice *must_new_device(const char *addr)
{
    g_autoptr(Error) err = NULL;
    PCIDevice *d = new_device(addr, &err);

    if (!d) {
        g_error("%s", error_get_pretty(err));
    }
    return d;
}

static void setup(void *fx, const void *data)
{
    memory_region_init_container(&mem_root, "memory", 0);
    memory_region_init_container(&io_root, "io", 64 * KiB);
    address_space_init(&address_space_memory, &mem_root, "memory");
    address_space_init(&address_space_io, &io_root, "I/O");
    dev_log[0] = 0;
    msis = g_array_new(FALSE, FALSE, sizeof(Msi));
    accel_irq_set_ops(&fake_irq_ops);
    dev = must_new_device(NULL);
}

static void teardown(void *fx, const void *data)
{
    object_unref(OBJECT(dev));
    dev = NULL;
    accel_irq_set_ops(NULL);
    g_array_free(msis, TRUE);
    address_space_destroy(&address_space_memory);
    address_space_destroy(&address_space_io);
    synchronize_rcu();
    memory_region_destroy(&mem_root);
    memory_region_destroy(&io_root);
}

#define TEST(path, fn) \
    g_test_add(path, void, NULL, setup, fn, teardown)

static uint32_t cfg_rd(uint32_t addr, unsigned len)
{
    return pci_config_read(dev, addr, len);
}

static void cfg_wr(uint32_t addr, uint32_t val, unsigned len)
{
    pci_config_write(dev, addr, val, len);
}

static uint32_t bar_reg(int bar)
{
    return PCI_BASE_ADDRESS_0 + 4 * (uint32_t)bar;
}

static uint32_t mem_rd32(uint64_t addr)
{
    return address_space_ldl_le(&address_space_memory, addr, NULL);
}

static void mem_wr32(uint64_t addr, uint32_t val)
{
    address_space_stl_le(&address_space_memory, addr, val);
}

/* ---- config header ------------------------------------------------------- */

static void test_ids_from_class(void *fx, const void *data)
{
    g_assert_cmphex(cfg_rd(PCI_VENDOR_ID, 4), ==, 0x56781234);
    g_assert_cmphex(cfg_rd(PCI_REVISION_ID, 4), ==, 0x00ff0001);
    g_assert_cmphex(cfg_rd(PCI_HEADER_TYPE, 1), ==, 0);
    /* No subsystem ids of its own: QEMU's defaults. */
    g_assert_cmphex(cfg_rd(PCI_SUBSYSTEM_VENDOR_ID, 4), ==, 0x11001af4);
}

static void test_read_only_bits_stay(void *fx, const void *data)
{
    uint8_t cap = (uint8_t)cfg_rd(PCI_CAPABILITY_LIST, 1);

    cfg_wr(PCI_VENDOR_ID, 0xffffffff, 4);
    cfg_wr(PCI_REVISION_ID, 0xffffffff, 4);
    cfg_wr(PCI_SUBSYSTEM_VENDOR_ID, 0, 4);
    cfg_wr(PCI_CAPABILITY_LIST, 0x80, 1);
    cfg_wr(PCI_ROM_ADDRESS, 0xffffffff, 4);
    cfg_wr(cap, 0xffff, 2);
    g_assert_cmphex(cfg_rd(PCI_VENDOR_ID, 4), ==, 0x56781234);
    g_assert_cmphex(cfg_rd(PCI_REVISION_ID, 4), ==, 0x00ff0001);
    g_assert_cmphex(cfg_rd(PCI_SUBSYSTEM_VENDOR_ID, 4), ==, 0x11001af4);
    g_assert_cmphex(cfg_rd(PCI_CAPABILITY_LIST, 1), ==, cap);
    g_assert_cmphex(cfg_rd(PCI_ROM_ADDRESS, 4), ==, 0);
    g_assert_cmphex(cfg_rd(cap, 1), ==, PCI_CAP_ID_MSIX);
}

static void test_command_writable_bits(void *fx, const void *data)
{
    cfg_wr(PCI_COMMAND, 0xffff, 2);
    g_assert_cmphex(cfg_rd(PCI_COMMAND, 2), ==,
                    PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                    PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
    cfg_wr(PCI_INTERRUPT_LINE, 0x0b, 1);
    g_assert_cmphex(cfg_rd(PCI_INTERRUPT_LINE, 1), ==, 0x0b);
    cfg_wr(PCI_INTERRUPT_PIN, 0x01, 1);
    g_assert_cmphex(cfg_rd(PCI_INTERRUPT_PIN, 1), ==, 0);
}

static void test_status_w1c(void *fx, const void *data)
{
    /* The device (not the guest) raises error bits. */
    dev->config[PCI_STATUS + 1] |= 0xa1;    /* 0x8000 0x2000 0x0100 */
    cfg_wr(PCI_STATUS, 0, 2);
    g_assert_cmphex(cfg_rd(PCI_STATUS, 2), ==, 0xa100 | PCI_STATUS_CAP_LIST);
    cfg_wr(PCI_STATUS, 0x2000 | PCI_STATUS_CAP_LIST, 2);
    g_assert_cmphex(cfg_rd(PCI_STATUS, 2), ==, 0x8100 | PCI_STATUS_CAP_LIST);
    /* A dword write to command clears status bits in the same go. */
    cfg_wr(PCI_COMMAND, 0xffff0000, 4);
    g_assert_cmphex(cfg_rd(PCI_STATUS, 2), ==, PCI_STATUS_CAP_LIST);
}

static void test_bad_accesses(void *fx, const void *data)
{
    g_autofree uint8_t *before = g_memdup2(dev->config, sizeof(dev->config));
    static const struct { uint32_t addr; unsigned len; } bad[] = {
        { 0xff, 2 }, { 0xff, 4 }, { 0xfe, 4 }, { 0xfd, 4 }, { 0x00, 3 },
        { 0x04, 0 }, { 0x04, 8 }, { 0x01, 2 }, { 0x02, 4 }, { 0x100, 1 },
        { 0xfff, 1 }, { UINT32_MAX, 1 }, { UINT32_MAX - 1, 2 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint32_t ones = bad[i].len >= 1 && bad[i].len <= 3
                        ? (1u << (8 * bad[i].len)) - 1 : UINT32_MAX;

        g_assert_cmphex(cfg_rd(bad[i].addr, bad[i].len), ==, ones);
        cfg_wr(bad[i].addr, 0, bad[i].len);
        cfg_wr(bad[i].addr, UINT32_MAX, bad[i].len);
    }
    g_assert_cmpmem(dev->config, sizeof(dev->config), before,
                    sizeof(dev->config));
    /* The last byte itself is a fine access. */
    g_assert_cmphex(cfg_rd(0xff, 1), ==, 0);
}

/* ---- BARs -------------------------------------------------------------------- */

static void test_bar_sizing(void *fx, const void *data)
{
    cfg_wr(bar_reg(BAR_MEM32), 0xffffffff, 4);
    g_assert_cmphex(cfg_rd(bar_reg(BAR_MEM32), 4), ==, 0xfffff000);
    cfg_wr(bar_reg(BAR_IO), 0xffffffff, 4);
    g_assert_cmphex(cfg_rd(bar_reg(BAR_IO), 4), ==, 0xffffffe1);
    cfg_wr(bar_reg(BAR_MEM64), 0xffffffff, 4);
    cfg_wr(bar_reg(BAR_MEM64 + 1), 0xffffffff, 4);
    g_assert_cmphex(cfg_rd(bar_reg(BAR_MEM64), 4), ==, 0xffffc004);
    g_assert_cmphex(cfg_rd(bar_reg(BAR_MEM64 + 1), 4), ==, 0xffffffff);
    /* Unused BARs read 0 and stay 0: no size, no type. */
    cfg_wr(bar_reg(1), 0xffffffff, 4);
    cfg_wr(bar_reg(5), 0xffffffff, 4);
    g_assert_cmphex(cfg_rd(bar_reg(1), 4), ==, 0);
    g_assert_cmphex(cfg_rd(bar_reg(5), 4), ==, 0);
    /* Type bits survive a zero write too. */
    cfg_wr(bar_reg(BAR_MEM64), 0, 4);
    cfg_wr(bar_reg(BAR_IO), 0, 4);
    g_assert_cmphex(cfg_rd(bar_reg(BAR_MEM64), 4), ==, PCI_BAR_MEM64);
    g_assert_cmphex(cfg_rd(bar_reg(BAR_IO), 4), ==, PCI_BAR_IO);
}

static void test_bar_mapped_only_while_decoding(void *fx, const void *data)
{
    uint8_t io[2];

    cfg_wr(bar_reg(BAR_MEM32), 0x10000000, 4);
    cfg_wr(bar_reg(BAR_IO), 0xc000, 4);
    g_assert_cmphex(mem_rd32(0x10000010), ==, 0xffffffff);
    address_space_read(&address_space_io, 0xc004, io, 1);
    ASSERT_LOG("");
    g_assert_cmphex(pci_bar_address(dev, BAR_MEM32), ==, PCI_BAR_UNMAPPED);

    cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(mem_rd32(0x10000010), ==, 0xab000010);
    ASSERT_LOG("r10/4 ");
    g_assert_cmphex(pci_bar_address(dev, BAR_MEM32), ==, 0x10000000);
    /* Memory decoding does not open the I/O BAR. */
    address_space_read(&address_space_io, 0xc004, io, 1);
    ASSERT_LOG("");

    cfg_wr(PCI_COMMAND, PCI_COMMAND_IO, 2);
    address_space_read(&address_space_io, 0xc004, io, 1);
    ASSERT_LOG("r4/1 ");
    g_assert_cmphex(io[0], ==, 0x04);
    g_assert_cmphex(mem_rd32(0x10000010), ==, 0xffffffff);
    ASSERT_LOG("");
}

static void test_bar_remap_on_address_change(void *fx, const void *data)
{
    cfg_wr(bar_reg(BAR_MEM32), 0x10000000, 4);
    cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    cfg_wr(bar_reg(BAR_MEM32) + 2, 0x2000, 2);  /* a word write moves it */
    g_assert_cmphex(pci_bar_address(dev, BAR_MEM32), ==, 0x20000000);
    g_assert_cmphex(mem_rd32(0x10000000), ==, 0xffffffff);
    ASSERT_LOG("");
    mem_wr32(0x20000008, 0x1234);
    ASSERT_LOG("w8/4=1234 ");
}

static void test_bar_unmapped_on_decode_disable(void *fx, const void *data)
{
    cfg_wr(bar_reg(BAR_MEM32), 0x10000000, 4);
    cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(mem_rd32(0x10000000), ==, 0xab000000);
    ASSERT_LOG("r0/4 ");
    cfg_wr(PCI_COMMAND, 0, 2);
    g_assert_cmphex(pci_bar_address(dev, BAR_MEM32), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(mem_rd32(0x10000000), ==, 0xffffffff);
    ASSERT_LOG("");
}

static void test_bar_64bit_above_4g(void *fx, const void *data)
{
    cfg_wr(bar_reg(BAR_MEM64), 0x40000000, 4);
    cfg_wr(bar_reg(BAR_MEM64 + 1), 0x8, 4);
    cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(pci_bar_address(dev, BAR_MEM64), ==,
                    UINT64_C(0x840000000));
    /* The first table entry's vector control: masked. */
    g_assert_cmphex(mem_rd32(UINT64_C(0x84000000c)), ==, 1);
}

static void test_bar_garbage_unmapped(void *fx, const void *data)
{
    cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
    /* Address 0. */
    g_assert_cmphex(pci_bar_address(dev, BAR_MEM32), ==, PCI_BAR_UNMAPPED);
    /* Sizing all-ones, decoding on, each BAR kind. */
    cfg_wr(bar_reg(BAR_MEM32), 0xffffffff, 4);
    cfg_wr(bar_reg(BAR_MEM64), 0xffffffff, 4);
    cfg_wr(bar_reg(BAR_MEM64 + 1), 0xffffffff, 4);
    cfg_wr(bar_reg(BAR_IO), 0xffffffff, 4);
    for (int bar = 0; bar < PCI_NUM_REGIONS; bar++) {
        g_assert_cmphex(pci_bar_address(dev, bar), ==, PCI_BAR_UNMAPPED);
    }
    /* I/O past 64 KiB; a 32-bit BAR touching 4 GiB - 1. */
    cfg_wr(bar_reg(BAR_IO), 0x10000, 4);
    g_assert_cmphex(pci_bar_address(dev, BAR_IO), ==, PCI_BAR_UNMAPPED);
    cfg_wr(bar_reg(BAR_IO), 0xffe0, 4);
    g_assert_cmphex(pci_bar_address(dev, BAR_IO), ==, 0xffe0);
    cfg_wr(bar_reg(BAR_MEM32), 0xfffff000, 4);
    g_assert_cmphex(pci_bar_address(dev, BAR_MEM32), ==, PCI_BAR_UNMAPPED);
    cfg_wr(bar_reg(BAR_MEM32), 0xffffe000, 4);
    g_assert_cmphex(pci_bar_address(dev, BAR_MEM32), ==, 0xffffe000);
    /* 64-bit: the top page of 2^64 is the sizing pattern, not a place. */
    cfg_wr(bar_reg(BAR_MEM64), 0xffff8000, 4);
    g_assert_cmphex(pci_bar_address(dev, BAR_MEM64), ==,
                    UINT64_C(0xffffffffffff8000));
}

static void test_bar_overlapping_ram_loses(void *fx, const void *data)
{
    static uint8_t ram_buf[4096];
    MemoryRegion ram;

    memset(ram_buf, 0x5a, sizeof(ram_buf));
    memory_region_init_ram_ptr(&ram, "ram", sizeof(ram_buf), ram_buf);
    memory_region_add_subregion(&mem_root, 0x10000000, &ram);
    cfg_wr(bar_reg(BAR_MEM32), 0x10000000, 4);
    cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(mem_rd32(0x10000000), ==, 0x5a5a5a5a);
    ASSERT_LOG("");
    cfg_wr(PCI_COMMAND, 0, 2);
    memory_region_del_subregion(&mem_root, &ram);
    synchronize_rcu();
    memory_region_destroy(&ram);
}

/* ---- capabilities and MSI-X ---------------------------------------------------- */

/* Walks at most 48 links (as Linux's pci_find_capability). */
static uint8_t find_cap(uint8_t id)
{
    uint8_t pos = (uint8_t)cfg_rd(PCI_CAPABILITY_LIST, 1);

    for (int ttl = 48; ttl && pos >= PCI_CONFIG_HEADER_SIZE; ttl--) {
        pos &= ~3;
        if (cfg_rd(pos, 1) == id) {
            return pos;
        }
        pos = (uint8_t)cfg_rd(pos + PCI_CAP_LIST_NEXT, 1);
    }
    return 0;
}

static void test_cap_list_finds_msix(void *fx, const void *data)
{
    uint8_t cap = find_cap(PCI_CAP_ID_MSIX);

    g_assert_cmphex(cfg_rd(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, !=, 0);
    g_assert_cmpuint(cap, >=, PCI_CONFIG_HEADER_SIZE);
    g_assert_cmphex(cfg_rd(cap + PCI_MSIX_FLAGS, 2), ==, NR_VECTORS - 1);
    g_assert_cmphex(cfg_rd(cap + PCI_MSIX_TABLE, 4), ==, BAR_MEM64);
    g_assert_cmphex(cfg_rd(cap + PCI_MSIX_PBA, 4), ==, MSIX_PBA | BAR_MEM64);
    g_assert_cmpuint(find_cap(PCI_CAP_ID_VNDR), ==, 0);
}

static void test_cap_that_does_not_fit(void *fx, const void *data)
{
    g_autoptr(Error) err = NULL;

    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_VNDR, 0xf0, &err),
                     ==, 0);
    g_assert_nonnull(err);
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_VNDR, 16, NULL), !=,
                     0);
    g_assert_cmpuint(find_cap(PCI_CAP_ID_VNDR), !=, 0);
    g_assert_cmpuint(find_cap(PCI_CAP_ID_MSIX), !=, 0);
}

#define MSIX_BASE UINT64_C(0x800000000)

/* Map the MSI-X BAR, program vector v to (0xfee00000 + v * 4, 0x40 + v). */
static uint8_t msix_setup(uint16_t ctrl)
{
    uint8_t cap = find_cap(PCI_CAP_ID_MSIX);

    cfg_wr(bar_reg(BAR_MEM64), (uint32_t)MSIX_BASE, 4);
    cfg_wr(bar_reg(BAR_MEM64 + 1), (uint32_t)(MSIX_BASE >> 32), 4);
    cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    for (unsigned v = 0; v < NR_VECTORS; v++) {
        uint64_t e = MSIX_BASE + v * PCI_MSIX_ENTRY_SIZE;

        mem_wr32(e + PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee00000 + v * 4);
        mem_wr32(e + PCI_MSIX_ENTRY_UPPER_ADDR, 0);
        mem_wr32(e + PCI_MSIX_ENTRY_DATA, 0x40 + v);
    }
    cfg_wr(cap + PCI_MSIX_FLAGS, ctrl, 2);
    return cap;
}

static void vector_mask(unsigned v, bool masked)
{
    mem_wr32(MSIX_BASE + v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL,
             masked);
}

static uint32_t pba(void)
{
    return mem_rd32(MSIX_BASE + MSIX_PBA);
}

static void assert_msi(guint i, uint64_t addr, uint32_t data)
{
    g_assert_cmpuint(msis->len, >, i);
    g_assert_cmphex(g_array_index(msis, Msi, i).addr, ==, addr);
    g_assert_cmphex(g_array_index(msis, Msi, i).data, ==, data);
}

static void test_msix_masked_vector_sets_pending(void *fx, const void *data)
{
    msix_setup(PCI_MSIX_FLAGS_ENABLE);
    g_assert_true(msix_enabled(dev));
    msix_notify(dev, 3);
    g_assert_cmpuint(msis->len, ==, 0);
    g_assert_cmphex(pba(), ==, 1u << 3);
}

static void test_msix_unmask_delivers_pending(void *fx, const void *data)
{
    msix_setup(PCI_MSIX_FLAGS_ENABLE);
    msix_notify(dev, 3);
    vector_mask(3, false);
    g_assert_cmpuint(msis->len, ==, 1);
    assert_msi(0, 0xfee0000c, 0x43);
    g_assert_cmphex(pba(), ==, 0);
    /* Unmasked now: straight through, nothing pending. */
    msix_notify(dev, 3);
    g_assert_cmpuint(msis->len, ==, 2);
    g_assert_cmphex(pba(), ==, 0);
    /* Unmasking a vector with nothing pending sends nothing. */
    vector_mask(5, false);
    g_assert_cmpuint(msis->len, ==, 2);
}

static void test_msix_function_mask(void *fx, const void *data)
{
    uint8_t cap = msix_setup(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);

    vector_mask(1, false);
    vector_mask(2, false);
    msix_notify(dev, 1);
    msix_notify(dev, 6);        /* masked twice over */
    g_assert_cmpuint(msis->len, ==, 0);
    g_assert_cmphex(pba(), ==, (1u << 1) | (1u << 6));
    cfg_wr(cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
    g_assert_cmpuint(msis->len, ==, 1);
    assert_msi(0, 0xfee00004, 0x41);
    g_assert_cmphex(pba(), ==, 1u << 6);
}

static void test_msix_disabled_counts_as_masked(void *fx, const void *data)
{
    uint8_t cap = msix_setup(0);

    vector_mask(0, false);
    g_assert_false(msix_enabled(dev));
    msix_notify(dev, 0);
    g_assert_cmpuint(msis->len, ==, 0);
    g_assert_cmphex(pba(), ==, 1);
    cfg_wr(cap + PCI_MSIX_FLAGS + 1, PCI_MSIX_FLAGS_ENABLE >> 8, 1);
    g_assert_cmpuint(msis->len, ==, 1);
    assert_msi(0, 0xfee00000, 0x40);
}

static void test_msix_out_of_range_ignored(void *fx, const void *data)
{
    msix_setup(PCI_MSIX_FLAGS_ENABLE);
    for (unsigned v = 0; v < NR_VECTORS; v++) {
        vector_mask(v, false);
    }
    msix_notify(dev, NR_VECTORS);
    msix_notify(dev, 2048);
    msix_notify(dev, VIRTIO_NO_VECTOR);
    msix_notify(dev, UINT32_MAX);
    g_assert_cmpuint(msis->len, ==, 0);
    g_assert_cmphex(pba(), ==, 0);
    /* Past the table (inside the BAR): nothing there. */
    mem_wr32(MSIX_BASE + NR_VECTORS * PCI_MSIX_ENTRY_SIZE, 0);
    g_assert_cmphex(mem_rd32(MSIX_BASE + NR_VECTORS * PCI_MSIX_ENTRY_SIZE),
                    ==, 0xffffffff);
}

static void test_msix_table_access_sizes(void *fx, const void *data)
{
    uint8_t b[2] = { 0, 0 };

    msix_setup(PCI_MSIX_FLAGS_ENABLE);
    /* 1- and 2-byte accesses: all-ones, dropped. */
    g_assert_cmphex(address_space_lduw_le(&address_space_memory,
                                          MSIX_BASE + 8, NULL), ==, 0xffff);
    g_assert_cmphex(address_space_ldub(&address_space_memory, MSIX_BASE + 8,
                                       NULL), ==, 0xff);
    address_space_stw_le(&address_space_memory, MSIX_BASE + 8, 0x1111);
    address_space_write(&address_space_memory, MSIX_BASE + 12, b, 1);
    g_assert_cmphex(mem_rd32(MSIX_BASE + 8), ==, 0x40);
    g_assert_cmphex(mem_rd32(MSIX_BASE + 12), ==, 1);
    /* An 8-byte write sets both address dwords. */
    address_space_stq_le(&address_space_memory, MSIX_BASE + 16,
                         UINT64_C(0x00000001fee01000));
    g_assert_cmphex(address_space_ldq_le(&address_space_memory,
                                         MSIX_BASE + 16, NULL), ==,
                    UINT64_C(0x00000001fee01000));
    /* Reserved vector-control bits read 0; the PBA ignores writes. */
    mem_wr32(MSIX_BASE + 12, 0xfffffffe);
    g_assert_cmphex(mem_rd32(MSIX_BASE + 12), ==, 0);
    msix_notify(dev, 4);
    mem_wr32(MSIX_BASE + MSIX_PBA, 0);
    g_assert_cmphex(pba(), ==, 1u << 4);
}

static void test_msix_control_bits(void *fx, const void *data)
{
    uint8_t cap = find_cap(PCI_CAP_ID_MSIX);

    cfg_wr(cap, 0xffffffff, 4);
    g_assert_cmphex(cfg_rd(cap + PCI_MSIX_FLAGS, 2), ==,
                    PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL |
                    (NR_VECTORS - 1));
    cfg_wr(cap + PCI_MSIX_TABLE, 0xffffffff, 4);
    cfg_wr(cap + PCI_MSIX_PBA, 0, 4);
    g_assert_cmphex(cfg_rd(cap + PCI_MSIX_TABLE, 4), ==, BAR_MEM64);
    g_assert_cmphex(cfg_rd(cap + PCI_MSIX_PBA, 4), ==, MSIX_PBA | BAR_MEM64);
}

/* ---- reset ------------------------------------------------------------------------ */

static void test_reset_restores_power_on(void *fx, const void *data)
{
    g_autofree uint8_t *poweron = g_memdup2(dev->config, sizeof(dev->config));

    msix_setup(PCI_MSIX_FLAGS_ENABLE);
    cfg_wr(bar_reg(BAR_MEM32), 0x10000000, 4);
    cfg_wr(PCI_INTERRUPT_LINE, 5, 1);
    vector_mask(2, false);
    msix_notify(dev, 1);
    g_assert_cmphex(pci_bar_address(dev, BAR_MEM64), ==, MSIX_BASE);

    object_reset_tree(OBJECT(dev));
    g_assert_cmpmem(dev->config, sizeof(dev->config), poweron,
                    sizeof(dev->config));
    for (int bar = 0; bar < PCI_NUM_REGIONS; bar++) {
        g_assert_cmphex(pci_bar_address(dev, bar), ==, PCI_BAR_UNMAPPED);
    }
    g_assert_cmphex(mem_rd32(MSIX_BASE + 12), ==, 0xffffffff);
    /* MSI-X state: every vector masked, nothing pending. */
    msix_setup(PCI_MSIX_FLAGS_ENABLE);
    g_assert_cmphex(pba(), ==, 0);
    g_assert_cmphex(mem_rd32(MSIX_BASE + 2 * 16 + 12), ==, 1);
    msix_notify(dev, 2);
    g_assert_cmpuint(msis->len, ==, 0);
}

/* ---- the bus ---------------------------------------------------------------------- */

static void test_bus_default_first_free_slot(void *fx, const void *data)
{
    PCIDevice *second = must_new_device(NULL);

    /* Slot 0 is the host bridge's even when there is none. */
    g_assert_cmpint(dev->devfn, ==, PCI_DEVFN(1, 0));
    g_assert_cmpint(second->devfn, ==, PCI_DEVFN(2, 0));
    g_assert_true(pci_bus_find(PCI_DEVFN(2, 0)) == second);
    g_assert_null(pci_bus_find(PCI_DEVFN(2, 1)));
    object_unref(OBJECT(second));
    g_assert_null(pci_bus_find(PCI_DEVFN(2, 0)));
}

static void test_bus_addr_places_at_devfn(void *fx, const void *data)
{
    PCIDevice *a = must_new_device("06.0");
    PCIDevice *b = must_new_device("1f.7");
    PCIDevice *c = must_new_device("6.3");
    PropValue v;

    g_assert_cmpint(a->devfn, ==, 0x30);
    g_assert_cmpint(b->devfn, ==, 0xff);
    g_assert_cmpint(c->devfn, ==, 0x33);
    g_assert_true(pci_bus_find(0x33) == c);
    g_assert_true(object_property_get_value(OBJECT(c), "addr", &v, NULL));
    g_assert_cmpstr(v.s, ==, "06.3");
    object_unref(OBJECT(a));
    object_unref(OBJECT(b));
    object_unref(OBJECT(c));
}

static void test_bus_taken_addr_fails(void *fx, const void *data)
{
    g_autoptr(Error) err = NULL;
    PCIDevice *a = must_new_device("06.0");

    g_assert_null(new_device("06.0", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "PCI: slot 6 function 0 not "
                    "available for test-pci-dev, in use by test-pci-dev,"
                    "id=(null)");
    g_clear_pointer(&err, error_free);
    DEVICE(a)->id = g_strdup("rng0");
    g_assert_null(new_device("6", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "PCI: slot 6 function 0 not "
                    "available for test-pci-dev, in use by test-pci-dev,"
                    "id=rng0");
    /* The failed one left no trace: the slot is still a's. */
    g_assert_true(pci_bus_find(0x30) == a);
    object_unref(OBJECT(a));
    g_assert_null(pci_bus_find(0x30));
}

static void test_bus_bad_addr_rejected(void *fx, const void *data)
{
    static const char *const bad[] = { "6.8", "20", "", "-1", "6.", "G",
                                       "6.0.0", "06.0 " };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(Error) err = NULL;
        g_autofree char *want = g_strdup_printf("Property 'test-pci-dev.addr' "
                                                "doesn't take value '%s'",
                                                bad[i]);

        g_assert_null(new_device(bad[i], &err));
        g_assert_cmpstr(error_get_pretty(err), ==, want);
    }
    g_assert_cmpint(pci_parse_devfn("1f"), ==, PCI_DEVFN(0x1f, 0));
    g_assert_cmpint(pci_parse_devfn("0x6"), ==, PCI_DEVFN(6, 0));
}

static void test_bus_full(void *fx, const void *data)
{
    g_autoptr(GPtrArray) devs = g_ptr_array_new();
    g_autoptr(Error) err = NULL;
    PCIDevice *d;

    /* dev holds slot 1; slots 2..31 fill up. */
    while ((d = new_device(NULL, NULL))) {
        g_ptr_array_add(devs, d);
    }
    g_assert_cmpuint(devs->len, ==, 30);
    g_assert_null(new_device(NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "PCI: no slot/function "
                    "available for test-pci-dev, all in use or reserved");
    for (guint i = 0; i < devs->len; i++) {
        object_unref(g_ptr_array_index(devs, i));
    }
}

static void test_addr_fixed_after_realize(void *fx, const void *data)
{
    g_autoptr(Error) err = NULL;

    g_assert_false(object_property_set_str(OBJECT(dev), "addr", "07.0",
                                           PROP_INPUT_CMDLINE, &err));
    g_assert_nonnull(err);
    g_assert_cmpint(dev->devfn, ==, PCI_DEVFN(1, 0));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    qom_register_types();
    device_register_types();
    pci_register_types();
    type_register_static(&test_pci_info);

    TEST("/pci/config/ids-come-from-the-class", test_ids_from_class);
    TEST("/pci/config/read-only-bits-stay", test_read_only_bits_stay);
    TEST("/pci/config/command-only-enable-bits-writable",
         test_command_writable_bits);
    TEST("/pci/config/status-bits-write-one-to-clear", test_status_w1c);
    TEST("/pci/config/bad-accesses-read-all-ones-and-write-nothing",
         test_bad_accesses);
    TEST("/pci/bar/sizing-reads-back-size-mask", test_bar_sizing);
    TEST("/pci/bar/mapped-only-while-decoding",
         test_bar_mapped_only_while_decoding);
    TEST("/pci/bar/remapped-on-address-change",
         test_bar_remap_on_address_change);
    TEST("/pci/bar/unmapped-on-decode-disable",
         test_bar_unmapped_on_decode_disable);
    TEST("/pci/bar/64-bit-maps-above-4g", test_bar_64bit_above_4g);
    TEST("/pci/bar/zero-or-sizing-garbage-stays-unmapped",
         test_bar_garbage_unmapped);
    TEST("/pci/bar/overlapping-ram-wins", test_bar_overlapping_ram_loses);
    TEST("/pci/capability/list-walk-finds-msix", test_cap_list_finds_msix);
    TEST("/pci/capability/too-big-fails-and-list-stays-intact",
         test_cap_that_does_not_fit);
    TEST("/pci/msix/masked-vector-sets-pending-bit",
         test_msix_masked_vector_sets_pending);
    TEST("/pci/msix/unmask-delivers-pending-vector",
         test_msix_unmask_delivers_pending);
    TEST("/pci/msix/function-mask-holds-vectors-until-cleared",
         test_msix_function_mask);
    TEST("/pci/msix/disabled-function-counts-as-masked",
         test_msix_disabled_counts_as_masked);
    TEST("/pci/msix/out-of-range-vector-ignored",
         test_msix_out_of_range_ignored);
    TEST("/pci/msix/table-takes-4-and-8-byte-accesses-only",
         test_msix_table_access_sizes);
    TEST("/pci/msix/only-enable-and-mask-bits-writable",
         test_msix_control_bits);
    TEST("/pci/reset/restores-power-on-config-and-unmaps",
         test_reset_restores_power_on);
    TEST("/pci/bus/default-addr-is-first-free-slot-from-1",
         test_bus_default_first_free_slot);
    TEST("/pci/bus/addr-places-at-slot-and-function",
         test_bus_addr_places_at_devfn);
    TEST("/pci/bus/taken-addr-fails-with-qemu-message",
         test_bus_taken_addr_fails);
    TEST("/pci/bus/malformed-addr-rejected", test_bus_bad_addr_rejected);
    TEST("/pci/bus/full-bus-fails", test_bus_full);
    TEST("/pci/bus/addr-cannot-change-after-realize",
         test_addr_fixed_after_realize);
    return g_test_run();
}
