/*
 * Memory-device placement follows QEMU 7.2's memory-device.c: first fit,
 * memaddr= hints, the space budget, and its error texts word for word.
 * Each test is named after the rule it checks.
 */
#include <glib.h>
#include <stdint.h>
#include "hw/mem/memory-device.h"
#include "hw/mem/memory-device-addr.h"
#include "qom/device.h"
#include "system/memory.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

/* The area QEMU's observed runs report: 8 GiB at 4 GiB. */
#define AREA_BASE UINT64_C(0x100000000)
#define AREA_SIZE UINT64_C(0x200000000)

/* find_addr, expecting success; returns the address. */
static uint64_t find_ok(uint64_t base, uint64_t area_size,
                        const MemoryDeviceRange *used, size_t nr_used,
                        uint64_t align, uint64_t size, const uint64_t *hint)
{
    g_autoptr(Error) err = NULL;
    uint64_t addr = 0;

    if (!memory_device_find_addr(base, area_size, used, nr_used, align, size,
                                 hint, &addr, &err)) {
        g_error("find_addr failed: %s", error_get_pretty(err));
    }
    return addr;
}

/* find_addr, expecting exactly this message; *addr must stay untouched. */
static void find_fails(uint64_t base, uint64_t area_size,
                       const MemoryDeviceRange *used, size_t nr_used,
                       uint64_t align, uint64_t size, const uint64_t *hint,
                       const char *message)
{
    g_autoptr(Error) err = NULL;
    uint64_t addr = 0xdead;

    g_assert_false(memory_device_find_addr(base, area_size, used, nr_used,
                                           align, size, hint, &addr, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, message);
    g_assert_cmphex(addr, ==, 0xdead);

    /* errp may be NULL: still a failure. */
    g_assert_false(memory_device_find_addr(base, area_size, used, nr_used,
                                           align, size, hint, &addr, NULL));
}

static void space_fails(uint64_t used_total, uint64_t space_total,
                        uint64_t size, const char *message)
{
    g_autoptr(Error) err = NULL;

    g_assert_false(memory_device_check_space(used_total, space_total, size,
                                             &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, message);
}

static const char fragmented[] =
    "could not find position in guest address space for memory device - "
    "memory fragmented due to alignments";

static void test_first_fit_in_empty_area(void)
{
    /* QEMU's observed default: a 4 GiB device lands at the area's base. */
    g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, NULL, 0, 2 * MiB, 4 * GiB,
                            NULL), ==, AREA_BASE);
    /* A device exactly as big as the area fits. */
    g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, NULL, 0, 2 * MiB, AREA_SIZE,
                            NULL), ==, AREA_BASE);
    /* align 0 is no alignment. */
    g_assert_cmphex(find_ok(0x1000, 0x10000, NULL, 0, 0, 0x1000, NULL), ==,
                    0x1000);
}

static void test_alignment_skips_to_next_boundary(void)
{
    const MemoryDeviceRange used[] = {
        { .addr = AREA_BASE, .size = 2 * MiB, .id = "vm0" },
    };

    /* The area's base itself is rounded up to the alignment. */
    g_assert_cmphex(find_ok(AREA_BASE + MiB, AREA_SIZE, NULL, 0, 2 * MiB,
                            2 * MiB, NULL), ==, AREA_BASE + 2 * MiB);
    /* Past a small device, the next 1 GiB boundary, not its end. */
    g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, used, 1, GiB, GiB, NULL),
                    ==, AREA_BASE + GiB);
    /* With a small alignment, right after it. */
    g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, used, 1, 2 * MiB, GiB,
                            NULL), ==, AREA_BASE + 2 * MiB);
    /* Alignments need not be powers of two (QEMU divides). */
    g_assert_cmphex(find_ok(0, 100, NULL, 0, 3, 6, NULL), ==, 0);
    {
        const MemoryDeviceRange odd[] = { { .addr = 0, .size = 4 } };

        g_assert_cmphex(find_ok(0, 100, odd, 1, 3, 6, NULL), ==, 6);
    }
}

