/* The fault loop (STYLE 13d): fail the Nth populate or discard, N = 1, 2, ... until no fault hits, and check every run. */
#include "libqtest.h"

#include <string.h>
#include <sys/wait.h>
#include "util.h"
#include "virtio-mem.h"

#define BS          (2 * MiB)
#define DEV_PATH    "/machine/peripheral/vm0"
#define MEM_PATH    "/objects/mem0"
#define MEM_MAPPING "/memfd:mem0 (deleted)"
/*
 * A small device so that one run is quick: 128 MiB, 64 blocks, plugged
 * 2 blocks (4 MiB) per request so each step sends several requests.
 * memfd, so the backend is one named mapping in smaps, and its default
 * unplugged-inaccessible=on: unplugged blocks are not there at all.
 */
#define ARGS \
    "-m 512M,maxmem=4G -object memory-backend-memfd,id=mem0,size=128M " \
    "-device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0%s"
#define CHUNK_BLOCKS    2
#define SYNC_TIMEOUT_US (20 * G_USEC_PER_SEC)
/* More runs than the workload has operations means injection is broken. */
#define MAX_RUNS        64
#define MARKER          UINT64_C(0x6661756c74746964)    /* "ditfault" */

typedef enum StepKind {
    STEP_RESIZE,        /* set requested-size, the driver follows */
    STEP_NEW_DRIVER,    /* a new driver (kexec): UNPLUG_ALL, then plug */
    STEP_RESET,         /* system_reset unplugs all; the guest boots again */
} StepKind;

/*
 * The workload of every run, and how many populates (with prealloc) and
 * discards each step makes when nothing fails: the loop checks that a
 * clean run counted exactly these, so N covers every operation.
 */
typedef struct Step {
    const char *what;
    StepKind kind;
    uint64_t size;
    unsigned populates, discards;
} Step;

static const Step workload[] = {
    { "plug 16M", STEP_RESIZE, 16 * MiB, 4, 0 },
    { "unplug to 4M", STEP_RESIZE, 4 * MiB, 0, 3 },
    { "plug to 20M", STEP_RESIZE, 20 * MiB, 4, 0 },
    { "new driver: UNPLUG_ALL, plug 20M", STEP_NEW_DRIVER, 0, 5, 1 },
    { "system reset, plug 20M", STEP_RESET, 0, 5, 1 },
    { "unplug to 0", STEP_RESIZE, 0, 0, 5 },
};

typedef struct FaultCase {
    const char *path;
    const char *op;             /* "populate" or "discard" */
    const char *err;            /* "ENOMEM" or "EIO" */
} FaultCase;

typedef struct Run {
    QTestState *qts;
    QPCIBus *bus;
    QGuestAllocator *alloc;
    QVirtioMem *m;
    bool populate;              /* the populate loop: prealloc=on */
    int fault_step;             /* the step the fault hit, -1 if none */
    bool reset_left_plugged;    /* after the reset, the driver found memory */
} Run;

/* ---- one run -------------------------------------------------------------- */

static Run *run_start(bool populate)
{
    QVirtioMemOptions opts = { .chunk_blocks = CHUNK_BLOCKS };
    Run *r = g_new0(Run, 1);

    r->populate = populate;
    r->fault_step = -1;
    r->qts = qtest_initf(ARGS, populate ? ",prealloc=on" : "");
    r->bus = qpci_bus_new(r->qts);
    r->alloc = guest_alloc_new(QOS_ALLOC_START, QOS_ALLOC_SIZE);
    r->m = qvirtio_mem_new(r->bus, r->alloc, 0, &opts);
    return r;
}

