/* KVM accelerator internals shared by the VM, vCPU and x86 files. */
#ifndef ACCEL_KVM_INTERNAL_H
#define ACCEL_KVM_INTERNAL_H

#include <linux/kvm.h>
#include <pthread.h>
#include "accel/kvm.h"
#include "system/memory.h"
#include "util/machine-lock.h"

/*
 * Register state of a vCPU right after KVM_CREATE_VCPU, before it ever
 * ran: a machine reset puts it back (then vCPU 0 gets KvmBootCpu).  This
 * is how the APs return to wait-for-SIPI with KVM's own reset values.
 */
typedef struct KvmCpuSnapshot {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    struct kvm_lapic_state lapic;
    struct kvm_mp_state mp_state;
    struct kvm_vcpu_events events;
    struct kvm_xcrs xcrs;
    bool has_xcrs;
} KvmCpuSnapshot;

typedef struct KvmCpu {
    unsigned index;
    uint32_t apic_id;
    int fd;
    struct kvm_run *run;
    pthread_t tid;
    bool has_thread;
    /*
     * Under the machine lock: stop asks the thread to park; stopped says
     * it has (outside KVM_RUN, not touching devices).  A vCPU that asks
     * for a reset or hits an error sets its own stop, so it does not
     * re-enter the guest before the main loop has dealt with it.
     */
    bool stop, stopped;
    GCond cond;
    /* Inside KVM_RUN, for memslot updates to hold out (machine-lock.h). */
    MachineRunner runner;
    KvmCpuSnapshot snap;
} KvmCpu;

typedef struct KvmSlot {
    bool used;
    uint64_t gpa, size;
    void *hva;
    uint32_t flags;
} KvmSlot;

typedef struct KvmState {
    int fd;                     /* /dev/kvm */
    int vm_fd;
    size_t run_size;            /* KVM_GET_VCPU_MMAP_SIZE */
    KvmConfig cfg;
    KvmBootCpu boot;
    unsigned nr_slots;          /* KVM_CAP_NR_MEMSLOTS */
    KvmSlot *slots;
    bool slot_error_reported;
    bool readonly_mem;          /* KVM_CAP_READONLY_MEM */
    MemoryListener listener;
    bool listening;
    struct kvm_cpuid2 *cpuid;   /* KVM_GET_SUPPORTED_CPUID */
    uint32_t *reset_msrs;       /* MSRs to set at reset that KVM has */
    unsigned nr_reset_msrs;
    KvmCpu *cpus;
    unsigned nr_cpus;
    bool quit;                  /* threads leave their loop */
    GCond pause_cond;           /* a vCPU parked */
    struct kvm_irqchip irqchip_snap[3];     /* PIC master, slave, IOAPIC */
    struct kvm_pit_state2 pit_snap;
} KvmState;

extern KvmState kvm_state;

/* kvm.c: put PIC, IOAPIC and PIT back to power-on (vCPUs parked). */
void kvm_reset_irqchip(void);

/* kvm-cpu.c */
bool kvm_cpus_create(Error **errp);
void kvm_cpus_destroy(void);

/* kvm-x86.c: per-vCPU setup, reset and reports. */
bool kvm_x86_init_vm(Error **errp);
bool kvm_x86_init_cpu(KvmCpu *cpu, Error **errp);
void kvm_x86_reset_cpu(KvmCpu *cpu);
void kvm_x86_report_cpu(KvmCpu *cpu);

#endif
