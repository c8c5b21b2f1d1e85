/* x86 APIC IDs from the -smp topology, shared by CPUID and the ACPI tables. */
#ifndef ACCEL_X86_TOPOLOGY_H
#define ACCEL_X86_TOPOLOGY_H

#include <stdint.h>

/* Bits needed to number count items (0 for one item), as QEMU's apicid_bitwidth_for_count. */
static inline unsigned x86_topo_bits(unsigned count)
{
    unsigned bits = 0;

    while ((1u << bits) < count) {
        bits++;
    }
    return bits;
}

/*
 * APIC ID of CPU index idx: thread, core and socket fields, each as wide
 * as its count needs, so CPUID leaf 0xB's shifts describe it exactly.
 */
static inline uint32_t x86_apic_id_from_index(unsigned idx, unsigned cores,
                                              unsigned threads)
{
    unsigned tbits = x86_topo_bits(threads);
    unsigned cbits = x86_topo_bits(cores);
    unsigned thread = idx % threads;
    unsigned core = (idx / threads) % cores;
    unsigned socket = idx / (threads * cores);

    return (uint32_t)(socket << (cbits + tbits) | core << tbits | thread);
}

#endif
