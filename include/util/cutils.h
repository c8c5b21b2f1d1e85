/* Number and size parsing with QEMU's syntax and strictness. */
#ifndef UTIL_CUTILS_H
#define UTIL_CUTILS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parse a size: a decimal number (a fraction is allowed with a suffix, as
 * QEMU: "1.5G") or a hexadecimal 0x number, with an optional suffix
 * B/K/M/G/T/P/E (either case, powers of 1024).  default_unit multiplies
 * a number given without a suffix ('B' for bytes, 'M' for -m); it must be
 * one of those letters.
 * Details, as QEMU 7.2's qemu_strtosz:
 * - the whole string is the number: no sign, no blank, nothing after the
 *   suffix ("1Gx", " 1", "+1", "-1", "1 G" are refused);
 * - a fraction is exact (no floating point) and its bytes are rounded
 *   half up ("1.1M" is 1153434); a non-zero fraction needs a suffix other
 *   than B ("1.5" and "1.5B" are refused), a zero or empty one is allowed
 *   anywhere ("1.0", "1.0B", "1.", "1.k"); no exponent ("1e3");
 * - hex takes neither fraction nor suffix ("0x1.8K", "0x10M" are refused;
 *   "0x1B" is 27, B being a hex digit).
 * Returns 0 on success, -EINVAL on syntax errors (and on negative numbers),
 * -ERANGE when the result does not fit in 64 bits.  *result is written
 * only on success.
 */
int parse_size_unit(const char *str, char default_unit, uint64_t *result);
int parse_size(const char *str, uint64_t *result);

/*
 * Whole string must be a decimal (or 0x hex) integer; 0 or -EINVAL/-ERANGE.
 * No blank, no '+'; leading zeros are decimal, not octal.  parse_int64
 * takes one leading '-'.  *result is written only on success.
 */
int parse_uint64(const char *str, uint64_t *result);
int parse_int64(const char *str, int64_t *result);

/*
 * "on"/"yes"/"true"/"y" and "off"/"no"/"false"/"n", as QEMU's keyval
 * (case-sensitive).  Returns false, leaving *result alone, on anything else.
 */
bool parse_bool(const char *str, bool *result);

/* QEMU's identifier rule: letters, digits, '-', '.', '_', a letter first. */
bool id_wellformed(const char *id);

/*
 * 1 GiB printed as "1 GiB", 1536 MiB as "1.5 GiB", for humans: three
 * significant digits, in the largest unit that keeps the number below
 * 1000 (1000 bytes is "0.977 KiB", as QEMU).  g_free() the result.
 */
char *size_to_str(uint64_t bytes);

#endif
