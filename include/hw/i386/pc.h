/* The PC machine: what -machine pc builds. */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include <stdint.h>
#include "qom/object.h"

#define TYPE_PC_MACHINE "pc-machine"

typedef struct NumaNode {
    unsigned nodeid;
    Object *memdev;             /* the node's boot RAM backend */
    GArray *cpus;               /* unsigned cpu indexes */
} NumaNode;

typedef struct PCMachineState {
    Object parent_obj;
    uint64_t ram_size;
    uint64_t maxmem;
    uint64_t ram_slots;
    unsigned smp_cpus, smp_sockets, smp_cores, smp_threads, smp_maxcpus;
    GPtrArray *numa_nodes;      /* NumaNode *, sorted by nodeid */
} PCMachineState;

#define PC_MACHINE(obj) OBJECT_CHECK(PCMachineState, (obj), TYPE_PC_MACHINE)

/* The machine, once created; NULL before. */
PCMachineState *pc_machine_get(void);
/* Number of NUMA nodes as the guest sees them (1 without -numa). */
unsigned pc_machine_numa_node_count(PCMachineState *pcms);
void pc_machine_add_numa_node(PCMachineState *pcms, unsigned nodeid,
                              Object *memdev, GArray *cpus);

void pc_register_types(void);

#endif
