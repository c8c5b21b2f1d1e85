/* The PC machine: what -machine pc builds, and its guest-physical layout. */
#include "hw/i386/pc.h"

#include "backends/hostmem.h"

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

void pc_machine_device_memory_area(PCMachineState *pcms, uint64_t *base,
                                   uint64_t *size)
{
    *base = pcms->device_mem_base;
    *size = pcms->device_mem_size;
}

/* Without -numa, boot RAM comes from a backend Tide makes itself. */
static bool create_internal_ram(PCMachineState *pcms, Error **errp)
{
    g_autoptr(Object) obj = object_new(TYPE_MEMORY_BACKEND_RAM);
    HostMemoryBackend *b;

    if (!object_property_set_uint(obj, "size", pcms->ram_size, errp) ||
        !object_add_child(OBJECT(pcms), "pc.ram", obj, errp)) {
        return false;
    }
    if (!object_realize(obj, errp)) {
        object_unparent(obj);
        return false;
    }
    b = (HostMemoryBackend *)obj;
    if (!host_memory_backend_claim(b, "pc.ram", errp)) {
        object_unparent(obj);
        return false;
    }
    pcms->ram_backend = obj;
    memory_region_init_ram_ptr(&pcms->ram_internal, "pc.ram", pcms->ram_size,
                               host_memory_backend_get_host(b));
    memory_region_add_subregion(&pcms->ram, 0, &pcms->ram_internal);
    return true;
}

static void release_numa_ram(PCMachineState *pcms, guint upto)
{
    for (guint i = 0; i < upto; i++) {
        NumaNode *n = g_ptr_array_index(pcms->numa_nodes, i);

        memory_region_del_subregion(&pcms->ram, &n->ram);
        memory_region_destroy(&n->ram);
        host_memory_backend_release((HostMemoryBackend *)n->memdev);
    }
}

/* -numa node,memdev=: the nodes' backends back boot RAM consecutively. */
static bool map_numa_ram(PCMachineState *pcms, Error **errp)
{
    uint64_t offset = 0;

    for (guint i = 0; i < pcms->numa_nodes->len; i++) {
        NumaNode *n = g_ptr_array_index(pcms->numa_nodes, i);
        HostMemoryBackend *b = (HostMemoryBackend *)n->memdev;
        g_autofree char *user = g_strdup_printf("numa node %u", n->nodeid);

        if (!host_memory_backend_claim(b, user, errp)) {
            release_numa_ram(pcms, i);
            return false;
        }
        memory_region_init_ram_ptr(&n->ram, host_memory_backend_get_id(b),
                                   host_memory_backend_get_size(b),
                                   host_memory_backend_get_host(b));
        memory_region_add_subregion(&pcms->ram, offset, &n->ram);
        offset += host_memory_backend_get_size(b);
    }
    return true;
}

static void compute_layout(PCMachineState *pcms)
{
    uint64_t end;

    pcms->below_4g_mem_size = pcms->ram_size >= PC_BELOW_4G_SPLIT
                              ? PC_BELOW_4G_MAX : pcms->ram_size;
    pcms->above_4g_mem_size = pcms->ram_size - pcms->below_4g_mem_size;
    end = PC_4G + pcms->above_4g_mem_size;
    pcms->device_mem_base = (end + PC_DEVICE_MEM_ALIGN - 1) &
                            ~(PC_DEVICE_MEM_ALIGN - 1);
    /* As QEMU: each slot gets 1 GiB of headroom for alignment. */
    pcms->device_mem_size = pcms->maxmem - pcms->ram_size +
                            pcms->ram_slots * PC_DEVICE_MEM_ALIGN;
    if (pcms->maxmem == pcms->ram_size) {
        pcms->device_mem_size = 0;
    }
}

static void map_layout(PCMachineState *pcms)
{
    MemoryRegion *sys = &pcms->system_root;

    memory_region_init_alias(&pcms->ram_below_4g, "ram-below-4g", &pcms->ram,
                             0, pcms->below_4g_mem_size);
    memory_region_add_subregion(sys, 0, &pcms->ram_below_4g);
    if (pcms->above_4g_mem_size) {
        memory_region_init_alias(&pcms->ram_above_4g, "ram-above-4g",
                                 &pcms->ram, pcms->below_4g_mem_size,
                                 pcms->above_4g_mem_size);
        memory_region_add_subregion(sys, PC_4G, &pcms->ram_above_4g);
    }
    if (pcms->device_mem_size) {
        memory_region_init_container(&pcms->device_mem, "device-memory",
                                     pcms->device_mem_size);
        memory_region_add_subregion(sys, pcms->device_mem_base,
                                    &pcms->device_mem);
    }
}

