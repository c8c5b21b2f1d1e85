/* virtio devices: status, features, config space and split virtqueues. */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include "qom/device.h"

#define TYPE_VIRTIO_DEVICE "virtio-device"

/* Device status bits (virtio 1.2, 2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE     1
#define VIRTIO_CONFIG_S_DRIVER          2
#define VIRTIO_CONFIG_S_DRIVER_OK       4
#define VIRTIO_CONFIG_S_FEATURES_OK     8
#define VIRTIO_CONFIG_S_NEEDS_RESET     0x40
#define VIRTIO_CONFIG_S_FAILED          0x80

/* Transport-independent feature bits (6). */
#define VIRTIO_RING_F_INDIRECT_DESC     28
#define VIRTIO_RING_F_EVENT_IDX         29
#define VIRTIO_F_VERSION_1              32
#define VIRTIO_F_ACCESS_PLATFORM        33

/* ISR bits. */
#define VIRTIO_ISR_QUEUE                1
#define VIRTIO_ISR_CONFIG               2

/* Split ring flags (2.7.5, 2.7.6, 2.7.8), named as Linux names them. */
#define VRING_DESC_F_NEXT               1
#define VRING_DESC_F_WRITE              2
#define VRING_DESC_F_INDIRECT           4
#define VRING_AVAIL_F_NO_INTERRUPT      1
#define VRING_USED_F_NO_NOTIFY          1

/*
 * Largest queue a device may declare, and the most descriptors one
 * request may carry (as QEMU: a direct chain is bounded by the queue
 * size anyway, an indirect one by this).
 */
#define VIRTQUEUE_MAX_SIZE              1024
/* Queues per device: vdev->vqs is a fixed array so VirtQueue * stay valid. */
#define VIRTIO_QUEUE_MAX                64
#define VIRTIO_NO_VECTOR_INDEX          0xffff

typedef struct VirtIODevice VirtIODevice;
typedef struct VirtQueue VirtQueue;

/*
 * One request taken off the available ring.  The device-readable part is
 * copied into out (so the guest cannot change it while the device looks
 * at it); the device-writable part stays in guest memory as (gpa, len)
 * pieces that virtqueue_element_write() fills with bounds-checked
 * writes.  No host pointer into guest memory is kept: RAM may be
 * unplugged between pop and push.
 *
 * What virtqueue_pop() accepts (anything else is a protocol error that
 * marks the device broken):
 * - a direct chain visits at most queue-size descriptors; a chain in an
 *   indirect table at most the table's entries; either way at most
 *   VIRTQUEUE_MAX_SIZE data descriptors (so a loop always ends);
 * - INDIRECT only in the head descriptor (which lives in the ring's own
 *   table), only when VIRTIO_RING_F_INDIRECT_DESC was negotiated, never
 *   with NEXT, with a length that is a non-zero multiple of 16;
 * - every data descriptor has a non-zero length (as QEMU), does not wrap
 *   past 2^64, and lies in guest RAM: never MMIO, so a descriptor
 *   cannot make the device poke a device register (a re-entrancy path),
 *   and for device-writable ones never ROM;
 * - no device-readable descriptor after a device-writable one;
 * - out holds at most VIRTQUEUE_MAX_OUT bytes.
 */
#define VIRTQUEUE_MAX_OUT (1u << 20)

typedef struct VirtQueueInBuf {
    uint64_t gpa;
    uint32_t len;
} VirtQueueInBuf;

typedef struct VirtQueueElement {
    uint16_t index;             /* head descriptor: what goes to used */
    uint32_t out_len;
    uint8_t *out;               /* g_malloc'd, NULL when out_len is 0 */
    unsigned in_num;
    VirtQueueInBuf *in;
    uint64_t in_len;            /* sum of in[].len */
    /*
     * Private: the queue's reset count at pop.  A device that completes
     * a request after the queue was reset (worker threads finishing late)
     * has its push dropped instead of writing a stale head to a new ring.
     */
    uint32_t generation;
} VirtQueueElement;

typedef void (*VirtQueueHandler)(VirtIODevice *vdev, VirtQueue *vq);

/* How the device reaches its transport (virtio-pci). */
typedef struct VirtioTransportOps {
    /* Raise the interrupt for vector (MSI-X), or INTx when none. */
    void (*notify)(void *opaque, uint16_t vector);
} VirtioTransportOps;

