/* Error objects: how a failure travels from where it happens to who reports it. */
#ifndef UTIL_ERROR_H
#define UTIL_ERROR_H

#include <glib.h>
#include <stdbool.h>

/*
 * The QMP error classes Tide uses.  Their names on the wire are QEMU's,
 * so management tools that switch on "class" keep working.
 */
typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING_CAP,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
} ErrorClass;

typedef struct Error Error;

/*
 * Rules (as QEMU's include/qapi/error.h):
 * - a function that can fail takes Error **errp last and returns false,
 *   NULL or a negative value on failure, having set *errp;
 * - errp may be NULL when the caller does not care why;
 * - *errp must be NULL on entry: setting an error twice is a bug.
 */
void error_setg(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void error_set(Error **errp, ErrorClass cls, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void error_setg_errno(Error **errp, int os_errno, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* Put "prefix" in front of the message of an error already set. */
void error_prepend(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Extra lines printed after the message by HMP and the command line. */
void error_append_hint(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

const char *error_get_pretty(const Error *err);
const char *error_get_hint(const Error *err);
ErrorClass error_get_class(const Error *err);
const char *error_class_name(ErrorClass cls);
void error_free(Error *err);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Error, error_free)

/* Print "tide: msg" on stderr. */
void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Print err as "tide: msg" (plus its hint) and free it. */
void error_report_err(Error *err);

#endif
