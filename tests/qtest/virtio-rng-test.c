/* virtio-rng-pci end to end and against a hostile driver, through libqos and the real transport. */
#include "libqtest.h"

#include <string.h>
#include "guest.h"

#define RNG_ID      4
#define FEATURES    (QVIRTIO_BIT(QVIRTIO_F_VERSION_1) | \
                     QVIRTIO_BIT(QVIRTIO_F_INDIRECT_DESC) | \
                     QVIRTIO_BIT(QVIRTIO_F_EVENT_IDX))
/* RAM ends at 512 MiB; 768 MiB is the hole below the PCI window. */
#define NOT_RAM     UINT64_C(0x30000000)
#define WAIT_US     (2 * G_USEC_PER_SEC)

typedef struct Rng {
    QOSGuest *g;
    QVirtioPCIDevice *dev;
    QVirtQueue *vq;
} Rng;

static Rng *rng_start(const char *props, bool init)
{
    Rng *r = g_new0(Rng, 1);

    r->g = qos_guest_startf("-m 512M -device virtio-rng-pci,id=rng0%s",
                            props ? props : "");
    r->dev = qvirtio_pci_device_find(r->g->bus, r->g->alloc, RNG_ID, 0);
    g_assert_nonnull(r->dev);
    if (init) {
        g_assert_true(qvirtio_pci_init(r->dev, FEATURES, 1));
        r->vq = r->dev->vqs[0];
    }
    return r;
}

