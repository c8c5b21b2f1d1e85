/* virtio-mem against a hostile driver: malformed chains and requests leave Tide running and the blocks as they were. */
#include "libqtest.h"

#include <string.h>
#include "guest.h"

#define BS          (2 * MiB)
#define DEV_PATH    "/machine/peripheral/vm0"
#define REQ_SIZE    sizeof(struct virtio_mem_req)
#define RESP_SIZE   sizeof(struct virtio_mem_resp)
/* RAM ends at 512 MiB; 768 MiB is the hole below the PCI window. */
#define NOT_RAM     UINT64_C(0x30000000)

static QOSGuest *start(QVirtioMem **m)
{
    QOSGuest *g = qos_guest_start(
        "-m 512M,maxmem=4G -object memory-backend-ram,id=mem0,size=1G "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=64M");

    *m = qos_guest_add_virtio_mem(g, 0, NULL);
    /* Something plugged, so a breakage that touched blocks would show. */
    g_assert_cmpint(qvirtio_mem_request(*m, VIRTIO_MEM_REQ_PLUG, (*m)->cfg.addr,
                                        4, NULL), ==, VIRTIO_MEM_RESP_ACK);
    qvirtio_pci_config_irq((*m)->vdev);
    return g;
}

static void write_req(QVirtioMem *m, uint64_t at, uint16_t type, uint64_t addr,
                      uint16_t nb)
{
    struct virtio_mem_req req = { .type = GUINT16_TO_LE(type) };

    req.u.plug.addr = GUINT64_TO_LE(addr);
    req.u.plug.nb_blocks = GUINT16_TO_LE(nb);
    qvirtio_memwrite(m->vdev, at, &req, sizeof(req));
}

/* Add bufs as one chain and kick; whether the device answered at once. */
static bool send(QVirtioMem *m, const QVirtqBuf *bufs, unsigned n,
                 bool indirect, uint32_t *len)
{
    int head = qvirtqueue_add(m->vq, bufs, n, indirect);

    g_assert_cmpint(head, >=, 0);
    qvirtqueue_kick(m->vq, (uint16_t)head);
    return qvirtqueue_get_used(m->vq, NULL, len);
}

static uint16_t resp_type(QVirtioMem *m, uint64_t at)
{
    struct virtio_mem_resp resp;

    qvirtio_memread(m->vdev, at, &resp, sizeof(resp));
    return GUINT16_FROM_LE(resp.type);
}

/*
 * The device refused to go on (NEEDS_RESET and a config interrupt), Tide
 * answers QMP, nothing was plugged or unplugged, and a driver that
 * resets the device gets a working device back (with its blocks).
 */
static void assert_broken_then_recovers(QOSGuest *g, QVirtioMem *m)
{
    g_autoptr(JsonNode) rsp = NULL;

    g_assert_true(qvirtio_pci_get_status(m->vdev) & QVIRTIO_S_NEEDS_RESET);
    g_assert_true(qvirtio_pci_config_irq(m->vdev));
    rsp = qtest_qmp(g->qts, "{\"execute\": \"query-status\"}");
    g_assert_false(qmp_rsp_is_error(rsp));
    g_assert_cmpuint(qos_qom_get_uint(g->qts, DEV_PATH, "size"), ==, 4 * BS);
    g_assert_true(qvirtio_mem_init(m));
    g_assert_cmphex(m->cfg.plugged_size, ==, 4 * BS);
    g_assert_cmpuint(qvirtio_mem_block_state(m, m->cfg.addr, 4), ==,
                     VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpint(qvirtio_mem_request(m, VIRTIO_MEM_REQ_PLUG,
                                        m->cfg.addr + 8 * BS, 1, NULL), ==,
                    VIRTIO_MEM_RESP_ACK);
}

/* A chain the device must refuse: it does not answer, it breaks. */
static void refused(QOSGuest *g, QVirtioMem *m, const QVirtqBuf *bufs,
                    unsigned n)
{
    g_assert_false(send(m, bufs, n, false, NULL));
    assert_broken_then_recovers(g, m);
}

static void test_short_request(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t r = guest_alloc(g->alloc, 64), a = guest_alloc(g->alloc, 64);
    QVirtqBuf bufs[] = { { r, 16, false }, { a, RESP_SIZE, true } };

    write_req(m, r, VIRTIO_MEM_REQ_PLUG, m->cfg.addr + 8 * BS, 1);
    refused(g, m, bufs, 2);
}

static void test_short_response(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t r = guest_alloc(g->alloc, 64), a = guest_alloc(g->alloc, 64);
    QVirtqBuf bufs[] = { { r, REQ_SIZE, false }, { a, 4, true } };

    write_req(m, r, VIRTIO_MEM_REQ_PLUG, m->cfg.addr + 8 * BS, 1);
    refused(g, m, bufs, 2);
}

static void test_no_response_buffer(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t r = guest_alloc(g->alloc, 64);
    QVirtqBuf bufs[] = { { r, REQ_SIZE, false } };

    write_req(m, r, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0);
    refused(g, m, bufs, 1);
}

static void test_unknown_type(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t r = guest_alloc(g->alloc, 64), a = guest_alloc(g->alloc, 64);
    QVirtqBuf bufs[] = { { r, REQ_SIZE, false }, { a, RESP_SIZE, true } };

    write_req(m, r, 0x7777, m->cfg.addr, 1);
    refused(g, m, bufs, 2);
}

static void test_buffer_beyond_ram(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t a = guest_alloc(g->alloc, 64);
    QVirtqBuf bufs[] = { { NOT_RAM, REQ_SIZE, false },
                         { a, RESP_SIZE, true } };

    refused(g, m, bufs, 2);
}

static void test_response_into_mmio(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t r = guest_alloc(g->alloc, 64);
    /* The device's own doorbell: a write there would re-enter it. */
    QVirtqBuf bufs[] = { { r, REQ_SIZE, false },
                         { m->vdev->notify, RESP_SIZE, true } };

    write_req(m, r, VIRTIO_MEM_REQ_PLUG, m->cfg.addr + 8 * BS, 1);
    refused(g, m, bufs, 2);
}

static void test_zero_length_descriptor(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t r = guest_alloc(g->alloc, 64), a = guest_alloc(g->alloc, 64);
    QVirtqBuf bufs[] = { { r, REQ_SIZE, false }, { a, 0, true },
                         { a, RESP_SIZE, true } };

    write_req(m, r, VIRTIO_MEM_REQ_PLUG, m->cfg.addr + 8 * BS, 1);
    refused(g, m, bufs, 3);
}

/* Write descriptor i of the ring's table by hand. */
static void put_desc(QVirtioMem *m, uint64_t table, uint16_t i, uint64_t addr,
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
    qvirtio_memwrite(m->vdev, table + 16 * (uint64_t)i, raw, sizeof(raw));
}

static void test_descriptor_loop(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t r = guest_alloc(g->alloc, 64), a = guest_alloc(g->alloc, 64);

    write_req(m, r, VIRTIO_MEM_REQ_PLUG, m->cfg.addr + 8 * BS, 1);
    /* 0 -> 1 -> 0 -> ...: a chain that never ends, past the queue size. */
    put_desc(m, m->vq->desc, 0, r, REQ_SIZE, QVRING_DESC_F_NEXT, 1);
    put_desc(m, m->vq->desc, 1, a, RESP_SIZE, QVRING_DESC_F_NEXT, 0);
    qvirtqueue_publish(m->vq, 0);
    qvirtqueue_notify(m->vq);
    assert_broken_then_recovers(g, m);
}

static void test_indirect_next_out_of_table(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t r = guest_alloc(g->alloc, 64), a = guest_alloc(g->alloc, 64);
    uint64_t table = guest_alloc_aligned(g->alloc, 32, 16);

    write_req(m, r, VIRTIO_MEM_REQ_PLUG, m->cfg.addr + 8 * BS, 1);
    put_desc(m, table, 0, r, REQ_SIZE, QVRING_DESC_F_NEXT, 1);
    put_desc(m, table, 1, a, RESP_SIZE,
             QVRING_DESC_F_WRITE | QVRING_DESC_F_NEXT, 9);
    put_desc(m, m->vq->desc, 0, table, 32, QVRING_DESC_F_INDIRECT, 0);
    qvirtqueue_publish(m->vq, 0);
    qvirtqueue_notify(m->vq);
    assert_broken_then_recovers(g, m);
}

static void test_head_out_of_range(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);

    qvirtqueue_publish(m->vq, 500);
    qvirtqueue_notify(m->vq);
    assert_broken_then_recovers(g, m);
}

static void test_avail_idx_jump(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);

    /* 300 new entries in a ring of 128. */
    qtest_writew(g->qts, m->vq->avail + 2, m->vq->avail_idx + 300);
    qvirtqueue_notify(m->vq);
    assert_broken_then_recovers(g, m);
}

