/* libqtest: QMP framing, sending and reading messages, and reading responses. */
#include "libqtest-internal.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- JSON --------------------------------------------------------------- */

/* Feed one byte; true when it completes a top-level value. */
static bool split_feed(JsonSplit *js, char c)
{
    if (js->in_string) {
        if (js->escape) {
            js->escape = false;
        } else if (c == '\\') {
            js->escape = true;
        } else if (c == '"') {
            js->in_string = false;
        }
        return false;
    }
    switch (c) {
    case '"':
        js->in_string = js->depth > 0;
        return false;
    case '{':
    case '[':
        js->depth++;
        return false;
    case '}':
    case ']':
        if (js->depth > 0 && --js->depth == 0) {
            return true;
        }
        return false;
    default:
        return false;
    }
}

JsonNode *qtest_json_parse(const char *text)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) err = NULL;

    if (!json_parser_load_from_data(parser, text, -1, &err)) {
        g_error("libqtest: invalid JSON from the VMM (%s): %.200s",
                err->message, text);
    }
    return json_parser_steal_root(parser);
}

char *qtest_json_to_string(JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();

    json_generator_set_root(gen, node);
    return json_generator_to_data(gen, NULL);
}

char *qtest_json_quote(const char *s)
{
    g_autoptr(JsonNode) n = json_node_init_string(json_node_alloc(), s);

    return qtest_json_to_string(n);
}

/* ---- raw fd I/O --------------------------------------------------------- */

void qtest_fd_send_all(int fd, const char *bytes, size_t len)
{
    while (len) {
        ssize_t n = send(fd, bytes, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            /* The peer may be gone on purpose (quit); reads will tell. */
            return;
        }
        bytes += n;
        len -= n;
    }
}

void qmp_fd_send_raw(int fd, const char *bytes, size_t len)
{
    qtest_fd_send_all(fd, bytes, len);
}

void qmp_fd_send(int fd, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_fd_send_all(fd, text, strlen(text));
}

/* Wait until fd is readable; false on timeout. */
bool qtest_wait_readable(int fd, gint64 deadline)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    for (;;) {
        int rc = poll(&pfd, 1, ms_left(deadline));

        if (rc > 0) {
            return true;
        }
        if (rc == 0) {
            return false;
        }
        if (errno != EINTR) {
            g_error("libqtest: poll: %s", g_strerror(errno));
        }
    }
}

JsonNode *qmp_fd_receive(int fd)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    gint64 deadline = deadline_after(qtest_timeout_ms());
    JsonSplit js = { 0 };

    for (;;) {
        char c;
        ssize_t n;

        if (!qtest_wait_readable(fd, deadline)) {
            g_error("libqtest: no QMP message within %u ms (have: %.200s)",
                    qtest_timeout_ms(), buf->str);
        }
        n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return NULL;
        }
        if (js.depth == 0 && g_ascii_isspace(c)) {
            continue;
        }
        g_string_append_c(buf, c);
        if (split_feed(&js, c)) {
            return qtest_json_parse(buf->str);
        }
    }
}

JsonNode *qmp_fd(int fd, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_fd_send_all(fd, text, strlen(text));
    for (;;) {
        JsonNode *msg = qmp_fd_receive(fd);

        if (!msg) {
            g_error("libqtest: QMP connection closed while waiting for the "
                    "answer to %s", text);
        }
        if (!qmp_event_name(msg)) {
            return msg;
        }
        json_node_unref(msg);
    }
}

void qmp_fd_handshake(int fd)
{
    g_autoptr(JsonNode) greeting = qmp_fd_receive(fd);
    g_autoptr(JsonNode) rsp = NULL;

    g_assert_nonnull(greeting);
    g_assert_true(json_object_has_member(json_node_get_object(greeting),
                                         "QMP"));
    rsp = qmp_fd(fd, "{\"execute\": \"qmp_capabilities\"}");
    qmp_rsp_return(rsp);
}

