/*
 * Size and number parsing follow QEMU's rules (QEMU 7.2's qemu_strtosz is
 * the reference).  Each test is named after the rule it checks.
 */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "util/cutils.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)
#define PiB (UINT64_C(1) << 50)
#define EiB (UINT64_C(1) << 60)

/* A value parse_size() never returns here, to see *result left alone. */
#define POISON UINT64_C(0xdeadbeefcafe)

static void check_size_unit(const char *str, char unit, uint64_t expected)
{
    uint64_t v = POISON;
    int ret = parse_size_unit(str, unit, &v);

    if (ret != 0) {
        g_error("parse_size_unit(\"%s\", '%c') = %d, expected %" G_GUINT64_FORMAT,
                str, unit, ret, expected);
    }
    if (v != expected) {
        g_error("parse_size_unit(\"%s\", '%c') gave %" G_GUINT64_FORMAT
                ", expected %" G_GUINT64_FORMAT, str, unit, v, expected);
    }
}

static void check_size(const char *str, uint64_t expected)
{
    check_size_unit(str, 'B', expected);
}

static void check_size_unit_fails(const char *str, char unit, int expected)
{
    uint64_t v = POISON;
    int ret = parse_size_unit(str, unit, &v);

    if (ret != expected) {
        g_error("parse_size_unit(\"%s\", '%c') = %d (value %" G_GUINT64_FORMAT
                "), expected %d", str ? str : "(null)", unit, ret, v, expected);
    }
    /* A failure never writes the result. */
    g_assert_cmpuint(v, ==, POISON);
}

static void check_size_fails(const char *str, int expected)
{
    check_size_unit_fails(str, 'B', expected);
}

/* sizes */

static void test_size_plain_decimal_is_bytes(void)
{
    check_size("0", 0);
    check_size("1", 1);
    check_size("12345", 12345);
    check_size("007", 7);
    check_size("4294967296", UINT64_C(1) << 32);
}

static void test_size_suffixes_are_powers_of_1024(void)
{
    check_size("1B", 1);
    check_size("1b", 1);
    check_size("1K", KiB);
    check_size("1k", KiB);
    check_size("1M", MiB);
    check_size("1m", MiB);
    check_size("1G", GiB);
    check_size("1g", GiB);
    check_size("1T", TiB);
    check_size("1t", TiB);
    check_size("1P", PiB);
    check_size("1p", PiB);
    check_size("1E", EiB);
    check_size("1e", EiB);
    check_size("0K", 0);
    check_size("3G", 3 * GiB);
    check_size("128m", 128 * MiB);
}

static void test_size_unknown_suffix_rejected(void)
{
    check_size_fails("1X", -EINVAL);
    check_size_fails("1Z", -EINVAL);
    check_size_fails("1Y", -EINVAL);
    check_size_fails("1i", -EINVAL);
}

static void test_size_default_unit_applies_without_suffix(void)
{
    check_size_unit("512", 'M', 512 * MiB);
    check_size_unit("512", 'm', 512 * MiB);
    check_size_unit("2", 'G', 2 * GiB);
    check_size_unit("0", 'M', 0);
    /* An explicit suffix wins, even B. */
    check_size_unit("512B", 'M', 512);
    check_size_unit("1K", 'M', KiB);
    check_size_unit("1G", 'M', GiB);
    /* Hex has no suffix, so the default unit applies. */
    check_size_unit("0x10", 'M', 16 * MiB);
    /* The default unit can overflow too. */
    check_size_unit_fails("17592186044416", 'M', -ERANGE);
    check_size_unit("17592186044415", 'M', UINT64_MAX - MiB + 1);
}

static void test_size_fraction_needs_suffix(void)
{
    check_size("1.5G", GiB + GiB / 2);
    check_size("1.5k", 1536);
    check_size("0.5M", MiB / 2);
    check_size("1.25T", TiB + TiB / 4);
    check_size("0.5E", EiB / 2);
    check_size("1.5e", EiB + EiB / 2);
    check_size_fails("1.5", -EINVAL);
    check_size_fails("0.5", -EINVAL);
    /* Even where the default unit would make it whole: -m 1.5 is refused. */
    check_size_unit_fails("1.5", 'M', -EINVAL);
}

