/* The qtest accelerator: a test process plays the CPU over a line protocol. */
#include "accel/qtest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "qom/object.h"
#include "system/physmem.h"
#include "qtest-internal.h"
#include "util/cutils.h"

/* GSIs whose level qtest remembers; higher ones are dropped. */
#define QTEST_MAX_IRQ 256

/* Machine lock held for all of these: every command runs under it. */
static int64_t clock_ns;
static bool irq_intercepted;            /* irq_intercept_in was run */
static int8_t irq_levels[QTEST_MAX_IRQ];

int64_t qtest_clock_get_ns(void)
{
    return clock_ns;
}

/* ---- argument parsing -------------------------------------------------- */

/* QEMU's qtest takes numbers in C syntax: decimal, 0x hex, 0 octal. */
static bool parse_num(const char *word, uint64_t *out)
{
    char *end;

    if (!word || !*word || *word == '-' || *word == '+' ||
        g_ascii_isspace(*word)) {
        return false;
    }
    errno = 0;
    *out = g_ascii_strtoull(word, &end, 0);
    return errno == 0 && *end == '\0';
}

static char *fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static char *fail(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return g_strdup_printf("FAIL %s", msg);
}

static bool check_argc(char **w, int want, char **reply)
{
    int have = g_strv_length(w) - 1;

    if (have != want) {
        *reply = fail("'%s' takes %d argument%s, got %d", w[0], want,
                      want == 1 ? "" : "s", have);
        return false;
    }
    return true;
}

static bool parse_args(char **w, int n, uint64_t *v, char **reply)
{
    for (int i = 0; i < n; i++) {
        if (!parse_num(w[i + 1], &v[i])) {
            *reply = fail("'%s': '%s' is not a number", w[0], w[i + 1]);
            return false;
        }
    }
    return true;
}

static unsigned access_size(char suffix)
{
    switch (suffix) {
    case 'b':
        return 1;
    case 'w':
        return 2;
    case 'l':
        return 4;
    case 'q':
        return 8;
    }
    return 0;
}

/* A value wider than the access is a test bug worth reporting, not truncating. */
static bool check_fits(uint64_t value, unsigned size, char **reply)
{
    if (size < 8 && value >> (size * 8)) {
        *reply = fail("value 0x%" G_GINT64_MODIFIER "x does not fit in %u "
                      "byte%s", value, size, size == 1 ? "" : "s");
        return false;
    }
    return true;
}

static char *tx_reply(MemTxResult r, char *ok)
{
    if (r & MEMTX_RANGE_ERROR) {
        g_free(ok);
        return fail("address range wraps past 2^64");
    }
    return ok;
}

/* ---- commands ------------------------------------------------------------ */

static char *cmd_out(char **w, unsigned size)
{
    uint64_t v[2];
    char *reply;

    if (!check_argc(w, 2, &reply) || !parse_args(w, 2, v, &reply)) {
        return reply;
    }
    if (v[0] > 0xffff) {
        return fail("port 0x%" G_GINT64_MODIFIER "x is out of range", v[0]);
    }
    if (!check_fits(v[1], size, &reply)) {
        return reply;
    }
    return tx_reply(address_space_st(&address_space_io, v[0], size, v[1]),
                    g_strdup("OK"));
}

static char *cmd_in(char **w, unsigned size)
{
    uint64_t port, val = 0;
    char *reply;

    if (!check_argc(w, 1, &reply) || !parse_args(w, 1, &port, &reply)) {
        return reply;
    }
    if (port > 0xffff) {
        return fail("port 0x%" G_GINT64_MODIFIER "x is out of range", port);
    }
    address_space_ld(&address_space_io, port, size, &val);
    return g_strdup_printf("OK 0x%04" G_GINT64_MODIFIER "x", val);
}

static char *cmd_write_n(char **w, unsigned size)
{
    uint64_t v[2];
    char *reply;

    if (!check_argc(w, 2, &reply) || !parse_args(w, 2, v, &reply) ||
        !check_fits(v[1], size, &reply)) {
        return reply;
    }
    return tx_reply(address_space_st(&address_space_memory, v[0], size, v[1]),
                    g_strdup("OK"));
}

static char *cmd_read_n(char **w, unsigned size)
{
    uint64_t addr, val = 0;
    MemTxResult r;
    char *reply;

    if (!check_argc(w, 1, &reply) || !parse_args(w, 1, &addr, &reply)) {
        return reply;
    }
    r = address_space_ld(&address_space_memory, addr, size, &val);
    return tx_reply(r, g_strdup_printf("OK 0x%016" G_GINT64_MODIFIER "x",
                                       val));
}

static bool check_rw_size(const char *cmd, uint64_t size, uint64_t max,
                          char **reply)
{
    if (size > max) {
        *reply = fail("%s: size 0x%" G_GINT64_MODIFIER "x is over the "
                      "limit of 0x%" G_GINT64_MODIFIER "x bytes", cmd, size,
                      max);
        return false;
    }
    return true;
}

