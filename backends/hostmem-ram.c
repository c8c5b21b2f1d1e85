/* memory-backend-ram: anonymous memory, private (default) or shared. */
#include "backends/hostmem.h"

/*
 * Nothing to open: complete maps MAP_PRIVATE|MAP_ANONYMOUS, or
 * MAP_SHARED|MAP_ANONYMOUS with share=on, plus MAP_NORESERVE with
 * reserve=off.
 */
static void ram_backend_class_init(ObjectClass *oc)
{
    oc->user_creatable = true;
    oc->description = "Guest memory backed by anonymous host memory";
}

static const TypeInfo ram_backend_info = {
    .name = TYPE_MEMORY_BACKEND_RAM,
    .parent = TYPE_MEMORY_BACKEND,
    .class_init = ram_backend_class_init,
};

void hostmem_ram_register_types(void)
{
    type_register_static(&ram_backend_info);
}
