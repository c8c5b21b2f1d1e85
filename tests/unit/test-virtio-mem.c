/* virtio-mem against the spec's rules (virtio 1.2, 5.15), one test per rule, with an in-process driver. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include "tests/harness/virtio-mem-harness.h"

#define MiB (UINT64_C(1) << 20)
#define BS (2 * MiB)
#define REGION (128 * MiB)
#define BASE HARNESS_DEVICE_ADDR
#define REQ(t, a, n) harness_request(h, VIRTIO_MEM_REQ_##t, (a), (n), NULL)

static VirtioMemHarness *make(uint64_t requested)
{
    HarnessConfig cfg = { .region_size = REGION, .requested_size = requested };

    return harness_new(&cfg);
}

static uint64_t plugged(VirtioMemHarness *h)
{
    return virtio_mem_get_plugged_size(harness_device(h));
}

static void test_config_initial(void)
{
    VirtioMemHarness *h = make(32 * MiB);
    struct virtio_mem_config c = harness_config(h);

    g_assert_cmpuint(c.block_size, ==, BS);
    g_assert_cmpuint(c.addr, ==, BASE);
    g_assert_cmpuint(c.region_size, ==, REGION);
    /* requested + 256 MiB, capped at the region (QEMU's rule; V4). */
    g_assert_cmpuint(c.usable_region_size, ==, REGION);
    g_assert_cmpuint(c.plugged_size, ==, 0);
    g_assert_cmpuint(c.requested_size, ==, 32 * MiB);
    g_assert_true(harness_status(h) & VIRTIO_CONFIG_S_DRIVER_OK);
    harness_free(h);
}

