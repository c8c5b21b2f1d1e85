/* Memory devices: pre-plug placement, listing, query-memory-devices, info memory-devices. */
#include "hw/mem/memory-device.h"
#include "hw/mem/memory-device-addr.h"
#include "qom/device.h"
#include "system/memory.h"

static const MemoryDeviceHooks *hooks_of(Object *obj)
{
    return object_get_interface(obj, TYPE_MEMORY_DEVICE);
}

static void collect(Object *obj, GPtrArray *out)
{
    if (obj->realized && hooks_of(obj)) {
        g_ptr_array_add(out, obj);
    }
    for (guint i = 0; i < obj->children->len; i++) {
        collect(g_ptr_array_index(obj->children, i), out);
    }
}

GPtrArray *memory_device_list(void)
{
    GPtrArray *out = g_ptr_array_new();
    Object *machine = object_resolve_path("/machine", NULL);

    if (machine) {
        collect(machine, out);
    }
    return out;
}

JsonNode *memory_device_query(void)
{
    g_autoptr(GPtrArray) devs = memory_device_list();
    JsonArray *arr = json_array_new();
    JsonNode *node;

    for (guint i = 0; i < devs->len; i++) {
        Object *md = g_ptr_array_index(devs, i);
        JsonObject *info = json_object_new();

        hooks_of(md)->fill_info(md, info);
        json_array_add_object_element(arr, info);
    }
    node = json_node_new(JSON_NODE_ARRAY);
    /* take_array: init_array() would add a reference and leak arr. */
    json_node_take_array(node, arr);
    return node;
}

static void append_field(GString *out, const char *key, JsonNode *v)
{
    g_string_append_printf(out, "  %s: ", key);
    if (JSON_NODE_HOLDS_VALUE(v) &&
        json_node_get_value_type(v) == G_TYPE_INT64) {
        int64_t n = json_node_get_int(v);

        /* QEMU prints addresses in hex and every other number in decimal. */
        if (g_str_equal(key, "memaddr") || g_str_equal(key, "addr")) {
            g_string_append_printf(out, "0x%" G_GINT64_MODIFIER "x", n);
        } else {
            g_string_append_printf(out, "%" G_GINT64_FORMAT, n);
        }
    } else if (JSON_NODE_HOLDS_VALUE(v) &&
               json_node_get_value_type(v) == G_TYPE_BOOLEAN) {
        g_string_append(out, json_node_get_boolean(v) ? "true" : "false");
    } else if (JSON_NODE_HOLDS_VALUE(v)) {
        g_string_append(out, json_node_get_string(v));
    }
    g_string_append_c(out, '\n');
}

char *memory_device_hmp_text(void)
{
    g_autoptr(JsonNode) list = memory_device_query();
    JsonArray *arr = json_node_get_array(list);
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *info = json_array_get_object_element(arr, i);
        JsonObject *data = json_object_get_object_member(info, "data");
        GList *members = json_object_get_members(data);

        g_string_append_printf(out, "Memory device [%s]: \"%s\"\n",
                               json_object_get_string_member(info, "type"),
                               json_object_has_member(data, "id")
                               ? json_object_get_string_member(data, "id")
                               : "");
        for (GList *l = members; l; l = l->next) {
            if (!g_str_equal(l->data, "id")) {
                append_field(out, l->data,
                             json_object_get_member(data, l->data));
            }
        }
        g_list_free(members);
    }
    return g_string_free(out, FALSE);
}

uint64_t memory_device_plugged_total(void)
{
    g_autoptr(GPtrArray) devs = memory_device_list();
    uint64_t total = 0;

    for (guint i = 0; i < devs->len; i++) {
        Object *md = g_ptr_array_index(devs, i);

        total += hooks_of(md)->get_plugged_size(md);
    }
    return total;
}

/* Where a placed device sits, for the allocator; false if it cannot say. */
static bool range_of(Object *obj, MemoryDeviceRange *out, Error **errp)
{
    const MemoryDeviceHooks *hooks = hooks_of(obj);
    struct MemoryRegion *mr = hooks->get_region(obj, errp);

    if (!mr) {
        return false;
    }
    out->addr = hooks->get_addr(obj);
    out->size = memory_region_size(mr);
    out->id = object_is_a(obj, TYPE_DEVICE) ? DEVICE(obj)->id : NULL;
    return true;
}

bool memory_device_pre_plug(Object *md, uint64_t area_base,
                            uint64_t area_size, uint64_t space_total,
                            uint64_t legacy_align, const uint64_t *hint,
                            Error **errp)
{
    const MemoryDeviceHooks *hooks = hooks_of(md);
    g_autoptr(GPtrArray) devs = NULL;
    g_autofree MemoryDeviceRange *used = NULL;
    size_t nr_used = 0;
    uint64_t used_total = 0, align = legacy_align, size, addr;
    struct MemoryRegion *mr;

    /* Internal invariant: only types implementing the interface call us. */
    g_assert(hooks);
    mr = hooks->get_region(md, errp);
    if (!mr) {
        return false;
    }
    size = memory_region_size(mr);
    if (hooks->get_min_alignment) {
        align = MAX(align, hooks->get_min_alignment(md));
    }

    devs = memory_device_list();
    used = g_new0(MemoryDeviceRange, devs->len);
    for (guint i = 0; i < devs->len; i++) {
        Object *other = g_ptr_array_index(devs, i);

        /* A caller that marks md realized early must not hit itself. */
        if (other == md) {
            continue;
        }
        if (!range_of(other, &used[nr_used], errp)) {
            return false;
        }
        /* QEMU counts region sizes, plugged or not; saturate, never wrap. */
        used_total = used[nr_used].size > UINT64_MAX - used_total
                     ? UINT64_MAX : used_total + used[nr_used].size;
        nr_used++;
    }

    /* QEMU warns after the "not enabled" check, before the space check. */
    if (space_total && memory_device_align_fragments(area_base, align)) {
        warn_report(MEMORY_DEVICE_ALIGN_WARNING_FMT, align);
    }
    if (!memory_device_check_space(used_total, space_total, size, errp) ||
        !memory_device_find_addr(area_base, area_size, used, nr_used, align,
                                 size, hint, &addr, errp)) {
        return false;
    }
    return hooks->set_addr(md, addr, errp);
}
