/* Typed object properties: lookup, set from strings or JSON, get as JSON. */
#include "qom/object.h"

#include <errno.h>
#include <string.h>
#include "util/cutils.h"

#define TYPE_DEVICE_NAME "device"

void object_class_add_props(ObjectClass *oc, const Property *props)
{
    for (const Property *p = props; p->name; p++) {
        g_ptr_array_add(oc->props, (gpointer)p);
    }
}

const Property *object_class_find_prop(ObjectClass *oc, const char *name,
                                       ObjectClass **owner)
{
    for (; oc; oc = oc->parent_class) {
        for (guint i = 0; i < oc->props->len; i++) {
            const Property *p = g_ptr_array_index(oc->props, i);

            if (g_str_equal(p->name, name)) {
                if (owner) {
                    *owner = oc;
                }
                return p;
            }
        }
    }
    return NULL;
}

GPtrArray *object_class_get_props(ObjectClass *oc)
{
    GPtrArray *all = oc->parent_class
                     ? object_class_get_props(oc->parent_class)
                     : g_ptr_array_new();

    for (guint i = 0; i < oc->props->len; i++) {
        g_ptr_array_add(all, g_ptr_array_index(oc->props, i));
    }
    return all;
}

char *prop_type_name(const Property *prop)
{
    switch (prop->kind) {
    case PROP_BOOL:
        return g_strdup("bool");
    case PROP_INT:
        return g_strdup("int");
    case PROP_UINT32:
        return g_strdup("uint32");
    case PROP_UINT64:
        return g_strdup("uint64");
    case PROP_SIZE:
        return g_strdup("size");
    case PROP_STR:
        return g_strdup("str");
    case PROP_ENUM:
        return g_strdup(prop->enum_type ? prop->enum_type : "str");
    case PROP_LINK:
        return g_strdup_printf("link<%s>", prop->link_type);
    }
    return g_strdup("unknown");
}

static void *field_of(Object *obj, const Property *prop)
{
    return (char *)obj + prop->offset;
}

void object_prop_store(Object *obj, const Property *prop, const PropValue *in)
{
    void *f = field_of(obj, prop);

    /* Only field properties have storage; accessor setters store themselves. */
    g_assert(prop->offset != PROP_NO_FIELD);
    switch (prop->kind) {
    case PROP_BOOL:
        *(bool *)f = in->b;
        break;
    case PROP_INT:
        *(int64_t *)f = in->i;
        break;
    case PROP_UINT32:
        *(uint32_t *)f = (uint32_t)in->u;
        break;
    case PROP_UINT64:
    case PROP_SIZE:
        *(uint64_t *)f = in->u;
        break;
    case PROP_STR:
        g_free(*(char **)f);
        *(char **)f = g_strdup(in->s);
        break;
    case PROP_ENUM:
        *(int *)f = in->e;
        break;
    case PROP_LINK: {
        Object *old = *(Object **)f;

        *(Object **)f = in->obj ? object_ref(in->obj) : NULL;
        object_unref(old);
        break;
    }
    }
}

static bool read_field(Object *obj, const Property *prop, PropValue *out)
{
    void *f = field_of(obj, prop);

    out->kind = prop->kind;
    switch (prop->kind) {
    case PROP_BOOL:
        out->b = *(bool *)f;
        break;
    case PROP_INT:
        out->i = *(int64_t *)f;
        break;
    case PROP_UINT32:
        out->u = *(uint32_t *)f;
        break;
    case PROP_UINT64:
    case PROP_SIZE:
        out->u = *(uint64_t *)f;
        break;
    case PROP_STR:
        out->s = *(char **)f;
        break;
    case PROP_ENUM:
        out->e = *(int *)f;
        break;
    case PROP_LINK:
        out->obj = *(Object **)f;
        break;
    }
    return true;
}

static const Property *find_prop(Object *obj, const char *name,
                                 ObjectClass **owner, Error **errp)
{
    const Property *p = object_class_find_prop(obj->klass, name, owner);

    if (!p) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), name);
    }
    return p;
}

/* The "id" of a device for messages: its name under peripheral, if any. */
static const char *device_id(Object *obj)
{
    if (obj->parent && obj->parent->name &&
        g_str_equal(obj->parent->name, "peripheral")) {
        return obj->name;
    }
    return NULL;
}