struct VirtIODevice {
    DeviceState parent_obj;
    uint16_t device_id;         /* virtio device ID: 4 rng, 24 mem */
    uint8_t status;
    uint8_t isr;
    uint8_t config_generation;
    uint64_t host_features;     /* offered */
    uint64_t guest_features;    /* accepted by the driver */
    uint32_t config_len;
    uint8_t *config;            /* the device-specific config bytes */
    uint16_t config_vector;
    VirtQueue *vqs;             /* VIRTIO_QUEUE_MAX entries, nvqs in use */
    unsigned nvqs;
    bool broken;                /* NEEDS_RESET set; queues not processed */
    unsigned error_count;       /* breakages; only the first few are logged */
    const VirtioTransportOps *transport;
    void *transport_opaque;
};

typedef struct VirtIODeviceClass {
    DeviceClass parent_class;
    /* Device features to offer on top of VERSION_1 (and ring features). */
    uint64_t (*get_features)(VirtIODevice *vdev);
    /*
     * Driver set FEATURES_OK: may refuse the combination (spec 3.1.1).
     * vdev->guest_features holds the driver's choice.
     */
    bool (*validate_features)(VirtIODevice *vdev);
    /* FEATURES_OK stuck: features are final until the next reset. */
    void (*set_features)(VirtIODevice *vdev, uint64_t features);
    /* Refresh vdev->config before the driver reads it. */
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    /* The driver wrote config bytes (most devices ignore writes). */
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    /*
     * Device reset (status written 0, or a machine reset).  Called after
     * status, features and queues are cleared, so notifications it makes
     * are not delivered to a driver that is going away.
     */
    void (*reset)(VirtIODevice *vdev);
    /*
     * Realize calls virtio_init() and virtio_add_queue(); unrealize
     * undoes it with virtio_cleanup().  The base type's realize calls
     * device_realize, then fixes host_features (VERSION_1, INDIRECT_DESC,
     * EVENT_IDX and get_features()); its unrealize calls device_unrealize.
     */
    bool (*device_realize)(VirtIODevice *vdev, Error **errp);
    void (*device_unrealize)(VirtIODevice *vdev);
} VirtIODeviceClass;

#define VIRTIO_DEVICE(obj) OBJECT_CHECK(VirtIODevice, (obj), TYPE_VIRTIO_DEVICE)
#define VIRTIO_DEVICE_GET_CLASS(obj) \
    ((VirtIODeviceClass *)object_class_check(OBJECT(obj)->klass, \
                                             TYPE_VIRTIO_DEVICE))

/*
 * Threads: everything below runs with the machine lock held, on a thread
 * registered with rcu_register_thread() (the rings are read and written
 * through address_space_memory).
 */

/* Realize-time setup by the concrete device. */
void virtio_init(VirtIODevice *vdev, uint16_t device_id, uint32_t config_len);
/*
 * max_size must be a power of two <= VIRTQUEUE_MAX_SIZE and at most
 * VIRTIO_QUEUE_MAX queues may be added: a device bug otherwise (aborts at
 * realize; no guest input reaches it).
 */
VirtQueue *virtio_add_queue(VirtIODevice *vdev, uint16_t max_size,
                            VirtQueueHandler handler);
/* Frees what virtio_init() allocated; safe to call twice. */
void virtio_cleanup(VirtIODevice *vdev);
void virtio_bind_transport(VirtIODevice *vdev, const VirtioTransportOps *ops,
                           void *opaque);
bool virtio_vdev_has_feature(VirtIODevice *vdev, unsigned bit);

/* ---- the driver's side, as the transport forwards it ------------------- */

uint64_t virtio_device_features(VirtIODevice *vdev);
/* Driver feature bits; only before FEATURES_OK, ignored after. */
void virtio_set_driver_features(VirtIODevice *vdev, uint64_t features);
/*
 * A status write.  0 resets the device.  FEATURES_OK is refused (left
 * clear, so the driver sees it did not stick) when the driver accepted a
 * bit the device did not offer, lacks VERSION_1, or validate_features
 * says no.  DRIVER_OK does not stick without FEATURES_OK (a modern-only
 * device has no legacy path).  Bits may not be cleared except by a
 * reset; the driver cannot set NEEDS_RESET nor reserved bits.
 */
void virtio_set_status(VirtIODevice *vdev, uint8_t status);
/*
 * Queues disabled and forgotten (size back to the maximum, addresses 0,
 * vectors none), driver features cleared, status, ISR and broken
 * cleared, config_vector none, then the class reset hook.
 * config_generation keeps counting (as QEMU).
 */
