/* The virtio-mem device: requests from the guest, requested-size from the host. */
#include "hw/virtio/virtio-mem.h"

#include <stdio.h>
#include <string.h>
#include "hw/i386/pc.h"
#include "hw/virtio/virtio-mem-stats.h"
#include "util/cutils.h"

/* A BUSY answer is followed by a config kick after this long (spec V11). */
#define RETRY_KICK_MS 100

typedef struct SizeNotifier {
    VirtioMemSizeNotify fn;
    void *opaque;
} SizeNotifier;

static const char *const on_off_auto_names[] = { "on", "off", "auto", NULL };

/* ---- sizes --------------------------------------------------------------- */

/* Transparent huge pages are what the host backs anonymous memory with. */
static uint64_t thp_size(void)
{
    g_autofree char *text = NULL;
    uint64_t size;

    if (g_file_get_contents("/sys/kernel/mm/transparent_hugepage/"
                            "hpage_pmd_size", &text, NULL, NULL) &&
        parse_uint64(g_strchomp(text), &size) == 0 && size &&
        !(size & (size - 1))) {
        return size;
    }
    return VIRTIO_MEM_DEFAULT_THP_SIZE;
}

static HostMemoryBackend *backend_of(VirtIOMEM *vmem)
{
    return (HostMemoryBackend *)vmem->memdev;
}

uint64_t virtio_mem_get_block_size(VirtIOMEM *vmem)
{
    uint64_t page;

    if (vmem->block_size) {
        return vmem->block_size;
    }
    page = vmem->memdev ? host_memory_backend_pagesize(backend_of(vmem))
                        : 4096;
    return MAX(thp_size(), page);
}

uint64_t virtio_mem_get_plugged_size(VirtIOMEM *vmem)
{
    return OBJECT(vmem)->realized
           ? virtio_mem_blocks_plugged_size(&vmem->blocks) : 0;
}

uint64_t virtio_mem_get_region_size(VirtIOMEM *vmem)
{
    return vmem->memdev ? host_memory_backend_get_size(backend_of(vmem)) : 0;
}

MemoryRegion *virtio_mem_get_region(VirtIOMEM *vmem, Error **errp)
{
    if (!vmem->memdev) {
        error_setg(errp, "'memdev' property must be set");
        return NULL;
    }
    return &vmem->region;
}

static void notifier_add(GArray *list, VirtioMemSizeNotify fn, void *opaque)
{
    SizeNotifier n = { fn, opaque };

    g_array_append_val(list, n);
}

static void notifier_remove(GArray *list, VirtioMemSizeNotify fn,
                            void *opaque)
{
    for (guint i = 0; i < list->len; i++) {
        SizeNotifier *n = &g_array_index(list, SizeNotifier, i);

        if (n->fn == fn && n->opaque == opaque) {
            g_array_remove_index(list, i);
            return;
        }
    }
}

static void notifier_call(GArray *list, VirtIOMEM *vmem, uint64_t size)
{
    for (guint i = 0; i < list->len; i++) {
        SizeNotifier *n = &g_array_index(list, SizeNotifier, i);

        n->fn(n->opaque, vmem, size);
    }
}

void virtio_mem_add_size_notifier(VirtIOMEM *vmem, VirtioMemSizeNotify fn,
                                  void *opaque)
{
    notifier_add(vmem->size_notifiers, fn, opaque);
}

void virtio_mem_remove_size_notifier(VirtIOMEM *vmem, VirtioMemSizeNotify fn,
                                     void *opaque)
{
    notifier_remove(vmem->size_notifiers, fn, opaque);
}

void virtio_mem_add_requested_notifier(VirtIOMEM *vmem, VirtioMemSizeNotify fn,
                                       void *opaque)
{
    notifier_add(vmem->requested_notifiers, fn, opaque);
}