static void run_stop(Run *r)
{
    qvirtio_mem_free(r->m);
    guest_alloc_free_all(r->alloc);
    qpci_bus_free(r->bus);
    qtest_quit(r->qts);
    g_free(r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Run, run_stop)

static uint64_t stat(Run *r, const char *name)
{
    g_autofree char *prop = g_strdup_printf("x-stats-%s", name);

    return qos_qom_get_uint(r->qts, DEV_PATH, prop);
}

static uint64_t injected(Run *r)
{
    return qos_qom_get_uint(r->qts, MEM_PATH, "x-injected-faults");
}

static void arm(Run *r, const char *op, unsigned n, const char *err)
{
    g_autofree char *spec = g_strdup_printf("%s:%u:%s", op, n, err);
    g_autoptr(JsonNode) rsp = qos_qom_set_str(r->qts, MEM_PATH,
                                              "x-inject-fault", spec);

    g_assert_false(qmp_rsp_is_error(rsp));
}

static void check_step(Run *r, const char *what);

/*
 * Host memory against the device's own size, cheap enough for after
 * every request: nothing the guest was not given may be resident.  With
 * prealloc every plugged block is populated; without, only what the
 * guest wrote (check_blocks fills every plugged block), so at most size.
 */
static void check_rss(Run *r, const char *what)
{
    uint64_t size = qos_qom_get_uint(r->qts, DEV_PATH, "size");
    uint64_t rss = qos_vmm_mapping_rss(r->qts, MEM_MAPPING);

    if (rss > size || (r->populate && rss != size)) {
        g_error("%s: the backend has %" G_GUINT64_FORMAT " KiB resident, "
                "the device %" G_GUINT64_FORMAT " KiB plugged", what,
                rss / KiB, size / KiB);
    }
}

/*
 * Follow requested-size as qvirtio_mem_sync_until_idle does, checking
 * host memory after every request, and everything right after a BUSY,
 * before the driver retries (a retry of the same blocks would hide
 * memory a failed plug left behind).
 */
static void sync_driver(Run *r, const char *what)
{
    QVirtioMem *m = r->m;
    gint64 deadline = g_get_monotonic_time() + SYNC_TIMEOUT_US;
    uint64_t requests = m->stats.requests, busy = m->stats.busy;

    while (!qvirtio_mem_sync(m) && g_get_monotonic_time() < deadline) {
        if (m->stats.busy != busy) {
            g_autofree char *at = g_strdup_printf("%s, after BUSY", what);

            busy = m->stats.busy;
            check_step(r, at);
        } else if (m->stats.requests != requests) {
            check_rss(r, what);
        }
        requests = m->stats.requests;
        if (m->retry_after_us) {
            g_usleep(1000);
        }
    }
    if (m->broken || qvirtio_mem_plugged_size(m) != m->cfg.requested_size) {
        g_error("%s: the driver did not reach %" G_GUINT64_FORMAT " (has %"
                G_GUINT64_FORMAT ", broken: %s)", what,
                (uint64_t)m->cfg.requested_size, qvirtio_mem_plugged_size(m),
                m->broken_reason ? m->broken_reason : "no");
    }
}

static void run_step(Run *r, const Step *s)
{
    switch (s->kind) {
    case STEP_RESIZE:
        qos_qom_set_uint(r->qts, DEV_PATH, "requested-size", s->size);
        break;
    case STEP_NEW_DRIVER:
        g_assert_true(qvirtio_mem_init(r->m));
        /* D5: it finds memory plugged and unplugs all first. */
        g_assert_true(r->m->unplug_all_required);
        break;
    case STEP_RESET:
        qtest_qmp_assert_success(r->qts, "{\"execute\": \"system_reset\"}");
        check_rss(r, s->what);
        g_assert_true(qvirtio_mem_init(r->m));
        /* Only a failed discard at reset leaves memory for UNPLUG_ALL. */
        r->reset_left_plugged = r->m->unplug_all_required;
        check_step(r, "after the reset");
        break;
    }
    sync_driver(r, s->what);
}

/* ---- what must hold after every step ---------------------------------------- */

static bool driver_has_block(QVirtioMem *m, uint64_t b)
{
    return m->bitmap[b / 64] >> (b % 64) & 1;
}

/*
 * The device, the driver and the mapping agree, block by block: STATE
 * answers what the driver's bitmap says (when the driver knows: not
 * while its UNPLUG_ALL is pending); a block STATE calls plugged is RAM
 * (a marker written reads back), any other is not (the write goes
 * nowhere).  Then the plugged blocks are filled, so all of them cost
 * host memory.  Returns how many blocks are plugged.
 */
static uint64_t check_blocks(Run *r, const char *what, bool driver_knows)
{
    QVirtioMem *m = r->m;
    uint64_t blocks = m->cfg.usable_region_size / BS, count = 0;

    for (uint64_t b = 0; b < blocks; b++) {
        uint64_t gpa = m->cfg.addr + b * BS;
        bool plugged = qvirtio_mem_block_state(m, gpa, 1) ==
                       VIRTIO_MEM_STATE_PLUGGED;

        if (driver_knows && plugged != driver_has_block(m, b)) {
            g_error("%s: block %" G_GUINT64_FORMAT ": the driver has it %s, "
                    "STATE says otherwise", what, b,
                    plugged ? "unplugged" : "plugged");
        }
        qtest_writeq(r->qts, gpa + 8, MARKER);
        if ((qtest_readq(r->qts, gpa + 8) == MARKER) != plugged) {
            g_error("%s: block %" G_GUINT64_FORMAT " is %s but %s guest RAM",
                    what, b, plugged ? "plugged" : "unplugged",
                    plugged ? "not" : "still");
        }
        if (plugged) {
            qtest_memset(r->qts, gpa, 0xa5, BS);
            count++;
        }
    }
    return count;
}

static void check_step(Run *r, const char *what)
{
    bool driver_knows = !r->m->unplug_all_required;
    uint64_t size, rss;

    /* Tide runs and QMP answers. */
    g_assert_true(qtest_probe_alive(r->qts));
    size = qos_qom_get_uint(r->qts, DEV_PATH, "size");
    qvirtio_mem_read_config(r->m);
    g_assert_cmpuint(r->m->cfg.plugged_size, ==, size);
    g_assert_false(r->m->broken);
    if (driver_knows) {
        g_assert_cmpuint(qvirtio_mem_plugged_size(r->m), ==, size);
    }
    g_assert_cmpuint(check_blocks(r, what, driver_knows) * BS, ==, size);
    /* Memory the guest was not given is not resident; what it was, is. */
    rss = qos_vmm_mapping_rss(r->qts, MEM_MAPPING);
    if (rss != size) {
        g_error("%s: the backend has %" G_GUINT64_FORMAT " KiB resident, "
                "the device %" G_GUINT64_FORMAT " KiB plugged", what,
                rss / KiB, size / KiB);
    }
}

/* ---- what the fault left behind -------------------------------------------- */

/*
 * The Nth operation failed: the device said BUSY to exactly one request
 * (never ERROR, which stops Linux's driver), counted the failure, and
 * the driver's retry succeeded (every step reached its size).  A discard
 * that fails at reset answers no request: the blocks stay plugged, and
 * the rebooted driver's UNPLUG_ALL gives them back.
 */
static void check_fault_seen(Run *r, bool populate_op)
{
    /* The reset step's first discard is the reset's own. */
    bool at_reset = workload[r->fault_step].kind == STEP_RESET &&
                    !populate_op;
    uint64_t busy = at_reset ? 0 : 1;

    g_assert_cmpuint(stat(r, "populate-fails"), ==, populate_op ? 1 : 0);
    g_assert_cmpuint(stat(r, "discard-fails"), ==, populate_op ? 0 : 1);
    g_assert_cmpuint(stat(r, "busy"), ==, busy);
    g_assert_cmpuint(r->m->stats.busy, ==, busy);
    g_assert_cmpuint(r->m->stats.errors, ==, 0);
    g_assert_cmpuint(stat(r, "errors"), ==, 0);
    /* Only the reset's failure leaves the rebooted driver memory to unplug. */
    g_assert_true(r->reset_left_plugged == at_reset);
}

static void check_clean(Run *r)
{
    g_assert_cmpuint(stat(r, "populate-fails"), ==, 0);
    g_assert_cmpuint(stat(r, "discard-fails"), ==, 0);
    g_assert_cmpuint(stat(r, "busy"), ==, 0);
    g_assert_cmpuint(r->m->stats.busy + r->m->stats.errors, ==, 0);
    g_assert_false(r->reset_left_plugged);
}

/* ---- the loop ------------------------------------------------------------------ */

static unsigned workload_ops(bool populate_op)
{
    unsigned n = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(workload); i++) {
        n += populate_op ? workload[i].populates : workload[i].discards;
    }
    return n;
}

