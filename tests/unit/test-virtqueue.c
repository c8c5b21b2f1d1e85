/* Split virtqueues under a test driver, hostile rings included. */
#include <glib.h>
#include <string.h>
#include <urcu.h>

#include "hw/virtio/virtio.h"
#include "qom/device.h"
#include "qom/object.h"
#include "system/memory.h"
#include "system/physmem.h"

/*
 * Guest-physical map: 1 MiB RAM that holds the rings and buffers, a
 * page of MMIO, a page of ROM, and a second RAM region (RAM2) the tests
 * unmap under a live queue.  Everything else is unassigned.
 */
#define RAM_BASE        UINT64_C(0x100000)
#define RAM_SIZE        UINT64_C(0x100000)
#define MMIO_BASE       UINT64_C(0x300000)
#define ROM_BASE        UINT64_C(0x400000)
#define RAM2_BASE       UINT64_C(0x500000)
#define PAGE            UINT64_C(0x1000)

#define QMAX            16
#define DESC            (RAM_BASE + 0x0000)
#define AVAIL           (RAM_BASE + 0x1000)
#define USED            (RAM_BASE + 0x2000)
#define ITABLE          (RAM_BASE + 0x4000)     /* indirect tables */
#define BUF             (RAM_BASE + 0x10000)    /* data buffers */
#define RING_BYTES      0x10000                 /* cleared per test */
#define RAM_END         (RAM_BASE + RAM_SIZE)
#define N               VRING_DESC_F_NEXT
#define W               VRING_DESC_F_WRITE
#define I               VRING_DESC_F_INDIRECT

#define CONFIG_VECTOR   0
#define QUEUE_VECTOR    1
#define TEST_DEVICE_ID  99
#define F(bit)          (UINT64_C(1) << (bit))
#define DEFAULT_FEATURES \
    (F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_INDIRECT_DESC))

static MemoryRegion root_mr, ram_mr, mmio_mr, rom_mr, ram2_mr;
static uint8_t *ram, *ram2, *rom;
static unsigned mmio_accesses;

/* Host bytes of guest RAM; the driver is the test itself, so no RCU. */
static uint8_t *gpa_host(uint64_t gpa, uint64_t len)
{
    g_assert(gpa >= RAM_BASE && gpa + len <= RAM_END);
    return ram + (gpa - RAM_BASE);
}

/* ---- the test device ---------------------------------------------------- */

#define TYPE_TEST_VIRTIO "test-virtio-device"

typedef struct TestVirtio {
    VirtIODevice parent_obj;
    bool hold;                      /* handler keeps elements unpushed */
    uint64_t clobber_gpa;           /* handler overwrites this after pop */
    unsigned popped;
    unsigned handled;               /* handler calls */
    VirtQueueElement *held;
    VirtQueue *vq;
    uint32_t last_out_len;
    uint8_t last_out[64];
    unsigned last_in_num;
    uint64_t last_in_len;
} TestVirtio;

static TestVirtio *tdev;
static VirtIODevice *vdev;

/* Echo the out bytes into the in buffers. */
static void test_handle(VirtIODevice *vd, VirtQueue *vq)
{
    TestVirtio *t = (TestVirtio *)vd;
    VirtQueueElement *elem;

    t->handled++;
    while ((elem = virtqueue_pop(vq))) {
        uint64_t n = MIN((uint64_t)elem->out_len, elem->in_len);

        t->popped++;
        if (t->clobber_gpa) {
            memset(gpa_host(t->clobber_gpa, 1), 0xee, 1);
        }
        t->last_out_len = elem->out_len;
        memcpy(t->last_out, elem->out,
               MIN(elem->out_len, sizeof(t->last_out)));
        t->last_in_num = elem->in_num;
        t->last_in_len = elem->in_len;
        if (t->hold) {
            virtqueue_element_free(t->held);
            t->held = elem;
            continue;
        }
        n = virtqueue_element_write(elem, 0, elem->out, n);
        virtqueue_push(vq, elem, n);
    }
    virtio_notify(vd, vq);
}

