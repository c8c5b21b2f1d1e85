/* virtio device core: negotiation, status, queue registers, config. */
#include <glib.h>
#include <urcu.h>

#include "hw/virtio/virtio.h"
#include "qom/device.h"
#include "qom/object.h"
#include "system/memory.h"

/*
 * Where enabling a queue may put its rings: 64 KiB of RAM, then a page
 * of ROM and a page of MMIO; everything else is unassigned.
 */
#define RAM_BASE        UINT64_C(0x100000)
#define RAM_SIZE        0x10000
#define RAM_END         (RAM_BASE + RAM_SIZE)
#define ROM_BASE        UINT64_C(0x200000)
#define MMIO_BASE       UINT64_C(0x300000)
#define PAGE            0x1000
#define QMAX            16
#define DESC            RAM_BASE
#define AVAIL           (RAM_BASE + PAGE)
#define USED            (RAM_BASE + 2 * PAGE)

static MemoryRegion root_mr, ram_mr, rom_mr, mmio_mr;
static uint8_t ram[RAM_SIZE], rom[PAGE];
static const MemoryRegionOps mmio_ops;      /* reads all-ones, drops writes */

#define TEST_DEVICE_ID  99
#define TEST_FEATURE    0                       /* a device feature bit */
#define CONFIG_VECTOR   3
#define F(bit)          (UINT64_C(1) << (bit))
#define DRIVER_FEATURES \
    (F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_INDIRECT_DESC))

#define TYPE_TEST_VIRTIO "test-virtio-device"
#define TYPE_TEST_VIRTIO_NOINIT "test-virtio-noinit"

typedef struct TestVirtio {
    VirtIODevice parent_obj;
    bool refuse_features;           /* validate_features says no */
    uint64_t set_features;          /* what set_features was told */
    unsigned set_config_calls;
    unsigned resets;
} TestVirtio;

static TestVirtio *tdev;
static VirtIODevice *vdev;
static GArray *irqs;                /* uint16_t vectors the transport raised */

static bool test_realize(VirtIODevice *vd, Error **errp)
{
    virtio_init(vd, TEST_DEVICE_ID, 8);
    virtio_add_queue(vd, QMAX, NULL);
    return true;
}

static void test_unrealize(VirtIODevice *vd)
{
    virtio_cleanup(vd);
}

static uint64_t test_get_features(VirtIODevice *vd)
{
    return F(TEST_FEATURE);
}

static bool test_validate_features(VirtIODevice *vd)
{
    return !((TestVirtio *)vd)->refuse_features;
}

static void test_set_features(VirtIODevice *vd, uint64_t features)
{
    ((TestVirtio *)vd)->set_features = features;
}

/* Bytes 0..6 are the device's (0x10 + i); byte 7 is what the driver wrote. */
static void test_get_config(VirtIODevice *vd, uint8_t *config)
{
    for (unsigned i = 0; i < 7; i++) {
        config[i] = i + 0x10;
    }
}

static void test_set_config(VirtIODevice *vd, const uint8_t *config)
{
    ((TestVirtio *)vd)->set_config_calls++;
}

static void test_reset(VirtIODevice *vd)
{
    ((TestVirtio *)vd)->resets++;
}

static void test_class_init(ObjectClass *oc)
{
    VirtIODeviceClass *vdc = (VirtIODeviceClass *)oc;

    vdc->device_realize = test_realize;
    vdc->device_unrealize = test_unrealize;
    vdc->get_features = test_get_features;
    vdc->validate_features = test_validate_features;
    vdc->set_features = test_set_features;
    vdc->get_config = test_get_config;
    vdc->set_config = test_set_config;
    vdc->reset = test_reset;
}

static const TypeInfo test_virtio_info = {
    .name = TYPE_TEST_VIRTIO,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(TestVirtio),
    .class_init = test_class_init,
};

/* A device whose realize forgets virtio_init(). */
static const TypeInfo test_noinit_info = {
    .name = TYPE_TEST_VIRTIO_NOINIT,
    .parent = TYPE_VIRTIO_DEVICE,
};

static void fake_notify(void *opaque, uint16_t vector)
{
    g_array_append_val(irqs, vector);
}

static const VirtioTransportOps fake_transport = { .notify = fake_notify };

/* ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns the status read back. */
static uint8_t driver_negotiate(uint64_t features)
{
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER);
    virtio_set_driver_features(vdev, features);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_FEATURES_OK);
    return vdev->status;
}

