/* JSON text as QEMU writes it: {"key": value, ...}, one line. */
#include "monitor/json-writer.h"

static void append_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (*p < 0x20) {
                g_string_append_printf(out, "\\u%04x", *p);
            } else {
                g_string_append_c(out, *p);
            }
        }
    }
    g_string_append_c(out, '"');
}

static void append_value(GString *out, JsonNode *node)
{
    char num[G_ASCII_DTOSTR_BUF_SIZE];

    switch (json_node_get_value_type(node)) {
    case G_TYPE_INT64:
        g_string_append_printf(out, "%" G_GINT64_FORMAT,
                               json_node_get_int(node));
        break;
    case G_TYPE_DOUBLE:
        g_string_append(out, g_ascii_dtostr(num, sizeof(num),
                                            json_node_get_double(node)));
        break;
    case G_TYPE_BOOLEAN:
        g_string_append(out, json_node_get_boolean(node) ? "true" : "false");
        break;
    case G_TYPE_STRING:
        append_string(out, json_node_get_string(node));
        break;
    default:
        g_string_append(out, "null");
    }
}

static void append_node(GString *out, JsonNode *node, int indent, int level);

static void newline(GString *out, int indent, int level)
{
    if (indent) {
        g_string_append_c(out, '\n');
        g_string_append_printf(out, "%*s", indent * level, "");
    }
}

static void append_object(GString *out, JsonObject *obj, int indent,
                          int level)
{
    GList *members = json_object_get_members(obj);

    g_string_append_c(out, '{');
    for (GList *l = members; l; l = l->next) {
        newline(out, indent, level + 1);
        append_string(out, l->data);
        g_string_append(out, ": ");
        append_node(out, json_object_get_member(obj, l->data), indent,
                    level + 1);
        if (l->next) {
            g_string_append(out, indent ? "," : ", ");
        }
    }
    if (members) {
        newline(out, indent, level);
    }
    g_string_append_c(out, '}');
    g_list_free(members);
}

static void append_array(GString *out, JsonArray *arr, int indent, int level)
{
    guint n = json_array_get_length(arr);

    g_string_append_c(out, '[');
    for (guint i = 0; i < n; i++) {
        newline(out, indent, level + 1);
        append_node(out, json_array_get_element(arr, i), indent, level + 1);
        if (i + 1 < n) {
            g_string_append(out, indent ? "," : ", ");
        }
    }
    if (n) {
        newline(out, indent, level);
    }
    g_string_append_c(out, ']');
}

static void append_node(GString *out, JsonNode *node, int indent, int level)
{
    switch (JSON_NODE_TYPE(node)) {
    case JSON_NODE_OBJECT:
        append_object(out, json_node_get_object(node), indent, level);
        break;
    case JSON_NODE_ARRAY:
        append_array(out, json_node_get_array(node), indent, level);
        break;
    case JSON_NODE_VALUE:
        append_value(out, node);
        break;
    case JSON_NODE_NULL:
        g_string_append(out, "null");
        break;
    }
}

void qjson_append(GString *out, JsonNode *node)
{
    append_node(out, node, 0, 0);
}

char *qjson_to_string(JsonNode *node)
{
    GString *out = g_string_new(NULL);

    append_node(out, node, 0, 0);
    return g_string_free(out, FALSE);
}

char *qjson_to_pretty_string(JsonNode *node)
{
    GString *out = g_string_new(NULL);

    append_node(out, node, 4, 0);
    return g_string_free(out, FALSE);
}