static bool test_realize(VirtIODevice *vd, Error **errp)
{
    virtio_init(vd, TEST_DEVICE_ID, 8);
    ((TestVirtio *)vd)->vq = virtio_add_queue(vd, QMAX, test_handle);
    return true;
}

static void test_unrealize(VirtIODevice *vd)
{
    virtqueue_element_free(((TestVirtio *)vd)->held);
    virtio_cleanup(vd);
}

static void test_class_init(ObjectClass *oc)
{
    VirtIODeviceClass *vdc = (VirtIODeviceClass *)oc;

    vdc->device_realize = test_realize;
    vdc->device_unrealize = test_unrealize;
}

static const TypeInfo test_virtio_info = {
    .name = TYPE_TEST_VIRTIO,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(TestVirtio),
    .class_init = test_class_init,
};

/* ---- the fake transport ------------------------------------------------- */

static GArray *irqs;                /* uint16_t vectors, in order */

static void fake_notify(void *opaque, uint16_t vector)
{
    g_array_append_val(irqs, vector);
}

static const VirtioTransportOps fake_transport = { .notify = fake_notify };

static unsigned irq_count(uint16_t vector)
{
    unsigned n = 0;

    for (guint i = 0; i < irqs->len; i++) {
        n += g_array_index(irqs, uint16_t, i) == vector;
    }
    return n;
}

/* ---- the test driver ---------------------------------------------------- */

static uint16_t drv_avail_idx;
static uint16_t drv_qsize;

/* A little-endian value of size bytes at gpa, as the guest stores it. */
static void put(uint64_t gpa, uint64_t v, unsigned size)
{
    uint8_t *p = gpa_host(gpa, size);

    for (unsigned i = 0; i < size; i++) {
        p[i] = v >> (8 * i);
    }
}

static uint64_t get(uint64_t gpa, unsigned size)
{
    uint8_t *p = gpa_host(gpa, size);
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static void set_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    uint64_t d = table + 16 * (uint64_t)i;

    put(d, addr, 8);
    put(d + 8, len, 4);
    put(d + 12, flags, 2);
    put(d + 14, next, 2);
}

static void avail_add(uint16_t head)
{
    put(AVAIL + 4 + 2 * (drv_avail_idx % drv_qsize), head, 2);
    drv_avail_idx++;
    put(AVAIL + 2, drv_avail_idx, 2);
}

static uint16_t used_idx(void)
{
    return get(USED + 2, 2);
}

static uint32_t used_id(uint16_t idx)
{
    return get(USED + 4 + 8 * (idx % drv_qsize), 4);
}

static uint32_t used_len(uint16_t idx)
{
    return get(USED + 4 + 8 * (idx % drv_qsize) + 4, 4);
}

static void kick(void)
{
    virtio_queue_notify(vdev, 0);
}

/* ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns the status read back. */
static uint8_t driver_negotiate(uint64_t features)
{
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER);
    virtio_set_driver_features(vdev, features);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_FEATURES_OK);
    return vdev->status;
}

static void driver_clear_rings(void)
{
    memset(gpa_host(RAM_BASE, RING_BYTES), 0, RING_BYTES);
    drv_avail_idx = 0;
}

/* Queue 0 of size entries at (desc, avail, used), enabled. */
static void driver_setup_queue(uint16_t size, uint64_t desc, uint64_t avail,
                               uint64_t used)
{
    virtio_queue_set_size(vdev, 0, size);
    drv_qsize = virtio_queue_get_size(vdev, 0);
    virtio_queue_set_addrs(vdev, 0, desc, avail, used);
    virtio_queue_set_vector(vdev, 0, QUEUE_VECTOR);
    virtio_queue_set_enabled(vdev, 0, true);
}

