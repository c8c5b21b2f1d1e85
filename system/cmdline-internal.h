/* What cmdline.c (the option table) and its cmdline-*.c handlers share. */
#ifndef SYSTEM_CMDLINE_INTERNAL_H
#define SYSTEM_CMDLINE_INTERNAL_H

#include "system/cmdline.h"

#define DEFAULT_RAM_SIZE (UINT64_C(128) << 20)

static inline bool set_string(char **dst, const char *arg)
{
    g_free(*dst);
    *dst = g_strdup(arg);
    return true;
}

bool cmdline_set_accel(TideConfig *cfg, const char *loc, const char *name,
                       Error **errp);

/* Free functions for TideConfig's arrays. */
void cmdline_numa_free(gpointer p);
void cmdline_chardev_free(gpointer p);
void cmdline_monitor_spec_free(gpointer p);

/* Option handlers: cmdline-topology.c */
bool cmdline_opt_memory(TideConfig *cfg, const char *loc, const char *arg,
                        bool *exit_now, Error **errp);
bool cmdline_opt_smp(TideConfig *cfg, const char *loc, const char *arg,
                     bool *exit_now, Error **errp);
bool cmdline_opt_numa(TideConfig *cfg, const char *loc, const char *arg,
                      bool *exit_now, Error **errp);

/* Option handlers: cmdline-chardev.c */
bool cmdline_opt_chardev(TideConfig *cfg, const char *loc, const char *arg,
                         bool *exit_now, Error **errp);
bool cmdline_opt_mon(TideConfig *cfg, const char *loc, const char *arg,
                     bool *exit_now, Error **errp);
bool cmdline_opt_qmp(TideConfig *cfg, const char *loc, const char *arg,
                     bool *exit_now, Error **errp);
bool cmdline_opt_monitor(TideConfig *cfg, const char *loc, const char *arg,
                         bool *exit_now, Error **errp);
bool cmdline_opt_serial(TideConfig *cfg, const char *loc, const char *arg,
                        bool *exit_now, Error **errp);
bool cmdline_opt_qtest(TideConfig *cfg, const char *loc, const char *arg,
                       bool *exit_now, Error **errp);

#endif
