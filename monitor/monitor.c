/* Monitor sessions: QMP and HMP served on character devices. */
#include "monitor/monitor.h"

#include <string.h>
#include "monitor/commands.h"
#include "monitor/hmp.h"
#include "monitor/json-stream.h"
#include "monitor/json-writer.h"
#include "monitor/qmp.h"
#include "tide-config.h"
#include "util/event.h"

/* One connected client of a monitor. */
typedef struct Session {
    Monitor *mon;
    CharClient *client;
    JsonStream stream;          /* QMP */
    QmpSessionState qmp;
    GString *line;              /* HMP: the line being typed */
} Session;

struct Monitor {
    bool qmp;
    Chardev *chr;
    GPtrArray *sessions;
};

#define HMP_MAX_LINE 4096

static GPtrArray *monitors;

static void session_send_json(Session *s, JsonNode *node)
{
    g_autoptr(GString) out = g_string_new(NULL);

    qjson_append(out, node);
    g_string_append(out, "\r\n");
    char_client_write(s->client, out->str, out->len);
}

/* HMP output uses "\r\n" line ends, as QEMU's monitor does. */
static char *crlf(const char *text)
{
    GString *out = g_string_new(NULL);

    for (const char *p = text; *p; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r')) {
            g_string_append_c(out, '\r');
        }
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

static void hmp_send(Session *s, const char *text)
{
    g_autofree char *t = crlf(text);

    char_client_write(s->client, t, strlen(t));
}

/*
 * Does a string in text hold the escape \u0000?  json-glib keeps strings
 * NUL-terminated, so "quit\u0000x" would reach dispatch as "quit".
 */
static bool has_nul_escape(const char *text)
{
    bool in_string = false;

    for (const char *p = text; *p; p++) {
        if (!in_string) {
            in_string = *p == '"';
        } else if (*p == '"') {
            in_string = false;
        } else if (*p == '\\') {
            if (p[1] == 'u' && !strncmp(p + 2, "0000", 4)) {
                return true;
            }
            if (p[1]) {
                p++;
            }
        }
    }
    return false;
}

static void qmp_text_received(void *opaque, const char *text,
                              const char *error)
{
    Session *s = opaque;
    g_autoptr(JsonParser) parser = NULL;
    g_autoptr(JsonNode) resp = NULL;
    g_autoptr(Error) err = NULL;
    GError *gerr = NULL;

    if (error) {
        error_setg(&err, "%s", error);
        resp = qmp_error_response(err, NULL);
        session_send_json(s, resp);
        return;
    }
    parser = json_parser_new_immutable();
    if (has_nul_escape(text)) {
        /* QEMU 7.2 carries U+0000 through; Tide's JSON library cannot. */
        error_setg(&err, "JSON parse error, \\u0000 is not supported");
        resp = qmp_error_response(err, NULL);
    } else if (!json_parser_load_from_data(parser, text, -1, &gerr)) {
        error_setg(&err, "JSON parse error, %s", gerr->message);
        g_error_free(gerr);
        resp = qmp_error_response(err, NULL);
    } else if (!json_parser_get_root(parser)) {
        /* Only NUL bytes (the stream hands over a C string): no value. */
        error_setg(&err, "JSON parse error, expecting value");
        resp = qmp_error_response(err, NULL);
    } else {
        resp = qmp_dispatch(&s->qmp, json_parser_get_root(parser));
    }
    session_send_json(s, resp);
}

static void hmp_prompt(Session *s)
{
    char_client_write(s->client, "(tide) ", 7);
}

static void hmp_line(Session *s, const char *line)
{
    g_autofree char *out = hmp_execute(line);

    hmp_send(s, out);
    hmp_prompt(s);
}

static void hmp_received(Session *s, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];

        if (c == '\n') {
            g_autofree char *line = g_strdup(s->line->str);

            g_string_truncate(s->line, 0);
            hmp_line(s, line);
        } else if (c != '\r' && s->line->len < HMP_MAX_LINE) {
            g_string_append_c(s->line, c);
        }
    }
}

