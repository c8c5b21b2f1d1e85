/* Start-up and tear-down: the ordered stages that build and unbuild a VM. */
#include "system/startup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "accel/kvm.h"
#include "accel/qtest.h"
#include "hw/i386/pc-board.h"
#include "hw/i386/pc.h"
#include "hw/mem/memory-device.h"
#include "hw/mem/memory-manager.h"
#include "hw/virtio/virtio-mem-pci.h"
#include "hw/pci/pci-host.h"
#include "monitor/monitor.h"
#include "qom/device.h"
#include "system/runstate.h"
#include "util/cutils.h"

typedef struct Stage {
    const char *name;
    bool (*init)(TideConfig *cfg, Error **errp);
    void (*exit)(void);
} Stage;

static GPtrArray *created_objects;      /* Object *, -object order */
static GPtrArray *created_devices;      /* Object *, -device order */
static unsigned anon_device_count;
static int pidfile_fd = -1;
static char *pidfile_path;

/* ---- -object ------------------------------------------------------- */

static bool set_object_prop(const char *key, const char *value,
                            void *opaque, Error **errp)
{
    return object_property_set_str(opaque, key, value, PROP_INPUT_CMDLINE,
                                   errp);
}

/* -device values: QEMU reads them with keyval, whose messages differ. */
static bool set_device_prop(const char *key, const char *value,
                            void *opaque, Error **errp)
{
    return object_property_set_str(opaque, key, value, PROP_INPUT_DEVICE,
                                   errp);
}

static bool check_id(const char *id, Error **errp)
{
    if (!id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier (letters, "
                   "digits, '-', '.', '_', starting with a letter)");
        return false;
    }
    return true;
}

/* Configure obj from the option, place it in the tree, realize it. */
static bool place_and_realize(Object *obj, Opts *opts, Object *parent,
                              const char *name, Error **errp)
{
    OptsForeachFn set = object_is_a(obj, TYPE_DEVICE) ? set_device_prop
                                                      : set_object_prop;

    if (!opts_foreach_unused(opts, set, obj, errp) ||
        !object_add_child(parent, name, obj, errp)) {
        return false;
    }
    if (!object_realize(obj, errp)) {
        object_unparent(obj);
        return false;
    }
    return true;
}

static bool create_object(PendingOpt *po, Error **errp)
{
    const char *type = opts_get(po->opts, "qom-type");
    const char *id = opts_get(po->opts, "id");
    ObjectClass *oc = type ? object_class_by_name(type) : NULL;
    g_autoptr(Object) obj = NULL;
    Object *objects = container_get("/objects");

    if (!oc || !oc->user_creatable || oc->info->abstract ||
        object_class_is_a(oc, TYPE_DEVICE)) {
        error_setg(errp, "invalid object type: %s (-object help lists "
                   "them)", type ? type : "");
        return false;
    }
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return false;
    }
    if (!check_id(id, errp)) {
        return false;
    }
    if (object_get_child(objects, id)) {
        error_setg(errp, "Duplicate ID '%s' for object", id);
        return false;
    }
    obj = object_new(type);
    if (!place_and_realize(obj, po->opts, objects, id, errp)) {
        return false;
    }
    g_ptr_array_add(created_objects, obj);
    return true;
}

static bool stage_objects_init(TideConfig *cfg, Error **errp)
{
    created_objects = g_ptr_array_new();
    for (guint i = 0; i < cfg->objects->len; i++) {
        PendingOpt *po = g_ptr_array_index(cfg->objects, i);

        if (!create_object(po, errp)) {
            error_prepend(errp, "%s: ", po->loc);
            return false;
        }
    }
    return true;
}

static void unparent_reverse(GPtrArray *list)
{
    for (guint i = list->len; i > 0; i--) {
        object_unparent(g_ptr_array_index(list, i - 1));
    }
    g_ptr_array_free(list, TRUE);
}

static void stage_objects_exit(void)
{
    unparent_reverse(created_objects);
    created_objects = NULL;
}

/* ---- the machine ------------------------------------------------------ */

