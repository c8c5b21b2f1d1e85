/* The qtest accelerator through libqtest: guest RAM below and above 4 GiB, unassigned addresses, malformed lines. */
#include <glib.h>
#include <string.h>
#include "libqtest.h"

#define GiB (UINT64_C(1) << 30)

/* -m 4G: 3 GiB below 4 GiB, 1 GiB above it; device memory from 5 GiB. */
static QTestState *start(void)
{
    return qtest_init("-m 4G,maxmem=8G "
                      "-object memory-backend-ram,id=mem0,size=2G "
                      "-device virtio-mem-pci,id=vm0,memdev=mem0");
}

static void test_ram_below_and_above_4g(void)
{
    QTestState *s = start();
    uint8_t buf[4096], back[4096];

    qtest_writeq(s, 0x1000, 0x1122334455667788);
    g_assert_cmphex(qtest_readq(s, 0x1000), ==, 0x1122334455667788);
    g_assert_cmphex(qtest_readl(s, 0x1004), ==, 0x11223344);
    g_assert_cmphex(qtest_readb(s, 0x1000), ==, 0x88);
    /* The last byte below the hole and the first above 4 GiB. */
    qtest_writeb(s, 3 * GiB - 1, 0xab);
    g_assert_cmphex(qtest_readb(s, 3 * GiB - 1), ==, 0xab);
    qtest_writel(s, 4 * GiB, 0xdeadbeef);
    g_assert_cmphex(qtest_readl(s, 4 * GiB), ==, 0xdeadbeef);
    qtest_writeq(s, 5 * GiB - 8, 42);
    g_assert_cmphex(qtest_readq(s, 5 * GiB - 8), ==, 42);
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i * 7);
    }
    qtest_memwrite(s, 4 * GiB + 12345, buf, sizeof(buf));
    qtest_memread(s, 4 * GiB + 12345, back, sizeof(back));
    g_assert_cmpmem(buf, sizeof(buf), back, sizeof(back));
    qtest_memset(s, 0x2000, 0x5a, 64);
    g_assert_cmphex(qtest_readq(s, 0x2000 + 56), ==, 0x5a5a5a5a5a5a5a5a);
    qtest_quit(s);
}

static void test_unassigned_reads_all_ones(void)
{
    QTestState *s = start();

    /* The PCI hole below 4 GiB (BARs unprogrammed): nothing there. */
    g_assert_cmphex(qtest_readl(s, 0xd0000000), ==, 0xffffffff);
    qtest_writel(s, 0xd0000000, 1);
    g_assert_cmphex(qtest_readl(s, 0xd0000000), ==, 0xffffffff);
    /* Past every mapping. */
    g_assert_cmphex(qtest_readq(s, UINT64_C(1) << 45), ==, UINT64_MAX);
    /* Unplugged virtio-mem memory (ram backend: readable as zeros). */
    g_assert_cmphex(qtest_readq(s, 5 * GiB), ==, 0);
    /* An unused I/O port. */
    g_assert_cmphex(qtest_inb(s, 0x80), ==, 0xff);
    qtest_quit(s);
}

static void expect_fail(QTestState *s, const char *line)
{
    g_autofree char *reply = qtest_protocol_cmd(s, "%s", line);

    if (!g_str_has_prefix(reply, "FAIL")) {
        g_error("'%s' answered '%s', not FAIL", line, reply);
    }
}

static void test_malformed_lines_fail_and_tide_runs_on(void)
{
    QTestState *s = start();
    g_autoptr(JsonNode) r = NULL;
    static const char *const bad[] = {
        "bogus", "readb", "readb x", "readb 1 2", "writeb 0 0x100",
        "outb 0x10000 1", "outl 0x80", "read 0 99999999999",
        "write 0 2 0x123456", "write 0 2 123", "write 0 2 0xzz",
        "b64write 0 4 !!!!", "memset 0 16 0x100", "readq 0xfffffffffffffffc",
        "read 0xffffffffffffff00 0x200", "clock_set", "clock_step -1",
        "readl -1", "inb +1", "irq_intercept_in /nowhere",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        expect_fail(s, bad[i]);
    }
    /* Still a working CPU, and still a working monitor. */
    qtest_writeb(s, 0x3000, 7);
    g_assert_cmphex(qtest_readb(s, 0x3000), ==, 7);
    r = qtest_qmp(s, "{'execute': 'query-status'}");
    g_assert_false(qmp_rsp_is_error(r));
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (qtest_is_qemu()) {
        g_test_skip("Tide-only: Debian's QEMU has no qtest accelerator");
        return g_test_run();
    }
    g_test_add_func("/qtest/ram/below-and-above-4g", test_ram_below_and_above_4g);
    g_test_add_func("/qtest/unassigned/reads-all-ones", test_unassigned_reads_all_ones);
    g_test_add_func("/qtest/protocol/malformed-lines-fail-and-tide-runs-on",
                    test_malformed_lines_fail_and_tide_runs_on);
    return g_test_run();
}
