/* virtio devices: QOM base type, queue registers, negotiation, config. */
#include "hw/virtio/virtio.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "util/error.h"
#include "virtio-internal.h"

/* Status bits a driver may set; NEEDS_RESET is the device's to set. */
#define VIRTIO_DRIVER_STATUS_BITS                                        \
    (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |               \
     VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FEATURES_OK |            \
     VIRTIO_CONFIG_S_FAILED)

/* Breakages logged per device; a guest can break, reset and repeat. */
#define VIRTIO_ERROR_LOG_MAX 8

static uint64_t bit(unsigned n)
{
    return UINT64_C(1) << n;
}

static VirtIODeviceClass *virtio_get_class(VirtIODevice *vdev)
{
    return VIRTIO_DEVICE_GET_CLASS(vdev);
}

void virtio_init(VirtIODevice *vdev, uint16_t device_id, uint32_t config_len)
{
    vdev->device_id = device_id;
    vdev->status = 0;
    vdev->isr = 0;
    vdev->config_generation = 0;
    vdev->guest_features = 0;
    vdev->config_len = config_len;
    vdev->config = g_malloc0(config_len);
    vdev->config_vector = VIRTIO_NO_VECTOR_INDEX;
    vdev->vqs = g_new0(VirtQueue, VIRTIO_QUEUE_MAX);
    vdev->nvqs = 0;
    vdev->broken = false;
}

void virtio_cleanup(VirtIODevice *vdev)
{
    g_clear_pointer(&vdev->config, g_free);
    vdev->config_len = 0;
    g_clear_pointer(&vdev->vqs, g_free);
    vdev->nvqs = 0;
}

void virtio_bind_transport(VirtIODevice *vdev, const VirtioTransportOps *ops,
                           void *opaque)
{
    vdev->transport = ops;
    vdev->transport_opaque = opaque;
}

bool virtio_vdev_has_feature(VirtIODevice *vdev, unsigned n)
{
    return n < 64 && (vdev->guest_features & bit(n));
}

void virtio_raise_irq(VirtIODevice *vdev, uint8_t isr_bit, uint16_t vector)
{
    vdev->isr |= isr_bit;
    if (vdev->transport && vdev->transport->notify) {
        vdev->transport->notify(vdev->transport_opaque, vector);
    }
}

/* ---- queue registers ---------------------------------------------------- */

static VirtQueue *vdev_queue(VirtIODevice *vdev, unsigned n)
{
    if (!vdev->vqs || n >= vdev->nvqs) {
        return NULL;
    }
    return &vdev->vqs[n];
}

static void virtio_queues_reset(VirtIODevice *vdev)
{
    for (unsigned i = 0; i < vdev->nvqs; i++) {
        VirtQueue *vq = &vdev->vqs[i];

        vq->enabled = false;
        vq->size = vq->max_size;
        vq->desc = vq->avail = vq->used = 0;
        vq->vector = VIRTIO_NO_VECTOR_INDEX;
        virtio_queue_reset_ring(vq);
    }
}

VirtQueue *virtio_add_queue(VirtIODevice *vdev, uint16_t max_size,
                            VirtQueueHandler handler)
{
    VirtQueue *vq;

    /* Device bugs found at realize (see the header); no guest input. */
    g_assert(vdev->vqs && vdev->nvqs < VIRTIO_QUEUE_MAX);
    g_assert(max_size && max_size <= VIRTQUEUE_MAX_SIZE &&
             !(max_size & (max_size - 1)));
    vq = &vdev->vqs[vdev->nvqs];
    memset(vq, 0, sizeof(*vq));
    vq->vdev = vdev;
    vq->handler = handler;
    vq->index = vdev->nvqs++;
    vq->max_size = vq->size = max_size;
    vq->vector = VIRTIO_NO_VECTOR_INDEX;
    return vq;
}

unsigned virtio_num_queues(VirtIODevice *vdev)
{
    return vdev->nvqs;
}

