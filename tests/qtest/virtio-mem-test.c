/* virtio-mem through the real transport: a libqos guest driver against the spec's rules (virtio 1.2, 5.15). */
#include "libqtest.h"

#include <string.h>
#include "util.h"
#include "virtio-mem.h"

#define BS          (2 * MiB)
#define DEV_PATH    "/machine/peripheral/vm0"
#define SIZE_EVENT  "MEMORY_DEVICE_SIZE_CHANGE"
/* 512 MiB of boot RAM, one 1 GiB device at the first GiB above 4 GiB. */
#define ARGS_ONE \
    "-m 512M,maxmem=4G -object memory-backend-ram,id=mem0,size=1G " \
    "-device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=%s"
#define SYNC_TIMEOUT_US (20 * G_USEC_PER_SEC)

typedef struct Guest {
    QTestState *qts;
    QPCIBus *bus;
    QGuestAllocator *alloc;
    QVirtioMem *m;
} Guest;

static Guest *guest_start(const char *args, const QVirtioMemOptions *opts)
{
    Guest *g = g_new0(Guest, 1);

    g->qts = qtest_init(args);
    g->bus = qpci_bus_new(g->qts);
    g->alloc = guest_alloc_new(QOS_ALLOC_START, QOS_ALLOC_SIZE);
    g->m = qvirtio_mem_new(g->bus, g->alloc, 0, opts);
    return g;
}

static void guest_stop(Guest *g)
{
    qvirtio_mem_free(g->m);
    guest_alloc_free_all(g->alloc);
    qpci_bus_free(g->bus);
    qtest_quit(g->qts);
    g_free(g);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Guest, guest_stop)

static Guest *guest_one(const char *requested)
{
    g_autofree char *args = g_strdup_printf(ARGS_ONE, requested);

    return guest_start(args, NULL);
}

static uint64_t dev_size(Guest *g)
{
    return qos_qom_get_uint(g->qts, DEV_PATH, "size");
}

static uint64_t base(Guest *g)
{
    return g->m->cfg.addr;
}

static int req(Guest *g, uint16_t type, uint64_t off, uint16_t nb)
{
    return qvirtio_mem_request(g->m, type, base(g) + off, nb, NULL);
}

static void set_requested(Guest *g, uint64_t size)
{
    qos_qom_set_uint(g->qts, DEV_PATH, "requested-size", size);
}

static void sync_to(Guest *g, uint64_t size)
{
    g_assert_true(qvirtio_mem_sync_until_idle(g->m, SYNC_TIMEOUT_US));
    g_assert_cmpuint(qvirtio_mem_plugged_size(g->m), ==, size);
    g_assert_cmpuint(dev_size(g), ==, size);
}

/*
 * Everything a request could have changed: the state of every block of
 * the usable region as STATE reports it ('P'/'U'), size and plugged_size.
 */
static char *snapshot(Guest *g)
{
    uint64_t blocks = g->m->cfg.usable_region_size / BS;
    GString *s = g_string_new(NULL);

    qvirtio_mem_read_config(g->m);
    for (uint64_t b = 0; b < blocks; b++) {
        uint16_t st = qvirtio_mem_block_state(g->m, base(g) + b * BS, 1);

        g_string_append_c(s, st == VIRTIO_MEM_STATE_PLUGGED ? 'P' : 'U');
    }
    g_string_append_printf(s, " size=%" G_GUINT64_FORMAT " plugged=%"
                           G_GUINT64_FORMAT, dev_size(g),
                           (uint64_t)g->m->cfg.plugged_size);
    return g_string_free(s, FALSE);
}

static void assert_not_broken(Guest *g)
{
    g_assert_false(qvirtio_pci_get_status(g->m->vdev) &
                   QVIRTIO_S_NEEDS_RESET);
}

/* ---- 5.15.4 configuration, 5.15.5 initialization --------------------------- */

static void test_config_initial(void)
{
    g_autoptr(Guest) g = guest_one("64M");
    struct virtio_mem_config *c = &g->m->cfg;

    g_assert_cmphex(c->block_size, ==, BS);
    g_assert_cmphex(c->addr, ==, qos_memdev_addr(g->qts, "vm0"));
    g_assert_cmphex(c->addr, ==, UINT64_C(0x100000000));
    g_assert_cmphex(c->region_size, ==, GiB);
    /* V4, with QEMU's slack: requested-size plus 256 MiB. */
    g_assert_cmphex(c->usable_region_size, ==, 64 * MiB + 256 * MiB);
    g_assert_cmphex(c->plugged_size, ==, 0);
    g_assert_cmphex(c->requested_size, ==, 64 * MiB);
    g_assert_cmpuint(c->node_id, ==, 0);
    g_assert_cmphex(qvirtio_pci_get_status(g->m->vdev), ==,
                    QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER |
                    QVIRTIO_S_FEATURES_OK | QVIRTIO_S_DRIVER_OK);
    /* A private anonymous backend has a shared zero page: no UI; no NUMA. */
    g_assert_true(g->m->vdev->device_features &
                  QVIRTIO_BIT(QVIRTIO_F_VERSION_1));
    g_assert_false(g->m->vdev->device_features &
                   QVIRTIO_BIT(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE));
    g_assert_false(g->m->vdev->device_features &
                   QVIRTIO_BIT(VIRTIO_MEM_F_ACPI_PXM));
}

