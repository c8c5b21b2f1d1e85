/*
 * QMP commands: QOM, the run state and its events, the queries and
 * human-monitor-command, checked against Tide and (-qemu) QEMU 7.2.  The
 * protocol around them is in qmp-test.c.
 */
#include "libqtest.h"

#include <sys/wait.h>

#define MEM0 "-object memory-backend-ram,id=mem0,size=1G"
#define ERR_GENERIC "GenericError"

/* ---- helpers ------------------------------------------------------------ */

static void assert_no_event(QTestState *s, const char *event)
{
    g_autoptr(JsonNode) ev = qtest_qmp_eventwait_timeout(s, event, 300);

    g_assert_null(ev);
}

static void assert_reason(JsonNode *ev, const char *reason)
{
    JsonObject *data = json_object_get_object_member(json_node_get_object(ev),
                                                     "data");

    g_assert_nonnull(data);
    g_assert_cmpuint(json_object_get_size(data), ==, 2);
    g_assert_false(json_object_get_boolean_member(data, "guest"));
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==,
                    reason);
}

/* ---- QOM ---------------------------------------------------------------- */

static void test_qom_get(void)
{
    QTestState *s = qtest_init(MEM0);
    g_autoptr(JsonNode) rsp = NULL;
    const char *machine_type;

    for (const char *const *path = (const char *const[]){ "/objects/mem0",
                                                         "mem0", NULL };
         *path; path++) {
        g_autoptr(JsonNode) size = qtest_qmp_return(
            s, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"%s\", "
            "\"property\": \"size\"}}", *path);
        g_autoptr(JsonNode) type = qtest_qmp_return(
            s, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"%s\", "
            "\"property\": \"type\"}}", *path);

        g_assert_cmpint(json_node_get_int(size), ==, 1 << 30);
        g_assert_cmpstr(json_node_get_string(type), ==, "memory-backend-ram");
    }
    rsp = qtest_qmp_return(s, "{\"execute\": \"qom-get\", "
                                   "\"arguments\": {\"path\": \"/machine\", "
                                   "\"property\": \"peripheral\"}}");
    g_assert_cmpstr(json_node_get_string(rsp), ==, "/machine/peripheral");
    g_clear_pointer(&rsp, json_node_unref);
    rsp = qtest_qmp_return(s, "{\"execute\": \"qom-get\", "
                                   "\"arguments\": {\"path\": \"/machine\", "
                                   "\"property\": \"type\"}}");
    machine_type = json_node_get_string(rsp);
    if (qtest_is_tide()) {
        g_assert_cmpstr(machine_type, ==, "pc-machine");
    } else {
        g_assert_true(g_str_has_suffix(machine_type, "-machine"));
    }
    g_clear_pointer(&rsp, json_node_unref);
    rsp = qtest_qmp(s, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": "
                    "\"/machine/nosuch\", \"property\": \"type\"}}");
    qmp_assert_error(rsp, "DeviceNotFound",
                     "Device '/machine/nosuch' not found");
    g_clear_pointer(&rsp, json_node_unref);
    rsp = qtest_qmp(s, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": "
                    "\"nosuch\", \"property\": \"type\"}}");
    qmp_assert_error(rsp, "DeviceNotFound", "Device 'nosuch' not found");
    g_clear_pointer(&rsp, json_node_unref);
    rsp = qtest_qmp(s, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": "
                    "\"mem0\", \"property\": \"nosuch\"}}");
    qmp_assert_error(rsp, ERR_GENERIC,
                     "Property 'memory-backend-ram.nosuch' not found");
    qtest_quit(s);
}

static bool list_has(JsonArray *list, const char *name, const char *type)
{
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);

        if (g_str_equal(json_object_get_string_member(o, "name"), name)) {
            return !type || g_str_equal(json_object_get_string_member(o,
                                                                      "type"),
                                        type);
        }
    }
    return false;
}

