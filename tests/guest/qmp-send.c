/* qmp-send: a tiny QMP client for the guest-test L1 VM (no python there). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Reads one line (a QMP message); returns its length, -1 at EOF. */
static int read_line(int fd, char *buf, int max)
{
    int n = 0;

    while (n < max - 1) {
        if (read(fd, buf + n, 1) != 1) {
            return -1;
        }
        if (buf[n++] == '\n') {
            break;
        }
    }
    buf[n] = 0;
    return n;
}

/* Sends cmd and prints lines until the one that answers it (not an event). */
static int transact(int fd, const char *cmd)
{
    char line[65536];

    if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0) {
        return 1;
    }
    for (;;) {
        if (read_line(fd, line, sizeof(line)) < 0) {
            return 1;
        }
        fputs(line, stdout);
        if (strstr(line, "\"return\"") || strstr(line, "\"error\"")) {
            return strstr(line, "\"error\"") ? 2 : 0;
        }
    }
}

int main(int argc, char **argv)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char greeting[4096];
    int fd, rc = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: qmp-send SOCKET JSON...\n");
        return 1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    strncpy(sa.sun_path, argv[1], sizeof(sa.sun_path) - 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("qmp-send: connect");
        return 1;
    }
    if (read_line(fd, greeting, sizeof(greeting)) < 0 ||
        transact(fd, "{\"execute\":\"qmp_capabilities\"}")) {
        fprintf(stderr, "qmp-send: no QMP greeting\n");
        return 1;
    }
    for (int i = 2; i < argc && !rc; i++) {
        rc = transact(fd, argv[i]);
    }
    close(fd);
    return rc;
}