static void test_requested_change_notifies(void)
{
    g_autoptr(Guest) g = guest_one("0");
    uint8_t gen = qvirtio_pci_config_generation(g->m->vdev);

    g_assert_false(qvirtio_pci_config_irq(g->m->vdev));
    set_requested(g, 128 * MiB);
    /* V9: a config notification, and a new generation (2.5.1). */
    g_assert_true(qvirtio_pci_config_irq(g->m->vdev));
    g_assert_cmpuint(qvirtio_pci_config_generation(g->m->vdev), !=, gen);
    qvirtio_mem_read_config(g->m);
    g_assert_cmphex(g->m->cfg.requested_size, ==, 128 * MiB);
    g_assert_cmphex(g->m->cfg.usable_region_size, ==, 384 * MiB);
    /* V11 as QEMU: the same value again notifies again (a stuck guest retries). */
    set_requested(g, 128 * MiB);
    g_assert_true(qvirtio_pci_config_irq(g->m->vdev));
    sync_to(g, 128 * MiB);
}

static void test_usable_region_shrinks_only_on_unplug_all(void)
{
    g_autoptr(Guest) g = guest_one("512M");

    g_assert_cmphex(g->m->cfg.usable_region_size, ==, 768 * MiB);
    sync_to(g, 512 * MiB);
    set_requested(g, 0);
    qvirtio_mem_read_config(g->m);
    /* V8: a lower request does not shrink it... */
    g_assert_cmphex(g->m->cfg.usable_region_size, ==, 768 * MiB);
    /* ...UNPLUG_ALL may (A6). */
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0), ==,
                    VIRTIO_MEM_RESP_ACK);
    qvirtio_mem_read_config(g->m);
    g_assert_cmphex(g->m->cfg.usable_region_size, ==, 0);
    g_assert_cmphex(g->m->cfg.plugged_size, ==, 0);
    g_assert_cmpuint(dev_size(g), ==, 0);
}

static void test_v12_unplugged_inaccessible(void)
{
    static const char args[] =
        "-m 512M,maxmem=4G -object memory-backend-memfd,id=mem0,size=1G "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=16M";
    QVirtioMemOptions refuse = {
        .refuse_features = QVIRTIO_BIT(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE),
        .never_run = true,
    };
    g_autoptr(Guest) g = guest_start(args, &refuse);
    uint64_t wanted = QVIRTIO_BIT(QVIRTIO_F_VERSION_1);

    /* memfd has no shared zero page: UI is offered (QEMU's auto)... */
    g_assert_true(qvirtio_pci_get_device_features(g->m->vdev) &
                  QVIRTIO_BIT(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE));
    /* ...and a driver that does not take it cannot have the device. */
    g_assert_false(qvirtio_pci_init(g->m->vdev, wanted, 1));
    g_assert_false(qvirtio_pci_get_status(g->m->vdev) &
                   QVIRTIO_S_FEATURES_OK);
    /* D4: taking it works. */
    g->m->opts = (QVirtioMemOptions) { .chunk_blocks = 64 };
    g_assert_true(qvirtio_mem_init(g->m));
    sync_to(g, 16 * MiB);
}

static void test_v13_device_reset_keeps_blocks(void)
{
    g_autoptr(Guest) g = guest_one("8M");

    sync_to(g, 8 * MiB);
    qtest_writeq(g->qts, base(g), 0x1122334455667788);
    /* A device reset and a new driver (kexec): the blocks stay (V13, V14). */
    g_assert_true(qvirtio_mem_init(g->m));
    g_assert_cmphex(g->m->cfg.plugged_size, ==, 8 * MiB);
    g_assert_cmpuint(dev_size(g), ==, 8 * MiB);
    g_assert_cmphex(qtest_readq(g->qts, base(g)), ==, 0x1122334455667788);
    /* D5: the new driver unplugs all first, then plugs what it is asked. */
    g_assert_true(g->m->unplug_all_required);
    g_assert_false(qvirtio_mem_sync(g->m));
    g_assert_cmpuint(dev_size(g), ==, 0);
    sync_to(g, 8 * MiB);
    /* Unplugged memory was discarded: re-plugged, it reads zeros. */
    g_assert_cmphex(qtest_readq(g->qts, base(g)), ==, 0);
}

