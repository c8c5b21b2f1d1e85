/* What virtio.c (registers) and virtqueue.c (the rings) share. */
#ifndef HW_VIRTIO_VIRTIO_INTERNAL_H
#define HW_VIRTIO_VIRTIO_INTERNAL_H

#include "hw/virtio/virtio.h"

/*
 * Ring layout (virtio 1.2, 2.7) for a queue of n entries, in bytes:
 *   descriptor table  16 * n                    (align 16)
 *   available ring    4 + 2 * n [+ 2 used_event]  (align 2)
 *   used ring         4 + 8 * n [+ 2 avail_event] (align 4)
 * n <= VIRTQUEUE_MAX_SIZE, so none of these overflow 32 bits.
 */
#define VRING_DESC_SIZE         16
#define VRING_DESC_ALIGN        16
#define VRING_AVAIL_ALIGN       2
#define VRING_USED_ALIGN        4
#define VRING_HDR_SIZE          4       /* flags, idx */
#define VRING_AVAIL_ELEM_SIZE   2
#define VRING_USED_ELEM_SIZE    8
#define VRING_EVENT_SIZE        2

struct VirtQueue {
    VirtIODevice *vdev;
    VirtQueueHandler handler;
    unsigned index;
    uint16_t max_size;
    uint16_t size;
    bool enabled;
    uint16_t vector;
    uint64_t desc;
    uint64_t avail;
    uint64_t used;
    /* Ring state: forgotten when the queue is reset or disabled. */
    uint16_t last_avail_idx;        /* next avail entry to pop */
    uint16_t shadow_avail_idx;      /* avail idx as last read */
    uint16_t used_idx;              /* next used entry to fill */
    uint16_t signalled_used;        /* used idx at the last interrupt */
    bool signalled_used_valid;
    uint32_t generation;            /* bumped on every reset/enable/disable */
};

/* The queue may be processed: enabled, driver ready, device not broken. */
bool virtio_queue_ready(VirtQueue *vq);
/* Forget what the driver told the ring; keeps size, addresses, vector. */
void virtio_queue_reset_ring(VirtQueue *vq);
/*
 * Whether [gpa, gpa + len) is all guest RAM (writable RAM for is_write),
 * with no wrap past 2^64.
 */
bool virtio_guest_range_ok(uint64_t gpa, uint64_t len, bool is_write);
/* Set isr_bit and call the transport's notify(vector). */
void virtio_raise_irq(VirtIODevice *vdev, uint8_t isr_bit, uint16_t vector);

#endif
