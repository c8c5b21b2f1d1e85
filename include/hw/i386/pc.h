/* The PC machine: what -machine pc builds. */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include <stdint.h>
#include "qom/object.h"
#include "system/memory.h"

#define TYPE_PC_MACHINE "pc-machine"

typedef struct NumaNode {
    unsigned nodeid;
    Object *memdev;             /* the node's boot RAM backend */
    GArray *cpus;               /* unsigned cpu indexes */
    MemoryRegion ram;           /* memdev's mapping, inside the boot RAM */
} NumaNode;

/*
 * QEMU's pc (i440FX) layout: boot RAM up to 3 GiB sits at 0 when it
 * fits below 3.5 GiB whole, the rest above 4 GiB; memory devices live in
 * a 1 GiB-aligned area after that.
 */
#define PC_BELOW_4G_SPLIT   UINT64_C(0xe0000000)   /* RAM >= this is split */
#define PC_BELOW_4G_MAX     UINT64_C(0xc0000000)   /* ... at 3 GiB */
#define PC_4G               (UINT64_C(1) << 32)
#define PC_DEVICE_MEM_ALIGN (UINT64_C(1) << 30)
#define PC_IO_SPACE_SIZE    UINT64_C(0x10000)

typedef struct PCMachineState {
    Object parent_obj;
    uint64_t ram_size;
    uint64_t maxmem;
    uint64_t ram_slots;
    unsigned smp_cpus, smp_sockets, smp_cores, smp_threads, smp_maxcpus;
    GPtrArray *numa_nodes;      /* NumaNode *, sorted by nodeid */

    /* Built at realize. */
    uint64_t below_4g_mem_size, above_4g_mem_size;
    uint64_t device_mem_base, device_mem_size;  /* size 0: no maxmem */
    Object *ram_backend;        /* without -numa: Tide's own "pc.ram" */
    MemoryRegion ram_internal;  /* its mapping */
    MemoryRegion system_root, io_root;
    MemoryRegion ram;           /* boot RAM, ram_size bytes */
    MemoryRegion ram_below_4g, ram_above_4g;    /* aliases of ram */
    MemoryRegion device_mem;    /* container for memory devices */
} PCMachineState;

#define PC_MACHINE(obj) OBJECT_CHECK(PCMachineState, (obj), TYPE_PC_MACHINE)

/* The machine, once created; NULL before. */
PCMachineState *pc_machine_get(void);
/* Number of NUMA nodes as the guest sees them (1 without -numa). */
unsigned pc_machine_numa_node_count(PCMachineState *pcms);
void pc_machine_add_numa_node(PCMachineState *pcms, unsigned nodeid,
                              Object *memdev, GArray *cpus);

/* Where memory devices go: [base, base + size). */
void pc_machine_device_memory_area(PCMachineState *pcms, uint64_t *base,
                                   uint64_t *size);

void pc_register_types(void);

#endif
