/* vCPU control and machine requests: the door between system/ and the accelerator. */
#ifndef ACCEL_CPUS_H
#define ACCEL_CPUS_H

#include <stdbool.h>

/*
 * The accelerator that runs guest CPUs (KVM) installs these at start-up;
 * under qtest there are none and every call below does nothing.  All
 * are called on the main loop thread with the machine lock held.
 * pause returns once no vCPU is inside KVM_RUN or a device callback;
 * reset must be called between pause and resume.
 */
typedef struct AccelCpuOps {
    void (*pause)(void);
    void (*resume)(void);
    void (*reset)(void);
} AccelCpuOps;

void accel_cpus_set_ops(const AccelCpuOps *ops);
void accel_cpus_pause(void);
void accel_cpus_resume(void);
void accel_cpus_reset(void);

/*
 * What a guest (or a device on its behalf) can ask of the machine.
 * Requests come from vCPU threads and device callbacks, which must not
 * pause vCPUs themselves: accel_machine_request() queues the request
 * for the main loop, which hands it to the handler system/ installed.
 */
typedef enum MachineRequest {
    MACHINE_REQUEST_RESET,          /* reboot: triple fault, 0xcf9, ACPI */
    MACHINE_REQUEST_POWEROFF,       /* ACPI S5, KVM system event */
    MACHINE_REQUEST_PANIC,          /* the guest reported a crash */
    MACHINE_REQUEST_STOP,           /* an unrecoverable vCPU error */
    MACHINE_REQUEST_QUIT,           /* the user, on the console (C-a x) */
} MachineRequest;

typedef void (*MachineRequestHandler)(MachineRequest req);

void accel_machine_set_request_handler(MachineRequestHandler handler);
/* Any thread; returns at once. */
void accel_machine_request(MachineRequest req);

#endif