static void rng_stop(Rng *r)
{
    qvirtio_pci_device_free(r->dev);
    qos_guest_stop(r->g);
    g_free(r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Rng, rng_stop)

static void assert_alive(Rng *r)
{
    g_autoptr(JsonNode) rsp = qtest_qmp(r->g->qts,
                                        "{\"execute\": \"query-status\"}");

    g_assert_false(qmp_rsp_is_error(rsp));
}

/* Fill len bytes at a fresh guest buffer; returns the bytes written. */
static uint32_t fetch(Rng *r, uint64_t buf, uint32_t len)
{
    QVirtqBuf b = { buf, len, true };
    int head = qvirtqueue_add(r->vq, &b, 1, false);
    uint32_t got;

    g_assert_cmpint(head, >=, 0);
    qtest_memset(r->g->qts, buf, 0, len);
    qvirtqueue_kick(r->vq, (uint16_t)head);
    g_assert_true(qvirtqueue_wait_used(r->vq, WAIT_US, NULL, &got));
    return got;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

/* ---- end to end ---------------------------------------------------------------- */

static void test_fill_buffers(void)
{
    g_autoptr(Rng) r = rng_start(NULL, true);
    uint64_t a = guest_alloc(r->g->alloc, 256), b = guest_alloc(r->g->alloc, 256);
    uint8_t x[256], y[256];

    g_assert_cmphex(r->dev->pdev->device_id, ==, 0x1044);
    g_assert_cmpuint(qvirtio_pci_get_num_queues(r->dev), ==, 1);
    g_assert_cmpuint(fetch(r, a, 256), ==, 256);
    g_assert_cmpuint(fetch(r, b, 256), ==, 256);
    qtest_memread(r->g->qts, a, x, sizeof(x));
    qtest_memread(r->g->qts, b, y, sizeof(y));
    g_assert_false(all_zero(x, sizeof(x)));
    g_assert_true(memcmp(x, y, sizeof(x)) != 0);
    /* MSI-X: each answer wrote the queue vector's word. */
    g_assert_true(qvirtqueue_irq(r->vq));
}

static void test_indirect_chain(void)
{
    g_autoptr(Rng) r = rng_start(NULL, true);
    uint64_t a = guest_alloc(r->g->alloc, 4096);
    QVirtqBuf bufs[] = { { a, 100, true }, { a + 1024, 200, true },
                         { a + 2048, 300, true } };
    uint32_t len;
    int head;

    qtest_memset(r->g->qts, a, 0, 4096);
    head = qvirtqueue_add(r->vq, bufs, 3, true);
    qvirtqueue_kick(r->vq, (uint16_t)head);
    g_assert_true(qvirtqueue_wait_used(r->vq, WAIT_US, NULL, &len));
    g_assert_cmpuint(len, ==, 600);
    /* The gaps between the buffers are untouched. */
    g_assert_cmphex(qtest_readq(r->g->qts, a + 512), ==, 0);
    g_assert_cmphex(qtest_readq(r->g->qts, a + 1024 + 200), ==, 0);
}

static void test_reset_and_reinit(void)
{
    g_autoptr(Rng) r = rng_start(NULL, true);
    uint64_t a = guest_alloc(r->g->alloc, 64);

    g_assert_cmpuint(fetch(r, a, 64), ==, 64);
    /* Device reset, then a new driver. */
    g_assert_true(qvirtio_pci_init(r->dev, FEATURES, 1));
    r->vq = r->dev->vqs[0];
    g_assert_cmpuint(fetch(r, a, 64), ==, 64);
    /* Reboot: BARs, MSI-X and the device start over. */
    qtest_qmp_assert_success(r->g->qts, "{\"execute\": \"system_reset\"}");
    g_assert_cmphex(qvirtio_pci_get_status(r->dev) , ==, 0xff);
    g_assert_true(qvirtio_pci_init(r->dev, FEATURES, 1));
    r->vq = r->dev->vqs[0];
    g_assert_cmpuint(fetch(r, a, 64), ==, 64);
}

static void test_rate_limit(void)
{
    g_autoptr(Rng) r = rng_start(",max-bytes=100,period=1000", true);
    uint64_t a = guest_alloc(r->g->alloc, 64);
    QVirtqBuf b = { a, 64, true };
    uint32_t len;
    gint64 t0;
    int head;

    /* QEMU's rule: max-bytes per period, the rest waits for the next one. */
    t0 = g_get_monotonic_time();
    g_assert_cmpuint(fetch(r, a, 64), ==, 64);
    g_assert_cmpuint(fetch(r, a, 64), ==, 36);
    head = qvirtqueue_add(r->vq, &b, 1, false);
    qvirtqueue_kick(r->vq, (uint16_t)head);
    g_assert_false(qvirtqueue_get_used(r->vq, NULL, NULL));
    g_assert_true(qvirtqueue_wait_used(r->vq, 5 * G_USEC_PER_SEC, NULL, &len));
    g_assert_cmpuint(len, ==, 64);
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 900 * 1000);
}

static void test_big_buffer_partly_filled(void)
{
    g_autoptr(Rng) r = rng_start(NULL, true);
    uint64_t a = guest_alloc(r->g->alloc, MiB);
    uint32_t len = fetch(r, a, MiB);

    /* Tide answers at most 64 KiB a buffer, so the main loop stays free. */
    g_assert_cmpuint(len, >, 0);
    g_assert_cmpuint(len, <=, 64 * KiB);
}

static void test_bad_properties(void)
{
    static const char *const bad[][2] = {
        { "virtio-rng-pci,period=0",
          "'period' parameter expects a positive integer" },
        { "virtio-rng-pci,max-bytes=9223372036854775808",
          "'max-bytes' parameter must be non-negative, and less than 2^63" },
    };

    /* QEMU's messages, word for word. */
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        const char *argv[] = { qtest_vmm_binary(), "-accel", "qtest",
                               "-device", bad[i][0], NULL };
        g_autofree char *err = NULL;
        g_autoptr(GError) gerr = NULL;
        int status;

        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                                   G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                   NULL, &err, &status, &gerr));
        g_assert_false(g_spawn_check_wait_status(status, NULL));
        g_assert_nonnull(strstr(err, bad[i][1]));
    }
}

/* ---- a hostile driver: Tide runs on, the device refuses or needs reset ----- */