static bool check_writable(Object *obj, const Property *prop,
                           ObjectClass *owner, Error **errp)
{
    if (prop->access == PROP_READONLY) {
        error_setg(errp, "Property '%s.%s' is not writable",
                   object_class_get_name(owner), prop->name);
        return false;
    }
    if (prop->access == PROP_RUNTIME || !obj->realized) {
        return true;
    }
    if (object_is_a(obj, TYPE_DEVICE_NAME)) {
        const char *id = device_id(obj);
        const char *what = prop->kind == PROP_LINK ? "link property"
                                                   : "property";

        if (id) {
            error_setg(errp, "Attempt to set %s '%s' on device '%s' "
                       "(type '%s') after it was realized", what, prop->name,
                       id, object_get_typename(obj));
        } else {
            error_setg(errp, "Attempt to set %s '%s' on anonymous device "
                       "(type '%s') after it was realized", what, prop->name,
                       object_get_typename(obj));
        }
        return false;
    }
    error_setg(errp, "cannot change property '%s' of %s '%s'", prop->name,
               object_get_typename(obj), obj->name ? obj->name : "");
    return false;
}

static bool apply(Object *obj, const Property *prop, const PropValue *v,
                  Error **errp)
{
    if (prop->set) {
        return prop->set(obj, prop, v, errp);
    }
    object_prop_store(obj, prop, v);
    return true;
}

static int enum_lookup(const Property *prop, const char *name)
{
    for (int i = 0; prop->enum_names[i]; i++) {
        if (g_str_equal(prop->enum_names[i], name)) {
            return i;
        }
    }
    return -1;
}

static bool resolve_link(const Property *prop, const char *path,
                         Object **out, Error **errp)
{
    bool ambiguous;
    Object *target;

    if (!*path) {
        *out = NULL;
        return true;
    }
    target = object_resolve_path(path, &ambiguous);
    if (!target && !strchr(path, '/')) {
        /* A bare id names an -object first, as QEMU's memdev=ID. */
        target = object_find_by_id("/objects", path);
    }
    if (!target) {
        if (ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", path);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
        return false;
    }
    if (!object_is_a(target, prop->link_type)) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   prop->name, prop->link_type);
        return false;
    }
    *out = target;
    return true;
}

static void set_size_error(const Property *prop, PropInput src, Error **errp)
{
    if (src == PROP_INPUT_HMP) {
        error_setg(errp, "Parameter '%s' expects a non-negative number below "
                   "2^64\nOptional suffix k, M, G, T, P or E means kilo-, "
                   "mega-, giga-, tera-, peta-\nand exabytes, respectively.",
                   prop->name);
    } else if (src == PROP_INPUT_DEVICE) {
        error_setg(errp, "Parameter '%s' expects size", prop->name);
    } else {
        error_setg(errp, "Parameter '%s' expects a size value", prop->name);
    }
}

static bool parse_str_value(const Property *prop, const char *str,
                            PropInput src, PropValue *v, Error **errp)
{
    v->kind = prop->kind;
    switch (prop->kind) {
    case PROP_BOOL:
        if (!parse_bool(str, &v->b)) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'",
                       prop->name);
            return false;
        }
        return true;
    case PROP_INT:
        if (parse_int64(str, &v->i) < 0) {
            error_setg(errp, "Parameter '%s' expects an integer", prop->name);
            return false;
        }
        return true;
    case PROP_UINT32:
    case PROP_UINT64:
        if (parse_uint64(str, &v->u) < 0 ||
            (prop->kind == PROP_UINT32 && v->u > UINT32_MAX)) {
            error_setg(errp, "Parameter '%s' expects %s", prop->name,
                       prop->kind == PROP_UINT32 ? "uint32" : "uint64");
            return false;
        }
        return true;
    case PROP_SIZE:
        if (parse_size(str, &v->u) < 0) {
            set_size_error(prop, src, errp);
            return false;
        }
        return true;
    case PROP_STR:
        v->s = str;
        return true;
    case PROP_ENUM:
        v->e = enum_lookup(prop, str);
        if (v->e < 0) {
            error_setg(errp, "Parameter '%s' does not accept value '%s'",
                       prop->name, str);
            return false;
        }
        return true;
    case PROP_LINK:
        return resolve_link(prop, str, &v->obj, errp);
    }
    return false;
}

bool object_property_set_str(Object *obj, const char *name, const char *value,
                             PropInput src, Error **errp)
{
    ObjectClass *owner;
    const Property *prop = find_prop(obj, name, &owner, errp);
    PropValue v;

    if (!prop || !check_writable(obj, prop, owner, errp)) {
        return false;
    }
    if (!parse_str_value(prop, value, src, &v, errp)) {
        return false;
    }
    return apply(obj, prop, &v, errp);
}

static bool json_int(JsonNode *node, int64_t *out)
{
    if (!JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_INT64) {
        return false;
    }
    *out = json_node_get_int(node);
    return true;
}

