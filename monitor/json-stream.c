/* Splits a QMP byte stream into complete JSON texts, with hard limits. */
#include "monitor/json-stream.h"

#include <string.h>

void json_stream_init(JsonStream *js, JsonStreamEmit emit, void *opaque)
{
    memset(js, 0, sizeof(*js));
    js->buf = g_string_new(NULL);
    js->emit = emit;
    js->opaque = opaque;
}

void json_stream_destroy(JsonStream *js)
{
    g_string_free(js->buf, TRUE);
    js->buf = NULL;
}

static void finish(JsonStream *js)
{
    bool overflow = js->overflow, too_deep = js->too_deep;

    js->depth = 0;
    js->in_string = js->escape = js->in_scalar = false;
    js->overflow = js->too_deep = false;
    if (overflow) {
        g_string_truncate(js->buf, 0);
        js->emit(js->opaque, NULL, "JSON parse error, input too large "
                 "(limit 1 MiB)");
    } else if (too_deep) {
        g_string_truncate(js->buf, 0);
        js->emit(js->opaque, NULL, "JSON parse error, excessive nesting "
                 "(limit 1024)");
    } else {
        /* The callback may feed more input: hand it a private copy. */
        g_autofree char *text = g_strdup(js->buf->str);

        g_string_truncate(js->buf, 0);
        js->emit(js->opaque, text, NULL);
    }
}

static void append(JsonStream *js, char c)
{
    /*
     * Past the limit we keep following the structure but stop storing,
     * so the stream resynchronises at the end of the oversized text.
     */
    if (js->buf->len >= JSON_STREAM_MAX_BYTES) {
        js->overflow = true;
        return;
    }
    g_string_append_c(js->buf, c);
}

static void feed_in_string(JsonStream *js, char c)
{
    append(js, c);
    if (js->escape) {
        js->escape = false;
    } else if (c == '\\') {
        js->escape = true;
    } else if (c == '"') {
        js->in_string = false;
        if (js->depth == 0) {
            finish(js);     /* a top-level string: not an object, but whole */
        }
    }
}

static void feed_char(JsonStream *js, char c)
{
    bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';

    if (js->in_string) {
        feed_in_string(js, c);
        return;
    }
    if (js->in_scalar) {
        /* A top-level number or keyword ends at a space or a bracket. */
        if (!space && !strchr("{}[]\"", c)) {
            append(js, c);
            return;
        }
        finish(js);
    }
    if (js->depth == 0 && space) {
        return;
    }
    append(js, c);
    switch (c) {
    case '"':
        js->in_string = true;
        return;
    case '{':
    case '[':
        if (++js->depth > JSON_STREAM_MAX_DEPTH) {
            js->too_deep = true;
        }
        return;
    case '}':
    case ']':
        if (js->depth == 0 || --js->depth == 0) {
            finish(js);
        }
        return;
    default:
        if (js->depth == 0) {
            js->in_scalar = true;
        }
        return;
    }
}

void json_stream_feed(JsonStream *js, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        feed_char(js, data[i]);
    }
}
