/* libqtest: start a VMM under test, watch it and stop it. */
#include "libqtest-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 10000
#define QUIT_TIMEOUT_MS 5000
#define MAX_LIVE 64

/* ---- never leave a VMM behind ------------------------------------------- */

/*
 * What the signal handler needs, in memory it can read without locks or
 * allocation.  A slot is in use until qtest_quit() removed the directory
 * (used is written last when taken); pid is 0 once the VMM was reaped.
 */
typedef struct LiveVmm {
    volatile sig_atomic_t used;
    volatile pid_t pid;
    char dir[256];
    char qmp[300];
    char hmp[300];
    char qtest[300];
} LiveVmm;

static LiveVmm live[MAX_LIVE];
static bool cleanup_installed;
static struct sigaction old_actions[NSIG];

/* Async-signal-safe: kill, waitpid, unlink and rmdir only. */
static void kill_all_live(void)
{
    for (int i = 0; i < MAX_LIVE; i++) {
        pid_t pid = live[i].pid;

        if (!live[i].used) {
            continue;
        }
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            live[i].pid = 0;
        }
        unlink(live[i].qmp);
        if (live[i].hmp[0]) {
            unlink(live[i].hmp);
        }
        if (live[i].qtest[0]) {
            unlink(live[i].qtest);
        }
        rmdir(live[i].dir);
        live[i].used = 0;
    }
}

static void fatal_signal_handler(int sig)
{
    kill_all_live();
    sigaction(sig, &old_actions[sig], NULL);
    raise(sig);
}

static void install_cleanup(void)
{
    /* g_assert() aborts; g_error() traps (G_BREAKPOINT). */
    static const int sigs[] = {
        SIGABRT, SIGTRAP, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS,
        SIGILL, SIGFPE,
    };
    struct sigaction sa = { .sa_handler = fatal_signal_handler };

    if (cleanup_installed) {
        return;
    }
    cleanup_installed = true;
    /* A VMM that went away must not kill the test with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
        sigaction(sigs[i], &sa, &old_actions[sigs[i]]);
    }
    atexit(kill_all_live);
}

static int live_add(QTestState *s)
{
    for (int i = 0; i < MAX_LIVE; i++) {
        if (!live[i].used) {
            g_strlcpy(live[i].dir, s->tmpdir, sizeof(live[i].dir));
            g_strlcpy(live[i].qmp, s->qmp_path, sizeof(live[i].qmp));
            g_strlcpy(live[i].hmp, s->hmp_path ? s->hmp_path : "",
                      sizeof(live[i].hmp));
            if (!qtest_is_qemu()) {
                g_autofree char *q = qtest_protocol_socket_path(s->tmpdir);

                g_strlcpy(live[i].qtest, q, sizeof(live[i].qtest));
            } else {
                live[i].qtest[0] = '\0';
            }
            live[i].pid = s->pid;
            live[i].used = 1;
            return i;
        }
    }
    g_error("libqtest: more than %d VMMs at once", MAX_LIVE);
}

/* ---- which VMM ---------------------------------------------------------- */

QTestVmm qtest_vmm(void)
{
    const char *vmm = g_getenv("TIDE_TEST_VMM");

    if (vmm && g_str_equal(vmm, "qemu")) {
        return QTEST_VMM_QEMU_TCG;
    }
    if (g_getenv("QTEST_QEMU_BINARY")) {
        return QTEST_VMM_QTEST_BINARY;
    }
    return QTEST_VMM_TIDE;
}

bool qtest_skip_unless_tide(const char *why)
{
    g_autofree char *msg = NULL;

    if (qtest_is_tide()) {
        return false;
    }
    msg = g_strdup_printf("Tide-only: %s", why);
    g_test_skip(msg);
    return true;
}

const char *qtest_vmm_binary(void)
{
    const char *tide = g_getenv("TIDE_BINARY");

    switch (qtest_vmm()) {
    case QTEST_VMM_QEMU_TCG:
        return "qemu-system-x86_64";
    case QTEST_VMM_QTEST_BINARY:
        return g_getenv("QTEST_QEMU_BINARY");
    case QTEST_VMM_TIDE:
        break;
    }
    if (tide && *tide) {
        return tide;
    }
    /* Run by hand from the source or the build directory. */
    return g_file_test("build/tide", G_FILE_TEST_IS_EXECUTABLE) ? "build/tide"
                                                               : "./tide";
}

unsigned qtest_timeout_ms(void)
{
    const char *env = g_getenv("QTEST_TIMEOUT_MS");
    guint64 v;

    if (env && g_ascii_string_to_unsigned(env, 10, 1, G_MAXUINT, &v, NULL)) {
        return (unsigned)v;
    }
    return 30000;
}

/* ---- the process -------------------------------------------------------- */

static GPtrArray *build_argv(QTestState *s, const char *extra_args)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) extra = NULL;
    g_autoptr(GError) err = NULL;

    g_ptr_array_add(argv, g_strdup(qtest_vmm_binary()));
    if (qtest_is_qemu()) {
        /* Debian's QEMU has no qtest accelerator: a paused TCG guest. */
        for (const char *const *a = (const char *const[]){
                 "-accel", "tcg", "-S", "-display", "none", "-nodefaults",
                 NULL }; *a; a++) {
            g_ptr_array_add(argv, g_strdup(*a));
        }
    } else {
        for (const char *const *a = (const char *const[]){
                 "-accel", "qtest", "-display", "none", NULL }; *a; a++) {
            g_ptr_array_add(argv, g_strdup(*a));
        }
    }
    g_ptr_array_add(argv, g_strdup("-qmp"));
    g_ptr_array_add(argv, g_strdup_printf("unix:%s,server=on,wait=off",
                                          s->qmp_path));
    if (!qtest_is_qemu()) {
        g_autofree char *qtest_path = qtest_protocol_socket_path(s->tmpdir);

        g_ptr_array_add(argv, g_strdup("-qtest"));
        g_ptr_array_add(argv, g_strdup_printf("unix:%s,server=on,wait=off",
                                              qtest_path));
    }
    if (s->hmp_path) {
        g_ptr_array_add(argv, g_strdup("-monitor"));
        g_ptr_array_add(argv, g_strdup_printf("unix:%s,server=on,wait=off",
                                              s->hmp_path));
    }
    if (extra_args && *extra_args &&
        !g_shell_parse_argv(extra_args, NULL, &extra, &err)) {
        g_error("libqtest: bad extra_args '%s': %s", extra_args,
                err->message);
    }
    for (int i = 0; extra && extra[i]; i++) {
        g_ptr_array_add(argv, g_strdup(extra[i]));
    }
    g_ptr_array_add(argv, NULL);
    return argv;
}

