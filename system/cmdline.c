/* The command line: QEMU-compatible options parsed into a TideConfig. */
#include "system/cmdline.h"

#include <stdio.h>
#include <string.h>
#include "qom/object.h"
#include "system/cmdline-help.h"
#include "util/cutils.h"

#define DEFAULT_RAM_SIZE (UINT64_C(128) << 20)
#define MAX_NODES 128
#define MAX_CPUS 255

typedef bool (*OptHandler)(TideConfig *cfg, const char *loc, const char *arg,
                           bool *exit_now, Error **errp);

typedef struct OptionDef {
    const char *name;
    bool has_arg;
    OptHandler handler;
    const char *help;
} OptionDef;

static void pending_free(gpointer p)
{
    PendingOpt *po = p;

    g_free(po->loc);
    opts_free(po->opts);
    g_free(po);
}

static void chardev_free(gpointer p)
{
    ChardevSpec *c = p;

    g_free(c->id);
    g_free(c->loc);
    g_free(c->path);
    g_free(c->host);
    g_free(c->port);
    g_free(c);
}

static void monitor_spec_free(gpointer p)
{
    MonitorSpec *m = p;

    g_free(m->loc);
    g_free(m);
}

static void numa_free(gpointer p)
{
    NumaNodeSpec *n = p;

    g_free(n->loc);
    g_array_free(n->cpus, TRUE);
    g_free(n->memdev);
    g_free(n);
}

void tide_config_free(TideConfig *cfg)
{
    if (!cfg) {
        return;
    }
    g_free(cfg->accel);
    g_free(cfg->accel_loc);
    g_free(cfg->machine_type);
    g_free(cfg->machine_loc);
    g_free(cfg->mem_loc);
    g_ptr_array_free(cfg->numa_nodes, TRUE);
    g_ptr_array_free(cfg->objects, TRUE);
    g_ptr_array_free(cfg->devices, TRUE);
    g_ptr_array_free(cfg->monitors, TRUE);
    g_ptr_array_free(cfg->chardevs, TRUE);
    g_free(cfg->qtest_log);
    g_free(cfg->memory_manager);
    g_free(cfg->memory_manager_loc);
    g_free(cfg->kernel);
    g_free(cfg->initrd);
    g_free(cfg->append);
    g_free(cfg->name);
    g_free(cfg->pidfile);
    g_free(cfg);
}

ChardevSpec *tide_config_find_chardev(TideConfig *cfg, const char *id)
{
    for (guint i = 0; i < cfg->chardevs->len; i++) {
        ChardevSpec *c = g_ptr_array_index(cfg->chardevs, i);

        if (c->id && g_str_equal(c->id, id)) {
            return c;
        }
    }
    return NULL;
}

static bool set_string(char **dst, const char *arg)
{
    g_free(*dst);
    *dst = g_strdup(arg);
    return true;
}

/* ---- -accel, -machine ------------------------------------------------ */

static bool set_accel(TideConfig *cfg, const char *loc, const char *name,
                      Error **errp)
{
    if (!g_str_equal(name, "kvm") && !g_str_equal(name, "qtest")) {
        error_setg(errp, "invalid accelerator %s (Tide supports kvm and "
                   "qtest)", name);
        return false;
    }
    set_string(&cfg->accel, name);
    set_string(&cfg->accel_loc, loc);
    return true;
}

static bool opt_accel(TideConfig *cfg, const char *loc, const char *arg,
                      bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "accel", errp);
    const char *name;

    if (!o) {
        return false;
    }
    name = opts_get(o, "accel");
    if (name && g_str_equal(name, "help")) {
        printf("Accelerators supported in Tide:\nkvm\nqtest\n");
        *exit_now = true;
        return true;
    }
    if (!name) {
        error_setg(errp, "Parameter 'accel' is missing");
        return false;
    }
    return set_accel(cfg, loc, name, errp) && opts_check_unused(o, errp);
}

static bool opt_enable_kvm(TideConfig *cfg, const char *loc, const char *arg,
                           bool *exit_now, Error **errp)
{
    return set_accel(cfg, loc, "kvm", errp);
}

