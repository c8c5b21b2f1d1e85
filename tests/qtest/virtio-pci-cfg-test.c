/* The virtio PCI cfg access capability: the common config read and written through config space alone. */
#include <glib.h>
#include "libqtest.h"
#include "pci.h"

#define CAP_CFG_TYPE 3
#define CAP_BAR 4
#define CAP_OFFSET 8
#define CAP_LENGTH 12
#define CAP_DATA 16
#define VIRTIO_PCI_CAP_PCI_CFG 5
#define COMMON_NUMQ 0x12
#define COMMON_Q_SELECT 0x16
#define COMMON_STATUS 0x14

static uint8_t find_pci_cfg_cap(QPCIDevice *dev)
{
    for (uint8_t at = qpci_find_capability(dev, 0x09, 0); at;
         at = qpci_find_capability(dev, 0x09, at)) {
        if (qpci_config_readb(dev, at + CAP_CFG_TYPE) == VIRTIO_PCI_CAP_PCI_CFG) {
            return at;
        }
    }
    return 0;
}

static void window(QPCIDevice *dev, uint8_t cap, uint8_t bar, uint32_t off,
                   uint32_t len)
{
    qpci_config_writeb(dev, cap + CAP_BAR, bar);
    qpci_config_writel(dev, cap + CAP_OFFSET, off);
    qpci_config_writel(dev, cap + CAP_LENGTH, len);
}

static void test_window_reads_and_writes_common_config(void)
{
    QTestState *s = qtest_init("-m 1G,maxmem=3G "
                               "-object memory-backend-ram,id=mem0,size=1G "
                               "-device virtio-mem-pci,id=vm0,memdev=mem0");
    QPCIBus *bus = qpci_bus_new(s);
    QPCIDevice *dev = qpci_device_find(bus, 0x1af4, 0x1058, 0);
    uint8_t cap;

    g_assert_nonnull(dev);
    cap = find_pci_cfg_cap(dev);
    g_assert_cmpuint(cap, !=, 0);
    /* num_queues (2 bytes at 0x12 of BAR 4): virtio-mem has one queue. */
    window(dev, cap, 4, COMMON_NUMQ, 2);
    g_assert_cmpuint(qpci_config_readw(dev, cap + CAP_DATA), ==, 1);
    /* A write through the window lands in the device. */
    window(dev, cap, 4, COMMON_STATUS, 1);
    qpci_config_writeb(dev, cap + CAP_DATA, 1);         /* ACKNOWLEDGE */
    g_assert_cmpuint(qpci_config_readb(dev, cap + CAP_DATA), ==, 1);
    window(dev, cap, 4, COMMON_Q_SELECT, 2);
    qpci_config_writew(dev, cap + CAP_DATA, 0);
    g_assert_cmpuint(qpci_config_readw(dev, cap + CAP_DATA), ==, 0);
    /* A window onto another BAR or misaligned reads the latched bytes only. */
    window(dev, cap, 1, 0, 4);
    qpci_config_writel(dev, cap + CAP_DATA, 0x12345678);
    g_assert_cmphex(qpci_config_readl(dev, cap + CAP_DATA), ==, 0x12345678);
    window(dev, cap, 4, COMMON_NUMQ + 1, 2);
    qpci_config_readw(dev, cap + CAP_DATA);
    qpci_device_free(dev);
    qpci_bus_free(bus);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-pci/4.1.4.9/pci-cfg-window-reads-and-writes",
                    test_window_reads_and_writes_common_config);
    return g_test_run();
}