void virtio_mem_remove_requested_notifier(VirtIOMEM *vmem,
                                          VirtioMemSizeNotify fn,
                                          void *opaque)
{
    notifier_remove(vmem->requested_notifiers, fn, opaque);
}

static void notify_size(VirtIOMEM *vmem)
{
    notifier_call(vmem->size_notifiers, vmem,
                  virtio_mem_get_plugged_size(vmem));
}

/* ---- guest requests --------------------------------------------------------- */

static gboolean retry_kick_cb(gpointer opaque)
{
    VirtIOMEM *vmem = opaque;

    vmem->retry_kick = 0;
    virtio_notify_config(VIRTIO_DEVICE(vmem));
    return G_SOURCE_REMOVE;
}

/*
 * The Linux driver retries a BUSY only on its 50-300 s timer or on a
 * config change, so tell it soon that it may try again.
 */
static uint16_t answer_busy(VirtIOMEM *vmem, Error *err)
{
    static bool warned;

    if (!warned) {
        warn_report("virtio-mem: %s (answering BUSY; warned once)",
                    error_get_pretty(err));
        warned = true;
    }
    error_free(err);
    vmem->blocks.counters.busy++;
    if (!vmem->retry_kick) {
        vmem->retry_kick = g_timeout_add(RETRY_KICK_MS, retry_kick_cb, vmem);
    }
    return VIRTIO_MEM_RESP_BUSY;
}

static uint16_t answer_error(VirtIOMEM *vmem)
{
    vmem->blocks.counters.errors++;
    return VIRTIO_MEM_RESP_ERROR;
}

/* PLUG and UNPLUG, checked in the spec's order (P3, NACK, P4). */
static uint16_t state_change(VirtIOMEM *vmem, uint64_t gpa, uint16_t nb,
                             bool plug)
{
    VirtioMemBlocks *b = &vmem->blocks;
    Error *err = NULL;
    uint64_t first;
    bool ok;

    if (gpa < vmem->addr ||
        !virtio_mem_blocks_range_valid(b, gpa - vmem->addr, nb, &first)) {
        return answer_error(vmem);
    }
    /* Beyond requested-size: NACK, never ERROR (ERROR kills Linux's driver). */
    if (plug && nb * b->block_size >
        vmem->requested_size - MIN(vmem->requested_size,
                                   virtio_mem_blocks_plugged_size(b))) {
        b->counters.nacks++;
        return VIRTIO_MEM_RESP_NACK;
    }
    if (plug ? !virtio_mem_blocks_range_unplugged(b, first, nb)
             : !virtio_mem_blocks_range_plugged(b, first, nb)) {
        return answer_error(vmem);
    }
    ok = plug ? virtio_mem_blocks_plug(b, first, nb, &err)
              : virtio_mem_blocks_unplug(b, first, nb, &err);
    if (!ok) {
        return answer_busy(vmem, err);
    }
    notify_size(vmem);
    return VIRTIO_MEM_RESP_ACK;
}

static uint16_t unplug_all(VirtIOMEM *vmem)
{
    VirtioMemBlocks *b = &vmem->blocks;
    bool had = b->plugged_blocks != 0;
    Error *err = NULL;

    if (!virtio_mem_blocks_unplug_all(b, &err)) {
        return answer_busy(vmem, err);
    }
    /* A6: the usable region may shrink now, and only now (V8). */
    virtio_mem_blocks_resize_usable(b, vmem->requested_size, true);
    if (had) {
        notify_size(vmem);
    }
    return VIRTIO_MEM_RESP_ACK;
}

static uint16_t block_state(VirtIOMEM *vmem, uint64_t gpa, uint16_t nb,
                            uint16_t *state)
{
    VirtioMemBlocks *b = &vmem->blocks;
    uint64_t first;

    if (gpa < vmem->addr ||
        !virtio_mem_blocks_range_valid(b, gpa - vmem->addr, nb, &first)) {
        return answer_error(vmem);
    }
    if (virtio_mem_blocks_range_plugged(b, first, nb)) {
        *state = VIRTIO_MEM_STATE_PLUGGED;
    } else if (virtio_mem_blocks_range_unplugged(b, first, nb)) {
        *state = VIRTIO_MEM_STATE_UNPLUGGED;
    } else {
        *state = VIRTIO_MEM_STATE_MIXED;
    }
    return VIRTIO_MEM_RESP_ACK;
}

