/* The memory manager with libqos virtio-mem drivers on every node: policies, stuck nodes, reset, libvirt's balloon. */
#include "libqtest.h"

#include <string.h>
#include "guest.h"

#define BS          (2 * MiB)
#define BOOT        (2 * GiB)
#define DEV_SIZE    (2 * GiB)
#define MM_PATH     "/machine/memory-manager"
#define CONVERGE_US (30 * G_USEC_PER_SEC)

/*
 * nodes NUMA nodes sharing 2 GiB of boot RAM, one 2 GiB virtio-mem-pci
 * per node (vm0 on node 0, ...), and mm_opts for -memory-manager.
 */
static QOSGuest *start(unsigned nodes, const char *mm_opts,
                       const QVirtioMemOptions *opts)
{
    g_autoptr(GString) a = g_string_new(NULL);
    QOSGuest *g;

    g_string_append_printf(a, "-m 2G,maxmem=%" G_GUINT64_FORMAT "G -smp %u",
                           (BOOT + nodes * DEV_SIZE) / GiB, nodes);
    for (unsigned i = 0; i < nodes; i++) {
        g_string_append_printf(a, " -object memory-backend-ram,id=ram%u,"
                               "size=%" G_GUINT64_FORMAT "M -numa node,"
                               "nodeid=%u,cpus=%u,memdev=ram%u", i,
                               BOOT / nodes / MiB, i, i, i);
    }
    for (unsigned i = 0; i < nodes; i++) {
        g_string_append_printf(a, " -object memory-backend-ram,id=mem%u,"
                               "size=%" G_GUINT64_FORMAT "M -device "
                               "virtio-mem-pci,id=vm%u,memdev=mem%u,node=%u,"
                               "requested-size=0", i, DEV_SIZE / MiB, i, i,
                               i);
    }
    if (mm_opts) {
        g_string_append_printf(a, " -memory-manager %s", mm_opts);
    }
    g = qos_guest_start(a->str);
    qos_guest_add_all_virtio_mem(g, opts);
    g_assert_cmpuint(g->mems->len, ==, nodes);
    return g;
}

/* ---- the manager's view ------------------------------------------------------- */

typedef struct MMState {
    JsonNode *rsp;
    JsonObject *ret;
    JsonArray *devs;
} MMState;

static void mm_state_free(MMState *st)
{
    json_node_unref(st->rsp);
    g_free(st);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MMState, mm_state_free)

static MMState *mm_query(QOSGuest *g)
{
    MMState *st = g_new0(MMState, 1);

    st->rsp = qtest_qmp(g->qts, "{\"execute\": \"query-memory-manager\"}");
    st->ret = qmp_rsp_return_object(st->rsp);
    st->devs = json_object_get_array_member(st->ret, "devices");
    return st;
}

static const char *mm_str(MMState *st, const char *member)
{
    return json_object_get_string_member(st->ret, member);
}

static uint64_t mm_uint(MMState *st, const char *member)
{
    return (uint64_t)json_object_get_int_member(st->ret, member);
}

static JsonObject *mm_dev(MMState *st, unsigned i)
{
    g_assert_cmpuint(i, <, json_array_get_length(st->devs));
    return json_array_get_object_element(st->devs, i);
}

static uint64_t dev_uint(MMState *st, unsigned i, const char *member)
{
    return (uint64_t)json_object_get_int_member(mm_dev(st, i), member);
}

static bool dev_stuck(MMState *st, unsigned i)
{
    return json_object_get_boolean_member(mm_dev(st, i), "stuck");
}

static char *state_of(QOSGuest *g)
{
    g_autoptr(MMState) st = mm_query(g);

    return g_strdup(mm_str(st, "state"));
}

static void balloon(QOSGuest *g, uint64_t size)
{
    g_autoptr(JsonNode) rsp = qtest_qmp(g->qts, "{\"execute\": \"balloon\", "
                                        "\"arguments\": {\"value\": %"
                                        G_GUINT64_FORMAT "}}", size);
    JsonObject *ret = qmp_rsp_return_object(rsp);

    /* libvirt reads an empty return. */
    g_assert_cmpuint(json_object_get_size(ret), ==, 0);
}

/*
 * Run every driver a step at a time, as the guest's workers would, until
 * the manager says settled.  Returns the time it took, in microseconds.
 */
