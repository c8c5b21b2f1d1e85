/* Monitor sessions: QMP and HMP served on character devices. */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include <stdbool.h>
#include "util/chardev.h"
#include "util/error.h"

typedef struct Monitor Monitor;

/* Serve QMP (qmp=true) or HMP on the endpoint; main loop thread only. */
Monitor *monitor_new(const ChardevSpec *spec, bool qmp, Error **errp);
void monitor_free(Monitor *mon);

/* Register the monitor's own commands and become the event sink. */
void monitor_init_commands(void);
void monitor_cleanup_all(void);
/* Deliver queued output before exit (quit answers before closing). */
void monitor_flush_all(void);

#endif