/* A fresh driver on a reset device: rings cleared, queue 0 live. */
static void driver_start_at(uint64_t features, uint64_t desc, uint64_t avail,
                            uint64_t used)
{
    driver_clear_rings();
    g_assert_cmphex(driver_negotiate(features) & VIRTIO_CONFIG_S_FEATURES_OK,
                    ==, VIRTIO_CONFIG_S_FEATURES_OK);
    vdev->config_vector = CONFIG_VECTOR;
    driver_setup_queue(QMAX, desc, avail, used);
    g_assert_true(virtio_queue_get_enabled(vdev, 0));
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_true(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK);
}

static void driver_start(uint64_t features)
{
    driver_start_at(features, DESC, AVAIL, USED);
}

/* "hello" out in one descriptor, 16 bytes in; the device echoes it. */
static void good_request(void)
{
    uint16_t before = used_idx();
    unsigned popped = tdev->popped;

    memcpy(gpa_host(BUF, 5), "hello", 5);
    memset(gpa_host(BUF + 0x100, 16), 0, 16);
    set_desc(DESC, 1, BUF, 5, N, 0);
    set_desc(DESC, 0, BUF + 0x100, 16, W, 0);
    avail_add(1);
    kick();
    g_assert_false(vdev->broken);
    g_assert_cmpuint(tdev->popped, ==, popped + 1);
    g_assert_cmpuint(used_idx(), ==, (uint16_t)(before + 1));
    g_assert_cmpuint(used_id(before), ==, 1);
    g_assert_cmpuint(used_len(before), ==, 5);
    g_assert_cmpmem(gpa_host(BUF + 0x100, 5), 5, "hello", 5);
}

/*
 * The rule every hostile case follows: the device is broken with
 * NEEDS_RESET, the driver heard one config interrupt and no queue
 * interrupt, nothing reached the handler's reply path, and a reset
 * brings the queue back.
 */
