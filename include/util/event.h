/* QMP events: emitted anywhere, delivered by whoever installed a sink. */
#ifndef UTIL_EVENT_H
#define UTIL_EVENT_H

#include <json-glib/json-glib.h>

/*
 * Devices and the memory manager sit below the monitor, so they cannot
 * call it; they emit here and the monitor, when present, installs the
 * sink that timestamps the event and sends it to every QMP client.
 * data may be NULL; it is consumed.
 */
typedef void (*EventSink)(const char *event, JsonObject *data);

void event_emit(const char *event, JsonObject *data);
void event_set_sink(EventSink sink);

#endif
