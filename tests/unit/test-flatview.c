/* The address space: rendering, accesses, RCU readers. */
#include "memory-fixture.h"

/* Expected ranges are FlatRanges with readonly left out. */
static void check_view(const FlatRange *e, size_t n)
{
    FlatView *fv;

    rcu_read_lock();
    fv = address_space_to_flatview(&as);
    g_assert_cmpuint(fv->nr, ==, n);
    for (size_t i = 0; i < n; i++) {
        g_assert_true(fv->ranges[i].mr == e[i].mr);
        g_assert_cmphex(fv->ranges[i].addr, ==, e[i].addr);
        g_assert_cmphex(fv->ranges[i].size, ==, e[i].size);
        g_assert_cmphex(fv->ranges[i].offset_in_region, ==,
                        e[i].offset_in_region);
    }
    rcu_read_unlock();
}

#define rd(addr, buf, len) address_space_read(&as, addr, buf, len)
#define wr(addr, buf, len) address_space_write(&as, addr, buf, len)
#define ASSERT_TX(call, res) g_assert_cmpint((call), ==, (res))

#define CHECK_VIEW(...) do {                                \
        const FlatRange e_[] = { __VA_ARGS__ };                \
        check_view(e_, G_N_ELEMENTS(e_));                   \
    } while (0)

/* Flat view rendering ---------------------------------------------------- */

static void test_later_added_wins_at_equal_priority(void *fx, const void *data)
{
    MemoryRegion *a = ram("a", 12 * KiB, 0), *b = ram("b", 4 * KiB, 0);
    memory_region_add_subregion(root, 0, a);
    memory_region_add_subregion(root, 4 * KiB, b);
    CHECK_VIEW({ 0, 4 * KiB, a, 0 }, { 4 * KiB, 4 * KiB, b, 0 },
               { 8 * KiB, 4 * KiB, a, 8 * KiB });
    /* Re-added, a is the newest and covers b. */
    memory_region_del_subregion(root, a);
    memory_region_add_subregion(root, 0, a);
    CHECK_VIEW({ 0, 12 * KiB, a, 0 });
}

static void test_higher_priority_wins(void *fx, const void *data)
{
    MemoryRegion *a = ram("a", 12 * KiB, 0), *b = ram("b", 4 * KiB, 0);
    memory_region_add_subregion_overlap(root, 4 * KiB, b, 1);
    memory_region_add_subregion_overlap(root, 0, a, 0);   /* later, lower */
    CHECK_VIEW({ 0, 4 * KiB, a, 0 }, { 4 * KiB, 4 * KiB, b, 0 },
               { 8 * KiB, 4 * KiB, a, 8 * KiB });
    /* Removing the winner uncovers what it hid. */
    memory_region_del_subregion(root, b);
    CHECK_VIEW({ 0, 12 * KiB, a, 0 });
    memory_region_del_subregion(root, a);
    check_view(NULL, 0);
}

static void test_alias_shows_window_of_target(void *fx, const void *data)
{
    MemoryRegion *r = ram("r", 16 * KiB, 0);
    MemoryRegion *win = alias("win", r, 4 * KiB, 8 * KiB);
    /* Half of this window lies past the end of r: that half is a hole. */
    MemoryRegion *past = alias("past", r, 12 * KiB, 8 * KiB);
    memory_region_add_subregion(root, 0x100000, win);
    memory_region_add_subregion(root, 0x200000, past);
    CHECK_VIEW({ 0x100000, 8 * KiB, r, 4 * KiB },
               { 0x200000, 4 * KiB, r, 12 * KiB });
    /* Adjacent windows of contiguous bytes merge into one range. */
    memory_region_set_alias_offset(win, 0);
    memory_region_add_subregion(root, 0x102000, alias("hi", r, 0x2000, 0x1000));
    CHECK_VIEW({ 0x100000, 0x3000, r, 0 }, { 0x200000, 0x1000, r, 0x3000 });
}

static void test_alias_of_container_shows_children(void *fx, const void *data)
{
    MemoryRegion *c = container("c", 64 * KiB), *r = ram("r", 4 * KiB, 0);
    MemoryRegion *m = io("m", &null_ops, 4 * KiB);
    memory_region_add_subregion(c, 0, r);
    memory_region_add_subregion(c, 32 * KiB, m);
    memory_region_add_subregion(root, 0, c);
    /* c's offsets [2K, 34K) shown at 256K. */
    memory_region_add_subregion(root, 256 * KiB,
                                alias("al", c, 2 * KiB, 32 * KiB));
    CHECK_VIEW({ 0, 4 * KiB, r, 0 }, { 32 * KiB, 4 * KiB, m, 0 },
               { 256 * KiB, 2 * KiB, r, 2 * KiB },
               { 256 * KiB + 30 * KiB, 2 * KiB, m, 0 });
}

