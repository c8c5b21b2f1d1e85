/* x-inject-fault: the Nth populate or discard fails once, as told, and bad values change nothing. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "backends/hostmem.h"

#define MiB (UINT64_C(1) << 20)
#define SIZE (64 * MiB)

/* Bytes of [addr, addr + len) in host memory (private anonymous memory). */
static uint64_t resident_bytes(void *addr, uint64_t len)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t pages = len / page, count = 0;
    g_autofree unsigned char *vec = g_malloc(pages);

    g_assert_cmpint(mincore(addr, len, vec), ==, 0);
    for (uint64_t i = 0; i < pages; i++) {
        count += vec[i] & 1;
    }
    return count * page;
}

/* A 64 MiB memory-backend-ram as -object creates it, fault as given. */
static HostMemoryBackend *backend_new(const char *fault)
{
    Object *obj = object_new(TYPE_MEMORY_BACKEND_RAM);
    g_autoptr(Error) err = NULL;

    g_assert_true(object_add_child(container_get("/objects"), "mem0", obj,
                                   NULL));
    object_unref(obj);
    g_assert_true(object_property_set_str(obj, "size", "64M",
                                          PROP_INPUT_CMDLINE, &err));
    if (fault) {
        g_assert_true(object_property_set_str(obj, "x-inject-fault", fault,
                                              PROP_INPUT_CMDLINE, &err));
    }
    g_assert_true(object_realize(obj, &err));
    return MEMORY_BACKEND(obj);
}

static void backend_del(HostMemoryBackend *b)
{
    object_unparent(OBJECT(b));
}

static char *fault_text(HostMemoryBackend *b)
{
    g_autoptr(JsonNode) v = object_property_get_json(OBJECT(b),
                                                     "x-inject-fault", NULL);

    g_assert_nonnull(v);
    return g_strdup(json_node_get_string(v));
}

static uint64_t injected(HostMemoryBackend *b)
{
    return object_property_get_uint(OBJECT(b), "x-injected-faults", NULL);
}

static bool set_fault(HostMemoryBackend *b, const char *spec, Error **errp)
{
    return object_property_set_str(OBJECT(b), "x-inject-fault", spec,
                                   PROP_INPUT_HMP, errp);
}

static bool populate(HostMemoryBackend *b, uint64_t off, uint64_t len,
                     Error **errp)
{
    return host_memory_backend_populate(b, off, len, 2, errp);
}

/* ---- parsing ------------------------------------------------------------ */

typedef struct BadValue {
    const char *value;
    const char *error;
} BadValue;

static const BadValue bad_values[] = {
    { "populate", "'x-inject-fault' expects 'populate:N:ERRNO', "
      "'discard:N:ERRNO', or '' or 'off' to disarm, not 'populate'" },
    { "populate:1", "'x-inject-fault' expects 'populate:N:ERRNO', "
      "'discard:N:ERRNO', or '' or 'off' to disarm, not 'populate:1'" },
    { "populate:1:EIO:2", "'x-inject-fault' expects 'populate:N:ERRNO', "
      "'discard:N:ERRNO', or '' or 'off' to disarm, not 'populate:1:EIO:2'" },
    { "::", "'x-inject-fault': unknown operation '' (populate or discard)" },
    { "Populate:1:EIO", "'x-inject-fault': unknown operation 'Populate' "
      "(populate or discard)" },
    { "map:1:EIO", "'x-inject-fault': unknown operation 'map' (populate or "
      "discard)" },
    { "populate:0:EIO", "'x-inject-fault': N must be a decimal number from 1 "
      "to 18446744073709551615, not '0'" },
    { "populate:-1:EIO", "'x-inject-fault': N must be a decimal number from "
      "1 to 18446744073709551615, not '-1'" },
    { "populate: 1:EIO", "'x-inject-fault': N must be a decimal number from "
      "1 to 18446744073709551615, not ' 1'" },
    { "populate:0x10:EIO", "'x-inject-fault': N must be a decimal number "
      "from 1 to 18446744073709551615, not '0x10'" },
    { "populate:18446744073709551616:EIO", "'x-inject-fault': N must be a "
      "decimal number from 1 to 18446744073709551615, not "
      "'18446744073709551616'" },
    { "discard:1:", "'x-inject-fault': cannot inject errno '' (ENOMEM or "
      "EIO)" },
    { "discard:1:eio", "'x-inject-fault': cannot inject errno 'eio' (ENOMEM "
      "or EIO)" },
    { "discard:1:EPERM", "'x-inject-fault': cannot inject errno 'EPERM' "
      "(ENOMEM or EIO)" },
    { "discard:1:5", "'x-inject-fault': cannot inject errno '5' (ENOMEM or "
      "EIO)" },
};