/* ---- odd but valid -------------------------------------------------------------- */

static void test_split_request_indirect(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t r = guest_alloc(g->alloc, 64), a = guest_alloc(g->alloc, 64);
    /* Request in three pieces, response in two, through an indirect table. */
    QVirtqBuf bufs[] = { { r, 2, false }, { r + 2, 10, false },
                         { r + 12, 12, false }, { a, 4, true },
                         { a + 4, RESP_SIZE - 4, true } };
    uint32_t len;

    write_req(m, r, VIRTIO_MEM_REQ_STATE, m->cfg.addr, 4);
    qtest_writew(g->qts, a, 0xffff);
    qtest_writew(g->qts, a + 8, 0xffff);
    g_assert_true(send(m, bufs, G_N_ELEMENTS(bufs), true, &len));
    g_assert_cmpuint(len, ==, RESP_SIZE);
    g_assert_cmpuint(resp_type(m, a), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qtest_readw(g->qts, a + 8), ==, VIRTIO_MEM_STATE_PLUGGED);
}

static void test_padding_and_trailing_bytes_ignored(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t r = guest_alloc(g->alloc, 64), a = guest_alloc(g->alloc, 64);
    QVirtqBuf bufs[] = { { r, 64, false }, { a, 32, true } };

    /* P1, P2: padding and whatever follows the request are not looked at. */
    qtest_memset(g->qts, r, 0xa5, 64);
    write_req(m, r, VIRTIO_MEM_REQ_PLUG, m->cfg.addr + 8 * BS, 1);
    qtest_writew(g->qts, r + 2, 0xffff);
    qtest_writel(g->qts, r + 4, 0xffffffff);
    qtest_writew(g->qts, r + 18, 0xdead);
    g_assert_true(send(m, bufs, 2, false, NULL));
    g_assert_cmpuint(resp_type(m, a), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(qos_qom_get_uint(g->qts, DEV_PATH, "size"), ==, 5 * BS);
}

static void test_unplug_own_response_buffer(void)
{
    QVirtioMem *m;
    g_autoptr(QOSGuest) g = start(&m);
    uint64_t r = guest_alloc(g->alloc, 64);
    /* The answer goes into the very block the request unplugs. */
    uint64_t a = m->cfg.addr + 3 * BS + 4096;
    QVirtqBuf bufs[] = { { r, REQ_SIZE, false }, { a, RESP_SIZE, true } };
    g_autoptr(JsonNode) rsp = NULL;
    uint32_t len = UINT32_MAX;

    write_req(m, r, VIRTIO_MEM_REQ_UNPLUG, m->cfg.addr + 3 * BS, 1);
    if (send(m, bufs, 2, false, &len)) {
        /* Used len is what was written (2.7.8): here, nothing. */
        g_assert_cmpuint(len, ==, 0);
    }
    rsp = qtest_qmp(g->qts, "{\"execute\": \"query-status\"}");
    g_assert_false(qmp_rsp_is_error(rsp));
    g_assert_cmpuint(qos_qom_get_uint(g->qts, DEV_PATH, "size"), ==, 3 * BS);
    if (qvirtio_pci_get_status(m->vdev) & QVIRTIO_S_NEEDS_RESET) {
        g_assert_true(qvirtio_mem_init(m));
    }
    g_assert_cmpuint(qvirtio_mem_block_state(m, m->cfg.addr + 3 * BS, 1), ==,
                     VIRTIO_MEM_STATE_UNPLUGGED);
    /* Nothing of the answer landed in the unplugged block. */
    g_assert_cmphex(qtest_readq(g->qts, a), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-mem/hostile/short-request-needs-reset",
                    test_short_request);
    g_test_add_func("/virtio-mem/hostile/short-response-needs-reset",
                    test_short_response);
    g_test_add_func("/virtio-mem/hostile/no-response-buffer-needs-reset",
                    test_no_response_buffer);
    g_test_add_func("/virtio-mem/hostile/unknown-type-needs-reset",
                    test_unknown_type);
    g_test_add_func("/virtio-mem/hostile/buffer-beyond-ram-needs-reset",
                    test_buffer_beyond_ram);
    g_test_add_func("/virtio-mem/hostile/response-into-mmio-needs-reset",
                    test_response_into_mmio);
    g_test_add_func("/virtio-mem/hostile/zero-length-descriptor-needs-reset",
                    test_zero_length_descriptor);
    g_test_add_func("/virtio-mem/hostile/descriptor-loop-needs-reset",
                    test_descriptor_loop);
    g_test_add_func("/virtio-mem/hostile/indirect-next-out-of-table-needs-"
                    "reset", test_indirect_next_out_of_table);
    g_test_add_func("/virtio-mem/hostile/head-out-of-range-needs-reset",
                    test_head_out_of_range);
    g_test_add_func("/virtio-mem/hostile/avail-idx-jump-needs-reset",
                    test_avail_idx_jump);
    g_test_add_func("/virtio-mem/hostile/split-request-through-indirect-"
                    "table-works", test_split_request_indirect);
    g_test_add_func("/virtio-mem/5.15.6.2/p2-padding-and-trailing-bytes-"
                    "ignored", test_padding_and_trailing_bytes_ignored);
    g_test_add_func("/virtio-mem/hostile/unplug-own-response-buffer",
                    test_unplug_own_response_buffer);
    return g_test_run();
}