static void test_disabled_region_is_skipped(void *fx, const void *data)
{
    MemoryRegion *a = ram("a", 12 * KiB, 0), *b = ram("b", 4 * KiB, 0);
    MemoryRegion *c = container("c", 12 * KiB);
    memory_region_add_subregion(c, 0, a);
    memory_region_add_subregion(root, 0, c);
    memory_region_add_subregion_overlap(root, 4 * KiB, b, 1);
    memory_region_set_enabled(b, false);
    CHECK_VIEW({ 0, 12 * KiB, a, 0 });
    memory_region_set_enabled(b, true);
    CHECK_VIEW({ 0, 4 * KiB, a, 0 }, { 4 * KiB, 4 * KiB, b, 0 },
               { 8 * KiB, 4 * KiB, a, 8 * KiB });
    /* A disabled container hides all its children. */
    memory_region_set_enabled(c, false);
    CHECK_VIEW({ 4 * KiB, 4 * KiB, b, 0 });
}

static void test_root_spans_all_of_2_64(void *fx, const void *data)
{
    MemoryRegion *top = ram("top", 8 * KiB, 0), *zero = container("zero", 0);
    /* Mapped 4K below 2^64: the half past the top is clipped. */
    memory_region_add_subregion(root, UINT64_MAX - 4 * KiB + 1, top);
    CHECK_VIEW({ UINT64_MAX - 4 * KiB + 1, 4 * KiB, top, 0 });
    /* A zero-hole container of 2^64 bytes does not fit one FlatRange. */
    memory_region_set_holes_read_zero(zero, true);
    memory_region_del_subregion(root, top);
    memory_region_add_subregion(root, 0, zero);
    CHECK_VIEW({ 0, TOP, zero, 0 }, { TOP, TOP, zero, TOP });
}

static void test_alias_cycle_is_cut(void *fx, const void *data)
{
    MemoryRegion *c = container("c", 64 * KiB), *r = ram("r", 4 * KiB, 0);
    memory_region_add_subregion(c, 0, r);
    /* c shows itself twice: a cycle that branches at every level. */
    memory_region_add_subregion_overlap(c, 0, alias("a1", c, 0, 64 * KiB), -1);
    memory_region_add_subregion_overlap(c, 8 * KiB, alias("a2", c, 0, 64 * KiB),
                                        -1);
    memory_region_add_subregion(root, 0, c);
    rcu_read_lock();
    g_assert_true(flatview_lookup(address_space_to_flatview(&as), 0)->mr == r);
    rcu_read_unlock();
}

/* What a naive walk of the tree finds at offset off of mr; NULL: a hole. */
static MemoryRegion *walk(MemoryRegion *mr, uint64_t off, uint64_t *at)
{
    if (!mr->enabled || (!mr->spans_all && off >= mr->size)) {
        return NULL;
    }
    if (mr->kind == MEMORY_REGION_ALIAS) {
        return walk(mr->alias, mr->alias_offset + off, at);
    }
    for (guint i = 0; mr->subregions && i < mr->subregions->len; i++) {
        MemoryRegion *c = g_ptr_array_index(mr->subregions, i), *hit;

        if (off >= c->addr && (hit = walk(c, off - c->addr, at))) {
            return hit;
        }
    }
    if (mr->kind == MEMORY_REGION_CONTAINER && !mr->holes_read_zero) {
        return NULL;
    }
    *at = off;
    return mr;
}

#define RAND4(n) ((uint64_t)g_test_rand_int_range(0, n) * 4)

