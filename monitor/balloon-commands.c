/* balloon, query-balloon, query-memory-manager and their HMP forms: the logical VM size. */
#include "monitor/commands.h"

#include "hw/mem/memory-manager.h"
#include "monitor/hmp.h"
#include "monitor/qmp.h"

/* As QEMU without a balloon device, so libvirt knows what it means. */
static MemoryManager *manager_or_error(Error **errp)
{
    MemoryManager *mm = memory_manager_get();

    if (!mm) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_ACTIVE,
                  "No balloon device has been activated");
    }
    return mm;
}

static JsonNode *qmp_balloon(JsonObject *args, Error **errp)
{
    MemoryManager *mm = manager_or_error(errp);
    int64_t value = json_object_get_int_member(args, "value");

    if (!mm) {
        return NULL;
    }
    if (value <= 0) {
        error_setg(errp, "Parameter 'target' expects a size");
        return NULL;
    }
    if (!memory_manager_set_size(mm, (uint64_t)value, errp)) {
        return NULL;
    }
    return qmp_return_empty();
}

static JsonNode *qmp_query_balloon(JsonObject *args, Error **errp)
{
    MemoryManager *mm = manager_or_error(errp);
    JsonObject *ret;

    if (!mm) {
        return NULL;
    }
    ret = json_object_new();
    json_object_set_int_member(ret, "actual",
                               (gint64)memory_manager_actual(mm));
    return qmp_node_take_object(ret);
}

static JsonNode *qmp_query_memory_manager(JsonObject *args, Error **errp)
{
    MemoryManager *mm = manager_or_error(errp);

    return mm ? memory_manager_query(mm) : NULL;
}

/* balloon MiB: QEMU's HMP takes the target in MiB. */
static void hmp_balloon(GString *out, int argc, char **argv)
{
    Error *err = NULL;
    MemoryManager *mm = manager_or_error(&err);
    gint64 mib;
    char *end;

    if (!mm) {
        hmp_report_err(out, err);
        return;
    }
    mib = g_ascii_strtoll(argv[1], &end, 10);
    if (*end || end == argv[1] || mib <= 0 || mib > (G_MAXINT64 >> 20)) {
        g_string_append_printf(out, "balloon: '%s' is not a size in MiB\n",
                               argv[1]);
        return;
    }
    if (!memory_manager_set_size(mm, (uint64_t)mib << 20, &err)) {
        hmp_report_err(out, err);
    }
}

static void hmp_info_balloon(GString *out)
{
    Error *err = NULL;
    MemoryManager *mm = manager_or_error(&err);

    if (!mm) {
        hmp_report_err(out, err);
        return;
    }
    g_string_append_printf(out, "balloon: actual=%" G_GUINT64_FORMAT "\n",
                           memory_manager_actual(mm) >> 20);
}

static void hmp_info_memory_manager(GString *out)
{
    Error *err = NULL;
    MemoryManager *mm = manager_or_error(&err);
    g_autofree char *text = NULL;

    if (!mm) {
        hmp_report_err(out, err);
        return;
    }
    text = memory_manager_hmp_text(mm);
    g_string_append(out, text);
}

static const QmpArg balloon_args[] = {
    { "value", QMP_ARG_INT },
    { NULL },
};

static const QmpCommand balloon_qmp_commands[] = {
    { "balloon", qmp_balloon, balloon_args },
    { "query-balloon", qmp_query_balloon, NULL },
    { "query-memory-manager", qmp_query_memory_manager, NULL },
    { NULL },
};

static const HmpCommand balloon_hmp_commands[] = {
    { "balloon", "target", "request VM to change its memory allocation (in "
      "MB)", 1, 1, false, hmp_balloon },
    { NULL },
};

static const HmpInfo balloon_hmp_info[] = {
    { "balloon", "show balloon information", hmp_info_balloon },
    { "memory-manager", "show the logical memory size and each virtio-mem "
      "device's share", hmp_info_memory_manager },
    { NULL },
};

void balloon_commands_register(void)
{
    qmp_register_commands(balloon_qmp_commands);
    hmp_register_commands(balloon_hmp_commands);
    hmp_register_info(balloon_hmp_info);
}
