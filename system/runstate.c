/* Run state: prelaunch, running, paused, shutting down; and how it changes. */
#include "system/runstate.h"

#include "accel/cpus.h"
#include "hw/i386/pc-board.h"
#include "monitor/hmp.h"
#include "monitor/qmp.h"
#include "qom/object.h"
#include "util/event.h"
#include "util/machine-lock.h"

static RunState state = RUN_STATE_PRELAUNCH;
static char *vm_name;
static bool shutdown_requested;
static bool no_reboot;
static GMainLoop *loop;
static bool loop_running;       /* vCPUs run only while the loop does */

RunState runstate_get(void)
{
    return state;
}

const char *runstate_name(RunState s)
{
    switch (s) {
    case RUN_STATE_PRELAUNCH:
        return "prelaunch";
    case RUN_STATE_RUNNING:
        return "running";
    case RUN_STATE_PAUSED:
        return "paused";
    case RUN_STATE_SHUTDOWN:
        return "shutdown";
    }
    return "unknown";
}

static void handle_machine_request(MachineRequest req);

void runstate_init(bool start_paused, const char *name, bool no_reboot_opt)
{
    state = start_paused ? RUN_STATE_PRELAUNCH : RUN_STATE_RUNNING;
    g_free(vm_name);
    vm_name = g_strdup(name);
    no_reboot = no_reboot_opt;
    accel_machine_set_request_handler(handle_machine_request);
}

void vm_start(void)
{
    if (state == RUN_STATE_RUNNING) {
        return;
    }
    state = RUN_STATE_RUNNING;
    if (loop_running) {
        accel_cpus_resume();
    }
    event_emit("RESUME", NULL);
}

void vm_stop(void)
{
    if (state != RUN_STATE_RUNNING) {
        return;
    }
    accel_cpus_pause();
    state = RUN_STATE_PAUSED;
    event_emit("STOP", NULL);
}

static JsonObject *reason_data(const char *reason, bool guest)
{
    JsonObject *data = json_object_new();

    json_object_set_boolean_member(data, "guest", guest);
    json_object_set_string_member(data, "reason", reason);
    return data;
}

void system_reset(const char *reason, bool guest)
{
    Object *machine = object_resolve_path("/machine", NULL);

    /* vCPUs out of the guest and of every device while both are reset. */
    accel_cpus_pause();
    if (machine) {
        object_reset_tree(machine);
    }
    pc_board_reset();
    accel_cpus_reset();
    if (state == RUN_STATE_RUNNING && loop_running) {
        accel_cpus_resume();
    }
    /*
     * As QEMU's main loop: a machine reset while it is not running is
     * back to "prelaunch" (and cont starts it afresh).
     */
    if (state != RUN_STATE_RUNNING && state != RUN_STATE_SHUTDOWN) {
        state = RUN_STATE_PRELAUNCH;
    }
    event_emit("RESET", reason_data(reason, guest));
}

void system_shutdown_request(const char *reason, bool guest)
{
    if (shutdown_requested) {
        return;
    }
    shutdown_requested = true;
    state = RUN_STATE_SHUTDOWN;
    event_emit("SHUTDOWN", reason_data(reason, guest));
    if (loop) {
        g_main_loop_quit(loop);
    }
}

bool system_shutdown_requested(void)
{
    return shutdown_requested;
}

/* What the guest (through a vCPU or a device) asked; main loop, lock held. */
static void handle_machine_request(MachineRequest req)
{
    switch (req) {
    case MACHINE_REQUEST_RESET:
        if (no_reboot) {
            system_shutdown_request("guest-reset", true);
        } else {
            system_reset("guest-reset", true);
        }
        break;
    case MACHINE_REQUEST_POWEROFF:
        system_shutdown_request("guest-shutdown", true);
        break;
    case MACHINE_REQUEST_PANIC:
        error_report("the guest panicked; exiting");
        event_emit("GUEST_PANICKED", NULL);
        system_shutdown_request("guest-panic", true);
        break;
    case MACHINE_REQUEST_STOP:
        vm_stop();
        break;
    case MACHINE_REQUEST_QUIT:
        system_shutdown_request("host-ui", false);
        break;
    }
}

/*
 * The machine lock is held by the main loop except while it polls, so
 * every source it dispatches runs under the lock (DESIGN.md, "Threads
 * and locking"), and vCPU threads get it while the loop sleeps.
 */
static gint poll_unlocked(GPollFD *fds, guint nfds, gint timeout)
{
    gint r;

    machine_unlock();
    r = g_poll(fds, nfds, timeout);
    machine_lock();
    return r;
}

