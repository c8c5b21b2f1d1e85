/* The object tree: types, objects, their paths and their properties. */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

typedef struct Object Object;
typedef struct ObjectClass ObjectClass;
typedef struct Property Property;

#define TYPE_OBJECT "object"
#define TYPE_CONTAINER "container"
/* Interface name for -object types (they get a "complete" step). */
#define TYPE_USER_CREATABLE "user-creatable"

/*
 * A type.  Subtypes embed their parent's instance and class structs as
 * their first member, so a pointer to one is a pointer to the other.
 */
typedef struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size;       /* 0: same as parent */
    size_t class_size;          /* 0: same as parent */
    bool abstract;
    void (*class_init)(ObjectClass *oc);
    void (*instance_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
} TypeInfo;

struct ObjectClass {
    const TypeInfo *info;
    ObjectClass *parent_class;
    GPtrArray *props;           /* const Property *, this class's own */
    GHashTable *interfaces;     /* name -> hook table (or the class) */
    /*
     * Turns a configured object into a live one: realize for devices,
     * complete for -object.  It may fail; unrealize undoes exactly what
     * realize did and cannot fail.
     */
    bool (*realize)(Object *obj, Error **errp);
    void (*unrealize)(Object *obj);
    /* Machine reset (system_reset, guest reboot); optional. */
    void (*reset)(Object *obj);
    const char *description;
    const char *category;       /* -device help grouping */
    bool user_creatable;        /* -object or -device may create it */
};

struct Object {
    ObjectClass *klass;
    Object *parent;
    char *name;                 /* name in parent ("vm0", "device[0]") */
    GPtrArray *children;        /* Object *, in insertion order */
    unsigned ref;
    bool realized;
};

/*
 * Registration.  Types register from each module's *_register_types(),
 * called in a fixed order by system/types.c; a type's parent must be
 * registered before the first object_new() but not before the type.
 */
void type_register_static(const TypeInfo *info);
ObjectClass *object_class_by_name(const char *typename);
ObjectClass *object_class_get_parent(ObjectClass *oc);
const char *object_class_get_name(const ObjectClass *oc);
bool object_class_is_a(ObjectClass *oc, const char *typename);
/* All non-abstract (or all) classes that are typename or implement it. */
GPtrArray *object_class_get_list(const char *implements, bool include_abstract);
void object_class_add_interface(ObjectClass *oc, const char *iface,
                                const void *hooks);
const void *object_class_get_interface(ObjectClass *oc, const char *iface);

Object *object_new(const char *typename);
Object *object_ref(Object *obj);
void object_unref(Object *obj);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Object, object_unref)

const char *object_get_typename(const Object *obj);
static inline ObjectClass *object_get_class(Object *obj)
{
    return obj->klass;
}
bool object_is_a(const Object *obj, const char *typename);
const void *object_get_interface(Object *obj, const char *iface);
/*
 * Checked downcast for internal use: the caller knows the type, so a
 * mismatch is a Tide bug, never the result of input.
 */
Object *object_check(Object *obj, const char *typename);
#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CHECK(type, obj, name) ((type *)object_check(OBJECT(obj), (name)))
#define OBJECT_GET_CLASS(type, obj) ((type *)OBJECT(obj)->klass)

/* The tree.  The parent holds a reference on each child. */
Object *object_get_root(void);
/* Create-or-get the container at an absolute path ("/machine/peripheral"). */
Object *container_get(const char *path);
bool object_add_child(Object *parent, const char *name, Object *child,
                      Error **errp);
void object_unparent(Object *obj);
Object *object_get_child(Object *parent, const char *name);
char *object_get_canonical_path(const Object *obj);
/*
 * Absolute paths are walked from the root; a partial path ("vm0",
 * "peripheral/vm0") matches every object whose path ends with it.  If
 * more than one matches, NULL is returned and *ambiguous set.
 */
Object *object_resolve_path(const char *path, bool *ambiguous);
Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous);
/* The object for an -object / -device id. */
Object *object_find_by_id(const char *container, const char *id);

bool object_realize(Object *obj, Error **errp);
void object_unrealize(Object *obj);
/* Call each realized object's reset hook, children before parents. */
void object_reset_tree(Object *root);

