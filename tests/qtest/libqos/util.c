/* libqos helpers the tests share: QOM over QMP, events, and the VMM's RSS and CPU time from /proc. */
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint64_t qos_qom_get_uint(QTestState *s, const char *path, const char *prop)
{
    g_autoptr(JsonNode) rsp = qtest_qmp(s, "{\"execute\": \"qom-get\", "
                                        "\"arguments\": {\"path\": \"%s\", "
                                        "\"property\": \"%s\"}}", path, prop);
    JsonNode *ret = qmp_rsp_return(rsp);

    return (uint64_t)json_node_get_int(ret);
}

char *qos_qom_get_str(QTestState *s, const char *path, const char *prop)
{
    g_autoptr(JsonNode) rsp = qtest_qmp(s, "{\"execute\": \"qom-get\", "
                                        "\"arguments\": {\"path\": \"%s\", "
                                        "\"property\": \"%s\"}}", path, prop);

    return g_strdup(json_node_get_string(qmp_rsp_return(rsp)));
}

void qos_qom_set_uint(QTestState *s, const char *path, const char *prop,
                      uint64_t value)
{
    qtest_qmp_assert_success(s, "{\"execute\": \"qom-set\", \"arguments\": "
                             "{\"path\": \"%s\", \"property\": \"%s\", "
                             "\"value\": %" G_GUINT64_FORMAT "}}", path, prop,
                             value);
}

JsonNode *qos_qom_set_str(QTestState *s, const char *path, const char *prop,
                          const char *value)
{
    g_autofree char *quoted = qtest_json_quote(value);

    return qtest_qmp(s, "{\"execute\": \"qom-set\", \"arguments\": "
                     "{\"path\": \"%s\", \"property\": \"%s\", "
                     "\"value\": %s}}", path, prop, quoted);
}

uint64_t qos_memdev_addr(QTestState *s, const char *id)
{
    g_autoptr(JsonNode) rsp = qtest_qmp(s, "{\"execute\": "
                                        "\"query-memory-devices\"}");
    JsonArray *list = qmp_rsp_return_array(rsp);

    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *data = json_object_get_object_member(
            json_array_get_object_element(list, i), "data");

        if (json_object_has_member(data, "id") &&
            g_str_equal(json_object_get_string_member(data, "id"), id)) {
            return (uint64_t)json_object_get_int_member(data, "memaddr");
        }
    }
    g_error("no memory device '%s'", id);
}

JsonObject *qos_event_data(JsonNode *event)
{
    JsonObject *o = json_node_get_object(event);

    g_assert_true(json_object_has_member(o, "data"));
    return json_object_get_object_member(o, "data");
}

int64_t qos_event_int(JsonNode *event, const char *member)
{
    JsonObject *data = qos_event_data(event);

    g_assert_true(json_object_has_member(data, member));
    return json_object_get_int_member(data, member);
}

const char *qos_event_str(JsonNode *event, const char *member)
{
    JsonObject *data = qos_event_data(event);

    g_assert_true(json_object_has_member(data, member));
    return json_object_get_string_member(data, member);
}

int64_t qos_event_time_us(JsonNode *event)
{
    JsonObject *ts = json_object_get_object_member(json_node_get_object(event),
                                                   "timestamp");

    return json_object_get_int_member(ts, "seconds") * G_USEC_PER_SEC +
           json_object_get_int_member(ts, "microseconds");
}

uint64_t qos_vmm_rss(QTestState *s)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/smaps_rollup",
                                            (int)qtest_pid(s));
    g_autofree char *text = NULL;
    const char *rss;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    rss = strstr(text, "\nRss:");
    g_assert_nonnull(rss);
    return g_ascii_strtoull(rss + 5, NULL, 10) * KiB;
}

/*
 * The pathname column of a mapping's header line in smaps ("start-end
 * perms offset dev inode   pathname"; empty for anonymous memory), or
 * NULL for the other lines ("Rss:   4 kB").  [line, end) is one line.
 */
static const char *smaps_pathname(const char *line, const char *end)
{
    const char *p = line;

    while (p < end && g_ascii_isxdigit(*p)) {
        p++;
    }
    if (p == line || p == end || *p != '-') {
        return NULL;
    }
    for (int field = 0; field < 5; field++) {
        while (p < end && *p != ' ') {
            p++;
        }
        while (p < end && *p == ' ') {
            p++;
        }
    }
    return p;
}

/*
 * Walked by hand, not split: the file is large (an ASan VMM has hundreds
 * of mappings) and ASan's strstr, which g_strsplit uses, makes a split
 * quadratic.
 */
uint64_t qos_vmm_mapping_rss(QTestState *s, const char *pathname)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/smaps",
                                            (int)qtest_pid(s));
    g_autofree char *text = NULL;
    size_t len, want = strlen(pathname);
    bool in_mapping = false, found = false;
    uint64_t rss = 0;

    g_assert_true(g_file_get_contents(path, &text, &len, NULL));
    for (const char *line = text; line < text + len;) {
        const char *end = memchr(line, '\n', (size_t)(text + len - line));
        const char *name;

        end = end ? end : text + len;
        name = smaps_pathname(line, end);
        if (name) {
            in_mapping = (size_t)(end - name) == want &&
                         !memcmp(name, pathname, want);
            found |= in_mapping;
        } else if (in_mapping && g_str_has_prefix(line, "Rss:")) {
            rss += g_ascii_strtoull(line + 4, NULL, 10) * KiB;
        }
        line = end + 1;
    }
    if (!found) {
        g_error("the VMM has no mapping of %s", pathname);
    }
    return rss;
}

uint64_t qos_vmm_cpu_us(QTestState *s)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat",
                                            (int)qtest_pid(s));
    g_autofree char *text = NULL;
    g_auto(GStrv) fields = NULL;
    const char *after_comm;
    uint64_t ticks;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    /* The command name may hold spaces: fields count from after its ')'. */
    after_comm = strrchr(text, ')');
    g_assert_nonnull(after_comm);
    fields = g_strsplit(after_comm + 2, " ", -1);
    /* utime and stime are fields 14 and 15; state (3) is fields[0]. */
    g_assert_cmpuint(g_strv_length(fields), >, 13);
    ticks = g_ascii_strtoull(fields[11], NULL, 10) +
            g_ascii_strtoull(fields[12], NULL, 10);
    return ticks * G_USEC_PER_SEC / (uint64_t)sysconf(_SC_CLK_TCK);
}
