/* HMP: the human monitor's command registry and line interpreter. */
#ifndef MONITOR_HMP_H
#define MONITOR_HMP_H

#include <glib.h>
#include "util/error.h"

/*
 * A command gets its words in argv (argv[0] is the command); when
 * takes_rest is set, the last argument holds the rest of the line as
 * typed.  Output goes to out with '\n' line ends; the monitor turns them
 * into "\r\n" as QEMU does.
 */
typedef void (*HmpHandler)(GString *out, int argc, char **argv);

typedef struct HmpCommand {
    const char *name;
    const char *params;         /* for help: "path property value" */
    const char *help;
    int min_args, max_args;     /* not counting argv[0] */
    bool takes_rest;
    HmpHandler fn;
} HmpCommand;

/* `info NAME`, or `info NAME [ARG]` when fn_arg is set (fn is then NULL). */
typedef struct HmpInfo {
    const char *name;
    const char *help;
    void (*fn)(GString *out);
    const char *params;         /* for help, e.g. "[path]" */
    void (*fn_arg)(GString *out, const char *arg);  /* arg NULL if absent */
} HmpInfo;

void hmp_register_commands(const HmpCommand *cmds);
void hmp_register_info(const HmpInfo *infos);
/* Run one line; returns what it printed ('\n' line ends). */
char *hmp_execute(const char *line);
/* "Error: msg\n" (and the hint), then frees err. */
void hmp_report_err(GString *out, Error *err);

void hmp_core_commands_register(void);

#endif
