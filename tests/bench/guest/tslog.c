/*
 * tslog: runs a VMM and stamps each line of its console with CLOCK_MONOTONIC,
 * so the guest bench can tell when the guest saw a resize (busybox has no
 * clock finer than /proc/uptime's 10 ms, and no per-line stamping at all).
 *
 *   tslog LOG CMD [ARG...]
 *       starts CMD with stdout and stderr on a pipe (stdin inherited);
 *       LOG gets "T @start pid=PID", then "T LINE" for each line (a
 *       trailing CR dropped), then "T @exit rc=RC".  Exits with CMD's
 *       status.  PID is CMD's own pid (no shell in between), so
 *       /proc/PID/status is the VMM's.
 *   tslog --now
 *       prints the current CLOCK_MONOTONIC time.
 *
 * T is seconds with 6 decimals, the same clock as qmp-send's
 * "resize start".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Writes one stamped record; the log is read while it grows, so no stdio. */
static void put(int fd, double t, const char *text, size_t len)
{
    char head[32];
    int n = snprintf(head, sizeof(head), "%.6f ", t);

    if (write(fd, head, n) < 0 || write(fd, text, len) < 0 ||
        write(fd, "\n", 1) < 0) {
        /* Nothing sensible to do: the bench will see a short log. */
    }
}

int main(int argc, char **argv)
{
    static char line[65536];
    size_t used = 0;
    int pipefd[2], log, status;
    char msg[64];
    pid_t pid;

    if (argc == 2 && !strcmp(argv[1], "--now")) {
        printf("%.6f\n", now());
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: tslog LOG CMD [ARG...] | tslog --now\n");
        return 1;
    }
    log = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (log < 0 || pipe(pipefd) < 0) {
        perror("tslog");
        return 1;
    }
    pid = fork();
    if (pid < 0) {
        perror("tslog: fork");
        return 1;
    }
    if (pid == 0) {
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        close(pipefd[1]);
        close(log);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "tslog: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    put(log, now(), msg, snprintf(msg, sizeof(msg), "@start pid=%d", (int)pid));
    for (;;) {
        ssize_t n = read(pipefd[0], line + used, sizeof(line) - used);
        double t = now();
        size_t start = 0;

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        used += n;
        for (size_t i = 0; i < used; i++) {
            if (line[i] == '\n') {
                size_t len = i - start;

                if (len && line[i - 1] == '\r') {
                    len--;
                }
                put(log, t, line + start, len);
                start = i + 1;
            }
        }
        memmove(line, line + start, used - start);
        used -= start;
        if (used == sizeof(line)) {
            /* A line longer than the buffer: stamp what there is. */
            put(log, t, line, used);
            used = 0;
        }
    }
    if (used) {
        put(log, now(), line, used);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    put(log, now(), msg,
        snprintf(msg, sizeof(msg), "@exit rc=%d",
                 WIFEXITED(status) ? WEXITSTATUS(status)
                                   : 128 + WTERMSIG(status)));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