static void assert_needs_reset(Rng *r)
{
    g_assert_true(qvirtio_pci_get_status(r->dev) & QVIRTIO_S_NEEDS_RESET);
    g_assert_true(qvirtio_pci_config_irq(r->dev));
    assert_alive(r);
    /* A reset brings it back. */
    g_assert_true(qvirtio_pci_init(r->dev, FEATURES, 1));
    r->vq = r->dev->vqs[0];
    g_assert_cmpuint(fetch(r, guest_alloc(r->g->alloc, 32), 32), ==, 32);
}

static void put_desc(Rng *r, uint64_t table, uint16_t i, uint64_t addr,
                     uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t raw[16];
    uint64_t a = GUINT64_TO_LE(addr);
    uint32_t l = GUINT32_TO_LE(len);
    uint16_t f = GUINT16_TO_LE(flags), n = GUINT16_TO_LE(next);

    memcpy(raw, &a, 8);
    memcpy(raw + 8, &l, 4);
    memcpy(raw + 12, &f, 2);
    memcpy(raw + 14, &n, 2);
    qtest_memwrite(r->g->qts, table + 16 * (uint64_t)i, raw, sizeof(raw));
}

static void test_descriptor_loop(void)
{
    g_autoptr(Rng) r = rng_start(NULL, true);
    uint64_t a = guest_alloc(r->g->alloc, 64);

    for (uint16_t i = 0; i < r->vq->size; i++) {
        put_desc(r, r->vq->desc, i, a, 8,
                 QVRING_DESC_F_WRITE | QVRING_DESC_F_NEXT,
                 (i + 1) % r->vq->size);
    }
    qvirtqueue_publish(r->vq, 0);
    qvirtqueue_notify(r->vq);
    assert_needs_reset(r);
}

static void test_chain_past_queue_size(void)
{
    g_autoptr(Rng) r = rng_start(NULL, true);
    uint64_t a = guest_alloc(r->g->alloc, 64);
    /* An indirect table of 2048 entries: past any queue and Tide's 1024. */
    unsigned n = 2048;
    uint64_t table = guest_alloc_aligned(r->g->alloc, 16 * n, 16);
    g_autofree uint8_t *raw = g_malloc0(16 * n);

    for (unsigned i = 0; i < n; i++) {
        uint64_t addr = GUINT64_TO_LE(a);
        uint32_t len = GUINT32_TO_LE(8);
        uint16_t flags = GUINT16_TO_LE(QVRING_DESC_F_WRITE |
                                       (i + 1 < n ? QVRING_DESC_F_NEXT : 0));
        uint16_t next = GUINT16_TO_LE(i + 1);

        memcpy(raw + 16 * i, &addr, 8);
        memcpy(raw + 16 * i + 8, &len, 4);
        memcpy(raw + 16 * i + 12, &flags, 2);
        memcpy(raw + 16 * i + 14, &next, 2);
    }
    qtest_memwrite(r->g->qts, table, raw, 16 * n);
    put_desc(r, r->vq->desc, 0, table, 16 * n, QVRING_DESC_F_INDIRECT, 0);
    qvirtqueue_publish(r->vq, 0);
    qvirtqueue_notify(r->vq);
    assert_needs_reset(r);
}

static void test_buffer_beyond_ram(void)
{
    g_autoptr(Rng) r = rng_start(NULL, true);
    QVirtqBuf b = { NOT_RAM, 64, true };
    int head = qvirtqueue_add(r->vq, &b, 1, false);

    qvirtqueue_kick(r->vq, (uint16_t)head);
    assert_needs_reset(r);
}

