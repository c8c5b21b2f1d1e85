/* The object tree: type registry, object lifetime, paths. */
#include "qom/object.h"

#include <string.h>

/* name -> TypeImpl; classes are built on first use. */
typedef struct TypeImpl {
    const TypeInfo *info;
    ObjectClass *klass;
} TypeImpl;

static GHashTable *type_table;
static Object *root;

static GHashTable *types(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
    }
    return type_table;
}

void type_register_static(const TypeInfo *info)
{
    TypeImpl *ti;

    /* Registering a name twice is a Tide bug, caught at start-up. */
    g_assert(!g_hash_table_contains(types(), info->name));
    ti = g_new0(TypeImpl, 1);
    ti->info = info;
    g_hash_table_insert(types(), (gpointer)info->name, ti);
}

static TypeImpl *type_lookup(const char *name)
{
    return name ? g_hash_table_lookup(types(), name) : NULL;
}

static size_t type_class_size(const TypeInfo *info)
{
    TypeImpl *parent;

    if (info->class_size) {
        return info->class_size;
    }
    parent = type_lookup(info->parent);
    return parent ? type_class_size(parent->info) : sizeof(ObjectClass);
}

static size_t type_instance_size(const TypeInfo *info)
{
    TypeImpl *parent;

    if (info->instance_size) {
        return info->instance_size;
    }
    parent = type_lookup(info->parent);
    return parent ? type_instance_size(parent->info) : sizeof(Object);
}

static ObjectClass *type_class(TypeImpl *ti)
{
    ObjectClass *oc, *parent = NULL;
    size_t size;

    if (ti->klass) {
        return ti->klass;
    }
    if (ti->info->parent) {
        TypeImpl *pti = type_lookup(ti->info->parent);

        g_assert(pti);          /* a type names a registered parent */
        parent = type_class(pti);
    }
    size = type_class_size(ti->info);
    oc = g_malloc0(size);
    if (parent) {
        /* Inherit the parent's hooks and fields, then let class_init override. */
        memcpy(oc, parent, type_class_size(parent->info));
        oc->interfaces = g_hash_table_new(g_str_hash, g_str_equal);
        GHashTableIter it;
        gpointer k, v;

        g_hash_table_iter_init(&it, parent->interfaces);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            g_hash_table_insert(oc->interfaces, k, v);
        }
    } else {
        oc->interfaces = g_hash_table_new(g_str_hash, g_str_equal);
    }
    oc->info = ti->info;
    oc->parent_class = parent;
    oc->props = g_ptr_array_new();
    /* A description belongs to one type; the rest is inherited. */
    oc->description = NULL;
    ti->klass = oc;
    if (ti->info->class_init) {
        ti->info->class_init(oc);
    }
    return oc;
}

ObjectClass *object_class_by_name(const char *typename)
{
    TypeImpl *ti = type_lookup(typename);

    return ti ? type_class(ti) : NULL;
}

ObjectClass *object_class_get_parent(ObjectClass *oc)
{
    return oc->parent_class;
}

const char *object_class_get_name(const ObjectClass *oc)
{
    return oc->info->name;
}

bool object_class_is_a(ObjectClass *oc, const char *typename)
{
    if (g_hash_table_contains(oc->interfaces, typename)) {
        return true;
    }
    for (; oc; oc = oc->parent_class) {
        if (g_str_equal(oc->info->name, typename)) {
            return true;
        }
    }
    return false;
}

static gint class_name_cmp(gconstpointer a, gconstpointer b)
{
    const ObjectClass *ca = *(ObjectClass *const *)a;
    const ObjectClass *cb = *(ObjectClass *const *)b;

    return strcmp(ca->info->name, cb->info->name);
}

GPtrArray *object_class_get_list(const char *implements, bool include_abstract)
{
    GPtrArray *list = g_ptr_array_new();
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init(&it, types());
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        TypeImpl *ti = v;
        ObjectClass *oc = type_class(ti);

        if (ti->info->abstract && !include_abstract) {
            continue;
        }
        if (implements && !object_class_is_a(oc, implements)) {
            continue;
        }
        g_ptr_array_add(list, oc);
    }
    g_ptr_array_sort(list, class_name_cmp);
    return list;
}

void object_class_add_interface(ObjectClass *oc, const char *iface,
                                const void *hooks)
{
    g_hash_table_insert(oc->interfaces, (gpointer)iface, (gpointer)hooks);
}