static bool add_numa_node(PCMachineState *pcms, TideConfig *cfg,
                          NumaNodeSpec *n, uint64_t *total, Error **errp)
{
    Object *memdev = object_find_by_id("/objects", n->memdev);

    for (guint c = 0; c < n->cpus->len; c++) {
        unsigned cpu = g_array_index(n->cpus, unsigned, c);

        if (cpu >= cfg->smp_maxcpus) {
            error_setg(errp, "CPU index (%u) should be smaller than maxcpus "
                       "(%u)", cpu, cfg->smp_maxcpus);
            return false;
        }
    }
    if (!memdev) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", n->memdev);
        return false;
    }
    for (guint i = 0; i < pcms->numa_nodes->len; i++) {
        NumaNode *other = g_ptr_array_index(pcms->numa_nodes, i);

        if (other->memdev == memdev) {
            error_setg(errp, "memdev '%s' is already the RAM of NUMA node %u",
                       n->memdev, other->nodeid);
            return false;
        }
    }
    if (!object_is_a(memdev, "memory-backend")) {
        error_setg(errp, "'%s' is not a memory backend", n->memdev);
        return false;
    }
    *total += object_property_get_uint(memdev, "size", NULL);
    pc_machine_add_numa_node(pcms, n->nodeid, memdev, n->cpus);
    return true;
}

static bool configure_numa(PCMachineState *pcms, TideConfig *cfg,
                           Error **errp)
{
    uint64_t total = 0;

    for (guint i = 0; i < cfg->numa_nodes->len; i++) {
        NumaNodeSpec *n = g_ptr_array_index(cfg->numa_nodes, i);

        if (!add_numa_node(pcms, cfg, n, &total, errp)) {
            error_prepend(errp, "%s: ", n->loc);
            return false;
        }
    }
    if (cfg->numa_nodes->len && total != cfg->ram_size) {
        error_setg(errp, "-numa: total memory for NUMA nodes (0x%" G_GINT64_MODIFIER
                   "x) should equal RAM size (0x%" G_GINT64_MODIFIER "x)",
                   total, cfg->ram_size);
        return false;
    }
    return true;
}

static bool stage_machine_init(TideConfig *cfg, Error **errp)
{
    g_autoptr(Object) obj = object_new(TYPE_PC_MACHINE);
    PCMachineState *pcms = PC_MACHINE(obj);

    pcms->ram_size = cfg->ram_size;
    pcms->maxmem = cfg->maxmem;
    pcms->ram_slots = cfg->slots;
    pcms->smp_cpus = cfg->smp_cpus;
    pcms->smp_sockets = cfg->smp_sockets;
    pcms->smp_cores = cfg->smp_cores;
    pcms->smp_threads = cfg->smp_threads;
    pcms->smp_maxcpus = cfg->smp_maxcpus;
    if (!object_add_child(object_get_root(), "machine", obj, errp)) {
        return false;
    }
    container_get("/machine/peripheral");
    container_get("/machine/peripheral-anon");
    container_get("/machine/unattached");
    if (!configure_numa(pcms, cfg, errp) || !object_realize(obj, errp)) {
        object_unparent(obj);
        return false;
    }
    return true;
}

static void stage_machine_exit(void)
{
    Object *machine = object_resolve_path("/machine", NULL);

    if (machine) {
        object_unparent(machine);
    }
}

/* ---- the PCI host bridge --------------------------------------------------- */

static bool stage_pci_init(TideConfig *cfg, Error **errp)
{
    return pci_host_init(errp);
}

static void stage_pci_exit(void)
{
    pci_host_exit();
}

/* ---- -device ------------------------------------------------------------ */

static bool create_device(PendingOpt *po, Error **errp)
{
    const char *driver = opts_get(po->opts, "driver");
    const char *id = opts_get(po->opts, "id");
    ObjectClass *oc = driver ? object_class_by_name(driver) : NULL;
    g_autoptr(Object) obj = NULL;
    g_autofree char *name = NULL;
    Object *parent;

    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return false;
    }
    if (!oc || !oc->user_creatable || oc->info->abstract ||
        !object_class_is_a(oc, TYPE_DEVICE)) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return false;
    }
    if (id && !check_id(id, errp)) {
        return false;
    }
    parent = container_get(id ? "/machine/peripheral"
                              : "/machine/peripheral-anon");
    if (id && object_get_child(parent, id)) {
        error_setg(errp, "Duplicate ID '%s' for device", id);
        return false;
    }
    obj = object_new(driver);
    DEVICE(obj)->id = g_strdup(id);
    name = id ? g_strdup(id) : g_strdup_printf("device[%u]",
                                               anon_device_count++);
    if (!place_and_realize(obj, po->opts, parent, name, errp)) {
        return false;
    }
    g_ptr_array_add(created_devices, obj);
    return true;
}