uint16_t virtio_queue_get_max_size(VirtIODevice *vdev, unsigned n)
{
    VirtQueue *vq = vdev_queue(vdev, n);

    return vq ? vq->max_size : 0;
}

uint16_t virtio_queue_get_size(VirtIODevice *vdev, unsigned n)
{
    VirtQueue *vq = vdev_queue(vdev, n);

    return vq ? vq->size : 0;
}

void virtio_queue_set_size(VirtIODevice *vdev, unsigned n, uint16_t size)
{
    VirtQueue *vq = vdev_queue(vdev, n);

    if (!vq || vq->enabled || !size || size > vq->max_size ||
        (size & (size - 1))) {
        return;
    }
    vq->size = size;
}

void virtio_queue_set_addrs(VirtIODevice *vdev, unsigned n, uint64_t desc,
                            uint64_t avail, uint64_t used)
{
    VirtQueue *vq = vdev_queue(vdev, n);

    if (!vq || vq->enabled) {
        return;
    }
    vq->desc = desc;
    vq->avail = avail;
    vq->used = used;
}

void virtio_queue_get_addrs(VirtIODevice *vdev, unsigned n, uint64_t *desc,
                            uint64_t *avail, uint64_t *used)
{
    VirtQueue *vq = vdev_queue(vdev, n);

    *desc = vq ? vq->desc : 0;
    *avail = vq ? vq->avail : 0;
    *used = vq ? vq->used : 0;
}

/* Why the rings of vq cannot be used, or NULL when they can. */
static const char *vq_rings_problem(VirtQueue *vq)
{
    uint64_t event = virtio_vdev_has_feature(vq->vdev,
                                             VIRTIO_RING_F_EVENT_IDX)
                     ? VRING_EVENT_SIZE : 0;
    uint64_t desc_len = (uint64_t)vq->size * VRING_DESC_SIZE;
    uint64_t avail_len = VRING_HDR_SIZE +
                         (uint64_t)vq->size * VRING_AVAIL_ELEM_SIZE + event;
    uint64_t used_len = VRING_HDR_SIZE +
                        (uint64_t)vq->size * VRING_USED_ELEM_SIZE + event;

    /*
     * Address 0 means "never set" (QEMU's virtio_queue_ready): a driver
     * that enables a queue it did not configure must not have the device
     * walk whatever lies at guest page 0.
     */
    if (!vq->desc || !vq->avail || !vq->used) {
        return "not configured (a ring address is 0)";
    }
    if (vq->desc % VRING_DESC_ALIGN || vq->avail % VRING_AVAIL_ALIGN ||
        vq->used % VRING_USED_ALIGN) {
        return "misaligned";
    }
    if (!virtio_guest_range_ok(vq->desc, desc_len, false)) {
        return "descriptor table not in RAM";
    }
    if (!virtio_guest_range_ok(vq->avail, avail_len, false)) {
        return "available ring not in RAM";
    }
    if (!virtio_guest_range_ok(vq->used, used_len, true)) {
        return "used ring not in writable RAM";
    }
    return NULL;
}

void virtio_queue_set_enabled(VirtIODevice *vdev, unsigned n, bool enabled)
{
    VirtQueue *vq = vdev_queue(vdev, n);
    const char *problem;

    if (!vq || vq->enabled == enabled) {
        return;
    }
    if (enabled) {
        problem = vq_rings_problem(vq);
        if (problem) {
            virtio_error(vdev, "queue %u: rings at desc 0x%" PRIx64
                         " avail 0x%" PRIx64 " used 0x%" PRIx64
                         " (size %u): %s", n, vq->desc, vq->avail, vq->used,
                         vq->size, problem);
            return;
        }
    }
    virtio_queue_reset_ring(vq);
    vq->enabled = enabled;
}

bool virtio_queue_get_enabled(VirtIODevice *vdev, unsigned n)
{
    VirtQueue *vq = vdev_queue(vdev, n);

    return vq && vq->enabled;
}

void virtio_queue_set_vector(VirtIODevice *vdev, unsigned n, uint16_t vector)
{
    VirtQueue *vq = vdev_queue(vdev, n);

    if (vq) {
        vq->vector = vector;
    }
}