static void test_qom_list(void)
{
    QTestState *s = qtest_init(MEM0);
    g_autoptr(JsonNode) mem = qtest_qmp_return(
        s, "{\"execute\": \"qom-list\", \"arguments\": {\"path\": \"mem0\"}}");
    g_autoptr(JsonNode) machine = qtest_qmp_return(
        s, "{\"execute\": \"qom-list\", \"arguments\": "
        "{\"path\": \"/machine\"}}");
    g_autoptr(JsonNode) root = qtest_qmp_return(
        s, "{\"execute\": \"qom-list\", \"arguments\": {\"path\": \"/\"}}");
    g_autoptr(JsonNode) rsp = NULL;
    JsonArray *a = json_node_get_array(mem);

    g_assert_true(list_has(a, "type", "string"));
    g_assert_true(list_has(a, "share", "bool"));
    g_assert_true(list_has(a, "prealloc", "bool"));
    /* QEMU calls the size's type "int"; Tide says what it is. */
    g_assert_true(list_has(a, "size", qtest_is_tide() ? "size" : "int"));
    a = json_node_get_array(machine);
    g_assert_true(list_has(a, "peripheral", "child<container>"));
    g_assert_true(list_has(a, "peripheral-anon", "child<container>"));
    g_assert_true(list_has(a, "unattached", "child<container>"));
    a = json_node_get_array(root);
    g_assert_true(list_has(a, "objects", "child<container>"));
    g_assert_true(list_has(a, "machine", NULL));
    rsp = qtest_qmp(s, "{\"execute\": \"qom-list\", \"arguments\": "
                    "{\"path\": \"/machine/nosuch\"}}");
    qmp_assert_error(rsp, "DeviceNotFound",
                     "Device '/machine/nosuch' not found");
    qtest_quit(s);
}

static void test_qom_set(void)
{
    QTestState *s = qtest_init(MEM0);
    g_autoptr(JsonNode) rsp = NULL;

    rsp = qtest_qmp(s, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                    "\"mem0\", \"property\": \"type\", \"value\": \"x\"}}");
    qmp_assert_error(rsp, ERR_GENERIC,
                     "Property 'memory-backend-ram.type' is not writable");
    g_clear_pointer(&rsp, json_node_unref);
    rsp = qtest_qmp(s, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                    "\"mem0\", \"property\": \"nosuch\", \"value\": 1}}");
    qmp_assert_error(rsp, ERR_GENERIC,
                     "Property 'memory-backend-ram.nosuch' not found");
    g_clear_pointer(&rsp, json_node_unref);
    rsp = qtest_qmp(s, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                    "\"/machine/nosuch\", \"property\": \"x\", \"value\": 1}}");
    qmp_assert_error(rsp, "DeviceNotFound",
                     "Device '/machine/nosuch' not found");
    /*
     * Deliberate difference: Tide names the property and the object
     * ("cannot change property 'size' of memory-backend-ram 'mem0'") and
     * refuses every backend property after creation; QEMU 7.2 says
     * "cannot change property size of memory-backend-ram " for size and
     * "cannot change property value" for share.
     */
    for (const char *const *p = (const char *const[]){ "size", "share",
                                                      NULL }; *p; p++) {
        g_autofree char *want = g_strdup_printf(
            "cannot change property '%s' of memory-backend-ram 'mem0'", *p);

        g_clear_pointer(&rsp, json_node_unref);
        rsp = qtest_qmp(s, "{\"execute\": \"qom-set\", \"arguments\": "
                        "{\"path\": \"/objects/mem0\", \"property\": \"%s\", "
                        "\"value\": %s}}", *p,
                        g_str_equal(*p, "size") ? "2147483648" : "true");
        if (qtest_is_tide()) {
            qmp_assert_error(rsp, ERR_GENERIC, want);
        } else {
            g_assert_cmpstr(qmp_rsp_error_class(rsp), ==, ERR_GENERIC);
        }
    }
    qtest_quit(s);
}

/* A property that changes at run time, on a device both VMMs have. */
static void test_qom_set_runtime(void)
{
    QTestState *s = qtest_init("-m 1G,maxmem=4G "
                               "-object memory-backend-ram,id=mem1,size=1G "
                               "-device virtio-mem-pci,id=vm0,memdev=mem1");
    g_autoptr(JsonNode) rsp = NULL;
    g_autoptr(JsonNode) got = NULL;

    qtest_qmp_assert_success(s, "{\"execute\": \"qom-set\", \"arguments\": "
                             "{\"path\": \"vm0\", \"property\": "
                             "\"requested-size\", \"value\": 134217728}}");
    got = qtest_qmp_return(s, "{\"execute\": \"qom-get\", "
                                   "\"arguments\": {\"path\": "
                                   "\"/machine/peripheral/vm0\", "
                                   "\"property\": \"requested-size\"}}");
    g_assert_cmpint(json_node_get_int(got), ==, 128 << 20);
    rsp = qtest_qmp(s, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                    "\"vm0\", \"property\": \"requested-size\", "
                    "\"value\": \"x\"}}");
    qmp_assert_error(rsp, ERR_GENERIC,
                     "Parameter 'requested-size' expects uint64");
    g_clear_pointer(&rsp, json_node_unref);
    rsp = qtest_qmp(s, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                    "\"vm0\", \"property\": \"requested-size\", "
                    "\"value\": 3}}");
    qmp_assert_error(rsp, ERR_GENERIC, "'requested-size' has to be multiples "
                     "of 'block-size' (0x200000)");
    qtest_quit(s);
}