static void test_rings_beyond_ram(void)
{
    g_autoptr(Rng) r = rng_start(NULL, false);

    qvirtio_pci_set_status(r->dev, QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER);
    qvirtio_pci_set_driver_features(r->dev, QVIRTIO_BIT(QVIRTIO_F_VERSION_1));
    g_assert_true(qvirtio_pci_features_ok(r->dev));
    qtest_writew(r->g->qts, r->dev->common + QVIRTIO_COMMON_Q_SELECT, 0);
    qtest_writel(r->g->qts, r->dev->common + QVIRTIO_COMMON_Q_DESC, NOT_RAM);
    qtest_writel(r->g->qts, r->dev->common + QVIRTIO_COMMON_Q_AVAIL,
                 NOT_RAM + 4096);
    qtest_writel(r->g->qts, r->dev->common + QVIRTIO_COMMON_Q_USED,
                 NOT_RAM + 8192);
    qtest_writew(r->g->qts, r->dev->common + QVIRTIO_COMMON_Q_ENABLE, 1);
    g_assert_cmpuint(qtest_readw(r->g->qts, r->dev->common +
                                 QVIRTIO_COMMON_Q_ENABLE), ==, 0);
    g_assert_true(qvirtio_pci_get_status(r->dev) & QVIRTIO_S_NEEDS_RESET);
    assert_alive(r);
}

static void test_queue_size_3(void)
{
    g_autoptr(Rng) r = rng_start(NULL, false);
    uint64_t size_reg = r->dev->common + QVIRTIO_COMMON_Q_SIZE;
    uint16_t max;

    qtest_writew(r->g->qts, r->dev->common + QVIRTIO_COMMON_Q_SELECT, 0);
    max = qtest_readw(r->g->qts, size_reg);
    /* Not a power of two (2.7): refused, the size stays what it was. */
    qtest_writew(r->g->qts, size_reg, 3);
    g_assert_cmpuint(qtest_readw(r->g->qts, size_reg), ==, max);
    qtest_writew(r->g->qts, size_reg, max * 2);
    g_assert_cmpuint(qtest_readw(r->g->qts, size_reg), ==, max);
    qtest_writew(r->g->qts, size_reg, max / 2);
    g_assert_cmpuint(qtest_readw(r->g->qts, size_reg), ==, max / 2);
    assert_alive(r);
}

static void test_enable_queue_without_addresses(void)
{
    g_autoptr(Rng) r = rng_start(NULL, false);
    uint64_t common = r->dev->common;

    qvirtio_pci_set_status(r->dev, QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER);
    qvirtio_pci_set_driver_features(r->dev, QVIRTIO_BIT(QVIRTIO_F_VERSION_1));
    g_assert_true(qvirtio_pci_features_ok(r->dev));
    qtest_writew(r->g->qts, common + QVIRTIO_COMMON_Q_SELECT, 0);
    qtest_writew(r->g->qts, common + QVIRTIO_COMMON_Q_ENABLE, 1);
    qvirtio_pci_driver_ok(r->dev);
    /* Refused: the queue stays off and the device wants a reset. */
    g_assert_cmpuint(qtest_readw(r->g->qts,
                                 common + QVIRTIO_COMMON_Q_ENABLE), ==, 0);
    g_assert_true(qvirtio_pci_get_status(r->dev) & QVIRTIO_S_NEEDS_RESET);
    /* Something at address 0 that would look like a request: ignored. */
    qtest_writew(r->g->qts, 2, 1);
    qtest_writew(r->g->qts, r->dev->notify, 0);
    g_assert_cmpuint(qtest_readw(r->g->qts, 2), ==, 1);
    assert_alive(r);
}