static void test_bad_values_change_nothing(void)
{
    HostMemoryBackend *b = backend_new("discard:2:EIO");
    g_autofree char *before = fault_text(b);

    g_assert_cmpstr(before, ==, "discard:2:EIO");
    for (size_t i = 0; i < G_N_ELEMENTS(bad_values); i++) {
        g_autoptr(Error) err = NULL;
        g_autofree char *after = NULL;

        g_assert_false(set_fault(b, bad_values[i].value, &err));
        g_assert_cmpstr(error_get_pretty(err), ==, bad_values[i].error);
        after = fault_text(b);
        g_assert_cmpstr(after, ==, before);
    }
    /* Still armed as it was: the 2nd discard fails. */
    g_assert_true(host_memory_backend_discard(b, 0, MiB, NULL));
    g_assert_false(host_memory_backend_discard(b, 0, MiB, NULL));
    g_assert_cmpuint(injected(b), ==, 1);
    backend_del(b);
}

static void test_good_values_read_back(void)
{
    static const char *const good[] = {
        "populate:1:ENOMEM", "populate:18446744073709551615:EIO",
        "discard:7:ENOMEM", "discard:007:EIO",
    };
    static const char *const shown[] = {
        "populate:1:ENOMEM", "populate:18446744073709551615:EIO",
        "discard:7:ENOMEM", "discard:7:EIO",
    };
    HostMemoryBackend *b = backend_new(NULL);
    g_autofree char *off = fault_text(b);

    g_assert_cmpstr(off, ==, "");
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        g_autofree char *text = NULL;

        g_assert_true(set_fault(b, good[i], NULL));
        text = fault_text(b);
        g_assert_cmpstr(text, ==, shown[i]);
    }
    g_assert_true(set_fault(b, "off", NULL));
    g_clear_pointer(&off, g_free);
    off = fault_text(b);
    g_assert_cmpstr(off, ==, "");
    g_assert_true(set_fault(b, "discard:1:EIO", NULL));
    g_assert_true(set_fault(b, "", NULL));
    g_assert_true(host_memory_backend_discard(b, 0, MiB, NULL));
    g_assert_cmpuint(injected(b), ==, 0);
    backend_del(b);
}

/* ---- injection ------------------------------------------------------------ */

