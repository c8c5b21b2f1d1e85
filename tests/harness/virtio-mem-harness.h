/* An in-process virtio-mem with a minimal guest driver: for unit tests and the fuzz target. */
#ifndef TESTS_VIRTIO_MEM_HARNESS_H
#define TESTS_VIRTIO_MEM_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/virtio/virtio-mem.h"

#define HARNESS_DEVICE_ADDR (UINT64_C(1) << 32)

typedef struct VirtioMemHarness VirtioMemHarness;

typedef struct HarnessConfig {
    const char *backend_type;       /* NULL: memory-backend-ram */
    bool hugetlb;                   /* memfd: hugetlb=on, reserve=off */
    uint64_t region_size;
    uint64_t block_size;            /* 0: the device's default */
    uint64_t requested_size;
    bool prealloc;
    bool accept_ui;                 /* driver accepts UNPLUGGED_INACCESSIBLE */
} HarnessConfig;

/* Registers the types on first use; fails the test on setup errors. */
VirtioMemHarness *harness_new(const HarnessConfig *cfg);
void harness_free(VirtioMemHarness *h);

VirtIOMEM *harness_device(VirtioMemHarness *h);
/* Device status after negotiation (FEATURES_OK | DRIVER_OK ... or not). */
uint8_t harness_status(VirtioMemHarness *h);

/*
 * Send one request and wait for its answer.  Returns false when the
 * device did not answer (it went to NEEDS_RESET).  out_len/in_len let a
 * test send short or oversized buffers.
 */
bool harness_request_raw(VirtioMemHarness *h, const void *req,
                         uint32_t out_len, uint32_t in_len,
                         struct virtio_mem_resp *resp);
/* type, guest-physical addr, nb_blocks: the common case. */
uint16_t harness_request(VirtioMemHarness *h, uint16_t type, uint64_t addr,
                         uint16_t nb_blocks, uint16_t *state);

/* The device config as the driver reads it. */
struct virtio_mem_config harness_config(VirtioMemHarness *h);
unsigned harness_config_interrupts(VirtioMemHarness *h);
/* Read guest memory at a device-memory address (8 bytes). */
uint64_t harness_read_guest(VirtioMemHarness *h, uint64_t addr);
void harness_write_guest(VirtioMemHarness *h, uint64_t addr, uint64_t val);
/* Bytes of the backend resident in host memory now. */
uint64_t harness_resident(VirtioMemHarness *h);
/* Reset the virtio device (status 0) and negotiate again. */
void harness_device_reset(VirtioMemHarness *h);

#endif