/* ---- 5.15.6.2-5 requests and the device's rules ------------------------------ */

static void test_plug_ack(void)
{
    g_autoptr(Guest) g = guest_one("64M");

    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_PLUG, 4 * BS, 2), ==,
                    VIRTIO_MEM_RESP_ACK);
    /* P6: plugged_size reflects it, and so does QOM "size". */
    qvirtio_mem_read_config(g->m);
    g_assert_cmphex(g->m->cfg.plugged_size, ==, 2 * BS);
    g_assert_cmpuint(dev_size(g), ==, 2 * BS);
    g_assert_cmpuint(qvirtio_mem_block_state(g->m, base(g) + 4 * BS, 2), ==,
                     VIRTIO_MEM_STATE_PLUGGED);
    /* V19: plugged memory is RAM. */
    qtest_writeq(g->qts, base(g) + 4 * BS + 8, 0xfeedface);
    g_assert_cmphex(qtest_readq(g->qts, base(g) + 4 * BS + 8), ==,
                    0xfeedface);
    /* The answer came with the queue's MSI, written into guest memory. */
    g_assert_true(qvirtqueue_irq(g->m->vq));
}

static void test_unplug_ack(void)
{
    g_autoptr(Guest) g = guest_one("64M");

    sync_to(g, 64 * MiB);
    qtest_writeq(g->qts, base(g) + 3 * BS, 0x5555);
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_UNPLUG, 2 * BS, 4), ==,
                    VIRTIO_MEM_RESP_ACK);
    qvirtio_mem_read_config(g->m);
    g_assert_cmphex(g->m->cfg.plugged_size, ==, 56 * MiB);
    g_assert_cmpuint(qvirtio_mem_block_state(g->m, base(g), 8), ==,
                     VIRTIO_MEM_STATE_MIXED);
    g_assert_cmpuint(qvirtio_mem_block_state(g->m, base(g) + 2 * BS, 4), ==,
                     VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_PLUG, 2 * BS, 4), ==,
                    VIRTIO_MEM_RESP_ACK);
    /* V17 as QEMU: unplug discards, so the guest gets zeros back. */
    g_assert_cmphex(qtest_readq(g->qts, base(g) + 3 * BS), ==, 0);
}

static void test_unplug_all(void)
{
    g_autoptr(Guest) g = guest_one("64M");

    sync_to(g, 64 * MiB);
    /* A4, A5: all of it, and plugged_size 0. */
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0), ==,
                    VIRTIO_MEM_RESP_ACK);
    qvirtio_mem_read_config(g->m);
    g_assert_cmphex(g->m->cfg.plugged_size, ==, 0);
    g_assert_cmpuint(dev_size(g), ==, 0);
    g_assert_cmpuint(qvirtio_mem_block_state(g->m, base(g), 32), ==,
                     VIRTIO_MEM_STATE_UNPLUGGED);
    /* With nothing plugged it still ACKs. */
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0), ==,
                    VIRTIO_MEM_RESP_ACK);
}