static void setup(void *fx, const void *data)
{
    g_autoptr(Error) err = NULL;
    Object *obj = object_new(TYPE_TEST_VIRTIO);

    g_assert_true(object_realize(obj, &err));
    tdev = (TestVirtio *)obj;
    vdev = VIRTIO_DEVICE(obj);
    virtio_bind_transport(vdev, &fake_transport, NULL);
    irqs = g_array_new(false, false, sizeof(uint16_t));
}

static void teardown(void *fx, const void *data)
{
    object_unref(OBJECT(vdev));
    g_array_free(irqs, true);
}

/* ---- features ----------------------------------------------------------- */

static void test_offers_version_1_ring_and_device_features(void *f,
                                                           const void *d)
{
    g_assert_cmphex(virtio_device_features(vdev), ==,
                    F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_INDIRECT_DESC) |
                    F(VIRTIO_RING_F_EVENT_IDX) | F(TEST_FEATURE));
    g_assert_cmpuint(vdev->device_id, ==, TEST_DEVICE_ID);
}

static void test_features_ok_needs_version_1(void *f, const void *d)
{
    g_assert_false(driver_negotiate(F(TEST_FEATURE)) &
                   VIRTIO_CONFIG_S_FEATURES_OK);
    /* What the driver did set sticks; only FEATURES_OK was refused. */
    g_assert_cmphex(vdev->status, ==,
                    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    g_assert_cmphex(tdev->set_features, ==, 0);
}

static void test_features_ok_refused_for_unoffered_bit(void *f, const void *d)
{
    g_assert_false(driver_negotiate(F(VIRTIO_F_VERSION_1) | F(40)) &
                   VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_false(driver_negotiate(F(VIRTIO_F_VERSION_1) |
                                    F(VIRTIO_F_ACCESS_PLATFORM)) &
                   VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_true(driver_negotiate(F(VIRTIO_F_VERSION_1) | F(TEST_FEATURE)) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
}

static void test_features_ok_refused_when_device_says_no(void *f,
                                                         const void *d)
{
    tdev->refuse_features = true;
    g_assert_false(driver_negotiate(DRIVER_FEATURES) &
                   VIRTIO_CONFIG_S_FEATURES_OK);
    tdev->refuse_features = false;
    g_assert_true(driver_negotiate(DRIVER_FEATURES) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmphex(tdev->set_features, ==, DRIVER_FEATURES);
}

static void test_frozen_after_features_ok(void *f, const void *d)
{
    g_assert_true(driver_negotiate(DRIVER_FEATURES) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_set_driver_features(vdev, F(VIRTIO_F_VERSION_1) |
                                     F(VIRTIO_RING_F_EVENT_IDX));
    g_assert_cmphex(vdev->guest_features, ==, DRIVER_FEATURES);
    g_assert_true(virtio_vdev_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC));
    g_assert_false(virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX));
    g_assert_false(virtio_vdev_has_feature(vdev, 64));
    /* A reset thaws them. */
    virtio_set_status(vdev, 0);
    g_assert_cmphex(vdev->guest_features, ==, 0);
    virtio_set_driver_features(vdev, F(VIRTIO_F_VERSION_1));
    g_assert_cmphex(vdev->guest_features, ==, F(VIRTIO_F_VERSION_1));
}

/* ---- status ------------------------------------------------------------- */

static void test_driver_ok_needs_features_ok(void *f, const void *d)
{
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_false(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_false(driver_negotiate(F(TEST_FEATURE)) &
                   VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_false(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK);
}

static void test_bits_stick_until_reset(void *f, const void *d)
{
    g_assert_true(driver_negotiate(DRIVER_FEATURES) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    g_assert_cmphex(vdev->status, ==, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                    VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
                    VIRTIO_CONFIG_S_DRIVER_OK);
    /* NEEDS_RESET and reserved bits are not the driver's to set. */
    virtio_set_status(vdev, VIRTIO_CONFIG_S_NEEDS_RESET | 0x30);
    g_assert_false(vdev->status & (VIRTIO_CONFIG_S_NEEDS_RESET | 0x30));
    g_assert_false(vdev->broken);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_FAILED);
    g_assert_true(vdev->status & VIRTIO_CONFIG_S_FAILED);
    virtio_set_status(vdev, 0);
    g_assert_cmphex(vdev->status, ==, 0);
}

static void test_error_sets_needs_reset_once(void *f, const void *d)
{
    g_assert_true(driver_negotiate(DRIVER_FEATURES) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    vdev->config_vector = CONFIG_VECTOR;
    virtio_error(vdev, "test error %d", 1);
    virtio_error(vdev, "test error %d", 2);
    g_assert_true(vdev->broken);
    g_assert_true(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpuint(irqs->len, ==, 1);
    g_assert_cmpuint(g_array_index(irqs, uint16_t, 0), ==, CONFIG_VECTOR);
    g_assert_cmpuint(vdev->error_count, ==, 1);
    virtio_set_status(vdev, 0);
    g_assert_false(vdev->broken);
    g_assert_cmphex(vdev->config_vector, ==, VIRTIO_NO_VECTOR_INDEX);
}

static void test_zero_resets_device(void *f, const void *d)
{
    uint64_t desc, avail, used;

    g_assert_true(driver_negotiate(DRIVER_FEATURES) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    vdev->config_vector = CONFIG_VECTOR;
    virtio_queue_set_size(vdev, 0, 4);
    virtio_queue_set_addrs(vdev, 0, 0x1000, 0x2000, 0x3000);
    virtio_queue_set_vector(vdev, 0, 1);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    virtio_error(vdev, "broken before the reset");
    g_assert_cmpuint(vdev->isr, !=, 0);
    virtio_set_status(vdev, 0);
    g_assert_cmpuint(tdev->resets, ==, 1);
    g_assert_cmpuint(vdev->status, ==, 0);
    g_assert_cmpuint(vdev->isr, ==, 0);
    g_assert_false(vdev->broken);
    g_assert_cmphex(vdev->guest_features, ==, 0);
    g_assert_cmphex(vdev->config_vector, ==, VIRTIO_NO_VECTOR_INDEX);
    g_assert_false(virtio_queue_get_enabled(vdev, 0));
    g_assert_cmpuint(virtio_queue_get_size(vdev, 0), ==, QMAX);
    g_assert_cmphex(virtio_queue_get_vector(vdev, 0), ==,
                    VIRTIO_NO_VECTOR_INDEX);
    virtio_queue_get_addrs(vdev, 0, &desc, &avail, &used);
    g_assert_cmphex(desc | avail | used, ==, 0);
    /* A machine reset (reboot) does the same. */
    g_assert_true(driver_negotiate(DRIVER_FEATURES) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    object_get_class(OBJECT(vdev))->reset(OBJECT(vdev));
    g_assert_cmpuint(tdev->resets, ==, 2);
    g_assert_cmpuint(vdev->status, ==, 0);
}

/* Sizes that are 0, not a power of two or above the maximum are ignored. */
static void test_bad_queue_sizes_ignored(void *f, const void *d)
{
    g_assert_cmpuint(virtio_queue_get_max_size(vdev, 0), ==, 16);
    virtio_queue_set_size(vdev, 0, 3);
    virtio_queue_set_size(vdev, 0, 0);
    virtio_queue_set_size(vdev, 0, 32);
    g_assert_cmpuint(virtio_queue_get_size(vdev, 0), ==, QMAX);
    virtio_queue_set_size(vdev, 0, 8);
    g_assert_cmpuint(virtio_queue_get_size(vdev, 0), ==, 8);
}

/* Queue numbers the device does not have read as absent and do nothing. */
static void test_absent_queues_ignored(void *f, const void *d)
{
    uint64_t desc, avail, used;

    g_assert_cmpuint(virtio_num_queues(vdev), ==, 1);
    g_assert_cmpuint(virtio_queue_get_max_size(vdev, 1), ==, 0);
    g_assert_cmpuint(virtio_queue_get_size(vdev, UINT32_MAX), ==, 0);
    virtio_queue_set_size(vdev, 1, 8);
    virtio_queue_set_addrs(vdev, 1, 1, 2, 3);
    virtio_queue_get_addrs(vdev, 1, &desc, &avail, &used);
    g_assert_cmphex(desc | avail | used, ==, 0);
    virtio_queue_set_vector(vdev, 1, 5);
    g_assert_cmphex(virtio_queue_get_vector(vdev, 1), ==,
                    VIRTIO_NO_VECTOR_INDEX);
    virtio_queue_set_enabled(vdev, 1, true);
    g_assert_false(virtio_queue_get_enabled(vdev, 1));
    virtio_queue_notify(vdev, 1);
    virtio_queue_notify(vdev, UINT32_MAX);
    g_assert_false(vdev->broken);
}

/*
 * Enabling with rings at (desc, avail, used) must fail: the queue stays
 * disabled, the device needs a reset and says so with a config
 * interrupt; after the reset, rings in RAM enable fine.
 */
static void enable_expect_broken(uint64_t desc, uint64_t avail, uint64_t used)
{
    uint64_t features = DRIVER_FEATURES | F(VIRTIO_RING_F_EVENT_IDX);

    g_assert_true(driver_negotiate(features) & VIRTIO_CONFIG_S_FEATURES_OK);
    vdev->config_vector = CONFIG_VECTOR;
    g_array_set_size(irqs, 0);
    virtio_queue_set_addrs(vdev, 0, desc, avail, used);
    virtio_queue_set_enabled(vdev, 0, true);
    g_assert_false(virtio_queue_get_enabled(vdev, 0));
    g_assert_true(vdev->broken);
    g_assert_true(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpuint(irqs->len, ==, 1);
    g_assert_cmpuint(g_array_index(irqs, uint16_t, 0), ==, CONFIG_VECTOR);

    virtio_set_status(vdev, 0);
    g_assert_true(driver_negotiate(features) & VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_queue_set_addrs(vdev, 0, DESC, AVAIL, USED);
    virtio_queue_set_enabled(vdev, 0, true);
    g_assert_true(virtio_queue_get_enabled(vdev, 0));
    g_assert_false(vdev->broken);
    virtio_set_status(vdev, 0);
}

static void test_enable_rings_outside_ram_marks_device_broken(void *f,
                                                              const void *d)
{
    enable_expect_broken(RAM_END, AVAIL, USED);
    enable_expect_broken(DESC, MMIO_BASE, USED);
    enable_expect_broken(DESC, AVAIL, ROM_BASE);
    enable_expect_broken(RAM_END - 16 * QMAX + 16, AVAIL, USED);
    /* No room left for used_event, then for avail_event. */
    enable_expect_broken(DESC, RAM_END - 4 - 2 * QMAX, USED);
    enable_expect_broken(DESC, AVAIL, RAM_END - 4 - 8 * QMAX);
    enable_expect_broken(DESC, AVAIL, UINT64_MAX - 3);
}

static void test_enable_misaligned_rings_marks_device_broken(void *f,
                                                             const void *d)
{
    enable_expect_broken(DESC + 8, AVAIL, USED);
    enable_expect_broken(DESC, AVAIL + 1, USED);
    enable_expect_broken(DESC, AVAIL, USED + 2);
}

/* Size and addresses are fixed while the queue is enabled. */
static void test_enabled_queue_keeps_size_and_addrs(void *f, const void *d)
{
    uint64_t desc, avail, used;

    g_assert_true(driver_negotiate(DRIVER_FEATURES) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_queue_set_size(vdev, 0, 8);
    virtio_queue_set_addrs(vdev, 0, DESC, AVAIL, USED);
    virtio_queue_set_enabled(vdev, 0, true);
    g_assert_true(virtio_queue_get_enabled(vdev, 0));
    virtio_queue_set_size(vdev, 0, 4);
    virtio_queue_set_addrs(vdev, 0, 0, 0, 0);
    g_assert_cmpuint(virtio_queue_get_size(vdev, 0), ==, 8);
    virtio_queue_get_addrs(vdev, 0, &desc, &avail, &used);
    g_assert_cmphex(desc, ==, DESC);
    g_assert_cmphex(avail, ==, AVAIL);
    g_assert_cmphex(used, ==, USED);
    virtio_queue_set_enabled(vdev, 0, false);
    virtio_queue_set_size(vdev, 0, 4);
    g_assert_cmpuint(virtio_queue_get_size(vdev, 0), ==, 4);
}

static void test_realize_without_virtio_init_fails(void *f, const void *d)
{
    g_autoptr(Error) err = NULL;
    Object *obj = object_new(TYPE_TEST_VIRTIO_NOINIT);

    g_assert_false(object_realize(obj, &err));
    g_assert_nonnull(err);
    object_unref(obj);
}

/* ---- config ------------------------------------------------------------- */

static void test_reads_and_writes_in_bounds_only(void *f, const void *d)
{
    g_assert_cmphex(virtio_config_read(vdev, 0, 4), ==, 0x13121110);
    g_assert_cmphex(virtio_config_read(vdev, 5, 2), ==, 0x1615);
    virtio_config_write(vdev, 7, 0xab, 1);
    g_assert_cmpuint(tdev->set_config_calls, ==, 1);
    g_assert_cmphex(virtio_config_read(vdev, 4, 4), ==, 0xab161514);
    g_assert_cmphex(virtio_config_read(vdev, 6, 4), ==, 0xffffffff);
    g_assert_cmphex(virtio_config_read(vdev, 8, 1), ==, 0xff);
    g_assert_cmphex(virtio_config_read(vdev, 7, 2), ==, 0xffff);
    g_assert_cmphex(virtio_config_read(vdev, UINT32_MAX, 4), ==, 0xffffffff);
    g_assert_cmphex(virtio_config_read(vdev, 0, 3), ==, 0xffffffff);
    g_assert_cmphex(virtio_config_read(vdev, 0, 8), ==, 0xffffffff);
    virtio_config_write(vdev, UINT32_MAX - 1, 0xffff, 4);
    virtio_config_write(vdev, 6, 0xffffffff, 4);
    virtio_config_write(vdev, 7, 0xff, 3);
    g_assert_cmpuint(tdev->set_config_calls, ==, 1);
    g_assert_cmphex(virtio_config_read(vdev, 7, 1), ==, 0xab);
}

static void test_notify_only_after_features_ok(void *f, const void *d)
{
    uint8_t gen = vdev->config_generation;

    virtio_notify_config(vdev);
    g_assert_cmpuint(vdev->config_generation, ==, (uint8_t)(gen + 1));
    g_assert_cmpuint(irqs->len, ==, 0);
    g_assert_cmphex(virtio_read_isr(vdev), ==, 0);
    g_assert_true(driver_negotiate(DRIVER_FEATURES) &
                  VIRTIO_CONFIG_S_FEATURES_OK);
    vdev->config_vector = CONFIG_VECTOR;
    virtio_notify_config(vdev);
    g_assert_cmpuint(irqs->len, ==, 1);
    g_assert_cmpuint(g_array_index(irqs, uint16_t, 0), ==, CONFIG_VECTOR);
    g_assert_cmphex(virtio_read_isr(vdev), ==, VIRTIO_ISR_CONFIG);
    g_assert_cmphex(virtio_read_isr(vdev), ==, 0);
}

/* "/virtio/<group>/<fn without test_, dashes for underscores>" */
#define ADD(group, fn) do {                                                  \
        g_autofree char *path_ = g_strdelimit(                               \
            g_strdup("/virtio/" group "/" #fn), "_", '-');                   \
        g_test_add_vtable(path_, 0, NULL, setup, test_##fn, teardown);       \
    } while (0)

static void memory_setup(void)
{
    memory_region_init_container(&root_mr, "root", 0);
    memory_region_init_ram_ptr(&ram_mr, "ram", RAM_SIZE, ram);
    memory_region_init_ram_ptr(&rom_mr, "rom", PAGE, rom);
    memory_region_set_readonly(&rom_mr, true);
    memory_region_init_io(&mmio_mr, &mmio_ops, NULL, "mmio", PAGE);
    memory_region_add_subregion(&root_mr, RAM_BASE, &ram_mr);
    memory_region_add_subregion(&root_mr, ROM_BASE, &rom_mr);
    memory_region_add_subregion(&root_mr, MMIO_BASE, &mmio_mr);
    address_space_init(&address_space_memory, &root_mr, "memory");
}

static void memory_teardown(void)
{
    address_space_destroy(&address_space_memory);
    memory_region_destroy(&root_mr);
    rcu_barrier();      /* views may still point at the regions */
    memory_region_destroy(&ram_mr);
    memory_region_destroy(&rom_mr);
    memory_region_destroy(&mmio_mr);
}

int main(int argc, char **argv)
{
    int ret;

    rcu_register_thread();
    g_test_init(&argc, &argv, NULL);
    memory_setup();
    qom_register_types();
    device_register_types();
    virtio_register_types();
    type_register_static(&test_virtio_info);
    type_register_static(&test_noinit_info);
    ADD("features", offers_version_1_ring_and_device_features);
    ADD("features", features_ok_needs_version_1);
    ADD("features", features_ok_refused_for_unoffered_bit);
    ADD("features", features_ok_refused_when_device_says_no);
    ADD("features", frozen_after_features_ok);
    ADD("status", driver_ok_needs_features_ok);
    ADD("status", bits_stick_until_reset);
    ADD("status", error_sets_needs_reset_once);
    ADD("status", zero_resets_device);
    ADD("queue", bad_queue_sizes_ignored);
    ADD("queue", absent_queues_ignored);
    ADD("queue", enabled_queue_keeps_size_and_addrs);
    ADD("queue", enable_rings_outside_ram_marks_device_broken);
    ADD("queue", enable_misaligned_rings_marks_device_broken);
    ADD("device", realize_without_virtio_init_fails);
    ADD("config", reads_and_writes_in_bounds_only);
    ADD("config", notify_only_after_features_ok);
    ret = g_test_run();
    memory_teardown();
    rcu_unregister_thread();
    return ret;
}
