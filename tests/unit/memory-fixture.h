/* The memory tests' fixture: a fresh address space per test, region helpers. */
#ifndef TESTS_UNIT_MEMORY_FIXTURE_H
#define TESTS_UNIT_MEMORY_FIXTURE_H

#include <glib.h>
#include <string.h>

#include "system/memory.h"
#include "system/physmem.h"

#define KiB (UINT64_C(1) << 10)
#define TOP (UINT64_C(1) << 63)

/*
 * Each test gets a fresh root spanning 2^64, an address space on it, and
 * regions from the helpers below, which the teardown unmaps and frees.
 */
extern MemoryRegion *root;
extern AddressSpace as;
extern char dev_log[256];       /* device callbacks: "r0/4 w8/4=1234 " */
extern const MemoryRegionOps null_ops;

MemoryRegion *new_region(void);

/* A region made by init(mr, ...), freed by the teardown. */
#define NEW(init, ...) ({                                   \
        MemoryRegion *mr_ = new_region();                   \
        init(mr_, __VA_ARGS__);                             \
        mr_;                                                \
    })
#define container(name, size) NEW(memory_region_init_container, name, size)
#define alias(name, orig, off, size) \
    NEW(memory_region_init_alias, name, orig, off, size)
#define io(name, ops, size) NEW(memory_region_init_io, ops, NULL, name, size)

/* RAM over a heap buffer filled with fill. */
MemoryRegion *ram(const char *name, uint64_t size, uint8_t fill);

/* Append to a char array log. */
#define LOG(log, ...) \
    g_snprintf((log) + strlen(log), sizeof(log) - strlen(log), __VA_ARGS__)

/* Check a log and empty it. */
#define ASSERT_LOG(log, expect) do {                    \
        g_assert_cmpstr(log, ==, expect);               \
        (log)[0] = 0;                                   \
    } while (0)

#define host_of(mr) ((uint8_t *)(mr)->host)

void setup(void *fx, const void *data);
void teardown(void *fx, const void *data);

/* Register test fn under /memory/GROUP/, between setup() and teardown(). */
void memory_test_add(const char *group, const char *fn, GTestFixtureFunc test);
#define ADD(group, fn) memory_test_add(group, #fn, fn)

/* main(): init (RCU reader, GTest), ADD the tests, return run's answer. */
void memory_test_init(int *argc, char ***argv);
int memory_test_run(void);

#endif