static void test_fills_gap_between_devices(void)
{
    /* Given out of order: the allocator sorts. */
    const MemoryDeviceRange used[] = {
        { .addr = AREA_BASE + 3 * GiB, .size = GiB, .id = "c" },
        { .addr = AREA_BASE, .size = GiB, .id = "a" },
        { .addr = AREA_BASE + GiB + 512 * MiB, .size = 512 * MiB, .id = "b" },
    };

    /* 512 MiB fits in the hole a..b. */
    g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, used, G_N_ELEMENTS(used),
                            2 * MiB, 512 * MiB, NULL), ==, AREA_BASE + GiB);
    /* 1 GiB fits in b..c, not in a..b. */
    g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, used, G_N_ELEMENTS(used),
                            2 * MiB, GiB, NULL), ==, AREA_BASE + 2 * GiB);
    /* 2 GiB fits only after c. */
    g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, used, G_N_ELEMENTS(used),
                            2 * MiB, 2 * GiB, NULL), ==, AREA_BASE + 4 * GiB);
    /* A zero-sized device occupies nothing. */
    {
        const MemoryDeviceRange empty[] = { { .addr = AREA_BASE } };

        g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, empty, 1, 2 * MiB,
                                GiB, NULL), ==, AREA_BASE);
    }
}

static void test_fragmentation_fails_with_qemu_message(void)
{
    /* 4 MiB in use of 4 GiB, but no 1 GiB-aligned 2 GiB hole. */
    const MemoryDeviceRange used[] = {
        { .addr = AREA_BASE, .size = 2 * MiB, .id = "vm0" },
        { .addr = AREA_BASE + 2 * GiB, .size = 2 * MiB, .id = "vm1" },
    };

    g_assert_true(memory_device_check_space(4 * MiB, 4 * GiB, 2 * GiB, NULL));
    find_fails(AREA_BASE, 4 * GiB, used, G_N_ELEMENTS(used), GiB, 2 * GiB,
               NULL, fragmented);
    /* A 1 GiB device with a small alignment fits right after vm0. */
    g_assert_cmphex(find_ok(AREA_BASE, 4 * GiB, used, G_N_ELEMENTS(used),
                            2 * MiB, GiB, NULL), ==, AREA_BASE + 2 * MiB);
}

static void test_exhaustion_fails(void)
{
    const MemoryDeviceRange used[] = {
        { .addr = AREA_BASE, .size = 2 * GiB, .id = "vm0" },
        { .addr = AREA_BASE + 2 * GiB, .size = 2 * GiB, .id = "vm1" },
    };

    find_fails(AREA_BASE, 4 * GiB, used, G_N_ELEMENTS(used), 2 * MiB,
               2 * MiB, NULL, fragmented);
    /* An empty area holds nothing. */
    find_fails(AREA_BASE, 0, NULL, 0, 2 * MiB, 2 * MiB, NULL, fragmented);
    /* Too big for an empty area: the same message, as QEMU. */
    find_fails(AREA_BASE, 4 * GiB, NULL, 0, 2 * MiB, 4 * GiB + 2 * MiB, NULL,
               fragmented);
    /* QEMU's space check catches the full area first. */
    space_fails(4 * GiB, 4 * GiB, 2 * MiB,
                "not enough space, currently 0x100000000 in use of total "
                "space for memory devices 0x100000000");
}

static void test_hint_honoured(void)
{
    const MemoryDeviceRange used[] = {
        { .addr = AREA_BASE + GiB, .size = GiB, .id = "vm0" },
    };
    uint64_t hint = UINT64_C(0x140000000);

    /* QEMU's observed memaddr=0x140000000 in an empty area. */
    g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, NULL, 0, 2 * MiB, 4 * GiB,
                            &hint), ==, hint);
    /* In the hole before a device, touching it. */
    hint = AREA_BASE;
    g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, used, 1, 2 * MiB, GiB,
                            &hint), ==, hint);
    /* Right after it, ending at the area's end. */
    hint = AREA_BASE + 2 * GiB;
    g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, used, 1, 2 * MiB,
                            AREA_SIZE - 2 * GiB, &hint), ==, hint);
    /* A hint below the first fit is still taken as given. */
    hint = AREA_BASE + 4 * GiB;
    g_assert_cmphex(find_ok(AREA_BASE, AREA_SIZE, NULL, 0, 2 * MiB, 2 * MiB,
                            &hint), ==, hint);
}

