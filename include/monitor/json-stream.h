/* Splits a QMP byte stream into complete JSON texts, with hard limits. */
#ifndef MONITOR_JSON_STREAM_H
#define MONITOR_JSON_STREAM_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Limits on one JSON text.  QMP commands are small; these stop a client
 * from making Tide buffer or recurse without bound.
 */
#define JSON_STREAM_MAX_BYTES (1u << 20)
#define JSON_STREAM_MAX_DEPTH 1024

/*
 * text is NUL-terminated and valid until the callback returns.  When the
 * text broke a limit, text is NULL and error says which.
 */
typedef void (*JsonStreamEmit)(void *opaque, const char *text,
                               const char *error);

typedef struct JsonStream {
    GString *buf;
    JsonStreamEmit emit;
    void *opaque;
    unsigned depth;
    bool in_string, escape, in_scalar, overflow, too_deep;
} JsonStream;

void json_stream_init(JsonStream *js, JsonStreamEmit emit, void *opaque);
void json_stream_feed(JsonStream *js, const char *data, size_t len);
void json_stream_destroy(JsonStream *js);

#endif