static bool stage_devices_init(TideConfig *cfg, Error **errp)
{
    created_devices = g_ptr_array_new();
    for (guint i = 0; i < cfg->devices->len; i++) {
        PendingOpt *po = g_ptr_array_index(cfg->devices, i);

        if (!create_device(po, errp)) {
            error_prepend(errp, "%s: ", po->loc);
            return false;
        }
    }
    return true;
}

static void stage_devices_exit(void)
{
    unparent_reverse(created_devices);
    created_devices = NULL;
}

/* ---- the memory manager ---------------------------------------------- */

static bool has_virtio_mem(void)
{
    g_autoptr(GPtrArray) devs = memory_device_list();

    for (guint i = 0; i < devs->len; i++) {
        if (object_is_a(g_ptr_array_index(devs, i), TYPE_VIRTIO_MEM_PCI)) {
            return true;
        }
    }
    return false;
}

/* Present whenever there is a virtio-mem device to manage. */
static bool stage_manager_init(TideConfig *cfg, Error **errp)
{
    const char *loc = cfg->memory_manager_loc ? cfg->memory_manager_loc
                                              : "-memory-manager";

    if (!has_virtio_mem()) {
        if (cfg->memory_manager) {
            error_setg(errp, "%s: the machine has no virtio-mem device", loc);
            return false;
        }
        return true;
    }
    if (!memory_manager_create(cfg->memory_manager, errp)) {
        error_prepend(errp, "%s: ", loc);
        return false;
    }
    return true;
}

static void stage_manager_exit(void)
{
    memory_manager_destroy();
}

/* ---- accelerator ----------------------------------------------------------- */

static bool kvm_selected;

static bool stage_accel_init(TideConfig *cfg, Error **errp)
{
    const char *loc = cfg->accel_loc ? cfg->accel_loc : "-accel kvm";

    if (g_str_equal(cfg->accel, "kvm")) {
        KvmConfig kc = {
            .smp_cpus = cfg->smp_cpus,
            .sockets = cfg->smp_sockets,
            .cores = cfg->smp_cores,
            .threads = cfg->smp_threads,
        };

        if (!kvm_accel_init(&kc, errp)) {
            error_prepend(errp, "%s: ", loc);
            return false;
        }
        kvm_selected = true;
        return true;
    }
    if (g_str_equal(cfg->accel, "qtest")) {
        accel_irq_set_ops(&qtest_irq_ops);
    }
    if (cfg->qtest && !qtest_server_start(cfg->qtest, cfg->qtest_log, errp)) {
        error_prepend(errp, "%s: ", cfg->qtest->loc);
        return false;
    }
    return true;
}

static void stage_accel_exit(void)
{
    if (kvm_selected) {
        kvm_accel_exit();
        kvm_selected = false;
        return;
    }
    accel_irq_set_ops(NULL);
    qtest_server_stop();
}

/* ---- the board: what firmware does before a real guest runs ------------------ */

static PCBootCpu boot_cpu;

static bool stage_board_init(TideConfig *cfg, Error **errp)
{
    PCBoardConfig bc = {
        .kernel = cfg->kernel,
        .initrd = cfg->initrd,
        .append = cfg->append,
        .serial = cfg->serial,
    };

    /* Under qtest the test plays firmware: BARs stay unassigned. */
    if (!kvm_selected) {
        return true;
    }
    return pc_board_init(&bc, &boot_cpu, errp);
}

static void stage_board_exit(void)
{
    pc_board_exit();
}

static bool stage_vcpus_init(TideConfig *cfg, Error **errp)
{
    KvmBootCpu boot = {
        .rip = boot_cpu.rip, .rsi = boot_cpu.rsi, .rsp = boot_cpu.rsp,
        .cr3 = boot_cpu.cr3, .gdt_base = boot_cpu.gdt_base,
        .gdt_limit = boot_cpu.gdt_limit,
    };

    if (!kvm_selected) {
        return true;
    }
    return kvm_accel_create_cpus(&boot, errp);
}