static void session_connected(void *opaque, CharClient *c)
{
    Monitor *mon = opaque;
    Session *s = g_new0(Session, 1);

    s->mon = mon;
    s->client = c;
    s->line = g_string_new(NULL);
    char_client_set_opaque(c, s);
    g_ptr_array_add(mon->sessions, s);
    if (mon->qmp) {
        g_autofree char *greeting = g_strdup_printf(
            "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": %d, \"minor\": %d, "
            "\"major\": %d}, \"package\": \"tide-%s\"}, \"capabilities\": []}}"
            "\r\n", TIDE_VERSION_MICRO, TIDE_VERSION_MINOR,
            TIDE_VERSION_MAJOR, TIDE_VERSION);

        json_stream_init(&s->stream, qmp_text_received, s);
        char_client_write(c, greeting, strlen(greeting));
    } else {
        g_autofree char *banner = g_strdup_printf(
            "Tide %s monitor - type 'help' for more information\r\n",
            TIDE_VERSION);

        char_client_write(c, banner, strlen(banner));
        hmp_prompt(s);
    }
}

static void session_received(void *opaque, CharClient *c, const char *buf,
                             size_t len)
{
    Session *s = char_client_get_opaque(c);

    if (s->mon->qmp) {
        json_stream_feed(&s->stream, buf, len);
    } else {
        hmp_received(s, buf, len);
    }
}

static void session_closed(void *opaque, CharClient *c)
{
    Monitor *mon = opaque;
    Session *s = char_client_get_opaque(c);

    g_ptr_array_remove(mon->sessions, s);
    if (mon->qmp) {
        json_stream_destroy(&s->stream);
    }
    g_string_free(s->line, TRUE);
    g_free(s);
}

static const CharHandlers session_handlers = {
    .connected = session_connected,
    .received = session_received,
    .closed = session_closed,
};

Monitor *monitor_new(const ChardevSpec *spec, bool qmp, Error **errp)
{
    Monitor *mon = g_new0(Monitor, 1);

    mon->qmp = qmp;
    mon->sessions = g_ptr_array_new();
    if (!monitors) {
        monitors = g_ptr_array_new();
    }
    g_ptr_array_add(monitors, mon);
    mon->chr = chardev_open(spec, &session_handlers, mon, errp);
    if (!mon->chr) {
        monitor_free(mon);
        return NULL;
    }
    return mon;
}

void monitor_free(Monitor *mon)
{
    chardev_close(mon->chr);
    g_ptr_array_remove(monitors, mon);
    g_ptr_array_free(mon->sessions, TRUE);
    g_free(mon);
}

void monitor_cleanup_all(void)
{
    while (monitors && monitors->len) {
        monitor_free(g_ptr_array_index(monitors, 0));
    }
}

void monitor_flush_all(void)
{
    /* chardev_close() flushes what each client can still take. */
    monitor_cleanup_all();
}

/* Events go to every QMP client past capability negotiation, as QEMU. */
static void monitor_event_sink(const char *event, JsonObject *data)
{
    JsonObject *msg = json_object_new();
    JsonObject *ts = json_object_new();
    gint64 now = g_get_real_time();
    g_autoptr(JsonNode) node = NULL;

    json_object_set_int_member(ts, "seconds", now / G_USEC_PER_SEC);
    json_object_set_int_member(ts, "microseconds", now % G_USEC_PER_SEC);
    json_object_set_object_member(msg, "timestamp", ts);
    json_object_set_string_member(msg, "event", event);
    if (data) {
        json_object_set_object_member(msg, "data", data);
    }
    node = json_node_init_object(json_node_alloc(), msg);
    json_object_unref(msg);
    for (guint m = 0; monitors && m < monitors->len; m++) {
        Monitor *mon = g_ptr_array_index(monitors, m);

        for (guint i = 0; mon->qmp && i < mon->sessions->len; i++) {
            Session *s = g_ptr_array_index(mon->sessions, i);

            if (s->qmp.negotiated) {
                session_send_json(s, node);
            }
        }
    }
}

void monitor_init_commands(void)
{
    hmp_core_commands_register();
    core_commands_register();
    qom_commands_register();
    memory_device_commands_register();
    balloon_commands_register();
    event_set_sink(monitor_event_sink);
}