static char *cmd_read(char **w, bool base64)
{
    uint64_t v[2];
    g_autofree uint8_t *buf = NULL;
    MemTxResult r;
    GString *out;
    char *reply;

    if (!check_argc(w, 2, &reply) || !parse_args(w, 2, v, &reply) ||
        !check_rw_size(w[0], v[1], QTEST_MAX_RW_BYTES, &reply)) {
        return reply;
    }
    buf = g_malloc0(v[1] ? v[1] : 1);
    r = address_space_read(&address_space_memory, v[0], buf, v[1]);
    if (base64) {
        g_autofree char *enc = g_base64_encode(buf, v[1]);

        return tx_reply(r, g_strdup_printf("OK %s", enc));
    }
    out = g_string_sized_new(2 * v[1] + 6);
    g_string_append(out, "OK 0x");
    for (uint64_t i = 0; i < v[1]; i++) {
        g_string_append_printf(out, "%02x", buf[i]);
    }
    return tx_reply(r, g_string_free(out, FALSE));
}

static int hex_digit(char c)
{
    return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

/* write ADDR SIZE 0xHEX: missing bytes are zero, as QEMU. */
static char *cmd_write(char **w)
{
    uint64_t v[2];
    g_autofree uint8_t *buf = NULL;
    const char *hex;
    size_t digits;
    char *reply;

    if (!check_argc(w, 3, &reply) || !parse_args(w, 2, v, &reply) ||
        !check_rw_size(w[0], v[1], QTEST_MAX_RW_BYTES, &reply)) {
        return reply;
    }
    hex = w[3];
    if (hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X')) {
        return fail("write: data must start with 0x");
    }
    hex += 2;
    digits = strlen(hex);
    if (digits > 2 * v[1]) {
        return fail("write: %zu hex digits are more than %" G_GUINT64_FORMAT
                    " bytes", digits, v[1]);
    }
    buf = g_malloc0(v[1] ? v[1] : 1);
    for (size_t i = 0; i < digits; i++) {
        int d = hex_digit(hex[i]);

        if (d < 0) {
            return fail("write: '%c' is not a hex digit", hex[i]);
        }
        buf[i / 2] |= d << ((i % 2) ? 0 : 4);
    }
    return tx_reply(address_space_write(&address_space_memory, v[0], buf,
                                        v[1]), g_strdup("OK"));
}

static char *cmd_b64write(char **w)
{
    uint64_t v[2];
    g_autofree uint8_t *data = NULL;
    g_autofree uint8_t *buf = NULL;
    gsize len;
    char *reply;

    if (!check_argc(w, 3, &reply) || !parse_args(w, 2, v, &reply) ||
        !check_rw_size(w[0], v[1], QTEST_MAX_RW_BYTES, &reply)) {
        return reply;
    }
    for (const char *p = w[3]; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("+/=", *p)) {
            return fail("b64write: '%c' is not base64", *p);
        }
    }
    data = g_base64_decode(w[3], &len);
    buf = g_malloc0(v[1] ? v[1] : 1);
    memcpy(buf, data, MIN(len, v[1]));
    return tx_reply(address_space_write(&address_space_memory, v[0], buf,
                                        v[1]), g_strdup("OK"));
}

static char *cmd_memset(char **w)
{
    uint64_t v[3];
    uint8_t chunk[65536];
    MemTxResult r = MEMTX_OK;
    char *reply;

    if (!check_argc(w, 3, &reply) || !parse_args(w, 3, v, &reply) ||
        !check_rw_size(w[0], v[1], QTEST_MAX_MEMSET, &reply)) {
        return reply;
    }
    if (v[2] > 0xff) {
        return fail("memset: pattern 0x%" G_GINT64_MODIFIER "x is not a "
                    "byte", v[2]);
    }
    if (v[1] && v[0] + v[1] - 1 < v[0]) {
        return fail("address range wraps past 2^64");
    }
    memset(chunk, (int)v[2], sizeof(chunk));
    for (uint64_t done = 0; done < v[1]; done += sizeof(chunk)) {
        uint64_t n = MIN(sizeof(chunk), v[1] - done);

        r |= address_space_write(&address_space_memory, v[0] + done, chunk,
                                 n);
    }
    return tx_reply(r, g_strdup("OK"));
}