static void test_state(void)
{
    g_autoptr(Guest) g = guest_one("64M");

    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_PLUG, 2 * BS, 2), ==,
                    VIRTIO_MEM_RESP_ACK);
    /* T4, T5 */
    g_assert_cmpuint(qvirtio_mem_block_state(g->m, base(g) + 2 * BS, 2), ==,
                     VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpuint(qvirtio_mem_block_state(g->m, base(g), 2), ==,
                     VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmpuint(qvirtio_mem_block_state(g->m, base(g) + BS, 2), ==,
                     VIRTIO_MEM_STATE_MIXED);
    g_assert_cmpuint(qvirtio_mem_block_state(g->m, base(g), 160), ==,
                     VIRTIO_MEM_STATE_MIXED);
}

/* One request that must leave everything as it was. */
typedef struct BadRequest {
    const char *path;
    uint16_t type;
    int64_t off;            /* from the region start; may point before it */
    uint16_t nb;
    int answer;
} BadRequest;

/* usable = 64M + 256M = 160 blocks; blocks 10 and 11 are plugged first. */
#define USABLE_END  (320 * MiB)
static const BadRequest bad_requests[] = {
    { "/virtio-mem/5.15.6.2/p3-unaligned-is-error",
      VIRTIO_MEM_REQ_PLUG, 20 * BS + 4096, 1, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.2/p3-zero-blocks-is-error",
      VIRTIO_MEM_REQ_PLUG, 20 * BS, 0, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.2/p3-outside-usable-region-is-error",
      VIRTIO_MEM_REQ_PLUG, USABLE_END, 1, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.2/p3-before-the-region-is-error",
      VIRTIO_MEM_REQ_PLUG, -(int64_t)BS, 1, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.2/p3-nb-blocks-past-usable-end-is-error",
      VIRTIO_MEM_REQ_PLUG, USABLE_END - 2 * BS, 3, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.2/p3-nb-blocks-65535-is-error",
      VIRTIO_MEM_REQ_PLUG, 0, 65535, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.2/p4-plugging-twice-is-error",
      VIRTIO_MEM_REQ_PLUG, 10 * BS, 1, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.2/p4-partly-plugged-is-error",
      VIRTIO_MEM_REQ_PLUG, 9 * BS, 2, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.2/beyond-requested-size-is-nack",
      VIRTIO_MEM_REQ_PLUG, 20 * BS, 31, VIRTIO_MEM_RESP_NACK },
    { "/virtio-mem/5.15.6.3/u3-unaligned-is-error",
      VIRTIO_MEM_REQ_UNPLUG, 10 * BS + 512, 1, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.3/u3-zero-blocks-is-error",
      VIRTIO_MEM_REQ_UNPLUG, 10 * BS, 0, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.3/u3-outside-usable-region-is-error",
      VIRTIO_MEM_REQ_UNPLUG, USABLE_END + 8 * BS, 2, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.3/u3-nb-blocks-past-usable-end-is-error",
      VIRTIO_MEM_REQ_UNPLUG, 10 * BS, 65535, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.3/u4-unplugging-unplugged-is-error",
      VIRTIO_MEM_REQ_UNPLUG, 30 * BS, 1, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.3/u4-partly-unplugged-is-error",
      VIRTIO_MEM_REQ_UNPLUG, 11 * BS, 2, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.5/t3-unaligned-is-error",
      VIRTIO_MEM_REQ_STATE, 10 * BS + 8, 1, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.5/t3-zero-blocks-is-error",
      VIRTIO_MEM_REQ_STATE, 10 * BS, 0, VIRTIO_MEM_RESP_ERROR },
    { "/virtio-mem/5.15.6.5/t3-outside-usable-region-is-error",
      VIRTIO_MEM_REQ_STATE, USABLE_END, 1, VIRTIO_MEM_RESP_ERROR },
};

static void test_bad_request(const void *opaque)
{
    const BadRequest *r = opaque;
    g_autoptr(Guest) g = guest_one("64M");
    g_autofree char *before = NULL, *after = NULL;

    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_PLUG, 10 * BS, 2), ==,
                    VIRTIO_MEM_RESP_ACK);
    before = snapshot(g);
    g_assert_cmpint(qvirtio_mem_request(g->m, r->type,
                                        base(g) + (uint64_t)r->off, r->nb,
                                        NULL), ==, r->answer);
    after = snapshot(g);
    g_assert_cmpstr(after, ==, before);
    /* An answer, not a breakage: the device goes on serving. */
    assert_not_broken(g);
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_PLUG, 20 * BS, 1), ==,
                    VIRTIO_MEM_RESP_ACK);
}

static void test_address_wraps_is_error(void)
{
    g_autoptr(Guest) g = guest_one("64M");
    g_autofree char *before = snapshot(g);
    g_autofree char *after = NULL;

    g_assert_cmpint(qvirtio_mem_request(g->m, VIRTIO_MEM_REQ_PLUG,
                                        UINT64_C(0xffffffffffe00000), 65535,
                                        NULL), ==, VIRTIO_MEM_RESP_ERROR);
    after = snapshot(g);
    g_assert_cmpstr(after, ==, before);
    assert_not_broken(g);
}

/* ---- counters (STYLE 14): every request is counted, readable over QMP/HMP -- */

enum {
    PLUG_REQ, PLUGGED_B, UNPLUG_REQ, UNPLUGGED_B, UNPLUG_ALL_REQ, STATE_REQ,
    NACKS, ERRORS, BUSY, POPULATE_FAILS, DISCARD_FAILS, NR_STATS,
};

static const char *const stat_names[NR_STATS] = {
    "plug-requests", "plugged-bytes", "unplug-requests", "unplugged-bytes",
    "unplug-all-requests", "state-requests", "nacks", "errors", "busy",
    "populate-fails", "discard-fails",
};

/* Every x-stats-* of vm0, in stat_names order, read through the proxy. */
static void read_stats(Guest *g, uint64_t *out)
{
    for (size_t i = 0; i < NR_STATS; i++) {
        g_autofree char *prop = g_strdup_printf("x-stats-%s", stat_names[i]);

        out[i] = qos_qom_get_uint(g->qts, DEV_PATH, prop);
    }
}

