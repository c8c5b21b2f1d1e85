/* Option strings "value,key=value,flag": QEMU's -option syntax. */
#include "util/option.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include "util/cutils.h"

typedef struct OptEntry {
    char *key;
    char *value;
    bool used;
} OptEntry;

struct Opts {
    GPtrArray *entries;     /* OptEntry, in command-line order */
};

static void opt_entry_free(gpointer p)
{
    OptEntry *e = p;

    g_free(e->key);
    g_free(e->value);
    g_free(e);
}

/* Copy a value up to the next single ',', turning ",," into ','. */
static const char *get_value(const char *p, GString *out)
{
    for (; *p; p++) {
        if (*p == ',') {
            if (p[1] != ',') {
                break;
            }
            p++;
        }
        g_string_append_c(out, *p);
    }
    return p;
}

/*
 * As QEMU's get_opt_name_value(): a key runs up to the first '=' or ','
 * and never contains a comma (",," is only an escape inside values); a
 * parameter without '=' is the implied key's value when it comes first,
 * a flag ("key=on") otherwise.
 */
Opts *opts_parse(const char *str, const char *implied_key, Error **errp)
{
    g_autoptr(Opts) opts = g_new0(Opts, 1);
    const char *p = str ? str : "";
    bool first = true;

    opts->entries = g_ptr_array_new_with_free_func(opt_entry_free);
    while (*p) {
        size_t len = strcspn(p, "=,");
        g_autoptr(GString) value = g_string_new(NULL);
        OptEntry *e;

        if (len == 0 && !(first && implied_key && p[0] == ',' && p[1] == ',')) {
            /* ",x", "=x", "a,,b": a parameter with no name. */
            error_setg(errp, "Invalid parameter ''");
            return NULL;
        }
        e = g_new0(OptEntry, 1);
        if (p[len] == '=') {
            e->key = g_strndup(p, len);
            p = get_value(p + len + 1, value);
            e->value = g_strdup(value->str);
        } else if (first && implied_key) {
            e->key = g_strdup(implied_key);
            p = get_value(p, value);
            e->value = g_strdup(value->str);
        } else {
            e->key = g_strndup(p, len);
            e->value = g_strdup("on");
            p += len;
        }
        g_ptr_array_add(opts->entries, e);
        first = false;
        if (*p == ',') {
            p++;
            if (!*p) {
                error_setg(errp, "Expected parameter after ','");
                return NULL;
            }
        }
    }
    return g_steal_pointer(&opts);
}

void opts_free(Opts *opts)
{
    if (!opts) {
        return;
    }
    g_ptr_array_free(opts->entries, TRUE);
    g_free(opts);
}

static OptEntry *find_last(const Opts *opts, const char *key)
{
    for (guint i = opts->entries->len; i > 0; i--) {
        OptEntry *e = g_ptr_array_index(opts->entries, i - 1);

        if (g_str_equal(e->key, key)) {
            return e;
        }
    }
    return NULL;
}

const char *opts_get(Opts *opts, const char *key)
{
    OptEntry *found = NULL;

    /* Every occurrence is consumed; the last one counts. */
    for (guint i = 0; i < opts->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(opts->entries, i);

        if (g_str_equal(e->key, key)) {
            e->used = true;
            found = e;
        }
    }
    return found ? found->value : NULL;
}

bool opts_has(const Opts *opts, const char *key)
{
    return find_last(opts, key) != NULL;
}

bool opts_get_size(Opts *opts, const char *key, uint64_t *out, Error **errp)
{
    const char *v = opts_get(opts, key);

    if (!v) {
        return true;
    }
    if (parse_size(v, out) < 0) {
        error_setg(errp, "Parameter '%s' expects a size value", key);
        return false;
    }
    return true;
}

bool opts_get_uint(Opts *opts, const char *key, uint64_t *out, Error **errp)
{
    const char *v = opts_get(opts, key);

    if (!v) {
        return true;
    }
    if (parse_uint64(v, out) < 0) {
        error_setg(errp, "Parameter '%s' expects a number", key);
        return false;
    }
    return true;
}

bool opts_get_bool(Opts *opts, const char *key, bool *out, Error **errp)
{
    const char *v = opts_get(opts, key);

    if (!v) {
        return true;
    }
    if (!parse_bool(v, out)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
        return false;
    }
    return true;
}

bool opts_check_unused(const Opts *opts, Error **errp)
{
    for (guint i = 0; i < opts->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(opts->entries, i);

        if (!e->used) {
            error_setg(errp, "Invalid parameter '%s'", e->key);
            return false;
        }
    }
    return true;
}

bool opts_foreach_unused(Opts *opts, OptsForeachFn fn, void *opaque,
                         Error **errp)
{
    for (guint i = 0; i < opts->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(opts->entries, i);

        if (e->used) {
            continue;
        }
        /* A repeated key: only its last value is applied. */
        if (find_last(opts, e->key) != e) {
            e->used = true;
            continue;
        }
        e->used = true;
        if (!fn(e->key, e->value, opaque, errp)) {
            return false;
        }
    }
    return true;
}