/* P6: ACK, reflected in plugged_size, and the memory is usable RAM. */
static void test_plug_ack(void)
{
    VirtioMemHarness *h = make(32 * MiB);

    g_assert_cmpuint(REQ(PLUG, BASE, 4), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(plugged(h), ==, 4 * BS);
    g_assert_cmpuint(harness_config(h).plugged_size, ==, 4 * BS);
    harness_write_guest(h, BASE + 3 * BS + 8, 0x1234);
    g_assert_cmpuint(harness_read_guest(h, BASE + 3 * BS + 8), ==, 0x1234);
    g_assert_cmpuint(harness_device(h)->blocks.counters.plug_requests, ==, 1);
    harness_free(h);
}

/* P3: unaligned, zero blocks, outside the usable region -> ERROR. */
static void test_plug_range_errors(void)
{
    VirtioMemHarness *h = make(2 * BS);
    uint64_t usable = harness_config(h).usable_region_size;

    g_assert_cmpuint(REQ(PLUG, BASE + 4096, 1), ==, VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(REQ(PLUG, BASE, 0), ==, VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(REQ(PLUG, BASE - BS, 1), ==, VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(REQ(PLUG, BASE + usable, 1), ==, VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(REQ(PLUG, BASE + usable - BS, 2), ==,
                     VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(REQ(PLUG, UINT64_MAX - BS + 1, 65535), ==,
                     VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(plugged(h), ==, 0);
    g_assert_cmpuint(harness_device(h)->blocks.counters.errors, ==, 6);
    harness_free(h);
}

/* P4: a block already plugged -> ERROR, nothing changes. */
static void test_plug_twice_error(void)
{
    VirtioMemHarness *h = make(32 * MiB);

    g_assert_cmpuint(REQ(PLUG, BASE + BS, 1), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(REQ(PLUG, BASE, 2), ==, VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(plugged(h), ==, BS);
    g_assert_true(virtio_mem_blocks_range_unplugged(
                      &harness_device(h)->blocks, 0, 1));
    harness_free(h);
}

/* Beyond requested-size: NACK (the Linux driver retries), never ERROR. */
static void test_plug_beyond_requested_nack(void)
{
    VirtioMemHarness *h = make(2 * BS);

    g_assert_cmpuint(REQ(PLUG, BASE, 3), ==, VIRTIO_MEM_RESP_NACK);
    g_assert_cmpuint(REQ(PLUG, BASE, 2), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(REQ(PLUG, BASE + 2 * BS, 1), ==, VIRTIO_MEM_RESP_NACK);
    g_assert_cmpuint(plugged(h), ==, 2 * BS);
    g_assert_cmpuint(harness_device(h)->blocks.counters.nacks, ==, 2);
    harness_free(h);
}

/* U4: unplugging unplugged blocks -> ERROR; U6: ACK otherwise. */
static void test_unplug(void)
{
    VirtioMemHarness *h = make(32 * MiB);

    g_assert_cmpuint(REQ(UNPLUG, BASE, 1), ==, VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(REQ(PLUG, BASE, 4), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(REQ(UNPLUG, BASE + 2 * BS, 4), ==,
                     VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(plugged(h), ==, 4 * BS);
    g_assert_cmpuint(REQ(UNPLUG, BASE + 2 * BS, 2), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(plugged(h), ==, 2 * BS);
    /* Unplugged memory is not RAM any more: it reads zero, ignores writes. */
    harness_write_guest(h, BASE + 2 * BS, 0x55);
    g_assert_cmpuint(harness_read_guest(h, BASE + 2 * BS), ==, 0);
    harness_free(h);
}

/* Unplug gives host memory back; a re-plugged block reads zero (D12). */
static void test_unplug_frees_host_memory(void)
{
    VirtioMemHarness *h = make(32 * MiB);

    g_assert_cmpuint(REQ(PLUG, BASE, 16), ==, VIRTIO_MEM_RESP_ACK);
    for (uint64_t off = 0; off < 16 * BS; off += 4096) {
        harness_write_guest(h, BASE + off, 0xdead);
    }
    g_assert_cmpuint(harness_resident(h), ==, 16 * BS);
    g_assert_cmpuint(REQ(UNPLUG, BASE, 16), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(harness_resident(h), ==, 0);
    g_assert_cmpuint(REQ(PLUG, BASE, 1), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(harness_read_guest(h, BASE), ==, 0);
    harness_free(h);
}

/* A4/A5/A6: UNPLUG_ALL empties, and may shrink the usable region. */
static void test_unplug_all(void)
{
    VirtioMemHarness *h = make(32 * MiB);
    VirtIOMEM *vmem = harness_device(h);

    g_assert_cmpuint(REQ(PLUG, BASE, 8), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(REQ(PLUG, BASE + 20 * BS, 4), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_true(virtio_mem_set_requested_size(vmem, 0, NULL));
    /* V8: requested-size going down does not shrink it ... */
    g_assert_cmpuint(harness_config(h).usable_region_size, ==, REGION);
    g_assert_cmpuint(REQ(UNPLUG_ALL, 0, 0), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(plugged(h), ==, 0);
    /* ... UNPLUG_ALL does. */
    g_assert_cmpuint(harness_config(h).usable_region_size, ==, 0);
    g_assert_cmpuint(harness_resident(h), ==, 0);
    harness_free(h);
}

/* T3-T5: STATE answers PLUGGED, UNPLUGGED, MIXED; bad ranges ERROR. */
static void test_state(void)
{
    VirtioMemHarness *h = make(32 * MiB);
    uint16_t st = 0xffff;

    g_assert_cmpuint(REQ(PLUG, BASE + 2 * BS, 2), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(harness_request(h, VIRTIO_MEM_REQ_STATE, BASE + 2 * BS,
                                     2, &st), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(st, ==, VIRTIO_MEM_STATE_PLUGGED);
    g_assert_cmpuint(harness_request(h, VIRTIO_MEM_REQ_STATE, BASE, 2, &st),
                     ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(st, ==, VIRTIO_MEM_STATE_UNPLUGGED);
    g_assert_cmpuint(harness_request(h, VIRTIO_MEM_REQ_STATE, BASE, 3, &st),
                     ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(st, ==, VIRTIO_MEM_STATE_MIXED);
    g_assert_cmpuint(REQ(STATE, BASE + 1, 1), ==, VIRTIO_MEM_RESP_ERROR);
    g_assert_cmpuint(REQ(STATE, BASE, 0), ==, VIRTIO_MEM_RESP_ERROR);
    harness_free(h);
}

/* Malformed requests break the device (NEEDS_RESET), never Tide. */
static void check_malformed(uint32_t out_len, uint32_t in_len, uint16_t type)
{
    VirtioMemHarness *h = make(32 * MiB);
    struct virtio_mem_req req = { .type = VIRTIO_MEM_REQ_PLUG };
    struct virtio_mem_resp resp;
    unsigned irqs;

    g_assert_cmpuint(REQ(PLUG, BASE, 2), ==, VIRTIO_MEM_RESP_ACK);
    irqs = harness_config_interrupts(h);
    req.type = type;
    req.u.plug.addr = BASE + 4 * BS;
    req.u.plug.nb_blocks = 1;
    g_assert_false(harness_request_raw(h, &req, out_len, in_len, &resp));
    g_assert_true(harness_status(h) & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpuint(harness_config_interrupts(h), >, irqs);
    /* V13: a device reset keeps the blocks; the device works again. */
    harness_device_reset(h);
    g_assert_cmpuint(plugged(h), ==, 2 * BS);
    g_assert_cmpuint(REQ(PLUG, BASE + 2 * BS, 1), ==, VIRTIO_MEM_RESP_ACK);
    harness_free(h);
}

static void test_short_request_needs_reset(void)
{
    check_malformed(10, sizeof(struct virtio_mem_resp), VIRTIO_MEM_REQ_PLUG);
}

static void test_short_response_needs_reset(void)
{
    check_malformed(sizeof(struct virtio_mem_req), 4, VIRTIO_MEM_REQ_PLUG);
}

static void test_unknown_type_needs_reset(void)
{
    check_malformed(sizeof(struct virtio_mem_req),
                    sizeof(struct virtio_mem_resp), 7);
}

/* V9/V11: requested-size changes notify, even to the same value. */
static void test_requested_size_notifies(void)
{
    VirtioMemHarness *h = make(0);
    VirtIOMEM *vmem = harness_device(h);
    g_autoptr(Error) err = NULL;
    unsigned irqs = harness_config_interrupts(h);

    g_assert_cmpuint(harness_config(h).usable_region_size, ==, 0);
    g_assert_true(virtio_mem_set_requested_size(vmem, 8 * MiB, NULL));
    g_assert_cmpuint(harness_config_interrupts(h), ==, irqs + 1);
    g_assert_cmpuint(harness_config(h).requested_size, ==, 8 * MiB);
    g_assert_cmpuint(harness_config(h).usable_region_size, ==, REGION);
    g_assert_true(virtio_mem_set_requested_size(vmem, 8 * MiB, NULL));
    g_assert_cmpuint(harness_config_interrupts(h), ==, irqs + 2);
    g_assert_false(virtio_mem_set_requested_size(vmem, MiB, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "'requested-size' has to be "
                    "multiples of 'block-size' (0x200000)");
    g_clear_pointer(&err, error_free);
    g_assert_false(virtio_mem_set_requested_size(vmem, REGION + BS, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "'requested-size' cannot "
                    "exceed the memory backend size(0x8000000)");
    g_assert_cmpuint(harness_config(h).requested_size, ==, 8 * MiB);
    harness_free(h);
}

/* V22: system reset unplugs everything and gives the memory back. */
static void test_system_reset_unplugs_all(void)
{
    VirtioMemHarness *h = make(32 * MiB);

    g_assert_cmpuint(REQ(PLUG, BASE, 8), ==, VIRTIO_MEM_RESP_ACK);
    harness_write_guest(h, BASE, 1);
    virtio_mem_system_reset(harness_device(h));
    g_assert_cmpuint(plugged(h), ==, 0);
    g_assert_cmpuint(harness_resident(h), ==, 0);
    g_assert_cmpuint(harness_config(h).usable_region_size, ==, REGION);
    harness_free(h);
}

/* V12 with a memfd backend (unplugged-inaccessible=auto means on). */
static void test_ui_must_be_accepted(void)
{
    HarnessConfig cfg = { .backend_type = "memory-backend-memfd",
                          .region_size = REGION,
                          .requested_size = 8 * MiB };
    VirtioMemHarness *h = harness_new(&cfg);

    g_assert_false(harness_status(h) & VIRTIO_CONFIG_S_FEATURES_OK);
    harness_free(h);
    cfg.accept_ui = true;
    h = harness_new(&cfg);
    g_assert_true(harness_status(h) & VIRTIO_CONFIG_S_DRIVER_OK);
    /* Unplugged memory is not there at all: unassigned reads all-ones. */
    g_assert_cmpuint(harness_read_guest(h, BASE), ==, UINT64_MAX);
    g_assert_cmpuint(REQ(PLUG, BASE, 1), ==, VIRTIO_MEM_RESP_ACK);
    g_assert_cmpuint(harness_read_guest(h, BASE), ==, 0);
    harness_free(h);
}

/* A host failure answers BUSY, changes nothing, and kicks the driver later. */
static void test_host_failure_busy_then_kick(void)
{
    g_autofree char *nr = NULL;
    HarnessConfig cfg = { .backend_type = "memory-backend-memfd",
                          .hugetlb = true, .region_size = 64 * MiB,
                          .requested_size = 8 * MiB, .prealloc = true,
                          .accept_ui = true };
    VirtioMemHarness *h;
    unsigned irqs;
    gint64 deadline;

    /* With no huge pages on the host, populating a hugetlb plug fails. */
    if (g_file_get_contents("/proc/sys/vm/nr_hugepages", &nr, NULL, NULL) &&
        atoi(nr) > 0) {
        g_test_skip("this host has huge pages, so the failure cannot be "
                    "forced this way");
        return;
    }
    h = harness_new(&cfg);
    irqs = harness_config_interrupts(h);
    g_assert_cmpuint(REQ(PLUG, BASE, 2), ==, VIRTIO_MEM_RESP_BUSY);
    g_assert_cmpuint(plugged(h), ==, 0);
    g_assert_true(virtio_mem_blocks_range_unplugged(
                      &harness_device(h)->blocks, 0, 2));
    g_assert_cmpuint(harness_device(h)->blocks.counters.busy, ==, 1);
    g_assert_cmpuint(harness_device(h)->blocks.counters.populate_fails, ==, 1);
    /* The config kick makes the guest retry without waiting 50 s. */
    deadline = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
    while (harness_config_interrupts(h) == irqs &&
           g_get_monotonic_time() < deadline) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_assert_cmpuint(harness_config_interrupts(h), ==, irqs + 1);
    harness_free(h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-mem/config/initial-values", test_config_initial);
    g_test_add_func("/virtio-mem/5.15.6.2/plug-ack-updates-plugged-size",
                    test_plug_ack);
    g_test_add_func("/virtio-mem/5.15.6.2/p3-bad-range-is-error",
                    test_plug_range_errors);
    g_test_add_func("/virtio-mem/5.15.6.2/p4-plugged-block-is-error",
                    test_plug_twice_error);
    g_test_add_func("/virtio-mem/5.15.6.2/beyond-requested-is-nack",
                    test_plug_beyond_requested_nack);
    g_test_add_func("/virtio-mem/5.15.6.3/unplug-ack-and-u4-error",
                    test_unplug);
    g_test_add_func("/virtio-mem/5.15.6.3/unplug-frees-host-memory",
                    test_unplug_frees_host_memory);
    g_test_add_func("/virtio-mem/5.15.6.4/unplug-all-empties-and-shrinks",
                    test_unplug_all);
    g_test_add_func("/virtio-mem/5.15.6.5/state-plugged-unplugged-mixed",
                    test_state);
    g_test_add_func("/virtio-mem/protocol/short-request-needs-reset",
                    test_short_request_needs_reset);
    g_test_add_func("/virtio-mem/protocol/short-response-needs-reset",
                    test_short_response_needs_reset);
    g_test_add_func("/virtio-mem/protocol/unknown-type-needs-reset",
                    test_unknown_type_needs_reset);
    g_test_add_func("/virtio-mem/5.15.4/requested-size-change-notifies",
                    test_requested_size_notifies);
    g_test_add_func("/virtio-mem/5.15.6/system-reset-unplugs-all",
                    test_system_reset_unplugs_all);
    g_test_add_func("/virtio-mem/5.15.5/unplugged-inaccessible-must-be-"
                    "accepted", test_ui_must_be_accepted);
    g_test_add_func("/virtio-mem/host/failure-is-busy-then-kick",
                    test_host_failure_busy_then_kick);
    return g_test_run();
}