uint16_t virtio_queue_get_vector(VirtIODevice *vdev, unsigned n)
{
    VirtQueue *vq = vdev_queue(vdev, n);

    return vq ? vq->vector : VIRTIO_NO_VECTOR_INDEX;
}

VirtIODevice *virtqueue_get_device(VirtQueue *vq)
{
    return vq->vdev;
}

unsigned virtqueue_get_index(VirtQueue *vq)
{
    return vq->index;
}

void virtio_queue_notify(VirtIODevice *vdev, unsigned n)
{
    VirtQueue *vq = vdev_queue(vdev, n);

    if (!vq || !virtio_queue_ready(vq) || !vq->handler) {
        return;
    }
    vq->handler(vdev, vq);
}

/* ---- status and features ------------------------------------------------ */

uint64_t virtio_device_features(VirtIODevice *vdev)
{
    return vdev->host_features;
}

void virtio_set_driver_features(VirtIODevice *vdev, uint64_t features)
{
    /* Spec 3.1.1: the features are fixed once FEATURES_OK is set. */
    if (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
        return;
    }
    vdev->guest_features = features;
}

/* Whether FEATURES_OK may stick for the driver's current choice. */
static bool features_acceptable(VirtIODevice *vdev)
{
    VirtIODeviceClass *vdc = virtio_get_class(vdev);

    if (vdev->guest_features & ~vdev->host_features) {
        return false;
    }
    if (!(vdev->guest_features & bit(VIRTIO_F_VERSION_1))) {
        return false;
    }
    return !vdc->validate_features || vdc->validate_features(vdev);
}

void virtio_set_status(VirtIODevice *vdev, uint8_t status)
{
    VirtIODeviceClass *vdc = virtio_get_class(vdev);
    uint8_t old = vdev->status;
    uint8_t new;

    if (status == 0) {
        virtio_reset(vdev);
        return;
    }
    new = old | (status & VIRTIO_DRIVER_STATUS_BITS);
    if ((new & ~old & VIRTIO_CONFIG_S_FEATURES_OK) &&
        !features_acceptable(vdev)) {
        /* Left clear: the driver reads status back to learn it failed. */
        new &= ~VIRTIO_CONFIG_S_FEATURES_OK;
    }
    if (!(new & VIRTIO_CONFIG_S_FEATURES_OK)) {
        new &= ~VIRTIO_CONFIG_S_DRIVER_OK;
    }
    vdev->status = new;
    if ((new & ~old & VIRTIO_CONFIG_S_FEATURES_OK) && vdc->set_features) {
        vdc->set_features(vdev, vdev->guest_features);
    }
}

void virtio_reset(VirtIODevice *vdev)
{
    VirtIODeviceClass *vdc = virtio_get_class(vdev);

    vdev->status = 0;
    vdev->isr = 0;
    vdev->guest_features = 0;
    vdev->broken = false;
    vdev->config_vector = VIRTIO_NO_VECTOR_INDEX;
    if (vdev->vqs) {
        virtio_queues_reset(vdev);
    }
    if (vdc->reset) {
        vdc->reset(vdev);
    }
}

uint8_t virtio_read_isr(VirtIODevice *vdev)
{
    uint8_t isr = vdev->isr;

    vdev->isr = 0;
    return isr;
}

/* ---- config space ------------------------------------------------------- */

static bool config_access_ok(VirtIODevice *vdev, uint32_t offset,
                             unsigned size)
{
    if (size != 1 && size != 2 && size != 4) {
        return false;
    }
    return (uint64_t)offset + size <= vdev->config_len;
}

uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t offset,
                            unsigned size)
{
    VirtIODeviceClass *vdc = virtio_get_class(vdev);
    uint32_t val = 0;

    if (!config_access_ok(vdev, offset, size)) {
        return size == 1 ? 0xff : size == 2 ? 0xffff : UINT32_MAX;
    }
    if (vdc->get_config) {
        vdc->get_config(vdev, vdev->config);
    }
    for (unsigned i = 0; i < size; i++) {
        val |= (uint32_t)vdev->config[offset + i] << (8 * i);
    }
    return val;
}

