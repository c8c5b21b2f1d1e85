/* The memory manager: one logical VM size spread over every virtio-mem device. */
#include "hw/mem/memory-manager.h"

#include "hw/i386/pc.h"
#include "hw/mem/memory-device.h"
#include "hw/virtio/virtio-mem-pci.h"
#include "util/cutils.h"
#include "util/option.h"

#define BALLOON_EVENT_PERIOD_MS 1000
/* How often progress is checked while converging, at most. */
#define CHECK_PERIOD_MS 250

struct MMDevice {
    Object *proxy;              /* virtio-mem-pci */
    VirtIOMEM *vmem;
    const char *id;
    uint64_t target;            /* its share of the plan */
    uint64_t requested;         /* what we last set as its requested-size */
    uint64_t weight;
    bool stuck;                 /* pinned at what it reached */
    uint64_t last_size;
    gint64 last_move_us;        /* when its size last changed */
};

static const char *const policy_names[] = { "balanced", "fill", "weighted",
                                            NULL };
static const char *const state_names[] = { "settled", "converging", "stuck" };

static void check_progress(MemoryManager *mm);

MemoryManager *memory_manager_get(void)
{
    Object *obj = object_resolve_path_type(MEMORY_MANAGER_PATH,
                                           TYPE_MEMORY_MANAGER, NULL);

    return obj ? MEMORY_MANAGER(obj) : NULL;
}

static uint64_t dev_size(MMDevice *d)
{
    return virtio_mem_get_plugged_size(d->vmem);
}

static uint64_t dev_max(MMDevice *d)
{
    return virtio_mem_get_region_size(d->vmem);
}

uint64_t memory_manager_actual(MemoryManager *mm)
{
    uint64_t actual = mm->boot;

    for (guint i = 0; i < mm->devices->len; i++) {
        actual += dev_size(g_ptr_array_index(mm->devices, i));
    }
    return actual;
}

/*
 * How far the VM is from its logical size.  Not the devices' plan: a stuck
 * device's plan is what it reached, which would make a stuck VM look done.
 */
static uint64_t remaining_distance(MemoryManager *mm)
{
    uint64_t actual = memory_manager_actual(mm);

    return actual > mm->size ? actual - mm->size : mm->size - actual;
}

/* ---- applying targets ---------------------------------------------------- */

/* Through the property, as an operator would: the device checks it. */
static bool request_size(MemoryManager *mm, MMDevice *d, uint64_t size,
                         bool renotify)
{
    g_autoptr(Error) err = NULL;
    bool ok;

    if (d->vmem->requested_size == size && !renotify) {
        d->requested = size;
        return true;
    }
    mm->applying = true;
    ok = object_property_set_uint(d->proxy, "requested-size", size, &err);
    mm->applying = false;
    if (!ok) {
        /* Requests are computed within the device's limits. */
        warn_report("memory-manager: %s: %s", d->id, error_get_pretty(err));
        return false;
    }
    d->requested = size;
    d->last_move_us = g_get_monotonic_time();
    return true;
}

/*
 * What the host may have to back for a device: all it was asked to plug,
 * or what it holds if that is more.  A stuck device counts at what it
 * holds, as in the plan: it is not expected to move.
 */
static uint64_t commitment(MMDevice *d)
{
    return d->stuck ? dev_size(d) : MAX(dev_size(d), d->requested);
}

static uint64_t committed(MemoryManager *mm)
{
    uint64_t sum = 0;

    for (guint i = 0; i < mm->devices->len; i++) {
        sum += commitment(g_ptr_array_index(mm->devices, i));
    }
    return sum;
}

/*
 * A device's first request in a new plan.  One that shrinks is asked for
 * its share at once.  One that grows keeps what it was already granted,
 * up to its share, and gets the rest from grant_growth() as the others
 * give memory back.
 */
static uint64_t first_request(MMDevice *d)
{
    uint64_t size = dev_size(d);

    if (d->target <= size) {
        return d->target;
    }
    return MIN(d->target, MAX(size, d->requested));
}

/*
 * Hand growing devices what the plan's ceiling leaves.  Moving memory
 * between nodes, the guest would otherwise hold more than the old and
 * the new logical size for a while (Linux plugs faster than it unplugs);
 * so growth waits for the shrinking to make room, and the devices never
 * need more host memory than the larger of the two sizes.
 */