static void test_size_fraction_of_a_byte_rejected(void)
{
    check_size_fails("1.5B", -EINVAL);
    check_size_fails("1.5b", -EINVAL);
    check_size_fails("0.1B", -EINVAL);
    check_size_fails("1.000000000000000000000001B", -EINVAL);
    check_size_unit_fails("1.5B", 'M', -EINVAL);
}

static void test_size_zero_or_empty_fraction_allowed(void)
{
    /* As QEMU: a fraction of zero is tolerated even on bytes. */
    check_size("1.0", 1);
    check_size("1.000", 1);
    check_size("1.0B", 1);
    check_size("0.0", 0);
    /* An empty fraction is tolerated. */
    check_size("1.", 1);
    check_size("1.k", KiB);
    check_size("1.G", GiB);
    check_size_unit("2.", 'M', 2 * MiB);
}

static void test_size_fraction_malformed_rejected(void)
{
    check_size_fails(".5K", -EINVAL);
    check_size_fails("1..5K", -EINVAL);
    check_size_fails("1.5.K", -EINVAL);
    check_size_fails("1.-5K", -EINVAL);
    check_size_fails("1.+5K", -EINVAL);
    check_size_fails("1. 5K", -EINVAL);
}

static void test_size_fraction_rounds_half_up(void)
{
    /* The values QEMU 7.2 gives (checked with -object memory-backend-ram). */
    check_size("1.1M", 1153434);            /* 1153433.6 */
    check_size("1.1K", 1126);               /* 1126.4 */
    check_size("12.345M", 12944671);        /* 12944670.72 */
    check_size("1.0005K", 1025);            /* 1024.512 */
    check_size("1.0004K", 1024);            /* 1024.4096 */
    check_size("0.5K", 512);
    /* Exactly half a byte rounds up. */
    check_size("0.00048828125K", 1);        /* 0.5 */
    check_size("0.00146484375K", 2);        /* 1.5 */
    check_size("0.00048828124K", 0);        /* just below 0.5 */
    check_size("0.0000000001K", 0);
}

static void test_size_fraction_is_exact(void)
{
    /* No double rounding: 0.1 EiB is 115292150460684697.6 bytes. */
    check_size("0.1E", UINT64_C(115292150460684698));
    check_size("0.3E", UINT64_C(345876451382054093));      /* ...092.8 */
    check_size("15.9375E", 255 * (EiB / 16));
    /* Many digits: still within a byte. */
    check_size("0.12345678901234567890123456789G", UINT64_C(132560718));
    /* Rounding may carry into the whole part (QEMU 7.2 gives 1024 here). */
    check_size("1.99999999999999999999K", 2 * KiB);
    check_size("0.9999999999999999999999M", MiB);
    /* The largest fraction that still fits: 2^64 - 1.15 rounds down. */
    check_size("15.999999999999999999E", UINT64_MAX);
}

static void test_size_hex_without_suffix(void)
{
    check_size("0x0", 0);
    check_size("0x1000", 4096);
    check_size("0X1000", 4096);
    check_size("0xabcDEF", 0xabcdef);
    check_size("0x00000000000000000001", 1);
    check_size("0xffffffffffffffff", UINT64_MAX);
    /* B is a hex digit, not the bytes suffix. */
    check_size("0x1B", 27);
    check_size("0x1b", 27);
    check_size("0xE", 14);
}

static void test_size_hex_takes_no_suffix_or_fraction(void)
{
    check_size_fails("0x10M", -EINVAL);
    check_size_fails("0x10k", -EINVAL);
    check_size_fails("0x1G", -EINVAL);
    check_size_fails("0x1.8K", -EINVAL);
    check_size_fails("0x1.8", -EINVAL);
    check_size_fails("0x1.", -EINVAL);
}

static void test_size_hex_needs_digits(void)
{
    check_size_fails("0x", -EINVAL);
    check_size_fails("0X", -EINVAL);
    check_size_fails("0xg", -EINVAL);
    check_size_fails("0x 1", -EINVAL);
    check_size_fails("0x-1", -EINVAL);
    check_size_fails("0x+1", -EINVAL);
    check_size_fails("0x0x1", -EINVAL);
    check_size_fails("00x10", -EINVAL);
    check_size_fails("1x10", -EINVAL);
}

