/* KVM vCPU threads: KVM_RUN, exit dispatch, pause/resume/reset. */
#include "kvm-internal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <urcu.h>
#include "accel/cpus.h"
#include "accel/x86-topology.h"
#include "system/physmem.h"
#include "util/machine-lock.h"

/* Kicks a vCPU out of KVM_RUN; its handler does nothing on purpose. */
#define SIG_KVM_KICK SIGUSR1

static void kick_handler(int sig)
{
}

/* Caller holds the machine lock (so the thread cannot clear the flag). */
static void kick(KvmCpu *cpu)
{
    /*
     * immediate_exit covers a kick that lands between the thread's
     * check of stop and its entry into KVM_RUN; the signal covers a
     * thread already inside.
     */
    cpu->run->immediate_exit = 1;
    if (cpu->has_thread) {
        pthread_kill(cpu->tid, SIG_KVM_KICK);
    }
}

/* A memslot update holds the vCPU out of the guest (machine-lock.h). */
static void kick_runner(void *opaque)
{
    kick(opaque);
}

/* ---- exits ------------------------------------------------------------------ */

static void handle_io(KvmCpu *cpu)
{
    struct kvm_run *run = cpu->run;
    uint8_t *p = (uint8_t *)run + run->io.data_offset;

    /* count > 1 is a string instruction (rep outsb and friends). */
    for (uint32_t i = 0; i < run->io.count; i++) {
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            address_space_write(&address_space_io, run->io.port, p,
                                run->io.size);
        } else {
            address_space_read(&address_space_io, run->io.port, p,
                               run->io.size);
        }
        p += run->io.size;
    }
}

static void handle_mmio(KvmCpu *cpu)
{
    struct kvm_run *run = cpu->run;
    uint32_t len = MIN(run->mmio.len, sizeof(run->mmio.data));

    if (run->mmio.is_write) {
        address_space_write(&address_space_memory, run->mmio.phys_addr,
                            run->mmio.data, len);
    } else {
        address_space_read(&address_space_memory, run->mmio.phys_addr,
                           run->mmio.data, len);
    }
}

static const char *internal_error_name(uint32_t suberror)
{
    switch (suberror) {
    case KVM_INTERNAL_ERROR_EMULATION:
        return "instruction emulation failed";
    case KVM_INTERNAL_ERROR_SIMUL_EX:
        return "exception while delivering an exception";
    case KVM_INTERNAL_ERROR_DELIVERY_EV:
        return "event delivery failed";
    case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
        return "unexpected exit reason from hardware";
    }
    return "unknown suberror";
}

/* Park this vCPU and ask the main loop to deal with the machine. */
static void stop_and_request(KvmCpu *cpu, MachineRequest req)
{
    cpu->stop = true;
    accel_machine_request(req);
}

static void handle_system_event(KvmCpu *cpu)
{
    switch (cpu->run->system_event.type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        stop_and_request(cpu, MACHINE_REQUEST_POWEROFF);
        break;
    case KVM_SYSTEM_EVENT_RESET:
        stop_and_request(cpu, MACHINE_REQUEST_RESET);
        break;
    case KVM_SYSTEM_EVENT_CRASH:
        error_report("KVM: vCPU %u: the guest reported a crash",
                     cpu->index);
        stop_and_request(cpu, MACHINE_REQUEST_PANIC);
        break;
    default:
        /* Wakeups and the like need nothing from a VMM without sleep states. */
        break;
    }
}

