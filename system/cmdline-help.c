/* What -version, -device help and -object help print. */
#include "system/cmdline-help.h"

#include <stdio.h>
#include "qom/device.h"
#include "tide-config.h"

void cmdline_print_version(void)
{
    printf("Tide version %s\n"
           "A KVM virtual machine monitor for elastic guest memory; command "
           "line and QMP follow QEMU's.\n", TIDE_VERSION);
}

/* Grouped by category as QEMU groups them ("Memory devices:", ...). */
void cmdline_print_device_list(void)
{
    g_autoptr(GPtrArray) list = object_class_get_list("device", false);
    g_autoptr(GPtrArray) cats = g_ptr_array_new();

    for (guint i = 0; i < list->len; i++) {
        ObjectClass *oc = g_ptr_array_index(list, i);
        const char *cat = oc->category ? oc->category : "Misc devices";

        if (oc->user_creatable &&
            !g_ptr_array_find_with_equal_func(cats, cat, g_str_equal, NULL)) {
            g_ptr_array_add(cats, (gpointer)cat);
        }
    }
    for (guint c = 0; c < cats->len; c++) {
        const char *cat = g_ptr_array_index(cats, c);

        printf("%s%s:\n", c ? "\n" : "", cat);
        for (guint i = 0; i < list->len; i++) {
            ObjectClass *oc = g_ptr_array_index(list, i);
            const char *oc_cat = oc->category ? oc->category : "Misc devices";

            if (!oc->user_creatable || !g_str_equal(oc_cat, cat)) {
                continue;
            }
            printf("name \"%s\"", object_class_get_name(oc));
            if (DEVICE_CLASS(oc)->bus_type) {
                printf(", bus %s", DEVICE_CLASS(oc)->bus_type);
            }
            if (oc->description) {
                printf(", desc \"%s\"", oc->description);
            }
            printf("\n");
        }
    }
}

void cmdline_print_object_list(void)
{
    g_autoptr(GPtrArray) list = object_class_get_list(NULL, false);

    printf("List of user creatable objects:\n");
    for (guint i = 0; i < list->len; i++) {
        ObjectClass *oc = g_ptr_array_index(list, i);

        if (oc->user_creatable && !object_class_is_a(oc, "device")) {
            printf("  %s\n", object_class_get_name(oc));
        }
    }
}