static bool has_type(JsonArray *types, const char *name, const char *parent,
                     bool abstract)
{
    for (guint i = 0; i < json_array_get_length(types); i++) {
        JsonObject *o = json_array_get_object_element(types, i);

        if (g_str_equal(json_object_get_string_member(o, "name"), name)) {
            g_assert_cmpstr(json_object_get_string_member(o, "parent"), ==,
                            parent);
            g_assert_true(json_object_get_boolean_member_with_default(
                              o, "abstract", false) == abstract);
            return true;
        }
    }
    return false;
}

static void test_qom_list_types(void)
{
    QTestState *s = qtest_init(NULL);
    static const char *const backends[] = {
        "memory-backend-ram", "memory-backend-file", "memory-backend-memfd",
    };
    g_autoptr(JsonNode) concrete = qtest_qmp_return(
        s, "{\"execute\": \"qom-list-types\", \"arguments\": "
        "{\"implements\": \"memory-backend\"}}");
    g_autoptr(JsonNode) all = qtest_qmp_return(
        s, "{\"execute\": \"qom-list-types\", \"arguments\": "
        "{\"implements\": \"memory-backend\", \"abstract\": true}}");
    g_autoptr(JsonNode) none = qtest_qmp_return(
        s, "{\"execute\": \"qom-list-types\", \"arguments\": "
        "{\"implements\": \"nosuch\"}}");
    g_autoptr(JsonNode) every = qtest_qmp_return(
        s, "{\"execute\": \"qom-list-types\"}");

    /* QEMU lists in hash order: compare as sets. */
    g_assert_cmpuint(json_array_get_length(json_node_get_array(concrete)), ==,
                     G_N_ELEMENTS(backends));
    g_assert_cmpuint(json_array_get_length(json_node_get_array(all)), ==,
                     G_N_ELEMENTS(backends) + 1);
    for (size_t i = 0; i < G_N_ELEMENTS(backends); i++) {
        g_assert_true(has_type(json_node_get_array(concrete), backends[i],
                               "memory-backend", false));
        g_assert_true(has_type(json_node_get_array(all), backends[i],
                               "memory-backend", false));
        g_assert_true(has_type(json_node_get_array(every), backends[i],
                               "memory-backend", false));
    }
    g_assert_true(has_type(json_node_get_array(all), "memory-backend",
                           "object", true));
    g_assert_false(has_type(json_node_get_array(every), "memory-backend",
                            "object", true));
    g_assert_cmpuint(json_array_get_length(json_node_get_array(none)), ==, 0);
    qtest_quit(s);
}

/* ---- run state and events ----------------------------------------------- */

static void test_status_running(void)
{
    QTestState *s;

    if (qtest_skip_unless_tide("QEMU runs here with -S only")) {
        return;
    }
    s = qtest_init(NULL);
    g_assert_cmpstr(qtest_query_status(s), ==, "running");
    qtest_quit(s);
}

static void test_stop_cont(void)
{
    QTestState *s = qtest_init("-S");
    g_autoptr(JsonNode) ev = NULL;

    g_assert_cmpstr(qtest_query_status(s), ==, "prelaunch");
    /* As QEMU: stop before the first cont changes nothing, says nothing. */
    qtest_qmp_assert_success(s, "{\"execute\": \"stop\"}");
    assert_no_event(s, "STOP");
    g_assert_cmpstr(qtest_query_status(s), ==, "prelaunch");
    qtest_qmp_assert_success(s, "{\"execute\": \"cont\"}");
    ev = qtest_qmp_eventwait(s, "RESUME");
    g_assert_false(json_object_has_member(json_node_get_object(ev), "data"));
    g_assert_cmpstr(qtest_query_status(s), ==, "running");
    /* cont while running: {} and no event. */
    qtest_qmp_assert_success(s, "{\"execute\": \"cont\"}");
    assert_no_event(s, "RESUME");
    qtest_qmp_assert_success(s, "{\"execute\": \"stop\"}");
    g_clear_pointer(&ev, json_node_unref);
    ev = qtest_qmp_eventwait(s, "STOP");
    g_assert_cmpstr(qtest_query_status(s), ==, "paused");
    qtest_qmp_assert_success(s, "{\"execute\": \"stop\"}");
    assert_no_event(s, "STOP");
    qtest_qmp_assert_success(s, "{\"execute\": \"cont\"}");
    g_clear_pointer(&ev, json_node_unref);
    ev = qtest_qmp_eventwait(s, "RESUME");
    g_assert_cmpstr(qtest_query_status(s), ==, "running");
    qtest_quit(s);
}