static void test_hint_unaligned_fails(void)
{
    const uint64_t hint = UINT64_C(0x100100000);

    /* QEMU's observed memaddr=0x100100000 with the 2 MiB block size. */
    find_fails(AREA_BASE, AREA_SIZE, NULL, 0, 2 * MiB, 4 * GiB, &hint,
               "address must be aligned to 0x200000 bytes");
    /* Checked before the range: an unaligned hint outside says the same. */
    find_fails(AREA_BASE, AREA_SIZE, NULL, 0, 2 * MiB, 4 * GiB,
               &(uint64_t){ 0x1100000 },
               "address must be aligned to 0x200000 bytes");
}

static void test_size_not_multiple_of_align_fails(void)
{
    /* QEMU checks the backend size here, after the hint's alignment. */
    find_fails(AREA_BASE, AREA_SIZE, NULL, 0, 4 * MiB, 1026 * MiB, NULL,
               "backend memory size must be multiple of 0x400000");
    find_fails(AREA_BASE, AREA_SIZE, NULL, 0, 8 * GiB, 4 * GiB, NULL,
               "backend memory size must be multiple of 0x200000000");
    find_fails(AREA_BASE, AREA_SIZE, NULL, 0, 2 * MiB, MiB,
               &(uint64_t){ AREA_BASE + MiB },
               "address must be aligned to 0x200000 bytes");
}

static void test_hint_outside_area_fails(void)
{
    /* QEMU's observed texts: [addr:size] for both device and area. */
    find_fails(AREA_BASE, AREA_SIZE, NULL, 0, 2 * MiB, 4 * GiB,
               &(uint64_t){ 0x1000000 },
               "can't add memory device [0x1000000:0x100000000], usable "
               "range for memory devices [0x100000000:0x200000000]");
    find_fails(AREA_BASE, AREA_SIZE, NULL, 0, 2 * MiB, 4 * GiB,
               &(uint64_t){ 0x300000000 },
               "can't add memory device [0x300000000:0x100000000], usable "
               "range for memory devices [0x100000000:0x200000000]");
    /* Starting inside but running past the end. */
    find_fails(AREA_BASE, AREA_SIZE, NULL, 0, 2 * MiB, 4 * GiB,
               &(uint64_t){ 0x280000000 },
               "can't add memory device [0x280000000:0x100000000], usable "
               "range for memory devices [0x100000000:0x200000000]");
    /* No maxmem: nothing is inside an empty area. */
    find_fails(AREA_BASE, 0, NULL, 0, 2 * MiB, 2 * MiB,
               &(uint64_t){ AREA_BASE },
               "can't add memory device [0x100000000:0x200000], usable "
               "range for memory devices [0x100000000:0x0]");
}

static void test_overlap_with_hint_fails_naming_device(void)
{
    const MemoryDeviceRange used[] = {
        { .addr = AREA_BASE + 2 * GiB, .size = GiB, .id = "vm1" },
        { .addr = AREA_BASE, .size = 2 * GiB, .id = "vm0" },
        { .addr = AREA_BASE + 4 * GiB, .size = GiB, .id = NULL },
    };

    /* Overlapping two devices names the lower one. */
    find_fails(AREA_BASE, AREA_SIZE, used, G_N_ELEMENTS(used), 2 * MiB,
               2 * GiB, &(uint64_t){ AREA_BASE + GiB },
               "address range conflicts with memory device id='vm0'");
    /* One byte of overlap at the end is enough. */
    find_fails(AREA_BASE, AREA_SIZE, used, G_N_ELEMENTS(used), 2 * MiB,
               2 * MiB, &(uint64_t){ AREA_BASE + 3 * GiB - 2 * MiB },
               "address range conflicts with memory device id='vm1'");
    /* An anonymous device, as QEMU words it. */
    find_fails(AREA_BASE, AREA_SIZE, used, G_N_ELEMENTS(used), 2 * MiB,
               2 * MiB, &(uint64_t){ AREA_BASE + 4 * GiB },
               "address range conflicts with memory device id='(unnamed)'");
}

