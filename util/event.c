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

void event_throttle_init(EventThrottle *t, guint period_ms,
                         void (*emit)(void *opaque), void *opaque)
{
    t->period_ms = period_ms;
    t->last_us = 0;
    t->timer = 0;
    t->emit = emit;
    t->opaque = opaque;
}

static void throttle_emit(EventThrottle *t)
{
    t->last_us = g_get_monotonic_time();
    t->emit(t->opaque);
}

static gboolean throttle_timer_cb(gpointer opaque)
{
    EventThrottle *t = opaque;

    t->timer = 0;
    throttle_emit(t);
    return G_SOURCE_REMOVE;
}

void event_throttle_fire(EventThrottle *t)
{
    gint64 period_us = (gint64)t->period_ms * 1000;
    gint64 since = g_get_monotonic_time() - t->last_us;

    if (t->timer) {
        return;     /* the held-back one will carry the newest state */
    }
    if (!t->last_us || since >= period_us) {
        throttle_emit(t);
        return;
    }
    t->timer = g_timeout_add((guint)((period_us - since) / 1000) + 1,
                             throttle_timer_cb, t);
}

void event_throttle_cancel(EventThrottle *t)
{
    if (t->timer) {
        g_source_remove(t->timer);
        t->timer = 0;
    }
}
