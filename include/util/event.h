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

/*
 * QEMU rate-limits some events (MEMORY_DEVICE_SIZE_CHANGE, BALLOON_CHANGE)
 * to one per second per source: the first goes out at once, later ones in
 * the same period are held back and one is sent at the period's end, so
 * the last value always arrives.  emit builds the event from the state at
 * the time it runs.  Main loop thread only.
 */
typedef struct EventThrottle {
    guint period_ms;
    gint64 last_us;             /* 0: never emitted */
    guint timer;                /* a held-back emission is due */
    void (*emit)(void *opaque);
    void *opaque;
} EventThrottle;

void event_throttle_init(EventThrottle *t, guint period_ms,
                         void (*emit)(void *opaque), void *opaque);
void event_throttle_fire(EventThrottle *t);
void event_throttle_cancel(EventThrottle *t);

#endif