static bool opt_machine(TideConfig *cfg, const char *loc, const char *arg,
                        bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "type", errp);
    const char *type, *accel;

    if (!o) {
        return false;
    }
    type = opts_get(o, "type");
    if (type && g_str_equal(type, "help")) {
        printf("Supported machines are:\n"
               "pc                   Standard PC (i440FX + PIIX, 1996) "
               "(default)\n");
        *exit_now = true;
        return true;
    }
    if (type && !g_str_equal(type, "pc")) {
        error_setg(errp, "unsupported machine type '%s' (-machine help "
                   "lists the supported ones)", type);
        return false;
    }
    accel = opts_get(o, "accel");
    if (accel && !set_accel(cfg, loc, accel, errp)) {
        return false;
    }
    set_string(&cfg->machine_loc, loc);
    return opts_check_unused(o, errp);
}

/* ---- -m, -smp ------------------------------------------------------- */

static bool opt_memory(TideConfig *cfg, const char *loc, const char *arg,
                       bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "size", errp);
    const char *size;
    uint64_t ram = DEFAULT_RAM_SIZE, maxmem;

    if (!o) {
        return false;
    }
    size = opts_get(o, "size");
    /* As QEMU: a bare number is MiB, and 0 means the default. */
    if (size && parse_size_unit(size, 'M', &ram) < 0) {
        error_setg(errp, "Parameter 'size' expects a size (a non-negative "
                   "number below 2^64, optional suffix K, M, G, T, P or E)");
        return false;
    }
    if (ram == 0) {
        ram = DEFAULT_RAM_SIZE;
    }
    maxmem = ram;
    if (!opts_get_size(o, "maxmem", &maxmem, errp) ||
        !opts_get_uint(o, "slots", &cfg->slots, errp) ||
        !opts_check_unused(o, errp)) {
        return false;
    }
    if (ram % 4096) {
        error_setg(errp, "RAM size 0x%" G_GINT64_MODIFIER "x is not a "
                   "multiple of the page size (4 KiB)", ram);
        return false;
    }
    if (maxmem < ram) {
        error_setg(errp, "invalid value of maxmem: maximum memory size "
                   "(0x%" G_GINT64_MODIFIER "x) must be at least the "
                   "initial memory size (0x%" G_GINT64_MODIFIER "x)",
                   maxmem, ram);
        return false;
    }
    if (maxmem % 4096) {
        error_setg(errp, "maximum memory size must be aligned to multiple "
                   "of 0x1000 bytes");
        return false;
    }
    cfg->ram_size = ram;
    cfg->maxmem = maxmem;
    set_string(&cfg->mem_loc, loc);
    return true;
}

static bool get_smp_value(Opts *o, const char *key, unsigned *out,
                          Error **errp)
{
    uint64_t v = 0;
    const char *s = opts_get(o, key);

    if (!s) {
        return true;
    }
    if (parse_uint64(s, &v) < 0 || v > UINT32_MAX) {
        error_setg(errp, "Parameter 'smp.%s' expects integer", key);
        return false;
    }
    if (v == 0) {
        error_setg(errp, "Invalid CPU topology: CPU topology parameters "
                   "must be greater than zero");
        return false;
    }
    *out = (unsigned)v;
    return true;
}

