/* QMP commands: the registry every layer above the monitor adds to. */
#ifndef MONITOR_QMP_H
#define MONITOR_QMP_H

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include "util/error.h"

typedef enum QmpArgType {
    QMP_ARG_STR,
    QMP_ARG_INT,
    QMP_ARG_BOOL,
    QMP_ARG_OBJECT,
    QMP_ARG_ARRAY,
    QMP_ARG_ANY,
} QmpArgType;

typedef struct QmpArg {
    const char *name;
    QmpArgType type;
    bool optional;
} QmpArg;

/*
 * A handler returns the "return" value (a new JsonNode; an empty object
 * for commands that return nothing) or NULL with errp set.  args holds
 * only declared members, of the declared types: the dispatcher checks.
 * Handlers run on the main loop thread.
 */
typedef JsonNode *(*QmpHandler)(JsonObject *args, Error **errp);

typedef struct QmpCommand {
    const char *name;
    QmpHandler fn;
    const QmpArg *args;         /* NULL-name-terminated, or NULL */
} QmpCommand;

/* cmds: a static NULL-name-terminated array. */
void qmp_register_commands(const QmpCommand *cmds);
const QmpCommand *qmp_find_command(const char *name);
/* Every command name, sorted. */
GPtrArray *qmp_command_names(void);

/* {"error": ...} or {"return": ...}; request is any JSON value. */
typedef struct QmpSessionState {
    bool negotiated;
} QmpSessionState;
JsonNode *qmp_dispatch(QmpSessionState *st, JsonNode *request);
JsonNode *qmp_error_response(Error *err, JsonNode *id);

/*
 * A node that takes over the caller's reference to o (or a):
 * json_node_init_object() would add one, and o would never be freed.
 */
static inline JsonNode *qmp_node_take_object(JsonObject *o)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(node, o);
    return node;
}

static inline JsonNode *qmp_node_take_array(JsonArray *a)
{
    JsonNode *node = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(node, a);
    return node;
}

static inline JsonNode *qmp_return_empty(void)
{
    return qmp_node_take_object(json_object_new());
}

/* Typed reads of validated arguments. */
const char *qmp_arg_str(JsonObject *args, const char *name);
bool qmp_arg_bool(JsonObject *args, const char *name, bool dflt);

void qmp_core_commands_register(void);

#endif