/* ------------------------------------------------------------------ */
/* Properties                                                          */

typedef enum PropKind {
    PROP_BOOL,
    PROP_INT,           /* int64_t */
    PROP_UINT32,
    PROP_UINT64,
    PROP_SIZE,          /* uint64_t, accepts suffixes from strings */
    PROP_STR,           /* char *, owned */
    PROP_ENUM,          /* int, index into enum_names */
    PROP_LINK,          /* Object *, referenced; set by path or id */
} PropKind;

/* When a property may be written. */
typedef enum PropAccess {
    PROP_CONFIG,        /* until realize; later writes are refused */
    PROP_RUNTIME,       /* any time (the setter decides) */
    PROP_READONLY,      /* never, it is state (e.g. plugged "size") */
} PropAccess;

typedef struct PropValue {
    PropKind kind;
    union {
        bool b;
        int64_t i;
        uint64_t u;             /* UINT32, UINT64, SIZE */
        const char *s;          /* STR (borrowed) */
        int e;                  /* ENUM */
        Object *obj;            /* LINK (borrowed, may be NULL) */
    };
} PropValue;

struct Property {
    const char *name;
    PropKind kind;
    PropAccess access;
    const char *description;
    /*
     * Field properties: offset of the value in the instance (>= 0).
     * Accessor properties set offset to PROP_NO_FIELD and provide get.
     */
    ptrdiff_t offset;
    const char *defval;                 /* in command-line syntax */
    const char *const *enum_names;      /* ENUM: NULL-terminated */
    const char *enum_type;              /* ENUM: type name, "OnOffAuto" */
    const char *link_type;              /* LINK: type the target must be */
    /* Optional: produce the value (accessor properties). */
    bool (*get)(Object *obj, const Property *prop, PropValue *out);
    /*
     * Optional: validate and store a new value.  Without it a field
     * property stores the value as is.  Called with the machine lock held.
     */
    bool (*set)(Object *obj, const Property *prop, const PropValue *in,
                Error **errp);
};

#define PROP_NO_FIELD ((ptrdiff_t)-1)

/* The register in class_init: props must be a static NULL-name-terminated array. */
void object_class_add_props(ObjectClass *oc, const Property *props);
const Property *object_class_find_prop(ObjectClass *oc, const char *name,
                                       ObjectClass **owner);
/* Every property of the class and its ancestors, base class first. */
GPtrArray *object_class_get_props(ObjectClass *oc);
/* "size", "uint64", "link<memory-backend>", "OnOffAuto", ... */
char *prop_type_name(const Property *prop);

/* Store a value into the field (for setters that validated it). */
void object_prop_store(Object *obj, const Property *prop, const PropValue *in);

/* Where a textual value comes from: the messages differ like QEMU's. */
typedef enum PropInput {
    PROP_INPUT_CMDLINE,         /* -object, -memory-manager (QemuOpts) */
    PROP_INPUT_DEVICE,          /* -device (QEMU parses it with keyval) */
    PROP_INPUT_HMP,
} PropInput;

bool object_property_set_str(Object *obj, const char *name, const char *value,
                             PropInput src, Error **errp);
bool object_property_set_json(Object *obj, const char *name, JsonNode *value,
                              Error **errp);
bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp);
bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp);
bool object_property_set_link(Object *obj, const char *name, Object *target,
                              Error **errp);
/*
 * Set an already-typed value (in->kind must be the property's kind), with
 * every check a string or JSON value gets: for property forwarding.
 */
bool object_property_set_value(Object *obj, const char *name,
                               const PropValue *in, Error **errp);
/* The value as JSON, as qom-get returns it; NULL and errp on failure. */
JsonNode *object_property_get_json(Object *obj, const char *name,
                                   Error **errp);
bool object_property_get_value(Object *obj, const char *name, PropValue *out,
                               Error **errp);
uint64_t object_property_get_uint(Object *obj, const char *name, Error **errp);

/* qom-list: [{"name": ..., "type": ...}, ...] */
JsonNode *object_property_list_json(Object *obj);
/* "-device TYPE,help" / "-object TYPE,help" text. */
char *object_class_help(ObjectClass *oc, bool show_defaults);

void qom_register_types(void);

#endif