/* QEMU's rule for pc: missing values are derived, sockets preferred. */
static bool opt_smp(TideConfig *cfg, const char *loc, const char *arg,
                    bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "cpus", errp);
    unsigned cpus = 0, sockets = 0, cores = 0, threads = 0, maxcpus = 0;
    uint64_t product;

    if (!o || !get_smp_value(o, "cpus", &cpus, errp) ||
        !get_smp_value(o, "sockets", &sockets, errp) ||
        !get_smp_value(o, "cores", &cores, errp) ||
        !get_smp_value(o, "threads", &threads, errp) ||
        !get_smp_value(o, "maxcpus", &maxcpus, errp) ||
        !opts_check_unused(o, errp)) {
        return false;
    }
    if (!maxcpus) {
        maxcpus = cpus;
    }
    threads = threads ? threads : 1;
    if (!maxcpus) {
        cores = cores ? cores : 1;
        sockets = sockets ? sockets : 1;
        maxcpus = sockets * cores * threads;
    } else if (!sockets) {
        cores = cores ? cores : 1;
        sockets = MAX(1, maxcpus / (cores * threads));
    } else if (!cores) {
        cores = MAX(1, maxcpus / (sockets * threads));
    }
    cpus = cpus ? cpus : maxcpus;
    product = (uint64_t)sockets * cores * threads;
    if (product != maxcpus) {
        error_setg(errp, "Invalid CPU topology: product of the hierarchy "
                   "must match maxcpus: sockets (%u) * dies (1) * cores (%u) "
                   "* threads (%u) != maxcpus (%u)", sockets, cores, threads,
                   maxcpus);
        return false;
    }
    if (maxcpus < cpus) {
        error_setg(errp, "Invalid CPU topology: maxcpus must be equal to or "
                   "greater than smp: sockets (%u) * dies (1) * cores (%u) * "
                   "threads (%u) == maxcpus (%u) < smp_cpus (%u)", sockets,
                   cores, threads, maxcpus, cpus);
        return false;
    }
    if (maxcpus > MAX_CPUS) {
        error_setg(errp, "Invalid SMP CPUs %u. The max CPUs supported by "
                   "machine 'pc' is %d", maxcpus, MAX_CPUS);
        return false;
    }
    cfg->smp_cpus = cpus;
    cfg->smp_sockets = sockets;
    cfg->smp_cores = cores;
    cfg->smp_threads = threads;
    cfg->smp_maxcpus = maxcpus;
    return true;
}

/* ---- -numa ---------------------------------------------------------- */

static bool parse_cpu_ranges(const char *str, GArray *cpus, Error **errp)
{
    g_auto(GStrv) ranges = g_strsplit(str, ":", -1);

    for (int i = 0; ranges[i]; i++) {
        g_auto(GStrv) ends = g_strsplit(ranges[i], "-", 2);
        uint64_t lo, hi;

        if (parse_uint64(ends[0], &lo) < 0 ||
            (ends[1] ? parse_uint64(ends[1], &hi) : (hi = lo, 0)) < 0 ||
            hi < lo) {
            error_setg(errp, "Parameter 'cpus' expects a CPU index or range "
                       "'A-B', several separated by ':'");
            return false;
        }
        if (hi >= MAX_CPUS) {
            error_setg(errp, "CPU index (%" G_GUINT64_FORMAT ") should be "
                       "smaller than maxcpus (%d)", hi, MAX_CPUS);
            return false;
        }
        for (uint64_t c = lo; c <= hi; c++) {
            unsigned v = (unsigned)c;

            g_array_append_val(cpus, v);
        }
    }
    return true;
}

static bool opt_numa(TideConfig *cfg, const char *loc, const char *arg,
                     bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "type", errp);
    const char *type, *nodeid, *cpus, *memdev;
    NumaNodeSpec *n;
    uint64_t id = cfg->numa_nodes->len;

    if (!o) {
        return false;
    }
    type = opts_get(o, "type");
    if (!type || !g_str_equal(type, "node")) {
        error_setg(errp, "Parameter 'type' does not accept value '%s' "
                   "(Tide supports -numa node)", type ? type : "");
        return false;
    }
    nodeid = opts_get(o, "nodeid");
    if (nodeid && parse_uint64(nodeid, &id) < 0) {
        error_setg(errp, "Parameter 'nodeid' expects a uint64 value");
        return false;
    }
    if (id >= MAX_NODES) {
        error_setg(errp, "Max number of NUMA nodes reached: %" G_GUINT64_FORMAT,
                   id);
        return false;
    }
    for (guint i = 0; i < cfg->numa_nodes->len; i++) {
        NumaNodeSpec *other = g_ptr_array_index(cfg->numa_nodes, i);

        if (other->nodeid == id) {
            error_setg(errp, "Duplicate NUMA nodeid: %" G_GUINT64_FORMAT, id);
            return false;
        }
    }
    n = g_new0(NumaNodeSpec, 1);
    n->loc = g_strdup(loc);
    n->nodeid = (unsigned)id;
    n->cpus = g_array_new(FALSE, FALSE, sizeof(unsigned));
    g_ptr_array_add(cfg->numa_nodes, n);
    cpus = opts_get(o, "cpus");
    if (cpus && !parse_cpu_ranges(cpus, n->cpus, errp)) {
        return false;
    }
    memdev = opts_get(o, "memdev");
    if (opts_has(o, "mem")) {
        error_setg(errp, "Parameter 'mem' is not supported, use 'memdev'");
        return false;
    }
    if (!memdev || !*memdev) {
        error_setg(errp, "Parameter 'memdev' is missing");
        return false;
    }
    n->memdev = g_strdup(memdev);
    return opts_check_unused(o, errp);
}

