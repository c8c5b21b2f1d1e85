/* Start-up and tear-down: the ordered stages that build and unbuild a VM. */
#ifndef SYSTEM_STARTUP_H
#define SYSTEM_STARTUP_H

#include "system/cmdline.h"

/*
 * Run every stage's init in order.  If stage k fails, the exits of
 * stages k-1 down to 0 run before this returns false.
 */
bool startup_run(TideConfig *cfg, Error **errp);
/* Run every exit, last stage first. */
void startup_teardown(void);

#endif
