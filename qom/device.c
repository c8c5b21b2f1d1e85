/* The device base type: what -device creates and realizes. */
#include "qom/device.h"

ObjectClass *object_class_check(ObjectClass *oc, const char *typename)
{
    if (oc && !object_class_is_a(oc, typename)) {
        g_error("class %s is not a %s", object_class_get_name(oc), typename);
    }
    return oc;
}

static void device_finalize(Object *obj)
{
    g_free(DEVICE(obj)->id);
}

static const TypeInfo device_info = {
    .name = TYPE_DEVICE,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(DeviceState),
    .class_size = sizeof(DeviceClass),
    .abstract = true,
    .instance_finalize = device_finalize,
};

void device_register_types(void)
{
    type_register_static(&device_info);
}