/* Returns false for a request so malformed the device must be reset. */
static bool handle_one(VirtIOMEM *vmem, VirtQueueElement *elem,
                       struct virtio_mem_resp *resp)
{
    struct virtio_mem_req req;
    VirtioMemCounters *c = &vmem->blocks.counters;

    if (elem->out_len < sizeof(req) || elem->in_len < sizeof(*resp)) {
        virtio_error(VIRTIO_DEVICE(vmem), "virtio-mem protocol violation: "
                     "request of %u bytes (needs %zu), response room %"
                     G_GUINT64_FORMAT " bytes (needs %zu)", elem->out_len,
                     sizeof(req), elem->in_len, sizeof(*resp));
        return false;
    }
    memcpy(&req, elem->out, sizeof(req));
    memset(resp, 0, sizeof(*resp));
    switch (req.type) {
    case VIRTIO_MEM_REQ_PLUG:
        c->plug_requests++;
        resp->type = state_change(vmem, req.u.plug.addr, req.u.plug.nb_blocks,
                                  true);
        return true;
    case VIRTIO_MEM_REQ_UNPLUG:
        c->unplug_requests++;
        resp->type = state_change(vmem, req.u.unplug.addr,
                                  req.u.unplug.nb_blocks, false);
        return true;
    case VIRTIO_MEM_REQ_UNPLUG_ALL:
        c->unplug_all_requests++;
        resp->type = unplug_all(vmem);
        return true;
    case VIRTIO_MEM_REQ_STATE:
        c->state_requests++;
        resp->type = block_state(vmem, req.u.state.addr,
                                 req.u.state.nb_blocks, &resp->u.state.state);
        return true;
    default:
        virtio_error(VIRTIO_DEVICE(vmem), "virtio-mem protocol violation: "
                     "invalid request type: %u", req.type);
        return false;
    }
}

static void handle_requests(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);
    VirtQueueElement *elem;
    bool pushed = false;

    while ((elem = virtqueue_pop(vq))) {
        struct virtio_mem_resp resp;

        if (!handle_one(vmem, elem, &resp)) {
            virtqueue_element_free(elem);
            break;
        }
        /*
         * Used len is what was written (spec 2.7.8): less when the guest
         * put the answer in a block this very request unplugged.
         */
        virtqueue_push(vq, elem, (uint32_t)virtqueue_element_write(
                                     elem, 0, &resp, sizeof(resp)));
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

/* ---- host side ----------------------------------------------------------------- */

bool virtio_mem_set_requested_size(VirtIOMEM *vmem, uint64_t size,
                                   Error **errp)
{
    uint64_t bs = virtio_mem_get_block_size(vmem);

    if (size % bs) {
        error_setg(errp, "'requested-size' has to be multiples of "
                   "'block-size' (0x%" G_GINT64_MODIFIER "x)", bs);
        return false;
    }
    if (size > virtio_mem_get_region_size(vmem)) {
        error_setg(errp, "'requested-size' cannot exceed the memory backend "
                   "size(0x%" G_GINT64_MODIFIER "x)",
                   virtio_mem_get_region_size(vmem));
        return false;
    }
    vmem->requested_size = size;
    virtio_mem_blocks_resize_usable(&vmem->blocks, size, false);
    virtio_notify_config(VIRTIO_DEVICE(vmem));
    notifier_call(vmem->requested_notifiers, vmem, size);
    return true;
}

void virtio_mem_system_reset(VirtIOMEM *vmem)
{
    g_autoptr(Error) err = NULL;
    bool had = vmem->blocks.plugged_blocks != 0;

    if (!virtio_mem_blocks_unplug_all(&vmem->blocks, &err)) {
        /* The guest will send UNPLUG_ALL itself (spec D5). */
        warn_report("virtio-mem: unplugging at reset failed: %s",
                    error_get_pretty(err));
        return;
    }
    virtio_mem_blocks_resize_usable(&vmem->blocks, vmem->requested_size,
                                    true);
    if (had) {
        notify_size(vmem);
    }
}

static void virtio_mem_object_reset(Object *obj)
{
    virtio_mem_system_reset(VIRTIO_MEM(obj));
}

/* ---- virtio device hooks ----------------------------------------------------- */

static uint64_t virtio_mem_get_features(VirtIODevice *vdev)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);
    uint64_t f = 0;

    if (vmem->acpi_pxm) {
        f |= UINT64_C(1) << VIRTIO_MEM_F_ACPI_PXM;
    }
    if (vmem->ui_resolved) {
        f |= UINT64_C(1) << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE;
    }
    return f;
}