static void test_overflow_near_2_64_refused(void)
{
    /* An area that ends exactly at 2^64. */
    const uint64_t top = UINT64_C(0xffffffff00000000);
    const MemoryDeviceRange to_the_end[] = {
        { .addr = top, .size = 4 * GiB, .id = "vm0" },
    };
    const MemoryDeviceRange past_the_end[] = {
        { .addr = top, .size = UINT64_MAX, .id = "vm0" },
    };

    /* hint + size wraps: refused, not wrapped into the area. */
    find_fails(top, 4 * GiB, NULL, 0, 2 * MiB, 4 * MiB,
               &(uint64_t){ UINT64_MAX - 2 * MiB + 1 },
               "can't add memory device [0xffffffffffe00000:0x400000], "
               "usable range for memory devices "
               "[0xffffffff00000000:0x100000000]");
    /* A first candidate that would reach 2^64 (QEMU's range_init rule). */
    find_fails(top, 4 * GiB, NULL, 0, 2 * MiB, 8 * GiB, NULL,
               "can't add memory device, device too big");
    /* Aligning the area's base up would pass 2^64. */
    find_fails(UINT64_MAX - MiB + 1, MiB, NULL, 0, 2 * MiB, 2 * MiB, NULL,
               fragmented);
    /* The next boundary after a device ending at 2^64 does not exist. */
    find_fails(top, 4 * GiB, to_the_end, 1, 2 * MiB, 2 * MiB, NULL,
               fragmented);
    /* Nor does aligning up the end of one that stops just short of it. */
    {
        const MemoryDeviceRange almost[] = {
            { .addr = 0, .size = UINT64_MAX - MiB + 1, .id = "vm0" },
        };

        find_fails(0, UINT64_MAX, almost, 1, 2 * MiB, 2 * MiB, NULL,
                   fragmented);
    }
    /* Ranges given past 2^64 are cut there, never wrapped to 0. */
    find_fails(top, 4 * GiB, past_the_end, 1, 2 * MiB, 2 * MiB, NULL,
               fragmented);
    g_assert_cmphex(find_ok(0, 4 * GiB, past_the_end, 1, 2 * MiB, 2 * MiB,
                            NULL), ==, 0);
    g_assert_cmphex(find_ok(top, UINT64_MAX, NULL, 0, 2 * MiB, 2 * MiB, NULL),
                    ==, top);
    /* A hinted range below 2^64 in such an area is fine. */
    g_assert_cmphex(find_ok(top, UINT64_MAX, NULL, 0, 2 * MiB, 2 * MiB,
                            &(uint64_t){ UINT64_MAX - 4 * MiB + 1 }), ==,
                    UINT64_MAX - 4 * MiB + 1);
}

static void test_space_not_enough_space_message(void)
{
    /* QEMU's observed: -m 2G,maxmem=4G and a 4 GiB device. */
    space_fails(0, 2 * GiB, 4 * GiB,
                "not enough space, currently 0x0 in use of total space for "
                "memory devices 0x80000000");
    /* QEMU's observed: maxmem=9G, the second 4 GiB device. */
    space_fails(4 * GiB, 7 * GiB, 4 * GiB,
                "not enough space, currently 0x100000000 in use of total "
                "space for memory devices 0x1c0000000");
    /* used + size wrapping is not enough space either. */
    space_fails(UINT64_MAX - 1, UINT64_MAX, 2,
                "not enough space, currently 0xfffffffffffffffe in use of "
                "total space for memory devices 0xffffffffffffffff");
    /* An exact fit is fine (observed: maxmem=6G, 4 GiB device). */
    g_assert_true(memory_device_check_space(0, 4 * GiB, 4 * GiB, NULL));
    g_assert_true(memory_device_check_space(GiB, 4 * GiB, 3 * GiB, NULL));
}

static void test_space_no_maxmem_message(void)
{
    static const char no_maxmem[] =
        "memory devices (e.g. for memory hotplug) are not enabled, please "
        "specify the maxmem option";

    space_fails(0, 0, 4 * GiB, no_maxmem);
    space_fails(0, 0, 0, no_maxmem);
}