static char *cmd_clock(char **w, bool step)
{
    uint64_t ns = 0;
    int have = g_strv_length(w) - 1;

    if (have > 1 || (!step && have != 1)) {
        return fail("'%s' takes %s argument", w[0], step ? "at most one"
                                                         : "one");
    }
    if (have == 1 && !parse_num(w[1], &ns)) {
        return fail("'%s': '%s' is not a number", w[0], w[1]);
    }
    if (ns > (uint64_t)INT64_MAX ||
        (step && (int64_t)ns > INT64_MAX - clock_ns)) {
        return fail("'%s': the clock would pass 2^63 ns", w[0]);
    }
    if (step) {
        clock_ns += (int64_t)ns;
    } else if ((int64_t)ns > clock_ns) {
        clock_ns = (int64_t)ns;     /* the clock never goes back */
    }
    return g_strdup_printf("OK %" G_GINT64_FORMAT, clock_ns);
}

/*
 * irq_intercept_in/out PATH: Tide's interrupts are MSI writes into guest
 * memory, which tests poll; intercepting a device's legacy pins is
 * accepted for any existing device so QEMU-style tests run unchanged.
 */
static char *cmd_irq_intercept(char **w)
{
    char *reply;

    if (!check_argc(w, 1, &reply)) {
        return reply;
    }
    if (!object_resolve_path(w[1], NULL)) {
        return fail("Unknown device '%s'", w[1]);
    }
    if (g_str_equal(w[0], "irq_intercept_in")) {
        irq_intercepted = true;
    }
    return g_strdup("OK");
}

/* ---- interrupts ----------------------------------------------------------- */

/*
 * As QEMU's qtest: an MSI is the 32-bit little-endian write of data at
 * address it would be on the bus, so a test polls guest memory for it.
 * A write to nothing is dropped, as a real bus would.
 */
static void qtest_send_msi(uint64_t address, uint32_t data)
{
    address_space_stl_le(&address_space_memory, address, data);
}

/*
 * Remembers the level of a legacy line and, once the test ran
 * irq_intercept_in, tells every connection of a change with QEMU's
 * asynchronous "IRQ raise N" / "IRQ lower N" line.
 */
static void qtest_set_irq_line(unsigned gsi, int level)
{
    g_autofree char *msg = NULL;

    level = !!level;
    if (gsi >= QTEST_MAX_IRQ || irq_levels[gsi] == level) {
        return;
    }
    irq_levels[gsi] = (int8_t)level;
    if (!irq_intercepted) {
        return;
    }
    msg = g_strdup_printf("IRQ %s %u", level ? "raise" : "lower", gsi);
    qtest_log_line('S', msg);
    qtest_server_broadcast(msg);
}

const AccelIrqOps qtest_irq_ops = {
    .send_msi = qtest_send_msi,
    .set_irq_line = qtest_set_irq_line,
};

char *qtest_process_line(const char *line)
{
    g_auto(GStrv) w = g_strsplit_set(line, " \t", -1);
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    const char *cmd;
    size_t len;

    for (int i = 0; w[i]; i++) {
        if (*w[i]) {
            g_ptr_array_add(words, w[i]);
        }
    }
    g_ptr_array_add(words, NULL);
    if (words->len == 1) {
        return fail("empty command");
    }
    cmd = g_ptr_array_index(words, 0);
    len = strlen(cmd);
    char **a = (char **)words->pdata;

    if ((g_str_has_prefix(cmd, "out") || g_str_has_prefix(cmd, "in")) &&
        len == (cmd[0] == 'o' ? 4u : 3u) && strchr("bwl", cmd[len - 1])) {
        return cmd[0] == 'o' ? cmd_out(a, access_size(cmd[len - 1]))
                             : cmd_in(a, access_size(cmd[len - 1]));
    }
    if ((g_str_has_prefix(cmd, "write") || g_str_has_prefix(cmd, "read")) &&
        len == (cmd[0] == 'w' ? 6u : 5u) && strchr("bwlq", cmd[len - 1])) {
        return cmd[0] == 'w' ? cmd_write_n(a, access_size(cmd[len - 1]))
                             : cmd_read_n(a, access_size(cmd[len - 1]));
    }
    if (g_str_equal(cmd, "read") || g_str_equal(cmd, "b64read")) {
        return cmd_read(a, cmd[0] == 'b');
    }
    if (g_str_equal(cmd, "write")) {
        return cmd_write(a);
    }
    if (g_str_equal(cmd, "b64write")) {
        return cmd_b64write(a);
    }
    if (g_str_equal(cmd, "memset")) {
        return cmd_memset(a);
    }
    if (g_str_equal(cmd, "clock_step") || g_str_equal(cmd, "clock_set")) {
        return cmd_clock(a, g_str_equal(cmd, "clock_step"));
    }
    if (g_str_equal(cmd, "endianness")) {
        return g_strdup("OK little");
    }
    if (g_str_equal(cmd, "irq_intercept_in") ||
        g_str_equal(cmd, "irq_intercept_out")) {
        return cmd_irq_intercept(a);
    }
    return fail("Unknown command '%s'", cmd);
}

void qtest_engine_reset(void)
{
    irq_intercepted = false;
    memset(irq_levels, 0, sizeof(irq_levels));
}