/* ---- -object, -device ------------------------------------------------- */

static bool print_type_help(const char *type, bool devices)
{
    ObjectClass *oc = object_class_by_name(type);
    g_autofree char *text = NULL;

    if (!oc || !oc->user_creatable || oc->info->abstract ||
        object_class_is_a(oc, "device") != devices) {
        return false;
    }
    text = object_class_help(oc, devices);
    fputs(text, stdout);
    return true;
}

static bool is_help(Opts *o, const char *implied)
{
    const char *v = opts_get(o, implied);

    return (v && (g_str_equal(v, "help") || g_str_equal(v, "?"))) ||
           opts_has(o, "help");
}

static bool add_pending(GPtrArray *list, const char *loc, Opts *o)
{
    PendingOpt *po = g_new0(PendingOpt, 1);

    po->loc = g_strdup(loc);
    po->opts = o;
    g_ptr_array_add(list, po);
    return true;
}

/*
 * -object and -device: queue the option for start-up, or answer the
 * help forms ("-device help", "-device TYPE,help") at once.
 */
static bool opt_typed(GPtrArray *list, const char *loc, const char *arg,
                      bool devices, bool *exit_now, Error **errp)
{
    const char *implied = devices ? "driver" : "qom-type";
    Opts *o = opts_parse(arg, implied, errp);
    const char *type;
    bool ok = true;

    if (!o) {
        return false;
    }
    type = opts_get(o, implied);
    if (!is_help(o, implied)) {
        return add_pending(list, loc, o);
    }
    *exit_now = true;
    if (!type || g_str_equal(type, "help") || g_str_equal(type, "?")) {
        if (devices) {
            cmdline_print_device_list();
        } else {
            cmdline_print_object_list();
        }
    } else if (!print_type_help(type, devices)) {
        if (devices) {
            error_setg(errp, "'%s' is not a valid device model name", type);
        } else {
            error_setg(errp, "invalid object type: %s", type);
        }
        ok = false;
    }
    opts_free(o);
    return ok;
}

static bool opt_object(TideConfig *cfg, const char *loc, const char *arg,
                       bool *exit_now, Error **errp)
{
    return opt_typed(cfg->objects, loc, arg, false, exit_now, errp);
}

static bool opt_device(TideConfig *cfg, const char *loc, const char *arg,
                       bool *exit_now, Error **errp)
{
    return opt_typed(cfg->devices, loc, arg, true, exit_now, errp);
}

/* ---- character devices and monitors --------------------------------- */

static bool chardev_socket_opts(ChardevSpec *c, Opts *o, Error **errp)
{
    const char *nowait = opts_get(o, "nowait");
    bool wait = true;

    c->server = false;
    if (!opts_get_bool(o, "server", &c->server, errp) ||
        !opts_get_bool(o, "wait", &wait, errp)) {
        return false;
    }
    c->wait = c->server && wait && !nowait;
    return true;
}

