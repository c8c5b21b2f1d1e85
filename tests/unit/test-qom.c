/* The object model: paths, property tiers, typed parsing and QEMU's messages. */
#include <glib.h>
#include "qom/device.h"
#include "qom/object.h"

#define TYPE_TEST_DEV "test-dev"
#define TYPE_TEST_OBJ "test-obj"

typedef struct TestDev {
    DeviceState parent;
    uint64_t block_size;
    uint64_t requested;
    uint64_t plugged;
    uint32_t node;
    bool prealloc;
    int mode;
    char *label;
    Object *memdev;
} TestDev;

static const char *const mode_names[] = { "on", "off", "auto", NULL };

static bool set_requested(Object *obj, const Property *prop,
                          const PropValue *in, Error **errp)
{
    TestDev *d = (TestDev *)obj;

    if (in->u % d->block_size) {
        error_setg(errp, "'%s' has to be multiples of 'block-size' (0x%"
                   G_GINT64_MODIFIER "x)", prop->name, d->block_size);
        return false;
    }
    object_prop_store(obj, prop, in);
    return true;
}

static const Property test_dev_props[] = {
    { .name = "block-size", .kind = PROP_SIZE, .access = PROP_CONFIG,
      .offset = offsetof(TestDev, block_size), .defval = "2M" },
    { .name = "requested-size", .kind = PROP_SIZE, .access = PROP_RUNTIME,
      .offset = offsetof(TestDev, requested), .defval = "0",
      .set = set_requested },
    { .name = "size", .kind = PROP_SIZE, .access = PROP_READONLY,
      .offset = offsetof(TestDev, plugged) },
    { .name = "node", .kind = PROP_UINT32, .access = PROP_CONFIG,
      .offset = offsetof(TestDev, node), .defval = "0" },
    { .name = "prealloc", .kind = PROP_BOOL, .access = PROP_CONFIG,
      .offset = offsetof(TestDev, prealloc), .defval = "off",
      .description = "Populate on plug" },
    { .name = "mode", .kind = PROP_ENUM, .access = PROP_CONFIG,
      .offset = offsetof(TestDev, mode), .defval = "auto",
      .enum_names = mode_names, .enum_type = "OnOffAuto" },
    { .name = "label", .kind = PROP_STR, .access = PROP_CONFIG,
      .offset = offsetof(TestDev, label) },
    { .name = "memdev", .kind = PROP_LINK, .access = PROP_CONFIG,
      .offset = offsetof(TestDev, memdev), .link_type = TYPE_TEST_OBJ },
    { NULL },
};

static void test_dev_class_init(ObjectClass *oc)
{
    oc->user_creatable = true;
    object_class_add_props(oc, test_dev_props);
}

static const TypeInfo test_dev_info = {
    .name = TYPE_TEST_DEV,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(TestDev),
    .class_init = test_dev_class_init,
};

static const TypeInfo test_obj_info = {
    .name = TYPE_TEST_OBJ,
    .parent = TYPE_OBJECT,
};

/* A fresh tree: /objects/mem0, /machine/peripheral/vm0 (realized). */
static TestDev *make_tree(void)
{
    Object *mem = object_new(TYPE_TEST_OBJ);
    Object *dev = object_new(TYPE_TEST_DEV);

    g_assert_true(object_add_child(container_get("/objects"), "mem0", mem,
                                   NULL));
    g_assert_true(object_add_child(container_get("/machine/peripheral"),
                                   "vm0", dev, NULL));
    object_unref(mem);
    object_unref(dev);
    return (TestDev *)dev;
}

static void drop_tree(void)
{
    object_unparent(container_get("/machine"));
    object_unparent(container_get("/objects"));
}

/* errp, not *errp: arguments are evaluated in no fixed order. */
static void expect_error(bool ok, Error **errp, const char *msg)
{
    Error *err = *errp;

    g_assert_false(ok);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    *errp = NULL;
}

static void test_defaults_applied(void)
{
    TestDev *d = make_tree();

    g_assert_cmpuint(d->block_size, ==, 2 << 20);
    g_assert_cmpint(d->mode, ==, 2);
    g_assert_false(d->prealloc);
    g_assert_null(d->label);
    drop_tree();
}

