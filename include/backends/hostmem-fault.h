/* Fault injection for memory backends: fail the Nth populate or discard, for tests (STYLE 13d). */
#ifndef BACKENDS_HOSTMEM_FAULT_H
#define BACKENDS_HOSTMEM_FAULT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "qom/object.h"
#include "util/error.h"

typedef enum HostMemFaultOp {
    HOST_MEM_FAULT_OFF,
    HOST_MEM_FAULT_POPULATE,
    HOST_MEM_FAULT_DISCARD,
} HostMemFaultOp;

/*
 * One backend's armed fault.  While armed (op != OFF), the countdown'th
 * operation of kind op from now fails with err, once; then it disarms.
 * Only operations that would touch host memory count: a zero-length or
 * out-of-range call fails or returns before the check.  The lock makes
 * the countdown exact whichever thread populates or discards.
 */
typedef struct HostMemFault {
    GMutex lock;
    HostMemFaultOp op;
    uint64_t countdown;         /* >= 1 while armed */
    int err;                    /* ENOMEM or EIO */
    uint64_t injected;          /* faults injected since the backend was made */
    char text[64];              /* x-inject-fault as read back */
} HostMemFault;

void hostmem_fault_init(HostMemFault *f);
void hostmem_fault_destroy(HostMemFault *f);

/*
 * Parse an x-inject-fault value: "populate:N:ERRNO", "discard:N:ERRNO"
 * (N >= 1, ERRNO ENOMEM or EIO), "" or "off" (*op = OFF).  On failure
 * nothing is written and errp says which part is wrong.
 */
bool hostmem_fault_parse(const char *spec, HostMemFaultOp *op, uint64_t *n,
                          int *err, Error **errp) G_GNUC_WARN_UNUSED_RESULT;
/* Arm (or with OFF, disarm) f; the injected count is kept. */
void hostmem_fault_arm(HostMemFault *f, HostMemFaultOp op, uint64_t n,
                        int err);

/*
 * Count one operation of kind op; true if it is the one to fail, with
 * *err set to the errno to fail it with.  Called by the backend at the
 * start of populate and discard, after the range checks.
 */
bool hostmem_fault_hit(HostMemFault *f, HostMemFaultOp op, int *err)
    G_GNUC_WARN_UNUSED_RESULT;

/*
 * Register on the memory-backend class: x-inject-fault (a string,
 * writable any time, even on the command line; reads back what is still
 * armed, with the countdown left, or "") and x-injected-faults
 * (read-only).  Tide's own, for tests: "x-" as QEMU's unstable names.
 */
void hostmem_fault_class_init(ObjectClass *oc);

#endif
