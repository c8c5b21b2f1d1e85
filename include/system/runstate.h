/* Run state: prelaunch, running, paused, shutting down; and how it changes. */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include <glib.h>
#include <stdbool.h>

typedef enum RunState {
    RUN_STATE_PRELAUNCH,
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_SHUTDOWN,
} RunState;

RunState runstate_get(void);
const char *runstate_name(RunState s);
void runstate_init(bool start_paused, const char *name, bool no_reboot);

void vm_start(void);
void vm_stop(void);
/* Reset the machine; reason is QEMU's ("host-qmp-system-reset", "guest-reset"). */
void system_reset(const char *reason, bool guest);
/* Ask the main loop to end; emits SHUTDOWN. */
void system_shutdown_request(const char *reason, bool guest);
bool system_shutdown_requested(void);

/* The loop main() runs; returns when a shutdown was requested. */
void main_loop_run(void);

void runstate_commands_register(void);

#endif
