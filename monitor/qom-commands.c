/* qom-list, qom-get, qom-set, qom-list-types and info qom-tree (QMP and HMP). */
#include "monitor/commands.h"

#include "monitor/hmp.h"
#include "monitor/json-writer.h"
#include "monitor/qmp.h"
#include "qom/object.h"

static Object *resolve(const char *path, Error **errp)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);

    if (!obj) {
        if (ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", path);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
    }
    return obj;
}

static JsonNode *qmp_qom_list(JsonObject *args, Error **errp)
{
    Object *obj = resolve(qmp_arg_str(args, "path"), errp);

    return obj ? object_property_list_json(obj) : NULL;
}

static JsonNode *qmp_qom_get(JsonObject *args, Error **errp)
{
    Object *obj = resolve(qmp_arg_str(args, "path"), errp);

    return obj ? object_property_get_json(obj, qmp_arg_str(args, "property"),
                                          errp)
               : NULL;
}

/*
 * "type" is a property every object has (qom-get and qom-list show it);
 * as QEMU, writing it is refused as read-only, not as unknown.
 */
static bool check_not_type(Object *obj, const char *prop, Error **errp)
{
    if (g_str_equal(prop, "type")) {
        error_setg(errp, "Property '%s.type' is not writable",
                   object_get_typename(obj));
        return false;
    }
    return true;
}

static JsonNode *qmp_qom_set(JsonObject *args, Error **errp)
{
    Object *obj = resolve(qmp_arg_str(args, "path"), errp);
    const char *prop = qmp_arg_str(args, "property");

    if (!obj || !check_not_type(obj, prop, errp) ||
        !object_property_set_json(obj, prop,
                                  json_object_get_member(args, "value"),
                                  errp)) {
        return NULL;
    }
    return qmp_return_empty();
}

static JsonNode *qmp_qom_list_types(JsonObject *args, Error **errp)
{
    const char *implements = qmp_arg_str(args, "implements");
    bool abstract = qmp_arg_bool(args, "abstract", false);
    g_autoptr(GPtrArray) list = object_class_get_list(implements, abstract);
    JsonArray *arr = json_array_new();

    for (guint i = 0; i < list->len; i++) {
        ObjectClass *oc = g_ptr_array_index(list, i);
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "name", object_class_get_name(oc));
        if (oc->info->abstract) {
            json_object_set_boolean_member(o, "abstract", true);
        }
        if (oc->parent_class) {
            json_object_set_string_member(
                o, "parent", object_class_get_name(oc->parent_class));
        }
        json_array_add_object_element(arr, o);
    }
    return qmp_node_take_array(arr);
}

static const QmpArg path_args[] = {
    { "path", QMP_ARG_STR },
    { NULL },
};

static const QmpArg get_args[] = {
    { "path", QMP_ARG_STR },
    { "property", QMP_ARG_STR },
    { NULL },
};

static const QmpArg set_args[] = {
    { "path", QMP_ARG_STR },
    { "property", QMP_ARG_STR },
    { "value", QMP_ARG_ANY },
    { NULL },
};

static const QmpArg list_types_args[] = {
    { "implements", QMP_ARG_STR, true },
    { "abstract", QMP_ARG_BOOL, true },
    { NULL },
};

static const QmpCommand qom_qmp_commands[] = {
    { "qom-list", qmp_qom_list, path_args },
    { "qom-get", qmp_qom_get, get_args },
    { "qom-set", qmp_qom_set, set_args },
    { "qom-list-types", qmp_qom_list_types, list_types_args },
    { NULL },
};

/* ---- HMP -------------------------------------------------------------- */

static gint child_name_cmp(gconstpointer a, gconstpointer b)
{
    const Object *oa = *(Object *const *)a;
    const Object *ob = *(Object *const *)b;

    return g_strcmp0(oa->name, ob->name);
}

/* As QEMU prints it: two spaces a level, children sorted by name. */
static void print_tree(GString *out, Object *obj, int level)
{
    g_autoptr(GPtrArray) children = g_ptr_array_new();

    g_string_append_printf(out, "%*s/%s (%s)\n", level * 2, "",
                           obj->name ? obj->name : "",
                           object_get_typename(obj));
    for (guint i = 0; i < obj->children->len; i++) {
        g_ptr_array_add(children, g_ptr_array_index(obj->children, i));
    }
    g_ptr_array_sort(children, child_name_cmp);
    for (guint i = 0; i < children->len; i++) {
        print_tree(out, g_ptr_array_index(children, i), level + 1);
    }
}