static void test_features_ok_with_unknown_bits(void)
{
    g_autoptr(Rng) r = rng_start(NULL, false);

    qvirtio_pci_set_status(r->dev, QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER);
    qvirtio_pci_get_device_features(r->dev);
    g_assert_false(r->dev->device_features & QVIRTIO_BIT(40));
    qvirtio_pci_set_driver_features(r->dev, QVIRTIO_BIT(QVIRTIO_F_VERSION_1) |
                                    QVIRTIO_BIT(40));
    /* 3.1.1: the device does not accept it; FEATURES_OK does not stick. */
    g_assert_false(qvirtio_pci_features_ok(r->dev));
    /* And DRIVER_OK cannot stick without it. */
    qvirtio_pci_driver_ok(r->dev);
    g_assert_false(qvirtio_pci_get_status(r->dev) & QVIRTIO_S_DRIVER_OK);
    assert_alive(r);
    /* Without VERSION_1, neither (modern only). */
    qvirtio_pci_reset(r->dev);
    qvirtio_pci_set_status(r->dev, QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER);
    qvirtio_pci_set_driver_features(r->dev, 0);
    g_assert_false(qvirtio_pci_features_ok(r->dev));
}

static void test_notify_disabled_queue(void)
{
    g_autoptr(Rng) r = rng_start(NULL, false);
    uint64_t a = guest_alloc(r->g->alloc, 64);

    /* Before any set-up, on a queue that does not exist, far out. */
    qtest_writew(r->g->qts, r->dev->notify, 0);
    qtest_writew(r->g->qts, r->dev->notify + 4 * 5, 5);
    qtest_writel(r->g->qts, r->dev->notify + 0xffc, 0xffffffff);
    assert_alive(r);
    g_assert_false(qvirtio_pci_get_status(r->dev) & QVIRTIO_S_NEEDS_RESET);
    /* The device still works for a proper driver afterwards. */
    g_assert_true(qvirtio_pci_init(r->dev, FEATURES, 1));
    r->vq = r->dev->vqs[0];
    g_assert_cmpuint(fetch(r, a, 64), ==, 64);
}

static void test_readable_buffer_only(void)
{
    g_autoptr(Rng) r = rng_start(NULL, true);
    uint64_t a = guest_alloc(r->g->alloc, 64);
    QVirtqBuf b = { a, 64, false };
    int head = qvirtqueue_add(r->vq, &b, 1, false);
    uint32_t len = UINT32_MAX;

    /* Nothing to fill: answered with 0 bytes, as QEMU. */
    qvirtqueue_kick(r->vq, (uint16_t)head);
    g_assert_true(qvirtqueue_wait_used(r->vq, WAIT_US, NULL, &len));
    g_assert_cmpuint(len, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-rng/fill-buffers", test_fill_buffers);
    g_test_add_func("/virtio-rng/indirect-chain", test_indirect_chain);
    g_test_add_func("/virtio-rng/reset-and-reinit", test_reset_and_reinit);
    g_test_add_func("/virtio-rng/rate-limit", test_rate_limit);
    g_test_add_func("/virtio-rng/big-buffer-partly-filled",
                    test_big_buffer_partly_filled);
    g_test_add_func("/virtio-rng/bad-properties", test_bad_properties);
    g_test_add_func("/virtio-rng/hostile/descriptor-loop",
                    test_descriptor_loop);
    g_test_add_func("/virtio-rng/hostile/chain-past-queue-size",
                    test_chain_past_queue_size);
    g_test_add_func("/virtio-rng/hostile/buffer-beyond-ram",
                    test_buffer_beyond_ram);
    g_test_add_func("/virtio-rng/hostile/rings-beyond-ram",
                    test_rings_beyond_ram);
    g_test_add_func("/virtio-rng/hostile/queue-size-3", test_queue_size_3);
    g_test_add_func("/virtio-rng/hostile/enable-queue-without-addresses",
                    test_enable_queue_without_addresses);
    g_test_add_func("/virtio-rng/hostile/features-ok-with-unknown-bits",
                    test_features_ok_with_unknown_bits);
    g_test_add_func("/virtio-rng/hostile/notify-disabled-queue",
                    test_notify_disabled_queue);
    g_test_add_func("/virtio-rng/hostile/readable-buffer-only",
                    test_readable_buffer_only);
    return g_test_run();
}
