/* Character devices: sockets, stdio, files that monitors and UARTs talk on. */
#include "util/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct CharClient {
    Chardev *chr;
    int in_fd, out_fd;
    guint in_watch, out_watch, close_idle;
    GString *backlog;
    void *opaque;
    bool closing;
};

struct Chardev {
    ChardevSpec spec;       /* copy of the strings we need */
    CharHandlers h;
    void *opaque;
    int listen_fd;
    guint listen_watch;
    GPtrArray *clients;
};

/*
 * g_unix_fd_add(), but dispatched without GLib blocking the source around
 * each call: blocking takes the fd out of the poll set and puts it back,
 * two wake-ups of the main context per read (an eventfd write each).
 * Recursion could only come from a nested main loop, and Tide runs none.
 */
static guint fd_watch_add(int fd, GIOCondition cond, GUnixFDSourceFunc cb,
                          void *opaque)
{
    GSource *src = g_unix_fd_source_new(fd, cond);
    guint id;

    g_source_set_callback(src, G_SOURCE_FUNC(cb), opaque, NULL);
    g_source_set_can_recurse(src, TRUE);
    id = g_source_attach(src, NULL);
    g_source_unref(src);
    return id;
}

static void close_fds(int in_fd, int out_fd)
{
    if (in_fd > 2) {
        close(in_fd);
    }
    if (out_fd > 2 && out_fd != in_fd) {
        close(out_fd);
    }
}

static void client_free(CharClient *c)
{
    if (c->in_watch) {
        g_source_remove(c->in_watch);
    }
    if (c->out_watch) {
        g_source_remove(c->out_watch);
    }
    if (c->close_idle) {
        g_source_remove(c->close_idle);
    }
    close_fds(c->in_fd, c->out_fd);
    g_string_free(c->backlog, TRUE);
    g_free(c);
}

static void client_closed(CharClient *c)
{
    Chardev *chr = c->chr;

    g_ptr_array_remove(chr->clients, c);
    if (chr->h.closed) {
        chr->h.closed(chr->opaque, c);
    }
    client_free(c);
}

static gboolean close_idle_cb(gpointer data)
{
    CharClient *c = data;

    c->close_idle = 0;
    client_closed(c);
    return G_SOURCE_REMOVE;
}

void char_client_disconnect(CharClient *c)
{
    if (c->closing) {
        return;
    }
    c->closing = true;
    /* Deferred: the caller may be inside this client's read handler. */
    c->close_idle = g_idle_add(close_idle_cb, c);
}

static gboolean client_read_cb(gint fd, GIOCondition cond, gpointer data)
{
    CharClient *c = data;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        c->in_watch = 0;
        char_client_disconnect(c);
        return G_SOURCE_REMOVE;
    }
    if (!c->closing && c->chr->h.received) {
        c->chr->h.received(c->chr->opaque, c, buf, n);
    }
    return G_SOURCE_CONTINUE;
}

/* Write what the peer accepts now; returns false if the peer is gone. */
static bool flush_backlog(CharClient *c)
{
    while (c->backlog->len) {
        ssize_t n = write(c->out_fd, c->backlog->str, c->backlog->len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return true;
        }
        if (n <= 0) {
            return false;
        }
        g_string_erase(c->backlog, 0, n);
    }
    return true;
}

static gboolean client_write_cb(gint fd, GIOCondition cond, gpointer data)
{
    CharClient *c = data;

    if (!flush_backlog(c)) {
        c->out_watch = 0;
        char_client_disconnect(c);
        return G_SOURCE_REMOVE;
    }
    if (c->backlog->len) {
        return G_SOURCE_CONTINUE;
    }
    c->out_watch = 0;
    return G_SOURCE_REMOVE;
}

void char_client_write(CharClient *c, const char *buf, size_t len)
{
    if (c->closing || c->out_fd < 0) {
        return;
    }
    if (c->backlog->len + len > CHAR_CLIENT_MAX_BACKLOG) {
        char_client_disconnect(c);
        return;
    }
    g_string_append_len(c->backlog, buf, len);
    if (c->out_watch) {
        return;
    }
    if (!flush_backlog(c)) {
        char_client_disconnect(c);
        return;
    }
    if (c->backlog->len) {
        c->out_watch = fd_watch_add(c->out_fd, G_IO_OUT, client_write_cb, c);
    }
}

void char_client_set_opaque(CharClient *c, void *opaque)
{
    c->opaque = opaque;
}

void *char_client_get_opaque(CharClient *c)
{
    return c->opaque;
}

/* Nonblocking either way: a stalled peer must never block its reader. */
static void set_nonblocking(int in_fd, int out_fd)
{
    if (in_fd >= 0) {
        g_unix_set_fd_nonblocking(in_fd, TRUE, NULL);
    }
    if (out_fd >= 0 && (out_fd > 2 || out_fd == in_fd)) {
        g_unix_set_fd_nonblocking(out_fd, TRUE, NULL);
    }
}

