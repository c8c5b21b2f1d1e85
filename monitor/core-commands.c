/* The protocol's own commands: capabilities, version, command list, HMP passthrough. */
#include "monitor/commands.h"

#include "monitor/hmp.h"
#include "monitor/qmp.h"
#include "tide-config.h"

static JsonNode *qmp_qmp_capabilities(JsonObject *args, Error **errp)
{
    JsonNode *enable = args ? json_object_get_member(args, "enable") : NULL;
    JsonArray *caps = enable ? json_node_get_array(enable) : NULL;

    /* Tide offers no capabilities (no out-of-band execution). */
    if (caps && json_array_get_length(caps) > 0) {
        JsonNode *first = json_array_get_element(caps, 0);
        const char *name = JSON_NODE_HOLDS_VALUE(first) &&
                           json_node_get_value_type(first) == G_TYPE_STRING
                           ? json_node_get_string(first) : "?";

        error_setg(errp, "Capability '%s' not available", name);
        return NULL;
    }
    return qmp_return_empty();
}

static JsonNode *qmp_query_version(JsonObject *args, Error **errp)
{
    JsonObject *ret = json_object_new();
    JsonObject *v = json_object_new();
    g_autofree char *package = g_strdup_printf("tide-%s", TIDE_VERSION);

    /*
     * QEMU's layout, so existing clients parse it; the numbers are Tide's
     * own version.
     */
    json_object_set_int_member(v, "micro", TIDE_VERSION_MICRO);
    json_object_set_int_member(v, "minor", TIDE_VERSION_MINOR);
    json_object_set_int_member(v, "major", TIDE_VERSION_MAJOR);
    json_object_set_object_member(ret, "qemu", v);
    json_object_set_string_member(ret, "package", package);
    return qmp_node_take_object(ret);
}

static JsonNode *qmp_query_commands(JsonObject *args, Error **errp)
{
    g_autoptr(GPtrArray) names = qmp_command_names();
    JsonArray *arr = json_array_new();

    for (guint i = 0; i < names->len; i++) {
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "name", g_ptr_array_index(names, i));
        json_array_add_object_element(arr, o);
    }
    return qmp_node_take_array(arr);
}

static JsonNode *qmp_human_monitor_command(JsonObject *args, Error **errp)
{
    g_autofree char *out = hmp_execute(qmp_arg_str(args, "command-line"));
    GString *crlf = g_string_new(NULL);
    JsonNode *ret;

    for (const char *p = out; *p; p++) {
        if (*p == '\n') {
            g_string_append_c(crlf, '\r');
        }
        g_string_append_c(crlf, *p);
    }
    ret = json_node_init_string(json_node_alloc(), crlf->str);
    g_string_free(crlf, TRUE);
    return ret;
}

static void hmp_info_version(GString *out)
{
    g_string_append_printf(out, "%s (tide)\n", TIDE_VERSION);
}

static const QmpArg capabilities_args[] = {
    { "enable", QMP_ARG_ARRAY, true },
    { NULL },
};

static const QmpArg hmc_args[] = {
    { "command-line", QMP_ARG_STR, false },
    { "cpu-index", QMP_ARG_INT, true },
    { NULL },
};

static const QmpCommand core_qmp_commands[] = {
    { "qmp_capabilities", qmp_qmp_capabilities, capabilities_args },
    { "query-version", qmp_query_version, NULL },
    { "query-commands", qmp_query_commands, NULL },
    { "human-monitor-command", qmp_human_monitor_command, hmc_args },
    { NULL },
};

static const HmpInfo core_hmp_info[] = {
    { "version", "show the version of Tide", hmp_info_version },
    { NULL },
};

void core_commands_register(void)
{
    qmp_register_commands(core_qmp_commands);
    hmp_register_info(core_hmp_info);
}
