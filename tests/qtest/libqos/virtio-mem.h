/* libqos virtio-mem driver: follows requested-size the way Linux's virtio_mem does, one request per step. */
#ifndef TESTS_QTEST_LIBQOS_VIRTIO_MEM_H
#define TESTS_QTEST_LIBQOS_VIRTIO_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include "standard-headers/linux/virtio_mem.h"
#include "virtio-pci.h"

#define QVIRTIO_MEM_DEVICE_ID       24
/* Linux's SBM plugs up to a memory block (128 MiB) per request. */
#define QVIRTIO_MEM_DEFAULT_CHUNK   64

typedef struct QVirtioMemOptions {
    /* Blocks per PLUG/UNPLUG request (0: QVIRTIO_MEM_DEFAULT_CHUNK). */
    unsigned chunk_blocks;
    /*
     * Unmovable memory: the driver never unplugs below this many bytes
     * plugged (0: it unplugs whatever is asked).
     */
    uint64_t unplug_floor;
    /* A device with no driver: init and sync do nothing at all. */
    bool never_run;
    /* Features to accept on top of what Linux accepts: for tests. */
    uint64_t extra_features;
    /* Do not accept these (e.g. UNPLUGGED_INACCESSIBLE, to see V12). */
    uint64_t refuse_features;
} QVirtioMemOptions;

typedef struct QVirtioMemStats {
    uint64_t requests, acks, nacks, busy, errors;
    uint64_t config_irqs;
} QVirtioMemStats;

typedef struct QVirtioMem {
    QVirtioPCIDevice *vdev;
    QVirtQueue *vq;
    QVirtioMemOptions opts;
    /* The device config as last read. */
    struct virtio_mem_config cfg;
    /* The driver's own view of the blocks: one bit per block, set = plugged. */
    uint64_t nb_blocks;
    uint64_t *bitmap;
    uint64_t plugged_blocks;
    /* One request in flight at a time (Linux holds a mutex). */
    uint64_t req_addr, resp_addr;
    bool initialized;
    bool unplug_all_required;   /* plugged memory found at init (5.15.5 D5) */
    bool config_changed;
    bool broken;                /* ERROR answer or NEEDS_RESET: stopped */
    char *broken_reason;
    gint64 retry_after_us;      /* BUSY: wait until then or a config irq */
    QVirtioMemStats stats;
} QVirtioMem;

/* How long a BUSY keeps the driver off, unless a config interrupt comes. */
#define QVIRTIO_MEM_BUSY_RETRY_US   (200 * 1000)

/*
 * Find the index'th virtio-mem-pci function, and unless opts->never_run,
 * initialise it (negotiate, one queue, read the config).  opts may be
 * NULL for the defaults.  Fails the test when there is none.
 */
QVirtioMem *qvirtio_mem_new(QPCIBus *bus, QGuestAllocator *alloc,
                            unsigned index, const QVirtioMemOptions *opts);
void qvirtio_mem_free(QVirtioMem *m);

/*
 * (Re-)initialise as a guest does at boot: BARs, reset, negotiation,
 * queue, DRIVER_OK, read the config; plugged memory found there means
 * UNPLUG_ALL first.  false when negotiation failed.
 */
bool qvirtio_mem_init(QVirtioMem *m);

/*
 * One step of the driver: notice a config interrupt (re-read config),
 * then send at most one request that brings the plugged size towards
 * requested-size inside the usable region, as Linux does: PLUG the
 * lowest unplugged blocks, UNPLUG the highest plugged ones, chunk_blocks
 * at a time; ACK updates the bitmap; NACK re-reads the config and
 * retries; BUSY waits QVIRTIO_MEM_BUSY_RETRY_US or a config interrupt;
 * ERROR stops the driver for good (broken, as Linux marks it).
 * Returns true when there is nothing to do: plugged == requested, or
 * the driver cannot get closer (floor, usable region, broken, no driver).
 */
bool qvirtio_mem_sync(QVirtioMem *m);
/*
 * sync until it reports nothing to do, at most timeout_us; returns
 * whether the plugged size reached requested-size.
 */
bool qvirtio_mem_sync_until_idle(QVirtioMem *m, uint64_t timeout_us);

/* Re-read the config now (with the generation check of 4.1.4.3.1). */
void qvirtio_mem_read_config(QVirtioMem *m);
uint64_t qvirtio_mem_plugged_size(QVirtioMem *m);
uint64_t qvirtio_mem_block_size(QVirtioMem *m);

/*
 * A raw request, for tests of the device's rules: sends it, waits for
 * the answer and returns its type (the state in *state for STATE).  The
 * driver's bitmap follows ACKed PLUG/UNPLUG/UNPLUG_ALL.  Returns -1 when
 * the device did not answer (it went to NEEDS_RESET).
 */
int qvirtio_mem_request(QVirtioMem *m, uint16_t type, uint64_t addr,
                        uint16_t nb_blocks, uint16_t *state);
/* The state of blocks [addr, addr + nb * block_size) as STATE answers it. */
uint16_t qvirtio_mem_block_state(QVirtioMem *m, uint64_t addr, uint16_t nb);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QVirtioMem, qvirtio_mem_free)

#endif