static void test_nth_populate_fails_once(void)
{
    HostMemoryBackend *b = backend_new(NULL);
    g_autoptr(Error) err = NULL;
    g_autofree char *t1 = NULL, *t2 = NULL;

    g_assert_true(set_fault(b, "populate:3:ENOMEM", NULL));
    /* Discards, empty and refused calls are not populates that count. */
    g_assert_true(host_memory_backend_discard(b, 0, MiB, NULL));
    g_assert_true(populate(b, 0, 0, NULL));
    g_assert_false(populate(b, SIZE, MiB, NULL));
    g_assert_true(populate(b, 0, 2 * MiB, NULL));
    t1 = fault_text(b);
    g_assert_cmpstr(t1, ==, "populate:2:ENOMEM");
    g_assert_true(populate(b, 2 * MiB, 2 * MiB, NULL));
    g_assert_false(populate(b, 8 * MiB, 8 * MiB, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "cannot populate 8 MiB at "
                    "offset 0x800000 of memory backend 'mem0' (4 MiB of it "
                    "populated): fault injected by x-inject-fault: Cannot "
                    "allocate memory");
    g_assert_cmpuint(injected(b), ==, 1);
    t2 = fault_text(b);
    g_assert_cmpstr(t2, ==, "");
    /* Once: the next one works. */
    g_assert_true(populate(b, 8 * MiB, 8 * MiB, NULL));
    g_assert_cmpuint(injected(b), ==, 1);
    backend_del(b);
}

/*
 * Halfway, as a host running out would: the caller has memory to give
 * back, so a caller that forgets shows up in RSS.
 */
static void test_injected_populate_leaves_first_half(void)
{
    HostMemoryBackend *b = backend_new("populate:1:EIO");
    char *host = host_memory_backend_get_host(b);
    g_autoptr(Error) err = NULL;

    g_assert_false(populate(b, 16 * MiB, 16 * MiB, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "(8 MiB of it populated)"));
    g_assert_nonnull(strstr(error_get_pretty(err), "Input/output error"));
    g_assert_cmpuint(resident_bytes(host + 16 * MiB, 8 * MiB), ==, 8 * MiB);
    g_assert_cmpuint(resident_bytes(host + 24 * MiB, 8 * MiB), ==, 0);
    backend_del(b);
}

static void test_injected_discard_does_nothing(void)
{
    HostMemoryBackend *b = backend_new(NULL);
    char *host = host_memory_backend_get_host(b);
    g_autoptr(Error) err = NULL;

    g_assert_true(populate(b, 0, 4 * MiB, NULL));
    memset(host, 0x5a, 4 * MiB);
    g_assert_true(set_fault(b, "discard:1:ENOMEM", NULL));
    /* Populates do not count down a discard fault. */
    g_assert_true(populate(b, 4 * MiB, 2 * MiB, NULL));
    g_assert_false(host_memory_backend_discard(b, 0, 4 * MiB, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "cannot discard [0x0, "
                    "+0x400000) of memory backend 'mem0': fault injected by "
                    "x-inject-fault: Cannot allocate memory");
    g_assert_cmpuint(resident_bytes(host, 4 * MiB), ==, 4 * MiB);
    g_assert_cmpint(host[4 * MiB - 1], ==, 0x5a);
    g_assert_true(host_memory_backend_discard(b, 0, 4 * MiB, NULL));
    g_assert_cmpuint(resident_bytes(host, 4 * MiB), ==, 0);
    g_assert_cmpuint(injected(b), ==, 1);
    backend_del(b);
}

/* Set before complete (on the command line), prealloc's populate counts. */
static void test_prealloc_at_complete_counts(void)
{
    Object *obj = object_new(TYPE_MEMORY_BACKEND_RAM);
    g_autoptr(Error) err = NULL;

    g_assert_true(object_add_child(container_get("/objects"), "mem0", obj,
                                   NULL));
    object_unref(obj);
    g_assert_true(object_property_set_str(obj, "size", "64M",
                                          PROP_INPUT_CMDLINE, NULL));
    g_assert_true(object_property_set_str(obj, "prealloc", "on",
                                          PROP_INPUT_CMDLINE, NULL));
    g_assert_true(object_property_set_str(obj, "x-inject-fault",
                                          "populate:1:ENOMEM",
                                          PROP_INPUT_CMDLINE, NULL));
    g_assert_false(object_realize(obj, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "fault injected"));
    /* complete failed cleanly: nothing is mapped. */
    g_assert_null(host_memory_backend_get_host(MEMORY_BACKEND(obj)));
    object_unparent(obj);
}

static void test_injected_count_is_read_only(void)
{
    HostMemoryBackend *b = backend_new(NULL);
    g_autoptr(Error) err = NULL;

    g_assert_false(object_property_set_str(OBJECT(b), "x-injected-faults",
                                           "0", PROP_INPUT_HMP, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Property "
                    "'memory-backend.x-injected-faults' is not writable");
    backend_del(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qom_register_types();
    backends_register_types();
    g_test_add_func("/hostmem-fault/bad-values-are-refused-and-change-nothing",
                    test_bad_values_change_nothing);
    g_test_add_func("/hostmem-fault/good-values-read-back-with-countdown",
                    test_good_values_read_back);
    g_test_add_func("/hostmem-fault/nth-populate-fails-once",
                    test_nth_populate_fails_once);
    g_test_add_func("/hostmem-fault/injected-populate-leaves-first-half",
                    test_injected_populate_leaves_first_half);
    g_test_add_func("/hostmem-fault/injected-discard-does-nothing",
                    test_injected_discard_does_nothing);
    g_test_add_func("/hostmem-fault/prealloc-at-complete-counts",
                    test_prealloc_at_complete_counts);
    g_test_add_func("/hostmem-fault/injected-count-is-read-only",
                    test_injected_count_is_read_only);
    return g_test_run();
}