static gint64 converge(QOSGuest *g)
{
    gint64 start = g_get_monotonic_time();

    for (;;) {
        g_autofree char *state = NULL;
        bool idle = qos_guest_sync_all(g);

        state = state_of(g);
        if (g_str_equal(state, "settled")) {
            return g_get_monotonic_time() - start;
        }
        if (g_get_monotonic_time() - start > CONVERGE_US) {
            g_error("not settled after %d s: state %s",
                    (int)(CONVERGE_US / G_USEC_PER_SEC), state);
        }
        if (idle) {
            g_usleep(10 * 1000);
        }
    }
}

/*
 * The plan adds up (targets sum to the logical size less boot memory),
 * each device was asked for its target and holds it, whole blocks within
 * capacity, and query-balloon reports what is plugged.
 */
static void assert_settled_at(QOSGuest *g, uint64_t size, uint64_t *targets)
{
    g_autoptr(MMState) st = mm_query(g);
    g_autoptr(JsonNode) bal = NULL;
    uint64_t sum = 0;

    g_assert_cmpstr(mm_str(st, "state"), ==, "settled");
    g_assert_cmpuint(mm_uint(st, "target"), ==, size);
    g_assert_cmpuint(mm_uint(st, "actual"), ==, size);
    for (unsigned i = 0; i < g->mems->len; i++) {
        uint64_t t = dev_uint(st, i, "target");
        QVirtioMem *m = qos_guest_mem(g, i);

        g_assert_cmpuint(t % BS, ==, 0);
        g_assert_cmpuint(t, <=, DEV_SIZE);
        g_assert_cmpuint(dev_uint(st, i, "size"), ==, t);
        g_assert_cmpuint(qvirtio_mem_plugged_size(m), ==, t);
        g_assert_cmpuint(dev_uint(st, i, "node"), ==, i);
        if (!dev_stuck(st, i)) {
            g_assert_cmpuint(dev_uint(st, i, "requested-size"), ==, t);
        }
        if (targets) {
            targets[i] = t;
        }
        sum += t;
    }
    g_assert_cmpuint(BOOT + sum, ==, size);
    bal = qtest_qmp(g->qts, "{\"execute\": \"query-balloon\"}");
    g_assert_cmpint(json_object_get_int_member(qmp_rsp_return_object(bal),
                                               "actual"), ==, (int64_t)size);
}

/* ---- policies ------------------------------------------------------------------ */

typedef struct PolicyCase {
    const char *path;
    unsigned nodes;
    const char *policy;
    const char *weights;        /* weighted: "vm0=W,vm1=W..." */
    unsigned w[4];
} PolicyCase;

static const PolicyCase policy_cases[] = {
    { "/memory-manager/2-nodes/balanced/grow-and-shrink", 2, "balanced" },
    { "/memory-manager/2-nodes/fill/grow-and-shrink", 2, "fill" },
    { "/memory-manager/2-nodes/weighted/grow-and-shrink", 2, "weighted",
      "vm0=2,vm1=1", { 2, 1 } },
    { "/memory-manager/4-nodes/balanced/grow-and-shrink", 4, "balanced" },
    { "/memory-manager/4-nodes/fill/grow-and-shrink", 4, "fill" },
    { "/memory-manager/4-nodes/weighted/grow-and-shrink", 4, "weighted",
      "vm0=1,vm1=2,vm2=3,vm3=2", { 1, 2, 3, 2 } },
};

/* What the policy promises for total bytes over equal devices. */
static void assert_policy_targets(const PolicyCase *pc, uint64_t total,
                                  const uint64_t *t)
{
    unsigned wsum = 0;

    for (unsigned i = 0; i < pc->nodes; i++) {
        wsum += pc->w[i];
    }
    for (unsigned i = 0; i < pc->nodes; i++) {
        uint64_t ideal;

        if (g_str_equal(pc->policy, "fill")) {
            /* Node order: full devices, then one partly, then empty ones. */
            uint64_t before = (uint64_t)i * DEV_SIZE;

            ideal = total > before ? MIN(total - before, DEV_SIZE) : 0;
        } else if (g_str_equal(pc->policy, "balanced")) {
            ideal = total / pc->nodes;
        } else {
            ideal = total / wsum * pc->w[i];
        }
        /* Rounding to blocks may move a block between devices. */
        g_assert_cmpuint(t[i] + BS, >, ideal);
        g_assert_cmpuint(t[i], <, ideal + BS);
    }
}