static bool chardev_from_opts(ChardevSpec *c, const char *backend, Opts *o,
                              Error **errp)
{
    if (g_str_equal(backend, "socket")) {
        const char *path = opts_get(o, "path");
        const char *host = opts_get(o, "host");
        const char *port = opts_get(o, "port");

        c->backend = CHARDEV_SOCKET;
        if (path && !port) {
            c->socket_mode = SOCKET_UNIX;
            c->path = g_strdup(path);
        } else if (port && !path) {
            c->socket_mode = SOCKET_TCP;
            c->host = g_strdup(host && *host ? host : "127.0.0.1");
            c->port = g_strdup(port);
        } else {
            error_setg(errp, "chardev: socket: give either 'path' (unix) or "
                       "'host' and 'port' (tcp)");
            return false;
        }
        return chardev_socket_opts(c, o, errp);
    }
    if (g_str_equal(backend, "stdio")) {
        c->backend = CHARDEV_STDIO;
        return opts_get_bool(o, "mux", &c->mux, errp);
    }
    if (g_str_equal(backend, "file")) {
        c->backend = CHARDEV_FILE;
        c->path = g_strdup(opts_get(o, "path"));
        if (!c->path) {
            error_setg(errp, "chardev: file: no filename given");
            return false;
        }
        return true;
    }
    if (g_str_equal(backend, "null")) {
        c->backend = CHARDEV_NULL;
        return true;
    }
    error_setg(errp, "'%s' is not a valid char driver name", backend);
    return false;
}

static bool opt_chardev(TideConfig *cfg, const char *loc, const char *arg,
                        bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "backend", errp);
    g_autofree ChardevSpec *c = NULL;
    const char *backend, *id;

    if (!o) {
        return false;
    }
    backend = opts_get(o, "backend");
    id = opts_get(o, "id");
    if (!backend) {
        error_setg(errp, "Parameter 'backend' is missing");
        return false;
    }
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return false;
    }
    if (!id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier (letters, "
                   "digits, '-', '.', '_', starting with a letter)");
        return false;
    }
    if (tide_config_find_chardev(cfg, id)) {
        error_setg(errp, "Duplicate ID '%s' for chardev", id);
        return false;
    }
    c = g_new0(ChardevSpec, 1);
    if (!chardev_from_opts(c, backend, o, errp) ||
        !opts_check_unused(o, errp)) {
        chardev_free(g_steal_pointer(&c));
        return false;
    }
    c->id = g_strdup(id);
    c->loc = g_strdup(loc);
    g_ptr_array_add(cfg->chardevs, g_steal_pointer(&c));
    return true;
}

ChardevSpec *chardev_parse_legacy(const char *str, Error **errp)
{
    g_autoptr(Opts) o = NULL;
    ChardevSpec *c = g_new0(ChardevSpec, 1);
    g_autofree char *text = NULL;
    const char *rest;

    if (g_str_equal(str, "stdio") || g_str_equal(str, "mon:stdio")) {
        c->backend = CHARDEV_STDIO;
        c->mux = g_str_has_prefix(str, "mon:");
        return c;
    }
    if (g_str_equal(str, "null")) {
        c->backend = CHARDEV_NULL;
        return c;
    }
    if (g_str_has_prefix(str, "file:")) {
        c->backend = CHARDEV_FILE;
        c->path = g_strdup(str + 5);
        return c;
    }
    if (g_str_has_prefix(str, "unix:")) {
        rest = str + 5;
        text = g_strdup_printf("path=%s", rest);
    } else if (g_str_has_prefix(str, "tcp:")) {
        const char *colon = strrchr(str + 4, ':');
        const char *comma = strchr(str + 4, ',');

        if (!colon || (comma && comma < colon)) {
            error_setg(errp, "'%s': tcp needs HOST:PORT", str);
            chardev_free(c);
            return NULL;
        }
        text = g_strdup_printf("host=%.*s,port=%s", (int)(colon - str - 4),
                               str + 4, colon + 1);
    } else {
        error_setg(errp, "'%s' is not a valid char driver", str);
        chardev_free(c);
        return NULL;
    }
    o = opts_parse(text, NULL, errp);
    if (!o || !chardev_from_opts(c, "socket", o, errp) ||
        !opts_check_unused(o, errp)) {
        chardev_free(c);
        return NULL;
    }
    return c;
}

static bool add_monitor(TideConfig *cfg, const char *loc, ChardevSpec *c,
                        bool qmp)
{
    MonitorSpec *m = g_new0(MonitorSpec, 1);

    m->loc = g_strdup(loc);
    m->chardev = c;
    m->qmp = qmp;
    g_ptr_array_add(cfg->monitors, m);
    return true;
}