static void test_system_reset(void)
{
    QTestState *s = qtest_init("-S");
    g_autoptr(JsonNode) ev = NULL;

    qtest_qmp_assert_success(s, "{\"execute\": \"cont\"}");
    qtest_qmp_assert_success(s, "{\"execute\": \"system_reset\"}");
    ev = qtest_qmp_eventwait(s, "RESET");
    assert_reason(ev, "host-qmp-system-reset");
    g_assert_cmpstr(qtest_query_status(s), ==, "running");
    /* As QEMU: a reset while paused goes back to prelaunch. */
    qtest_qmp_assert_success(s, "{\"execute\": \"stop\"}");
    qtest_qmp_assert_success(s, "{\"execute\": \"system_reset\"}");
    g_clear_pointer(&ev, json_node_unref);
    ev = qtest_qmp_eventwait(s, "RESET");
    assert_reason(ev, "host-qmp-system-reset");
    g_assert_cmpstr(qtest_query_status(s), ==, "prelaunch");
    qtest_quit(s);
}

static void test_quit(void)
{
    QTestState *s = qtest_init(NULL);
    g_autoptr(JsonNode) rsp = NULL;
    g_autoptr(JsonNode) ev = NULL;
    int st;

    rsp = qtest_qmp(s, "{\"execute\": \"quit\", \"id\": \"bye\"}");
    g_assert_cmpuint(json_object_get_size(qmp_rsp_return_object(rsp)), ==, 0);
    g_assert_cmpstr(json_node_get_string(qmp_rsp_id(rsp)), ==, "bye");
    /*
     * Both QEMU 7.2 and Tide send SHUTDOWN just before quit's answer
     * (qtest_qmp() queued it); the order is not part of the protocol.
     */
    ev = qtest_qmp_eventwait(s, "SHUTDOWN");
    assert_reason(ev, "host-qmp-quit");
    st = qtest_wait_exit(s, 5000);
    g_assert_cmpint(st, !=, -1);
    g_assert_true(WIFEXITED(st));
    g_assert_cmpint(WEXITSTATUS(st), ==, 0);
    qtest_quit(s);
}

static void test_event_timestamp(void)
{
    QTestState *s = qtest_init(NULL);
    g_autoptr(JsonNode) ev = NULL;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    JsonObject *o, *ts;

    qtest_qmp_assert_success(s, "{\"execute\": \"system_reset\"}");
    ev = qtest_qmp_eventwait(s, "RESET");
    o = json_node_get_object(ev);
    g_assert_cmpuint(json_object_get_size(o), ==, 3);
    ts = json_object_get_object_member(o, "timestamp");
    g_assert_nonnull(ts);
    g_assert_cmpuint(json_object_get_size(ts), ==, 2);
    g_assert_cmpint(json_node_get_value_type(
        json_object_get_member(ts, "seconds")), ==, G_TYPE_INT64);
    g_assert_cmpint(json_object_get_int_member(ts, "seconds"), >=, now - 60);
    g_assert_cmpint(json_object_get_int_member(ts, "seconds"), <=, now + 60);
    g_assert_cmpint(json_object_get_int_member(ts, "microseconds"), >=, 0);
    g_assert_cmpint(json_object_get_int_member(ts, "microseconds"), <,
                    1000000);
    qtest_quit(s);
}

/* ---- queries ------------------------------------------------------------ */