static void test_cmdline_strings_parse_by_kind(void)
{
    TestDev *d = make_tree();
    Object *o = OBJECT(d);
    Error *err = NULL;

    g_assert_true(object_property_set_str(o, "block-size", "4M",
                                          PROP_INPUT_CMDLINE, NULL));
    g_assert_cmpuint(d->block_size, ==, 4 << 20);
    g_assert_true(object_property_set_str(o, "prealloc", "on",
                                          PROP_INPUT_CMDLINE, NULL));
    g_assert_true(d->prealloc);
    g_assert_true(object_property_set_str(o, "mode", "off",
                                          PROP_INPUT_CMDLINE, NULL));
    g_assert_cmpint(d->mode, ==, 1);
    g_assert_true(object_property_set_str(o, "label", "a,b",
                                          PROP_INPUT_CMDLINE, NULL));
    g_assert_cmpstr(d->label, ==, "a,b");
    expect_error(object_property_set_str(o, "block-size", "1X",
                                         PROP_INPUT_CMDLINE, &err), &err,
                 "Parameter 'block-size' expects a size value");
    err = NULL;
    expect_error(object_property_set_str(o, "prealloc", "maybe",
                                         PROP_INPUT_CMDLINE, &err), &err,
                 "Parameter 'prealloc' expects 'on' or 'off'");
    err = NULL;
    expect_error(object_property_set_str(o, "mode", "sometimes",
                                         PROP_INPUT_CMDLINE, &err), &err,
                 "Parameter 'mode' does not accept value 'sometimes'");
    err = NULL;
    expect_error(object_property_set_str(o, "node", "4294967296",
                                         PROP_INPUT_CMDLINE, &err), &err,
                 "Parameter 'node' expects uint32");
    drop_tree();
}

static void test_hmp_size_error_is_qemus(void)
{
    TestDev *d = make_tree();
    Error *err = NULL;

    expect_error(object_property_set_str(OBJECT(d), "requested-size", "abc",
                                         PROP_INPUT_HMP, &err), &err,
                 "Parameter 'requested-size' expects a non-negative number "
                 "below 2^64\nOptional suffix k, M, G, T, P or E means kilo-,"
                 " mega-, giga-, tera-, peta-\nand exabytes, respectively.");
    drop_tree();
}

static JsonNode *json(const char *text)
{
    g_autoptr(JsonParser) p = json_parser_new();

    g_assert_true(json_parser_load_from_data(p, text, -1, NULL));
    return json_node_copy(json_parser_get_root(p));
}

static void set_json_expect(Object *o, const char *prop, const char *text,
                            const char *msg)
{
    g_autoptr(JsonNode) v = json(text);
    Error *err = NULL;

    if (!msg) {
        g_assert_true(object_property_set_json(o, prop, v, NULL));
        return;
    }
    expect_error(object_property_set_json(o, prop, v, &err), &err, msg);
}

static void test_json_types_checked_as_qemu(void)
{
    TestDev *d = make_tree();
    Object *o = OBJECT(d);

    set_json_expect(o, "requested-size", "\"1G\"",
                    "Parameter 'requested-size' expects uint64");
    set_json_expect(o, "requested-size", "1.5",
                    "Parameter 'requested-size' expects uint64");
    set_json_expect(o, "requested-size", "null",
                    "Parameter 'requested-size' expects uint64");
    set_json_expect(o, "requested-size", "true",
                    "Parameter 'requested-size' expects uint64");
    /* As QEMU: -1 becomes 2^64-1, which the setter then refuses. */
    set_json_expect(o, "requested-size", "-1",
                    "'requested-size' has to be multiples of 'block-size' "
                    "(0x200000)");
    set_json_expect(o, "requested-size", "4194304", NULL);
    g_assert_cmpuint(d->requested, ==, 4 << 20);
    set_json_expect(o, "label", "5",
                    "Invalid parameter type for 'label', expected: string");
    set_json_expect(o, "prealloc", "\"on\"",
                    "Invalid parameter type for 'prealloc', expected: "
                    "boolean");
    set_json_expect(o, "node", "-1", "Parameter 'node' expects uint32");
    drop_tree();
}

static void test_access_tiers(void)
{
    TestDev *d = make_tree();
    Object *o = OBJECT(d);
    Error *err = NULL;

    expect_error(object_property_set_str(o, "size", "1G", PROP_INPUT_CMDLINE,
                                         &err), &err,
                 "Property 'test-dev.size' is not writable");
    g_assert_true(object_realize(o, NULL));
    err = NULL;
    expect_error(object_property_set_str(o, "node", "1", PROP_INPUT_CMDLINE,
                                         &err), &err,
                 "Attempt to set property 'node' on device 'vm0' (type "
                 "'test-dev') after it was realized");
    err = NULL;
    expect_error(object_property_set_str(o, "memdev", "mem0",
                                         PROP_INPUT_CMDLINE, &err), &err,
                 "Attempt to set link property 'memdev' on device 'vm0' "
                 "(type 'test-dev') after it was realized");
    /* Runtime properties stay writable, through their validator. */
    g_assert_true(object_property_set_str(o, "requested-size", "2M",
                                          PROP_INPUT_HMP, NULL));
    g_assert_cmpuint(d->requested, ==, 2 << 20);
    err = NULL;
    expect_error(object_property_set_str(o, "nosuch", "1", PROP_INPUT_HMP,
                                         &err), &err,
                 "Property 'test-dev.nosuch' not found");
    drop_tree();
}

