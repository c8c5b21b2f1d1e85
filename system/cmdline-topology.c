/* -m, -smp and -numa: the guest's RAM size, CPU topology and NUMA nodes. */
#include "cmdline-internal.h"

#include "util/cutils.h"

#define MAX_NODES 128
#define MAX_CPUS 255

void cmdline_numa_free(gpointer p)
{
    NumaNodeSpec *n = p;

    g_free(n->loc);
    g_array_free(n->cpus, TRUE);
    g_free(n->memdev);
    g_free(n);
}

/* ---- -m, -smp ------------------------------------------------------- */

bool cmdline_opt_memory(TideConfig *cfg, const char *loc, const char *arg,
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
bool cmdline_opt_smp(TideConfig *cfg, const char *loc, const char *arg,
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

bool cmdline_opt_numa(TideConfig *cfg, const char *loc, const char *arg,
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
