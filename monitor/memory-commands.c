/* query-memory-devices and info memory-devices. */
#include "monitor/commands.h"

#include "hw/mem/memory-device.h"
#include "monitor/hmp.h"
#include "monitor/qmp.h"

static JsonNode *qmp_query_memory_devices(JsonObject *args, Error **errp)
{
    return memory_device_query();
}

static void hmp_info_memory_devices(GString *out)
{
    g_autofree char *text = memory_device_hmp_text();

    g_string_append(out, text);
}

static const QmpCommand memory_qmp_commands[] = {
    { "query-memory-devices", qmp_query_memory_devices, NULL },
    { NULL },
};

static const HmpInfo memory_hmp_info[] = {
    { "memory-devices", "show memory devices", hmp_info_memory_devices },
    { NULL },
};

void memory_device_commands_register(void)
{
    qmp_register_commands(memory_qmp_commands);
    hmp_register_info(memory_hmp_info);
}