static void assert_stats(Guest *g, const uint64_t *want)
{
    uint64_t got[NR_STATS];

    read_stats(g, got);
    for (size_t i = 0; i < NR_STATS; i++) {
        if (got[i] != want[i]) {
            g_error("x-stats-%s is %" G_GUINT64_FORMAT ", expected %"
                    G_GUINT64_FORMAT, stat_names[i], got[i], want[i]);
        }
    }
}

static void test_counters(void)
{
    g_autoptr(Guest) g = guest_one("16M");
    g_autoptr(JsonNode) rsp = NULL;
    g_autofree char *hmp = NULL;
    uint64_t want[NR_STATS] = { 0 };

    assert_stats(g, want);
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_PLUG, 0, 4), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_PLUG, 8 * BS, 8), ==,
                    VIRTIO_MEM_RESP_NACK);
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_PLUG, 8 * BS + 4096, 1), ==,
                    VIRTIO_MEM_RESP_ERROR);
    want[PLUG_REQ] = 3, want[PLUGGED_B] = 4 * BS, want[NACKS] = 1;
    want[ERRORS] = 1;
    assert_stats(g, want);
    g_assert_cmpuint(qvirtio_mem_block_state(g->m, base(g), 4), ==,
                     VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_UNPLUG, 2 * BS, 2), ==,
                    VIRTIO_MEM_RESP_ACK);
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_UNPLUG, 2 * BS, 1), ==,
                    VIRTIO_MEM_RESP_ERROR);
    want[UNPLUG_REQ] = 2, want[UNPLUGGED_B] = 2 * BS, want[STATE_REQ] = 1;
    want[ERRORS] = 2;
    assert_stats(g, want);
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0), ==,
                    VIRTIO_MEM_RESP_ACK);
    want[UNPLUGGED_B] = 4 * BS, want[UNPLUG_ALL_REQ] = 1;
    assert_stats(g, want);
    /* A reset unplugs too: the bytes count, no request does. */
    sync_to(g, 16 * MiB);
    qtest_qmp_assert_success(g->qts, "{\"execute\": \"system_reset\"}");
    read_stats(g, want);
    g_assert_cmpuint(want[PLUGGED_B], ==, 4 * BS + 16 * MiB);
    g_assert_cmpuint(want[UNPLUGGED_B], ==, 4 * BS + 16 * MiB);
    g_assert_cmpuint(want[UNPLUG_ALL_REQ], ==, 1);
    g_assert_cmpuint(want[BUSY] + want[POPULATE_FAILS] + want[DISCARD_FAILS],
                     ==, 0);
    /* HMP reads the same; nobody writes them. */
    hmp = qtest_hmp(g->qts, "qom-get vm0 x-stats-unplug-all-requests");
    g_assert_cmpstr(hmp, ==, "1\r\n");
    g_clear_pointer(&hmp, g_free);
    hmp = qtest_hmp(g->qts, "qom-set vm0 x-stats-errors 0");
    g_assert_cmpstr(hmp, ==, "Error: Property 'virtio-mem.x-stats-errors' "
                    "is not writable\r\n");
    rsp = qtest_qmp(g->qts, "{\"execute\": \"qom-set\", \"arguments\": "
                    "{\"path\": \"vm0\", \"property\": \"x-stats-busy\", "
                    "\"value\": 0}}");
    qmp_assert_error(rsp, "GenericError",
                     "Property 'virtio-mem.x-stats-busy' is not writable");
    g_assert_cmpuint(qos_qom_get_uint(g->qts, DEV_PATH, "x-stats-errors"), ==,
                     2);
}

/* ---- the driver's answers to NACK and ERROR, as Linux's -------------------- */

static void test_driver_nack_rereads_config(void)
{
    QVirtioMemOptions one_block = { .chunk_blocks = 1 };
    g_autofree char *args = g_strdup_printf(ARGS_ONE, "64M");
    g_autoptr(Guest) g = guest_start(args, &one_block);

    g_assert_false(qvirtio_mem_sync(g->m));
    g_assert_cmpuint(dev_size(g), ==, BS);
    /* The host lowers its request; the driver has not seen the interrupt. */
    set_requested(g, BS);
    qtest_writel(g->qts, g->m->vdev->config_msi_addr, 0);
    /* It plugs on the old figure, gets NACK, looks again and stops. */
    g_assert_false(qvirtio_mem_sync(g->m));
    g_assert_cmpuint(g->m->stats.nacks, ==, 1);
    g_assert_true(qvirtio_mem_sync(g->m));
    g_assert_cmphex(g->m->cfg.requested_size, ==, BS);
    g_assert_cmpuint(dev_size(g), ==, BS);
    g_assert_false(g->m->broken);
}