static bool json_str(JsonNode *node, const char **out)
{
    if (!JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_STRING) {
        return false;
    }
    *out = json_node_get_string(node);
    return true;
}

static bool parse_json_value(const Property *prop, JsonNode *node,
                             PropValue *v, Error **errp)
{
    int64_t i;
    const char *s;

    v->kind = prop->kind;
    switch (prop->kind) {
    case PROP_BOOL:
        if (!JSON_NODE_HOLDS_VALUE(node) ||
            json_node_get_value_type(node) != G_TYPE_BOOLEAN) {
            error_setg(errp, "Invalid parameter type for '%s', expected: "
                       "boolean", prop->name);
            return false;
        }
        v->b = json_node_get_boolean(node);
        return true;
    case PROP_INT:
        if (!json_int(node, &v->i)) {
            error_setg(errp, "Invalid parameter type for '%s', expected: "
                       "integer", prop->name);
            return false;
        }
        return true;
    case PROP_UINT32:
        if (!json_int(node, &i) || i < 0 || i > UINT32_MAX) {
            error_setg(errp, "Parameter '%s' expects uint32", prop->name);
            return false;
        }
        v->u = (uint64_t)i;
        return true;
    case PROP_UINT64:
    case PROP_SIZE:
        /* As QEMU: a negative JSON integer is taken modulo 2^64. */
        if (!json_int(node, &i)) {
            error_setg(errp, "Parameter '%s' expects uint64", prop->name);
            return false;
        }
        v->u = (uint64_t)i;
        return true;
    case PROP_STR:
    case PROP_ENUM:
    case PROP_LINK:
        if (!json_str(node, &s)) {
            error_setg(errp, "Invalid parameter type for '%s', expected: "
                       "string", prop->name);
            return false;
        }
        if (prop->kind == PROP_STR) {
            v->s = s;
            return true;
        }
        return parse_str_value(prop, s, PROP_INPUT_CMDLINE, v, errp);
    }
    return false;
}

bool object_property_set_json(Object *obj, const char *name, JsonNode *value,
                              Error **errp)
{
    ObjectClass *owner;
    const Property *prop = find_prop(obj, name, &owner, errp);
    PropValue v;

    if (!prop || !check_writable(obj, prop, owner, errp)) {
        return false;
    }
    if (!parse_json_value(prop, value, &v, errp)) {
        return false;
    }
    return apply(obj, prop, &v, errp);
}

bool object_property_set_value(Object *obj, const char *name,
                               const PropValue *in, Error **errp)
{
    ObjectClass *owner;
    const Property *prop = find_prop(obj, name, &owner, errp);
    PropValue v = *in;

    if (!prop || !check_writable(obj, prop, owner, errp)) {
        return false;
    }
    /* Forwarders pass a value of the property's own kind. */
    g_assert(prop->kind == in->kind);
    return apply(obj, prop, &v, errp);
}

static bool set_value(Object *obj, const char *name, PropValue *v,
                      Error **errp)
{
    ObjectClass *owner;
    const Property *prop = find_prop(obj, name, &owner, errp);

    if (!prop || !check_writable(obj, prop, owner, errp)) {
        return false;
    }
    /* Internal callers know the kind; a mismatch is a Tide bug. */
    g_assert(prop->kind == v->kind ||
             (v->kind == PROP_UINT64 && (prop->kind == PROP_SIZE ||
                                         prop->kind == PROP_UINT32)));
    v->kind = prop->kind;
    return apply(obj, prop, v, errp);
}

bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp)
{
    PropValue v = { .kind = PROP_UINT64, .u = value };

    return set_value(obj, name, &v, errp);
}

bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp)
{
    PropValue v = { .kind = PROP_BOOL, .b = value };

    return set_value(obj, name, &v, errp);
}

bool object_property_set_link(Object *obj, const char *name, Object *target,
                              Error **errp)
{
    PropValue v = { .kind = PROP_LINK, .obj = target };

    return set_value(obj, name, &v, errp);
}

bool object_property_get_value(Object *obj, const char *name, PropValue *out,
                               Error **errp)
{
    const Property *prop = find_prop(obj, name, NULL, errp);

    if (!prop) {
        return false;
    }
    out->kind = prop->kind;
    if (prop->get) {
        return prop->get(obj, prop, out);
    }
    return read_field(obj, prop, out);
}

uint64_t object_property_get_uint(Object *obj, const char *name, Error **errp)
{
    PropValue v;

    if (!object_property_get_value(obj, name, &v, errp)) {
        return 0;
    }
    return v.u;
}