static void test_policy(const void *opaque)
{
    const PolicyCase *pc = opaque;
    g_autoptr(QOSGuest) g = start(pc->nodes, NULL, NULL);
    g_autoptr(JsonNode) rsp = NULL;
    uint64_t t[4];

    rsp = qos_qom_set_str(g->qts, MM_PATH, "policy", pc->policy);
    g_assert_false(qmp_rsp_is_error(rsp));
    if (pc->weights) {
        g_autoptr(JsonNode) w = qos_qom_set_str(g->qts, MM_PATH, "weights",
                                                pc->weights);

        g_assert_false(qmp_rsp_is_error(w));
    }
    balloon(g, BOOT + 3 * GiB);
    converge(g);
    assert_settled_at(g, BOOT + 3 * GiB, t);
    assert_policy_targets(pc, 3 * GiB, t);
    balloon(g, BOOT + GiB);
    converge(g);
    assert_settled_at(g, BOOT + GiB, t);
    assert_policy_targets(pc, GiB, t);
}

/* ---- stuck nodes ---------------------------------------------------------------- */

static void test_refusing_node_others_give_more(void)
{
    g_autoptr(QOSGuest) g = start(2, "stuck-timeout=1", NULL);
    g_autoptr(MMState) st = NULL;

    balloon(g, BOOT + 2 * GiB);
    converge(g);
    assert_settled_at(g, BOOT + 2 * GiB, NULL);
    /* Node 0's memory became unmovable: its driver keeps 1 GiB. */
    qos_guest_mem(g, 0)->opts.unplug_floor = GiB;
    balloon(g, BOOT + GiB + 512 * MiB);
    converge(g);
    assert_settled_at(g, BOOT + GiB + 512 * MiB, NULL);
    st = mm_query(g);
    g_assert_true(dev_stuck(st, 0));
    g_assert_false(dev_stuck(st, 1));
    g_assert_cmpuint(dev_uint(st, 0, "size"), ==, GiB);
    g_assert_cmpuint(dev_uint(st, 1, "size"), ==, 512 * MiB);
    /* It keeps its own request, so the guest can still give it back. */
    g_assert_cmpuint(dev_uint(st, 0, "requested-size"), <, GiB);
}

static void test_node_without_driver_others_take_over(void)
{
    g_autoptr(QOSGuest) g = qos_guest_startf(
        "-m 2G,maxmem=6G -smp 2 "
        "-object memory-backend-ram,id=ram0,size=1G "
        "-numa node,nodeid=0,cpus=0,memdev=ram0 "
        "-object memory-backend-ram,id=ram1,size=1G "
        "-numa node,nodeid=1,cpus=1,memdev=ram1 "
        "-object memory-backend-ram,id=mem0,size=2G "
        "-device virtio-mem-pci,id=vm0,memdev=mem0,node=0 "
        "-object memory-backend-ram,id=mem1,size=2G "
        "-device virtio-mem-pci,id=vm1,memdev=mem1,node=1 "
        "-memory-manager stuck-timeout=1");
    QVirtioMemOptions none = { .never_run = true };
    g_autoptr(MMState) st = NULL;

    qos_guest_add_virtio_mem(g, 0, NULL);
    qos_guest_add_virtio_mem(g, 1, &none);
    balloon(g, BOOT + 2 * GiB);
    converge(g);
    st = mm_query(g);
    g_assert_cmpstr(mm_str(st, "state"), ==, "settled");
    g_assert_true(dev_stuck(st, 1));
    g_assert_cmpuint(dev_uint(st, 0, "size"), ==, 2 * GiB);
    g_assert_cmpuint(dev_uint(st, 1, "size"), ==, 0);
}