static void grant_growth(MemoryManager *mm)
{
    uint64_t used = committed(mm);
    uint64_t budget = mm->ceiling > used ? mm->ceiling - used : 0;

    for (guint i = 0; i < mm->devices->len && budget; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);
        uint64_t bs = virtio_mem_get_block_size(d->vmem), step;

        if (d->stuck || d->requested >= d->target) {
            continue;
        }
        step = MIN(d->target - d->requested, budget / bs * bs);
        if (step && request_size(mm, d, d->requested + step, false)) {
            budget -= step;
        }
    }
}

static bool redistribute(MemoryManager *mm, bool renotify)
{
    guint n = mm->devices->len;
    g_autofree MMDeviceSpec *specs = g_new0(MMDeviceSpec, n);
    g_autofree uint64_t *targets = g_new0(uint64_t, n);
    uint64_t before = committed(mm), planned = 0;
    bool exact;

    for (guint i = 0; i < n; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);

        specs[i] = (MMDeviceSpec) {
            .block_size = virtio_mem_get_block_size(d->vmem),
            .max_size = dev_max(d),
            .weight = d->weight,
            .pinned = d->stuck,
            .pinned_size = dev_size(d),
        };
    }
    exact = memory_manager_distribute(mm->policy, specs, n,
                                      mm->size - mm->boot, targets);
    for (guint i = 0; i < n; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);

        d->target = targets[i];
        planned += targets[i];
        /*
         * A stuck device counts at what it reached, so the others make up
         * the rest; but it keeps its request, so a guest that frees (or
         * finds) memory later still moves it, and we rebalance then.
         */
        if (!d->stuck) {
            request_size(mm, d, first_request(d), renotify);
        }
    }
    mm->ceiling = MAX(planned, before);
    grant_growth(mm);
    return exact;
}

/* ---- watching the devices ------------------------------------------------ */

static void update_state(MemoryManager *mm)
{
    bool moving = false, reached = true;
    uint64_t sum = 0;

    for (guint i = 0; i < mm->devices->len; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);

        sum += d->target;
        if (dev_size(d) != d->target) {
            reached = false;
            moving |= !d->stuck;
        }
    }
    if (reached && mm->boot + sum == mm->size) {
        mm->state = MM_STATE_SETTLED;
    } else {
        mm->state = moving ? MM_STATE_CONVERGING : MM_STATE_STUCK;
    }
}

static gboolean check_timer_cb(gpointer opaque)
{
    MemoryManager *mm = opaque;

    check_progress(mm);
    return mm->timer ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* A timer only while converging: a settled or stuck VM costs no CPU. */
static void update_timer(MemoryManager *mm)
{
    guint period = MIN(CHECK_PERIOD_MS, MAX(mm->stuck_timeout * 250u, 10u));

    if (mm->state == MM_STATE_CONVERGING && !mm->timer) {
        mm->timer = g_timeout_add(period, check_timer_cb, mm);
    } else if (mm->state != MM_STATE_CONVERGING && mm->timer) {
        g_source_remove(mm->timer);
        mm->timer = 0;
    }
}

static void emit_balloon_change(void *opaque)
{
    MemoryManager *mm = opaque;
    JsonObject *data = json_object_new();

    json_object_set_int_member(data, "actual",
                               (gint64)memory_manager_actual(mm));
    event_emit("BALLOON_CHANGE", data);
}

/*
 * Someone set a device's requested-size directly (qom-set, a script):
 * the operator knows best, so the logical size follows the devices, and
 * the plan stays theirs (no policy re-spread, not even around a stuck
 * device) until the next logical size, policy or weights.
 */
static void adopt_direct_changes(MemoryManager *mm)
{
    bool changed = false;
    uint64_t sum = 0;

    for (guint i = 0; i < mm->devices->len; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);

        if (d->vmem->requested_size != d->requested) {
            d->target = d->requested = d->vmem->requested_size;
            d->stuck = false;
            d->last_move_us = g_get_monotonic_time();
            changed = true;
        }
        sum += d->requested;
    }
    if (changed) {
        mm->size = mm->boot + sum;
        mm->manual = true;
    }
}