static void test_align_warns_when_area_base_not_aligned(void)
{
    /* QEMU's observed block-size=8G warning, with the area at 4 GiB. */
    g_assert_true(memory_device_align_fragments(AREA_BASE, 8 * GiB));
    /* The base's own alignment is the most QEMU expects: no warning. */
    g_assert_false(memory_device_align_fragments(AREA_BASE, 4 * GiB));
    g_assert_false(memory_device_align_fragments(AREA_BASE, GiB));
    g_assert_false(memory_device_align_fragments(AREA_BASE + GiB, GiB));
    g_assert_true(memory_device_align_fragments(AREA_BASE + GiB, 2 * GiB));
    g_assert_false(memory_device_align_fragments(AREA_BASE, 0));
}

static void test_align_warning_text(void)
{
    g_autofree char *text = g_strdup_printf(MEMORY_DEVICE_ALIGN_WARNING_FMT,
                                            8 * GiB);

    /* QEMU's observed warning for block-size=8G. */
    g_assert_cmpstr(text, ==, "the alignment (0x200000000) exceeds the "
                    "expected maximum alignment, memory will get fragmented "
                    "and not all 'maxmem' might be usable for memory "
                    "devices.");
}

/* ------------------------------------------------------------------ */
/* memory_device_pre_plug with objects in a /machine tree              */

#define TYPE_TEST_MEMORY_DEVICE "test-memory-device"

typedef struct TestMemoryDevice {
    DeviceState parent_obj;
    MemoryRegion mr;
    uint64_t addr;
    uint64_t min_align;
    bool has_hint;
} TestMemoryDevice;

#define TEST_MEMORY_DEVICE(obj) \
    OBJECT_CHECK(TestMemoryDevice, (obj), TYPE_TEST_MEMORY_DEVICE)

/* The machine's side of pre-plug, as the device's realize passes it. */
static struct {
    uint64_t base, size, space, legacy_align;
} machine_area;

static uint64_t test_get_addr(Object *md)
{
    return TEST_MEMORY_DEVICE(md)->addr;
}

static bool test_set_addr(Object *md, uint64_t addr, Error **errp)
{
    TEST_MEMORY_DEVICE(md)->addr = addr;
    return true;
}

static uint64_t test_get_plugged_size(Object *md)
{
    return 0;
}

static MemoryRegion *test_get_region(Object *md, Error **errp)
{
    return &TEST_MEMORY_DEVICE(md)->mr;
}

static uint64_t test_get_min_alignment(Object *md)
{
    return TEST_MEMORY_DEVICE(md)->min_align;
}

static void test_fill_info(Object *md, JsonObject *info)
{
}

static const MemoryDeviceHooks test_hooks = {
    .get_addr = test_get_addr,
    .set_addr = test_set_addr,
    .get_plugged_size = test_get_plugged_size,
    .get_region = test_get_region,
    .get_min_alignment = test_get_min_alignment,
    .fill_info = test_fill_info,
};

/* As virtio-mem-pci will: place the device, memaddr= being the hint. */
static bool test_realize(Object *obj, Error **errp)
{
    TestMemoryDevice *d = TEST_MEMORY_DEVICE(obj);

    return memory_device_pre_plug(obj, machine_area.base, machine_area.size,
                                  machine_area.space,
                                  machine_area.legacy_align,
                                  d->has_hint ? &d->addr : NULL, errp);
}

static void test_finalize(Object *obj)
{
    memory_region_destroy(&TEST_MEMORY_DEVICE(obj)->mr);
}

static void test_class_init(ObjectClass *oc)
{
    oc->realize = test_realize;
    object_class_add_interface(oc, TYPE_MEMORY_DEVICE, &test_hooks);
}

static const TypeInfo test_memory_device_info = {
    .name = TYPE_TEST_MEMORY_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(TestMemoryDevice),
    .class_init = test_class_init,
    .instance_finalize = test_finalize,
};

/* A device under /machine, not yet realized. */
static Object *add_device(const char *id, uint64_t size, uint64_t min_align)
{
    Object *obj = object_new(TYPE_TEST_MEMORY_DEVICE);
    TestMemoryDevice *d = TEST_MEMORY_DEVICE(obj);

    DEVICE(obj)->id = g_strdup(id);
    d->min_align = min_align;
    memory_region_init_container(&d->mr, id ? id : "anon", size);
    g_assert_true(object_add_child(container_get("/machine"),
                                   id ? id : "anon", obj, NULL));
    object_unref(obj);
    return obj;
}

static void realize_ok(Object *obj)
{
    g_autoptr(Error) err = NULL;

    if (!object_realize(obj, &err)) {
        g_error("realize failed: %s", error_get_pretty(err));
    }
}

