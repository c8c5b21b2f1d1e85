/* The PC machine: what -machine pc builds. */
#include "hw/i386/pc.h"

static void numa_node_free(gpointer p)
{
    NumaNode *n = p;

    object_unref(n->memdev);
    g_array_free(n->cpus, TRUE);
    g_free(n);
}

PCMachineState *pc_machine_get(void)
{
    Object *obj = object_resolve_path_type("/machine", TYPE_PC_MACHINE, NULL);

    return obj ? PC_MACHINE(obj) : NULL;
}

unsigned pc_machine_numa_node_count(PCMachineState *pcms)
{
    return pcms->numa_nodes->len ? pcms->numa_nodes->len : 1;
}

static gint node_cmp(gconstpointer a, gconstpointer b)
{
    const NumaNode *na = *(NumaNode *const *)a;
    const NumaNode *nb = *(NumaNode *const *)b;

    return (na->nodeid > nb->nodeid) - (na->nodeid < nb->nodeid);
}

void pc_machine_add_numa_node(PCMachineState *pcms, unsigned nodeid,
                              Object *memdev, GArray *cpus)
{
    NumaNode *n = g_new0(NumaNode, 1);

    n->nodeid = nodeid;
    n->memdev = memdev ? object_ref(memdev) : NULL;
    n->cpus = g_array_copy(cpus);
    g_ptr_array_add(pcms->numa_nodes, n);
    g_ptr_array_sort(pcms->numa_nodes, node_cmp);
}

static void pc_machine_init(Object *obj)
{
    PC_MACHINE(obj)->numa_nodes = g_ptr_array_new_with_free_func(numa_node_free);
}

static void pc_machine_finalize(Object *obj)
{
    g_ptr_array_free(PC_MACHINE(obj)->numa_nodes, TRUE);
}

static const Property pc_machine_props[] = {
    { .name = "ram-size", .kind = PROP_SIZE, .access = PROP_READONLY,
      .offset = offsetof(PCMachineState, ram_size),
      .description = "Boot RAM size (-m)" },
    { .name = "maxmem", .kind = PROP_SIZE, .access = PROP_READONLY,
      .offset = offsetof(PCMachineState, maxmem),
      .description = "Boot RAM plus room for memory devices (-m maxmem=)" },
    { NULL },
};

static void pc_machine_class_init(ObjectClass *oc)
{
    oc->description = "Standard PC (i440FX + PIIX, 1996)";
    object_class_add_props(oc, pc_machine_props);
}

static const TypeInfo pc_machine_info = {
    .name = TYPE_PC_MACHINE,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(PCMachineState),
    .class_init = pc_machine_class_init,
    .instance_init = pc_machine_init,
    .instance_finalize = pc_machine_finalize,
};

void pc_register_types(void)
{
    type_register_static(&pc_machine_info);
}
