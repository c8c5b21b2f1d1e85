/* KVM on x86: CPUID and topology, reset MSRs, register state at reset. */
#include "kvm-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "accel/x86-topology.h"

#define CPUID_1_ECX_HYPERVISOR  (1u << 31)
#define CPUID_1_EDX_HTT         (1u << 28)
#define CPUID_8000_0001_ECX_TOPOEXT (1u << 22)
#define CPUID_8000_0001_ECX_CMP_LEGACY (1u << 1)

#define X86_CR0_PE      (1u << 0)
#define X86_CR0_NW      (1u << 29)
#define X86_CR0_CD      (1u << 30)
#define X86_CR0_PG      (1u << 31)
#define X86_CR4_PAE     (1u << 5)
#define EFER_LME        (1u << 8)
#define EFER_LMA        (1u << 10)

/* Selectors the Linux boot protocol names: __BOOT_CS and __BOOT_DS. */
#define BOOT_CS         0x10
#define BOOT_DS         0x18

typedef struct ResetMsr {
    uint32_t index;
    uint64_t value;
} ResetMsr;

/*
 * What a reset must clear that the vCPU snapshot does not hold: the
 * kvm-clock and other paravirtual MSRs a previous kernel enabled (left
 * on, KVM would keep writing into the new kernel's memory), the syscall
 * MSRs, the TSC; with QEMU's reset values for PAT and MISC_ENABLE.
 */
static const ResetMsr reset_msr_table[] = {
    { 0x00000010, 0 },                          /* IA32_TSC */
    { 0x00000174, 0 }, { 0x00000175, 0 }, { 0x00000176, 0 }, /* SYSENTER */
    { 0x000001a0, 1 },                          /* MISC_ENABLE: fast strings */
    { 0x00000277, UINT64_C(0x0007040600070406) }, /* PAT */
    { 0xc0000081, 0 }, { 0xc0000082, 0 },       /* STAR, LSTAR */
    { 0xc0000083, 0 }, { 0xc0000084, 0 },       /* CSTAR, SYSCALL_MASK */
    { 0xc0000102, 0 }, { 0xc0000103, 0 },       /* KERNEL_GS_BASE, TSC_AUX */
    { 0x00000011, 0 }, { 0x00000012, 0 },       /* KVM wall clock, system time */
    { 0x4b564d00, 0 }, { 0x4b564d01, 0 },       /* ... their _NEW forms */
    { 0x4b564d02, 0 }, { 0x4b564d03, 0 },       /* async PF, steal time */
    { 0x4b564d04, 0 }, { 0x4b564d05, 0 },       /* PV EOI, async PF int */
    { 0x4b564d06, 1 },                          /* poll control */
};

static const ResetMsr *find_reset_msr(uint32_t index)
{
    for (size_t i = 0; i < G_N_ELEMENTS(reset_msr_table); i++) {
        if (reset_msr_table[i].index == index) {
            return &reset_msr_table[i];
        }
    }
    return NULL;
}

static bool get_supported_cpuid(Error **errp)
{
    for (unsigned n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) +
                                         n * sizeof(c->entries[0]));

        c->nent = n;
        if (ioctl(kvm_state.fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            kvm_state.cpuid = c;
            return true;
        }
        g_free(c);
        if (errno != E2BIG) {
            break;
        }
    }
    error_setg(errp, "KVM_GET_SUPPORTED_CPUID: %s", g_strerror(errno));
    return false;
}

/* Keep the reset MSRs this KVM knows: setting an unknown one fails. */
static bool get_reset_msrs(Error **errp)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    g_autofree struct kvm_msr_list *list = NULL;

    if (ioctl(kvm_state.fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 &&
        errno != E2BIG) {
        error_setg(errp, "KVM_GET_MSR_INDEX_LIST: %s", g_strerror(errno));
        return false;
    }
    list = g_malloc0(sizeof(*list) + probe.nmsrs * sizeof(uint32_t));
    list->nmsrs = probe.nmsrs;
    if (ioctl(kvm_state.fd, KVM_GET_MSR_INDEX_LIST, list) < 0) {
        error_setg(errp, "KVM_GET_MSR_INDEX_LIST: %s", g_strerror(errno));
        return false;
    }
    kvm_state.reset_msrs = g_new0(uint32_t, G_N_ELEMENTS(reset_msr_table));
    kvm_state.nr_reset_msrs = 0;
    for (uint32_t i = 0; i < list->nmsrs; i++) {
        if (find_reset_msr(list->indices[i])) {
            kvm_state.reset_msrs[kvm_state.nr_reset_msrs++] =
                list->indices[i];
        }
    }
    return true;
}

bool kvm_x86_init_vm(Error **errp)
{
    return get_supported_cpuid(errp) && get_reset_msrs(errp);
}

/* ---- CPUID ----------------------------------------------------------------- */

