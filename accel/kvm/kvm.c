/* The KVM VM: /dev/kvm, capabilities, irqchip and PIT, memslots, interrupts. */
#include "kvm-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "accel/cpus.h"
#include "accel/irq.h"
#include "accel/x86-topology.h"

/* Out of the way of RAM, the PCI hole and the APICs, as QEMU's pc machine. */
#define KVM_IDENTITY_MAP_ADDR   UINT64_C(0xfeffc000)
#define KVM_TSS_ADDR            UINT64_C(0xfeffd000)

KvmState kvm_state = { .fd = -1, .vm_fd = -1 };

typedef struct KvmCap {
    int cap;
    const char *name;
} KvmCap;

#define CAP(x) { x, #x }
/* Everything Tide calls, so a missing one fails at start, by name. */
static const KvmCap required_caps[] = {
    CAP(KVM_CAP_USER_MEMORY),
    CAP(KVM_CAP_DESTROY_MEMORY_REGION_WORKS),
    CAP(KVM_CAP_JOIN_MEMORY_REGIONS_WORKS),
    CAP(KVM_CAP_IRQCHIP),
    CAP(KVM_CAP_PIT2),
    CAP(KVM_CAP_PIT_STATE2),
    CAP(KVM_CAP_IRQ_INJECT_STATUS),
    CAP(KVM_CAP_SIGNAL_MSI),
    CAP(KVM_CAP_EXT_CPUID),
    CAP(KVM_CAP_SET_TSS_ADDR),
    CAP(KVM_CAP_SET_IDENTITY_MAP_ADDR),
    CAP(KVM_CAP_MP_STATE),
    CAP(KVM_CAP_IMMEDIATE_EXIT),
    CAP(KVM_CAP_VCPU_EVENTS),
    CAP(KVM_CAP_NR_MEMSLOTS),
    { 0, NULL },
};

static int check_extension(int fd, int cap)
{
    int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

    return r < 0 ? 0 : r;
}

/* ---- memslots ----------------------------------------------------------- */

static bool set_slot(unsigned id, KvmSlot *s, uint64_t size)
{
    struct kvm_userspace_memory_region r = {
        .slot = id,
        .flags = s->flags,
        .guest_phys_addr = s->gpa,
        .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)s->hva,
    };

    return ioctl(kvm_state.vm_fd, KVM_SET_USER_MEMORY_REGION, &r) == 0;
}

/*
 * KVM maps whole pages only; RAM regions are page-aligned by their
 * owners, so an unaligned range is a Tide bug we report, not assert:
 * its bytes stay reachable through MMIO exits.
 */
static bool range_aligned(const FlatRange *fr, void *hva)
{
    uint64_t mask = (uint64_t)getpagesize() - 1;

    return !(fr->addr & mask) && !(fr->size & mask) &&
           !((uintptr_t)hva & mask);
}

static void kvm_region_add(MemoryListener *l, const FlatRange *fr)
{
    void *hva = flat_range_host(fr);
    unsigned id;

    /* Without read-only slots, ROM stays out of KVM: writes exit and drop. */
    if (fr->readonly && !kvm_state.readonly_mem) {
        return;
    }
    if (!range_aligned(fr, hva)) {
        warn_report("KVM: RAM range 0x%" G_GINT64_MODIFIER "x+0x%"
                    G_GINT64_MODIFIER "x is not page aligned; it is "
                    "reached through MMIO exits", fr->addr, fr->size);
        return;
    }
    for (id = 0; id < kvm_state.nr_slots; id++) {
        if (!kvm_state.slots[id].used) {
            break;
        }
    }
    if (id == kvm_state.nr_slots) {
        /* Reported once: the guest still reaches it, slowly, via MMIO. */
        if (!kvm_state.slot_error_reported) {
            error_report("KVM: all %u memslots are in use; RAM at 0x%"
                         G_GINT64_MODIFIER "x is reached through MMIO exits",
                         kvm_state.nr_slots, fr->addr);
            kvm_state.slot_error_reported = true;
        }
        return;
    }
    kvm_state.slots[id] = (KvmSlot) {
        .used = true, .gpa = fr->addr, .size = fr->size, .hva = hva,
        .flags = fr->readonly && kvm_state.readonly_mem ? KVM_MEM_READONLY
                                                        : 0,
    };
    if (!set_slot(id, &kvm_state.slots[id], fr->size)) {
        error_report("KVM: cannot map RAM 0x%" G_GINT64_MODIFIER "x+0x%"
                     G_GINT64_MODIFIER "x: %s", fr->addr, fr->size,
                     g_strerror(errno));
        kvm_state.slots[id].used = false;
    }
}