int qtest_unix_connect(const char *path)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(un.sun_path));
    strcpy(un.sun_path, path);
    if (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- the main connection ------------------------------------------------ */

/*
 * One whole message out of s->rx, or NULL if none is complete yet.
 * Several messages per read and messages split over reads both happen.
 */
static JsonNode *rx_take_message(QTestState *s)
{
    while (s->rx_scanned < s->rx->len) {
        char c = s->rx->str[s->rx_scanned];

        if (s->split.depth == 0 && !s->split.in_string &&
            g_ascii_isspace(c)) {
            g_string_erase(s->rx, s->rx_scanned, 1);
            continue;
        }
        s->rx_scanned++;
        if (split_feed(&s->split, c)) {
            g_autofree char *text = g_strndup(s->rx->str, s->rx_scanned);

            g_string_erase(s->rx, 0, s->rx_scanned);
            s->rx_scanned = 0;
            return qtest_json_parse(text);
        }
    }
    return NULL;
}

/* The next message; NULL on timeout when !must, fails the test when must. */
static JsonNode *read_message(QTestState *s, gint64 deadline, bool must)
{
    for (;;) {
        JsonNode *msg = rx_take_message(s);
        char buf[65536];
        ssize_t n;

        if (msg) {
            return msg;
        }
        if (!qtest_wait_readable(s->qmp_fd, deadline)) {
            if (!must) {
                return NULL;
            }
            g_error("libqtest: no QMP message within %u ms",
                    qtest_timeout_ms());
        }
        n = read(s->qmp_fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            g_error("libqtest: the VMM closed the QMP connection");
        }
        g_string_append_len(s->rx, buf, n);
    }
}

JsonNode *qtest_qmp_receive_any(QTestState *s)
{
    return read_message(s, deadline_after(qtest_timeout_ms()), true);
}

JsonNode *qtest_qmp_receive(QTestState *s)
{
    gint64 deadline = deadline_after(qtest_timeout_ms());

    if (!g_queue_is_empty(&s->responses)) {
        return g_queue_pop_head(&s->responses);
    }
    for (;;) {
        JsonNode *msg = read_message(s, deadline, true);

        if (!qmp_event_name(msg)) {
            return msg;
        }
        g_queue_push_tail(&s->events, msg);
    }
}

JsonNode *qtest_qmp_event_pop(QTestState *s, const char *event)
{
    for (GList *l = s->events.head; l; l = l->next) {
        const char *name = qmp_event_name(l->data);

        if (!event || g_str_equal(name, event)) {
            JsonNode *msg = l->data;

            g_queue_delete_link(&s->events, l);
            return msg;
        }
    }
    return NULL;
}

void qtest_qmp_events_clear(QTestState *s)
{
    g_queue_clear_full(&s->events, (GDestroyNotify)json_node_unref);
}

JsonNode *qtest_qmp_eventwait_timeout(QTestState *s, const char *event,
                                      unsigned timeout_ms)
{
    gint64 deadline = deadline_after(timeout_ms);
    JsonNode *msg = qtest_qmp_event_pop(s, event);

    while (!msg) {
        msg = read_message(s, deadline, false);
        if (!msg) {
            return NULL;
        }
        if (!qmp_event_name(msg)) {
            g_queue_push_tail(&s->responses, msg);
            msg = NULL;
        } else if (!g_str_equal(qmp_event_name(msg), event)) {
            g_queue_push_tail(&s->events, msg);
            msg = NULL;
        }
    }
    return msg;
}

JsonNode *qtest_qmp_eventwait(QTestState *s, const char *event)
{
    JsonNode *msg = qtest_qmp_eventwait_timeout(s, event, qtest_timeout_ms());

    if (!msg) {
        g_error("libqtest: no %s event within %u ms", event,
                qtest_timeout_ms());
    }
    return msg;
}

void qtest_qmp_send_raw(QTestState *s, const char *bytes, size_t len)
{
    qtest_fd_send_all(s->qmp_fd, bytes, len);
}

void qtest_qmp_send(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_fd_send_all(s->qmp_fd, text, strlen(text));
}

JsonNode *qtest_vqmp(QTestState *s, const char *fmt, va_list ap)
{
    g_autofree char *text = g_strdup_vprintf(fmt, ap);

    qtest_fd_send_all(s->qmp_fd, text, strlen(text));
    return qtest_qmp_receive(s);
}

JsonNode *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    JsonNode *rsp;

    va_start(ap, fmt);
    rsp = qtest_vqmp(s, fmt, ap);
    va_end(ap);
    return rsp;
}

void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autoptr(JsonNode) rsp = NULL;

    va_start(ap, fmt);
    rsp = qtest_vqmp(s, fmt, ap);
    va_end(ap);
    qmp_rsp_return(rsp);
}

JsonNode *qtest_qmp_return(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autoptr(JsonNode) rsp = NULL;

    va_start(ap, fmt);
    rsp = qtest_vqmp(s, fmt, ap);
    va_end(ap);
    return json_node_copy(qmp_rsp_return(rsp));
}

