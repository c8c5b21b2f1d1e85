/* The command line: QEMU-compatible options parsed into a TideConfig. */
#include "cmdline-internal.h"

#include <stdio.h>
#include "qom/object.h"
#include "system/cmdline-help.h"

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

/* ---- -accel, -machine ------------------------------------------------ */

bool cmdline_set_accel(TideConfig *cfg, const char *loc, const char *name,
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
    return cmdline_set_accel(cfg, loc, name, errp) &&
           opts_check_unused(o, errp);
}

static bool opt_enable_kvm(TideConfig *cfg, const char *loc, const char *arg,
                           bool *exit_now, Error **errp)
{
    return cmdline_set_accel(cfg, loc, "kvm", errp);
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
    if (accel && !cmdline_set_accel(cfg, loc, accel, errp)) {
        return false;
    }
    set_string(&cfg->machine_loc, loc);
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
        return cmdline_opt_serial(cfg, loc, "mon:stdio", exit_now, errp);
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
    { "m", true, cmdline_opt_memory, "-m SIZE[,slots=N,maxmem=SIZE]  boot RAM (bare number: MiB)" },
    { "smp", true, cmdline_opt_smp, "-smp N[,sockets=S,cores=C,threads=T,maxcpus=M]" },
    { "numa", true, cmdline_opt_numa, "-numa node,nodeid=N,cpus=A-B[:C-D],memdev=ID" },
    { "object", true, opt_object, "-object TYPE,id=ID[,prop=value...]  (-object help)" },
    { "device", true, opt_device, "-device TYPE[,id=ID][,prop=value...]  (-device help)" },
    { "chardev", true, cmdline_opt_chardev, "-chardev socket,id=ID,path=PATH|host=H,port=P[,server=on,wait=off]" },
    { "mon", true, cmdline_opt_mon, "-mon chardev=ID[,mode=control|readline]" },
    { "qmp", true, cmdline_opt_qmp, "-qmp unix:PATH|tcp:HOST:PORT[,server=on,wait=off]" },
    { "monitor", true, cmdline_opt_monitor, "-monitor stdio|unix:PATH,...|none   HMP" },
    { "qtest", true, cmdline_opt_qtest, "-qtest unix:PATH|tcp:HOST:PORT  the qtest protocol" },
    { "qtest-log", true, opt_qtest_log, "-qtest-log FILE|none" },
    { "memory-manager", true, opt_memory_manager,
      "-memory-manager [size=S][,policy=balanced|fill|weighted][,weights=ID=W,,ID=W][,stuck-timeout=SEC]" },
    { "kernel", true, opt_kernel, "-kernel bzImage" },
    { "initrd", true, opt_initrd, "-initrd FILE" },
    { "append", true, opt_append, "-append CMDLINE" },
    { "serial", true, cmdline_opt_serial, "-serial stdio|file:PATH|null|mon:stdio|none" },
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
    cfg->numa_nodes = g_ptr_array_new_with_free_func(cmdline_numa_free);
    cfg->objects = g_ptr_array_new_with_free_func(pending_free);
    cfg->devices = g_ptr_array_new_with_free_func(pending_free);
    cfg->chardevs = g_ptr_array_new_with_free_func(cmdline_chardev_free);
    cfg->monitors = g_ptr_array_new_with_free_func(cmdline_monitor_spec_free);
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
