/* libqos helpers the tests share: QOM over QMP, events, and the VMM's RSS and CPU time from /proc. */
#ifndef TESTS_QTEST_LIBQOS_UTIL_H
#define TESTS_QTEST_LIBQOS_UTIL_H

#include <stdint.h>
#include "libqtest.h"

#define KiB     (UINT64_C(1) << 10)
#define MiB     (UINT64_C(1) << 20)
#define GiB     (UINT64_C(1) << 30)

/* qom-get of an integer property; fails the test on an error. */
uint64_t qos_qom_get_uint(QTestState *s, const char *path, const char *prop);
/* qom-get of a string property; caller frees. */
char *qos_qom_get_str(QTestState *s, const char *path, const char *prop);
/* qom-set of an integer property; fails the test on an error. */
void qos_qom_set_uint(QTestState *s, const char *path, const char *prop,
                      uint64_t value);
/* qom-set of a string property; returns the response (caller frees). */
JsonNode *qos_qom_set_str(QTestState *s, const char *path, const char *prop,
                          const char *value);

/* "memaddr" of memory device id from query-memory-devices. */
uint64_t qos_memdev_addr(QTestState *s, const char *id);

/* An event's data member (borrowed), and an integer or string member of it. */
JsonObject *qos_event_data(JsonNode *event);
int64_t qos_event_int(JsonNode *event, const char *member);
const char *qos_event_str(JsonNode *event, const char *member);
/* The event's timestamp in microseconds. */
int64_t qos_event_time_us(JsonNode *event);

/* Resident memory of the VMM process (smaps_rollup Rss), bytes. */
uint64_t qos_vmm_rss(QTestState *s);
/*
 * Resident memory of the VMM's mappings of one file, by the pathname
 * /proc/PID/smaps shows ("/memfd:mem0 (deleted)" for memory-backend-memfd
 * id=mem0): the Rss lines of those mappings, summed, bytes.  Fails the
 * test when the VMM has no such mapping.
 */
uint64_t qos_vmm_mapping_rss(QTestState *s, const char *pathname);
/* User plus system CPU time the VMM process used so far, microseconds. */
uint64_t qos_vmm_cpu_us(QTestState *s);

#endif
