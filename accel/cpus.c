/* vCPU control and machine requests: forwards to the accelerator and to system/. */
#include "accel/cpus.h"

#include <glib.h>

/* Installed once at start-up and cleared at tear-down, on the main thread. */
static const AccelCpuOps *cpu_ops;
static MachineRequestHandler request_handler;

void accel_cpus_set_ops(const AccelCpuOps *ops)
{
    cpu_ops = ops;
}

void accel_cpus_pause(void)
{
    if (cpu_ops && cpu_ops->pause) {
        cpu_ops->pause();
    }
}

void accel_cpus_resume(void)
{
    if (cpu_ops && cpu_ops->resume) {
        cpu_ops->resume();
    }
}

void accel_cpus_reset(void)
{
    if (cpu_ops && cpu_ops->reset) {
        cpu_ops->reset();
    }
}

void accel_machine_set_request_handler(MachineRequestHandler handler)
{
    g_atomic_pointer_set(&request_handler, handler);
}

static gboolean deliver_request(gpointer data)
{
    MachineRequestHandler h = g_atomic_pointer_get(&request_handler);

    if (h) {
        h((MachineRequest)GPOINTER_TO_INT(data));
    }
    return G_SOURCE_REMOVE;
}

void accel_machine_request(MachineRequest req)
{
    /* g_idle_add is thread-safe and wakes the main context's poll. */
    g_idle_add(deliver_request, GINT_TO_POINTER(req));
}
