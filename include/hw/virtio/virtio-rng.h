/* virtio-rng: the entropy device (virtio 1.2, 5.4), fed by getrandom(). */
#ifndef HW_VIRTIO_VIRTIO_RNG_H
#define HW_VIRTIO_VIRTIO_RNG_H

#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_RNG         "virtio-rng-device"     /* QEMU's name */
#define VIRTIO_ID_RNG           4
/* QEMU's queue size. */
#define VIRTIO_RNG_QUEUE_SIZE   8
/*
 * Bytes one buffer gets at most per request: a guest may offer a buffer
 * of any size, and filling it all at once would hold the main loop.  The
 * spec lets the device write less than the buffer (5.4.6.2).
 */
#define VIRTIO_RNG_MAX_PER_BUFFER   (64 * 1024)

/*
 * QEMU's rate limit: at most max-bytes per period-ms milliseconds.  The
 * period starts with the first request after the last one ended;
 * buffers that arrive once the quota is spent wait for the next period.
 */
typedef struct VirtIORNG {
    VirtIODevice parent_obj;
    /* Properties. */
    uint64_t max_bytes;
    uint32_t period_ms;
    /* State. */
    VirtQueue *vq;
    int64_t quota_remaining;
    guint rate_timer;           /* the running period, 0 when none */
    uint64_t bytes_served;      /* for tests and the curious */
} VirtIORNG;

#define VIRTIO_RNG(obj) OBJECT_CHECK(VirtIORNG, (obj), TYPE_VIRTIO_RNG)

void virtio_rng_register_types(void);

#endif