/* Random trees (edges point to older regions: no cycles) against walk(). */
static void test_matches_naive_walk(void *fx, const void *data)
{
    for (int iter = 0; iter < 200; iter++) {
        MemoryRegion *r[16];
        FlatView *fv;

        memory_region_transaction_begin();
        for (int i = 0; i < 16; i++) {
            int kind = g_test_rand_int_range(0, i ? 4 : 2);

            r[i] = kind == 0 ? ram("ram", RAND4(64), 0) :
                   kind == 1 ? io("io", &null_ops, RAND4(64)) :
                   kind == 2 ? alias("al", r[g_test_rand_int_range(0, i)],
                                     RAND4(64), RAND4(64)) :
                   container("c", RAND4(64));
            for (int j = 0; kind == 3 && j < i; j++) {
                if (!r[j]->container && g_test_rand_bit()) {
                    memory_region_add_subregion_overlap(
                        r[i], RAND4(64), r[j], g_test_rand_int_range(-1, 2));
                }
            }
            if (kind == 3) {
                memory_region_set_holes_read_zero(r[i], g_test_rand_bit());
            }
            memory_region_set_enabled(r[i], g_test_rand_int_range(0, 8));
        }
        for (int j = 0; j < 16; j++) {
            if (!r[j]->container && g_test_rand_bit()) {
                memory_region_add_subregion_overlap(
                    root, RAND4(128), r[j], g_test_rand_int_range(-1, 2));
            }
        }
        memory_region_transaction_commit();
        rcu_read_lock();
        fv = address_space_to_flatview(&as);
        for (uint64_t a = 0; a < 800; a++) {
            uint64_t at = 0;
            MemoryRegion *want = walk(root, a, &at);
            const FlatRange *fr = flatview_lookup(fv, a);

            g_assert_true(fr ? fr->mr == want &&
                          fr->offset_in_region + (a - fr->addr) == at :
                          want == NULL);
        }
        rcu_read_unlock();
        teardown(NULL, NULL);
        setup(NULL, NULL);
    }
}

/* Accesses ---------------------------------------------------------------- */

/* Device register bytes read 0x10, 0x11, ... at offsets 0, 1, ... */
static uint64_t dev_read(void *opaque, uint64_t addr, unsigned size)
{
    uint64_t v = 0;

    LOG(dev_log, "r%u/%u ", (unsigned)addr, size);
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)(0x10 + addr + i) << (8 * i);
    }
    return v;
}

static void dev_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    LOG(dev_log, "w%u/%u=%" G_GINT64_MODIFIER "x ", (unsigned)addr, size, val);
}

/* Maps a 64-byte device with ops at 0x1000 (over any earlier one). */
static MemoryRegion *dev_map(const MemoryRegionOps *ops)
{
    MemoryRegion *mr = io("dev", ops, 64);

    memory_region_add_subregion(root, 0x1000, mr);
    return mr;
}

static void assert_ld(uint64_t addr, unsigned size, MemTxResult res,
                      uint64_t expect)
{
    uint64_t v;

    g_assert_cmpint(address_space_ld(&as, addr, size, &v), ==, res);
    g_assert_cmphex(v, ==, expect);
}

static void assert_st(uint64_t addr, unsigned size, uint64_t val,
                      MemTxResult res)
{
    g_assert_cmpint(address_space_st(&as, addr, size, val), ==, res);
}

/* Guests may use 1 to 8 bytes; the callbacks take exactly 4. */
static const MemoryRegionOps split_ops = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/* Wider accesses than impl allows are split, narrower ones widened. */
static void test_mmio_access_fits_impl_size(void *fx, const void *data)
{
    static const MemoryRegionOps byte_ops = {
        .read = dev_read, .write = dev_write,
        .impl = { .min_access_size = 1, .max_access_size = 1 },
    };

    dev_map(&split_ops);
    assert_ld(0x1000, 8, MEMTX_OK, 0x1716151413121110);
    ASSERT_LOG(dev_log, "r0/4 r4/4 ");
    assert_st(0x1008, 8, 0x8877665544332211, MEMTX_OK);
    ASSERT_LOG(dev_log, "w8/4=44332211 w12/4=88776655 ");
    assert_ld(0x1002, 1, MEMTX_OK, 0x12);
    ASSERT_LOG(dev_log, "r0/4 ");
    assert_ld(0x1006, 2, MEMTX_OK, 0x1716);
    ASSERT_LOG(dev_log, "r4/4 ");
    /* The bytes the guest did not write go out as zeros: no RMW. */
    assert_st(0x1003, 1, 0xab, MEMTX_OK);
    ASSERT_LOG(dev_log, "w0/4=ab000000 ");
    dev_map(&byte_ops);
    assert_ld(0x1004, 4, MEMTX_OK, 0x17161514);
    ASSERT_LOG(dev_log, "r4/1 r5/1 r6/1 r7/1 ");
}