static void test_no_driver_is_stuck_and_idle(void)
{
    QVirtioMemOptions none = { .never_run = true };
    g_autoptr(QOSGuest) g = start(2, "stuck-timeout=1", &none);
    g_autofree char *state = NULL;
    uint64_t cpu0, cpu1;
    gint64 t0, t1;

    balloon(g, BOOT + 2 * GiB);
    g_usleep(2500 * 1000);
    state = state_of(g);
    g_assert_cmpstr(state, ==, "stuck");
    /* Stuck costs nothing: no timer spins while nothing can move. */
    cpu0 = qos_vmm_cpu_us(g->qts);
    t0 = g_get_monotonic_time();
    g_usleep(2 * G_USEC_PER_SEC);
    cpu1 = qos_vmm_cpu_us(g->qts);
    t1 = g_get_monotonic_time();
    g_test_message("CPU %" G_GUINT64_FORMAT " us in %" G_GINT64_FORMAT " us",
                   cpu1 - cpu0, t1 - t0);
    g_assert_cmpuint((cpu1 - cpu0) * 10, <, (uint64_t)(t1 - t0));
    g_free(state);
    state = state_of(g);
    g_assert_cmpstr(state, ==, "stuck");
}

/*
 * Sizes set on the devices directly are the operator's plan: the logical
 * size follows them, and a stuck device does not make the manager re-spread
 * them by its policy, until the next balloon.
 */
static void test_direct_sizes_stay_the_operators(void)
{
    g_autoptr(QOSGuest) g = start(2, "stuck-timeout=1", NULL);
    g_autoptr(MMState) st = NULL;
    gint64 t0;

    qos_qom_set_uint(g->qts, "/machine/peripheral/vm0", "requested-size",
                     GiB);
    qos_qom_set_uint(g->qts, "/machine/peripheral/vm1", "requested-size",
                     512 * MiB);
    converge(g);
    assert_settled_at(g, BOOT + GiB + 512 * MiB, NULL);
    /* Node 0 can give nothing back now; ask it for 768 MiB anyway. */
    qos_guest_mem(g, 0)->opts.unplug_floor = GiB;
    qos_qom_set_uint(g->qts, "/machine/peripheral/vm0", "requested-size",
                     256 * MiB);
    t0 = g_get_monotonic_time();
    while (g_get_monotonic_time() - t0 < 2500 * 1000) {
        if (qos_guest_sync_all(g)) {
            g_usleep(10 * 1000);
        }
    }
    st = mm_query(g);
    g_assert_cmpstr(mm_str(st, "state"), ==, "stuck");
    g_assert_cmpuint(mm_uint(st, "target"), ==, BOOT + 768 * MiB);
    g_assert_true(dev_stuck(st, 0));
    g_assert_cmpuint(dev_uint(st, 0, "size"), ==, GiB);
    g_assert_cmpuint(dev_uint(st, 0, "requested-size"), ==, 256 * MiB);
    /* Node 1 keeps exactly what the operator gave it. */
    g_assert_false(dev_stuck(st, 1));
    g_assert_cmpuint(dev_uint(st, 1, "requested-size"), ==, 512 * MiB);
    g_assert_cmpuint(dev_uint(st, 1, "size"), ==, 512 * MiB);
    /* A logical size hands the plan back to the policy. */
    balloon(g, BOOT + GiB);
    converge(g);
    assert_settled_at(g, BOOT + GiB, NULL);
}

/* ---- reset, libvirt, events, bad input, changing one's mind ------------------- */

static void test_reset_keeps_target(void)
{
    g_autoptr(QOSGuest) g = start(2, NULL, NULL);
    g_autoptr(MMState) after = NULL;
    bool climbed = false;

    balloon(g, BOOT + 2 * GiB);
    converge(g);
    qtest_qmp_assert_success(g->qts, "{\"execute\": \"system_reset\"}");
    after = mm_query(g);
    g_assert_cmpuint(mm_uint(after, "target"), ==, BOOT + 2 * GiB);
    g_assert_cmpuint(mm_uint(after, "actual"), ==, BOOT);
    g_assert_cmpstr(mm_str(after, "state"), ==, "converging");
    /* The guest boots again and its driver plugs the memory back. */
    for (unsigned i = 0; i < g->mems->len; i++) {
        g_assert_true(qvirtio_mem_init(qos_guest_mem(g, i)));
    }
    while (!qos_guest_sync_all(g)) {
        g_autoptr(MMState) st = mm_query(g);
        uint64_t actual = mm_uint(st, "actual");

        climbed |= actual > BOOT && actual < BOOT + 2 * GiB;
    }
    g_assert_true(climbed);
    converge(g);
    assert_settled_at(g, BOOT + 2 * GiB, NULL);
}