static bool detect_stuck(MemoryManager *mm, gint64 now)
{
    gint64 timeout = (gint64)mm->stuck_timeout * G_USEC_PER_SEC;
    bool rebalance = false;

    for (guint i = 0; i < mm->devices->len; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);
        uint64_t s = dev_size(d);

        if (s != d->last_size) {
            d->last_size = s;
            d->last_move_us = now;
            /* It moves again: give it back its share. */
            rebalance |= d->stuck;
            d->stuck = false;
        } else if (!d->stuck && s != d->requested && mm->stuck_timeout &&
                   now - d->last_move_us >= timeout) {
            d->stuck = true;
            rebalance = true;
        }
    }
    return rebalance;
}

static void check_progress(MemoryManager *mm)
{
    uint64_t actual;

    if (!mm->applying) {
        adopt_direct_changes(mm);
    }
    if (detect_stuck(mm, g_get_monotonic_time()) && !mm->manual) {
        redistribute(mm, false);
    } else if (!mm->manual) {
        grant_growth(mm);
    }
    actual = memory_manager_actual(mm);
    if (actual != mm->last_actual) {
        mm->last_actual = actual;
        event_throttle_fire(&mm->balloon_event);
    }
    update_state(mm);
    update_timer(mm);
}

static void size_changed(void *opaque, VirtIOMEM *vmem, uint64_t size)
{
    check_progress(opaque);
}

/* A write of requested-size: ours (ignored) or an operator's (adopted). */
static void requested_changed(void *opaque, VirtIOMEM *vmem, uint64_t size)
{
    MemoryManager *mm = opaque;

    if (!mm->applying) {
        check_progress(mm);
    }
}

/* ---- the logical size -------------------------------------------------------- */

static uint64_t capacity(MemoryManager *mm, uint64_t *granule)
{
    uint64_t cap = 0;

    *granule = UINT64_MAX;
    for (guint i = 0; i < mm->devices->len; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);

        cap += dev_max(d);
        *granule = MIN(*granule, virtio_mem_get_block_size(d->vmem));
    }
    return cap;
}

/* Sizes as people type them: whole GiB or MiB, else bytes. */
static char *size_text(uint64_t size)
{
    if (size && size % (UINT64_C(1) << 30) == 0) {
        return g_strdup_printf("%" G_GUINT64_FORMAT " GiB", size >> 30);
    }
    if (size % (UINT64_C(1) << 20) == 0) {
        return g_strdup_printf("%" G_GUINT64_FORMAT " MiB", size >> 20);
    }
    return g_strdup_printf("%" G_GUINT64_FORMAT " bytes", size);
}

bool memory_manager_set_size(MemoryManager *mm, uint64_t size, Error **errp)
{
    uint64_t granule, cap = capacity(mm, &granule);

    if (size < mm->boot || size - mm->boot > cap) {
        g_autofree char *lo = size_text(mm->boot);
        g_autofree char *hi = size_text(mm->boot + cap);
        g_autofree char *want = size_text(size);

        error_setg(errp, "the logical memory size must be between %s (boot "
                   "memory) and %s (boot memory plus the virtio-mem devices' "
                   "capacity), not %s", lo, hi, want);
        return false;
    }
    /* The devices take whole blocks: round down to the smallest block. */
    mm->size = mm->boot + (size - mm->boot) / granule * granule;
    mm->manual = false;
    for (guint i = 0; i < mm->devices->len; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);

        d->stuck = false;
        d->last_move_us = g_get_monotonic_time();
    }
    /* Re-notify every device: a re-sent target makes a stuck guest retry. */
    redistribute(mm, true);
    mm->start_distance = remaining_distance(mm);
    check_progress(mm);
    return true;
}

/* ---- reports -------------------------------------------------------------------- */