static void test_unaligned_mmio_splits_naturally(void *fx, const void *data)
{
    static const MemoryRegionOps default_ops = {
        .read = dev_read, .write = dev_write,
    };

    dev_map(&default_ops);
    assert_ld(0x1001, 4, MEMTX_OK, 0x14131211);
    ASSERT_LOG(dev_log, "r1/1 r2/2 r4/1 ");
    /* valid.max_access_size defaults to 4: an 8-byte read is two. */
    assert_ld(0x1008, 8, MEMTX_OK, 0x1f1e1d1c1b1a1918);
    ASSERT_LOG(dev_log, "r8/4 r12/4 ");
}

static void test_invalid_size_reads_all_ones(void *fx, const void *data)
{
    static const MemoryRegionOps strict_ops = {
        .read = dev_read, .write = dev_write,
        .valid = { .min_access_size = 4, .max_access_size = 4 },
    };
    MemoryRegion *mr = dev_map(&strict_ops);
    uint64_t v;

    assert_ld(0x1000, 1, MEMTX_ACCESS_ERROR, 0xff);
    assert_ld(0x1002, 2, MEMTX_ACCESS_ERROR, 0xffff);
    /* Unaligned: cut into 1, 2 and 1 byte chunks, each refused. */
    assert_ld(0x1001, 4, MEMTX_ACCESS_ERROR, 0xffffffff);
    assert_st(0x1000, 2, 0x1234, MEMTX_ACCESS_ERROR);
    ASSERT_LOG(dev_log, "");
    assert_ld(0x1000, 4, MEMTX_OK, 0x13121110);
    ASSERT_LOG(dev_log, "r0/4 ");
    /* Nonsense sizes from a direct caller are refused too. */
    assert_ld(0x1000, 3, MEMTX_ACCESS_ERROR, UINT64_MAX);
    ASSERT_TX(memory_region_dispatch_read(mr, 0, &v, 16),
              MEMTX_ACCESS_ERROR);
    g_assert_cmphex(v, ==, UINT64_MAX);
    ASSERT_TX(memory_region_dispatch_write(mr, UINT64_MAX, 0, 4),
              MEMTX_ACCESS_ERROR);
    ASSERT_LOG(dev_log, "");
}

/* Holes read all-ones, and count as such; zero holes read zero. */
static void test_unassigned_reads_all_ones(void *fx, const void *data)
{
    MemoryRegion *c = container("lowmem", 64 * KiB);
    uint8_t buf[16];

    memset(buf, 0x5a, sizeof(buf));
    ASSERT_TX(rd(0x100000, buf, sizeof(buf)), MEMTX_UNASSIGNED);
    for (size_t i = 0; i < sizeof(buf); i++) {
        g_assert_cmphex(buf[i], ==, 0xff);
    }
    ASSERT_TX(wr(0x100000, buf, sizeof(buf)), MEMTX_UNASSIGNED);
    memory_region_set_holes_read_zero(c, true);
    memory_region_add_subregion(c, 0, ram("r", 4 * KiB, 0x42));
    memory_region_add_subregion(root, 0, c);
    ASSERT_TX(rd(4 * KiB - 4, buf, 8), MEMTX_OK);
    g_assert_cmphex(buf[3], ==, 0x42);
    g_assert_cmphex(buf[4], ==, 0);
    ASSERT_TX(wr(8 * KiB, buf, 8), MEMTX_OK);
    /* Partly assigned: the bytes that are there arrive. */
    ASSERT_TX(rd(64 * KiB - 8, buf, 16), MEMTX_UNASSIGNED);
    g_assert_cmphex(buf[7], ==, 0);
    g_assert_cmphex(buf[8], ==, 0xff);
}

static void test_ram_across_adjacent_ranges(void *fx, const void *data)
{
    uint8_t in[64], out[64];

    MemoryRegion *a = ram("a", 4 * KiB, 0), *b = ram("b", 4 * KiB, 0);
    memory_region_add_subregion(root, 0x10000, a);
    memory_region_add_subregion(root, 0x11000, b);
    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = i;
    }
    ASSERT_TX(wr(0x11000 - 32, in, 64), MEMTX_OK);
    g_assert_cmpmem(host_of(a) + 4 * KiB - 32, 32, in, 32);
    g_assert_cmpmem(host_of(b), 32, in + 32, 32);
    ASSERT_TX(rd(0x11000 - 32, out, 64), MEMTX_OK);
    g_assert_cmpmem(out, 64, in, 64);
    /* ld/st are little-endian, across the boundary too. */
    ASSERT_TX(address_space_stl_le(&as, 0x11000 - 2, 0xa1b2c3d4), MEMTX_OK);
    g_assert_cmphex(host_of(a)[4 * KiB - 2], ==, 0xd4);
    g_assert_cmphex(host_of(b)[1], ==, 0xa1);
    g_assert_cmphex(address_space_ldl_le(&as, 0x11000 - 2, NULL), ==,
                    0xa1b2c3d4);
    g_assert_cmphex(address_space_lduw_le(&as, 0x11000 - 2, NULL), ==, 0xc3d4);
}