static void test_links_resolve_ids_and_types(void)
{
    TestDev *d = make_tree();
    Object *o = OBJECT(d);
    g_autoptr(JsonNode) v = NULL;
    Error *err = NULL;

    g_assert_true(object_property_set_str(o, "memdev", "mem0",
                                          PROP_INPUT_CMDLINE, NULL));
    g_assert_true(d->memdev == object_resolve_path("/objects/mem0", NULL));
    v = object_property_get_json(o, "memdev", NULL);
    g_assert_cmpstr(json_node_get_string(v), ==, "/objects/mem0");
    expect_error(object_property_set_str(o, "memdev", "nosuch",
                                         PROP_INPUT_CMDLINE, &err), &err,
                 "Device 'nosuch' not found");
    err = NULL;
    /* vm0 exists but is not a test-obj. */
    expect_error(object_property_set_str(o, "memdev", "vm0",
                                         PROP_INPUT_CMDLINE, &err), &err,
                 "Invalid parameter type for 'memdev', expected: test-obj");
    drop_tree();
}

static void test_partial_paths(void)
{
    bool ambiguous;
    Object *dup;

    make_tree();
    g_assert_nonnull(object_resolve_path("vm0", NULL));
    g_assert_nonnull(object_resolve_path("peripheral/vm0", NULL));
    g_assert_null(object_resolve_path("/machine/vm0", NULL));
    g_assert_null(object_resolve_path("vm0/", NULL));
    dup = object_new(TYPE_TEST_OBJ);
    g_assert_true(object_add_child(container_get("/objects"), "vm0", dup,
                                   NULL));
    object_unref(dup);
    g_assert_null(object_resolve_path("vm0", &ambiguous));
    g_assert_true(ambiguous);
    g_assert_nonnull(object_resolve_path_type("vm0", TYPE_TEST_DEV, NULL));
    drop_tree();
}

static void test_duplicate_child_refused(void)
{
    Object *o = object_new(TYPE_TEST_OBJ);
    Error *err = NULL;

    make_tree();
    expect_error(object_add_child(container_get("/objects"), "mem0", o, &err),
                 &err, "attempt to add duplicate property 'mem0' to object "
                 "(type 'container')");
    object_unref(o);
    drop_tree();
}

static void test_help_lists_props_with_defaults(void)
{
    g_autofree char *help = object_class_help(
        object_class_by_name(TYPE_TEST_DEV), true);

    g_assert_nonnull(strstr(help, "test-dev options:\n"));
    g_assert_nonnull(strstr(help, "  prealloc=<bool>        - Populate on plug "
                                  "(default: false)\n"));
    g_assert_nonnull(strstr(help, "  mode=<OnOffAuto>       -  (default: "
                                  "\"auto\")\n"));
    g_assert_nonnull(strstr(help, "  memdev=<link<test-obj>>\n"));
    /* State is not an option. */
    g_assert_null(strstr(help, "  size="));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qom_register_types();
    device_register_types();
    type_register_static(&test_dev_info);
    type_register_static(&test_obj_info);
    g_test_add_func("/qom/props/defaults-applied-at-creation",
                    test_defaults_applied);
    g_test_add_func("/qom/props/cmdline-strings-parse-by-kind",
                    test_cmdline_strings_parse_by_kind);
    g_test_add_func("/qom/props/hmp-size-error-is-qemus",
                    test_hmp_size_error_is_qemus);
    g_test_add_func("/qom/props/json-types-checked-as-qemu",
                    test_json_types_checked_as_qemu);
    g_test_add_func("/qom/props/config-refused-after-realize-runtime-kept",
                    test_access_tiers);
    g_test_add_func("/qom/props/links-resolve-ids-and-check-types",
                    test_links_resolve_ids_and_types);
    g_test_add_func("/qom/paths/partial-unique-or-ambiguous",
                    test_partial_paths);
    g_test_add_func("/qom/tree/duplicate-child-refused",
                    test_duplicate_child_refused);
    g_test_add_func("/qom/help/lists-props-with-defaults",
                    test_help_lists_props_with_defaults);
    return g_test_run();
}