const void *object_class_get_interface(ObjectClass *oc, const char *iface)
{
    return g_hash_table_lookup(oc->interfaces, iface);
}

static void apply_defaults(Object *obj, ObjectClass *oc)
{
    g_autoptr(GPtrArray) props = object_class_get_props(oc);

    for (guint i = 0; i < props->len; i++) {
        const Property *p = g_ptr_array_index(props, i);
        g_autoptr(Error) err = NULL;

        if (!p->defval || p->offset == PROP_NO_FIELD) {
            continue;
        }
        /* Defaults are Tide's own literals: failing to parse one is a bug. */
        if (!object_property_set_str(obj, p->name, p->defval,
                                     PROP_INPUT_CMDLINE, &err)) {
            g_error("default of %s.%s: %s", oc->info->name, p->name,
                    error_get_pretty(err));
        }
    }
}

static void instance_init(Object *obj, ObjectClass *oc)
{
    if (oc->parent_class) {
        instance_init(obj, oc->parent_class);
    }
    if (oc->info->instance_init) {
        oc->info->instance_init(obj);
    }
}

Object *object_new(const char *typename)
{
    TypeImpl *ti = type_lookup(typename);
    ObjectClass *oc;
    Object *obj;

    if (!ti || ti->info->abstract) {
        return NULL;
    }
    oc = type_class(ti);
    obj = g_malloc0(type_instance_size(ti->info));
    obj->klass = oc;
    obj->ref = 1;
    obj->children = g_ptr_array_new();
    apply_defaults(obj, oc);
    instance_init(obj, oc);
    return obj;
}

Object *object_ref(Object *obj)
{
    obj->ref++;
    return obj;
}

static void release_fields(Object *obj)
{
    g_autoptr(GPtrArray) props = object_class_get_props(obj->klass);

    for (guint i = 0; i < props->len; i++) {
        const Property *p = g_ptr_array_index(props, i);
        void *field = (char *)obj + p->offset;

        if (p->offset == PROP_NO_FIELD) {
            continue;
        }
        if (p->kind == PROP_STR) {
            g_free(*(char **)field);
        } else if (p->kind == PROP_LINK && *(Object **)field) {
            object_unref(*(Object **)field);
        }
    }
}

void object_unref(Object *obj)
{
    if (!obj) {
        return;
    }
    g_assert(obj->ref > 0);
    if (--obj->ref) {
        return;
    }
    if (obj->realized) {
        object_unrealize(obj);
    }
    while (obj->children->len) {
        object_unparent(g_ptr_array_index(obj->children,
                                          obj->children->len - 1));
    }
    for (ObjectClass *oc = obj->klass; oc; oc = oc->parent_class) {
        if (oc->info->instance_finalize) {
            oc->info->instance_finalize(obj);
        }
    }
    release_fields(obj);
    g_ptr_array_free(obj->children, TRUE);
    g_free(obj->name);
    g_free(obj);
}

const char *object_get_typename(const Object *obj)
{
    return obj->klass->info->name;
}

bool object_is_a(const Object *obj, const char *typename)
{
    return object_class_is_a(obj->klass, typename);
}

const void *object_get_interface(Object *obj, const char *iface)
{
    return object_class_get_interface(obj->klass, iface);
}

Object *object_check(Object *obj, const char *typename)
{
    if (obj && !object_is_a(obj, typename)) {
        g_error("object of type %s is not a %s", object_get_typename(obj),
                typename);
    }
    return obj;
}

Object *object_get_root(void)
{
    if (!root) {
        root = object_new(TYPE_CONTAINER);
    }
    return root;
}

