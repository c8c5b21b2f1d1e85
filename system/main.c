/* main(): parse the command line, build the VM, run the loop, unbuild. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <urcu.h>
#include "monitor/monitor.h"
#include "system/cmdline.h"
#include "system/runstate.h"
#include "system/startup.h"
#include "system/types.h"

static gboolean on_signal(gpointer data)
{
    int sig = GPOINTER_TO_INT(data);

    fprintf(stderr, "tide: terminating on signal %d\n", sig);
    system_shutdown_request("host-signal", false);
    return G_SOURCE_CONTINUE;
}

/*
 * -daemonize: the parent waits until the child has built the VM (or
 * failed, with its error already on stderr) and exits accordingly.
 */
static int daemonize_start(void)
{
    int fds[2];
    pid_t pid;
    char ok;

    if (pipe(fds) < 0) {
        perror("tide: -daemonize: pipe");
        exit(1);
    }
    pid = fork();
    if (pid < 0) {
        perror("tide: -daemonize: fork");
        exit(1);
    }
    if (pid > 0) {
        close(fds[1]);
        exit(read(fds[0], &ok, 1) == 1 ? 0 : 1);
    }
    close(fds[0]);
    setsid();
    return fds[1];
}

static void daemonize_finish(int fd)
{
    int null = open("/dev/null", O_RDWR);

    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        close(null);
    }
    if (write(fd, "1", 1) != 1) {
        exit(1);
    }
    close(fd);
}

static bool check_daemonize(TideConfig *cfg, Error **errp)
{
    for (guint i = 0; i < cfg->chardevs->len; i++) {
        ChardevSpec *c = g_ptr_array_index(cfg->chardevs, i);

        if (c->backend == CHARDEV_STDIO) {
            error_setg(errp, "-daemonize: stdio cannot be used with "
                       "-daemonize (%s)", c->loc ? c->loc : "stdio");
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    g_autoptr(Error) err = NULL;
    TideConfig *cfg;
    bool exit_now;
    int ready_fd = -1;

    signal(SIGPIPE, SIG_IGN);
    /* The main loop reads flat views (qtest, device DMA) under RCU. */
    rcu_register_thread();
    types_register_all();
    monitor_init_commands();
    runstate_commands_register();
    cfg = cmdline_parse(argc, argv, &exit_now, &err);
    if (!cfg) {
        error_report_err(g_steal_pointer(&err));
        return 1;
    }
    if (exit_now) {
        tide_config_free(cfg);
        return 0;
    }
    if (cfg->daemonize) {
        if (!check_daemonize(cfg, &err)) {
            error_report_err(g_steal_pointer(&err));
            return 1;
        }
        ready_fd = daemonize_start();
    }
    runstate_init(cfg->start_paused, cfg->name, cfg->no_reboot);
    if (!startup_run(cfg, &err)) {
        /* One line, as every command-line error: no hint lines. */
        error_report("%s", error_get_pretty(err));
        tide_config_free(cfg);
        return 1;
    }
    if (ready_fd >= 0) {
        daemonize_finish(ready_fd);
    }
    g_unix_signal_add(SIGTERM, on_signal, GINT_TO_POINTER(SIGTERM));
    g_unix_signal_add(SIGINT, on_signal, GINT_TO_POINTER(SIGINT));
    g_unix_signal_add(SIGHUP, on_signal, GINT_TO_POINTER(SIGHUP));
    main_loop_run();
    startup_teardown();
    tide_config_free(cfg);
    return 0;
}