static void test_driver_error_stops_it(void)
{
    QVirtioMemOptions one_block = { .chunk_blocks = 1 };
    g_autofree char *args = g_strdup_printf(ARGS_ONE, "8M");
    g_autoptr(Guest) g = guest_start(args, &one_block);

    sync_to(g, 8 * MiB);
    /* A driver whose books are wrong plugs a plugged block: ERROR. */
    set_requested(g, 16 * MiB);
    memset(g->m->bitmap, 0, 8);
    g->m->plugged_blocks = 0;
    g_assert_false(qvirtio_mem_sync(g->m));
    g_assert_cmpuint(g->m->stats.errors, ==, 1);
    /* Linux marks the device broken and leaves it alone from then on. */
    g_assert_true(g->m->broken);
    g_assert_true(qvirtio_mem_sync(g->m));
    g_assert_cmpuint(g->m->stats.requests, ==, 5);
    g_assert_cmpuint(dev_size(g), ==, 8 * MiB);
    assert_not_broken(g);
}

/* ---- the host side: QMP, events, reset, host memory ---------------------------- */

static void assert_size_event(JsonNode *ev, uint64_t size)
{
    g_assert_nonnull(ev);
    g_assert_cmpstr(qos_event_str(ev, "id"), ==, "vm0");
    g_assert_cmpstr(qos_event_str(ev, "qom-path"), ==, DEV_PATH);
    g_assert_cmpint(qos_event_int(ev, "size"), ==, (int64_t)size);
}

/*
 * One resize: the first size change is reported at once, later ones at
 * most once a second each, and the last value always arrives.
 */
static void resize_and_watch_events(Guest *g, uint64_t from, uint64_t to)
{
    uint64_t first = from < to ? from + BS : from - BS;
    g_autoptr(GPtrArray) evs = g_ptr_array_new_with_free_func(
        (GDestroyNotify)json_node_unref);
    JsonNode *ev;

    qtest_qmp_events_clear(g->qts);
    set_requested(g, to);
    sync_to(g, to);
    while ((ev = qtest_qmp_eventwait_timeout(g->qts, SIZE_EVENT, 2500))) {
        g_ptr_array_add(evs, ev);
    }
    /* 12 or more size changes, folded (QEMU's 1/s per qom-path). */
    g_assert_cmpuint(evs->len, >=, 2);
    assert_size_event(g_ptr_array_index(evs, 0), first);
    assert_size_event(g_ptr_array_index(evs, evs->len - 1), to);
    for (guint i = 1; i < evs->len; i++) {
        g_assert_cmpint(qos_event_time_us(g_ptr_array_index(evs, i)) -
                        qos_event_time_us(g_ptr_array_index(evs, i - 1)), >=,
                        900 * 1000);
    }
}

static void test_requested_up_and_down_events(void)
{
    QVirtioMemOptions one_block = { .chunk_blocks = 1 };
    g_autofree char *args = g_strdup_printf(ARGS_ONE, "0");
    g_autoptr(Guest) g = guest_start(args, &one_block);

    resize_and_watch_events(g, 0, 32 * MiB);
    resize_and_watch_events(g, 32 * MiB, 8 * MiB);
}

static void test_system_reset_unplugs_all(void)
{
    g_autoptr(Guest) g = guest_one("64M");
    g_autoptr(JsonNode) ev = NULL;

    sync_to(g, 64 * MiB);
    qtest_qmp_events_clear(g->qts);
    qtest_qmp_assert_success(g->qts, "{\"execute\": \"system_reset\"}");
    /* V22: everything unplugged, host memory gone; requested-size stays. */
    g_assert_cmpuint(dev_size(g), ==, 0);
    g_assert_cmpuint(qos_qom_get_uint(g->qts, DEV_PATH, "requested-size"), ==,
                     64 * MiB);
    ev = qtest_qmp_eventwait_timeout(g->qts, SIZE_EVENT, 3000);
    assert_size_event(ev, 0);
    /* The guest boots again: a new driver finds nothing plugged and plugs. */
    g_assert_true(qvirtio_mem_init(g->m));
    g_assert_cmphex(g->m->cfg.plugged_size, ==, 0);
    g_assert_cmphex(g->m->cfg.usable_region_size, ==, 320 * MiB);
    g_assert_false(g->m->unplug_all_required);
    sync_to(g, 64 * MiB);
}

