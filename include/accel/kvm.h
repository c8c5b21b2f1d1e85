/* The KVM accelerator: a VM with an in-kernel irqchip and one thread per vCPU. */
#ifndef ACCEL_KVM_H
#define ACCEL_KVM_H

#include <stdbool.h>
#include <stdint.h>
#include "util/error.h"

/*
 * Where vCPU 0 starts after every reset: 64-bit mode with paging on, as
 * Linux's 64-bit boot protocol asks (arch/x86/boot.rst): the loader has
 * written the page tables at cr3 and a GDT whose entry 2 is the flat
 * 64-bit code segment and entry 3 the flat data segment; rsi points at
 * boot_params.  The other vCPUs wait for INIT/SIPI from the guest.
 */
typedef struct KvmBootCpu {
    uint64_t rip;
    uint64_t rsi;
    uint64_t rsp;                       /* a scratch stack below rsi */
    uint64_t cr3;
    uint64_t gdt_base;
    uint16_t gdt_limit;
} KvmBootCpu;

typedef struct KvmConfig {
    unsigned smp_cpus;
    unsigned sockets, cores, threads;   /* topology for CPUID and APIC IDs */
} KvmConfig;

/*
 * Start-up stage "accel": open /dev/kvm, check the API and the
 * capabilities Tide relies on, create the VM, its irqchip and PIT, keep
 * memslots in step with address_space_memory and install the interrupt
 * ops (accel/irq.h).  Errors are one line ("/dev/kvm: No such file or
 * directory", "/dev/kvm: the kernel's KVM lacks KVM_CAP_..., which Tide
 * needs").  Main thread, without the machine lock.
 */
bool kvm_accel_init(const KvmConfig *cfg, Error **errp)
    G_GNUC_WARN_UNUSED_RESULT;
/*
 * Start-up stage "vcpus", once the board has loaded the guest: create
 * the vCPUs (CPUID, reset state, vCPU 0 at boot), install the vCPU ops
 * (accel/cpus.h) and start one thread each, parked until
 * accel_cpus_resume().
 */
bool kvm_accel_create_cpus(const KvmBootCpu *boot, Error **errp)
    G_GNUC_WARN_UNUSED_RESULT;
/* Stops and joins the vCPU threads; idempotent. */
void kvm_accel_destroy_cpus(void);
/* Also destroys the vCPUs, then closes the VM; idempotent. */
void kvm_accel_exit(void);

#endif
