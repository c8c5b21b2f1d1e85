/* The memory tests' fixture: a fresh address space per test, region helpers. */
#include "memory-fixture.h"

MemoryRegion *root;
AddressSpace as;
char dev_log[256];
const MemoryRegionOps null_ops;
static GPtrArray *regions;      /* MemoryRegion *, freed at teardown */
static GPtrArray *hosts;        /* RAM buffers */

MemoryRegion *new_region(void)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    g_ptr_array_add(regions, mr);
    return mr;
}

MemoryRegion *ram(const char *name, uint64_t size, uint8_t fill)
{
    MemoryRegion *mr = new_region();
    /* g_malloc(0) is NULL, and memset(NULL, ...) is undefined even for 0. */
    uint8_t *host = g_malloc(MAX(size, 1));

    memset(host, fill, MAX(size, 1));
    g_ptr_array_add(hosts, host);
    memory_region_init_ram_ptr(mr, name, size, host);
    return mr;
}

void setup(void *fx, const void *data)
{
    regions = g_ptr_array_new();
    hosts = g_ptr_array_new_with_free_func(g_free);
    dev_log[0] = 0;
    root = container("root", 0);
    address_space_init(&as, root, "test");
}

void teardown(void *fx, const void *data)
{
    address_space_destroy(&as);
    memory_region_transaction_begin();
    for (guint i = 0; i < regions->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(regions, i);
        if (mr->container) {
            memory_region_del_subregion(mr->container, mr);
        }
    }
    memory_region_transaction_commit();
    for (guint i = 0; i < regions->len; i++) {
        memory_region_destroy(g_ptr_array_index(regions, i));
        g_free(g_ptr_array_index(regions, i));
    }
    g_ptr_array_free(regions, true);
    g_ptr_array_free(hosts, true);
}

/* Every test runs between setup() and teardown(); its path is its name. */
void memory_test_add(const char *group, const char *fn, GTestFixtureFunc test)
{
    g_autofree char *path = g_strdup_printf("/memory/%s/%s", group,
                                            fn + strlen("test_"));

    g_test_add_vtable(g_strdelimit(path, "_", '-'), 0, NULL, setup, test,
                      teardown);
}

void memory_test_init(int *argc, char ***argv)
{
    rcu_register_thread();
    g_test_init(argc, argv, NULL);
}

int memory_test_run(void)
{
    int ret = g_test_run();

    rcu_barrier();      /* let call_rcu free the last views before exit */
    rcu_unregister_thread();
    return ret;
}
