/*
 * qmp-send: a tiny QMP client for real-guest tests and the guest bench.
 * The L1 VM of the nested path has no Python; this is static and small.
 *
 *   qmp-send SOCKET JSON...
 *       sends each command, prints every line up to its answer;
 *       exit 2 when an answer is an error.
 *   qmp-send SOCKET --resize TIMEOUT_S ID=BYTES...
 *       sets requested-size of each /machine/peripheral/ID, then polls
 *       each device's size until it equals BYTES; prints "resize start T"
 *       (T: CLOCK_MONOTONIC seconds when the first qom-set goes out, to
 *       line up with other clocks' stamps), "reached ID BYTES SECONDS" as
 *       each gets there (SECONDS from T), then
 *       "resize done SECONDS events N" (N = MEMORY_DEVICE_SIZE_CHANGE
 *       events seen, each also printed as "event ID SIZE"); exit 3 and "resize timeout ID size=S" if not all
 *       arrive within TIMEOUT_S.  Polls every 2 ms, or every
 *       $QMP_SEND_POLL_MS ms: a poll costs the VMM a qom-get, which is
 *       not free (QEMU 7.2 spends ~0.5 ms of CPU on one, Tide ~0.02 ms),
 *       so a bench on one CPU polls less often.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEVICES 16

static int events_seen;

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

/* "event ID SIZE" for a MEMORY_DEVICE_SIZE_CHANGE (--resize mode). */
static void print_size_event(const char *line)
{
    const char *id = strstr(line, "\"id\": \"");
    const char *size = strstr(line, "\"size\": ");
    int len = 0;

    if (id) {
        id += strlen("\"id\": \"");
        len = (int)strcspn(id, "\"");
    }
    printf("event %.*s %lld\n", len, id ? id : "",
           size ? strtoll(size + strlen("\"size\": "), NULL, 10) : -1LL);
    fflush(stdout);
}

/*
 * Sends cmd and reads lines until its answer (not an event), which is left
 * in answer.  Lines are echoed when echo is set.  Returns 0 for a return,
 * 2 for an error, 1 when the connection fails.
 */
static int transact(int fd, const char *cmd, char *answer, int max, int echo)
{
    if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0) {
        return 1;
    }
    for (;;) {
        if (read_line(fd, answer, max) < 0) {
            return 1;
        }
        if (echo) {
            fputs(answer, stdout);
        }
        if (strstr(answer, "\"event\"")) {
            if (strstr(answer, "MEMORY_DEVICE_SIZE_CHANGE")) {
                events_seen++;
                if (!echo) {
                    print_size_event(answer);
                }
            }
            continue;
        }
        if (strstr(answer, "\"return\"") || strstr(answer, "\"error\"")) {
            return strstr(answer, "\"error\"") ? 2 : 0;
        }
    }
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* qom-get of a device's size; -1 when the answer is not a number. */
static long long device_size(int fd, const char *id)
{
    char cmd[256], answer[4096];
    const char *p;

    snprintf(cmd, sizeof(cmd),
             "{\"execute\":\"qom-get\",\"arguments\":{\"path\":"
             "\"/machine/peripheral/%s\",\"property\":\"size\"}}", id);
    if (transact(fd, cmd, answer, sizeof(answer), 0)) {
        return -1;
    }
    p = strstr(answer, "\"return\"");
    p = p ? strchr(p, ':') : NULL;
    return p ? strtoll(p + 1, NULL, 10) : -1;
}

static int resize(int fd, double timeout, int n, char **specs)
{
    char ids[MAX_DEVICES][64], cmd[512], answer[4096];
    long long want[MAX_DEVICES];
    int done[MAX_DEVICES] = { 0 }, left = n;
    useconds_t poll_us;
    double t0;

    if (n < 1 || n > MAX_DEVICES) {
        fprintf(stderr, "qmp-send: --resize takes 1 to %d ID=BYTES\n",
                MAX_DEVICES);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(specs[i], '=');

        if (!eq || eq == specs[i] || eq - specs[i] >= 64) {
            fprintf(stderr, "qmp-send: '%s' is not ID=BYTES\n", specs[i]);
            return 1;
        }
        memcpy(ids[i], specs[i], eq - specs[i]);
        ids[i][eq - specs[i]] = 0;
        want[i] = strtoll(eq + 1, NULL, 10);
    }
    t0 = now();
    printf("resize start %.6f\n", t0);
    for (int i = 0; i < n; i++) {
        snprintf(cmd, sizeof(cmd),
                 "{\"execute\":\"qom-set\",\"arguments\":{\"path\":"
                 "\"/machine/peripheral/%s\",\"property\":\"requested-size\","
                 "\"value\":%lld}}", ids[i], want[i]);
        if (transact(fd, cmd, answer, sizeof(answer), 0)) {
            printf("resize failed %s %s", ids[i], answer);
            return 2;
        }
    }
    poll_us = getenv("QMP_SEND_POLL_MS")
              ? (useconds_t)(atof(getenv("QMP_SEND_POLL_MS")) * 1000) : 2000;
    while (left && now() - t0 < timeout) {
        for (int i = 0; i < n; i++) {
            if (!done[i] && device_size(fd, ids[i]) == want[i]) {
                done[i] = 1;
                left--;
                printf("reached %s %lld %.3f\n", ids[i], want[i], now() - t0);
                fflush(stdout);
            }
        }
        usleep(poll_us);
    }
    for (int i = 0; i < n; i++) {
        if (!done[i]) {
            printf("resize timeout %s size=%lld\n", ids[i],
                   device_size(fd, ids[i]));
        }
    }
    if (left) {
        return 3;
    }
    printf("resize done %.3f events %d\n", now() - t0, events_seen);
    return 0;
}

int main(int argc, char **argv)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char line[65536];
    int fd, rc = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: qmp-send SOCKET JSON...\n"
                "       qmp-send SOCKET --resize TIMEOUT_S ID=BYTES...\n");
        return 1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    strncpy(sa.sun_path, argv[1], sizeof(sa.sun_path) - 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("qmp-send: connect");
        return 1;
    }
    if (read_line(fd, line, sizeof(line)) < 0 ||
        transact(fd, "{\"execute\":\"qmp_capabilities\"}", line,
                 sizeof(line), 1)) {
        fprintf(stderr, "qmp-send: no QMP greeting\n");
        return 1;
    }
    if (!strcmp(argv[2], "--resize") && argc >= 4) {
        rc = resize(fd, atof(argv[3]), argc - 4, argv + 4);
    } else {
        for (int i = 2; i < argc && !rc; i++) {
            rc = transact(fd, argv[i], line, sizeof(line), 1);
        }
    }
    close(fd);
    return rc;
}