static JsonNode *value_to_json(const Property *prop, const PropValue *v)
{
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    switch (prop->kind) {
    case PROP_BOOL:
        json_node_set_boolean(node, v->b);
        break;
    case PROP_INT:
        json_node_set_int(node, v->i);
        break;
    case PROP_UINT32:
    case PROP_UINT64:
    case PROP_SIZE:
        /*
         * JsonNode has no unsigned integers; values >= 2^63 (never a real
         * guest size) would print negative, so they are clamped.
         */
        json_node_set_int(node, v->u > INT64_MAX ? INT64_MAX : (int64_t)v->u);
        break;
    case PROP_STR:
        json_node_set_string(node, v->s ? v->s : "");
        break;
    case PROP_ENUM:
        json_node_set_string(node, prop->enum_names[v->e]);
        break;
    case PROP_LINK: {
        g_autofree char *path = v->obj ? object_get_canonical_path(v->obj)
                                       : g_strdup("");

        json_node_set_string(node, path);
        break;
    }
    }
    return node;
}

JsonNode *object_property_get_json(Object *obj, const char *name,
                                   Error **errp)
{
    Object *child;
    const Property *prop;
    PropValue v;

    if (g_str_equal(name, "type")) {
        return json_node_init_string(json_node_alloc(),
                                     object_get_typename(obj));
    }
    child = object_get_child(obj, name);
    if (child) {
        g_autofree char *path = object_get_canonical_path(child);

        return json_node_init_string(json_node_alloc(), path);
    }
    prop = find_prop(obj, name, NULL, errp);
    if (!prop || !object_property_get_value(obj, name, &v, errp)) {
        return NULL;
    }
    return value_to_json(prop, &v);
}

static void list_add(JsonArray *arr, const char *name, const char *type,
                     const char *desc)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "type", type);
    if (desc) {
        json_object_set_string_member(o, "description", desc);
    }
    json_array_add_object_element(arr, o);
}

JsonNode *object_property_list_json(Object *obj)
{
    JsonArray *arr = json_array_new();
    g_autoptr(GPtrArray) props = object_class_get_props(obj->klass);
    JsonNode *node;

    list_add(arr, "type", "string", NULL);
    for (guint i = 0; i < obj->children->len; i++) {
        Object *c = g_ptr_array_index(obj->children, i);
        g_autofree char *type = g_strdup_printf("child<%s>",
                                                object_get_typename(c));

        list_add(arr, c->name, type, NULL);
    }
    for (guint i = 0; i < props->len; i++) {
        const Property *p = g_ptr_array_index(props, i);
        g_autofree char *type = prop_type_name(p);

        list_add(arr, p->name, type, p->description);
    }
    node = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(node, arr);     /* init_array() would add a ref */
    return node;
}

static gint prop_name_cmp(gconstpointer a, gconstpointer b)
{
    const Property *pa = *(const Property *const *)a;
    const Property *pb = *(const Property *const *)b;

    return strcmp(pa->name, pb->name);
}

/* Default values shown as QEMU shows them: JSON literals. */
static char *default_text(const Property *p)
{
    if (p->kind == PROP_STR || p->kind == PROP_ENUM) {
        return g_strdup_printf("\"%s\"", p->defval);
    }
    if (p->kind == PROP_BOOL) {
        bool b = false;

        parse_bool(p->defval, &b);
        return g_strdup(b ? "true" : "false");
    }
    return g_strdup(p->defval);
}

char *object_class_help(ObjectClass *oc, bool show_defaults)
{
    g_autoptr(GPtrArray) props = object_class_get_props(oc);
    GString *out = g_string_new(NULL);

    g_ptr_array_sort(props, prop_name_cmp);
    g_string_append_printf(out, "%s options:\n", object_class_get_name(oc));
    for (guint i = 0; i < props->len; i++) {
        const Property *p = g_ptr_array_index(props, i);
        g_autofree char *type = prop_type_name(p);
        g_autofree char *left = g_strdup_printf("%s=<%s>", p->name, type);
        bool has_default = show_defaults && p->defval;

        if (p->access == PROP_READONLY) {
            continue;           /* state, not an option */
        }
        g_string_append_printf(out, "  %s", left);
        if (p->description || has_default) {
            g_autofree char *def = has_default ? default_text(p) : NULL;

            g_string_append_printf(out, "%*s - %s",
                                   (int)(22 - MIN(strlen(left), 22)), "",
                                   p->description ? p->description : "");
            if (def) {
                g_string_append_printf(out, " (default: %s)", def);
            }
        }
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}