/* Machine lock held. */
static void handle_exit(KvmCpu *cpu)
{
    struct kvm_run *run = cpu->run;

    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        handle_io(cpu);
        break;
    case KVM_EXIT_MMIO:
        handle_mmio(cpu);
        break;
    case KVM_EXIT_HLT:
    case KVM_EXIT_INTR:
        /* HLT waits in the kernel with its irqchip: nothing to do here. */
        break;
    case KVM_EXIT_SHUTDOWN:
        /* A triple fault: what a PC does is reset. */
        stop_and_request(cpu, MACHINE_REQUEST_RESET);
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        handle_system_event(cpu);
        break;
    case KVM_EXIT_FAIL_ENTRY:
        error_report("KVM: vCPU %u: VM entry failed, hardware entry "
                     "failure reason 0x%llx; the VM is stopped", cpu->index,
                     (unsigned long long)
                     run->fail_entry.hardware_entry_failure_reason);
        kvm_x86_report_cpu(cpu);
        stop_and_request(cpu, MACHINE_REQUEST_STOP);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        error_report("KVM: vCPU %u: internal error %u (%s); the VM is "
                     "stopped", cpu->index, run->internal.suberror,
                     internal_error_name(run->internal.suberror));
        kvm_x86_report_cpu(cpu);
        stop_and_request(cpu, MACHINE_REQUEST_STOP);
        break;
    default:
        error_report("KVM: vCPU %u: unhandled exit reason %u; the VM is "
                     "stopped", cpu->index, run->exit_reason);
        kvm_x86_report_cpu(cpu);
        stop_and_request(cpu, MACHINE_REQUEST_STOP);
        break;
    }
}

/* ---- the thread ------------------------------------------------------------ */

static void *vcpu_thread(void *opaque)
{
    KvmCpu *cpu = opaque;

    rcu_register_thread();
    machine_lock();
    for (;;) {
        int r, err;

        cpu->run->immediate_exit = 0;
        while (cpu->stop && !kvm_state.quit) {
            cpu->stopped = true;
            g_cond_broadcast(&kvm_state.pause_cond);
            machine_lock_wait(&cpu->cond);
        }
        if (kvm_state.quit) {
            break;
        }
        cpu->stopped = false;
        machine_lock_run_begin(&cpu->runner);
        r = ioctl(cpu->fd, KVM_RUN, 0);
        err = errno;
        machine_lock_run_end(&cpu->runner);
        if (r < 0) {
            if (err == EINTR || err == EAGAIN) {
                continue;
            }
            error_report("KVM: vCPU %u: KVM_RUN: %s; the VM is stopped",
                         cpu->index, g_strerror(err));
            stop_and_request(cpu, MACHINE_REQUEST_STOP);
            continue;
        }
        handle_exit(cpu);
    }
    cpu->stopped = true;
    g_cond_broadcast(&kvm_state.pause_cond);
    machine_unlock();
    rcu_unregister_thread();
    return NULL;
}

/* ---- pause, resume, reset (main loop, machine lock held) -------------------- */

static void kvm_cpus_pause(void)
{
    for (unsigned i = 0; i < kvm_state.nr_cpus; i++) {
        KvmCpu *cpu = &kvm_state.cpus[i];

        cpu->stop = true;
        kick(cpu);
    }
    for (unsigned i = 0; i < kvm_state.nr_cpus; i++) {
        while (!kvm_state.cpus[i].stopped) {
            machine_lock_wait(&kvm_state.pause_cond);
        }
    }
}

static void kvm_cpus_resume(void)
{
    for (unsigned i = 0; i < kvm_state.nr_cpus; i++) {
        kvm_state.cpus[i].stop = false;
        g_cond_signal(&kvm_state.cpus[i].cond);
    }
}

static void kvm_cpus_reset(void)
{
    kvm_reset_irqchip();
    for (unsigned i = 0; i < kvm_state.nr_cpus; i++) {
        kvm_x86_reset_cpu(&kvm_state.cpus[i]);
    }
}

static const AccelCpuOps kvm_cpu_ops = {
    .pause = kvm_cpus_pause,
    .resume = kvm_cpus_resume,
    .reset = kvm_cpus_reset,
};

/* ---- creation ------------------------------------------------------------- */