static void topology_leaf_0b(struct kvm_cpuid_entry2 *e, uint32_t index,
                             uint32_t apic_id)
{
    const KvmConfig *cfg = &kvm_state.cfg;
    unsigned tbits = x86_topo_bits(cfg->threads);
    unsigned cbits = x86_topo_bits(cfg->cores);

    memset(e, 0, sizeof(*e));
    e->function = 0xb;
    e->index = index;
    e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
    e->edx = apic_id;
    if (index == 0) {                   /* SMT level */
        e->eax = tbits;
        e->ebx = cfg->threads;
        e->ecx = 1u << 8 | index;
    } else if (index == 1) {            /* core level */
        e->eax = tbits + cbits;
        e->ebx = cfg->threads * cfg->cores;
        e->ecx = 2u << 8 | index;
    } else {                            /* invalid: ends the list */
        e->ecx = index;
    }
}

/*
 * KVM's supported CPUID, adjusted to this vCPU and the -smp topology:
 * APIC ID and logical count in leaf 1, leaf 0xB (leaf 0x1F dropped so
 * the guest reads one description), Intel's leaf 4 core counts, AMD's
 * core count in 0x80000008 (TOPOEXT off: there is no leaf 0x8000001E
 * to match), and the hypervisor bit.  KVM's own leaves 0x40000000 and
 * 0x40000001 (kvm-clock and the other paravirtual features) pass as
 * KVM reports them.
 */
static struct kvm_cpuid2 *build_cpuid(KvmCpu *cpu)
{
    const KvmConfig *cfg = &kvm_state.cfg;
    const struct kvm_cpuid2 *sup = kvm_state.cpuid;
    unsigned per_pkg = cfg->threads * cfg->cores;
    unsigned tbits = x86_topo_bits(cfg->threads);
    unsigned cbits = x86_topo_bits(cfg->cores);
    struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) +
                                     (sup->nent + 3) * sizeof(c->entries[0]));
    uint32_t n = 0;

    for (uint32_t i = 0; i < sup->nent; i++) {
        struct kvm_cpuid_entry2 e = sup->entries[i];

        if (e.function == 0xb || e.function == 0x1f) {
            continue;
        }
        switch (e.function) {
        case 0:
            e.eax = MAX(e.eax, 0xbu);
            break;
        case 1:
            e.ebx = (e.ebx & 0xffff) | cpu->apic_id << 24 |
                    (per_pkg & 0xff) << 16;
            e.edx = per_pkg > 1 ? e.edx | CPUID_1_EDX_HTT
                                : e.edx & ~CPUID_1_EDX_HTT;
            e.ecx |= CPUID_1_ECX_HYPERVISOR;
            break;
        case 4: {
            unsigned level = (e.eax >> 5) & 7;
            unsigned sharing = level == 3 ? per_pkg : cfg->threads;

            if (e.eax & 0x1f) {
                e.eax = (e.eax & 0x3fff) | (cfg->cores - 1) << 26 |
                        (sharing - 1) << 14;
            }
            break;
        }
        case 0x80000001:
            e.ecx &= ~CPUID_8000_0001_ECX_TOPOEXT;
            e.ecx = per_pkg > 1 ? e.ecx | CPUID_8000_0001_ECX_CMP_LEGACY
                                : e.ecx & ~CPUID_8000_0001_ECX_CMP_LEGACY;
            break;
        case 0x80000008:
            e.ecx = (e.ecx & ~0xf0ffu) | (tbits + cbits) << 12 |
                    ((per_pkg - 1) & 0xff);
            break;
        }
        c->entries[n++] = e;
    }
    for (uint32_t index = 0; index < 3; index++) {
        topology_leaf_0b(&c->entries[n++], index, cpu->apic_id);
    }
    c->nent = n;
    return c;
}

/* ---- per vCPU ---------------------------------------------------------------- */

static bool snapshot(KvmCpu *cpu, Error **errp)
{
    KvmCpuSnapshot *s = &cpu->snap;

    if (ioctl(cpu->fd, KVM_GET_REGS, &s->regs) < 0 ||
        ioctl(cpu->fd, KVM_GET_SREGS, &s->sregs) < 0 ||
        ioctl(cpu->fd, KVM_GET_FPU, &s->fpu) < 0 ||
        ioctl(cpu->fd, KVM_GET_LAPIC, &s->lapic) < 0 ||
        ioctl(cpu->fd, KVM_GET_MP_STATE, &s->mp_state) < 0 ||
        ioctl(cpu->fd, KVM_GET_VCPU_EVENTS, &s->events) < 0) {
        error_setg(errp, "cannot read the reset state of vCPU %u: %s",
                   cpu->index, g_strerror(errno));
        return false;
    }
    s->has_xcrs = ioctl(kvm_state.fd, KVM_CHECK_EXTENSION,
                        KVM_CAP_XCRS) > 0 &&
                  ioctl(cpu->fd, KVM_GET_XCRS, &s->xcrs) == 0;
    return true;
}