JsonNode *memory_manager_query(MemoryManager *mm)
{
    JsonObject *ret = json_object_new();
    JsonArray *devs = json_array_new();
    JsonNode *node;
    uint64_t left = remaining_distance(mm);
    int64_t progress = mm->start_distance
                       ? 100 - (int64_t)(MIN(left, mm->start_distance) * 100 /
                                         mm->start_distance)
                       : (left ? 0 : 100);

    for (guint i = 0; i < mm->devices->len; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);
        JsonObject *o = json_object_new();
        g_autofree char *path = object_get_canonical_path(d->proxy);

        if (d->id) {
            json_object_set_string_member(o, "id", d->id);
        }
        json_object_set_string_member(o, "qom-path", path);
        json_object_set_int_member(o, "node", d->vmem->node);
        json_object_set_int_member(o, "target", (gint64)d->target);
        json_object_set_int_member(o, "requested-size",
                                   (gint64)d->vmem->requested_size);
        json_object_set_int_member(o, "size", (gint64)dev_size(d));
        json_object_set_int_member(o, "max-size", (gint64)dev_max(d));
        json_object_set_int_member(o, "block-size",
                                   (gint64)virtio_mem_get_block_size(d->vmem));
        json_object_set_int_member(o, "weight", (gint64)d->weight);
        json_object_set_boolean_member(o, "stuck", d->stuck);
        json_array_add_object_element(devs, o);
    }
    json_object_set_int_member(ret, "target", (gint64)mm->size);
    json_object_set_int_member(ret, "actual",
                               (gint64)memory_manager_actual(mm));
    json_object_set_string_member(ret, "state", state_names[mm->state]);
    json_object_set_string_member(ret, "policy", policy_names[mm->policy]);
    json_object_set_int_member(ret, "progress", progress);
    json_object_set_array_member(ret, "devices", devs);
    node = json_node_new(JSON_NODE_OBJECT);
    /* take_object: init_object() would add a reference and leak ret. */
    json_node_take_object(node, ret);
    return node;
}

char *memory_manager_hmp_text(MemoryManager *mm)
{
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "memory-manager: target=%" G_GUINT64_FORMAT
                           " MiB actual=%" G_GUINT64_FORMAT " MiB state=%s "
                           "policy=%s\n", mm->size >> 20,
                           memory_manager_actual(mm) >> 20,
                           state_names[mm->state], policy_names[mm->policy]);
    for (guint i = 0; i < mm->devices->len; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);

        g_string_append_printf(out, "  %s (node %u): target %" G_GUINT64_FORMAT
                               " MiB, requested %" G_GUINT64_FORMAT " MiB, "
                               "size %" G_GUINT64_FORMAT " MiB, max %"
                               G_GUINT64_FORMAT " MiB%s\n",
                               d->id ? d->id : "(unnamed)", d->vmem->node,
                               d->target >> 20,
                               d->vmem->requested_size >> 20,
                               dev_size(d) >> 20, dev_max(d) >> 20,
                               d->stuck ? ", stuck" : "");
    }
    return g_string_free(out, FALSE);
}

/* ---- the object ------------------------------------------------------------------- */

static bool parse_weights(MemoryManager *mm, const char *text, bool apply,
                          Error **errp)
{
    g_auto(GStrv) pairs = g_strsplit(text ? text : "", ",", -1);

    for (guint i = 0; apply && i < mm->devices->len; i++) {
        ((MMDevice *)g_ptr_array_index(mm->devices, i))->weight = 1;
    }
    for (int i = 0; pairs[i]; i++) {
        g_auto(GStrv) kv = g_strsplit(pairs[i], "=", 2);
        uint64_t w;
        MMDevice *found = NULL;

        if (!*pairs[i]) {
            continue;
        }
        if (!kv[1] || parse_uint64(kv[1], &w) < 0 || w > UINT32_MAX) {
            error_setg(errp, "'weights' expects ID=WEIGHT pairs separated "
                       "by commas, not '%s'", pairs[i]);
            return false;
        }
        for (guint j = 0; j < mm->devices->len; j++) {
            MMDevice *d = g_ptr_array_index(mm->devices, j);

            if (d->id && g_str_equal(d->id, kv[0])) {
                found = d;
            }
        }
        if (!found) {
            error_setg(errp, "'weights': no virtio-mem device '%s'", kv[0]);
            return false;
        }
        if (apply) {
            found->weight = w;
        }
    }
    return true;
}

static bool set_size_prop(Object *obj, const Property *prop,
                          const PropValue *in, Error **errp)
{
    if (!obj->realized) {
        MEMORY_MANAGER(obj)->size = in->u;
        return true;
    }
    return memory_manager_set_size(MEMORY_MANAGER(obj), in->u, errp);
}