static bool create_cpu(KvmCpu *cpu, unsigned index, Error **errp)
{
    const KvmConfig *cfg = &kvm_state.cfg;
    void *run;

    cpu->index = index;
    cpu->apic_id = x86_apic_id_from_index(index, cfg->cores, cfg->threads);
    cpu->stop = true;
    g_cond_init(&cpu->cond);
    cpu->runner = (MachineRunner) { .kick = kick_runner, .opaque = cpu };
    machine_lock_runner_add(&cpu->runner);
    /* KVM numbers vCPUs by initial APIC ID; 0 is the BSP. */
    cpu->fd = ioctl(kvm_state.vm_fd, KVM_CREATE_VCPU,
                    (unsigned long)cpu->apic_id);
    if (cpu->fd < 0) {
        error_setg(errp, "KVM_CREATE_VCPU %u: %s", index, g_strerror(errno));
        return false;
    }
    run = mmap(NULL, kvm_state.run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
               cpu->fd, 0);
    if (run == MAP_FAILED) {
        error_setg(errp, "mmap of vCPU %u's kvm_run: %s", index,
                   g_strerror(errno));
        return false;
    }
    cpu->run = run;
    if (!kvm_x86_init_cpu(cpu, errp)) {
        return false;
    }
    kvm_x86_reset_cpu(cpu);
    return true;
}

bool kvm_cpus_create(Error **errp)
{
    struct sigaction sa = { .sa_handler = kick_handler };

    /* No SA_RESTART: the point of the signal is to make KVM_RUN return. */
    sigemptyset(&sa.sa_mask);
    sigaction(SIG_KVM_KICK, &sa, NULL);
    g_cond_init(&kvm_state.pause_cond);
    kvm_state.quit = false;
    kvm_state.nr_cpus = kvm_state.cfg.smp_cpus;
    kvm_state.cpus = g_new0(KvmCpu, kvm_state.nr_cpus);
    for (unsigned i = 0; i < kvm_state.nr_cpus; i++) {
        kvm_state.cpus[i].fd = -1;
    }
    for (unsigned i = 0; i < kvm_state.nr_cpus; i++) {
        if (!create_cpu(&kvm_state.cpus[i], i, errp)) {
            return false;
        }
    }
    /* Threads start parked (stop is set) until accel_cpus_resume(). */
    for (unsigned i = 0; i < kvm_state.nr_cpus; i++) {
        KvmCpu *cpu = &kvm_state.cpus[i];
        int r = pthread_create(&cpu->tid, NULL, vcpu_thread, cpu);

        if (r) {
            error_setg(errp, "cannot create the thread of vCPU %u: %s", i,
                       g_strerror(r));
            return false;
        }
        cpu->has_thread = true;
    }
    accel_cpus_set_ops(&kvm_cpu_ops);
    return true;
}

void kvm_cpus_destroy(void)
{
    if (!kvm_state.cpus) {
        return;
    }
    accel_cpus_set_ops(NULL);
    machine_lock();
    kvm_state.quit = true;
    for (unsigned i = 0; i < kvm_state.nr_cpus; i++) {
        KvmCpu *cpu = &kvm_state.cpus[i];

        if (cpu->has_thread) {
            cpu->stop = true;
            kick(cpu);
            g_cond_signal(&cpu->cond);
        }
    }
    machine_unlock();
    for (unsigned i = 0; i < kvm_state.nr_cpus; i++) {
        KvmCpu *cpu = &kvm_state.cpus[i];

        if (cpu->has_thread) {
            pthread_join(cpu->tid, NULL);
        }
        if (cpu->runner.kick) {
            machine_lock_runner_remove(&cpu->runner);
        }
        if (cpu->run) {
            munmap(cpu->run, kvm_state.run_size);
        }
        if (cpu->fd >= 0) {
            close(cpu->fd);
        }
        g_cond_clear(&cpu->cond);
    }
    g_clear_pointer(&kvm_state.cpus, g_free);
    kvm_state.nr_cpus = 0;
    g_cond_clear(&kvm_state.pause_cond);
}
