/* Fault injection for memory backends: fail the Nth populate or discard, for tests (STYLE 13d). */
#include "backends/hostmem-fault.h"

#include <errno.h>
#include <string.h>
#include "backends/hostmem.h"
#include "util/cutils.h"

#define PROP_FAULT "x-inject-fault"

static const char *const op_names[] = {
    [HOST_MEM_FAULT_POPULATE] = "populate",
    [HOST_MEM_FAULT_DISCARD] = "discard",
};

/* The errnos a host really returns for these operations, by name. */
static const struct {
    const char *name;
    int err;
} err_names[] = {
    { "ENOMEM", ENOMEM },
    { "EIO", EIO },
};

static const char *err_name(int err)
{
    for (size_t i = 0; i < G_N_ELEMENTS(err_names); i++) {
        if (err_names[i].err == err) {
            return err_names[i].name;
        }
    }
    return "?";     /* arm() is only given what parse() produced */
}

void hostmem_fault_init(HostMemFault *f)
{
    memset(f, 0, sizeof(*f));
    g_mutex_init(&f->lock);
}

void hostmem_fault_destroy(HostMemFault *f)
{
    g_mutex_clear(&f->lock);
}

static bool parse_op(const char *s, HostMemFaultOp *op, Error **errp)
{
    for (int i = HOST_MEM_FAULT_POPULATE; i <= HOST_MEM_FAULT_DISCARD; i++) {
        if (g_str_equal(s, op_names[i])) {
            *op = (HostMemFaultOp)i;
            return true;
        }
    }
    error_setg(errp, "'" PROP_FAULT "': unknown operation '%s' (populate or "
               "discard)", s);
    return false;
}

static bool parse_count(const char *s, uint64_t *n, Error **errp)
{
    /* parse_uint64 takes 0x too; a count is plain decimal. */
    if (!g_ascii_isdigit(s[0]) || g_str_has_prefix(s, "0x") ||
        parse_uint64(s, n) != 0 || *n == 0) {
        error_setg(errp, "'" PROP_FAULT "': N must be a decimal number from "
                   "1 to 18446744073709551615, not '%s'", s);
        return false;
    }
    return true;
}

static bool parse_err(const char *s, int *err, Error **errp)
{
    for (size_t i = 0; i < G_N_ELEMENTS(err_names); i++) {
        if (g_str_equal(s, err_names[i].name)) {
            *err = err_names[i].err;
            return true;
        }
    }
    error_setg(errp, "'" PROP_FAULT "': cannot inject errno '%s' (ENOMEM or "
               "EIO)", s);
    return false;
}

bool hostmem_fault_parse(const char *spec, HostMemFaultOp *op, uint64_t *n,
                         int *err, Error **errp)
{
    g_auto(GStrv) parts = NULL;
    HostMemFaultOp o;
    uint64_t count;
    int e;

    /* "off" too: HMP's qom-set cannot pass an empty string without -j. */
    if (!*spec || g_str_equal(spec, "off")) {
        *op = HOST_MEM_FAULT_OFF;
        return true;
    }
    parts = g_strsplit(spec, ":", 4);
    if (g_strv_length(parts) != 3) {
        error_setg(errp, "'" PROP_FAULT "' expects 'populate:N:ERRNO', "
                   "'discard:N:ERRNO', or '' or 'off' to disarm, not '%s'",
                   spec);
        return false;
    }
    if (!parse_op(parts[0], &o, errp) || !parse_count(parts[1], &count, errp) ||
        !parse_err(parts[2], &e, errp)) {
        return false;
    }
    *op = o;
    *n = count;
    *err = e;
    return true;
}

/* Called with f->lock held. */
static void update_text(HostMemFault *f)
{
    if (f->op == HOST_MEM_FAULT_OFF) {
        f->text[0] = '\0';
        return;
    }
    g_snprintf(f->text, sizeof(f->text), "%s:%" G_GUINT64_FORMAT ":%s",
               op_names[f->op], f->countdown, err_name(f->err));
}

void hostmem_fault_arm(HostMemFault *f, HostMemFaultOp op, uint64_t n,
                       int err)
{
    g_mutex_lock(&f->lock);
    f->op = op;
    f->countdown = n;
    f->err = err;
    update_text(f);
    g_mutex_unlock(&f->lock);
}

bool hostmem_fault_hit(HostMemFault *f, HostMemFaultOp op, int *err)
{
    bool hit = false;

    g_mutex_lock(&f->lock);
    if (f->op == op) {
        if (--f->countdown == 0) {
            *err = f->err;
            f->injected++;
            f->op = HOST_MEM_FAULT_OFF;
            hit = true;
        }
        update_text(f);
    }
    g_mutex_unlock(&f->lock);
    return hit;
}

/* ---- properties ----------------------------------------------------------- */

static HostMemFault *fault_of(Object *obj)
{
    return &MEMORY_BACKEND(obj)->fault;
}

/* A bad value is refused whole: what was armed stays armed. */
static bool set_fault(Object *obj, const Property *prop, const PropValue *in,
                      Error **errp)
{
    HostMemFaultOp op;
    uint64_t n = 0;
    int err = 0;

    if (!hostmem_fault_parse(in->s, &op, &n, &err, errp)) {
        return false;
    }
    hostmem_fault_arm(fault_of(obj), op, n, err);
    return true;
}

/*
 * PropValue strings are borrowed: this one points into the fault, which
 * lives as long as the backend.  The text changes under f->lock only;
 * property reads hold the machine lock, as do Tide's populate and discard
 * callers (virtio-mem), so no countdown runs while it is copied.
 */
static bool get_fault(Object *obj, const Property *prop, PropValue *out)
{
    out->s = fault_of(obj)->text;
    return true;
}

static bool get_injected(Object *obj, const Property *prop, PropValue *out)
{
    HostMemFault *f = fault_of(obj);

    g_mutex_lock(&f->lock);
    out->u = f->injected;
    g_mutex_unlock(&f->lock);
    return true;
}

static const Property fault_props[] = {
    { .name = PROP_FAULT, .kind = PROP_STR, .access = PROP_RUNTIME,
      .description = "For tests: fail the Nth populate or discard from now "
                     "(populate:N:ENOMEM|EIO, discard:N:ENOMEM|EIO, off)",
      .offset = PROP_NO_FIELD, .get = get_fault, .set = set_fault },
    { .name = "x-injected-faults", .kind = PROP_UINT64,
      .access = PROP_READONLY,
      .description = "read-only: faults x-inject-fault has injected",
      .offset = PROP_NO_FIELD, .get = get_injected },
    { NULL },
};

void hostmem_fault_class_init(ObjectClass *oc)
{
    object_class_add_props(oc, fault_props);
}
