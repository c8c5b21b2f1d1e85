/* Character devices: sockets, stdio, files that monitors and UARTs talk on. */
#ifndef UTIL_CHARDEV_H
#define UTIL_CHARDEV_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include "util/error.h"

typedef enum SocketMode { SOCKET_UNIX, SOCKET_TCP } SocketMode;

typedef enum ChardevBackend {
    CHARDEV_SOCKET,
    CHARDEV_STDIO,
    CHARDEV_FILE,
    CHARDEV_NULL,
} ChardevBackend;

/* What the command line said. */
typedef struct ChardevSpec {
    char *id;
    char *loc;
    ChardevBackend backend;
    SocketMode socket_mode;
    char *path;         /* unix socket or file */
    char *host;
    char *port;
    bool server;        /* listen (true) or connect (false) */
    bool wait;          /* server: block until the first client connects */
    bool mux;           /* "mon:stdio": monitor and serial share stdio */
} ChardevSpec;

/* One connection: a socket client, or the stdio/file stream itself. */
typedef struct CharClient CharClient;

typedef struct CharHandlers {
    void (*connected)(void *opaque, CharClient *c);
    void (*received)(void *opaque, CharClient *c, const char *buf,
                     size_t len);
    /* The peer went away; c is freed after this returns. */
    void (*closed)(void *opaque, CharClient *c);
    /*
     * Optional, for a server that serves each connection on a thread of
     * its own: the connection's fds are handed over instead of becoming a
     * CharClient (none of the three above is called for it), and the
     * handler closes them (but never 0, 1 or 2).  false refuses the
     * connection: the chardev closes it.  Main loop thread, or start-up.
     */
    bool (*adopt)(void *opaque, int in_fd, int out_fd);
} CharHandlers;

typedef struct Chardev Chardev;

/*
 * Open the spec's endpoint and attach it to the GLib main context.
 * A server socket accepts any number of clients (a deliberate difference
 * from QEMU, whose socket chardev serves one at a time): each gets its own
 * CharClient.  Must be called from the main loop thread.
 */
Chardev *chardev_open(const ChardevSpec *spec, const CharHandlers *h,
                      void *opaque, Error **errp);
void chardev_close(Chardev *chr);
/* Clients connected now. */
guint chardev_client_count(Chardev *chr);

/*
 * Queue bytes for the peer without blocking.  A client that lets more
 * than CHAR_CLIENT_MAX_BACKLOG bytes pile up is disconnected rather than
 * letting it grow Tide's memory.
 */
#define CHAR_CLIENT_MAX_BACKLOG (16u << 20)
void char_client_write(CharClient *c, const char *buf, size_t len);
void char_client_set_opaque(CharClient *c, void *opaque);
void *char_client_get_opaque(CharClient *c);
/* Close from our side; closed() runs from the main loop soon after. */
void char_client_disconnect(CharClient *c);

#endif