bool kvm_x86_init_cpu(KvmCpu *cpu, Error **errp)
{
    g_autofree struct kvm_cpuid2 *c = build_cpuid(cpu);

    if (ioctl(cpu->fd, KVM_SET_CPUID2, c) < 0) {
        error_setg(errp, "KVM_SET_CPUID2 on vCPU %u: %s", cpu->index,
                   g_strerror(errno));
        return false;
    }
    return snapshot(cpu, errp);
}

static void set_reset_msrs(KvmCpu *cpu)
{
    unsigned n = kvm_state.nr_reset_msrs;
    g_autofree struct kvm_msrs *m = g_malloc0(sizeof(*m) +
                                              n * sizeof(m->entries[0]));
    int r;

    m->nmsrs = n;
    for (unsigned i = 0; i < n; i++) {
        m->entries[i].index = kvm_state.reset_msrs[i];
        m->entries[i].data = find_reset_msr(kvm_state.reset_msrs[i])->value;
    }
    r = ioctl(cpu->fd, KVM_SET_MSRS, m);
    if (r != (int)n) {
        warn_report("KVM: vCPU %u: %d of %u reset MSRs set", cpu->index,
                    r, n);
    }
}

static void set_flat_segment(struct kvm_segment *s, uint16_t sel, bool code)
{
    *s = (struct kvm_segment) {
        .base = 0, .limit = 0xffffffff, .selector = sel,
        .type = code ? 0xb : 0x3, .present = 1, .dpl = 0,
        .db = code ? 0 : 1, .s = 1, .l = code ? 1 : 0, .g = 1,
    };
}

/* vCPU 0 after reset: 64-bit mode at the kernel's 64-bit entry point. */
static void set_boot_state(KvmCpu *cpu)
{
    const KvmBootCpu *b = &kvm_state.boot;
    struct kvm_sregs sregs = cpu->snap.sregs;
    struct kvm_regs regs = { .rflags = 0x2 };

    sregs.cr0 = (sregs.cr0 & ~(X86_CR0_CD | X86_CR0_NW)) | X86_CR0_PE |
                X86_CR0_PG;
    sregs.cr3 = b->cr3;
    sregs.cr4 |= X86_CR4_PAE;
    sregs.efer |= EFER_LME | EFER_LMA;
    set_flat_segment(&sregs.cs, BOOT_CS, true);
    set_flat_segment(&sregs.ds, BOOT_DS, false);
    sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
    sregs.gdt.base = b->gdt_base;
    sregs.gdt.limit = b->gdt_limit;
    regs.rip = b->rip;
    regs.rsi = b->rsi;
    regs.rsp = b->rsp;
    if (ioctl(cpu->fd, KVM_SET_SREGS, &sregs) < 0 ||
        ioctl(cpu->fd, KVM_SET_REGS, &regs) < 0) {
        warn_report("KVM: cannot set the boot registers: %s",
                    g_strerror(errno));
    }
}

void kvm_x86_reset_cpu(KvmCpu *cpu)
{
    KvmCpuSnapshot *s = &cpu->snap;
    struct kvm_vcpu_events ev = s->events;

    ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING |
               KVM_VCPUEVENT_VALID_SIPI_VECTOR | KVM_VCPUEVENT_VALID_SHADOW;
    /* sregs before the LAPIC: the APIC base MSR travels in sregs. */
    if (ioctl(cpu->fd, KVM_SET_REGS, &s->regs) < 0 ||
        ioctl(cpu->fd, KVM_SET_SREGS, &s->sregs) < 0 ||
        ioctl(cpu->fd, KVM_SET_FPU, &s->fpu) < 0 ||
        ioctl(cpu->fd, KVM_SET_LAPIC, &s->lapic) < 0 ||
        ioctl(cpu->fd, KVM_SET_VCPU_EVENTS, &ev) < 0 ||
        ioctl(cpu->fd, KVM_SET_MP_STATE, &s->mp_state) < 0 ||
        (s->has_xcrs && ioctl(cpu->fd, KVM_SET_XCRS, &s->xcrs) < 0)) {
        warn_report("KVM: vCPU %u: reset: %s", cpu->index,
                    g_strerror(errno));
    }
    set_reset_msrs(cpu);
    if (cpu->index == 0) {
        set_boot_state(cpu);
    }
}

void kvm_x86_report_cpu(KvmCpu *cpu)
{
    struct kvm_regs r;
    struct kvm_sregs s;

    if (ioctl(cpu->fd, KVM_GET_REGS, &r) < 0 ||
        ioctl(cpu->fd, KVM_GET_SREGS, &s) < 0) {
        return;
    }
    fprintf(stderr, "  RIP=%016llx RSP=%016llx RFLAGS=%08llx\n"
            "  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n"
            "  RSI=%016llx RDI=%016llx RBP=%016llx\n"
            "  CS=%04x CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx "
            "EFER=%llx\n",
            r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi,
            r.rdi, r.rbp, s.cs.selector, s.cr0, s.cr2, s.cr3, s.cr4,
            s.efer);
}