static void test_readonly_ram_drops_writes(void *fx, const void *data)
{
    uint8_t v = 0x99;

    MemoryRegion *rom = ram("rom", 4 * KiB, 0x11);
    memory_region_set_readonly(rom, true);
    memory_region_add_subregion(root, 0xf0000, rom);
    ASSERT_TX(wr(0xf0000, &v, 1), MEMTX_OK);
    g_assert_cmphex(host_of(rom)[0], ==, 0x11);
    ASSERT_TX(address_space_write_rom(&as, 0xf0000, &v, 1), MEMTX_OK);
    g_assert_cmphex(host_of(rom)[0], ==, 0x99);
}

static void test_range_past_2_64_fails(void *fx, const void *data)
{
    uint8_t buf[8];
    uint64_t v;

    MemoryRegion *top = ram("top", 4 * KiB, 0x42);
    memory_region_add_subregion(root, UINT64_MAX - 4 * KiB + 1, top);
    ASSERT_TX(rd(UINT64_MAX - 1, buf, 4), MEMTX_RANGE_ERROR);
    g_assert_cmphex(buf[0], ==, 0xff);
    ASSERT_TX(wr(UINT64_MAX, buf, 2), MEMTX_RANGE_ERROR);
    ASSERT_TX(address_space_ld(&as, UINT64_MAX - 3, 8, &v), MEMTX_RANGE_ERROR);
    g_assert_cmphex(v, ==, UINT64_MAX);
    /* The last bytes below 2^64 are reachable. */
    assert_ld(UINT64_MAX - 7, 8, MEMTX_OK, 0x4242424242424242);
    ASSERT_TX(rd(UINT64_MAX, buf, 1), MEMTX_OK);
}

/* address_space_map ------------------------------------------------------- */

/* Maps want bytes at addr; returns the length granted, the pointer in *p. */
static uint64_t map(uint64_t addr, uint64_t want, bool is_write, uint8_t **p)
{
    uint8_t *dummy;

    rcu_read_lock();
    *(p ? p : &dummy) = address_space_map(&as, addr, &want, is_write);
    g_assert_true((*(p ? p : &dummy) == NULL) == (want == 0));
    rcu_read_unlock();
    return want;
}

static void test_shortened_at_range_end(void *fx, const void *data)
{
    MemoryRegion *a = ram("a", 8 * KiB, 0), *b = ram("b", 4 * KiB, 0);
    uint8_t *p;

    memory_region_add_subregion(root, 0x10000, a);
    memory_region_add_subregion(root, 0x12000, b);
    /* b is RAM too, but another range. */
    g_assert_cmphex(map(0x11000, 64 * KiB, true, &p), ==, 4 * KiB);
    g_assert_true(p == host_of(a) + 4 * KiB);
    g_assert_cmphex(map(0x12000, 16, false, &p), ==, 16);
    g_assert_true(p == host_of(b));
    /* Near 2^64, the length is cut without overflowing. */
    memory_region_set_address(b, UINT64_MAX - 4 * KiB + 1);
    g_assert_cmphex(map(UINT64_MAX - 15, UINT64_MAX, true, &p), ==, 16);
    g_assert_true(p == host_of(b) + 4 * KiB - 16);
}

static void test_refuses_mmio_holes_rom_writes(void *fx, const void *data)
{
    MemoryRegion *rom = ram("rom", 4 * KiB, 0);

    memory_region_set_readonly(rom, true);
    memory_region_add_subregion(root, 0, rom);
    memory_region_add_subregion(root, 0x1000, io("m", &null_ops, 4 * KiB));
    g_assert_cmpuint(map(0x1000, 8, false, NULL), ==, 0);
    g_assert_cmpuint(map(0x9000, 8, false, NULL), ==, 0);
    g_assert_cmpuint(map(0, 8, true, NULL), ==, 0);
    g_assert_cmpuint(map(0, 8, false, NULL), ==, 8);
    g_assert_cmpuint(map(0, 0, false, NULL), ==, 0);
}

/* RCU --------------------------------------------------------------------- */