static void stage_vcpus_exit(void)
{
    if (kvm_selected) {
        kvm_accel_destroy_cpus();
    }
}

/* ---- monitors ---------------------------------------------------------------- */

static bool stage_monitors_init(TideConfig *cfg, Error **errp)
{
    for (guint i = 0; i < cfg->monitors->len; i++) {
        MonitorSpec *m = g_ptr_array_index(cfg->monitors, i);

        if (!monitor_new(m->chardev, m->qmp, errp)) {
            error_prepend(errp, "%s: ", m->loc);
            return false;
        }
    }
    return true;
}

static void stage_monitors_exit(void)
{
    monitor_cleanup_all();
}

/* ---- pidfile --------------------------------------------------------------- */

static bool stage_pidfile_init(TideConfig *cfg, Error **errp)
{
    g_autofree char *pid = NULL;

    if (!cfg->pidfile) {
        return true;
    }
    pidfile_fd = open(cfg->pidfile, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (pidfile_fd < 0 || lockf(pidfile_fd, F_TLOCK, 0) < 0) {
        error_setg(errp, "-pidfile %s: cannot create PID file: %s",
                   cfg->pidfile, g_strerror(errno));
        if (pidfile_fd >= 0) {
            close(pidfile_fd);
            pidfile_fd = -1;
        }
        return false;
    }
    pid = g_strdup_printf("%d\n", (int)getpid());
    if (ftruncate(pidfile_fd, 0) < 0 ||
        write(pidfile_fd, pid, strlen(pid)) != (ssize_t)strlen(pid)) {
        error_setg(errp, "-pidfile %s: cannot write PID file: %s",
                   cfg->pidfile, g_strerror(errno));
        close(pidfile_fd);
        pidfile_fd = -1;
        return false;
    }
    pidfile_path = g_strdup(cfg->pidfile);
    return true;
}

static void stage_pidfile_exit(void)
{
    if (pidfile_fd < 0) {
        return;
    }
    unlink(pidfile_path);
    close(pidfile_fd);
    pidfile_fd = -1;
    g_clear_pointer(&pidfile_path, g_free);
}

/* ---- qtest: the test's CPUs ------------------------------------------------- */

static bool qtest_serving;

/*
 * The qtest connections run on threads of their own, as vCPUs do: they
 * start once everything else is up and stop before anything goes away.
 */
static bool stage_qtest_init(TideConfig *cfg, Error **errp)
{
    if (!cfg->qtest) {
        return true;
    }
    qtest_serving = qtest_server_serve(errp);
    return qtest_serving;
}

static void stage_qtest_exit(void)
{
    if (qtest_serving) {
        qtest_server_quiesce();
        qtest_serving = false;
    }
}

/* The order a reader needs to know: backends before the machine that uses
 * them for NUMA RAM, devices after the machine, the accelerator before
 * the board (so a missing /dev/kvm is the first thing said), the board
 * (BARs, ACPI, kernel) once every device is there, vCPUs once the guest
 * is loaded, monitors after that so that a client never sees a
 * half-built VM, and the qtest connections' threads (the test's vCPUs)
 * last: first to stop. */
static const Stage stages[] = {
    { "objects", stage_objects_init, stage_objects_exit },
    { "machine", stage_machine_init, stage_machine_exit },
    { "pci", stage_pci_init, stage_pci_exit },
    { "devices", stage_devices_init, stage_devices_exit },
    { "memory-manager", stage_manager_init, stage_manager_exit },
    { "accel", stage_accel_init, stage_accel_exit },
    { "board", stage_board_init, stage_board_exit },
    { "vcpus", stage_vcpus_init, stage_vcpus_exit },
    { "monitors", stage_monitors_init, stage_monitors_exit },
    { "pidfile", stage_pidfile_init, stage_pidfile_exit },
    { "qtest", stage_qtest_init, stage_qtest_exit },
};

static size_t stages_done;

bool startup_run(TideConfig *cfg, Error **errp)
{
    for (stages_done = 0; stages_done < G_N_ELEMENTS(stages); stages_done++) {
        if (!stages[stages_done].init(cfg, errp)) {
            startup_teardown();
            return false;
        }
    }
    return true;
}

void startup_teardown(void)
{
    while (stages_done > 0) {
        stages[--stages_done].exit();
    }
}
