/* Number and size parsing with QEMU's syntax and strictness. */
#include "util/cutils.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

static int suffix_shift(char c)
{
    switch (g_ascii_toupper(c)) {
    case 'B':
        return 0;
    case 'K':
        return 10;
    case 'M':
        return 20;
    case 'G':
        return 30;
    case 'T':
        return 40;
    case 'P':
        return 50;
    case 'E':
        return 60;
    default:
        return -1;
    }
}

/*
 * Digits of the given base (10 or 16) at p, as many as there are; no
 * sign, blank or prefix (strtoull would take them).  -ERANGE on overflow,
 * -EINVAL when there is no digit.
 */
static int parse_digits(const char *p, unsigned base, const char **end,
                        uint64_t *result)
{
    uint64_t v = 0;
    bool overflow = false;
    const char *q;

    for (q = p; base == 16 ? g_ascii_isxdigit(*q) : g_ascii_isdigit(*q); q++) {
        unsigned d = base == 16 ? (unsigned)g_ascii_xdigit_value(*q)
                                : (unsigned)(*q - '0');

        if (v > (UINT64_MAX - d) / base) {
            overflow = true;
        }
        v = v * base + d;
    }
    *end = q;
    if (q == p) {
        return -EINVAL;
    }
    if (overflow) {
        return -ERANGE;
    }
    *result = v;
    return 0;
}

/*
 * (hi:lo) / 10 where hi < 10, i.e. one step of turning decimal fraction
 * digits into a 0.64 binary fixed-point number, without 128-bit types.
 */
static uint64_t div10_carry(uint64_t hi, uint64_t lo)
{
    uint64_t a = (hi << 32) | (lo >> 32);            /* < 10 * 2^32 */
    uint64_t q1 = a / 10;
    uint64_t b = ((a % 10) << 32) | (lo & 0xffffffffu);

    return (q1 << 32) | (b / 10);
}

/*
 * The digits of a decimal fraction (after the '.') as a 0.64 fixed-point
 * number, truncated.  Read right to left, each step is exact or truncates
 * by less than one unit in the last place, so the total error stays below
 * 2^-64.  *nonzero tells whether any digit is not 0.
 */
static uint64_t fraction_fixed64(const char *digits, size_t n, bool *nonzero)
{
    uint64_t f = 0;

    *nonzero = false;
    for (size_t i = n; i > 0; i--) {
        uint64_t d = (uint64_t)(digits[i - 1] - '0');

        *nonzero |= d != 0;
        f = div10_carry(d, f);
    }
    return f;
}

int parse_size_unit(const char *str, char default_unit, uint64_t *result)
{
    const char *p = str;
    const char *end;
    uint64_t whole, frac = 0, round;
    bool frac_nonzero = false;
    int shift, ret;

    if (!str || !g_ascii_isdigit(*p)) {
        return -EINVAL;       /* no sign, no space, no empty string */
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        /* Hexadecimal: no fraction, no suffix (as QEMU's qemu_strtosz). */
        ret = parse_digits(p + 2, 16, &end, &whole);
        if (ret < 0) {
            return ret;
        }
        if (*end) {
            return -EINVAL;
        }
        shift = suffix_shift(default_unit);
        if (shift < 0) {
            return -EINVAL;
        }
    } else {
        ret = parse_digits(p, 10, &end, &whole);
        if (ret < 0) {
            return ret;
        }
        if (*end == '.') {
            /* As QEMU, "1.k" and "1." are allowed: an empty fraction is 0. */
            const char *f = end + 1;
            size_t n = 0;

            while (g_ascii_isdigit(f[n])) {
                n++;
            }
            frac = fraction_fixed64(f, n, &frac_nonzero);
            end = f + n;
        }
        if (*end) {
            shift = end[1] ? -1 : suffix_shift(*end);
        } else {
            shift = suffix_shift(default_unit);
            /* A real fraction needs an explicit suffix: "1.5" is refused. */
            if (frac_nonzero) {
                return -EINVAL;
            }
        }
        if (shift < 0) {
            return -EINVAL;
        }
        /* Nor can it be a fraction of a byte: "1.5B" is refused. */
        if (shift == 0 && frac_nonzero) {
            return -EINVAL;
        }
    }

    if (whole > UINT64_MAX >> shift) {
        return -ERANGE;
    }
    whole <<= shift;
    if (shift > 0) {
        /* The fraction's bytes, rounded half up as QEMU does. */
        round = (frac >> (63 - shift)) & 1;
        frac = (frac >> (64 - shift)) + round;
        if (frac > UINT64_MAX - whole) {
            return -ERANGE;
        }
        whole += frac;
    }
    *result = whole;
    return 0;
}

int parse_size(const char *str, uint64_t *result)
{
    return parse_size_unit(str, 'B', result);
}

int parse_uint64(const char *str, uint64_t *result)
{
    const char *end;
    uint64_t v;
    bool hex;
    int ret;

    if (!str) {
        return -EINVAL;
    }
    hex = str[0] == '0' && (str[1] == 'x' || str[1] == 'X');
    ret = parse_digits(hex ? str + 2 : str, hex ? 16 : 10, &end, &v);
    if (ret < 0) {
        return ret;
    }
    if (*end) {
        return -EINVAL;
    }
    *result = v;
    return 0;
}

int parse_int64(const char *str, int64_t *result)
{
    uint64_t mag;
    bool neg = str && *str == '-';
    int ret = parse_uint64(str ? str + neg : NULL, &mag);

    if (ret < 0) {
        return ret;
    }
    if (mag > (uint64_t)INT64_MAX + neg) {
        return -ERANGE;
    }
    /* -(mag - 1) - 1 reaches INT64_MIN without an out-of-range cast. */
    *result = neg && mag ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
    return 0;
}

bool parse_bool(const char *str, bool *result)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };

    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (g_str_equal(str, yes[i])) {
            *result = true;
            return true;
        }
        if (g_str_equal(str, no[i])) {
            *result = false;
            return true;
        }
    }
    return false;
}

bool id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(*id)) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

char *size_to_str(uint64_t bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
                                         "PiB", "EiB" };
    int i = 0;
    double v = (double)bytes;

    /*
     * Move up a unit as soon as "%.3g" would need four digits (it would
     * print "1e+03"): 1000 bytes is "0.977 KiB", as QEMU's size_to_str.
     */
    while (v >= 999.5 && i < (int)G_N_ELEMENTS(units) - 1) {
        v /= 1024;
        i++;
    }
    return g_strdup_printf("%0.3g %s", v, units[i]);
}