static void test_libvirt_balloon(void)
{
    g_autoptr(QOSGuest) g = start(2, NULL, NULL);
    g_autoptr(JsonNode) rsp = NULL;
    g_autoptr(JsonNode) bal = NULL;
    g_autoptr(JsonNode) ev = NULL;
    int64_t last = 0;

    /* Exactly what libvirt sends for setmem and reads back. */
    qtest_qmp_events_clear(g->qts);
    rsp = qtest_qmp(g->qts, "{\"execute\":\"balloon\",\"arguments\":"
                    "{\"value\":%" G_GUINT64_FORMAT "}}", BOOT + GiB);
    qmp_rsp_return(rsp);
    bal = qtest_qmp(g->qts, "{\"execute\":\"query-balloon\"}");
    g_assert_cmpint(json_object_get_int_member(qmp_rsp_return_object(bal),
                                               "actual"), ==, (int64_t)BOOT);
    converge(g);
    assert_settled_at(g, BOOT + GiB, NULL);
    /* BALLOON_CHANGE follows actual, the last value always delivered. */
    while ((ev = qtest_qmp_eventwait_timeout(g->qts, "BALLOON_CHANGE",
                                              2500))) {
        last = qos_event_int(ev, "actual");
        g_clear_pointer(&ev, json_node_unref);
    }
    g_assert_cmpint(last, ==, (int64_t)(BOOT + GiB));
}

static void test_bad_targets_refused(void)
{
    g_autoptr(QOSGuest) g = start(2, NULL, NULL);
    static const char *const bad[] = {
        "2147483647",           /* below boot memory */
        "6442450944000",        /* above boot + capacity */
        "6442452992",           /* boot + capacity + 2 MiB */
        "0", "-1", "-6442450944", "\"4G\"", "4.5e9", "null", "{}",
    };

    balloon(g, BOOT + GiB);
    converge(g);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(JsonNode) rsp = qtest_qmp(g->qts, "{\"execute\": "
                                            "\"balloon\", \"arguments\": "
                                            "{\"value\": %s}}", bad[i]);

        g_test_message("balloon %s: %s", bad[i], qmp_rsp_error_desc(rsp));
        g_assert_true(qmp_rsp_is_error(rsp));
        /* The VM as it was: same target, same requests, still settled. */
        assert_settled_at(g, BOOT + GiB, NULL);
    }
}

static void test_new_target_mid_convergence(void)
{
    g_autoptr(QOSGuest) g = start(2, NULL, NULL);
    g_autoptr(MMState) mid = NULL;

    balloon(g, BOOT + 3 * GiB);
    for (int i = 0; i < 4; i++) {
        qos_guest_sync_all(g);
    }
    mid = mm_query(g);
    g_assert_cmpstr(mm_str(mid, "state"), ==, "converging");
    g_assert_cmpuint(mm_uint(mid, "actual"), >, BOOT);
    balloon(g, BOOT + GiB);
    converge(g);
    assert_settled_at(g, BOOT + GiB, NULL);
}

/* ---- moving memory between nodes ------------------------------------------------ */

/*
 * What the host may have to back now: for each device, what the guest
 * was asked to plug or what it holds, whichever is more.
 */
static uint64_t committed(QOSGuest *g)
{
    g_autoptr(MMState) st = mm_query(g);
    uint64_t sum = 0;

    for (unsigned i = 0; i < g->mems->len; i++) {
        sum += MAX(dev_uint(st, i, "size"), dev_uint(st, i, "requested-size"));
    }
    return sum;
}

/*
 * Run only device from's driver until it is idle, checking after every
 * step that the devices never need more than ceiling and that device to
 * is given room as from frees it.  Returns to's requested-size at the end.
 */