/* One run with the Nth operation failing; false when no fault hit. */
static bool run_once(const FaultCase *fc, unsigned n)
{
    bool populate_op = g_str_equal(fc->op, "populate");
    g_autoptr(Run) r = run_start(populate_op);
    g_autofree char *left = NULL, *armed = NULL;

    arm(r, fc->op, n, fc->err);
    for (size_t i = 0; i < G_N_ELEMENTS(workload); i++) {
        uint64_t before = injected(r);
        g_autofree char *what = g_strdup_printf("N=%u, step '%s'", n,
                                                workload[i].what);

        run_step(r, &workload[i]);
        if (injected(r) != before) {
            r->fault_step = (int)i;
        }
        check_step(r, what);
    }
    if (r->fault_step < 0) {
        check_clean(r);
        /* Nothing hit: the countdown ran through exactly the workload. */
        left = qos_qom_get_str(r->qts, MEM_PATH, "x-inject-fault");
        armed = g_strdup_printf("%s:1:%s", fc->op, fc->err);
        g_assert_cmpuint(n, ==, workload_ops(populate_op) + 1);
        g_assert_cmpstr(left, ==, armed);
        return false;
    }
    g_assert_cmpuint(injected(r), ==, 1);
    check_fault_seen(r, populate_op);
    return true;
}