/*
 * A deleted range usually comes back in the same update, merged or split
 * (virtio-mem plugging next to plugged blocks, unplugging inside a run):
 * between the two ioctls a vCPU touching it finds no memslot, and KVM can
 * only emulate that as MMIO, which fails for an instruction fetch or a
 * page walk (the guest gets #UD, or the VM an internal error).  So no
 * vCPU runs from the first deletion until the update is done and the
 * machine lock, which the updater holds, is released.
 *
 * A range that simply goes (virtio-mem unplugging whole chunks, the
 * usual unplug) needs none of that: the guest gave the memory up, and a
 * vCPU touching it anyway meets MMIO either way.  Holding the vCPUs out
 * costs the updater a kick and a wait per vCPU, every chunk.
 */
static void kvm_region_del(MemoryListener *l, const FlatRange *fr,
                           bool remapped)
{
    if (remapped) {
        machine_lock_hold_out();
    }
    for (unsigned id = 0; id < kvm_state.nr_slots; id++) {
        KvmSlot *s = &kvm_state.slots[id];

        if (s->used && s->gpa == fr->addr && s->size == fr->size) {
            if (!set_slot(id, s, 0)) {
                error_report("KVM: cannot unmap RAM 0x%" G_GINT64_MODIFIER
                             "x: %s", s->gpa, g_strerror(errno));
            }
            s->used = false;
            return;
        }
    }
}

/* ---- interrupts ------------------------------------------------------------ */

static void kvm_send_msi(uint64_t address, uint32_t data)
{
    struct kvm_msi msi = {
        .address_lo = (uint32_t)address,
        .address_hi = (uint32_t)(address >> 32),
        .data = data,
    };

    /* A guest-programmed bad address is the guest's loss, not an error. */
    if (ioctl(kvm_state.vm_fd, KVM_SIGNAL_MSI, &msi) < 0 && errno != EINVAL) {
        warn_report("KVM_SIGNAL_MSI: %s", g_strerror(errno));
    }
}

static void kvm_set_irq_line(unsigned gsi, int level)
{
    struct kvm_irq_level irq = { .irq = gsi, .level = level ? 1 : 0 };

    if (ioctl(kvm_state.vm_fd, KVM_IRQ_LINE_STATUS, &irq) < 0) {
        warn_report("KVM_IRQ_LINE %u: %s", gsi, g_strerror(errno));
    }
}

static const AccelIrqOps kvm_irq_ops = {
    .send_msi = kvm_send_msi,
    .set_irq_line = kvm_set_irq_line,
};

/* ---- the VM ---------------------------------------------------------------- */

/*
 * PVM (the kvm_pvm module) offers /dev/kvm without hardware virtualization
 * and runs only kernels built as PVM guests: a stock kernel hangs before
 * its first message, silently (under QEMU too).  Say so before it runs.
 */
static void warn_if_pvm(void)
{
    if (access("/sys/module/kvm_pvm", F_OK) == 0 &&
        access("/sys/module/kvm_amd", F_OK) != 0 &&
        access("/sys/module/kvm_intel", F_OK) != 0) {
        warn_report("/dev/kvm is PVM (kvm_pvm): it boots only kernels "
                    "built as PVM guests; a stock kernel hangs silently");
    }
}

static bool open_kvm(Error **errp)
{
    int version;

    kvm_state.fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_state.fd < 0) {
        error_setg(errp, "/dev/kvm: %s", g_strerror(errno));
        return false;
    }
    version = ioctl(kvm_state.fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        error_setg(errp, "/dev/kvm: KVM API version %d, Tide needs %d",
                   version, KVM_API_VERSION);
        return false;
    }
    for (const KvmCap *c = required_caps; c->name; c++) {
        if (!check_extension(kvm_state.fd, c->cap)) {
            error_set(errp, ERROR_CLASS_KVM_MISSING_CAP,
                      "/dev/kvm: the kernel's KVM lacks %s, which Tide "
                      "needs", c->name);
            return false;
        }
    }
    return true;
}

