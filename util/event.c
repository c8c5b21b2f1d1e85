/* QMP events: emitted anywhere, delivered by whoever installed a sink. */
#include "util/event.h"

static EventSink event_sink;

void event_set_sink(EventSink sink)
{
    event_sink = sink;
}

void event_emit(const char *event, JsonObject *data)
{
    if (event_sink) {
        event_sink(event, data);
    } else if (data) {
        json_object_unref(data);
    }
}