void virtio_reset(VirtIODevice *vdev);
/* Read and clear the ISR (legacy INTx interrupt status). */
uint8_t virtio_read_isr(VirtIODevice *vdev);
/* Config space bytes; out-of-range reads give 0xff, writes are dropped. */
uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t offset,
                            unsigned size);
void virtio_config_write(VirtIODevice *vdev, uint32_t offset, uint32_t val,
                         unsigned size);

/* Queue programming (the transport's queue_select'ed registers). */
unsigned virtio_num_queues(VirtIODevice *vdev);
uint16_t virtio_queue_get_max_size(VirtIODevice *vdev, unsigned n);
uint16_t virtio_queue_get_size(VirtIODevice *vdev, unsigned n);
/*
 * Every function taking a queue number n ignores (or answers 0 for) a
 * queue the device does not have.
 *
 * A size that is 0, above the maximum or not a power of two is ignored,
 * and so are size and address writes while the queue is enabled (the
 * driver configures a queue before enabling it, spec 4.1.4.3.2).
 */
void virtio_queue_set_size(VirtIODevice *vdev, unsigned n, uint16_t size);
void virtio_queue_set_addrs(VirtIODevice *vdev, unsigned n, uint64_t desc,
                            uint64_t avail, uint64_t used);
void virtio_queue_get_addrs(VirtIODevice *vdev, unsigned n, uint64_t *desc,
                            uint64_t *avail, uint64_t *used);
/*
 * Enabling checks that the three rings lie in guest RAM (the used ring
 * in writable RAM; used_event and avail_event counted when EVENT_IDX is
 * negotiated) and are aligned (16, 2, 4); a queue that fails stays
 * disabled and the device is marked broken (NEEDS_RESET).  Disabling
 * forgets the ring indexes (the transport decides whether the driver may
 * do it); pushes of elements popped before are dropped.
 */
void virtio_queue_set_enabled(VirtIODevice *vdev, unsigned n, bool enabled);
bool virtio_queue_get_enabled(VirtIODevice *vdev, unsigned n);
void virtio_queue_set_vector(VirtIODevice *vdev, unsigned n, uint16_t vector);
uint16_t virtio_queue_get_vector(VirtIODevice *vdev, unsigned n);
/*
 * The doorbell: run the queue's handler.  Ignored unless the queue is
 * enabled, the driver set DRIVER_OK and the device is not broken.
 */
void virtio_queue_notify(VirtIODevice *vdev, unsigned n);

/* ---- the device's side -------------------------------------------------- */

/*
 * Next request, or NULL when the ring is empty, the queue is not ready or
 * the guest broke the protocol (then the device is marked broken; see
 * VirtQueueElement for the rules).  The avail idx moving more than the
 * queue size past the last one seen, and a head index >= size, are
 * protocol errors too.  With EVENT_IDX, avail_event follows each pop so
 * the driver kicks again only for entries the device has not seen.
 */
VirtQueueElement *virtqueue_pop(VirtQueue *vq);
/*
 * Copy into the device-writable buffers from offset; returns bytes
 * written, which stops short at the end of the buffers or at a piece
 * that is no longer RAM (memory unplugged since pop).
 */
uint64_t virtqueue_element_write(VirtQueueElement *elem, uint64_t offset,
                                 const void *buf, uint64_t len);
/*
 * Put elem on the used ring with len written bytes (clamped to
 * elem->in_len), and free it.  Dropped (just freed) when the device is
 * broken or the queue was reset or disabled since elem was popped.
 */
void virtqueue_push(VirtQueue *vq, VirtQueueElement *elem, uint32_t len);
void virtqueue_element_free(VirtQueueElement *elem);
/*
 * Interrupt the driver for vq unless it asked not to be: NO_INTERRUPT
 * in avail flags, or with EVENT_IDX, used idx has not crossed
 * used_event since the last notification.  Only after DRIVER_OK and
 * while not broken.  Sets the ISR queue bit when it interrupts.
 */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);
/*
 * Config changed: bump config_generation; once the driver set
 * FEATURES_OK (and while not broken), set the ISR config bit and raise
 * the config interrupt.
 */
void virtio_notify_config(VirtIODevice *vdev);
/*
 * The guest broke the protocol: set NEEDS_RESET, tell the driver (config
 * interrupt), stop processing queues until reset.  Tide runs on.  Only
 * the first error of a breakage counts (later ones are silent), and a
 * device logs its first few breakages only, so a guest resetting and
 * breaking in a loop cannot flood the host's log.
 */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
VirtIODevice *virtqueue_get_device(VirtQueue *vq);
unsigned virtqueue_get_index(VirtQueue *vq);

void virtio_register_types(void);

#endif