void main_loop_run(void)
{
    if (shutdown_requested) {
        return;
    }
    loop = g_main_loop_new(NULL, FALSE);
    machine_lock();
    g_main_context_set_poll_func(NULL, poll_unlocked);
    loop_running = true;
    if (state == RUN_STATE_RUNNING) {
        accel_cpus_resume();
    }
    g_main_loop_run(loop);
    /* Tear-down follows: no vCPU may be left in the guest or a device. */
    accel_cpus_pause();
    loop_running = false;
    g_main_context_set_poll_func(NULL, g_poll);
    machine_unlock();
    g_main_loop_unref(loop);
    loop = NULL;
}

/* ---- QMP ------------------------------------------------------------- */

static JsonNode *qmp_quit(JsonObject *args, Error **errp)
{
    system_shutdown_request("host-qmp-quit", false);
    return qmp_return_empty();
}

static JsonNode *qmp_stop(JsonObject *args, Error **errp)
{
    /* As QEMU 7.2: only a running VM stops (and says STOP). */
    vm_stop();
    return qmp_return_empty();
}

static JsonNode *qmp_cont(JsonObject *args, Error **errp)
{
    if (state == RUN_STATE_SHUTDOWN) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return NULL;
    }
    vm_start();
    return qmp_return_empty();
}

static JsonNode *qmp_system_reset(JsonObject *args, Error **errp)
{
    system_reset("host-qmp-system-reset", false);
    return qmp_return_empty();
}

static JsonNode *qmp_query_status(JsonObject *args, Error **errp)
{
    JsonObject *ret = json_object_new();

    json_object_set_string_member(ret, "status", runstate_name(state));
    json_object_set_boolean_member(ret, "singlestep", false);
    json_object_set_boolean_member(ret, "running",
                                   state == RUN_STATE_RUNNING);
    return qmp_node_take_object(ret);
}

static JsonNode *qmp_query_name(JsonObject *args, Error **errp)
{
    JsonObject *ret = json_object_new();

    if (vm_name) {
        json_object_set_string_member(ret, "name", vm_name);
    }
    return qmp_node_take_object(ret);
}

static const QmpCommand runstate_qmp_commands[] = {
    { "quit", qmp_quit, NULL },
    { "stop", qmp_stop, NULL },
    { "cont", qmp_cont, NULL },
    { "system_reset", qmp_system_reset, NULL },
    { "query-status", qmp_query_status, NULL },
    { "query-name", qmp_query_name, NULL },
    { NULL },
};

/* ---- HMP ------------------------------------------------------------- */

static void hmp_quit(GString *out, int argc, char **argv)
{
    system_shutdown_request("host-qmp-quit", false);
}

static void hmp_stop(GString *out, int argc, char **argv)
{
    vm_stop();
}

static void hmp_cont(GString *out, int argc, char **argv)
{
    Error *err = NULL;
    g_autoptr(JsonNode) r = qmp_cont(NULL, &err);

    if (!r) {
        hmp_report_err(out, err);
    }
}

static void hmp_system_reset(GString *out, int argc, char **argv)
{
    system_reset("host-qmp-system-reset", false);
}

static void hmp_info_status(GString *out)
{
    switch (state) {
    case RUN_STATE_RUNNING:
        g_string_append(out, "VM status: running\n");
        break;
    case RUN_STATE_PRELAUNCH:
        g_string_append(out, "VM status: paused (prelaunch)\n");
        break;
    case RUN_STATE_PAUSED:
        g_string_append(out, "VM status: paused\n");
        break;
    case RUN_STATE_SHUTDOWN:
        g_string_append(out, "VM status: paused (shutdown)\n");
        break;
    }
}

static void hmp_info_name(GString *out)
{
    if (vm_name) {
        g_string_append_printf(out, "%s\n", vm_name);
    }
}

static const HmpCommand runstate_hmp_commands[] = {
    /* Aliases after '|', as QEMU names (and lists) them. */
    { "quit|q", NULL, "quit the emulator", 0, 0, false, hmp_quit },
    { "stop|s", NULL, "stop emulation", 0, 0, false, hmp_stop },
    { "cont|c", NULL, "resume emulation", 0, 0, false, hmp_cont },
    { "system_reset", NULL, "reset the system", 0, 0, false,
      hmp_system_reset },
    { NULL },
};

static const HmpInfo runstate_hmp_info[] = {
    { "status", "show the current VM status (running|paused)",
      hmp_info_status },
    { "name", "show the current VM name", hmp_info_name },
    { NULL },
};

void runstate_commands_register(void)
{
    qmp_register_commands(runstate_qmp_commands);
    hmp_register_commands(runstate_hmp_commands);
    hmp_register_info(runstate_hmp_info);
}