static void test_fault_loop(const void *opaque)
{
    const FaultCase *fc = opaque;
    gint64 t0 = g_get_monotonic_time();
    unsigned n = 1;

    while (run_once(fc, n)) {
        g_assert_cmpuint(++n, <=, MAX_RUNS);
    }
    g_test_message("%s:N:%s: %u runs (%u faulted), %.1f s", fc->op, fc->err,
                   n, n - 1, (double)(g_get_monotonic_time() - t0) / 1e6);
}

/* ---- the property over QMP and HMP: hostile values change nothing ----------- */

static void assert_armed(QTestState *qts, const char *want)
{
    g_autofree char *got = qos_qom_get_str(qts, MEM_PATH, "x-inject-fault");

    g_assert_cmpstr(got, ==, want);
}

static void test_bad_values_change_nothing(void)
{
    static const char *const bad[][2] = {
        { "\"populate:0:ENOMEM\"", "'x-inject-fault': N must be a decimal "
          "number from 1 to 18446744073709551615, not '0'" },
        { "\"populate:1:EAGAIN\"", "'x-inject-fault': cannot inject errno "
          "'EAGAIN' (ENOMEM or EIO)" },
        { "\"mmap:1:EIO\"", "'x-inject-fault': unknown operation 'mmap' "
          "(populate or discard)" },
        { "\"discard:1:EIO:1\"", "'x-inject-fault' expects "
          "'populate:N:ERRNO', 'discard:N:ERRNO', or '' or 'off' to disarm, "
          "not 'discard:1:EIO:1'" },
        { "1", "Invalid parameter type for 'x-inject-fault', expected: "
          "string" },
        { "null", "Invalid parameter type for 'x-inject-fault', expected: "
          "string" },
        { "[\"discard:1:EIO\"]", "Invalid parameter type for "
          "'x-inject-fault', expected: string" },
    };
    g_autoptr(Run) r = run_start(false);
    g_autofree char *hmp = NULL;

    arm(r, "discard", 2, "EIO");
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(JsonNode) rsp = qtest_qmp(
            r->qts, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
            "\"mem0\", \"property\": \"x-inject-fault\", \"value\": %s}}",
            bad[i][0]);

        qmp_assert_error(rsp, "GenericError", bad[i][1]);
        assert_armed(r->qts, "discard:2:EIO");
    }
    hmp = qtest_hmp(r->qts, "qom-set mem0 x-inject-fault discard:x:EIO");
    g_assert_cmpstr(hmp, ==, "Error: 'x-inject-fault': N must be a decimal "
                    "number from 1 to 18446744073709551615, not 'x'\r\n");
    g_clear_pointer(&hmp, g_free);
    hmp = qtest_hmp(r->qts, "qom-set mem0 x-injected-faults 0");
    g_assert_cmpstr(hmp, ==, "Error: Property "
                    "'memory-backend.x-injected-faults' is not writable\r\n");
    assert_armed(r->qts, "discard:2:EIO");
    /* Still armed as it was: the first unplug is fine, the second BUSY. */
    qos_qom_set_uint(r->qts, DEV_PATH, "requested-size", 8 * MiB);
    sync_driver(r, "plug 8M");
    qos_qom_set_uint(r->qts, DEV_PATH, "requested-size", 0);
    sync_driver(r, "unplug to 0");
    g_assert_cmpuint(injected(r), ==, 1);
    g_assert_cmpuint(r->m->stats.busy, ==, 1);
    g_assert_cmpuint(stat(r, "discard-fails"), ==, 1);
    assert_armed(r->qts, "");
    /* HMP disarms with "off" (it cannot pass an empty string). */
    g_clear_pointer(&hmp, g_free);
    hmp = qtest_hmp(r->qts, "qom-set mem0 x-inject-fault populate:5:EIO");
    g_assert_cmpstr(hmp, ==, "");
    assert_armed(r->qts, "populate:5:EIO");
    g_clear_pointer(&hmp, g_free);
    hmp = qtest_hmp(r->qts, "qom-set mem0 x-inject-fault off");
    g_assert_cmpstr(hmp, ==, "");
    assert_armed(r->qts, "");
}