void virtio_config_write(VirtIODevice *vdev, uint32_t offset, uint32_t val,
                         unsigned size)
{
    VirtIODeviceClass *vdc = virtio_get_class(vdev);

    if (!config_access_ok(vdev, offset, size)) {
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        vdev->config[offset + i] = (uint8_t)(val >> (8 * i));
    }
    if (vdc->set_config) {
        vdc->set_config(vdev, vdev->config);
    }
}

/* ---- notifications and errors ------------------------------------------- */

void virtio_notify_config(VirtIODevice *vdev)
{
    /* The generation tells a driver reading config twice that it changed. */
    vdev->config_generation++;
    if (!(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) || vdev->broken) {
        return;
    }
    virtio_raise_irq(vdev, VIRTIO_ISR_CONFIG, vdev->config_vector);
}

static const char *virtio_device_name(VirtIODevice *vdev)
{
    DeviceState *dev = DEVICE(vdev);

    return dev->id ? dev->id : object_get_typename(OBJECT(vdev));
}

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (vdev->broken) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (vdev->error_count < VIRTIO_ERROR_LOG_MAX) {
        error_report("virtio device '%s': %s%s", virtio_device_name(vdev), msg,
                     vdev->error_count + 1 == VIRTIO_ERROR_LOG_MAX
                     ? " (further errors not logged)" : "");
    }
    vdev->error_count++;
    vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
    /* Before broken is set: a broken device raises no interrupts. */
    virtio_notify_config(vdev);
    vdev->broken = true;
}

/* ---- the QOM type ------------------------------------------------------- */

static bool virtio_device_realize(Object *obj, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(obj);
    VirtIODeviceClass *vdc = virtio_get_class(vdev);
    uint64_t features;

    if (vdc->device_realize && !vdc->device_realize(vdev, errp)) {
        return false;
    }
    if (!vdev->vqs) {
        error_setg(errp, "virtio device '%s' did not call virtio_init()",
                   object_get_typename(obj));
        if (vdc->device_unrealize) {
            vdc->device_unrealize(vdev);
        }
        return false;
    }
    features = vdc->get_features ? vdc->get_features(vdev) : 0;
    vdev->host_features = features | bit(VIRTIO_F_VERSION_1) |
                          bit(VIRTIO_RING_F_INDIRECT_DESC) |
                          bit(VIRTIO_RING_F_EVENT_IDX);
    return true;
}

static void virtio_device_unrealize(Object *obj)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(obj);
    VirtIODeviceClass *vdc = virtio_get_class(vdev);

    if (vdc->device_unrealize) {
        vdc->device_unrealize(vdev);
    }
    vdev->host_features = 0;
}

/* Machine reset (reboot): the device starts over as at power-on. */
static void virtio_device_machine_reset(Object *obj)
{
    virtio_reset(VIRTIO_DEVICE(obj));
}

static void virtio_device_instance_init(Object *obj)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(obj);

    vdev->config_vector = VIRTIO_NO_VECTOR_INDEX;
}

/* A device whose unrealize forgot virtio_cleanup() still frees its queues. */
static void virtio_device_instance_finalize(Object *obj)
{
    virtio_cleanup(VIRTIO_DEVICE(obj));
}

static void virtio_device_class_init(ObjectClass *oc)
{
    oc->realize = virtio_device_realize;
    oc->unrealize = virtio_device_unrealize;
    oc->reset = virtio_device_machine_reset;
}

static const TypeInfo virtio_device_info = {
    .name = TYPE_VIRTIO_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(VirtIODevice),
    .class_size = sizeof(VirtIODeviceClass),
    .abstract = true,
    .class_init = virtio_device_class_init,
    .instance_init = virtio_device_instance_init,
    .instance_finalize = virtio_device_instance_finalize,
};

void virtio_register_types(void)
{
    type_register_static(&virtio_device_info);
}
