/* Option strings "value,key=value,flag": QEMU's -option syntax. */
#ifndef UTIL_OPTION_H
#define UTIL_OPTION_H

#include <stdbool.h>
#include <stdint.h>
#include "util/error.h"

/*
 * Syntax, as QEMU's QemuOpts:
 * - parameters are separated by ',' and ",," is a literal comma in a
 *   value; a key runs up to the first '=' or ',' and never holds a comma;
 * - "key=value" sets key; a bare "key" means "key=on";
 * - the first parameter may be a bare value for implied_key
 *   ("-m 1G" is size=1G, "-device virtio-mem-pci" is driver=virtio-mem-pci);
 * - a key given twice keeps the last value.
 * Stricter than QemuOpts: an empty parameter fails with "Invalid parameter
 * ''" (",a=1" even with an implied key, "=x", and "x=1,a,,b" as ",," after
 * a key is two separators), and a trailing ',' fails with "Expected
 * parameter after ','".
 * The empty string (or NULL) is no parameters at all.
 * Each key read with opts_get*() is marked used; opts_check_unused() then
 * refuses the rest ("Invalid parameter 'x'"), so nothing is silently ignored.
 */
typedef struct Opts Opts;

Opts *opts_parse(const char *str, const char *implied_key, Error **errp);
void opts_free(Opts *opts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Opts, opts_free)

/* The value, or NULL when absent.  Marks the key used. */
const char *opts_get(Opts *opts, const char *key);
bool opts_has(const Opts *opts, const char *key);
/* Read-and-check helpers: absent keys leave *out untouched and succeed. */
bool opts_get_size(Opts *opts, const char *key, uint64_t *out, Error **errp);
bool opts_get_uint(Opts *opts, const char *key, uint64_t *out, Error **errp);
bool opts_get_bool(Opts *opts, const char *key, bool *out, Error **errp);
bool opts_check_unused(const Opts *opts, Error **errp);

/*
 * Call fn once for each key not yet used, with its last value, in the
 * order of the last occurrences (as if every assignment were applied in
 * turn, the overridden ones skipped): "a=1,b=2,a=3" gives b=2 then a=3.
 * Visited keys become used.  Stops at, and returns false on, the first
 * fn failure.  Used to hand the rest to object properties.
 */
typedef bool (*OptsForeachFn)(const char *key, const char *value,
                              void *opaque, Error **errp);
bool opts_foreach_unused(Opts *opts, OptsForeachFn fn, void *opaque,
                         Error **errp);

#endif
