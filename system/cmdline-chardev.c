/* Character devices and monitors: -chardev, -mon, -qmp, -monitor, -serial, -qtest. */
#include "cmdline-internal.h"

#include <string.h>
#include "util/cutils.h"

void cmdline_chardev_free(gpointer p)
{
    ChardevSpec *c = p;

    g_free(c->id);
    g_free(c->loc);
    g_free(c->path);
    g_free(c->host);
    g_free(c->port);
    g_free(c);
}

void cmdline_monitor_spec_free(gpointer p)
{
    MonitorSpec *m = p;

    g_free(m->loc);
    g_free(m);
}

/* ---- character devices and monitors --------------------------------- */

static bool chardev_socket_opts(ChardevSpec *c, Opts *o, Error **errp)
{
    const char *nowait = opts_get(o, "nowait");
    bool wait = true;

    c->server = false;
    if (!opts_get_bool(o, "server", &c->server, errp) ||
        !opts_get_bool(o, "wait", &wait, errp)) {
        return false;
    }
    c->wait = c->server && wait && !nowait;
    return true;
}

static bool chardev_from_opts(ChardevSpec *c, const char *backend, Opts *o,
                              Error **errp)
{
    if (g_str_equal(backend, "socket")) {
        const char *path = opts_get(o, "path");
        const char *host = opts_get(o, "host");
        const char *port = opts_get(o, "port");

        c->backend = CHARDEV_SOCKET;
        if (path && !port) {
            c->socket_mode = SOCKET_UNIX;
            c->path = g_strdup(path);
        } else if (port && !path) {
            c->socket_mode = SOCKET_TCP;
            c->host = g_strdup(host && *host ? host : "127.0.0.1");
            c->port = g_strdup(port);
        } else {
            error_setg(errp, "chardev: socket: give either 'path' (unix) or "
                       "'host' and 'port' (tcp)");
            return false;
        }
        return chardev_socket_opts(c, o, errp);
    }
    if (g_str_equal(backend, "stdio")) {
        c->backend = CHARDEV_STDIO;
        return opts_get_bool(o, "mux", &c->mux, errp);
    }
    if (g_str_equal(backend, "file")) {
        c->backend = CHARDEV_FILE;
        c->path = g_strdup(opts_get(o, "path"));
        if (!c->path) {
            error_setg(errp, "chardev: file: no filename given");
            return false;
        }
        return true;
    }
    if (g_str_equal(backend, "null")) {
        c->backend = CHARDEV_NULL;
        return true;
    }
    error_setg(errp, "'%s' is not a valid char driver name", backend);
    return false;
}

bool cmdline_opt_chardev(TideConfig *cfg, const char *loc, const char *arg,
                         bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "backend", errp);
    g_autofree ChardevSpec *c = NULL;
    const char *backend, *id;

    if (!o) {
        return false;
    }
    backend = opts_get(o, "backend");
    id = opts_get(o, "id");
    if (!backend) {
        error_setg(errp, "Parameter 'backend' is missing");
        return false;
    }
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return false;
    }
    if (!id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier (letters, "
                   "digits, '-', '.', '_', starting with a letter)");
        return false;
    }
    if (tide_config_find_chardev(cfg, id)) {
        error_setg(errp, "Duplicate ID '%s' for chardev", id);
        return false;
    }
    c = g_new0(ChardevSpec, 1);
    if (!chardev_from_opts(c, backend, o, errp) ||
        !opts_check_unused(o, errp)) {
        cmdline_chardev_free(g_steal_pointer(&c));
        return false;
    }
    c->id = g_strdup(id);
    c->loc = g_strdup(loc);
    g_ptr_array_add(cfg->chardevs, g_steal_pointer(&c));
    return true;
}