static pid_t spawn(char **argv)
{
    pid_t parent = getpid();
    pid_t pid = fork();

    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);

        /* Even a SIGKILLed test process must not leave its VMM behind. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(127);
        }
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
        }
        /* stdout is the TAP stream: the VMM's chatter goes to stderr. */
        dup2(STDERR_FILENO, STDOUT_FILENO);
        execvp(argv[0], argv);
        fprintf(stderr, "libqtest: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

static bool reap(QTestState *s, bool block)
{
    int st;
    pid_t r;

    if (s->pid <= 0) {
        return true;
    }
    do {
        r = waitpid(s->pid, &st, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r != s->pid) {
        return false;
    }
    s->wstatus = st;
    s->pid = 0;
    live[s->live_slot].pid = 0;
    return true;
}

bool qtest_probe_alive(QTestState *s)
{
    return !reap(s, false);
}

int qtest_wait_exit(QTestState *s, unsigned timeout_ms)
{
    gint64 deadline = deadline_after(timeout_ms);

    while (!reap(s, false)) {
        if (ms_left(deadline) == 0) {
            return -1;
        }
        g_usleep(10 * 1000);
    }
    return s->wstatus;
}

static char *describe_status(int st)
{
    if (WIFEXITED(st)) {
        return g_strdup_printf("exit status %d", WEXITSTATUS(st));
    }
    return g_strdup_printf("signal %d", WTERMSIG(st));
}

static void connect_qmp(QTestState *s)
{
    gint64 deadline = deadline_after(CONNECT_TIMEOUT_MS);

    for (;;) {
        s->qmp_fd = qtest_unix_connect(s->qmp_path);
        if (s->qmp_fd >= 0) {
            return;
        }
        if (reap(s, false)) {
            g_autofree char *how = describe_status(s->wstatus);

            g_error("libqtest: %s ended (%s) before serving QMP",
                    qtest_vmm_binary(), how);
        }
        if (ms_left(deadline) == 0) {
            g_error("libqtest: %s did not serve QMP on %s within %d ms",
                    qtest_vmm_binary(), s->qmp_path, CONNECT_TIMEOUT_MS);
        }
        g_usleep(10 * 1000);
    }
}

static QTestState *init_full(const char *extra_args, bool handshake,
                             bool hmp_socket)
{
    QTestState *s = g_new0(QTestState, 1);
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(GError) err = NULL;

    install_cleanup();
    s->qmp_fd = s->qtest_fd = -1;
    s->rx = g_string_new(NULL);
    s->tmpdir = g_dir_make_tmp("tide-qtest-XXXXXX", &err);
    g_assert_no_error(err);
    s->qmp_path = g_build_filename(s->tmpdir, "qmp.sock", NULL);
    if (hmp_socket) {
        s->hmp_path = g_build_filename(s->tmpdir, "hmp.sock", NULL);
    }
    argv = build_argv(s, extra_args);
    s->pid = spawn((char **)argv->pdata);
    s->live_slot = live_add(s);
    connect_qmp(s);
    if (!qtest_is_qemu()) {
        g_autofree char *qtest_path = qtest_protocol_socket_path(s->tmpdir);

        s->qtest_fd = qtest_protocol_connect(qtest_path);
    }
    s->greeting = qtest_qmp_receive_any(s);
    g_assert_nonnull(as_object(s->greeting));
    g_assert_true(json_object_has_member(as_object(s->greeting), "QMP"));
    if (handshake) {
        g_autoptr(JsonNode) rsp =
            qtest_qmp(s, "{\"execute\": \"qmp_capabilities\"}");

        qmp_rsp_return(rsp);
    }
    return s;
}

QTestState *qtest_init(const char *extra_args)
{
    return init_full(extra_args, true, false);
}

QTestState *qtest_initf(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *args = NULL;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return init_full(args, true, false);
}

QTestState *qtest_init_without_qmp_handshake(const char *extra_args)
{
    return init_full(extra_args, false, false);
}

QTestState *qtest_init_with_hmp_socket(const char *extra_args)
{
    return init_full(extra_args, true, true);
}

/*
 * Ask the VMM to quit on a fresh connection: the main one may hold half
 * a JSON text from the test.  QEMU serves one client at a time, so the
 * main connection is closed first.
 */
static void request_quit(QTestState *s)
{
    static const char quit[] = "{\"execute\": \"qmp_capabilities\"}\n"
                               "{\"execute\": \"quit\"}\n";
    int fd;

    if (s->qmp_fd >= 0) {
        close(s->qmp_fd);
        s->qmp_fd = -1;
    }
    fd = qtest_unix_connect(s->qmp_path);
    if (fd < 0) {
        kill(s->pid, SIGTERM);
        return;
    }
    qtest_fd_send_all(fd, quit, strlen(quit));
    /*
     * Read until the VMM hangs up: QEMU drops the queued quit of a client
     * that is gone.
     */
    for (gint64 deadline = deadline_after(QUIT_TIMEOUT_MS);
         qtest_wait_readable(fd, deadline);) {
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n == 0 || (n < 0 && errno != EINTR)) {
            break;
        }
    }
    close(fd);
}

static void remove_tmpdir(QTestState *s)
{
    g_autoptr(GDir) dir = g_dir_open(s->tmpdir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(s->tmpdir, name, NULL);

        unlink(path);
    }
    rmdir(s->tmpdir);
}

void qtest_set_expected_status(QTestState *s, int status)
{
    s->expected_status = status;
}

void qtest_quit(QTestState *s)
{
    bool killed = false;

    if (!s) {
        return;
    }
    if (s->pid > 0 && !reap(s, false)) {
        request_quit(s);
        if (qtest_wait_exit(s, QUIT_TIMEOUT_MS) == -1) {
            kill(s->pid, SIGKILL);
            reap(s, true);
            killed = true;
        }
    }
    if (s->qmp_fd >= 0) {
        close(s->qmp_fd);
    }
    if (s->qtest_fd >= 0) {
        close(s->qtest_fd);
    }
    remove_tmpdir(s);
    live[s->live_slot].used = 0;
    if (killed && s->expected_status != -1) {
        g_error("libqtest: %s did not exit within %d ms of quit",
                qtest_vmm_binary(), QUIT_TIMEOUT_MS);
    }
    if (!killed && s->expected_status != -1 &&
        !(WIFEXITED(s->wstatus) &&
          WEXITSTATUS(s->wstatus) == s->expected_status)) {
        g_autofree char *how = describe_status(s->wstatus);

        g_error("libqtest: %s ended with %s, expected exit status %d",
                qtest_vmm_binary(), how, s->expected_status);
    }
    qtest_qmp_events_clear(s);
    g_queue_clear_full(&s->responses, (GDestroyNotify)json_node_unref);
    if (s->greeting) {
        json_node_unref(s->greeting);
    }
    g_string_free(s->rx, TRUE);
    g_free(s->tmpdir);
    g_free(s->qmp_path);
    g_free(s->hmp_path);
    g_free(s);
}

pid_t qtest_pid(QTestState *s)
{
    return s->pid;
}

const char *qtest_tmpdir(QTestState *s)
{
    return s->tmpdir;
}

const char *qtest_qmp_socket_path(QTestState *s)
{
    return s->qmp_path;
}

const char *qtest_hmp_socket_path(QTestState *s)
{
    return s->hmp_path;
}

int qtest_qmp_fd(QTestState *s)
{
    return s->qmp_fd;
}

int qtest_qtest_fd(QTestState *s)
{
    return s->qtest_fd;
}