static bool add_legacy_monitor(TideConfig *cfg, const char *loc,
                               const char *arg, bool qmp, Error **errp)
{
    ChardevSpec *c;

    if (g_str_equal(arg, "none")) {
        return true;
    }
    c = chardev_parse_legacy(arg, errp);
    if (!c) {
        return false;
    }
    if (c->backend == CHARDEV_FILE || c->backend == CHARDEV_NULL) {
        error_setg(errp, "a monitor needs stdio or a socket");
        chardev_free(c);
        return false;
    }
    c->loc = g_strdup(loc);
    g_ptr_array_add(cfg->chardevs, c);
    return add_monitor(cfg, loc, c, qmp);
}

static bool opt_qmp(TideConfig *cfg, const char *loc, const char *arg,
                    bool *exit_now, Error **errp)
{
    return add_legacy_monitor(cfg, loc, arg, true, errp);
}

static bool opt_monitor(TideConfig *cfg, const char *loc, const char *arg,
                        bool *exit_now, Error **errp)
{
    return add_legacy_monitor(cfg, loc, arg, false, errp);
}

static bool opt_mon(TideConfig *cfg, const char *loc, const char *arg,
                    bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "chardev", errp);
    const char *id, *mode;
    ChardevSpec *c;

    if (!o) {
        return false;
    }
    id = opts_get(o, "chardev");
    mode = opts_get(o, "mode");
    opts_get(o, "pretty");      /* accepted: QMP replies are always compact */
    if (!opts_check_unused(o, errp)) {
        return false;
    }
    if (!id) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return false;
    }
    c = tide_config_find_chardev(cfg, id);
    if (!c) {
        error_setg(errp, "chardev \"%s\" not found", id);
        return false;
    }
    if (mode && !g_str_equal(mode, "control") &&
        !g_str_equal(mode, "readline")) {
        error_setg(errp, "Parameter 'mode' does not accept value '%s'", mode);
        return false;
    }
    return add_monitor(cfg, loc, c, mode && g_str_equal(mode, "control"));
}

static bool opt_serial(TideConfig *cfg, const char *loc, const char *arg,
                       bool *exit_now, Error **errp)
{
    ChardevSpec *c;

    if (g_str_equal(arg, "none")) {
        cfg->serial = NULL;
        return true;
    }
    c = chardev_parse_legacy(arg, errp);
    if (!c) {
        return false;
    }
    c->loc = g_strdup(loc);
    g_ptr_array_add(cfg->chardevs, c);
    cfg->serial = c;
    return true;
}

static bool opt_qtest(TideConfig *cfg, const char *loc, const char *arg,
                      bool *exit_now, Error **errp)
{
    ChardevSpec *c = chardev_parse_legacy(arg, errp);

    if (!c) {
        return false;
    }
    if (c->backend != CHARDEV_SOCKET && c->backend != CHARDEV_STDIO) {
        error_setg(errp, "the qtest protocol needs a socket or stdio");
        chardev_free(c);
        return false;
    }
    c->loc = g_strdup(loc);
    g_ptr_array_add(cfg->chardevs, c);
    cfg->qtest = c;
    /* As QEMU: -qtest selects the qtest accelerator. */
    return set_accel(cfg, loc, "qtest", errp);
}

/* ---- small options ----------------------------------------------------- */

static bool opt_qtest_log(TideConfig *cfg, const char *loc, const char *arg,
                          bool *exit_now, Error **errp)
{
    return set_string(&cfg->qtest_log, arg);
}

static bool opt_memory_manager(TideConfig *cfg, const char *loc,
                               const char *arg, bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, NULL, errp);

    /* Checked for syntax now; the keys are checked by the object. */
    if (!o) {
        return false;
    }
    set_string(&cfg->memory_manager_loc, loc);
    return set_string(&cfg->memory_manager, arg);
}

static bool opt_kernel(TideConfig *cfg, const char *loc, const char *arg,
                       bool *exit_now, Error **errp)
{
    return set_string(&cfg->kernel, arg);
}

static bool opt_initrd(TideConfig *cfg, const char *loc, const char *arg,
                       bool *exit_now, Error **errp)
{
    return set_string(&cfg->initrd, arg);
}