static void test_size_no_sign_or_blank(void)
{
    check_size_fails("-1", -EINVAL);
    check_size_fails("-0", -EINVAL);
    check_size_fails("-1G", -EINVAL);
    check_size_fails("+1", -EINVAL);
    check_size_fails(" 1", -EINVAL);
    check_size_fails("\t1", -EINVAL);
    check_size_fails("\n1", -EINVAL);
    check_size_fails("1 ", -EINVAL);
    check_size_fails(" ", -EINVAL);
    check_size_fails("-0x1", -EINVAL);
}

static void test_size_trailing_garbage_rejected(void)
{
    check_size_fails("1Gx", -EINVAL);
    check_size_fails("1 G", -EINVAL);
    check_size_fails("1G ", -EINVAL);
    check_size_fails("1kiB", -EINVAL);
    check_size_fails("1GB", -EINVAL);
    check_size_fails("1KK", -EINVAL);
    check_size_fails("123xxx", -EINVAL);
    check_size_fails("12-3", -EINVAL);
    check_size_fails("1,5G", -EINVAL);
    check_size_fails("crap", -EINVAL);
    check_size_fails("inf", -EINVAL);
    check_size_fails("NaN", -EINVAL);
    check_size_fails("G", -EINVAL);
}

static void test_size_no_exponent(void)
{
    check_size_fails("1e3", -EINVAL);
    check_size_fails("1E3", -EINVAL);
    check_size_fails("1.5e1k", -EINVAL);
    check_size_fails("1.5E+0k", -EINVAL);
    check_size_fails("1e-3", -EINVAL);
}

static void test_size_empty_rejected(void)
{
    check_size_fails("", -EINVAL);
    check_size_fails(NULL, -EINVAL);
    check_size_unit_fails("", 'M', -EINVAL);
}

static void test_size_largest_value_fits(void)
{
    check_size("18446744073709551615", UINT64_MAX);
    check_size("15E", 15 * EiB);
    check_size("16383P", 16383 * PiB);
    check_size("17179869183G", UINT64_MAX - GiB + 1);
    check_size("18014398509481983K", UINT64_MAX - KiB + 1);
}

static void test_size_overflow_is_erange(void)
{
    check_size_fails("16E", -ERANGE);
    check_size_fails("16e", -ERANGE);
    check_size_fails("16384P", -ERANGE);
    check_size_fails("17179869184G", -ERANGE);
    check_size_fails("18014398509481984K", -ERANGE);
    check_size_fails("18446744073709551616", -ERANGE);
    check_size_fails("99999999999999999999999999", -ERANGE);
    check_size_fails("99999999999999999999K", -ERANGE);
    check_size_fails("0x10000000000000000", -ERANGE);
    check_size_fails("15.99999999999999999999E", -ERANGE);
    check_size_fails("15.9999999999999999996E", -ERANGE);
}

static void test_size_default_unit_must_be_a_suffix(void)
{
    check_size_unit_fails("1", 'X', -EINVAL);
    check_size_unit_fails("1", '\0', -EINVAL);
    /* An explicit suffix does not need it. */
    check_size_unit("1K", 'X', KiB);
}

/*
 * Random strings over the characters sizes are made of: whatever is
 * accepted must follow the grammar, and a fraction-free number must be
 * exactly its digits times its unit.
 */
