/* Fuzz target: bytes become virtio-mem requests and requested-size changes; invariants checked after every step. */
#include <glib.h>
#include <stdint.h>
#include <string.h>
#include "tests/harness/virtio-mem-harness.h"
#include "util/bitmap.h"

#define MiB (UINT64_C(1) << 20)
#define BS (2 * MiB)
#define REGION (64 * MiB)
#define NB (REGION / BS)
#define BASE HARNESS_DEVICE_ADDR

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Input {
    const uint8_t *p;
    size_t left;
} Input;

static uint8_t take8(Input *in)
{
    if (!in->left) {
        return 0;
    }
    in->left--;
    return *in->p++;
}

static uint64_t take64(Input *in)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++) {
        v = v << 8 | take8(in);
    }
    return v;
}

/* Mostly addresses near the device, sometimes anything at all. */
static uint64_t take_addr(Input *in)
{
    uint8_t sel = take8(in);

    if (sel < 200) {
        return BASE + (uint64_t)(sel % (NB + 4)) * BS;
    }
    if (sel < 230) {
        return BASE + take8(in) * 4096;
    }
    return take64(in);
}

/* The invariants: what must hold whatever the guest and host did. */
static void check(VirtioMemHarness *h)
{
    VirtIOMEM *vmem = harness_device(h);
    VirtioMemBlocks *b = &vmem->blocks;
    struct virtio_mem_config cfg = harness_config(h);
    uint64_t runs = 0, usable_blocks = b->usable_region_size / BS;

    g_assert_cmpuint(bitmap_count(b->bitmap, NB), ==, b->plugged_blocks);
    g_assert_cmpuint(cfg.plugged_size, ==, b->plugged_blocks * BS);
    g_assert_cmpuint(cfg.usable_region_size % BS, ==, 0);
    g_assert_cmpuint(cfg.usable_region_size, <=, REGION);
    /* No plugged block outside the usable region. */
    g_assert_cmpuint(bitmap_find_next_set(b->bitmap, NB, usable_blocks), ==,
                     NB);
    /* One RAM region per run of plugged blocks inside a chunk. */
    for (uint64_t i = 0; i < NB; i++) {
        runs += bitmap_test(b->bitmap, i) &&
                (i % b->chunk_blocks == 0 || !bitmap_test(b->bitmap, i - 1));
    }
    g_assert_cmpuint(virtio_mem_blocks_nr_extents(b), ==, runs);
}

static void raw_request(VirtioMemHarness *h, Input *in)
{
    struct virtio_mem_req req;
    struct virtio_mem_resp resp;
    uint32_t out_len = take8(in) % 40, in_len = take8(in) % 20;

    memset(&req, 0, sizeof(req));
    req.type = take8(in) % 6;
    req.u.plug.addr = take_addr(in);
    req.u.plug.nb_blocks = take8(in);
    harness_request_raw(h, &req, out_len, in_len, &resp);
    if (harness_status(h) & VIRTIO_CONFIG_S_NEEDS_RESET) {
        harness_device_reset(h);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    HarnessConfig cfg = { .region_size = REGION, .requested_size = 16 * MiB };
    VirtioMemHarness *h = harness_new(&cfg);
    VirtIOMEM *vmem = harness_device(h);
    Input in = { data, size };

    /* Chunks of 8 blocks, so runs meet chunk ends in a 64 MiB region. */
    g_assert_cmpuint(vmem->blocks.plugged_blocks, ==, 0);
    vmem->blocks.chunk_blocks = 8;

    for (int steps = 0; in.left && steps < 256; steps++) {
        uint8_t op = take8(&in) % 8;
        uint64_t plugged = virtio_mem_get_plugged_size(vmem);

        switch (op) {
        case 0:
        case 1:
        case 3: {
            static const uint16_t types[] = { VIRTIO_MEM_REQ_PLUG,
                                              VIRTIO_MEM_REQ_UNPLUG, 0,
                                              VIRTIO_MEM_REQ_STATE };
            uint64_t addr = take_addr(&in);

            harness_request(h, types[op], addr, take8(&in) % (NB + 2), NULL);
            break;
        }
        case 2:
            harness_request(h, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0, NULL);
            break;
        case 4:
            /* Any value: bad ones must be refused without a change. */
            virtio_mem_set_requested_size(vmem,
                                          (take8(&in) % (NB + 3)) * BS -
                                          (take8(&in) & 1) * 4096, NULL);
            break;
        case 5:
            raw_request(h, &in);
            break;
        case 6:
            harness_device_reset(h);
            break;
        case 7:
            virtio_mem_system_reset(vmem);
            break;
        }
        /* The guest can grow its memory only up to requested-size. */
        if (virtio_mem_get_plugged_size(vmem) > plugged) {
            g_assert_cmpuint(virtio_mem_get_plugged_size(vmem), <=,
                             vmem->requested_size);
        }
        check(h);
    }
    harness_free(h);
    return 0;
}