static bool opt_append(TideConfig *cfg, const char *loc, const char *arg,
                       bool *exit_now, Error **errp)
{
    return set_string(&cfg->append, arg);
}

static bool opt_nographic(TideConfig *cfg, const char *loc, const char *arg,
                          bool *exit_now, Error **errp)
{
    /* As QEMU: serial and monitor share stdio unless given elsewhere. */
    if (!cfg->serial) {
        return opt_serial(cfg, loc, "mon:stdio", exit_now, errp);
    }
    return true;
}

static bool opt_display(TideConfig *cfg, const char *loc, const char *arg,
                        bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "type", errp);
    const char *type;

    if (!o) {
        return false;
    }
    type = opts_get(o, "type");
    if (!type || !g_str_equal(type, "none")) {
        error_setg(errp, "Display '%s' is not available (Tide has no "
                   "display; use -display none)", type ? type : "");
        return false;
    }
    return opts_check_unused(o, errp);
}

static bool opt_name(TideConfig *cfg, const char *loc, const char *arg,
                     bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "guest", errp);
    const char *name;

    if (!o) {
        return false;
    }
    name = opts_get(o, "guest");
    opts_get(o, "process");
    opts_get(o, "debug-threads");
    if (!opts_check_unused(o, errp)) {
        return false;
    }
    return set_string(&cfg->name, name);
}

static bool opt_pidfile(TideConfig *cfg, const char *loc, const char *arg,
                        bool *exit_now, Error **errp)
{
    return set_string(&cfg->pidfile, arg);
}

static bool opt_daemonize(TideConfig *cfg, const char *loc, const char *arg,
                          bool *exit_now, Error **errp)
{
    cfg->daemonize = true;
    return true;
}

static bool opt_paused(TideConfig *cfg, const char *loc, const char *arg,
                       bool *exit_now, Error **errp)
{
    cfg->start_paused = true;
    return true;
}

static bool opt_no_reboot(TideConfig *cfg, const char *loc, const char *arg,
                          bool *exit_now, Error **errp)
{
    cfg->no_reboot = true;
    return true;
}

static bool opt_nodefaults(TideConfig *cfg, const char *loc, const char *arg,
                           bool *exit_now, Error **errp)
{
    return true;        /* Tide creates no default devices anyway */
}

static bool opt_version(TideConfig *cfg, const char *loc, const char *arg,
                        bool *exit_now, Error **errp)
{
    cmdline_print_version();
    *exit_now = true;
    return true;
}

static bool opt_help(TideConfig *cfg, const char *loc, const char *arg,
                     bool *exit_now, Error **errp);

static const OptionDef options[] = {
    { "accel", true, opt_accel, "-accel kvm|qtest   select the accelerator" },
    { "enable-kvm", false, opt_enable_kvm, "-enable-kvm        same as -accel kvm" },
    { "machine", true, opt_machine, "-machine pc[,accel=kvm|qtest]" },
    { "M", true, opt_machine, NULL },
    { "m", true, opt_memory, "-m SIZE[,slots=N,maxmem=SIZE]  boot RAM (bare number: MiB)" },
    { "smp", true, opt_smp, "-smp N[,sockets=S,cores=C,threads=T,maxcpus=M]" },
    { "numa", true, opt_numa, "-numa node,nodeid=N,cpus=A-B[:C-D],memdev=ID" },
    { "object", true, opt_object, "-object TYPE,id=ID[,prop=value...]  (-object help)" },
    { "device", true, opt_device, "-device TYPE[,id=ID][,prop=value...]  (-device help)" },
    { "chardev", true, opt_chardev, "-chardev socket,id=ID,path=PATH|host=H,port=P[,server=on,wait=off]" },
    { "mon", true, opt_mon, "-mon chardev=ID[,mode=control|readline]" },
    { "qmp", true, opt_qmp, "-qmp unix:PATH|tcp:HOST:PORT[,server=on,wait=off]" },
    { "monitor", true, opt_monitor, "-monitor stdio|unix:PATH,...|none   HMP" },
    { "qtest", true, opt_qtest, "-qtest unix:PATH|tcp:HOST:PORT  the qtest protocol" },
    { "qtest-log", true, opt_qtest_log, "-qtest-log FILE|none" },
    { "memory-manager", true, opt_memory_manager,
      "-memory-manager [size=S][,policy=balanced|fill|weighted][,weights=ID=W,,ID=W][,stuck-timeout=SEC]" },
    { "kernel", true, opt_kernel, "-kernel bzImage" },
    { "initrd", true, opt_initrd, "-initrd FILE" },
    { "append", true, opt_append, "-append CMDLINE" },
    { "serial", true, opt_serial, "-serial stdio|file:PATH|null|mon:stdio|none" },
    { "nographic", false, opt_nographic, "-nographic         serial and monitor on stdio" },
    { "display", true, opt_display, "-display none" },
    { "name", true, opt_name, "-name NAME" },
    { "pidfile", true, opt_pidfile, "-pidfile FILE" },
    { "daemonize", false, opt_daemonize, "-daemonize         detach once ready" },
    { "S", false, opt_paused, "-S                 do not start the guest" },
    { "no-reboot", false, opt_no_reboot, "-no-reboot         exit instead of rebooting" },
    { "nodefaults", false, opt_nodefaults, NULL },
    { "version", false, opt_version, "-version           print the version" },
    { "h", false, opt_help, "-h, -help          this text" },
    { "help", false, opt_help, NULL },
};