/* V12: a driver that may touch unplugged memory cannot have the device. */
static bool virtio_mem_validate_features(VirtIODevice *vdev)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);
    uint64_t ui = UINT64_C(1) << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE;

    return !vmem->ui_resolved || (vdev->guest_features & ui);
}

static void virtio_mem_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);
    struct virtio_mem_config cfg = {
        .block_size = vmem->blocks.block_size,
        .node_id = (le16)vmem->node,
        .addr = vmem->addr,
        .region_size = vmem->blocks.region_size,
        .usable_region_size = vmem->blocks.usable_region_size,
        .plugged_size = virtio_mem_blocks_plugged_size(&vmem->blocks),
        .requested_size = vmem->requested_size,
    };

    memcpy(config, &cfg, sizeof(cfg));
}

static void virtio_mem_device_reset(VirtIODevice *vdev)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);

    /* V13/V14: a device reset leaves every block as it is. */
    if (vmem->retry_kick) {
        g_source_remove(vmem->retry_kick);
        vmem->retry_kick = 0;
    }
}

/* QEMU: auto means on unless the backend has a shared zero page. */
static bool resolve_unplugged_inaccessible(VirtIOMEM *vmem)
{
    HostMemoryBackend *b = backend_of(vmem);

    if (vmem->unplugged_inaccessible != ON_OFF_AUTO_AUTO) {
        return vmem->unplugged_inaccessible == ON_OFF_AUTO_ON;
    }
    return host_memory_backend_get_fd(b) >= 0 ||
           host_memory_backend_is_shared(b) || b->hugetlb;
}

static bool check_config(VirtIOMEM *vmem, Error **errp)
{
    PCMachineState *pcms = pc_machine_get();
    unsigned nodes = pcms ? pc_machine_numa_node_count(pcms) : 1;
    HostMemoryBackend *b = backend_of(vmem);
    uint64_t bs = virtio_mem_get_block_size(vmem);
    uint64_t page = host_memory_backend_pagesize(b);

    if (vmem->node >= nodes) {
        /* QEMU's text, missing space and all, so scripts match. */
        error_setg(errp, "'node' property has value '%u', which exceedsthe "
                   "number of numa nodes: %u", vmem->node, nodes);
        return false;
    }
    if (bs < page) {
        error_setg(errp, "'block-size' property has to be at least the page "
                   "size (0x%" G_GINT64_MODIFIER "x)", page);
        return false;
    }
    if (vmem->requested_size % bs) {
        error_setg(errp, "'requested-size' property has to be multiples of "
                   "'block-size' (0x%" G_GINT64_MODIFIER "x)", bs);
        return false;
    }
    if (host_memory_backend_get_size(b) % bs) {
        error_setg(errp, "backend memory size must be multiple of 0x%"
                   G_GINT64_MODIFIER "x", bs);
        return false;
    }
    return true;
}

