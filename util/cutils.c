/* Number and size parsing with QEMU's syntax and strictness. */
#include "util/cutils.h"

#include <errno.h>
#include <glib.h>
#include <math.h>
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

/* The integer part, and the fraction as a double in [0, 1). */
static int parse_mantissa(const char *str, const char **end, uint64_t *whole,
                          double *frac, bool *hex)
{
    const char *p = str;
    char *q;

    if (!g_ascii_isdigit(*p)) {
        return -EINVAL;       /* no sign, no space, no empty string */
    }
    *hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    errno = 0;
    *whole = g_ascii_strtoull(p, &q, *hex ? 16 : 10);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (q == p + (*hex ? 2 : 0)) {
        return -EINVAL;
    }
    *frac = 0;
    if (!*hex && *q == '.') {
        const char *f = q + 1;
        double scale = 0.1;

        if (!g_ascii_isdigit(*f)) {
            return -EINVAL;
        }
        for (; g_ascii_isdigit(*f); f++, scale /= 10) {
            *frac += (*f - '0') * scale;
        }
        q = (char *)f;
    }
    *end = q;
    return 0;
}

int parse_size_unit(const char *str, char default_unit, uint64_t *result)
{
    const char *end;
    uint64_t whole, mul;
    double frac;
    bool hex;
    int shift, ret;

    if (!str) {
        return -EINVAL;
    }
    ret = parse_mantissa(str, &end, &whole, &frac, &hex);
    if (ret < 0) {
        return ret;
    }
    shift = suffix_shift(*end ? *end : default_unit);
    if (shift < 0 || (*end && end[1])) {
        return -EINVAL;
    }
    /* As QEMU: hex takes no suffix, and a fraction needs one. */
    if (hex && *end) {
        return -EINVAL;
    }
    if (frac != 0 && !*end) {
        return -EINVAL;
    }
    mul = UINT64_C(1) << shift;
    if (whole > UINT64_MAX / mul) {
        return -ERANGE;
    }
    whole *= mul;
    if (frac != 0) {
        double extra = floor(frac * (double)mul);

        if ((double)(UINT64_MAX - whole) < extra) {
            return -ERANGE;
        }
        whole += (uint64_t)extra;
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
    char *end;
    bool hex;

    if (!str || !g_ascii_isdigit(*str)) {
        return -EINVAL;
    }
    hex = str[0] == '0' && (str[1] == 'x' || str[1] == 'X');
    errno = 0;
    *result = g_ascii_strtoull(str, &end, hex ? 16 : 10);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (*end || end == str + (hex ? 2 : 0)) {
        return -EINVAL;
    }
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
    *result = neg ? (int64_t)(0 - mag) : (int64_t)mag;
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

    while (v >= 1024 && i < (int)G_N_ELEMENTS(units) - 1) {
        v /= 1024;
        i++;
    }
    return g_strdup_printf("%0.3g %s", v, units[i]);
}