static void test_size_random_strings_follow_grammar(void)
{
    static const char alphabet[] = "0123456789.xXkKmMgGbBeE -+";
    g_autoptr(GRand) rand = g_rand_new_with_seed(20240607);
    g_autoptr(GRegex) grammar = g_regex_new(
        "^(0[xX][0-9a-fA-F]+|[0-9]+(\\.[0-9]*)?[bBkKmMgGtTpPeE]?)$",
        0, 0, NULL);

    for (int i = 0; i < 10000; i++) {
        int len = g_rand_int_range(rand, 0, 12);
        g_autoptr(GString) s = g_string_new(NULL);
        uint64_t v = POISON;
        int ret;

        /* Mostly digits, so that valid numbers are common. */
        for (int j = 0; j < len; j++) {
            if (g_rand_boolean(rand)) {
                g_string_append_c(s, '0' + g_rand_int_range(rand, 0, 10));
            } else {
                g_string_append_c(s, alphabet[g_rand_int_range(
                    rand, 0, sizeof(alphabet) - 1)]);
            }
        }
        ret = parse_size(s->str, &v);
        g_assert(ret == 0 || ret == -EINVAL || ret == -ERANGE);
        if (ret < 0) {
            g_assert_cmpuint(v, ==, POISON);
            continue;
        }
        if (!g_regex_match(grammar, s->str, 0, NULL)) {
            g_error("parse_size accepted \"%s\"", s->str);
        }
        if (!strchr(s->str, '.') && !strchr(s->str, 'x') &&
            !strchr(s->str, 'X')) {
            char *end;
            uint64_t digits = g_ascii_strtoull(s->str, &end, 10);
            int shift = 0;

            if (*end) {
                shift = 10 * (int)(strchr("bkmgtpe",
                                          g_ascii_tolower(*end)) - "bkmgtpe");
            }
            g_assert_cmpuint(digits, <=, UINT64_MAX >> shift);
            g_assert_cmpuint(v, ==, digits << shift);
        }
    }
}

/* uint64 / int64 */

static void test_uint64_decimal_and_hex(void)
{
    uint64_t v;

    g_assert_cmpint(parse_uint64("0", &v), ==, 0);
    g_assert_cmpuint(v, ==, 0);
    g_assert_cmpint(parse_uint64("42", &v), ==, 0);
    g_assert_cmpuint(v, ==, 42);
    g_assert_cmpint(parse_uint64("0x2a", &v), ==, 0);
    g_assert_cmpuint(v, ==, 42);
    g_assert_cmpint(parse_uint64("0X2A", &v), ==, 0);
    g_assert_cmpuint(v, ==, 42);
    g_assert_cmpint(parse_uint64("18446744073709551615", &v), ==, 0);
    g_assert_cmpuint(v, ==, UINT64_MAX);
    g_assert_cmpint(parse_uint64("0xffffffffffffffff", &v), ==, 0);
    g_assert_cmpuint(v, ==, UINT64_MAX);
}

static void test_uint64_leading_zero_is_decimal(void)
{
    uint64_t v;

    g_assert_cmpint(parse_uint64("010", &v), ==, 0);
    g_assert_cmpuint(v, ==, 10);
    g_assert_cmpint(parse_uint64("09", &v), ==, 0);
    g_assert_cmpuint(v, ==, 9);
}