static bool virtio_mem_device_realize(VirtIODevice *vdev, Error **errp)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);
    PCMachineState *pcms = pc_machine_get();
    HostMemoryBackend *b;

    if (!vmem->memdev) {
        error_setg(errp, "'memdev' property must be set");
        return false;
    }
    b = backend_of(vmem);
    if (host_memory_backend_is_in_use(b)) {
        error_setg(errp, "'memdev' property specifies a busy memdev: %s",
                   host_memory_backend_get_id(b));
        return false;
    }
    if (!check_config(vmem, errp) ||
        !host_memory_backend_claim(b, "virtio-mem", errp)) {
        return false;
    }
    /*
     * Start clean: every block unplugged, no host memory held.  If that
     * fails, memory the guest was never given would stay resident (a
     * prealloc'd backend, a file with data), so refuse, as QEMU does.
     */
    if (!host_memory_backend_discard(b, 0, host_memory_backend_get_size(b),
                                     errp)) {
        error_prepend(errp, "Unexpected error discarding RAM: ");
        host_memory_backend_release(b);
        return false;
    }
    vmem->block_size = virtio_mem_get_block_size(vmem);
    vmem->ui_resolved = resolve_unplugged_inaccessible(vmem);
    vmem->acpi_pxm = pcms && pcms->numa_nodes->len > 0;
    memory_region_init_container(&vmem->region, "virtio-mem",
                                 host_memory_backend_get_size(b));
    memory_region_set_holes_read_zero(&vmem->region, !vmem->ui_resolved);
    virtio_mem_blocks_init(&vmem->blocks, b, &vmem->region, vmem->block_size);
    vmem->blocks.prealloc = vmem->prealloc;
    vmem->blocks.prealloc_threads = MAX(b->prealloc_threads, 1);
    virtio_mem_blocks_resize_usable(&vmem->blocks, vmem->requested_size,
                                    false);
    virtio_init(vdev, VIRTIO_ID_MEM, sizeof(struct virtio_mem_config));
    vmem->vq = virtio_add_queue(vdev, VIRTIO_MEM_QUEUE_SIZE, handle_requests);
    return true;
}

static void virtio_mem_device_unrealize(VirtIODevice *vdev)
{
    VirtIOMEM *vmem = VIRTIO_MEM(vdev);

    virtio_mem_device_reset(vdev);
    virtio_cleanup(vdev);
    virtio_mem_blocks_destroy(&vmem->blocks);
    memory_region_destroy(&vmem->region);
    host_memory_backend_release(backend_of(vmem));
}

/* ---- properties --------------------------------------------------------------- */

static bool set_requested_size(Object *obj, const Property *prop,
                               const PropValue *in, Error **errp)
{
    VirtIOMEM *vmem = VIRTIO_MEM(obj);

    /* As QEMU: any value before realize; realize checks it. */
    if (!obj->realized) {
        vmem->requested_size = in->u;
        return true;
    }
    return virtio_mem_set_requested_size(vmem, in->u, errp);
}

static bool set_block_size(Object *obj, const Property *prop,
                           const PropValue *in, Error **errp)
{
    if (obj->realized) {
        error_setg(errp, "'block-size' cannot be changed");
        return false;
    }
    if (in->u & (in->u - 1) || !in->u) {
        error_setg(errp, in->u ? "'block-size' property has to be a power "
                   "of two" : "'block-size' property has to be at least "
                   "0x100000");
        return false;
    }
    if (in->u < VIRTIO_MEM_MIN_BLOCK_SIZE) {
        error_setg(errp, "'block-size' property has to be at least 0x%"
                   G_GINT64_MODIFIER "x", VIRTIO_MEM_MIN_BLOCK_SIZE);
        return false;
    }
    if (in->u < VIRTIO_MEM_DEFAULT_THP_SIZE) {
        warn_report("'block-size' property is smaller than the default block "
                    "size (%" G_GUINT64_FORMAT " MiB)",
                    VIRTIO_MEM_DEFAULT_THP_SIZE >> 20);
    }
    VIRTIO_MEM(obj)->block_size = in->u;
    return true;
}