static void assert_broken_then_recovers(unsigned popped_before)
{
    g_assert_true(vdev->broken);
    g_assert_cmphex(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET, ==,
                    VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpuint(irq_count(CONFIG_VECTOR), ==, 1);
    g_assert_cmpuint(irq_count(QUEUE_VECTOR), ==, 0);
    g_assert_cmphex(virtio_read_isr(vdev) & VIRTIO_ISR_CONFIG, ==,
                    VIRTIO_ISR_CONFIG);
    g_assert_cmpuint(tdev->popped, ==, popped_before);
    g_assert_cmpuint(used_idx(), ==, 0);
    g_assert_cmpuint(mmio_accesses, ==, 0);

    virtio_set_status(vdev, 0);
    g_assert_false(vdev->broken);
    g_assert_cmpuint(vdev->status, ==, 0);
    driver_start(DEFAULT_FEATURES);
    good_request();
}

/* Kick what the test put on the ring; it must break the device. */
static void kick_expect_broken(void)
{
    unsigned popped = tdev->popped;

    kick();
    assert_broken_then_recovers(popped);
}

/* ---- fixture ------------------------------------------------------------ */

static void setup(void *fx, const void *data)
{
    g_autoptr(Error) err = NULL;
    Object *obj = object_new(TYPE_TEST_VIRTIO);

    g_assert_true(object_realize(obj, &err));
    tdev = (TestVirtio *)obj;
    vdev = VIRTIO_DEVICE(obj);
    virtio_bind_transport(vdev, &fake_transport, NULL);
    irqs = g_array_new(false, false, sizeof(uint16_t));
    mmio_accesses = 0;
    drv_qsize = QMAX;
    drv_avail_idx = 0;
    memset(ram, 0, RAM_SIZE);
}

static void teardown(void *fx, const void *data)
{
    object_unref(OBJECT(vdev));
    g_array_free(irqs, true);
}

/* ---- queues that work --------------------------------------------------- */

static void test_direct_chain_roundtrip(void *f, const void *d)
{
    driver_start(DEFAULT_FEATURES);
    memcpy(gpa_host(BUF, 3), "hel", 3);
    memcpy(gpa_host(BUF + 0x40, 2), "lo", 2);
    set_desc(DESC, 0, BUF, 3, N, 5);
    set_desc(DESC, 5, BUF + 0x40, 2, N, 9);
    set_desc(DESC, 9, BUF + 0x100, 2, W | N, 2);
    set_desc(DESC, 2, BUF + 0x200, 14, W, 0);
    avail_add(0);
    kick();
    g_assert_cmpuint(tdev->last_out_len, ==, 5);
    g_assert_cmpmem(tdev->last_out, 5, "hello", 5);
    g_assert_cmpuint(tdev->last_in_num, ==, 2);
    g_assert_cmpuint(tdev->last_in_len, ==, 16);
    g_assert_cmpuint(used_idx(), ==, 1);
    g_assert_cmpuint(used_id(0), ==, 0);
    g_assert_cmpuint(used_len(0), ==, 5);
    g_assert_cmpmem(gpa_host(BUF + 0x100, 2), 2, "he", 2);
    g_assert_cmpmem(gpa_host(BUF + 0x200, 3), 3, "llo", 3);
    g_assert_cmpuint(irq_count(QUEUE_VECTOR), ==, 1);
    g_assert_cmphex(virtio_read_isr(vdev), ==, VIRTIO_ISR_QUEUE);
}

static void test_indirect_table_roundtrip(void *f, const void *d)
{
    driver_start(DEFAULT_FEATURES);
    memcpy(gpa_host(BUF, 5), "hello", 5);
    set_desc(ITABLE, 0, BUF, 2, N, 2);
    set_desc(ITABLE, 2, BUF + 2, 3, N, 1);
    set_desc(ITABLE, 1, BUF + 0x100, 8, W, 0);
    set_desc(DESC, 7, ITABLE, 3 * 16, I, 0);
    avail_add(7);
    kick();
    g_assert_cmpmem(tdev->last_out, 5, "hello", 5);
    g_assert_cmpuint(tdev->last_in_num, ==, 1);
    g_assert_cmpuint(used_id(0), ==, 7);
    g_assert_cmpuint(used_len(0), ==, 5);
    g_assert_cmpmem(gpa_host(BUF + 0x100, 5), 5, "hello", 5);
}

static void test_reply_stops_at_end_of_in_buffers(void *f, const void *d)
{
    driver_start(DEFAULT_FEATURES);
    memcpy(gpa_host(BUF, 10), "0123456789", 10);
    set_desc(DESC, 0, BUF, 10, N, 1);
    set_desc(DESC, 1, BUF + 0x100, 4, W, 0);
    avail_add(0);
    kick();
    g_assert_cmpuint(used_len(0), ==, 4);
    g_assert_cmpmem(gpa_host(BUF + 0x100, 5), 5, "0123\0", 5);
}

static void test_out_is_a_copy(void *f, const void *d)
{
    driver_start(DEFAULT_FEATURES);
    memcpy(gpa_host(BUF, 5), "hello", 5);
    tdev->clobber_gpa = BUF;
    set_desc(DESC, 0, BUF, 5, N, 1);
    set_desc(DESC, 1, BUF + 0x100, 5, W, 0);
    avail_add(0);
    kick();
    g_assert_cmpuint(*gpa_host(BUF, 1), ==, 0xee);
    g_assert_cmpmem(gpa_host(BUF + 0x100, 5), 5, "hello", 5);
}

static void test_many_requests_in_one_kick(void *f, const void *d)
{
    driver_start(DEFAULT_FEATURES);
    for (unsigned i = 0; i < QMAX; i++) {
        set_desc(DESC, i, BUF + i, 1, 0, 0);
        avail_add(QMAX - 1 - i);
    }
    kick();
    g_assert_cmpuint(used_idx(), ==, QMAX);
    for (unsigned i = 0; i < QMAX; i++) {
        g_assert_cmpuint(used_id(i), ==, QMAX - 1 - i);
        g_assert_cmpuint(used_len(i), ==, 0);
    }
    g_assert_cmpuint(irq_count(QUEUE_VECTOR), ==, 1);
}

static void test_used_idx_wraps_at_65536(void *f, const void *d)
{
    unsigned total = 0;

    driver_start(DEFAULT_FEATURES);
    for (unsigned i = 0; i < QMAX; i++) {
        set_desc(DESC, i, BUF + i, 1, 0, 0);
    }
    while (total < 65536 + 2 * QMAX) {
        for (unsigned i = 0; i < QMAX; i++) {
            avail_add(i);
        }
        kick();
        total += QMAX;
        g_assert_cmpuint(used_idx(), ==, (uint16_t)total);
    }
    g_assert_false(vdev->broken);
    g_assert_cmpuint(used_idx(), ==, 2 * QMAX);
    for (unsigned i = 0; i < QMAX; i++) {
        g_assert_cmpuint(used_id(i), ==, i);
    }
}

static void test_no_interrupt_suppresses_notify(void *f, const void *d)
{
    driver_start(DEFAULT_FEATURES);
    put(AVAIL, VRING_AVAIL_F_NO_INTERRUPT, 2);
    good_request();
    g_assert_cmpuint(irq_count(QUEUE_VECTOR), ==, 0);
    put(AVAIL, 0, 2);
    good_request();
    g_assert_cmpuint(irq_count(QUEUE_VECTOR), ==, 1);
}

static void test_event_idx_suppresses_notify(void *f, const void *d)
{
    uint64_t used_event = AVAIL + 4 + 2 * QMAX;
    uint64_t avail_event = USED + 4 + 8 * QMAX;

    driver_start(DEFAULT_FEATURES | F(VIRTIO_RING_F_EVENT_IDX));
    /* NO_INTERRUPT means nothing once EVENT_IDX is negotiated. */
    put(AVAIL, VRING_AVAIL_F_NO_INTERRUPT, 2);
    good_request();                             /* the first always does */
    g_assert_cmpuint(irq_count(QUEUE_VECTOR), ==, 1);
    g_assert_cmpuint(get(avail_event, 2), ==, 1);
    put(used_event, 3, 2);                       /* wake me after entry 3 */
    good_request();
    good_request();
    g_assert_cmpuint(irq_count(QUEUE_VECTOR), ==, 1);
    g_assert_cmpuint(get(avail_event, 2), ==, 3);
    good_request();
    g_assert_cmpuint(irq_count(QUEUE_VECTOR), ==, 2);
    good_request();
    g_assert_cmpuint(irq_count(QUEUE_VECTOR), ==, 2);
}

static void test_small_queue_wraps_its_ring(void *f, const void *d)
{
    g_assert_true(driver_negotiate(DEFAULT_FEATURES) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    driver_setup_queue(2, DESC, AVAIL, USED);
    g_assert_cmpuint(drv_qsize, ==, 2);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    for (unsigned i = 0; i < 5; i++) {
        set_desc(DESC, 1, BUF, 1, 0, 0);
        avail_add(1);
        kick();
        g_assert_cmpuint(used_idx(), ==, i + 1);
    }
    g_assert_false(vdev->broken);
}

static void test_notify_on_disabled_queue_ignored(void *f, const void *d)
{
    g_assert_true(driver_negotiate(DEFAULT_FEATURES) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    set_desc(DESC, 0, BUF, 1, 0, 0);
    avail_add(0);
    kick();
    g_assert_cmpuint(tdev->handled, ==, 0);
    g_assert_false(vdev->broken);
    g_assert_cmpuint(irqs->len, ==, 0);
}

static void test_notify_before_driver_ok_ignored(void *f, const void *d)
{
    g_assert_true(driver_negotiate(DEFAULT_FEATURES) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    driver_setup_queue(QMAX, DESC, AVAIL, USED);
    set_desc(DESC, 0, BUF, 1, 0, 0);
    avail_add(0);
    kick();
    g_assert_cmpuint(tdev->handled, ==, 0);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    kick();
    g_assert_cmpuint(used_idx(), ==, 1);
}

static void test_push_after_reset_is_dropped(void *f, const void *d)
{
    VirtQueueElement *elem;

    driver_start(DEFAULT_FEATURES);
    tdev->hold = true;
    set_desc(DESC, 0, BUF, 1, 0, 0);
    avail_add(0);
    kick();
    g_assert_nonnull(tdev->held);
    virtio_set_status(vdev, 0);
    g_assert_false(virtio_queue_get_enabled(vdev, 0));
    driver_start(DEFAULT_FEATURES);
    elem = g_steal_pointer(&tdev->held);
    virtqueue_push(tdev->vq, elem, 0);
    g_assert_cmpuint(used_idx(), ==, 0);
    tdev->hold = false;
    good_request();
}

/* ---- a hostile driver --------------------------------------------------- */


/* Entry i of the descriptor table at table (0: no entry). */
typedef struct DescSpec {
    uint64_t table;
    uint16_t i;
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} DescSpec;

/* One way to break the protocol: descriptors and a head, or arrange(). */
typedef struct Hostile {
    const char *rule;
    uint16_t head;
    DescSpec desc[3];
    void (*arrange)(void);
    uint64_t features;              /* 0: DEFAULT_FEATURES */
} Hostile;

/* 0 -> 1 -> ... -> QMAX - 1 -> 0: more descriptors than the queue has. */
static void arrange_chain_longer_than_queue(void)
{
    for (unsigned i = 0; i < QMAX; i++) {
        set_desc(DESC, i, BUF, 1, N, (i + 1) % QMAX);
    }
    avail_add(0);
}

static void arrange_avail_idx_jump(void)
{
    set_desc(DESC, 0, BUF, 1, 0, 0);
    put(AVAIL + 2, QMAX + 1, 2);
}

/* A straight chain of VIRTQUEUE_MAX_SIZE + 1 descriptors in one table. */
static void arrange_indirect_over_max_descriptors(void)
{
    for (unsigned i = 0; i <= VIRTQUEUE_MAX_SIZE; i++) {
        set_desc(ITABLE, i, BUF, 1, i < VIRTQUEUE_MAX_SIZE ? N : 0, i + 1);
    }
    set_desc(DESC, 0, ITABLE, 16 * (VIRTQUEUE_MAX_SIZE + 1), I, 0);
    avail_add(0);
}

G_STATIC_ASSERT(RAM_SIZE == VIRTQUEUE_MAX_OUT);

static const Hostile hostile[] = {
    { "loop", 0, { { DESC, 0, BUF, 1, N, 1 }, { DESC, 1, BUF, 1, N, 0 } } },
    { "chain-longer-than-queue-size",
      .arrange = arrange_chain_longer_than_queue },
    { "next-index-beyond-size", 0, { { DESC, 0, BUF, 1, N, QMAX } } },
    { "head-index-beyond-size", QMAX },
    { "avail-idx-jump-beyond-size", .arrange = arrange_avail_idx_jump },
    { "indirect-with-next", 0, { { ITABLE, 0, BUF, 1 },
      { DESC, 0, ITABLE, 16, I | N, 1 }, { DESC, 1, BUF, 1 } } },
    { "nested-indirect", 0, { { ITABLE + 0x100, 0, BUF, 1 },
      { ITABLE, 0, ITABLE + 0x100, 16, I }, { DESC, 0, ITABLE, 16, I } } },
    { "indirect-inside-direct-chain", 0, { { ITABLE, 0, BUF, 1 },
      { DESC, 0, BUF, 1, N, 1 }, { DESC, 1, ITABLE, 16, I } } },
    { "indirect-len-zero", 0, { { ITABLE, 0, BUF, 1 },
      { DESC, 0, ITABLE, 0, I } } },
    { "indirect-len-not-multiple-of-16", 0, { { ITABLE, 0, BUF, 1 },
      { DESC, 0, ITABLE, 24, I } } },
    { "indirect-table-beyond-ram", 0, { { RAM_END - 16, 0, BUF, 1 },
      { DESC, 0, RAM_END - 16, 32, I } } },
    { "indirect-loop", 0, { { ITABLE, 0, BUF, 1, N, 1 },
      { ITABLE, 1, BUF, 1, N, 0 }, { DESC, 0, ITABLE, 32, I } } },
    { "indirect-over-max-descriptors",
      .arrange = arrange_indirect_over_max_descriptors },
    { "indirect-without-feature", 0, { { ITABLE, 0, BUF, 1 },
      { DESC, 0, ITABLE, 16, I } }, .features = F(VIRTIO_F_VERSION_1) },
    { "buffer-beyond-ram", 0, { { DESC, 0, RAM_END, 16 } } },
    { "buffer-straddling-ram-end", 0, { { DESC, 0, RAM_END - 8, 16, W } } },
    { "addr-len-overflow", 0, { { DESC, 0, UINT64_MAX - 4, 16 } } },
    { "buffer-in-mmio", 0, { { DESC, 0, MMIO_BASE, 4 } } },
    { "writable-buffer-in-rom", 0, { { DESC, 0, ROM_BASE, 4, W } } },
    { "zero-length-buffer", 0, { { DESC, 0, BUF, 0 } } },
    { "readable-after-writable", 0, { { DESC, 0, BUF, 1, W | N, 1 },
      { DESC, 1, BUF, 1 } } },
    { "out-bytes-over-max", 0, { { DESC, 0, RAM_BASE, RAM_SIZE, N, 1 },
      { DESC, 1, BUF, 1 } } },
};

static void test_hostile(void *f, const void *data)
{
    const Hostile *h = data;

    driver_start(h->features ? h->features : DEFAULT_FEATURES);
    if (h->arrange) {
        h->arrange();
    } else {
        for (unsigned i = 0; i < G_N_ELEMENTS(h->desc) && h->desc[i].table;
             i++) {
            const DescSpec *ds = &h->desc[i];

            set_desc(ds->table, ds->i, ds->addr, ds->len, ds->flags, ds->next);
        }
        avail_add(h->head);
    }
    kick_expect_broken();
}

static void test_notify_after_broken_does_nothing(void *f, const void *d)
{
    unsigned handled;

    driver_start(DEFAULT_FEATURES);
    set_desc(DESC, 0, BUF, 1, N, 0);
    avail_add(0);
    kick();
    g_assert_true(vdev->broken);
    handled = tdev->handled;
    set_desc(DESC, 2, BUF, 1, 0, 0);
    avail_add(2);
    kick();
    virtio_notify(vdev, tdev->vq);
    virtio_notify_config(vdev);
    g_assert_cmpuint(tdev->handled, ==, handled);
    assert_broken_then_recovers(0);
}

/* Rings in RAM2, which goes away under the running queue. */
static void test_rings_unmapped_marks_device_broken(void *f, const void *d)
{
    driver_start_at(DEFAULT_FEATURES, RAM2_BASE, RAM2_BASE + PAGE,
                    RAM2_BASE + 2 * PAGE);
    memory_region_set_enabled(&ram2_mr, false);
    kick();
    memory_region_set_enabled(&ram2_mr, true);
    assert_broken_then_recovers(0);
}

/* The used ring goes away between pop and push. */
static void test_used_ring_unmapped_marks_device_broken(void *f, const void *d)
{
    driver_start_at(DEFAULT_FEATURES, DESC, AVAIL, RAM2_BASE);
    set_desc(DESC, 0, BUF, 1, 0, 0);
    avail_add(0);
    memory_region_set_enabled(&ram2_mr, false);
    kick();
    memory_region_set_enabled(&ram2_mr, true);
    g_assert_cmpuint(tdev->popped, ==, 1);
    assert_broken_then_recovers(1);
}

/* ---- main --------------------------------------------------------------- */

static uint64_t mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    mmio_accesses++;
    return 0;
}

static void mmio_write(void *opaque, uint64_t addr, uint64_t val,
                       unsigned size)
{
    mmio_accesses++;
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static uint8_t *map_ram(MemoryRegion *mr, const char *name, uint64_t base,
                        uint64_t size)
{
    uint8_t *host = g_malloc0(size);

    memory_region_init_ram_ptr(mr, name, size, host);
    memory_region_add_subregion(&root_mr, base, mr);
    return host;
}

static void memory_setup(void)
{
    memory_region_init_container(&root_mr, "root", 0);
    ram = map_ram(&ram_mr, "ram", RAM_BASE, RAM_SIZE);
    ram2 = map_ram(&ram2_mr, "ram2", RAM2_BASE, 4 * PAGE);
    rom = map_ram(&rom_mr, "rom", ROM_BASE, PAGE);
    memory_region_set_readonly(&rom_mr, true);
    memory_region_init_io(&mmio_mr, &mmio_ops, NULL, "mmio", PAGE);
    memory_region_add_subregion(&root_mr, MMIO_BASE, &mmio_mr);
    address_space_init(&address_space_memory, &root_mr, "memory");
}

static void memory_teardown(void)
{
    address_space_destroy(&address_space_memory);
    memory_region_destroy(&root_mr);
    rcu_barrier();      /* views may still point at the regions */
    memory_region_destroy(&ram_mr);
    memory_region_destroy(&ram2_mr);
    memory_region_destroy(&rom_mr);
    memory_region_destroy(&mmio_mr);
    g_free(ram);
    g_free(ram2);
    g_free(rom);
}

/* "/virtio/<group>/<fn without test_, dashes for underscores>" */
#define ADD(group, fn) do {                                                  \
        g_autofree char *path_ = g_strdelimit(                               \
            g_strdup("/virtio/" group "/" #fn), "_", '-');                   \
        g_test_add_vtable(path_, 0, NULL, setup, test_##fn, teardown);       \
    } while (0)

int main(int argc, char **argv)
{
    int ret;

    rcu_register_thread();
    g_test_init(&argc, &argv, NULL);
    qom_register_types();
    device_register_types();
    virtio_register_types();
    type_register_static(&test_virtio_info);
    memory_setup();

    ADD("queue", direct_chain_roundtrip);
    ADD("queue", indirect_table_roundtrip);
    ADD("queue", reply_stops_at_end_of_in_buffers);
    ADD("queue", out_is_a_copy);
    ADD("queue", many_requests_in_one_kick);
    ADD("queue", used_idx_wraps_at_65536);
    ADD("queue", no_interrupt_suppresses_notify);
    ADD("queue", event_idx_suppresses_notify);
    ADD("queue", small_queue_wraps_its_ring);
    ADD("queue", notify_on_disabled_queue_ignored);
    ADD("queue", notify_before_driver_ok_ignored);
    ADD("queue", push_after_reset_is_dropped);
    for (size_t i = 0; i < G_N_ELEMENTS(hostile); i++) {
        g_autofree char *path = g_strdup_printf(
            "/virtio/queue/%s-marks-device-broken", hostile[i].rule);

        g_test_add_vtable(path, 0, &hostile[i], setup, test_hostile,
                          teardown);
    }
    ADD("queue", notify_after_broken_does_nothing);
    ADD("queue", rings_unmapped_marks_device_broken);
    ADD("queue", used_ring_unmapped_marks_device_broken);
    ret = g_test_run();
    memory_teardown();
    rcu_unregister_thread();
    return ret;
}
