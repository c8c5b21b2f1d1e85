/* QMP dispatch: request checks, capability negotiation, the command table. */
#include "monitor/qmp.h"

#include <string.h>

static GPtrArray *command_tables;   /* const QmpCommand * arrays */

void qmp_register_commands(const QmpCommand *cmds)
{
    if (!command_tables) {
        command_tables = g_ptr_array_new();
    }
    g_ptr_array_add(command_tables, (gpointer)cmds);
}

const QmpCommand *qmp_find_command(const char *name)
{
    for (guint t = 0; command_tables && t < command_tables->len; t++) {
        const QmpCommand *c = g_ptr_array_index(command_tables, t);

        for (; c->name; c++) {
            if (g_str_equal(c->name, name)) {
                return c;
            }
        }
    }
    return NULL;
}

GPtrArray *qmp_command_names(void)
{
    GPtrArray *names = g_ptr_array_new();

    for (guint t = 0; command_tables && t < command_tables->len; t++) {
        for (const QmpCommand *c = g_ptr_array_index(command_tables, t);
             c->name; c++) {
            g_ptr_array_add(names, (gpointer)c->name);
        }
    }
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    return names;
}

const char *qmp_arg_str(JsonObject *args, const char *name)
{
    JsonNode *n = args ? json_object_get_member(args, name) : NULL;

    return n ? json_node_get_string(n) : NULL;
}

bool qmp_arg_bool(JsonObject *args, const char *name, bool dflt)
{
    JsonNode *n = args ? json_object_get_member(args, name) : NULL;

    return n ? json_node_get_boolean(n) : dflt;
}

static const char *arg_type_name(QmpArgType t)
{
    switch (t) {
    case QMP_ARG_STR:
        return "string";
    case QMP_ARG_INT:
        return "integer";
    case QMP_ARG_BOOL:
        return "boolean";
    case QMP_ARG_OBJECT:
        return "object";
    case QMP_ARG_ARRAY:
        return "array";
    case QMP_ARG_ANY:
        return "any";
    }
    return "any";
}

static bool arg_type_ok(QmpArgType t, JsonNode *n)
{
    GType vt = JSON_NODE_HOLDS_VALUE(n) ? json_node_get_value_type(n) : 0;

    switch (t) {
    case QMP_ARG_STR:
        return vt == G_TYPE_STRING;
    case QMP_ARG_INT:
        return vt == G_TYPE_INT64;
    case QMP_ARG_BOOL:
        return vt == G_TYPE_BOOLEAN;
    case QMP_ARG_OBJECT:
        return JSON_NODE_HOLDS_OBJECT(n);
    case QMP_ARG_ARRAY:
        return JSON_NODE_HOLDS_ARRAY(n);
    case QMP_ARG_ANY:
        return true;
    }
    return false;
}

static const QmpArg *find_arg(const QmpCommand *cmd, const char *name)
{
    for (const QmpArg *a = cmd->args; a && a->name; a++) {
        if (g_str_equal(a->name, name)) {
            return a;
        }
    }
    return NULL;
}

/*
 * In QEMU's order: the declared arguments one by one (wrong type, then
 * missing), and only then members nobody declared.
 */
static bool check_args(const QmpCommand *cmd, JsonObject *args, Error **errp)
{
    g_autoptr(GList) members = NULL;

    for (const QmpArg *a = cmd->args; a && a->name; a++) {
        JsonNode *n = args ? json_object_get_member(args, a->name) : NULL;

        if (n && !arg_type_ok(a->type, n)) {
            error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                       a->name, arg_type_name(a->type));
            return false;
        }
        if (!n && !a->optional) {
            error_setg(errp, "Parameter '%s' is missing", a->name);
            return false;
        }
    }
    members = args ? json_object_get_members(args) : NULL;
    for (GList *l = members; l; l = l->next) {
        if (!find_arg(cmd, l->data)) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            return false;
        }
    }
    return true;
}

JsonNode *qmp_error_response(Error *err, JsonNode *id)
{
    JsonObject *resp = json_object_new();
    JsonObject *e = json_object_new();

    json_object_set_string_member(e, "class",
                                  error_class_name(error_get_class(err)));
    json_object_set_string_member(e, "desc", error_get_pretty(err));
    json_object_set_object_member(resp, "error", e);
    if (id) {
        json_object_set_member(resp, "id", json_node_copy(id));
    }
    return qmp_node_take_object(resp);
}

/* Check the request's shape; returns the command or NULL with errp set. */
static const QmpCommand *check_request(QmpSessionState *st, JsonObject *req,
                                       Error **errp)
{
    GList *members = json_object_get_members(req);
    JsonNode *exec = json_object_get_member(req, "execute");
    JsonNode *args = json_object_get_member(req, "arguments");
    const QmpCommand *cmd = NULL;
    const char *name;

    for (GList *l = members; l; l = l->next) {
        const char *m = l->data;

        if (strcmp(m, "execute") && strcmp(m, "arguments") && strcmp(m, "id")) {
            error_setg(errp, "QMP input member '%s' is unexpected", m);
            g_list_free(members);
            return NULL;
        }
    }
    g_list_free(members);
    if (!exec) {
        error_setg(errp, "QMP input lacks member 'execute'");
        return NULL;
    }
    if (!JSON_NODE_HOLDS_VALUE(exec) ||
        json_node_get_value_type(exec) != G_TYPE_STRING) {
        error_setg(errp, "QMP input member 'execute' must be a string");
        return NULL;
    }
    if (args && !JSON_NODE_HOLDS_OBJECT(args)) {
        error_setg(errp, "QMP input member 'arguments' must be an object");
        return NULL;
    }
    name = json_node_get_string(exec);
    if (!st->negotiated && strcmp(name, "qmp_capabilities")) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Expecting capabilities negotiation with "
                  "'qmp_capabilities'");
        return NULL;
    }
    if (st->negotiated && !strcmp(name, "qmp_capabilities")) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Capabilities negotiation is already complete, command "
                  "ignored");
        return NULL;
    }
    cmd = qmp_find_command(name);
    if (!cmd) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "The command %s has not been found", name);
    }
    return cmd;
}

static JsonNode *run(QmpSessionState *st, JsonObject *req, Error **errp)
{
    const QmpCommand *cmd = check_request(st, req, errp);
    JsonNode *args_node;
    JsonObject *args;
    JsonNode *ret;

    if (!cmd) {
        return NULL;
    }
    /* check_request() made sure "arguments" is an object if present. */
    args_node = json_object_get_member(req, "arguments");
    args = args_node ? json_node_get_object(args_node) : NULL;
    if (!check_args(cmd, args, errp)) {
        return NULL;
    }
    ret = cmd->fn(args, errp);
    if (ret && !strcmp(cmd->name, "qmp_capabilities")) {
        st->negotiated = true;
    }
    return ret;
}

JsonNode *qmp_dispatch(QmpSessionState *st, JsonNode *request)
{
    g_autoptr(Error) err = NULL;
    JsonObject *req;
    JsonNode *id, *ret;
    JsonObject *resp;

    if (!JSON_NODE_HOLDS_OBJECT(request)) {
        error_setg(&err, "QMP input must be a JSON object");
        return qmp_error_response(err, NULL);
    }
    req = json_node_get_object(request);
    id = json_object_get_member(req, "id");
    ret = run(st, req, &err);
    if (!ret) {
        return qmp_error_response(err, id);
    }
    resp = json_object_new();
    json_object_set_member(resp, "return", ret);
    if (id) {
        json_object_set_member(resp, "id", json_node_copy(id));
    }
    return qmp_node_take_object(resp);
}