/* info qom-tree [path]: /machine by default; a partial path must be unique. */
static void hmp_info_qom_tree(GString *out, const char *path)
{
    Object *obj = object_resolve_path(path ? path : "/machine", NULL);

    if (!obj && !path) {
        obj = object_get_root();
    }
    if (!obj) {
        g_string_append_printf(out, "Path '%s' could not be resolved.\n",
                               path);
        return;
    }
    print_tree(out, obj, 0);
}

static void hmp_qom_list(GString *out, int argc, char **argv)
{
    Error *err = NULL;
    Object *obj;
    g_autoptr(JsonNode) list = NULL;
    JsonArray *arr;

    /* As QEMU: without a path, just the root's name. */
    if (argc < 2) {
        g_string_append(out, "/\n");
        return;
    }
    obj = resolve(argv[1], &err);
    if (!obj) {
        hmp_report_err(out, err);
        return;
    }
    list = object_property_list_json(obj);
    arr = json_node_get_array(list);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);

        g_string_append_printf(out, "%s (%s)\n",
                               json_object_get_string_member(o, "name"),
                               json_object_get_string_member(o, "type"));
    }
}

static void hmp_qom_get(GString *out, int argc, char **argv)
{
    Error *err = NULL;
    Object *obj = resolve(argv[1], &err);
    g_autoptr(JsonNode) value = NULL;
    g_autofree char *text = NULL;

    if (obj) {
        value = object_property_get_json(obj, argv[2], &err);
    }
    if (!value) {
        hmp_report_err(out, err);
        return;
    }
    text = qjson_to_pretty_string(value);
    g_string_append_printf(out, "%s\n", text);
}

/* qom-set [-j] path property value: -j takes the value as JSON. */
static void hmp_qom_set(GString *out, int argc, char **argv)
{
    Error *err = NULL;
    bool json = g_str_equal(argv[1], "-j");
    g_auto(GStrv) words = NULL;
    const char *path, *prop, *value;
    Object *obj;

    /* QEMU's argument errors, word for word. */
    if (argv[1][0] == '-' && argv[1][1] && !json) {
        g_string_append_printf(out, "qom-set: unsupported option -%c\n"
                               "Try \"help qom-set\" for more information\n",
                               argv[1][1]);
        return;
    }
    if (json) {
        /* argv[3] holds "property value" here: split once more. */
        words = g_strsplit(argc > 3 ? argv[3] : "", " ", 2);
        if (argc < 4 || !words[0] || !words[1] || !*g_strstrip(words[1])) {
            g_string_append(out, "qom-set: string expected\n"
                            "Try \"help qom-set\" for more information\n");
            return;
        }
        path = argv[2];
        prop = words[0];
        value = words[1];
    } else {
        path = argv[1];
        prop = argv[2];
        value = argv[3];
    }
    obj = resolve(path, &err);
    if (obj && !check_not_type(obj, prop, &err)) {
        obj = NULL;
    }
    if (obj && json) {
        g_autoptr(JsonParser) parser = json_parser_new();
        GError *gerr = NULL;

        if (!json_parser_load_from_data(parser, value, -1, &gerr)) {
            error_setg(&err, "JSON parse error, %s", gerr->message);
            g_error_free(gerr);
        } else {
            object_property_set_json(obj, prop, json_parser_get_root(parser),
                                     &err);
        }
    } else if (obj) {
        object_property_set_str(obj, prop, value, PROP_INPUT_HMP, &err);
    }
    if (err) {
        hmp_report_err(out, err);
    }
}

static const HmpCommand qom_hmp_commands[] = {
    { "qom-list", "path", "list QOM properties", 0, 1, false,
      hmp_qom_list },
    { "qom-get", "path property", "print QOM property", 2, 2, false,
      hmp_qom_get },
    { "qom-set", "[-j] path property value", "set QOM property.\n\t\t\t"
      "-j: the value is specified in json format.", 3, 3, true, hmp_qom_set },
    { NULL },
};

static const HmpInfo qom_hmp_info[] = {
    { "qom-tree", "show QOM composition tree", .params = "[path]",
      .fn_arg = hmp_info_qom_tree },
    { NULL },
};

void qom_commands_register(void)
{
    qmp_register_commands(qom_qmp_commands);
    hmp_register_commands(qom_hmp_commands);
    hmp_register_info(qom_hmp_info);
}
