/* JSON text as QEMU writes it: {"key": value, ...}, one line. */
#ifndef MONITOR_JSON_WRITER_H
#define MONITOR_JSON_WRITER_H

#include <json-glib/json-glib.h>

char *qjson_to_string(JsonNode *node);
void qjson_append(GString *out, JsonNode *node);
/* "pretty": four-space indentation, as HMP's qom-get prints values. */
char *qjson_to_pretty_string(JsonNode *node);

#endif