static bool create_vm(Error **errp)
{
    uint64_t addr = KVM_IDENTITY_MAP_ADDR;
    int n;

    kvm_state.vm_fd = ioctl(kvm_state.fd, KVM_CREATE_VM, 0);
    if (kvm_state.vm_fd < 0) {
        error_setg(errp, "KVM_CREATE_VM: %s", g_strerror(errno));
        return false;
    }
    n = ioctl(kvm_state.fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (n <= 0) {
        error_setg(errp, "KVM_GET_VCPU_MMAP_SIZE: %s", g_strerror(errno));
        return false;
    }
    kvm_state.run_size = (size_t)n;
    kvm_state.nr_slots = check_extension(kvm_state.vm_fd,
                                         KVM_CAP_NR_MEMSLOTS);
    kvm_state.slots = g_new0(KvmSlot, kvm_state.nr_slots);
    kvm_state.readonly_mem = check_extension(kvm_state.vm_fd,
                                             KVM_CAP_READONLY_MEM);
    /* Intel needs them for real mode; harmless elsewhere (QEMU's values). */
    if (ioctl(kvm_state.vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &addr) < 0 ||
        ioctl(kvm_state.vm_fd, KVM_SET_TSS_ADDR,
              (unsigned long)KVM_TSS_ADDR) < 0) {
        error_setg(errp, "KVM_SET_TSS_ADDR: %s", g_strerror(errno));
        return false;
    }
    return true;
}

/* PIC, IOAPIC and LAPICs in the kernel; the PIT too, with port 0x61. */
static bool create_irqchip(Error **errp)
{
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

    if (ioctl(kvm_state.vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
        error_setg(errp, "KVM_CREATE_IRQCHIP: %s", g_strerror(errno));
        return false;
    }
    if (ioctl(kvm_state.vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
        error_setg(errp, "KVM_CREATE_PIT2: %s", g_strerror(errno));
        return false;
    }
    /* Power-on state, put back at every machine reset. */
    for (int i = 0; i < 3; i++) {
        kvm_state.irqchip_snap[i].chip_id = i;
        if (ioctl(kvm_state.vm_fd, KVM_GET_IRQCHIP,
                  &kvm_state.irqchip_snap[i]) < 0) {
            error_setg(errp, "KVM_GET_IRQCHIP: %s", g_strerror(errno));
            return false;
        }
    }
    if (ioctl(kvm_state.vm_fd, KVM_GET_PIT2, &kvm_state.pit_snap) < 0) {
        error_setg(errp, "KVM_GET_PIT2: %s", g_strerror(errno));
        return false;
    }
    return true;
}

void kvm_reset_irqchip(void)
{
    for (int i = 0; i < 3; i++) {
        if (ioctl(kvm_state.vm_fd, KVM_SET_IRQCHIP,
                  &kvm_state.irqchip_snap[i]) < 0) {
            warn_report("KVM_SET_IRQCHIP: %s", g_strerror(errno));
        }
    }
    if (ioctl(kvm_state.vm_fd, KVM_SET_PIT2, &kvm_state.pit_snap) < 0) {
        warn_report("KVM_SET_PIT2: %s", g_strerror(errno));
    }
}

bool kvm_accel_init(const KvmConfig *cfg, Error **errp)
{
    kvm_state.cfg = *cfg;
    if (!open_kvm(errp) || !create_vm(errp) || !create_irqchip(errp) ||
        !kvm_x86_init_vm(errp)) {
        kvm_accel_exit();
        return false;
    }
    kvm_state.listener = (MemoryListener) {
        .region_add = kvm_region_add,
        .region_del = kvm_region_del,
        .priority = 10,
        .name = "kvm",
    };
    memory_listener_register(&kvm_state.listener, &address_space_memory);
    kvm_state.listening = true;
    accel_irq_set_ops(&kvm_irq_ops);
    return true;
}

bool kvm_accel_create_cpus(const KvmBootCpu *boot, Error **errp)
{
    const KvmConfig *cfg = &kvm_state.cfg;
    int max = check_extension(kvm_state.vm_fd, KVM_CAP_MAX_VCPUS);
    uint32_t last_apic_id = x86_apic_id_from_index(cfg->smp_cpus - 1,
                                                   cfg->cores, cfg->threads);

    if (max > 0 && cfg->smp_cpus > (unsigned)max) {
        error_setg(errp, "-smp: %u vCPUs, but this KVM runs at most %d",
                   cfg->smp_cpus, max);
        return false;
    }
    /* The MADT and the IOAPIC speak xAPIC: 8-bit IDs, 0xff is broadcast. */
    if (last_apic_id >= 0xff) {
        error_setg(errp, "-smp: the topology needs APIC ID %u; Tide's xAPIC "
                   "tables stop at 254", last_apic_id);
        return false;
    }
    kvm_state.boot = *boot;
    if (!kvm_cpus_create(errp)) {
        kvm_cpus_destroy();
        return false;
    }
    /* Only once the guest is about to run: errors stay one line. */
    warn_if_pvm();
    return true;
}

void kvm_accel_destroy_cpus(void)
{
    kvm_cpus_destroy();
}

void kvm_accel_exit(void)
{
    kvm_cpus_destroy();
    accel_irq_set_ops(NULL);
    if (kvm_state.listening) {
        memory_listener_unregister(&kvm_state.listener);
        kvm_state.listening = false;
    }
    if (kvm_state.vm_fd >= 0) {
        close(kvm_state.vm_fd);
        kvm_state.vm_fd = -1;
    }
    if (kvm_state.fd >= 0) {
        close(kvm_state.fd);
        kvm_state.fd = -1;
    }
    g_clear_pointer(&kvm_state.slots, g_free);
    g_clear_pointer(&kvm_state.cpuid, g_free);
    g_clear_pointer(&kvm_state.reset_msrs, g_free);
    kvm_state.nr_slots = 0;
}