static void realize_fails(Object *obj, const char *message)
{
    g_autoptr(Error) err = NULL;

    g_assert_false(object_realize(obj, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, message);
    g_assert_false(obj->realized);
}

/* A fresh /machine with the observed 8 GiB area at 4 GiB, no slots. */
static void machine_setup(void)
{
    machine_area.base = AREA_BASE;
    machine_area.size = AREA_SIZE;
    machine_area.space = AREA_SIZE;
    machine_area.legacy_align = 0;
    container_get("/machine");
}

static void machine_teardown(void)
{
    object_unparent(container_get("/machine"));
}

static void test_pre_plug_places_after_realized_devices(void)
{
    Object *vm0, *vm1, *vm2;

    machine_setup();
    vm0 = add_device("vm0", 4 * GiB, 2 * MiB);
    vm1 = add_device("vm1", 2 * GiB, 2 * MiB);
    vm2 = add_device(NULL, 2 * MiB, 2 * MiB);
    realize_ok(vm0);
    realize_ok(vm1);
    realize_ok(vm2);
    g_assert_cmphex(TEST_MEMORY_DEVICE(vm0)->addr, ==, AREA_BASE);
    g_assert_cmphex(TEST_MEMORY_DEVICE(vm1)->addr, ==, AREA_BASE + 4 * GiB);
    g_assert_cmphex(TEST_MEMORY_DEVICE(vm2)->addr, ==, AREA_BASE + 6 * GiB);
    machine_teardown();
}

static void test_pre_plug_unrealized_devices_do_not_count(void)
{
    Object *vm0, *vm1;

    machine_setup();
    vm0 = add_device("vm0", 4 * GiB, 2 * MiB);
    vm1 = add_device("vm1", 4 * GiB, 2 * MiB);
    /* vm0 configured but never realized: vm1 may take its place. */
    realize_ok(vm1);
    g_assert_cmphex(TEST_MEMORY_DEVICE(vm1)->addr, ==, AREA_BASE);
    g_assert_false(vm0->realized);
    machine_teardown();
}

static void test_pre_plug_conflict_names_device_id(void)
{
    Object *vm0, *vm1, *anon, *vm3;

    machine_setup();
    vm0 = add_device("vm0", 4 * GiB, 2 * MiB);
    realize_ok(vm0);
    vm1 = add_device("vm1", GiB, 2 * MiB);
    TEST_MEMORY_DEVICE(vm1)->has_hint = true;
    TEST_MEMORY_DEVICE(vm1)->addr = AREA_BASE + 2 * GiB;
    realize_fails(vm1, "address range conflicts with memory device id='vm0'");
    /* On failure the device keeps the address it was given. */
    g_assert_cmphex(TEST_MEMORY_DEVICE(vm1)->addr, ==, AREA_BASE + 2 * GiB);

    anon = add_device(NULL, GiB, 2 * MiB);
    TEST_MEMORY_DEVICE(anon)->has_hint = true;
    TEST_MEMORY_DEVICE(anon)->addr = AREA_BASE + 6 * GiB;
    realize_ok(anon);
    vm3 = add_device("vm3", GiB, 2 * MiB);
    TEST_MEMORY_DEVICE(vm3)->has_hint = true;
    TEST_MEMORY_DEVICE(vm3)->addr = AREA_BASE + 6 * GiB;
    realize_fails(vm3,
                  "address range conflicts with memory device id='(unnamed)'");
    machine_teardown();
}

static void test_pre_plug_space_counts_region_sizes(void)
{
    Object *vm0, *vm1;

    /* QEMU's observed: -m 2G,maxmem=9G, two 4 GiB devices. */
    machine_setup();
    machine_area.space = 7 * GiB;
    vm0 = add_device("vm0", 4 * GiB, 2 * MiB);
    vm1 = add_device("vm1", 4 * GiB, 2 * MiB);
    realize_ok(vm0);
    realize_fails(vm1, "not enough space, currently 0x100000000 in use of "
                  "total space for memory devices 0x1c0000000");
    machine_teardown();
}

static void test_pre_plug_no_maxmem_checked_first(void)
{
    Object *vm0;

    /* No maxmem: QEMU says so before judging the hint or the size. */
    machine_setup();
    machine_area.size = 0;
    machine_area.space = 0;
    vm0 = add_device("vm0", 4 * GiB + MiB, 2 * MiB);
    TEST_MEMORY_DEVICE(vm0)->has_hint = true;
    TEST_MEMORY_DEVICE(vm0)->addr = MiB;
    realize_fails(vm0, "memory devices (e.g. for memory hotplug) are not "
                  "enabled, please specify the maxmem option");
    machine_teardown();
}

static void test_pre_plug_uses_larger_of_device_and_legacy_alignment(void)
{
    Object *vm0, *vm1;

    machine_setup();
    machine_area.legacy_align = GiB;
    vm0 = add_device("vm0", 2 * MiB, 2 * MiB);
    vm1 = add_device("vm1", 4 * MiB, 4 * MiB);
    realize_fails(vm0, "backend memory size must be multiple of 0x40000000");
    machine_area.legacy_align = 4 * MiB;
    realize_fails(vm0, "backend memory size must be multiple of 0x400000");
    machine_area.legacy_align = 0;
    realize_ok(vm0);
    /* The device's own 4 MiB skips past vm0's 2 MiB to the next boundary. */
    realize_ok(vm1);
    g_assert_cmphex(TEST_MEMORY_DEVICE(vm1)->addr, ==, AREA_BASE + 4 * MiB);
    machine_teardown();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qom_register_types();
    device_register_types();
    type_register_static(&test_memory_device_info);

    g_test_add_func("/memory-device/addr/first-fit-in-empty-area",
                    test_first_fit_in_empty_area);
    g_test_add_func("/memory-device/addr/alignment-skips-to-next-boundary",
                    test_alignment_skips_to_next_boundary);
    g_test_add_func("/memory-device/addr/fills-gap-between-devices",
                    test_fills_gap_between_devices);
    g_test_add_func("/memory-device/addr/fragmentation-fails-with-qemu-message",
                    test_fragmentation_fails_with_qemu_message);
    g_test_add_func("/memory-device/addr/exhaustion-fails",
                    test_exhaustion_fails);
    g_test_add_func("/memory-device/addr/hint-honoured", test_hint_honoured);
    g_test_add_func("/memory-device/addr/hint-unaligned-fails",
                    test_hint_unaligned_fails);
    g_test_add_func("/memory-device/addr/size-not-multiple-of-align-fails",
                    test_size_not_multiple_of_align_fails);
    g_test_add_func("/memory-device/addr/hint-outside-area-fails",
                    test_hint_outside_area_fails);
    g_test_add_func("/memory-device/addr/overlap-with-hint-fails-naming-device",
                    test_overlap_with_hint_fails_naming_device);
    g_test_add_func("/memory-device/addr/overflow-near-2^64-refused",
                    test_overflow_near_2_64_refused);
    g_test_add_func("/memory-device/space/not-enough-space-message",
                    test_space_not_enough_space_message);
    g_test_add_func("/memory-device/space/no-maxmem-message",
                    test_space_no_maxmem_message);
    g_test_add_func("/memory-device/align/warns-when-area-base-not-aligned",
                    test_align_warns_when_area_base_not_aligned);
    g_test_add_func("/memory-device/align/warning-text-matches-qemu",
                    test_align_warning_text);
    g_test_add_func("/memory-device/pre-plug/places-after-realized-devices",
                    test_pre_plug_places_after_realized_devices);
    g_test_add_func("/memory-device/pre-plug/unrealized-devices-do-not-count",
                    test_pre_plug_unrealized_devices_do_not_count);
    g_test_add_func("/memory-device/pre-plug/conflict-names-device-id",
                    test_pre_plug_conflict_names_device_id);
    g_test_add_func("/memory-device/pre-plug/space-counts-region-sizes",
                    test_pre_plug_space_counts_region_sizes);
    g_test_add_func("/memory-device/pre-plug/no-maxmem-checked-first",
                    test_pre_plug_no_maxmem_checked_first);
    g_test_add_func("/memory-device/pre-plug/"
                    "uses-larger-of-device-and-legacy-alignment",
                    test_pre_plug_uses_larger_of_device_and_legacy_alignment);
    return g_test_run();
}
