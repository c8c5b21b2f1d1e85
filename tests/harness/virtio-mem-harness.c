/* An in-process virtio-mem with a minimal guest driver: for unit tests and the fuzz target. */
#include "virtio-mem-harness.h"

#include <string.h>
#include <sys/mman.h>
#include <urcu.h>
#include "backends/hostmem.h"
#include "hw/virtio/virtio.h"
#include "qom/device.h"
#include "system/physmem.h"

/* Guest RAM for the rings and buffers: 1 MiB at 1 MiB. */
#define RAM_BASE    UINT64_C(0x100000)
#define RAM_SIZE    UINT64_C(0x100000)
#define DESC        (RAM_BASE + 0x0000)
#define AVAIL       (RAM_BASE + 0x1000)
#define USED        (RAM_BASE + 0x2000)
#define REQ_BUF     (RAM_BASE + 0x10000)
#define RESP_BUF    (RAM_BASE + 0x20000)
#define QSIZE       16
#define CONFIG_VECTOR 0
#define QUEUE_VECTOR  1

struct VirtioMemHarness {
    MemoryRegion root, ram;
    uint8_t *ram_host;
    Object *backend;
    VirtIOMEM *vmem;
    VirtIODevice *vdev;
    uint16_t avail_idx, used_seen;
    unsigned config_irqs;
    bool accept_ui;
};

static void fake_notify(void *opaque, uint16_t vector)
{
    VirtioMemHarness *h = opaque;

    if (vector == CONFIG_VECTOR) {
        h->config_irqs++;
    }
}

static const VirtioTransportOps harness_transport = { .notify = fake_notify };

static void register_types_once(void)
{
    static bool done;

    if (done) {
        return;
    }
    rcu_register_thread();
    qom_register_types();
    device_register_types();
    backends_register_types();
    virtio_register_types();
    virtio_mem_register_types();
    done = true;
}

static void put(uint64_t gpa, uint64_t v, unsigned size)
{
    g_assert_cmpint(address_space_st(&address_space_memory, gpa, size, v), ==,
                    MEMTX_OK);
}

static uint64_t get(uint64_t gpa, unsigned size)
{
    uint64_t v = 0;

    address_space_ld(&address_space_memory, gpa, size, &v);
    return v;
}

static void negotiate(VirtioMemHarness *h)
{
    VirtIODevice *vdev = h->vdev;
    uint64_t f = virtio_device_features(vdev);

    if (!h->accept_ui) {
        f &= ~(UINT64_C(1) << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);
    }
    f &= ~((UINT64_C(1) << VIRTIO_RING_F_EVENT_IDX) |
           (UINT64_C(1) << VIRTIO_RING_F_INDIRECT_DESC));
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER);
    virtio_set_driver_features(vdev, f);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_FEATURES_OK);
    if (!(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
        return;     /* refused: the device stays unusable, as for a guest */
    }
    vdev->config_vector = CONFIG_VECTOR;
    virtio_queue_set_size(vdev, 0, QSIZE);
    virtio_queue_set_addrs(vdev, 0, DESC, AVAIL, USED);
    virtio_queue_set_vector(vdev, 0, QUEUE_VECTOR);
    virtio_queue_set_enabled(vdev, 0, true);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    memset(h->ram_host + (DESC - RAM_BASE), 0, 0x3000);
    h->avail_idx = h->used_seen = 0;
}

VirtioMemHarness *harness_new(const HarnessConfig *cfg)
{
    VirtioMemHarness *h = g_new0(VirtioMemHarness, 1);
    Object *dev;

    register_types_once();
    h->accept_ui = cfg->accept_ui;
    h->ram_host = g_malloc0(RAM_SIZE);
    memory_region_init_container(&h->root, "root", 0);
    memory_region_init_ram_ptr(&h->ram, "ram", RAM_SIZE, h->ram_host);
    memory_region_add_subregion(&h->root, RAM_BASE, &h->ram);
    address_space_init(&address_space_memory, &h->root, "memory");

    h->backend = object_new(cfg->backend_type ? cfg->backend_type
                                              : TYPE_MEMORY_BACKEND_RAM);
    g_assert_true(object_property_set_uint(h->backend, "size",
                                           cfg->region_size, NULL));
    if (cfg->hugetlb) {
        g_assert_true(object_property_set_bool(h->backend, "hugetlb", true,
                                               NULL));
        g_assert_true(object_property_set_bool(h->backend, "reserve", false,
                                               NULL));
    }
    g_assert_true(object_add_child(container_get("/objects"), "hmem",
                                   h->backend, NULL));
    g_assert_true(object_realize(h->backend, NULL));

    dev = object_new(TYPE_VIRTIO_MEM);
    g_assert_true(object_property_set_link(dev, "memdev", h->backend, NULL));
    g_assert_true(object_property_set_uint(dev, "memaddr",
                                           HARNESS_DEVICE_ADDR, NULL));
    g_assert_true(object_property_set_uint(dev, "requested-size",
                                           cfg->requested_size, NULL));
    g_assert_true(object_property_set_bool(dev, "prealloc", cfg->prealloc,
                                           NULL));
    if (cfg->block_size) {
        g_assert_true(object_property_set_uint(dev, "block-size",
                                               cfg->block_size, NULL));
    }
    g_assert_true(object_add_child(container_get("/machine/unattached"),
                                   "vmem", dev, NULL));
    g_assert_true(object_realize(dev, NULL));
    h->vmem = VIRTIO_MEM(dev);
    h->vdev = VIRTIO_DEVICE(dev);
    object_unref(dev);
    memory_region_add_subregion(&h->root, HARNESS_DEVICE_ADDR,
                                &h->vmem->region);
    virtio_bind_transport(h->vdev, &harness_transport, h);
    negotiate(h);
    return h;
}