static bool set_policy_prop(Object *obj, const Property *prop,
                            const PropValue *in, Error **errp)
{
    MemoryManager *mm = MEMORY_MANAGER(obj);

    mm->policy = in->e;
    mm->manual = false;
    if (obj->realized) {
        redistribute(mm, false);
        check_progress(mm);
    }
    return true;
}

static bool set_weights_prop(Object *obj, const Property *prop,
                             const PropValue *in, Error **errp)
{
    MemoryManager *mm = MEMORY_MANAGER(obj);

    if (obj->realized && !parse_weights(mm, in->s, true, errp)) {
        return false;
    }
    object_prop_store(obj, prop, in);
    if (obj->realized) {
        mm->manual = false;
        redistribute(mm, false);
        check_progress(mm);
    }
    return true;
}

static bool get_actual(Object *obj, const Property *prop, PropValue *out)
{
    out->u = memory_manager_actual(MEMORY_MANAGER(obj));
    return true;
}

static bool get_state(Object *obj, const Property *prop, PropValue *out)
{
    out->s = state_names[MEMORY_MANAGER(obj)->state];
    return true;
}

static gint node_order(gconstpointer a, gconstpointer b)
{
    const MMDevice *da = *(MMDevice *const *)a;
    const MMDevice *db = *(MMDevice *const *)b;

    return (da->vmem->node > db->vmem->node) -
           (da->vmem->node < db->vmem->node);
}

static void collect_devices(MemoryManager *mm)
{
    g_autoptr(GPtrArray) list = memory_device_list();
    gint64 now = g_get_monotonic_time();

    for (guint i = 0; i < list->len; i++) {
        Object *obj = g_ptr_array_index(list, i);
        MMDevice *d;

        if (!object_is_a(obj, TYPE_VIRTIO_MEM_PCI)) {
            continue;
        }
        d = g_new0(MMDevice, 1);
        d->proxy = obj;
        d->vmem = VIRTIO_MEM(VIRTIO_PCI(obj)->vdev);
        d->id = DEVICE(obj)->id;
        d->weight = 1;
        d->target = d->requested = d->vmem->requested_size;
        d->last_size = dev_size(d);
        d->last_move_us = now;
        virtio_mem_add_size_notifier(d->vmem, size_changed, mm);
        virtio_mem_add_requested_notifier(d->vmem, requested_changed, mm);
        g_ptr_array_add(mm->devices, d);
    }
    /* Stable: devices on one node keep their creation order. */
    g_ptr_array_sort(mm->devices, node_order);
}

static bool memory_manager_realize(Object *obj, Error **errp)
{
    MemoryManager *mm = MEMORY_MANAGER(obj);
    PCMachineState *pcms = pc_machine_get();
    uint64_t wanted = mm->size, sum = 0;

    mm->boot = pcms ? pcms->ram_size : 0;
    collect_devices(mm);
    if (!mm->devices->len) {
        error_setg(errp, "the machine has no virtio-mem device to manage");
        return false;
    }
    if (!parse_weights(mm, mm->weights, true, errp)) {
        return false;
    }
    /* Start from what the devices were given: nothing moves at start. */
    for (guint i = 0; i < mm->devices->len; i++) {
        sum += ((MMDevice *)g_ptr_array_index(mm->devices, i))->target;
    }
    mm->size = mm->boot + sum;
    event_throttle_init(&mm->balloon_event, BALLOON_EVENT_PERIOD_MS,
                        emit_balloon_change, mm);
    mm->last_actual = memory_manager_actual(mm);
    mm->start_distance = remaining_distance(mm);
    obj->realized = true;   /* so set_size applies rather than stores */
    if (wanted && !memory_manager_set_size(mm, wanted, errp)) {
        obj->realized = false;
        return false;
    }
    update_state(mm);
    update_timer(mm);
    return true;
}

static void memory_manager_unrealize(Object *obj)
{
    MemoryManager *mm = MEMORY_MANAGER(obj);

    event_throttle_cancel(&mm->balloon_event);
    for (guint i = 0; i < mm->devices->len; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);

        virtio_mem_remove_size_notifier(d->vmem, size_changed, mm);
        virtio_mem_remove_requested_notifier(d->vmem, requested_changed, mm);
    }
    if (mm->timer) {
        g_source_remove(mm->timer);
        mm->timer = 0;
    }
}

