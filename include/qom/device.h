/* The device base type: what -device creates and realizes. */
#ifndef QOM_DEVICE_H
#define QOM_DEVICE_H

#include "qom/object.h"

#define TYPE_DEVICE "device"

typedef struct DeviceState {
    Object parent_obj;
    char *id;                   /* -device id=, NULL when anonymous */
} DeviceState;

typedef struct DeviceClass {
    ObjectClass parent_class;
    const char *bus_type;       /* "PCI", shown by -device help */
} DeviceClass;

#define DEVICE(obj) OBJECT_CHECK(DeviceState, (obj), TYPE_DEVICE)
#define DEVICE_CLASS(oc) ((DeviceClass *)object_class_check((oc), TYPE_DEVICE))

ObjectClass *object_class_check(ObjectClass *oc, const char *typename);
void device_register_types(void);

#endif
