/* The PCI host bridge as a guest sees it: ports 0xcf8/0xcfc and the ECAM window. */
#include "libqtest.h"

#include <string.h>

/* Tide's ECAM window (include/hw/pci/pci-host.h, docs/system/pci.md). */
#define ECAM_BASE       UINT64_C(0xe0000000)
#define CONFIG_ADDR     0xcf8
#define CONFIG_DATA     0xcfc

/* A real device besides the host bridge, with BARs and capabilities. */
#define VM0_SLOT        3
#define ARGS_WITH_VM0 \
    "-m 512M,maxmem=2G -object memory-backend-ram,id=mem0,size=256M " \
    "-device virtio-mem-pci,id=vm0,memdev=mem0,addr=03.0"

static uint32_t cf8_address(unsigned bus, unsigned devfn, unsigned reg)
{
    return 0x80000000u | bus << 16 | devfn << 8 | (reg & 0xfc);
}

static uint32_t cf8_readl(QTestState *s, unsigned bus, unsigned devfn,
                          unsigned reg)
{
    qtest_outl(s, CONFIG_ADDR, cf8_address(bus, devfn, reg));
    return qtest_inl(s, CONFIG_DATA);
}

static uint64_t ecam_addr(unsigned bus, unsigned devfn, unsigned reg)
{
    return ECAM_BASE + ((uint64_t)bus << 20 | devfn << 12 | reg);
}

/* The ECAM window is Tide's; QEMU's pc machine has none. */
static bool skip_unless_tide(void)
{
    if (!qtest_is_tide()) {
        g_test_skip("QEMU's pc machine has no ECAM window");
        return true;
    }
    return false;
}

static void assert_qmp_alive(QTestState *s)
{
    g_autoptr(JsonNode) rsp = qtest_qmp(s, "{\"execute\": \"query-status\"}");

    g_assert_false(qmp_rsp_is_error(rsp));
    g_assert_nonnull(qmp_rsp_return_object(rsp));
}

/* ---- mechanism #1 ------------------------------------------------------------ */

static void test_host_bridge_ids(void)
{
    g_autoptr(QTestState) s = qtest_init(NULL);

    g_assert_cmphex(cf8_readl(s, 0, 0, 0x00), ==, 0x12378086);
    /* class 06 (bridge), subclass 00 (host), revision 02 */
    g_assert_cmphex(cf8_readl(s, 0, 0, 0x08), ==, 0x06000002);
    g_assert_cmphex(cf8_readl(s, 0, 0, 0x0c) & 0x00ff0000, ==, 0);
}

static void test_byte_and_word_lanes(void)
{
    g_autoptr(QTestState) s = qtest_init(NULL);

    qtest_outl(s, CONFIG_ADDR, cf8_address(0, 0, 0));
    g_assert_cmphex(qtest_inb(s, CONFIG_DATA), ==, 0x86);
    g_assert_cmphex(qtest_inb(s, CONFIG_DATA + 1), ==, 0x80);
    g_assert_cmphex(qtest_inb(s, CONFIG_DATA + 3), ==, 0x12);
    g_assert_cmphex(qtest_inw(s, CONFIG_DATA), ==, 0x8086);
    g_assert_cmphex(qtest_inw(s, CONFIG_DATA + 2), ==, 0x1237);
}

static void test_empty_slot_reads_all_ones(void)
{
    g_autoptr(QTestState) s = qtest_init(NULL);

    g_assert_cmphex(cf8_readl(s, 0, 0x1f << 3, 0), ==, 0xffffffff);
    g_assert_cmphex(cf8_readl(s, 0, 0x02 << 3 | 5, 0), ==, 0xffffffff);
    g_assert_cmphex(cf8_readl(s, 1, 0, 0), ==, 0xffffffff);
    g_assert_cmphex(cf8_readl(s, 0xff, 0xff, 0xfc), ==, 0xffffffff);
}

static void test_disabled_address_reads_all_ones(void)
{
    g_autoptr(QTestState) s = qtest_init(NULL);

    qtest_outl(s, CONFIG_ADDR, 0x00000000);     /* bit 31 clear */
    g_assert_cmphex(qtest_inl(s, CONFIG_DATA), ==, 0xffffffff);
    qtest_outl(s, CONFIG_DATA, 0);              /* goes nowhere */
    g_assert_cmphex(cf8_readl(s, 0, 0, 0), ==, 0x12378086);
}

static void test_config_address_reads_back(void)
{
    g_autoptr(QTestState) s = qtest_init(NULL);

    qtest_outl(s, CONFIG_ADDR, 0x80000000);
    g_assert_cmphex(qtest_inl(s, CONFIG_ADDR), ==, 0x80000000);
    if (!qtest_is_tide()) {
        return;     /* QEMU keeps the reserved bits; PCI 3.0 reads them 0 */
    }
    qtest_outl(s, CONFIG_ADDR, 0xffffffff);
    g_assert_cmphex(qtest_inl(s, CONFIG_ADDR), ==, 0x80fffffc);
}

/* ---- ECAM --------------------------------------------------------------------- */