void harness_free(VirtioMemHarness *h)
{
    memory_region_del_subregion(&h->root, &h->vmem->region);
    object_unparent(OBJECT(h->vmem));
    object_unparent(h->backend);
    object_unref(h->backend);
    /* Old flat views and extents are freed by call_rcu on their own. */
    address_space_destroy(&address_space_memory);
    object_unparent(container_get("/machine"));
    object_unparent(container_get("/objects"));
    memory_region_del_subregion(&h->root, &h->ram);
    memory_region_destroy(&h->ram);
    memory_region_destroy(&h->root);
    g_free(h->ram_host);
    g_free(h);
}

VirtIOMEM *harness_device(VirtioMemHarness *h)
{
    return h->vmem;
}

uint8_t harness_status(VirtioMemHarness *h)
{
    return h->vdev->status;
}

bool harness_request_raw(VirtioMemHarness *h, const void *req,
                         uint32_t out_len, uint32_t in_len,
                         struct virtio_mem_resp *resp)
{
    uint16_t head = h->avail_idx % QSIZE * 2 % QSIZE;
    uint8_t copy[64] = { 0 };

    g_assert_cmpuint(out_len, <=, sizeof(copy));
    memcpy(copy, req, MIN(out_len, sizeof(struct virtio_mem_req)));
    address_space_write(&address_space_memory, REQ_BUF, copy, out_len);
    address_space_write(&address_space_memory, RESP_BUF, copy, 0);
    /* desc[head]: request (readable) -> desc[head+1]: response (writable) */
    put(DESC + head * 16, REQ_BUF, 8);
    put(DESC + head * 16 + 8, out_len, 4);
    put(DESC + head * 16 + 12, VRING_DESC_F_NEXT, 2);
    put(DESC + head * 16 + 14, head + 1, 2);
    put(DESC + (head + 1) * 16, RESP_BUF, 8);
    put(DESC + (head + 1) * 16 + 8, in_len, 4);
    put(DESC + (head + 1) * 16 + 12, VRING_DESC_F_WRITE, 2);
    put(AVAIL + 4 + (h->avail_idx % QSIZE) * 2, head, 2);
    h->avail_idx++;
    put(AVAIL + 2, h->avail_idx, 2);
    virtio_queue_notify(h->vdev, 0);
    if (get(USED + 2, 2) == h->used_seen) {
        return false;
    }
    h->used_seen++;
    address_space_read(&address_space_memory, RESP_BUF, resp, sizeof(*resp));
    return true;
}

uint16_t harness_request(VirtioMemHarness *h, uint16_t type, uint64_t addr,
                         uint16_t nb_blocks, uint16_t *state)
{
    struct virtio_mem_req req = { .type = type };
    struct virtio_mem_resp resp = { .type = 0xffff };

    req.u.plug.addr = addr;
    req.u.plug.nb_blocks = nb_blocks;
    g_assert_true(harness_request_raw(h, &req, sizeof(req), sizeof(resp),
                                      &resp));
    if (state) {
        *state = resp.u.state.state;
    }
    return resp.type;
}

struct virtio_mem_config harness_config(VirtioMemHarness *h)
{
    struct virtio_mem_config cfg;
    uint8_t *p = (uint8_t *)&cfg;

    for (uint32_t i = 0; i < sizeof(cfg); i++) {
        p[i] = (uint8_t)virtio_config_read(h->vdev, i, 1);
    }
    return cfg;
}

unsigned harness_config_interrupts(VirtioMemHarness *h)
{
    return h->config_irqs;
}

uint64_t harness_read_guest(VirtioMemHarness *h, uint64_t addr)
{
    return get(addr, 8);
}

void harness_write_guest(VirtioMemHarness *h, uint64_t addr, uint64_t val)
{
    address_space_st(&address_space_memory, addr, 8, val);
}

uint64_t harness_resident(VirtioMemHarness *h)
{
    HostMemoryBackend *b = (HostMemoryBackend *)h->backend;
    uint64_t len = host_memory_backend_get_size(b), pages = len / 4096, n = 0;
    g_autofree unsigned char *vec = g_malloc(pages);

    g_assert_cmpint(mincore(host_memory_backend_get_host(b), len, vec), ==, 0);
    for (uint64_t i = 0; i < pages; i++) {
        n += vec[i] & 1;
    }
    return n * 4096;
}

void harness_device_reset(VirtioMemHarness *h)
{
    virtio_set_status(h->vdev, 0);
    negotiate(h);
}
