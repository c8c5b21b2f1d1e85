/*
 * Option strings follow QEMU's QemuOpts rules ("value,key=value,flag").
 * Each test is named after the rule it checks.
 */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "util/cutils.h"
#include "util/option.h"

/* Parse, expecting success. */
static Opts *parse_ok(const char *str, const char *implied_key)
{
    Error *err = NULL;
    Opts *o = opts_parse(str, implied_key, &err);

    if (!o) {
        g_error("opts_parse(\"%s\") failed: %s", str, error_get_pretty(err));
    }
    g_assert_null(err);
    return o;
}

/* Parse, expecting exactly this error message. */
static void parse_fails(const char *str, const char *implied_key,
                        const char *message)
{
    Error *err = NULL;
    Opts *o = opts_parse(str, implied_key, &err);

    if (o) {
        opts_free(o);
        g_error("opts_parse(\"%s\") succeeded, expected \"%s\"", str, message);
    }
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, message);
    error_free(err);

    /* errp may be NULL: still a failure, and nothing leaks. */
    g_assert_null(opts_parse(str, implied_key, NULL));
}

/* Every key of the string has been read: nothing left over. */
static void assert_all_used(const Opts *o)
{
    Error *err = NULL;

    if (!opts_check_unused(o, &err)) {
        g_error("unexpected: %s", error_get_pretty(err));
    }
    g_assert_null(err);
}