static void test_uint64_bare_0x_rejected(void)
{
    uint64_t v = POISON;

    g_assert_cmpint(parse_uint64("0x", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("0X", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("0xg", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("0x 1", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("0x-1", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("0x+1", &v), ==, -EINVAL);
    g_assert_cmpuint(v, ==, POISON);
}

static void test_uint64_negative_rejected(void)
{
    uint64_t v = POISON;

    g_assert_cmpint(parse_uint64("-1", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("-0", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("-18446744073709551615", &v), ==, -EINVAL);
    g_assert_cmpuint(v, ==, POISON);
}

static void test_uint64_whole_string_is_the_number(void)
{
    uint64_t v = POISON;

    g_assert_cmpint(parse_uint64("", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64(NULL, &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64(" 1", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("+1", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("1 ", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("1k", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("12x", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("1.0", &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("0x1g", &v), ==, -EINVAL);
    /* A failure leaves the result alone, even after a good prefix. */
    g_assert_cmpuint(v, ==, POISON);
}

static void test_uint64_overflow_is_erange(void)
{
    uint64_t v = POISON;

    g_assert_cmpint(parse_uint64("18446744073709551616", &v), ==, -ERANGE);
    g_assert_cmpint(parse_uint64("99999999999999999999999", &v), ==, -ERANGE);
    g_assert_cmpint(parse_uint64("0x10000000000000000", &v), ==, -ERANGE);
    g_assert_cmpuint(v, ==, POISON);
}

static void test_int64_negatives_ok(void)
{
    int64_t v;

    g_assert_cmpint(parse_int64("-1", &v), ==, 0);
    g_assert_cmpint(v, ==, -1);
    g_assert_cmpint(parse_int64("-0", &v), ==, 0);
    g_assert_cmpint(v, ==, 0);
    g_assert_cmpint(parse_int64("0", &v), ==, 0);
    g_assert_cmpint(v, ==, 0);
    g_assert_cmpint(parse_int64("42", &v), ==, 0);
    g_assert_cmpint(v, ==, 42);
    g_assert_cmpint(parse_int64("-0x10", &v), ==, 0);
    g_assert_cmpint(v, ==, -16);
}

static void test_int64_limits_ok(void)
{
    int64_t v;

    g_assert_cmpint(parse_int64("-9223372036854775808", &v), ==, 0);
    g_assert_cmpint(v, ==, INT64_MIN);
    g_assert_cmpint(parse_int64("-0x8000000000000000", &v), ==, 0);
    g_assert_cmpint(v, ==, INT64_MIN);
    g_assert_cmpint(parse_int64("9223372036854775807", &v), ==, 0);
    g_assert_cmpint(v, ==, INT64_MAX);
    g_assert_cmpint(parse_int64("-9223372036854775807", &v), ==, 0);
    g_assert_cmpint(v, ==, -INT64_MAX);
}

static void test_int64_out_of_range_is_erange(void)
{
    int64_t v = 12345;

    g_assert_cmpint(parse_int64("9223372036854775808", &v), ==, -ERANGE);
    g_assert_cmpint(parse_int64("-9223372036854775809", &v), ==, -ERANGE);
    g_assert_cmpint(parse_int64("18446744073709551615", &v), ==, -ERANGE);
    g_assert_cmpint(parse_int64("-18446744073709551616", &v), ==, -ERANGE);
    g_assert_cmpint(parse_int64("0x8000000000000000", &v), ==, -ERANGE);
    g_assert_cmpint(v, ==, 12345);
}

static void test_int64_one_minus_sign_only(void)
{
    int64_t v = 12345;

    g_assert_cmpint(parse_int64("", &v), ==, -EINVAL);
    g_assert_cmpint(parse_int64(NULL, &v), ==, -EINVAL);
    g_assert_cmpint(parse_int64("-", &v), ==, -EINVAL);
    g_assert_cmpint(parse_int64("--1", &v), ==, -EINVAL);
    g_assert_cmpint(parse_int64("+1", &v), ==, -EINVAL);
    g_assert_cmpint(parse_int64("-+1", &v), ==, -EINVAL);
    g_assert_cmpint(parse_int64("- 1", &v), ==, -EINVAL);
    g_assert_cmpint(parse_int64(" -1", &v), ==, -EINVAL);
    g_assert_cmpint(parse_int64("-1x", &v), ==, -EINVAL);
    g_assert_cmpint(parse_int64("-0x", &v), ==, -EINVAL);
    g_assert_cmpint(v, ==, 12345);
}

/* bool */

static void test_bool_accepts_on_yes_true_y(void)
{
    static const char *const words[] = { "on", "yes", "true", "y" };

    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        bool b = false;

        g_assert_true(parse_bool(words[i], &b));
        g_assert_true(b);
    }
}

static void test_bool_accepts_off_no_false_n(void)
{
    static const char *const words[] = { "off", "no", "false", "n" };

    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        bool b = true;

        g_assert_true(parse_bool(words[i], &b));
        g_assert_false(b);
    }
}

static void test_bool_anything_else_refused(void)
{
    static const char *const words[] = {
        "", "ON", "Off", "YES", "True", "1", "0", "o", "of", "onn", "offf",
        " on", "on ", "yess", "t", "f", "enable", "disabled",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        bool b = true;

        g_assert_false(parse_bool(words[i], &b));
        g_assert_true(b);       /* untouched */
        b = false;
        g_assert_false(parse_bool(words[i], &b));
        g_assert_false(b);
    }
}

/* identifiers */

static void test_id_letter_then_alnum_dash_dot_underscore(void)
{
    g_assert_true(id_wellformed("vm0"));
    g_assert_true(id_wellformed("a-b.c_d"));
    g_assert_true(id_wellformed("a"));
    g_assert_true(id_wellformed("Z9"));
    g_assert_true(id_wellformed("a--"));
    g_assert_true(id_wellformed("mem0.backend_1-x"));
}

static void test_id_refuses_bad_start_or_chars(void)
{
    g_assert_false(id_wellformed("0vm"));
    g_assert_false(id_wellformed(""));
    g_assert_false(id_wellformed("-a"));
    g_assert_false(id_wellformed(".a"));
    g_assert_false(id_wellformed("_a"));
    g_assert_false(id_wellformed("a b"));
    g_assert_false(id_wellformed("a/b"));
    g_assert_false(id_wellformed("a,b"));
    g_assert_false(id_wellformed("a=b"));
    g_assert_false(id_wellformed("a:b"));
    g_assert_false(id_wellformed("a\tb"));
    g_assert_false(id_wellformed("a\xc3\xa9"));
    g_assert_false(id_wellformed("\xc3\xa9"));
}

/* size_to_str */

static void check_size_to_str(uint64_t bytes, const char *expected)
{
    g_autofree char *s = size_to_str(bytes);

    g_assert_cmpstr(s, ==, expected);
}

static void test_size_to_str_uses_binary_units(void)
{
    check_size_to_str(0, "0 B");
    check_size_to_str(1, "1 B");
    check_size_to_str(999, "999 B");
    check_size_to_str(KiB, "1 KiB");
    check_size_to_str(MiB, "1 MiB");
    check_size_to_str(GiB, "1 GiB");
    check_size_to_str(1536 * MiB, "1.5 GiB");
    check_size_to_str(TiB, "1 TiB");
    check_size_to_str(PiB, "1 PiB");
    check_size_to_str(EiB, "1 EiB");
    check_size_to_str(512 * MiB, "512 MiB");
    check_size_to_str(1234567, "1.18 MiB");
}

static void test_size_to_str_never_prints_exponent(void)
{
    /* %.3g would print these as "1e+03 ...": move up a unit instead. */
    check_size_to_str(1000, "0.977 KiB");
    check_size_to_str(1023, "0.999 KiB");
    check_size_to_str(1023999, "0.977 MiB");
    check_size_to_str(MiB - 1, "1 MiB");
    check_size_to_str(999 * KiB + 600, "0.976 MiB");
    check_size_to_str(999 * KiB, "999 KiB");
    check_size_to_str(UINT64_MAX, "16 EiB");
    check_size_to_str(10 * EiB, "10 EiB");

}

static void test_size_to_str_shape_at_unit_boundaries(void)
{
    g_autoptr(GRegex) shape = g_regex_new(
        "^[0-9]{1,3}(\\.[0-9]{1,3})? ([KMGTPE]i)?B$", 0, 0, NULL);

    for (int shift = 0; shift < 64; shift++) {
        uint64_t around[] = {
            UINT64_C(1) << shift, (UINT64_C(1) << shift) - 1,
            (UINT64_C(1) << shift) + 1,
        };

        for (size_t i = 0; i < G_N_ELEMENTS(around); i++) {
            g_autofree char *s = size_to_str(around[i]);

            if (!g_regex_match(shape, s, 0, NULL)) {
                g_error("size_to_str(%" G_GUINT64_FORMAT ") = \"%s\"",
                        around[i], s);
            }
        }
    }
    /* Around 999.5 of each unit, where "%.3g" would switch to 1e+03. */
    for (int k = 0; k < 6; k++) {
        uint64_t mid = (UINT64_C(1999) << (10 * k)) / 2;

        for (uint64_t v = mid - 3; v <= mid + 3; v++) {
            g_autofree char *s = size_to_str(v);

            if (!g_regex_match(shape, s, 0, NULL)) {
                g_error("size_to_str(%" G_GUINT64_FORMAT ") = \"%s\"", v, s);
            }
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/cutils/size/plain-decimal-is-bytes",
                    test_size_plain_decimal_is_bytes);
    g_test_add_func("/cutils/size/suffixes-are-powers-of-1024-either-case",
                    test_size_suffixes_are_powers_of_1024);
    g_test_add_func("/cutils/size/unknown-suffix-rejected",
                    test_size_unknown_suffix_rejected);
    g_test_add_func("/cutils/size/default-unit-applies-without-suffix",
                    test_size_default_unit_applies_without_suffix);
    g_test_add_func("/cutils/size/default-unit-must-be-a-suffix",
                    test_size_default_unit_must_be_a_suffix);
    g_test_add_func("/cutils/size/fraction-needs-suffix",
                    test_size_fraction_needs_suffix);
    g_test_add_func("/cutils/size/fraction-of-a-byte-rejected",
                    test_size_fraction_of_a_byte_rejected);
    g_test_add_func("/cutils/size/zero-or-empty-fraction-allowed",
                    test_size_zero_or_empty_fraction_allowed);
    g_test_add_func("/cutils/size/fraction-malformed-rejected",
                    test_size_fraction_malformed_rejected);
    g_test_add_func("/cutils/size/fraction-rounds-half-up",
                    test_size_fraction_rounds_half_up);
    g_test_add_func("/cutils/size/fraction-is-exact",
                    test_size_fraction_is_exact);
    g_test_add_func("/cutils/size/hex-without-suffix",
                    test_size_hex_without_suffix);
    g_test_add_func("/cutils/size/hex-takes-no-suffix-or-fraction",
                    test_size_hex_takes_no_suffix_or_fraction);
    g_test_add_func("/cutils/size/hex-needs-digits",
                    test_size_hex_needs_digits);
    g_test_add_func("/cutils/size/no-sign-or-blank",
                    test_size_no_sign_or_blank);
    g_test_add_func("/cutils/size/trailing-garbage-rejected",
                    test_size_trailing_garbage_rejected);
    g_test_add_func("/cutils/size/no-exponent", test_size_no_exponent);
    g_test_add_func("/cutils/size/empty-rejected", test_size_empty_rejected);
    g_test_add_func("/cutils/size/largest-value-fits",
                    test_size_largest_value_fits);
    g_test_add_func("/cutils/size/overflow-is-erange",
                    test_size_overflow_is_erange);
    g_test_add_func("/cutils/size/random-strings-follow-grammar",
                    test_size_random_strings_follow_grammar);

    g_test_add_func("/cutils/uint64/decimal-and-hex",
                    test_uint64_decimal_and_hex);
    g_test_add_func("/cutils/uint64/leading-zero-is-decimal",
                    test_uint64_leading_zero_is_decimal);
    g_test_add_func("/cutils/uint64/bare-0x-rejected",
                    test_uint64_bare_0x_rejected);
    g_test_add_func("/cutils/uint64/negative-rejected",
                    test_uint64_negative_rejected);
    g_test_add_func("/cutils/uint64/whole-string-is-the-number",
                    test_uint64_whole_string_is_the_number);
    g_test_add_func("/cutils/uint64/overflow-is-erange",
                    test_uint64_overflow_is_erange);
    g_test_add_func("/cutils/int64/negatives-ok", test_int64_negatives_ok);
    g_test_add_func("/cutils/int64/limits-ok", test_int64_limits_ok);
    g_test_add_func("/cutils/int64/out-of-range-is-erange",
                    test_int64_out_of_range_is_erange);
    g_test_add_func("/cutils/int64/one-minus-sign-only",
                    test_int64_one_minus_sign_only);

    g_test_add_func("/cutils/bool/accepts-on-yes-true-y",
                    test_bool_accepts_on_yes_true_y);
    g_test_add_func("/cutils/bool/accepts-off-no-false-n",
                    test_bool_accepts_off_no_false_n);
    g_test_add_func("/cutils/bool/anything-else-refused",
                    test_bool_anything_else_refused);

    g_test_add_func("/cutils/id/letter-then-alnum-dash-dot-underscore",
                    test_id_letter_then_alnum_dash_dot_underscore);
    g_test_add_func("/cutils/id/refuses-bad-start-or-chars",
                    test_id_refuses_bad_start_or_chars);

    g_test_add_func("/cutils/size-to-str/uses-binary-units",
                    test_size_to_str_uses_binary_units);
    g_test_add_func("/cutils/size-to-str/never-prints-exponent",
                    test_size_to_str_never_prints_exponent);
    g_test_add_func("/cutils/size-to-str/shape-at-unit-boundaries",
                    test_size_to_str_shape_at_unit_boundaries);
    return g_test_run();
}
