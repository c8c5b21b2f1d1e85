/* ACPI tables: checksums, pointers, and what each table tells the guest. */
#include <glib.h>
#include <string.h>
#include "accel/x86-topology.h"
#include "hw/i386/acpi-build.h"

#define BASE UINT64_C(0xe0000)

static uint32_t rd32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--) {
        s += *p++;
    }
    return s;
}

static PCMachineState *machine(unsigned cpus, unsigned cores,
                               unsigned threads)
{
    PCMachineState *m = g_new0(PCMachineState, 1);

    m->smp_cpus = cpus;
    m->smp_cores = cores;
    m->smp_threads = threads;
    m->ram_size = m->below_4g_mem_size = 512u << 20;
    m->numa_nodes = g_ptr_array_new();
    return m;
}

static void machine_free(PCMachineState *m)
{
    g_ptr_array_free(m->numa_nodes, TRUE);
    g_free(m);
}

static GByteArray *build(PCMachineState *m)
{
    AcpiPciWindows w = {
        .mem32_base = 0xc0000000, .mem32_size = 0x20000000,
        .mem64_base = UINT64_C(0x800000000), .mem64_size = UINT64_C(1) << 35,
    };
    GByteArray *b = acpi_build_tables(m, &w, BASE, 0x20000);

    g_assert_nonnull(b);
    return b;
}

/* The table with signature sig reached through the XSDT, or NULL. */
static const uint8_t *find_table(GByteArray *b, const char *sig)
{
    const uint8_t *xsdt = b->data + (rd64(b->data + 24) - BASE);
    uint32_t len = rd32(xsdt + 4);

    for (uint32_t off = 36; off + 8 <= len; off += 8) {
        const uint8_t *t = b->data + (rd64(xsdt + off) - BASE);

        if (!memcmp(t, sig, 4)) {
            return t;
        }
    }
    return NULL;
}

static void test_checksums_and_pointers(void)
{
    PCMachineState *m = machine(2, 1, 1);
    g_autoptr(GByteArray) b = build(m);
    const uint8_t *xsdt, *rsdt;
    const char *sigs[] = { "FACP", "APIC", "MCFG" };

    g_assert_cmpmem(b->data, 8, "RSD PTR ", 8);
    g_assert_cmpuint(sum(b->data, 20), ==, 0);
    g_assert_cmpuint(sum(b->data, 36), ==, 0);
    xsdt = b->data + (rd64(b->data + 24) - BASE);
    rsdt = b->data + (rd32(b->data + 16) - BASE);
    g_assert_cmpmem(xsdt, 4, "XSDT", 4);
    g_assert_cmpmem(rsdt, 4, "RSDT", 4);
    g_assert_cmpuint(sum(xsdt, rd32(xsdt + 4)), ==, 0);
    g_assert_cmpuint(sum(rsdt, rd32(rsdt + 4)), ==, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
        const uint8_t *t = find_table(b, sigs[i]);

        g_assert_nonnull(t);
        g_assert_cmpuint(sum(t, rd32(t + 4)), ==, 0);
    }
    machine_free(m);
}

static void test_fadt_hardware_reduced_with_reset_register(void)
{
    PCMachineState *m = machine(1, 1, 1);
    g_autoptr(GByteArray) b = build(m);
    const uint8_t *f = find_table(b, "FACP");
    const uint8_t *dsdt = b->data + (rd64(f + 140) - BASE);

    g_assert_cmpuint(rd32(f + 4), ==, 276);
    g_assert_true(rd32(f + 112) & (1u << 20));         /* HW_REDUCED_ACPI */
    g_assert_true(rd32(f + 112) & (1u << 10));         /* RESET_REG_SUP */
    g_assert_cmpuint(rd64(f + 116 + 4), ==, ACPI_RESET_PORT);
    g_assert_cmpuint(f[128], ==, ACPI_RESET_VALUE);
    g_assert_cmpuint(rd64(f + 244 + 4), ==, ACPI_SLEEP_CONTROL_PORT);
    g_assert_cmpmem(dsdt, 4, "DSDT", 4);
    g_assert_cmpuint(sum(dsdt, rd32(dsdt + 4)), ==, 0);
    g_assert_nonnull(memmem(dsdt, rd32(dsdt + 4), "PCI0", 4));
    g_assert_nonnull(memmem(dsdt, rd32(dsdt + 4), "COM1", 4));
    g_assert_nonnull(memmem(dsdt, rd32(dsdt + 4), "_S5_", 4));
    machine_free(m);
}

/* Every LAPIC entry, in order, carries the APIC ID CPUID will report. */
static void check_lapics(unsigned cpus, unsigned cores, unsigned threads)
{
    PCMachineState *m = machine(cpus, cores, threads);
    g_autoptr(GByteArray) b = build(m);
    const uint8_t *madt = find_table(b, "APIC");
    uint32_t len = rd32(madt + 4);
    unsigned n = 0, ioapics = 0;

    for (uint32_t off = 44; off < len; off += madt[off + 1]) {
        g_assert_cmpuint(madt[off + 1], >=, 2);
        if (madt[off] == 0) {
            g_assert_cmpuint(madt[off + 3], ==,
                             x86_apic_id_from_index(n, cores, threads));
            g_assert_cmpuint(rd32(madt + off + 4), ==, 1);
            n++;
        } else if (madt[off] == 1) {
            ioapics++;
        }
    }
    g_assert_cmpuint(n, ==, cpus);
    g_assert_cmpuint(ioapics, ==, 1);
    machine_free(m);
}

static void test_madt_one_lapic_per_vcpu(void)
{
    check_lapics(1, 1, 1);
    check_lapics(4, 2, 2);
    /* 3 cores need 2 bits: socket 1 starts at APIC ID 4. */
    check_lapics(6, 3, 1);
    g_assert_cmpuint(x86_apic_id_from_index(3, 3, 1), ==, 4);
}

static void test_mcfg_covers_ecam(void)
{
    PCMachineState *m = machine(1, 1, 1);
    g_autoptr(GByteArray) b = build(m);
    const uint8_t *t = find_table(b, "MCFG");

    g_assert_cmpuint(rd64(t + 44), ==, UINT64_C(0xe0000000));
    g_assert_cmpuint(t[54], ==, 0);
    g_assert_cmpuint(t[55], ==, 255);
    machine_free(m);
}

static void test_srat_absent_without_numa_or_memory_devices(void)
{
    PCMachineState *m = machine(2, 1, 1);
    g_autoptr(GByteArray) b = build(m);

    g_assert_null(find_table(b, "SRAT"));
    machine_free(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qom_register_types();
    g_test_add_func("/acpi/tables/checksums-and-pointers",
                    test_checksums_and_pointers);
    g_test_add_func("/acpi/fadt/hardware-reduced-with-reset-register",
                    test_fadt_hardware_reduced_with_reset_register);
    g_test_add_func("/acpi/madt/one-lapic-per-vcpu-with-cpuid-apic-ids",
                    test_madt_one_lapic_per_vcpu);
    g_test_add_func("/acpi/mcfg/covers-the-ecam-window",
                    test_mcfg_covers_ecam);
    g_test_add_func("/acpi/srat/absent-without-numa-or-memory-devices",
                    test_srat_absent_without_numa_or_memory_devices);
    return g_test_run();
}