static void assert_unused_error(const Opts *o, const char *message)
{
    Error *err = NULL;

    g_assert_false(opts_check_unused(o, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, message);
    error_free(err);
    g_assert_false(opts_check_unused(o, NULL));
}

/* opts_foreach_unused() collected as "k=v;k=v;" */
static bool collect(const char *key, const char *value, void *opaque,
                    Error **errp)
{
    g_string_append_printf(opaque, "%s=%s;", key, value);
    return true;
}

static char *unused_as_string(Opts *o)
{
    GString *s = g_string_new(NULL);

    g_assert_true(opts_foreach_unused(o, collect, s, NULL));
    return g_string_free(s, FALSE);
}

/* implied key */

static void test_implied_key_takes_bare_first_value(void)
{
    g_autoptr(Opts) o = parse_ok("1G,maxmem=4G,slots=2", "size");

    g_assert_cmpstr(opts_get(o, "size"), ==, "1G");
    g_assert_cmpstr(opts_get(o, "maxmem"), ==, "4G");
    g_assert_cmpstr(opts_get(o, "slots"), ==, "2");
    assert_all_used(o);
}

static void test_implied_key_only_for_first_parameter(void)
{
    g_autoptr(Opts) o = parse_ok("1G,share", "size");

    g_assert_cmpstr(opts_get(o, "size"), ==, "1G");
    g_assert_cmpstr(opts_get(o, "share"), ==, "on");
    assert_all_used(o);
}

static void test_implied_key_may_be_given_explicitly(void)
{
    g_autoptr(Opts) a = parse_ok("size=2G,slots=2", "size");
    g_autoptr(Opts) b = parse_ok("slots=2,size=2G", "size");
    g_autoptr(Opts) c = parse_ok("1G,size=2G", "size");
    g_autoptr(Opts) d = parse_ok("slots=2", "size");

    g_assert_cmpstr(opts_get(a, "size"), ==, "2G");
    g_assert_cmpstr(opts_get(b, "size"), ==, "2G");
    /* Given twice, the last wins as for any key. */
    g_assert_cmpstr(opts_get(c, "size"), ==, "2G");
    /* An explicit first parameter leaves the implied key absent. */
    g_assert_null(opts_get(d, "size"));
    g_assert_false(opts_has(d, "size"));
}

static void test_implied_value_may_be_a_flag_name(void)
{
    /* "-device virtio-mem-pci": the bare word is the driver, not a flag. */
    g_autoptr(Opts) o = parse_ok("share", "driver");

    g_assert_cmpstr(opts_get(o, "driver"), ==, "share");
    g_assert_false(opts_has(o, "share"));
}

static void test_no_implied_key_makes_bare_word_a_flag(void)
{
    g_autoptr(Opts) o = parse_ok("share,size=1G", NULL);

    g_assert_cmpstr(opts_get(o, "share"), ==, "on");
    g_assert_cmpstr(opts_get(o, "size"), ==, "1G");
    assert_all_used(o);
}

/* commas */

static void test_double_comma_is_literal_comma(void)
{
    g_autoptr(Opts) a = parse_ok("a=b,,c", NULL);
    g_autoptr(Opts) b = parse_ok("a=b,,,,c,d=e", NULL);
    g_autoptr(Opts) c = parse_ok("a=,,", NULL);
    g_autoptr(Opts) d = parse_ok("a=1,,,b", NULL);
    g_autoptr(Opts) e = parse_ok("a=,,x,,,b=,,", NULL);

    g_assert_cmpstr(opts_get(a, "a"), ==, "b,c");
    assert_all_used(a);
    g_assert_cmpstr(opts_get(b, "a"), ==, "b,,c");
    g_assert_cmpstr(opts_get(b, "d"), ==, "e");
    g_assert_cmpstr(opts_get(c, "a"), ==, ",");
    /* ",,," is a literal comma, then a separator. */
    g_assert_cmpstr(opts_get(d, "a"), ==, "1,");
    g_assert_cmpstr(opts_get(d, "b"), ==, "on");
    g_assert_cmpstr(opts_get(e, "a"), ==, ",x,");
    g_assert_cmpstr(opts_get(e, "b"), ==, ",");
}

static void test_double_comma_in_implied_value(void)
{
    g_autoptr(Opts) a = parse_ok("/tmp/a,,b", "path");
    g_autoptr(Opts) b = parse_ok("path=/tmp/a,,b", "path");
    g_autoptr(Opts) c = parse_ok("/tmp/a,,b,share", "path");
    g_autoptr(Opts) d = parse_ok(",,x", "path");
    g_autoptr(Opts) e = parse_ok("a,,b=c", "path");

    g_assert_cmpstr(opts_get(a, "path"), ==, "/tmp/a,b");
    g_assert_cmpstr(opts_get(b, "path"), ==, "/tmp/a,b");
    g_assert_cmpstr(opts_get(c, "path"), ==, "/tmp/a,b");
    g_assert_cmpstr(opts_get(c, "share"), ==, "on");
    g_assert_cmpstr(opts_get(d, "path"), ==, ",x");
    /* As QemuOpts: the ',' comes before the '=', so it is all a value. */
    g_assert_cmpstr(opts_get(e, "path"), ==, "a,b=c");
    g_assert_false(opts_has(e, "a,b"));
}

static void test_double_comma_after_key_is_two_separators(void)
{
    /* Keys never hold a comma: "a,,b" is flag a, then an empty name. */
    parse_fails("x=1,a,,b", NULL, "Invalid parameter ''");
    parse_fails("a,,b", NULL, "Invalid parameter ''");
    parse_fails("a,,b=c", NULL, "Invalid parameter ''");
}

static void test_value_may_contain_equals(void)
{
    g_autoptr(Opts) o = parse_ok("a=b=c,d==", NULL);

    g_assert_cmpstr(opts_get(o, "a"), ==, "b=c");
    g_assert_cmpstr(opts_get(o, "d"), ==, "=");
}

static void test_value_may_be_empty(void)
{
    g_autoptr(Opts) o = parse_ok("a=,b=", NULL);

    g_assert_true(opts_has(o, "a"));
    g_assert_cmpstr(opts_get(o, "a"), ==, "");
    g_assert_cmpstr(opts_get(o, "b"), ==, "");
}

static void test_value_keeps_blanks_and_quotes(void)
{
    g_autoptr(Opts) o = parse_ok(" a = b \",c=\"d\"", NULL);

    g_assert_cmpstr(opts_get(o, " a "), ==, " b \"");
    g_assert_cmpstr(opts_get(o, "c"), ==, "\"d\"");
    g_assert_null(opts_get(o, "a"));
}

/* flags and duplicates */

static void test_bare_key_means_on(void)
{
    g_autoptr(Opts) o = parse_ok("size=1G,share,prealloc", NULL);
    bool share = false, prealloc = false;

    g_assert_cmpstr(opts_get(o, "share"), ==, "on");
    g_assert_true(opts_get_bool(o, "share", &share, NULL));
    g_assert_true(share);
    g_assert_true(opts_get_bool(o, "prealloc", &prealloc, NULL));
    g_assert_true(prealloc);
}

static void test_last_duplicate_wins(void)
{
    g_autoptr(Opts) o = parse_ok("a=1,a=2", NULL);
    g_autoptr(Opts) p = parse_ok("a=1,b=x,a=2,a=3,b=y", NULL);

    g_assert_true(opts_has(o, "a"));
    g_assert_cmpstr(opts_get(o, "a"), ==, "2");
    /* Reading the key consumes every occurrence of it. */
    assert_all_used(o);

    g_assert_cmpstr(opts_get(p, "a"), ==, "3");
    assert_unused_error(p, "Invalid parameter 'b'");
    g_assert_cmpstr(opts_get(p, "b"), ==, "y");
    assert_all_used(p);
}

static void test_keys_are_case_sensitive(void)
{
    g_autoptr(Opts) o = parse_ok("Size=1G", NULL);

    g_assert_null(opts_get(o, "size"));
    assert_unused_error(o, "Invalid parameter 'Size'");
}

/* leftovers */

static void test_unknown_key_refused(void)
{
    g_autoptr(Opts) a = parse_ok("size=1G,foo=bar", NULL);
    g_autoptr(Opts) b = parse_ok("1G,foo", "size");
    g_autoptr(Opts) c = parse_ok("foo=1,foo=2", NULL);

    g_assert_cmpstr(opts_get(a, "size"), ==, "1G");
    assert_unused_error(a, "Invalid parameter 'foo'");
    g_assert_cmpstr(opts_get(b, "size"), ==, "1G");
    assert_unused_error(b, "Invalid parameter 'foo'");
    assert_unused_error(c, "Invalid parameter 'foo'");
}

static void test_unused_reports_first_leftover(void)
{
    g_autoptr(Opts) o = parse_ok("x=1,size=1G,y=2", NULL);

    g_assert_nonnull(opts_get(o, "size"));
    assert_unused_error(o, "Invalid parameter 'x'");
    g_assert_nonnull(opts_get(o, "x"));
    assert_unused_error(o, "Invalid parameter 'y'");
}

static void test_absent_key_reads_as_null(void)
{
    g_autoptr(Opts) o = parse_ok("a=1", NULL);

    g_assert_null(opts_get(o, "b"));
    g_assert_false(opts_has(o, "b"));
    g_assert_false(opts_has(o, ""));
}

static void test_has_does_not_mark_used(void)
{
    g_autoptr(Opts) o = parse_ok("a=1", NULL);

    g_assert_true(opts_has(o, "a"));
    assert_unused_error(o, "Invalid parameter 'a'");
    g_assert_cmpstr(opts_get(o, "a"), ==, "1");
    assert_all_used(o);
}

/* syntax errors */

static void test_empty_string_has_no_entries(void)
{
    g_autoptr(Opts) a = parse_ok("", NULL);
    g_autoptr(Opts) b = parse_ok("", "size");
    g_autoptr(Opts) c = parse_ok(NULL, "size");
    g_autofree char *rest = unused_as_string(b);

    g_assert_null(opts_get(a, "size"));
    g_assert_false(opts_has(b, "size"));
    g_assert_null(opts_get(b, "size"));
    g_assert_false(opts_has(c, "size"));
    assert_all_used(a);
    assert_all_used(b);
    assert_all_used(c);
    g_assert_cmpstr(rest, ==, "");
}

static void test_trailing_comma_refused(void)
{
    parse_fails("a=1,", NULL, "Expected parameter after ','");
    parse_fails("share,", NULL, "Expected parameter after ','");
    parse_fails("1G,", "size", "Expected parameter after ','");
    parse_fails("a=1,b=2,", NULL, "Expected parameter after ','");
    /* ",,," at the end: a literal comma, then a trailing separator. */
    parse_fails("a=1,,,", NULL, "Expected parameter after ','");
}

static void test_empty_parameter_name_refused(void)
{
    parse_fails(",a=1", NULL, "Invalid parameter ''");
    parse_fails(",a=1", "size", "Invalid parameter ''");
    parse_fails(",", NULL, "Invalid parameter ''");
    parse_fails(",", "size", "Invalid parameter ''");
    parse_fails("=x", NULL, "Invalid parameter ''");
    parse_fails("=x", "size", "Invalid parameter ''");
    parse_fails("=", NULL, "Invalid parameter ''");
    parse_fails("a=1,=x", NULL, "Invalid parameter ''");
    parse_fails("1G,=x", "size", "Invalid parameter ''");
}

/* typed getters */

static void test_get_size_parses_qemu_sizes(void)
{
    g_autoptr(Opts) o = parse_ok("1.5G,maxmem=0x1000", "size");
    uint64_t size = 0, maxmem = 0, absent = 42;

    g_assert_true(opts_get_size(o, "size", &size, NULL));
    g_assert_cmpuint(size, ==, UINT64_C(3) << 29);
    g_assert_true(opts_get_size(o, "maxmem", &maxmem, NULL));
    g_assert_cmpuint(maxmem, ==, 4096);
    /* Absent: success, *out untouched. */
    g_assert_true(opts_get_size(o, "slots", &absent, NULL));
    g_assert_cmpuint(absent, ==, 42);
    assert_all_used(o);
}

static void test_get_size_error_names_parameter(void)
{
    static const char *const bad[] = { "1.5", "-1", "1Gx", "16E", "", "x" };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *str = g_strdup_printf("size=%s", bad[i]);
        g_autoptr(Opts) o = parse_ok(str, NULL);
        uint64_t v = 42;
        Error *err = NULL;

        g_assert_false(opts_get_size(o, "size", &v, &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Parameter 'size' expects a size value");
        g_assert_cmpuint(v, ==, 42);
        error_free(err);
        g_assert_false(opts_get_size(o, "size", &v, NULL));
        /* A bad value still counts as read: the error is about it. */
        assert_all_used(o);
    }
}

static void test_get_bool_takes_on_off_words(void)
{
    g_autoptr(Opts) o = parse_ok("share,a=off,b=yes,c=no,d=true,e=false,f=y,g=n",
                                 NULL);
    bool v;

    g_assert_true(opts_get_bool(o, "share", &v, NULL));
    g_assert_true(v);
    g_assert_true(opts_get_bool(o, "a", &v, NULL));
    g_assert_false(v);
    g_assert_true(opts_get_bool(o, "b", &v, NULL));
    g_assert_true(v);
    g_assert_true(opts_get_bool(o, "c", &v, NULL));
    g_assert_false(v);
    g_assert_true(opts_get_bool(o, "d", &v, NULL));
    g_assert_true(v);
    g_assert_true(opts_get_bool(o, "e", &v, NULL));
    g_assert_false(v);
    g_assert_true(opts_get_bool(o, "f", &v, NULL));
    g_assert_true(v);
    g_assert_true(opts_get_bool(o, "g", &v, NULL));
    g_assert_false(v);
    v = true;
    g_assert_true(opts_get_bool(o, "absent", &v, NULL));
    g_assert_true(v);
    assert_all_used(o);
}

static void test_get_bool_error_names_parameter(void)
{
    static const char *const bad[] = { "1", "ON", "maybe", "" };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *str = g_strdup_printf("share=%s", bad[i]);
        g_autoptr(Opts) o = parse_ok(str, NULL);
        bool v = true;
        Error *err = NULL;

        g_assert_false(opts_get_bool(o, "share", &v, &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Parameter 'share' expects 'on' or 'off'");
        g_assert_true(v);
        error_free(err);
    }
}

static void test_get_uint_takes_decimal_and_hex(void)
{
    g_autoptr(Opts) o = parse_ok("slots=2,base=0x10,max=18446744073709551615",
                                 NULL);
    uint64_t v = 0;

    g_assert_true(opts_get_uint(o, "slots", &v, NULL));
    g_assert_cmpuint(v, ==, 2);
    g_assert_true(opts_get_uint(o, "base", &v, NULL));
    g_assert_cmpuint(v, ==, 16);
    g_assert_true(opts_get_uint(o, "max", &v, NULL));
    g_assert_cmpuint(v, ==, UINT64_MAX);
    v = 42;
    g_assert_true(opts_get_uint(o, "absent", &v, NULL));
    g_assert_cmpuint(v, ==, 42);
}

static void test_get_uint_error_names_parameter(void)
{
    static const char *const bad[] = {
        "-1", "2x", "1G", "0x", "", "18446744073709551616", "on",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *str = g_strdup_printf("slots=%s", bad[i]);
        g_autoptr(Opts) o = parse_ok(str, NULL);
        uint64_t v = 42;
        Error *err = NULL;

        g_assert_false(opts_get_uint(o, "slots", &v, &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Parameter 'slots' expects a number");
        /* Untouched, even when a prefix ("2x") was a number. */
        g_assert_cmpuint(v, ==, 42);
        error_free(err);
    }
}

/* opts_foreach_unused */

static void test_foreach_unused_visits_each_key_once_with_last_value(void)
{
    g_autoptr(Opts) o = parse_ok("1G,a=1,b=2,a=3,c,d=4,c=off", "size");
    g_autofree char *rest = NULL;

    g_assert_nonnull(opts_get(o, "size"));
    g_assert_nonnull(opts_get(o, "d"));
    rest = unused_as_string(o);
    /* Each key at the place of its last (winning) assignment. */
    g_assert_cmpstr(rest, ==, "b=2;a=3;c=off;");
}

static void test_foreach_unused_in_order(void)
{
    g_autoptr(Opts) o = parse_ok("z=1,y=2,x=3,w", NULL);
    g_autofree char *rest = unused_as_string(o);

    g_assert_cmpstr(rest, ==, "z=1;y=2;x=3;w=on;");
}

static void test_foreach_unused_marks_visited_used(void)
{
    g_autoptr(Opts) o = parse_ok("a=1,b=2,a=3", NULL);
    g_autofree char *first = unused_as_string(o);
    g_autofree char *second = unused_as_string(o);

    g_assert_cmpstr(first, ==, "b=2;a=3;");
    g_assert_cmpstr(second, ==, "");
    assert_all_used(o);
}

static bool fail_on_b(const char *key, const char *value, void *opaque,
                      Error **errp)
{
    g_string_append_printf(opaque, "%s=%s;", key, value);
    if (g_str_equal(key, "b")) {
        error_setg(errp, "Property '%s' not found", key);
        return false;
    }
    return true;
}

static void test_foreach_unused_stops_on_failure(void)
{
    g_autoptr(Opts) o = parse_ok("a=1,b=2,c=3", NULL);
    g_autoptr(GString) seen = g_string_new(NULL);
    Error *err = NULL;

    g_assert_false(opts_foreach_unused(o, fail_on_b, seen, &err));
    g_assert_cmpstr(seen->str, ==, "a=1;b=2;");
    g_assert_cmpstr(error_get_pretty(err), ==, "Property 'b' not found");
    error_free(err);
    /* What was not reached is still unused. */
    assert_unused_error(o, "Invalid parameter 'c'");
}

/* robustness */

/*
 * Serialize as "k=v,..." with ",," for commas: parsing that again must
 * give the same parameters.
 */
static bool serialize(const char *key, const char *value, void *opaque,
                      Error **errp)
{
    GString *s = opaque;

    g_assert_cmpstr(key, !=, "");
    g_assert_null(strchr(key, ','));
    g_assert_null(strchr(key, '='));
    if (s->len) {
        g_string_append_c(s, ',');
    }
    g_string_append_printf(s, "%s=", key);
    for (const char *p = value; *p; p++) {
        g_string_append(s, *p == ',' ? ",," : (char[]){ *p, 0 });
    }
    return true;
}

static void test_random_strings_do_not_crash(void)
{
    static const char alphabet[] = ",=a1 kKMG.x\"";
    g_autoptr(GRand) rand = g_rand_new_with_seed(0x7de5eed);
    unsigned parsed = 0, sizes = 0;

    for (int i = 0; i < 10000; i++) {
        int len = g_rand_int_range(rand, 0, 16);
        g_autofree char *str = g_malloc(len + 1);
        const char *implied = g_rand_boolean(rand) ? "size" : NULL;
        Error *err = NULL;
        Opts *o;
        uint64_t v = 42;
        int ret;

        for (int j = 0; j < len; j++) {
            str[j] = alphabet[g_rand_int_range(rand, 0, sizeof(alphabet) - 1)];
        }
        str[len] = 0;

        ret = parse_size(str, &v);
        g_assert(ret == 0 || ret == -EINVAL || ret == -ERANGE);
        if (ret == 0) {
            sizes++;
        } else {
            g_assert_cmpuint(v, ==, 42);
        }

        o = opts_parse(str, implied, &err);
        if (!o) {
            g_assert_nonnull(err);
            g_assert(g_str_equal(error_get_pretty(err), "Invalid parameter ''") ||
                     g_str_equal(error_get_pretty(err),
                                 "Expected parameter after ','"));
            error_free(err);
            continue;
        }
        g_assert_null(err);
        parsed++;

        /* Typed getters on whatever came out must fail cleanly or succeed. */
        if (opts_has(o, "size")) {
            uint64_t size;

            if (!opts_get_size(o, "size", &size, &err)) {
                g_assert_cmpstr(error_get_pretty(err), ==,
                                "Parameter 'size' expects a size value");
                g_clear_pointer(&err, error_free);
            }
        }
        {
            g_autoptr(GString) once = g_string_new(NULL);
            g_autoptr(GString) twice = g_string_new(NULL);
            g_autoptr(Opts) again = NULL;

            g_assert_true(opts_foreach_unused(o, serialize, once, NULL));
            assert_all_used(o);
            again = parse_ok(once->str, NULL);
            g_assert_true(opts_foreach_unused(again, serialize, twice, NULL));
            g_assert_cmpstr(once->str, ==, twice->str);
        }
        opts_free(o);
    }
    /* The alphabet is rich enough to exercise both outcomes. */
    g_assert_cmpuint(parsed, >, 1000);
    g_assert_cmpuint(parsed, <, 9000);
    g_assert_cmpuint(sizes, >, 10);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/option/implied-key-takes-bare-first-value",
                    test_implied_key_takes_bare_first_value);
    g_test_add_func("/option/implied-key-only-for-first-parameter",
                    test_implied_key_only_for_first_parameter);
    g_test_add_func("/option/implied-key-may-be-given-explicitly",
                    test_implied_key_may_be_given_explicitly);
    g_test_add_func("/option/implied-value-may-be-a-flag-name",
                    test_implied_value_may_be_a_flag_name);
    g_test_add_func("/option/no-implied-key-makes-bare-word-a-flag",
                    test_no_implied_key_makes_bare_word_a_flag);

    g_test_add_func("/option/double-comma-is-literal-comma",
                    test_double_comma_is_literal_comma);
    g_test_add_func("/option/double-comma-in-implied-value",
                    test_double_comma_in_implied_value);
    g_test_add_func("/option/double-comma-after-key-is-two-separators",
                    test_double_comma_after_key_is_two_separators);
    g_test_add_func("/option/value-may-contain-equals",
                    test_value_may_contain_equals);
    g_test_add_func("/option/value-may-be-empty", test_value_may_be_empty);
    g_test_add_func("/option/value-keeps-blanks-and-quotes",
                    test_value_keeps_blanks_and_quotes);

    g_test_add_func("/option/bare-key-means-on", test_bare_key_means_on);
    g_test_add_func("/option/last-duplicate-wins", test_last_duplicate_wins);
    g_test_add_func("/option/keys-are-case-sensitive",
                    test_keys_are_case_sensitive);

    g_test_add_func("/option/unknown-key-refused", test_unknown_key_refused);
    g_test_add_func("/option/unused-reports-first-leftover",
                    test_unused_reports_first_leftover);
    g_test_add_func("/option/absent-key-reads-as-null",
                    test_absent_key_reads_as_null);
    g_test_add_func("/option/has-does-not-mark-used",
                    test_has_does_not_mark_used);

    g_test_add_func("/option/empty-string-has-no-entries",
                    test_empty_string_has_no_entries);
    g_test_add_func("/option/trailing-comma-refused",
                    test_trailing_comma_refused);
    g_test_add_func("/option/empty-parameter-name-refused",
                    test_empty_parameter_name_refused);

    g_test_add_func("/option/get-size-parses-qemu-sizes",
                    test_get_size_parses_qemu_sizes);
    g_test_add_func("/option/get-size-error-names-parameter",
                    test_get_size_error_names_parameter);
    g_test_add_func("/option/get-bool-takes-on-off-words",
                    test_get_bool_takes_on_off_words);
    g_test_add_func("/option/get-bool-error-names-parameter",
                    test_get_bool_error_names_parameter);
    g_test_add_func("/option/get-uint-takes-decimal-and-hex",
                    test_get_uint_takes_decimal_and_hex);
    g_test_add_func("/option/get-uint-error-names-parameter",
                    test_get_uint_error_names_parameter);

    g_test_add_func("/option/foreach-unused-visits-each-key-once-with-last-value",
                    test_foreach_unused_visits_each_key_once_with_last_value);
    g_test_add_func("/option/foreach-unused-in-order",
                    test_foreach_unused_in_order);
    g_test_add_func("/option/foreach-unused-marks-visited-used",
                    test_foreach_unused_marks_visited_used);
    g_test_add_func("/option/foreach-unused-stops-on-failure",
                    test_foreach_unused_stops_on_failure);

    g_test_add_func("/option/random-strings-do-not-crash",
                    test_random_strings_do_not_crash);
    return g_test_run();
}