ChardevSpec *chardev_parse_legacy(const char *str, Error **errp)
{
    g_autoptr(Opts) o = NULL;
    ChardevSpec *c = g_new0(ChardevSpec, 1);
    g_autofree char *text = NULL;
    const char *rest;

    if (g_str_equal(str, "stdio") || g_str_equal(str, "mon:stdio")) {
        c->backend = CHARDEV_STDIO;
        c->mux = g_str_has_prefix(str, "mon:");
        return c;
    }
    if (g_str_equal(str, "null")) {
        c->backend = CHARDEV_NULL;
        return c;
    }
    if (g_str_has_prefix(str, "file:")) {
        c->backend = CHARDEV_FILE;
        c->path = g_strdup(str + 5);
        return c;
    }
    if (g_str_has_prefix(str, "unix:")) {
        rest = str + 5;
        text = g_strdup_printf("path=%s", rest);
    } else if (g_str_has_prefix(str, "tcp:")) {
        const char *colon = strrchr(str + 4, ':');
        const char *comma = strchr(str + 4, ',');

        if (!colon || (comma && comma < colon)) {
            error_setg(errp, "'%s': tcp needs HOST:PORT", str);
            cmdline_chardev_free(c);
            return NULL;
        }
        text = g_strdup_printf("host=%.*s,port=%s", (int)(colon - str - 4),
                               str + 4, colon + 1);
    } else {
        error_setg(errp, "'%s' is not a valid char driver", str);
        cmdline_chardev_free(c);
        return NULL;
    }
    o = opts_parse(text, NULL, errp);
    if (!o || !chardev_from_opts(c, "socket", o, errp) ||
        !opts_check_unused(o, errp)) {
        cmdline_chardev_free(c);
        return NULL;
    }
    return c;
}

static bool add_monitor(TideConfig *cfg, const char *loc, ChardevSpec *c,
                        bool qmp)
{
    MonitorSpec *m = g_new0(MonitorSpec, 1);

    m->loc = g_strdup(loc);
    m->chardev = c;
    m->qmp = qmp;
    g_ptr_array_add(cfg->monitors, m);
    return true;
}

static bool add_legacy_monitor(TideConfig *cfg, const char *loc,
                               const char *arg, bool qmp, Error **errp)
{
    ChardevSpec *c;

    if (g_str_equal(arg, "none")) {
        return true;
    }
    c = chardev_parse_legacy(arg, errp);
    if (!c) {
        return false;
    }
    if (c->backend == CHARDEV_FILE || c->backend == CHARDEV_NULL) {
        error_setg(errp, "a monitor needs stdio or a socket");
        cmdline_chardev_free(c);
        return false;
    }
    c->loc = g_strdup(loc);
    g_ptr_array_add(cfg->chardevs, c);
    return add_monitor(cfg, loc, c, qmp);
}

bool cmdline_opt_qmp(TideConfig *cfg, const char *loc, const char *arg,
                     bool *exit_now, Error **errp)
{
    return add_legacy_monitor(cfg, loc, arg, true, errp);
}

bool cmdline_opt_monitor(TideConfig *cfg, const char *loc, const char *arg,
                         bool *exit_now, Error **errp)
{
    return add_legacy_monitor(cfg, loc, arg, false, errp);
}

bool cmdline_opt_mon(TideConfig *cfg, const char *loc, const char *arg,
                     bool *exit_now, Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, "chardev", errp);
    const char *id, *mode;
    ChardevSpec *c;

    if (!o) {
        return false;
    }
    id = opts_get(o, "chardev");
    mode = opts_get(o, "mode");
    opts_get(o, "pretty");      /* accepted: QMP replies are always compact */
    if (!opts_check_unused(o, errp)) {
        return false;
    }
    if (!id) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return false;
    }
    c = tide_config_find_chardev(cfg, id);
    if (!c) {
        error_setg(errp, "chardev \"%s\" not found", id);
        return false;
    }
    if (mode && !g_str_equal(mode, "control") &&
        !g_str_equal(mode, "readline")) {
        error_setg(errp, "Parameter 'mode' does not accept value '%s'", mode);
        return false;
    }
    return add_monitor(cfg, loc, c, mode && g_str_equal(mode, "control"));
}

bool cmdline_opt_serial(TideConfig *cfg, const char *loc, const char *arg,
                        bool *exit_now, Error **errp)
{
    ChardevSpec *c;

    if (g_str_equal(arg, "none")) {
        cfg->serial = NULL;
        return true;
    }
    c = chardev_parse_legacy(arg, errp);
    if (!c) {
        return false;
    }
    c->loc = g_strdup(loc);
    g_ptr_array_add(cfg->chardevs, c);
    cfg->serial = c;
    return true;
}

bool cmdline_opt_qtest(TideConfig *cfg, const char *loc, const char *arg,
                       bool *exit_now, Error **errp)
{
    ChardevSpec *c = chardev_parse_legacy(arg, errp);

    if (!c) {
        return false;
    }
    if (c->backend != CHARDEV_SOCKET && c->backend != CHARDEV_STDIO) {
        error_setg(errp, "the qtest protocol needs a socket or stdio");
        cmdline_chardev_free(c);
        return false;
    }
    c->loc = g_strdup(loc);
    g_ptr_array_add(cfg->chardevs, c);
    cfg->qtest = c;
    /* As QEMU: -qtest selects the qtest accelerator. */
    return cmdline_set_accel(cfg, loc, "qtest", errp);
}
