/* Number and size parsing with QEMU's syntax and strictness. */
#ifndef UTIL_CUTILS_H
#define UTIL_CUTILS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parse a size: a decimal number (a fraction is allowed with a suffix, as
 * QEMU: "1.5G") or a hexadecimal 0x number, with an optional suffix
 * B/K/M/G/T/P/E (either case, powers of 1024).  default_unit multiplies
 * a number given without a suffix ('B' for bytes, 'M' for -m).
 * Returns 0 on success, -EINVAL on syntax errors (and on negative numbers),
 * -ERANGE when the result does not fit in 64 bits.
 */
int parse_size_unit(const char *str, char default_unit, uint64_t *result);
int parse_size(const char *str, uint64_t *result);

/* Whole string must be a decimal (or 0x hex) integer; 0 or -EINVAL/-ERANGE. */
int parse_uint64(const char *str, uint64_t *result);
int parse_int64(const char *str, int64_t *result);

/* "on"/"yes"/"true"/"y" and "off"/"no"/"false"/"n", as QEMU's keyval. */
bool parse_bool(const char *str, bool *result);

/* QEMU's identifier rule: letters, digits, '-', '.', '_', a letter first. */
bool id_wellformed(const char *id);

/* 1 GiB printed as "1 GiB", 1536 MiB as "1.5 GiB", for humans. */
char *size_to_str(uint64_t bytes);

#endif