/*
 * a (0xaa) fills [0, 64K); b (0xbb, priority 1) comes and goes at
 * [16K, 32K).  Every view a reader picks up must be one of the two
 * shapes, whole while the reader holds it, and every access must see
 * one view only.  ASan catches a view freed under a reader.
 */
static MemoryRegion *rcu_a, *rcu_b;
static gint rcu_stop, rcu_loops;

static void check_rcu_view(const FlatView *fv)
{
    const FlatRange *f = fv->ranges;

    /* a alone, or a | b | a. */
    g_assert_true(f[0].mr == rcu_a && f[0].addr == 0);
    g_assert_true((fv->nr == 1 && f[0].size == 64 * KiB) ||
                  (fv->nr == 3 && f[0].size == 16 * KiB &&
                   f[1].mr == rcu_b && f[1].addr == 16 * KiB &&
                   f[1].size == 16 * KiB && f[2].mr == rcu_a &&
                   f[2].addr == 32 * KiB && f[2].size == 32 * KiB &&
                   f[2].offset_in_region == 32 * KiB));
}

static gpointer rcu_reader(gpointer data)
{
    uint8_t buf[64];

    rcu_register_thread();
    while (!g_atomic_int_get(&rcu_stop)) {
        uint64_t len = 64 * KiB;
        const uint8_t *p;
        FlatView *fv;

        rcu_read_lock();
        fv = address_space_to_flatview(&as);
        check_rcu_view(fv);
        ASSERT_TX(rd(20 * KiB, buf, 64), MEMTX_OK);
        g_assert_true(buf[0] == 0xaa || buf[0] == 0xbb);
        g_assert_cmpint(memcmp(buf, buf + 1, 63), ==, 0);
        p = address_space_map(&as, 20 * KiB, &len, false);
        g_assert_cmpuint(len, ==, p[0] == 0xbb ? 12 * KiB : 44 * KiB);
        check_rcu_view(fv);     /* still whole */
        rcu_read_unlock();
        g_atomic_int_inc(&rcu_loops);
    }
    rcu_unregister_thread();
    return NULL;
}

static void test_reader_sees_consistent_view(void *fx, const void *data)
{
    gint64 end;
    GThread *t;

    rcu_a = ram("a", 64 * KiB, 0xaa);
    rcu_b = ram("b", 16 * KiB, 0xbb);
    memory_region_add_subregion(root, 0, rcu_a);
    g_atomic_int_set(&rcu_stop, 0);
    g_atomic_int_set(&rcu_loops, 0);
    t = g_thread_new("reader", rcu_reader, NULL);
    while (!g_atomic_int_get(&rcu_loops)) {
        g_thread_yield();
    }
    end = g_get_monotonic_time() + G_USEC_PER_SEC / 5;
    while (g_get_monotonic_time() < end) {
        memory_region_add_subregion_overlap(root, 16 * KiB, rcu_b, 1);
        memory_region_del_subregion(root, rcu_b);
        /* Batched: readers never see b at 0, only where it ends up. */
        memory_region_transaction_begin();
        memory_region_add_subregion_overlap(root, 0, rcu_b, 1);
        memory_region_set_address(rcu_b, 16 * KiB);
        memory_region_transaction_commit();
        memory_region_del_subregion(root, rcu_b);
    }
    g_atomic_int_set(&rcu_stop, 1);
    g_thread_join(t);
    g_test_message("%d reads", g_atomic_int_get(&rcu_loops));
}

int main(int argc, char **argv)
{
    memory_test_init(&argc, &argv);
    ADD("flatview", test_later_added_wins_at_equal_priority);
    ADD("flatview", test_higher_priority_wins);
    ADD("flatview", test_alias_shows_window_of_target);
    ADD("flatview", test_alias_of_container_shows_children);
    ADD("flatview", test_disabled_region_is_skipped);
    ADD("flatview", test_root_spans_all_of_2_64);
    ADD("flatview", test_alias_cycle_is_cut);
    ADD("flatview", test_matches_naive_walk);
    ADD("access", test_mmio_access_fits_impl_size);
    ADD("access", test_unaligned_mmio_splits_naturally);
    ADD("access", test_invalid_size_reads_all_ones);
    ADD("access", test_unassigned_reads_all_ones);
    ADD("access", test_ram_across_adjacent_ranges);
    ADD("access", test_readonly_ram_drops_writes);
    ADD("access", test_range_past_2_64_fails);
    ADD("map", test_shortened_at_range_end);
    ADD("map", test_refuses_mmio_holes_rom_writes);
    ADD("rcu", test_reader_sees_consistent_view);
    return memory_test_run();
}