Object *object_get_child(Object *parent, const char *name)
{
    for (guint i = 0; i < parent->children->len; i++) {
        Object *c = g_ptr_array_index(parent->children, i);

        if (g_str_equal(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

bool object_add_child(Object *parent, const char *name, Object *child,
                      Error **errp)
{
    if (object_get_child(parent, name)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type '%s')", name, object_get_typename(parent));
        return false;
    }
    g_assert(!child->parent);   /* an object has one place in the tree */
    child->parent = parent;
    child->name = g_strdup(name);
    g_ptr_array_add(parent->children, object_ref(child));
    return true;
}

void object_unparent(Object *obj)
{
    Object *parent = obj->parent;

    if (!parent) {
        return;
    }
    if (obj->realized) {
        object_unrealize(obj);
    }
    g_ptr_array_remove(parent->children, obj);
    obj->parent = NULL;
    g_clear_pointer(&obj->name, g_free);
    object_unref(obj);
}

Object *container_get(const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    Object *obj = object_get_root();

    for (int i = 0; parts[i]; i++) {
        Object *child;

        if (!*parts[i]) {
            continue;
        }
        child = object_get_child(obj, parts[i]);
        if (!child) {
            child = object_new(TYPE_CONTAINER);
            object_add_child(obj, parts[i], child, NULL);
            object_unref(child);
        }
        obj = child;
    }
    return obj;
}

char *object_get_canonical_path(const Object *obj)
{
    GString *path = g_string_new(NULL);

    if (!obj->parent) {
        g_string_append_c(path, '/');
    }
    for (; obj->parent; obj = obj->parent) {
        g_string_prepend(path, obj->name);
        g_string_prepend_c(path, '/');
    }
    return g_string_free(path, FALSE);
}

static Object *resolve_absolute(gchar **parts)
{
    Object *obj = object_get_root();

    for (int i = 0; parts[i] && obj; i++) {
        if (*parts[i]) {
            obj = object_get_child(obj, parts[i]);
        }
    }
    return obj;
}

/* Does obj's path end with the components parts[0..n)? */
static bool path_ends_with(Object *obj, gchar **parts, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        if (!obj->parent || !g_str_equal(obj->name, parts[i])) {
            return false;
        }
        obj = obj->parent;
    }
    return true;
}

static void resolve_partial(Object *obj, gchar **parts, int n,
                            const char *typename, Object **found, int *count)
{
    for (guint i = 0; i < obj->children->len; i++) {
        Object *c = g_ptr_array_index(obj->children, i);

        if (path_ends_with(c, parts, n) &&
            (!typename || object_is_a(c, typename)) && *found != c) {
            *found = c;
            (*count)++;
        }
        resolve_partial(c, parts, n, typename, found, count);
    }
}

Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous)
{
    g_auto(GStrv) parts = NULL;
    Object *found = NULL;
    int count = 0, n;

    if (ambiguous) {
        *ambiguous = false;
    }
    if (!path || !*path) {
        return NULL;
    }
    parts = g_strsplit(path, "/", -1);
    if (path[0] == '/') {
        found = resolve_absolute(parts);
        return found && (!typename || object_is_a(found, typename))
               ? found : NULL;
    }
    n = g_strv_length(parts);
    for (int i = 0; i < n; i++) {
        if (!*parts[i]) {
            return NULL;        /* "a//b" or a trailing '/' names nothing */
        }
    }
    resolve_partial(object_get_root(), parts, n, typename, &found, &count);
    if (count > 1) {
        if (ambiguous) {
            *ambiguous = true;
        }
        return NULL;
    }
    return found;
}

Object *object_resolve_path(const char *path, bool *ambiguous)
{
    return object_resolve_path_type(path, NULL, ambiguous);
}

Object *object_find_by_id(const char *container, const char *id)
{
    return object_get_child(container_get(container), id);
}

bool object_realize(Object *obj, Error **errp)
{
    ObjectClass *oc = obj->klass;

    if (obj->realized) {
        return true;
    }
    if (oc->realize && !oc->realize(obj, errp)) {
        return false;
    }
    obj->realized = true;
    return true;
}

void object_unrealize(Object *obj)
{
    if (!obj->realized) {
        return;
    }
    obj->realized = false;
    if (obj->klass->unrealize) {
        obj->klass->unrealize(obj);
    }
}

void object_reset_tree(Object *obj)
{
    for (guint i = 0; i < obj->children->len; i++) {
        object_reset_tree(g_ptr_array_index(obj->children, i));
    }
    if (obj->realized && obj->klass->reset) {
        obj->klass->reset(obj);
    }
}

static const TypeInfo object_info = {
    .name = TYPE_OBJECT,
    .instance_size = sizeof(Object),
    .class_size = sizeof(ObjectClass),
    .abstract = true,
};

static const TypeInfo container_info = {
    .name = TYPE_CONTAINER,
    .parent = TYPE_OBJECT,
};

void qom_register_types(void)
{
    if (type_lookup(TYPE_OBJECT)) {
        return;
    }
    type_register_static(&object_info);
    type_register_static(&container_info);
}