char *qtest_hmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *line = NULL;
    g_autofree char *quoted = NULL;
    g_autoptr(JsonNode) rsp = NULL;
    JsonNode *ret;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    quoted = qtest_json_quote(line);
    rsp = qtest_qmp(s, "{\"execute\": \"human-monitor-command\", "
                    "\"arguments\": {\"command-line\": %s}}", quoted);
    ret = qmp_rsp_return(rsp);
    g_assert_true(JSON_NODE_HOLDS_VALUE(ret) &&
                  json_node_get_value_type(ret) == G_TYPE_STRING);
    return g_strdup(json_node_get_string(ret));
}

int qtest_qmp_connect(QTestState *s)
{
    int fd = qtest_unix_connect(s->qmp_path);

    if (fd < 0) {
        g_error("libqtest: connect %s: %s", s->qmp_path, g_strerror(errno));
    }
    return fd;
}

JsonNode *qtest_qmp_greeting(QTestState *s)
{
    return s->greeting;
}

/* ---- responses ---------------------------------------------------------- */

JsonNode *qmp_rsp_return(JsonNode *rsp)
{
    JsonObject *o = as_object(rsp);

    if (!o || !json_object_has_member(o, "return")) {
        g_autofree char *text = rsp ? qtest_json_to_string(rsp) : NULL;

        g_error("libqtest: expected a QMP return, got %s", text);
    }
    return json_object_get_member(o, "return");
}

JsonObject *qmp_rsp_return_object(JsonNode *rsp)
{
    JsonNode *ret = qmp_rsp_return(rsp);

    g_assert_true(JSON_NODE_HOLDS_OBJECT(ret));
    return json_node_get_object(ret);
}

const char *qtest_query_status(QTestState *s)
{
    static char buf[32];
    g_autoptr(JsonNode) rsp = qtest_qmp(s, "{\"execute\": \"query-status\"}");
    JsonObject *o = qmp_rsp_return_object(rsp);

    g_strlcpy(buf, json_object_get_string_member(o, "status"), sizeof(buf));
    g_assert_true(json_object_get_boolean_member(o, "running") ==
                  g_str_equal(buf, "running"));
    g_assert_false(json_object_get_boolean_member(o, "singlestep"));
    return buf;
}

JsonArray *qmp_rsp_return_array(JsonNode *rsp)
{
    JsonNode *ret = qmp_rsp_return(rsp);

    g_assert_true(JSON_NODE_HOLDS_ARRAY(ret));
    return json_node_get_array(ret);
}

static JsonObject *error_object(JsonNode *rsp)
{
    JsonObject *o = as_object(rsp);
    JsonNode *e = o ? json_object_get_member(o, "error") : NULL;

    return as_object(e);
}

bool qmp_rsp_is_error(JsonNode *rsp)
{
    return error_object(rsp) != NULL;
}

static const char *error_member(JsonNode *rsp, const char *name)
{
    JsonObject *e = error_object(rsp);
    JsonNode *n = e ? json_object_get_member(e, name) : NULL;

    if (!n || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_STRING) {
        return NULL;
    }
    return json_node_get_string(n);
}

const char *qmp_rsp_error_class(JsonNode *rsp)
{
    return error_member(rsp, "class");
}

const char *qmp_rsp_error_desc(JsonNode *rsp)
{
    return error_member(rsp, "desc");
}

void qmp_assert_error(JsonNode *rsp, const char *cls, const char *desc)
{
    if (!qmp_rsp_is_error(rsp)) {
        g_autofree char *text = rsp ? qtest_json_to_string(rsp) : NULL;

        g_error("libqtest: expected a QMP error (%s: %s), got %s", cls, desc,
                text);
    }
    g_assert_cmpstr(qmp_rsp_error_class(rsp), ==, cls);
    g_assert_cmpstr(qmp_rsp_error_desc(rsp), ==, desc);
}

JsonNode *qmp_rsp_id(JsonNode *rsp)
{
    JsonObject *o = as_object(rsp);

    return o ? json_object_get_member(o, "id") : NULL;
}

const char *qmp_event_name(JsonNode *msg)
{
    JsonObject *o = as_object(msg);
    JsonNode *n = o ? json_object_get_member(o, "event") : NULL;

    if (!n || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_STRING) {
        return NULL;
    }
    return json_node_get_string(n);
}