static bool opt_help(TideConfig *cfg, const char *loc, const char *arg,
                     bool *exit_now, Error **errp)
{
    printf("usage: tide [options]\n\n"
           "Tide is a KVM virtual machine monitor for elastic guest memory "
           "(virtio-mem).\nIts options follow QEMU's syntax and meaning.\n\n");
    for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
        if (options[i].help) {
            printf("  %s\n", options[i].help);
        }
    }
    printf("\nSizes take K, M, G, T suffixes (powers of 1024).\n");
    *exit_now = true;
    return true;
}

static const OptionDef *find_option(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
        if (g_str_equal(options[i].name, name)) {
            return &options[i];
        }
    }
    return NULL;
}

static TideConfig *config_new(void)
{
    TideConfig *cfg = g_new0(TideConfig, 1);

    cfg->accel = g_strdup("kvm");
    cfg->machine_type = g_strdup("pc");
    cfg->ram_size = cfg->maxmem = DEFAULT_RAM_SIZE;
    cfg->smp_cpus = cfg->smp_sockets = cfg->smp_cores = 1;
    cfg->smp_threads = cfg->smp_maxcpus = 1;
    cfg->numa_nodes = g_ptr_array_new_with_free_func(numa_free);
    cfg->objects = g_ptr_array_new_with_free_func(pending_free);
    cfg->devices = g_ptr_array_new_with_free_func(pending_free);
    cfg->chardevs = g_ptr_array_new_with_free_func(chardev_free);
    cfg->monitors = g_ptr_array_new_with_free_func(monitor_spec_free);
    return cfg;
}

TideConfig *cmdline_parse(int argc, char **argv, bool *exit_now,
                          Error **errp)
{
    TideConfig *cfg = config_new();

    *exit_now = false;
    for (int i = 1; i < argc && !*exit_now; i++) {
        const char *word = argv[i];
        const char *name = word + (word[0] == '-') + (word[1] == '-');
        const OptionDef *def = word[0] == '-' ? find_option(name) : NULL;
        g_autofree char *loc = NULL;
        const char *arg = NULL;

        if (!def) {
            error_setg(errp, "%s: invalid option", word);
            goto fail;
        }
        if (def->has_arg) {
            if (i + 1 >= argc) {
                error_setg(errp, "%s: requires an argument", word);
                goto fail;
            }
            arg = argv[++i];
        }
        loc = arg ? g_strdup_printf("%s %s", word, arg) : g_strdup(word);
        if (!def->handler(cfg, loc, arg, exit_now, errp)) {
            error_prepend(errp, "%s: ", loc);
            goto fail;
        }
    }
    return cfg;

fail:
    tide_config_free(cfg);
    return NULL;
}