static uint64_t drain_one(QOSGuest *g, unsigned from, unsigned to,
                          uint64_t ceiling)
{
    g_autofree char *to_path = g_strdup_printf("/machine/peripheral/vm%u",
                                               to);
    uint64_t to_req = qos_qom_get_uint(g->qts, to_path, "requested-size");
    gint64 start = g_get_monotonic_time();

    while (!qvirtio_mem_sync(qos_guest_mem(g, from))) {
        uint64_t req = qos_qom_get_uint(g->qts, to_path, "requested-size");

        g_assert_cmpuint(committed(g), <=, ceiling);
        g_assert_cmpuint(req, >=, to_req);
        to_req = req;
        g_assert_cmpint(g_get_monotonic_time() - start, <, CONVERGE_US);
    }
    g_assert_cmpuint(committed(g), <=, ceiling);
    return to_req;
}

/*
 * A new plan that moves memory from one node to another asks the growing
 * node only for what the shrinking one has given back: Linux plugs faster
 * than it unplugs, and the host would otherwise back the old and the new
 * shares at once.  The devices never need more than the larger of the
 * old and new logical sizes, and the plan still completes.
 */
static void test_moving_stays_within_larger_size(void)
{
    g_autoptr(QOSGuest) g = start(2, "policy=fill", NULL);
    g_autoptr(JsonNode) rsp = NULL;
    uint64_t t[2];

    balloon(g, BOOT + GiB);
    converge(g);
    assert_settled_at(g, BOOT + GiB, t);
    g_assert_cmpuint(t[0], ==, GiB);
    g_assert_cmpuint(t[1], ==, 0);

    /* Same size, balanced: 512M each; vm1 must wait for vm0's unplugs. */
    rsp = qos_qom_set_str(g->qts, MM_PATH, "policy", "balanced");
    g_assert_false(qmp_rsp_is_error(rsp));
    g_assert_cmpuint(committed(g), ==, GiB);
    g_assert_cmpuint(qos_qom_get_uint(g->qts, "/machine/peripheral/vm1",
                                      "requested-size"), ==, 0);
    g_assert_cmpuint(drain_one(g, 0, 1, GiB), ==, GiB / 2);
    converge(g);
    assert_settled_at(g, BOOT + GiB, t);
    g_assert_cmpuint(t[0], ==, GiB / 2);
    g_assert_cmpuint(t[1], ==, GiB / 2);

    /* Back to fill, growing to 1.5G: vm0 to 1.5G at once, vm1 gives. */
    g_clear_pointer(&rsp, json_node_unref);
    rsp = qos_qom_set_str(g->qts, MM_PATH, "policy", "fill");
    g_assert_false(qmp_rsp_is_error(rsp));
    balloon(g, BOOT + GiB + GiB / 2);
    /* Room for the growth only: 1.5G, of which vm1 still holds 512M. */
    g_assert_cmpuint(committed(g), ==, GiB + GiB / 2);
    g_assert_cmpuint(qos_qom_get_uint(g->qts, "/machine/peripheral/vm0",
                                      "requested-size"), ==, GiB);
    g_assert_cmpuint(drain_one(g, 1, 0, GiB + GiB / 2), ==, GiB + GiB / 2);
    converge(g);
    assert_settled_at(g, BOOT + GiB + GiB / 2, t);
    g_assert_cmpuint(t[0], ==, GiB + GiB / 2);
    g_assert_cmpuint(t[1], ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(policy_cases); i++) {
        g_test_add_data_func(policy_cases[i].path, &policy_cases[i],
                             test_policy);
    }
    g_test_add_func("/memory-manager/stuck/refusing-node-others-give-more",
                    test_refusing_node_others_give_more);
    g_test_add_func("/memory-manager/stuck/node-without-driver-others-take-"
                    "over", test_node_without_driver_others_take_over);
    g_test_add_func("/memory-manager/stuck/no-driver-is-stuck-and-idle",
                    test_no_driver_is_stuck_and_idle);
    g_test_add_func("/memory-manager/stuck/direct-sizes-stay-the-operators",
                    test_direct_sizes_stay_the_operators);
    g_test_add_func("/memory-manager/reset/keeps-target",
                    test_reset_keeps_target);
    g_test_add_func("/memory-manager/libvirt/balloon-query-balloon-events",
                    test_libvirt_balloon);
    g_test_add_func("/memory-manager/bad-targets-refused",
                    test_bad_targets_refused);
    g_test_add_func("/memory-manager/new-target-mid-convergence",
                    test_new_target_mid_convergence);
    g_test_add_func("/memory-manager/moving/stays-within-larger-size",
                    test_moving_stays_within_larger_size);
    return g_test_run();
}