/*
 * System reset: the devices have just unplugged everything (they are
 * reset first, being earlier in the tree); the logical size stays and
 * the guest will plug it back, so start converging towards it again.
 */
static void memory_manager_reset(Object *obj)
{
    MemoryManager *mm = MEMORY_MANAGER(obj);

    for (guint i = 0; i < mm->devices->len; i++) {
        MMDevice *d = g_ptr_array_index(mm->devices, i);

        d->stuck = false;
        d->last_size = dev_size(d);
        d->last_move_us = g_get_monotonic_time();
    }
    /* The devices keep their requested-size over a reset: a manual plan too. */
    if (!mm->manual) {
        redistribute(mm, false);
    }
    mm->start_distance = remaining_distance(mm);
    check_progress(mm);
}

static const Property memory_manager_props[] = {
    { .name = "size", .kind = PROP_SIZE, .access = PROP_RUNTIME,
      .offset = offsetof(MemoryManager, size), .set = set_size_prop,
      .description = "The logical memory size: boot memory plus virtio-mem" },
    { .name = "policy", .kind = PROP_ENUM, .access = PROP_RUNTIME,
      .offset = offsetof(MemoryManager, policy), .defval = "balanced",
      .enum_names = policy_names, .enum_type = "MemoryManagerPolicy",
      .set = set_policy_prop,
      .description = "balanced, fill or weighted" },
    { .name = "weights", .kind = PROP_STR, .access = PROP_RUNTIME,
      .offset = offsetof(MemoryManager, weights), .set = set_weights_prop,
      .description = "Per-device weights: ID=WEIGHT,... (weighted policy)" },
    { .name = "stuck-timeout", .kind = PROP_UINT32, .access = PROP_RUNTIME,
      .offset = offsetof(MemoryManager, stuck_timeout), .defval = "10",
      .description = "Seconds without progress before a device is stuck "
                     "(0: never)" },
    { .name = "actual", .kind = PROP_SIZE, .access = PROP_READONLY,
      .offset = PROP_NO_FIELD, .get = get_actual,
      .description = "Boot memory plus plugged memory now" },
    { .name = "state", .kind = PROP_STR, .access = PROP_READONLY,
      .offset = PROP_NO_FIELD, .get = get_state,
      .description = "settled, converging or stuck" },
    { NULL },
};

static void memory_manager_init(Object *obj)
{
    MEMORY_MANAGER(obj)->devices = g_ptr_array_new_with_free_func(g_free);
}

static void memory_manager_finalize(Object *obj)
{
    g_ptr_array_free(MEMORY_MANAGER(obj)->devices, TRUE);
}

static void memory_manager_class_init(ObjectClass *oc)
{
    oc->description = "One logical memory size over all virtio-mem devices";
    oc->realize = memory_manager_realize;
    oc->unrealize = memory_manager_unrealize;
    oc->reset = memory_manager_reset;
    object_class_add_props(oc, memory_manager_props);
}

static const TypeInfo memory_manager_info = {
    .name = TYPE_MEMORY_MANAGER,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(MemoryManager),
    .class_init = memory_manager_class_init,
    .instance_init = memory_manager_init,
    .instance_finalize = memory_manager_finalize,
};

static bool set_opt(const char *key, const char *value, void *opaque,
                    Error **errp)
{
    return object_property_set_str(opaque, key, value, PROP_INPUT_CMDLINE,
                                   errp);
}

bool memory_manager_create(const char *opts, Error **errp)
{
    g_autoptr(Object) obj = object_new(TYPE_MEMORY_MANAGER);
    g_autoptr(Opts) o = opts_parse(opts ? opts : "", NULL, errp);

    if (!o || !opts_foreach_unused(o, set_opt, obj, errp) ||
        !object_add_child(container_get("/machine"), "memory-manager", obj,
                          errp)) {
        return false;
    }
    if (!object_realize(obj, errp)) {
        object_unparent(obj);
        return false;
    }
    return true;
}

void memory_manager_destroy(void)
{
    MemoryManager *mm = memory_manager_get();

    if (mm) {
        object_unparent(OBJECT(mm));
    }
}

void memory_manager_register_types(void)
{
    type_register_static(&memory_manager_info);
}