static bool check_layout(PCMachineState *pcms, Error **errp)
{
    /* x86-64 guests address 2^46 bytes in 4-level paging with AMD's 48-bit
     * physical limit; staying below 2^46 keeps every CPU model happy. */
    const uint64_t max_phys = UINT64_C(1) << 46;

    if (pcms->device_mem_size > max_phys ||
        pcms->device_mem_base + pcms->device_mem_size > max_phys) {
        error_setg(errp, "maxmem (0x%" G_GINT64_MODIFIER "x) is too large: "
                   "device memory would end above 0x%" G_GINT64_MODIFIER "x",
                   pcms->maxmem, max_phys);
        return false;
    }
    return true;
}

static bool pc_machine_realize(Object *obj, Error **errp)
{
    PCMachineState *pcms = PC_MACHINE(obj);

    compute_layout(pcms);
    if (!check_layout(pcms, errp)) {
        return false;
    }
    memory_region_transaction_begin();
    memory_region_init_container(&pcms->system_root, "system", 0);
    memory_region_init_container(&pcms->io_root, "io", PC_IO_SPACE_SIZE);
    memory_region_init_container(&pcms->ram, "ram", pcms->ram_size);
    if (pcms->numa_nodes->len ? !map_numa_ram(pcms, errp)
                              : !create_internal_ram(pcms, errp)) {
        memory_region_transaction_commit();
        memory_region_destroy(&pcms->ram);
        memory_region_destroy(&pcms->io_root);
        memory_region_destroy(&pcms->system_root);
        return false;
    }
    map_layout(pcms);
    address_space_init(&address_space_memory, &pcms->system_root, "memory");
    address_space_init(&address_space_io, &pcms->io_root, "I/O");
    memory_region_transaction_commit();
    return true;
}

static void pc_machine_unrealize(Object *obj)
{
    PCMachineState *pcms = PC_MACHINE(obj);

    address_space_destroy(&address_space_memory);
    address_space_destroy(&address_space_io);
    /* Readers (qtest, vCPUs) are gone by now; wait out any old view. */
    synchronize_rcu();
    if (pcms->device_mem_size) {
        memory_region_del_subregion(&pcms->system_root, &pcms->device_mem);
        memory_region_destroy(&pcms->device_mem);
    }
    if (pcms->above_4g_mem_size) {
        memory_region_del_subregion(&pcms->system_root, &pcms->ram_above_4g);
        memory_region_destroy(&pcms->ram_above_4g);
    }
    memory_region_del_subregion(&pcms->system_root, &pcms->ram_below_4g);
    memory_region_destroy(&pcms->ram_below_4g);
    if (pcms->ram_backend) {
        memory_region_del_subregion(&pcms->ram, &pcms->ram_internal);
        memory_region_destroy(&pcms->ram_internal);
        host_memory_backend_release((HostMemoryBackend *)pcms->ram_backend);
        object_unparent(pcms->ram_backend);
        pcms->ram_backend = NULL;
    } else {
        release_numa_ram(pcms, pcms->numa_nodes->len);
    }
    memory_region_destroy(&pcms->ram);
    memory_region_destroy(&pcms->io_root);
    memory_region_destroy(&pcms->system_root);
}

static void pc_machine_init(Object *obj)
{
    PC_MACHINE(obj)->numa_nodes =
        g_ptr_array_new_with_free_func(numa_node_free);
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
    { .name = "device-memory-base", .kind = PROP_UINT64,
      .access = PROP_READONLY,
      .offset = offsetof(PCMachineState, device_mem_base),
      .description = "Guest-physical start of the memory-device area" },
    { .name = "device-memory-size", .kind = PROP_SIZE,
      .access = PROP_READONLY,
      .offset = offsetof(PCMachineState, device_mem_size),
      .description = "Size of the memory-device area" },
    { NULL },
};

static void pc_machine_class_init(ObjectClass *oc)
{
    oc->description = "Standard PC (i440FX + PIIX, 1996)";
    oc->realize = pc_machine_realize;
    oc->unrealize = pc_machine_unrealize;
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