static void test_ecam_and_cf8_agree(void)
{
    g_autoptr(QTestState) s = NULL;
    unsigned devfns[] = { 0, VM0_SLOT << 3, 0x1f << 3 };

    if (skip_unless_tide()) {
        return;
    }
    s = qtest_init(ARGS_WITH_VM0);
    for (size_t i = 0; i < G_N_ELEMENTS(devfns); i++) {
        for (unsigned reg = 0; reg < 0x100; reg += 4) {
            uint32_t via_ports = cf8_readl(s, 0, devfns[i], reg);
            uint32_t via_ecam = qtest_readl(s, ecam_addr(0, devfns[i], reg));

            g_assert_cmphex(via_ports, ==, via_ecam);
        }
    }
    /* virtio-mem-pci is there: vendor 1af4, device 1058. */
    g_assert_cmphex(qtest_readl(s, ecam_addr(0, VM0_SLOT << 3, 0)), ==,
                    0x10581af4);
    /* A write through one is seen through the other. */
    qtest_writew(s, ecam_addr(0, VM0_SLOT << 3, 0x3c), 0x0a);
    qtest_outl(s, CONFIG_ADDR, cf8_address(0, VM0_SLOT << 3, 0x3c));
    g_assert_cmphex(qtest_inb(s, CONFIG_DATA), ==, 0x0a);
    qtest_outb(s, CONFIG_DATA, 0x0b);
    g_assert_cmphex(qtest_readb(s, ecam_addr(0, VM0_SLOT << 3, 0x3c)), ==,
                    0x0b);
}

static void test_ecam_outside_bus0_reads_all_ones(void)
{
    g_autoptr(QTestState) s = NULL;

    if (skip_unless_tide()) {
        return;
    }
    s = qtest_init(NULL);
    g_assert_cmphex(qtest_readl(s, ecam_addr(1, 0, 0)), ==, 0xffffffff);
    g_assert_cmphex(qtest_readl(s, ecam_addr(255, 255, 0xffc)), ==,
                    0xffffffff);
    /* Past the 256 bytes of a conventional function. */
    g_assert_cmphex(qtest_readl(s, ecam_addr(0, 0, 0x100)), ==, 0xffffffff);
    g_assert_cmphex(qtest_readl(s, ecam_addr(0, 0, 0xffc)), ==, 0xffffffff);
    /* Two dwords at once, as a 64-bit load. */
    g_assert_cmphex(qtest_readq(s, ecam_addr(0, 0, 0)), ==,
                    UINT64_C(0x0000000012378086));
    qtest_writel(s, ecam_addr(2, 0, 0), 0);
    assert_qmp_alive(s);
}

/* ---- hostile accesses ---------------------------------------------------------- */

/*
 * Every size at every port of the host bridge's two registers and just
 * around them, with values chosen to be unhelpful, then a seeded random
 * storm over ports and the ECAM window.  The VM must still answer QMP
 * and the host bridge still read right.
 */
static void test_garbage_does_not_crash(void)
{
    g_autoptr(QTestState) s = qtest_init(ARGS_WITH_VM0);
    static const uint32_t vals[] = { 0, 0xffffffff, 0x80000000, 0x8000fffc,
                                     0x7fffffff, 0x80ff00ff };
    GRand *rand = g_rand_new_with_seed(0x7c1d);

    for (unsigned port = 0xcf6; port < 0xd02; port++) {
        for (size_t i = 0; i < G_N_ELEMENTS(vals); i++) {
            qtest_outb(s, port, (uint8_t)vals[i]);
            qtest_outw(s, port, (uint16_t)vals[i]);
            qtest_outl(s, port, vals[i]);
            qtest_inb(s, port);
            qtest_inw(s, port);
            qtest_inl(s, port);
        }
    }
    for (int i = 0; i < 2000; i++) {
        unsigned port = 0xcf8 + g_rand_int_range(rand, 0, 8);
        uint32_t val = g_rand_int(rand);

        switch (g_rand_int_range(rand, 0, 6)) {
        case 0: qtest_outb(s, port, (uint8_t)val); break;
        case 1: qtest_outw(s, port, (uint16_t)val); break;
        case 2: qtest_outl(s, port, val); break;
        case 3: qtest_inb(s, port); break;
        case 4: qtest_inw(s, port); break;
        default: qtest_inl(s, port); break;
        }
        if (qtest_is_tide() && (i & 7) == 0) {
            /* Config of the two present functions and some absent ones. */
            uint64_t a = ecam_addr(0, g_rand_int_range(rand, 0, 0x20),
                                   g_rand_int_range(rand, 0, 0x1000));

            qtest_writeb(s, a, (uint8_t)val);
            qtest_readl(s, a & ~UINT64_C(3));
        }
    }
    g_rand_free(rand);
    assert_qmp_alive(s);
    g_assert_cmphex(cf8_readl(s, 0, 0, 0), ==, 0x12378086);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pci/host/cf8/host-bridge-ids-at-00.0",
                    test_host_bridge_ids);
    g_test_add_func("/pci/host/cf8/byte-and-word-at-their-lanes",
                    test_byte_and_word_lanes);
    g_test_add_func("/pci/host/cf8/empty-slot-reads-all-ones",
                    test_empty_slot_reads_all_ones);
    g_test_add_func("/pci/host/cf8/enable-bit-clear-reads-all-ones",
                    test_disabled_address_reads_all_ones);
    g_test_add_func("/pci/host/cf8/address-register-reads-back",
                    test_config_address_reads_back);
    g_test_add_func("/pci/host/ecam/agrees-with-cf8",
                    test_ecam_and_cf8_agree);
    g_test_add_func("/pci/host/ecam/outside-bus-0-reads-all-ones",
                    test_ecam_outside_bus0_reads_all_ones);
    g_test_add_func("/pci/host/garbage-accesses-leave-qmp-answering",
                    test_garbage_does_not_crash);
    return g_test_run();
}
