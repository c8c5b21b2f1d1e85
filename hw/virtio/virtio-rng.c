/* virtio-rng: the entropy device (virtio 1.2, 5.4), fed by getrandom(). */
#include "hw/virtio/virtio-rng.h"

#include <errno.h>
#include <sys/random.h>

/*
 * Fill buf from the host's entropy pool.  getrandom() only blocks before
 * the pool is initialised at boot; a failure (a seccomp filter, say)
 * leaves the buffer unanswered rather than answering with non-random
 * bytes.
 */
static bool fill_random(uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = getrandom(buf, len, 0);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

static void virtio_rng_process(VirtIORNG *vrng);

static gboolean period_ended(gpointer opaque)
{
    VirtIORNG *vrng = opaque;

    vrng->rate_timer = 0;
    vrng->quota_remaining = (int64_t)vrng->max_bytes;
    virtio_rng_process(vrng);
    return G_SOURCE_REMOVE;
}

/*
 * Serve waiting buffers while the quota lasts.  Called for a notify and
 * when a period ends; main loop, machine lock held.
 */
static void virtio_rng_process(VirtIORNG *vrng)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(vrng);
    uint8_t buf[VIRTIO_RNG_MAX_PER_BUFFER];
    VirtQueueElement *elem;
    bool pushed = false;

    if (!vrng->rate_timer && vrng->max_bytes < INT64_MAX) {
        vrng->rate_timer = g_timeout_add(vrng->period_ms, period_ended, vrng);
    }
    while (vrng->quota_remaining > 0 && (elem = virtqueue_pop(vrng->vq))) {
        uint64_t len = MIN(MIN(elem->in_len, VIRTIO_RNG_MAX_PER_BUFFER),
                           (uint64_t)vrng->quota_remaining);
        uint64_t written = 0;

        if (len && fill_random(buf, len)) {
            written = virtqueue_element_write(elem, 0, buf, len);
        }
        vrng->quota_remaining -= (int64_t)written;
        vrng->bytes_served += written;
        virtqueue_push(vrng->vq, elem, (uint32_t)written);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, vrng->vq);
    }
}

static void handle_request(VirtIODevice *vdev, VirtQueue *vq)
{
    virtio_rng_process(VIRTIO_RNG(vdev));
}

static bool virtio_rng_device_realize(VirtIODevice *vdev, Error **errp)
{
    VirtIORNG *vrng = VIRTIO_RNG(vdev);

    /* QEMU's checks and words. */
    if (vrng->period_ms == 0) {
        error_setg(errp, "'period' parameter expects a positive integer");
        return false;
    }
    if (vrng->max_bytes > INT64_MAX) {
        error_setg(errp, "'max-bytes' parameter must be non-negative, and "
                   "less than 2^63");
        return false;
    }
    vrng->quota_remaining = (int64_t)vrng->max_bytes;
    virtio_init(vdev, VIRTIO_ID_RNG, 0);
    vrng->vq = virtio_add_queue(vdev, VIRTIO_RNG_QUEUE_SIZE, handle_request);
    return true;
}

static void virtio_rng_device_unrealize(VirtIODevice *vdev)
{
    VirtIORNG *vrng = VIRTIO_RNG(vdev);

    if (vrng->rate_timer) {
        g_source_remove(vrng->rate_timer);
        vrng->rate_timer = 0;
    }
    virtio_cleanup(vdev);
}

/*
 * As QEMU's, without descriptions (so -device help reads the same).
 * QEMU's "rng" link to an entropy backend is not offered: entropy comes
 * from getrandom(), like QEMU's default rng-builtin.
 */
static const Property virtio_rng_props[] = {
    { .name = "max-bytes", .kind = PROP_UINT64, .access = PROP_CONFIG,
      .offset = offsetof(VirtIORNG, max_bytes),
      .defval = "9223372036854775807" },
    { .name = "period", .kind = PROP_UINT32, .access = PROP_CONFIG,
      .offset = offsetof(VirtIORNG, period_ms), .defval = "65536" },
    { NULL },
};

static void virtio_rng_class_init(ObjectClass *oc)
{
    VirtIODeviceClass *vdc = (VirtIODeviceClass *)oc;

    vdc->device_realize = virtio_rng_device_realize;
    vdc->device_unrealize = virtio_rng_device_unrealize;
    object_class_add_props(oc, virtio_rng_props);
}

static const TypeInfo virtio_rng_info = {
    .name = TYPE_VIRTIO_RNG,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIORNG),
    .class_init = virtio_rng_class_init,
};

void virtio_rng_register_types(void)
{
    type_register_static(&virtio_rng_info);
}