static void test_query_name(void)
{
    static const struct {
        const char *args, *name;
    } cases[] = {
        { NULL, NULL },
        { "-name testvm", "testvm" },
        { "-name guest=vm-1,debug-threads=on", "vm-1" },
        { "-name 'my,,vm'", "my,vm" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        QTestState *s = qtest_init(cases[i].args);
        g_autoptr(JsonNode) rsp = qtest_qmp(s, "{\"execute\": \"query-name\"}");
        JsonObject *o = qmp_rsp_return_object(rsp);

        if (cases[i].name) {
            g_assert_cmpuint(json_object_get_size(o), ==, 1);
            g_assert_cmpstr(json_object_get_string_member(o, "name"), ==,
                            cases[i].name);
        } else {
            g_assert_cmpuint(json_object_get_size(o), ==, 0);
        }
        qtest_quit(s);
    }
}

static void test_query_version(void)
{
    QTestState *s = qtest_init(NULL);
    g_autoptr(JsonNode) rsp = qtest_qmp(s, "{\"execute\": \"query-version\"}");
    JsonObject *o = qmp_rsp_return_object(rsp);
    JsonObject *v = json_object_get_object_member(o, "qemu");
    g_autofree char *want = NULL;

    g_assert_cmpuint(json_object_get_size(o), ==, 2);
    g_assert_cmpuint(json_object_get_size(v), ==, 3);
    for (const char *const *k = (const char *const[]){ "major", "minor",
                                                      "micro", NULL };
         *k; k++) {
        g_assert_cmpint(json_object_get_int_member(v, *k), >=, 0);
    }
    if (qtest_is_tide()) {
        /* QEMU's layout carrying Tide's own version. */
        want = g_strdup_printf("tide-%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
                               ".%" G_GINT64_FORMAT,
                               json_object_get_int_member(v, "major"),
                               json_object_get_int_member(v, "minor"),
                               json_object_get_int_member(v, "micro"));
        g_assert_cmpstr(json_object_get_string_member(o, "package"), ==, want);
    }
    qtest_quit(s);
}

static void test_query_commands(void)
{
    QTestState *s = qtest_init(NULL);
    g_autoptr(JsonNode) rsp = qtest_qmp(s, "{\"execute\": \"query-commands\"}");
    JsonArray *a = qmp_rsp_return_array(rsp);
    static const char *const want[] = {
        "qmp_capabilities", "query-version", "query-commands", "query-status",
        "query-name", "quit", "stop", "cont", "system_reset", "qom-list",
        "qom-get", "qom-set", "qom-list-types", "human-monitor-command",
        "query-memory-devices",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_true(list_has(a, want[i], NULL));
    }
    for (guint i = 0; i < json_array_get_length(a); i++) {
        g_assert_cmpuint(json_object_get_size(
            json_array_get_object_element(a, i)), ==, 1);
    }
    qtest_quit(s);
}

static void test_query_memory_devices(void)
{
    QTestState *s = qtest_init(MEM0);
    g_autoptr(JsonNode) rsp = qtest_qmp(s, "{\"execute\": "
                                        "\"query-memory-devices\"}");

    g_assert_cmpuint(json_array_get_length(qmp_rsp_return_array(rsp)), ==, 0);
    qtest_quit(s);
}

static void test_human_monitor_command(void)
{
    QTestState *s = qtest_init("-S");
    g_autoptr(JsonNode) rsp = NULL;
    g_autofree char *out = NULL;

    rsp = qtest_qmp(s, "{\"execute\": \"human-monitor-command\", "
                    "\"arguments\": {\"command-line\": \"info status\", "
                    "\"cpu-index\": 0}}");
    g_assert_cmpstr(json_node_get_string(qmp_rsp_return(rsp)), ==,
                    "VM status: paused (prelaunch)\r\n");
    out = qtest_hmp(s, "%s", "");
    g_assert_cmpstr(out, ==, "");
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/qom/get", test_qom_get);
    g_test_add_func("/qmp/qom/list", test_qom_list);
    g_test_add_func("/qmp/qom/set-refused", test_qom_set);
    g_test_add_func("/qmp/qom/set-runtime", test_qom_set_runtime);
    g_test_add_func("/qmp/qom/list-types", test_qom_list_types);
    g_test_add_func("/qmp/runstate/running", test_status_running);
    g_test_add_func("/qmp/runstate/stop-cont", test_stop_cont);
    g_test_add_func("/qmp/runstate/system-reset", test_system_reset);
    g_test_add_func("/qmp/runstate/quit", test_quit);
    g_test_add_func("/qmp/events/timestamp", test_event_timestamp);
    g_test_add_func("/qmp/query/name", test_query_name);
    g_test_add_func("/qmp/query/version", test_query_version);
    g_test_add_func("/qmp/query/commands", test_query_commands);
    g_test_add_func("/qmp/query/memory-devices", test_query_memory_devices);
    g_test_add_func("/qmp/human-monitor-command", test_human_monitor_command);
    return g_test_run();
}
