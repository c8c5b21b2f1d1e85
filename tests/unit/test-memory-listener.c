/* Memory listeners: what they hear, in which order, and when. */
#include "memory-fixture.h"

/* Listeners --------------------------------------------------------------- */

typedef struct Recorder {
    MemoryListener listener;
    unsigned begins, commits, adds;
    char log[512];              /* "+addr/size ", "-addr/size ", "~..." */
} Recorder;

static char order_log[64];      /* "+prio " across recorders */

static void rec_begin(MemoryListener *l)
{
    ((Recorder *)l)->begins++;
}

static void rec_commit(MemoryListener *l)
{
    ((Recorder *)l)->commits++;
}

static void rec_event(MemoryListener *l, const FlatRange *fr, char op)
{
    Recorder *rec = (Recorder *)l;

    g_assert_true(flat_range_is_ram(fr));
    LOG(rec->log, "%c%" G_GINT64_MODIFIER "x/%" G_GINT64_MODIFIER "x ", op,
        fr->addr, fr->size);
    LOG(order_log, "%c%d ", op, l->priority);
    rec->adds += op == '+';
}

static void rec_add(MemoryListener *l, const FlatRange *fr)
{
    rec_event(l, fr, '+');
}

/* "~" for a range whose addresses stay RAM (merged, split, changed). */
static void rec_del(MemoryListener *l, const FlatRange *fr, bool remapped)
{
    rec_event(l, fr, remapped ? '~' : '-');
}

/* A recorder registered on the test's address space. */
static void rec_register(Recorder *rec, int priority)
{
    *rec = (Recorder){
        .listener = { .begin = rec_begin, .commit = rec_commit,
                      .region_add = rec_add, .region_del = rec_del,
                      .priority = priority, .name = "rec" },
    };
    memory_listener_register(&rec->listener, &as);
}

static void test_register_reports_current_ram(void *fx, const void *data)
{
    MemoryRegion *c = container("c", 64 * KiB);
    Recorder rec;

    memory_region_set_holes_read_zero(c, true);
    memory_region_add_subregion(c, 0x1000, ram("a", 4 * KiB, 0));
    memory_region_add_subregion(root, 0, c);
    memory_region_add_subregion(root, 0x10000, io("m", &null_ops, 4 * KiB));
    rec_register(&rec, 0);
    /* Neither MMIO nor zero holes are reported. */
    ASSERT_LOG(rec.log, "+1000/1000 ");
    g_assert_cmpuint(rec.begins, ==, 1);
    g_assert_cmpuint(rec.commits, ==, 1);
    memory_listener_unregister(&rec.listener);
    ASSERT_LOG(rec.log, "-1000/1000 ");
}

static void test_removal_reports_region_del(void *fx, const void *data)
{
    MemoryRegion *a = ram("a", 4 * KiB, 0), *b = ram("b", 4 * KiB, 0);
    Recorder rec;

    rec_register(&rec, 0);
    memory_region_add_subregion(root, 0x1000, a);
    memory_region_add_subregion(root, 0x2000, b);
    ASSERT_LOG(rec.log, "+1000/1000 +2000/1000 ");
    memory_region_del_subregion(root, a);
    ASSERT_LOG(rec.log, "-1000/1000 ");
    /* A move is a delete then an add. */
    memory_region_set_address(b, 0x10000);
    ASSERT_LOG(rec.log, "-2000/1000 +10000/1000 ");
    /* Turning into ROM changes the range too. */
    memory_region_set_readonly(b, true);
    ASSERT_LOG(rec.log, "~10000/1000 +10000/1000 ");
    /* Destroying the space tells listeners still registered. */
    address_space_destroy(&as);
    ASSERT_LOG(rec.log, "-10000/1000 ");
    address_space_init(&as, root, "again");
}

/*
 * region_del says whether the range's addresses stay RAM: KVM holds the
 * vCPUs out only then (a split or merge), not for memory that goes.
 */