/*
 * realize gives the whole backend back first; if it cannot, memory the
 * guest was never given would stay (a prealloc'd backend, a file with
 * data): the device refuses to start, as QEMU's does.
 */
static void test_realize_discard_failure_refuses(void)
{
    /* A Tide that starts would run until killed: 124 after 20 s. */
    const char *argv[] = {
        "timeout", "20", qtest_vmm_binary(), "-accel", "qtest", "-display",
        "none",
        "-m", "512M,maxmem=4G", "-object",
        "memory-backend-memfd,id=mem0,size=128M,"
        "x-inject-fault=discard:1:EIO", "-device",
        "virtio-mem-pci,id=vm0,memdev=mem0", NULL,
    };
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GError) gerr = NULL;
    int status;

    if (!qtest_is_tide()) {
        g_test_skip("x-inject-fault is Tide's");
        return;
    }
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                               G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                               &status, &gerr));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, "tide: -device virtio-mem-pci,id=vm0,"
                            "memdev=mem0: Unexpected error discarding RAM: "
                            "cannot discard [0x0, +0x8000000) of memory "
                            "backend 'mem0': fault injected by "
                            "x-inject-fault: Input/output error\n"));
}

static const FaultCase cases[] = {
    { "/virtio-mem/fault-loop/populate-enomem", "populate", "ENOMEM" },
    { "/virtio-mem/fault-loop/populate-eio", "populate", "EIO" },
    { "/virtio-mem/fault-loop/discard-enomem", "discard", "ENOMEM" },
    { "/virtio-mem/fault-loop/discard-eio", "discard", "EIO" },
};

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-mem/fault-loop/bad-values-change-nothing",
                    test_bad_values_change_nothing);
    g_test_add_func("/virtio-mem/fault-loop/realize-discard-failure-refuses",
                    test_realize_discard_failure_refuses);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_add_data_func(cases[i].path, &cases[i], test_fault_loop);
    }
    return g_test_run();
}
