/* The command line: QEMU-compatible options parsed into a TideConfig. */
#ifndef SYSTEM_CMDLINE_H
#define SYSTEM_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>
#include "util/error.h"
#include "util/chardev.h"
#include "util/option.h"

/* One option whose work happens later; loc prefixes its errors. */
typedef struct PendingOpt {
    char *loc;          /* "-device virtio-mem-pci,id=vm0" */
    Opts *opts;
} PendingOpt;

typedef struct MonitorSpec {
    char *loc;
    ChardevSpec *chardev;   /* owned by TideConfig.chardevs */
    bool qmp;               /* mode=control */
} MonitorSpec;

typedef struct NumaNodeSpec {
    char *loc;
    unsigned nodeid;
    GArray *cpus;           /* unsigned, cpu indexes */
    char *memdev;
} NumaNodeSpec;

typedef struct TideConfig {
    char *accel;            /* "kvm" or "qtest" */
    char *accel_loc;
    char *machine_type;
    char *machine_loc;
    uint64_t ram_size;
    uint64_t maxmem;        /* == ram_size when not given */
    uint64_t slots;
    char *mem_loc;
    unsigned smp_cpus, smp_sockets, smp_cores, smp_threads, smp_maxcpus;
    GPtrArray *numa_nodes;  /* NumaNodeSpec * */
    GPtrArray *objects;     /* PendingOpt *, -object in order */
    GPtrArray *devices;     /* PendingOpt *, -device in order */
    GPtrArray *chardevs;    /* ChardevSpec * */
    GPtrArray *monitors;    /* MonitorSpec * */
    ChardevSpec *serial;    /* NULL: none */
    ChardevSpec *qtest;     /* NULL: no qtest socket */
    char *qtest_log;
    char *memory_manager;   /* -memory-manager options, NULL when absent */
    char *memory_manager_loc;
    char *kernel, *initrd, *append;
    char *name;
    char *pidfile;
    bool daemonize;
    bool start_paused;
    bool no_reboot;
} TideConfig;

/*
 * Parse argv.  Returns NULL with errp set on a bad option (the message
 * already carries the option as its prefix).  Informational options
 * (-h, -version, help listings) print and set *exit_now.
 */
TideConfig *cmdline_parse(int argc, char **argv, bool *exit_now,
                          Error **errp);
void tide_config_free(TideConfig *cfg);
ChardevSpec *tide_config_find_chardev(TideConfig *cfg, const char *id);
/* "unix:PATH,server=on,wait=off", "tcp:HOST:PORT,...", "stdio", ... */
ChardevSpec *chardev_parse_legacy(const char *str, Error **errp);

#endif