static void client_add(Chardev *chr, int in_fd, int out_fd)
{
    CharClient *c;

    set_nonblocking(in_fd, out_fd);
    if (chr->h.adopt) {
        if (!chr->h.adopt(chr->opaque, in_fd, out_fd)) {
            close_fds(in_fd, out_fd);
        }
        return;
    }
    c = g_new0(CharClient, 1);
    c->chr = chr;
    c->in_fd = in_fd;
    c->out_fd = out_fd;
    c->backlog = g_string_new(NULL);
    if (in_fd >= 0) {
        c->in_watch = fd_watch_add(in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                   client_read_cb, c);
    }
    g_ptr_array_add(chr->clients, c);
    if (chr->h.connected) {
        chr->h.connected(chr->opaque, c);
    }
}

static gboolean accept_cb(gint fd, GIOCondition cond, gpointer data)
{
    Chardev *chr = data;
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (cfd >= 0) {
        client_add(chr, cfd, cfd);
    }
    return G_SOURCE_CONTINUE;
}

static int socket_address(const ChardevSpec *spec, struct sockaddr_storage *ss,
                          socklen_t *len, Error **errp)
{
    if (spec->socket_mode == SOCKET_UNIX) {
        struct sockaddr_un *un = (struct sockaddr_un *)ss;

        if (strlen(spec->path) >= sizeof(un->sun_path)) {
            error_setg(errp, "UNIX socket path '%s' is too long", spec->path);
            return -1;
        }
        memset(un, 0, sizeof(*un));
        un->sun_family = AF_UNIX;
        strcpy(un->sun_path, spec->path);
        *len = sizeof(*un);
        return AF_UNIX;
    } else {
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                                  .ai_flags = AI_NUMERICSERV };
        struct addrinfo *res = NULL;
        int rc = getaddrinfo(spec->host, spec->port, &hints, &res);

        if (rc != 0) {
            error_setg(errp, "address resolution failed for %s:%s: %s",
                       spec->host, spec->port, gai_strerror(rc));
            return -1;
        }
        memcpy(ss, res->ai_addr, res->ai_addrlen);
        *len = res->ai_addrlen;
        rc = res->ai_family;
        freeaddrinfo(res);
        return rc;
    }
}

static int socket_open(const ChardevSpec *spec, Error **errp)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int family = socket_address(spec, &ss, &len, errp);
    int fd, one = 1;

    if (family < 0) {
        return -1;
    }
    fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
        return -1;
    }
    if (!spec->server) {
        if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
            error_setg_errno(errp, errno, "Failed to connect to '%s'",
                             spec->path ? spec->path : spec->port);
            close(fd);
            return -1;
        }
        return fd;
    }
    if (family == AF_UNIX) {
        unlink(spec->path);     /* a stale socket from an earlier run */
    } else {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    }
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
        error_setg_errno(errp, errno, "Failed to bind socket to %s%s%s",
                         spec->path ? spec->path : spec->host,
                         spec->path ? "" : ":", spec->path ? "" : spec->port);
        close(fd);
        return -1;
    }
    return fd;
}

static bool open_file(Chardev *chr, const ChardevSpec *spec, Error **errp)
{
    int fd = open(spec->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                  0666);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", spec->path);
        return false;
    }
    client_add(chr, -1, fd);
    return true;
}

Chardev *chardev_open(const ChardevSpec *spec, const CharHandlers *h,
                      void *opaque, Error **errp)
{
    Chardev *chr = g_new0(Chardev, 1);

    chr->spec.backend = spec->backend;
    chr->spec.path = spec->path;
    chr->h = *h;
    chr->opaque = opaque;
    chr->listen_fd = -1;
    chr->clients = g_ptr_array_new();
    switch (spec->backend) {
    case CHARDEV_NULL:
        return chr;
    case CHARDEV_STDIO:
        client_add(chr, STDIN_FILENO, STDOUT_FILENO);
        return chr;
    case CHARDEV_FILE:
        if (!open_file(chr, spec, errp)) {
            break;
        }
        return chr;
    case CHARDEV_SOCKET: {
        int fd = socket_open(spec, errp);

        if (fd < 0) {
            break;
        }
        if (!spec->server) {
            client_add(chr, fd, fd);
            return chr;
        }
        chr->listen_fd = fd;
        chr->spec.socket_mode = spec->socket_mode;
        chr->spec.path = g_strdup(spec->path);
        if (spec->wait) {
            /* wait=on: block start-up until the first client arrives. */
            int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

            if (cfd >= 0) {
                client_add(chr, cfd, cfd);
            }
        }
        g_unix_set_fd_nonblocking(fd, TRUE, NULL);
        chr->listen_watch = g_unix_fd_add(fd, G_IO_IN, accept_cb, chr);
        return chr;
    }
    }
    g_ptr_array_free(chr->clients, TRUE);
    g_free(chr);
    return NULL;
}

guint chardev_client_count(Chardev *chr)
{
    return chr->clients->len;
}

void chardev_close(Chardev *chr)
{
    if (!chr) {
        return;
    }
    while (chr->clients->len) {
        CharClient *c = g_ptr_array_index(chr->clients, 0);

        flush_backlog(c);
        client_closed(c);
    }
    if (chr->listen_watch) {
        g_source_remove(chr->listen_watch);
    }
    if (chr->listen_fd >= 0) {
        close(chr->listen_fd);
        if (chr->spec.socket_mode == SOCKET_UNIX && chr->spec.path) {
            unlink(chr->spec.path);
        }
        g_free(chr->spec.path);
    }
    g_ptr_array_free(chr->clients, TRUE);
    g_free(chr);
}