static void test_unplug_frees_host_memory(void)
{
    g_autoptr(Guest) g = guest_one("512M");
    uint64_t rss0, rss1, rss2;

    rss0 = qos_vmm_rss(g->qts);
    sync_to(g, 512 * MiB);
    /* The guest uses its memory: every page becomes host memory. */
    qtest_memset(g->qts, base(g), 0x5a, 512 * MiB);
    rss1 = qos_vmm_rss(g->qts);
    g_assert_cmpuint(rss1 - MIN(rss1, rss0), >=, 512 * MiB / 10 * 9);
    set_requested(g, 0);
    sync_to(g, 0);
    rss2 = qos_vmm_rss(g->qts);
    g_test_message("RSS %" G_GUINT64_FORMAT " MiB -> %" G_GUINT64_FORMAT
                   " MiB -> %" G_GUINT64_FORMAT " MiB", rss0 >> 20,
                   rss1 >> 20, rss2 >> 20);
    g_assert_cmpuint(rss1 - MIN(rss1, rss2), >=, 512 * MiB / 10 * 9);
}

static void test_prealloc_populates_on_plug(void)
{
    static const char args[] =
        "-m 512M,maxmem=4G -object memory-backend-ram,id=mem0,size=1G "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0,"
        "prealloc=on";
    g_autoptr(Guest) g = guest_start(args, NULL);
    uint64_t rss0 = qos_vmm_rss(g->qts), rss1, rss2;

    set_requested(g, 256 * MiB);
    sync_to(g, 256 * MiB);
    /* Populated at plug time, before the guest touches a byte. */
    rss1 = qos_vmm_rss(g->qts);
    g_assert_cmpuint(rss1 - MIN(rss1, rss0), >=, 256 * MiB / 10 * 9);
    set_requested(g, 0);
    sync_to(g, 0);
    rss2 = qos_vmm_rss(g->qts);
    g_assert_cmpuint(rss1 - MIN(rss1, rss2), >=, 256 * MiB / 10 * 9);
}

static bool host_has_huge_pages(void)
{
    g_autofree char *nr = NULL;

    return g_file_get_contents("/proc/sys/vm/nr_hugepages", &nr, NULL, NULL) &&
           g_ascii_strtoull(nr, NULL, 10) > 0;
}

static void test_host_failure_is_busy_then_kick(void)
{
    static const char args[] =
        "-m 512M,maxmem=4G -object memory-backend-memfd,id=mem0,size=1G,"
        "hugetlb=on,reserve=off -device virtio-mem-pci,id=vm0,memdev=mem0,"
        "requested-size=16M,prealloc=on";
    g_autoptr(Guest) g = NULL;
    g_autofree char *before = NULL, *after = NULL;
    uint64_t requests;
    gint64 deadline;

    if (host_has_huge_pages()) {
        g_test_skip("this host has huge pages: populating cannot be made "
                    "to fail this way");
        return;
    }
    g = guest_start(args, NULL);
    before = snapshot(g);
    /* P5: the host cannot populate; BUSY, and nothing changed. */
    g_assert_cmpint(req(g, VIRTIO_MEM_REQ_PLUG, 0, 2), ==,
                    VIRTIO_MEM_RESP_BUSY);
    after = snapshot(g);
    g_assert_cmpstr(after, ==, before);
    assert_not_broken(g);
    /* Then a config kick, so Linux retries now instead of in 50 s. */
    deadline = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
    while (!qvirtio_pci_config_irq(g->m->vdev)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(10 * 1000);
    }
    /* The driver: BUSY keeps it off until the timer or the next kick. */
    g_assert_false(qvirtio_mem_sync(g->m));
    g_assert_cmpuint(g->m->stats.busy, ==, 2);
    requests = g->m->stats.requests;
    g_assert_false(qvirtio_mem_sync(g->m));
    g_assert_cmpuint(g->m->stats.requests, ==, requests);
    g_assert_false(g->m->broken);
}