static bool get_block_size(Object *obj, const Property *prop, PropValue *out)
{
    out->u = virtio_mem_get_block_size(VIRTIO_MEM(obj));
    return true;
}

static bool get_size(Object *obj, const Property *prop, PropValue *out)
{
    out->u = virtio_mem_get_plugged_size(VIRTIO_MEM(obj));
    return true;
}

static const Property virtio_mem_props[] = {
    { .name = "memdev", .kind = PROP_LINK, .access = PROP_CONFIG,
      .offset = offsetof(VirtIOMEM, memdev), .link_type = "memory-backend" },
    { .name = "node", .kind = PROP_UINT32, .access = PROP_CONFIG,
      .offset = offsetof(VirtIOMEM, node), .defval = "0" },
    { .name = "requested-size", .kind = PROP_SIZE, .access = PROP_RUNTIME,
      .offset = offsetof(VirtIOMEM, requested_size),
      .set = set_requested_size },
    { .name = "size", .kind = PROP_SIZE, .access = PROP_READONLY,
      .offset = PROP_NO_FIELD, .get = get_size },
    { .name = "block-size", .kind = PROP_SIZE, .access = PROP_RUNTIME,
      .offset = PROP_NO_FIELD, .get = get_block_size, .set = set_block_size },
    { .name = "memaddr", .kind = PROP_UINT64, .access = PROP_CONFIG,
      .offset = offsetof(VirtIOMEM, addr), .defval = "0" },
    { .name = "prealloc", .kind = PROP_BOOL, .access = PROP_CONFIG,
      .offset = offsetof(VirtIOMEM, prealloc), .defval = "off" },
    { .name = "unplugged-inaccessible", .kind = PROP_ENUM,
      .access = PROP_CONFIG,
      .offset = offsetof(VirtIOMEM, unplugged_inaccessible),
      .defval = "auto", .enum_names = on_off_auto_names,
      .enum_type = "OnOffAuto", .description = "on/off/auto" },
    { NULL },
};

static void virtio_mem_instance_init(Object *obj)
{
    VIRTIO_MEM(obj)->size_notifiers = g_array_new(FALSE, FALSE,
                                                  sizeof(SizeNotifier));
    VIRTIO_MEM(obj)->requested_notifiers = g_array_new(FALSE, FALSE,
                                                       sizeof(SizeNotifier));
}

static void virtio_mem_instance_finalize(Object *obj)
{
    g_array_free(VIRTIO_MEM(obj)->size_notifiers, TRUE);
    g_array_free(VIRTIO_MEM(obj)->requested_notifiers, TRUE);
}

static void virtio_mem_class_init(ObjectClass *oc)
{
    VirtIODeviceClass *vdc = (VirtIODeviceClass *)oc;

    oc->reset = virtio_mem_object_reset;
    vdc->device_realize = virtio_mem_device_realize;
    vdc->device_unrealize = virtio_mem_device_unrealize;
    vdc->get_features = virtio_mem_get_features;
    vdc->validate_features = virtio_mem_validate_features;
    vdc->get_config = virtio_mem_get_config;
    vdc->reset = virtio_mem_device_reset;
    object_class_add_props(oc, virtio_mem_props);
    virtio_mem_stats_class_init(oc);
}

static const TypeInfo virtio_mem_info = {
    .name = TYPE_VIRTIO_MEM,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIOMEM),
    .class_init = virtio_mem_class_init,
    .instance_init = virtio_mem_instance_init,
    .instance_finalize = virtio_mem_instance_finalize,
};

void virtio_mem_register_types(void)
{
    type_register_static(&virtio_mem_info);
}