static void test_region_del_says_remapped(void *fx, const void *data)
{
    MemoryRegion *a = ram("a", 8 * KiB, 0), *b = ram("b", 4 * KiB, 0);
    MemoryRegion *m = io("m", &null_ops, 4 * KiB);
    Recorder rec;

    rec_register(&rec, 0);
    memory_region_add_subregion(root, 0x10000, a);
    ASSERT_LOG(rec.log, "+10000/2000 ");
    /* MMIO over a's second half splits it: the first half stays RAM. */
    memory_region_add_subregion_overlap(root, 0x11000, m, 1);
    ASSERT_LOG(rec.log, "~10000/2000 +10000/1000 ");
    /* And gone again, the halves merge. */
    memory_region_del_subregion(root, m);
    ASSERT_LOG(rec.log, "~10000/1000 +10000/2000 ");
    /* A range ending just below, or starting just above, does not count. */
    memory_region_add_subregion(root, 0x20000, b);
    ASSERT_LOG(rec.log, "+20000/1000 ");
    memory_region_set_address(b, 0x1f000);
    ASSERT_LOG(rec.log, "-20000/1000 +1f000/1000 ");
    memory_region_set_address(b, 0x20000);
    ASSERT_LOG(rec.log, "-1f000/1000 +20000/1000 ");
    /* One starting below and reaching in does. */
    memory_region_set_address(b, 0x1f800);
    ASSERT_LOG(rec.log, "~20000/1000 +1f800/1000 ");
    /* RAM replaced by MMIO everywhere is gone. */
    memory_region_add_subregion_overlap(root, 0x1f800, m, 1);
    ASSERT_LOG(rec.log, "-1f800/1000 ");
    memory_region_del_subregion(root, m);
    ASSERT_LOG(rec.log, "+1f800/1000 ");
    memory_listener_unregister(&rec.listener);
    ASSERT_LOG(rec.log, "-10000/2000 -1f800/1000 ");
}

static void test_transaction_rebuilds_once(void *fx, const void *data)
{
    MemoryRegion *r[16];
    Recorder rec;

    rec_register(&rec, 0);
    rec.begins = rec.commits = 0;
    memory_region_transaction_begin();
    for (int i = 0; i < 16; i++) {
        r[i] = ram("r", 4 * KiB, 0);
        memory_region_add_subregion(root, i * 8 * KiB, r[i]);
    }
    /* Nested: only the outermost commit rebuilds. */
    memory_region_transaction_begin();
    memory_region_set_enabled(r[0], false);
    memory_region_transaction_commit();
    g_assert_cmpuint(rec.begins, ==, 0);
    g_assert_cmpuint(rec.adds, ==, 0);
    memory_region_transaction_commit();
    g_assert_cmpuint(rec.begins, ==, 1);
    g_assert_cmpuint(rec.commits, ==, 1);
    g_assert_cmpuint(rec.adds, ==, 15);     /* r[0] is disabled */
    memory_listener_unregister(&rec.listener);
}

static void test_called_in_priority_order(void *fx, const void *data)
{
    MemoryRegion *a = ram("a", 4 * KiB, 0);
    Recorder lo, hi;

    rec_register(&hi, 10);
    rec_register(&lo, 1);
    order_log[0] = 0;
    memory_region_add_subregion(root, 0, a);
    memory_region_del_subregion(root, a);
    ASSERT_LOG(order_log, "+1 +10 -10 -1 ");
    memory_listener_unregister(&lo.listener);
    memory_listener_unregister(&hi.listener);
}

int main(int argc, char **argv)
{
    memory_test_init(&argc, &argv);
    ADD("listener", test_register_reports_current_ram);
    ADD("listener", test_removal_reports_region_del);
    ADD("listener", test_region_del_says_remapped);
    ADD("listener", test_transaction_rebuilds_once);
    ADD("listener", test_called_in_priority_order);
    return memory_test_run();
}