static void test_two_devices_two_nodes(void)
{
    static const char args[] =
        "-m 1G,maxmem=5G -smp 2 "
        "-object memory-backend-ram,id=ram0,size=512M "
        "-numa node,nodeid=0,cpus=0,memdev=ram0 "
        "-object memory-backend-ram,id=ram1,size=512M "
        "-numa node,nodeid=1,cpus=1,memdev=ram1 "
        "-object memory-backend-ram,id=mem0,size=1G "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,node=0,requested-size=32M "
        "-object memory-backend-ram,id=mem1,size=1G "
        "-device virtio-mem-pci,id=vm1,memdev=mem1,node=1,requested-size=64M";
    g_autoptr(Guest) g = guest_start(args, NULL);
    g_autoptr(QVirtioMem) m1 = qvirtio_mem_new(g->bus, g->alloc, 1, NULL);
    QVirtioMem *m0 = g->m;

    /* ACPI_PXM with NUMA: node_id is each device's node (D3). */
    g_assert_true(m0->vdev->features & QVIRTIO_BIT(VIRTIO_MEM_F_ACPI_PXM));
    g_assert_true(m1->vdev->features & QVIRTIO_BIT(VIRTIO_MEM_F_ACPI_PXM));
    g_assert_cmpuint(m0->cfg.node_id, ==, 0);
    g_assert_cmpuint(m1->cfg.node_id, ==, 1);
    g_assert_cmphex(m0->cfg.addr, ==, qos_memdev_addr(g->qts, "vm0"));
    g_assert_cmphex(m1->cfg.addr, ==, qos_memdev_addr(g->qts, "vm1"));
    g_assert_cmphex(m1->cfg.addr, >=, m0->cfg.addr + m0->cfg.region_size);
    g_assert_true(qvirtio_mem_sync_until_idle(m0, SYNC_TIMEOUT_US));
    g_assert_true(qvirtio_mem_sync_until_idle(m1, SYNC_TIMEOUT_US));
    g_assert_cmpuint(qos_qom_get_uint(g->qts, DEV_PATH, "size"), ==, 32 * MiB);
    g_assert_cmpuint(qos_qom_get_uint(g->qts, "/machine/peripheral/vm1",
                                      "size"), ==, 64 * MiB);
    /* Each device hears only about its own request. */
    qos_qom_set_uint(g->qts, "/machine/peripheral/vm1", "requested-size",
                     16 * MiB);
    g_assert_false(qvirtio_pci_config_irq(m0->vdev));
    g_assert_true(qvirtio_mem_sync_until_idle(m1, SYNC_TIMEOUT_US));
    g_assert_cmpuint(qos_qom_get_uint(g->qts, "/machine/peripheral/vm1",
                                      "size"), ==, 16 * MiB);
    g_assert_cmpuint(qos_qom_get_uint(g->qts, DEV_PATH, "size"), ==, 32 * MiB);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-mem/5.15.4/config-initial", test_config_initial);
    g_test_add_func("/virtio-mem/5.15.4/v9-requested-size-change-notifies",
                    test_requested_change_notifies);
    g_test_add_func("/virtio-mem/5.15.4/v8-usable-region-shrinks-only-on-"
                    "unplug-all", test_usable_region_shrinks_only_on_unplug_all);
    g_test_add_func("/virtio-mem/5.15.5/v12-unplugged-inaccessible-must-be-"
                    "accepted", test_v12_unplugged_inaccessible);
    g_test_add_func("/virtio-mem/5.15.5/v13-device-reset-keeps-blocks",
                    test_v13_device_reset_keeps_blocks);
    g_test_add_func("/virtio-mem/5.15.6.2/p6-plug-ack", test_plug_ack);
    g_test_add_func("/virtio-mem/5.15.6.3/u6-unplug-ack", test_unplug_ack);
    g_test_add_func("/virtio-mem/5.15.6.4/a4-unplug-all-ack", test_unplug_all);
    g_test_add_func("/virtio-mem/5.15.6.5/t5-plugged-unplugged-mixed",
                    test_state);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_requests); i++) {
        g_test_add_data_func(bad_requests[i].path, &bad_requests[i],
                             test_bad_request);
    }
    g_test_add_func("/virtio-mem/5.15.6.2/p3-address-wrapping-is-error",
                    test_address_wraps_is_error);
    g_test_add_func("/virtio-mem/qmp/x-stats-count-every-request",
                    test_counters);
    g_test_add_func("/virtio-mem/driver/nack-rereads-config",
                    test_driver_nack_rereads_config);
    g_test_add_func("/virtio-mem/driver/error-stops-it",
                    test_driver_error_stops_it);
    g_test_add_func("/virtio-mem/qmp/requested-size-up-and-down-events",
                    test_requested_up_and_down_events);
    g_test_add_func("/virtio-mem/5.15.6/v22-system-reset-unplugs-all",
                    test_system_reset_unplugs_all);
    g_test_add_func("/virtio-mem/host/unplug-frees-host-memory",
                    test_unplug_frees_host_memory);
    g_test_add_func("/virtio-mem/host/prealloc-populates-on-plug",
                    test_prealloc_populates_on_plug);
    g_test_add_func("/virtio-mem/5.15.6.2/p5-host-failure-is-busy-then-kick",
                    test_host_failure_is_busy_then_kick);
    g_test_add_func("/virtio-mem/numa/two-devices-two-nodes",
                    test_two_devices_two_nodes);
    return g_test_run();
}
