/* libqos guest: one VMM under test with its PCI bus, guest allocator and virtio-mem drivers. */
#ifndef TESTS_QTEST_LIBQOS_GUEST_H
#define TESTS_QTEST_LIBQOS_GUEST_H

#include "util.h"
#include "virtio-mem.h"

typedef struct QOSGuest {
    QTestState *qts;
    QPCIBus *bus;
    QGuestAllocator *alloc;
    GPtrArray *mems;            /* QVirtioMem *, as added */
} QOSGuest;

/* qtest_init(args), bus 0, the allocator over QOS_ALLOC_START/SIZE. */
QOSGuest *qos_guest_start(const char *args);
QOSGuest *qos_guest_startf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Drivers first, then the VMM. */
void qos_guest_stop(QOSGuest *g);

/* A driver for the index'th virtio-mem-pci function (see qvirtio_mem_new). */
QVirtioMem *qos_guest_add_virtio_mem(QOSGuest *g, unsigned index,
                                     const QVirtioMemOptions *opts);
/* One driver per virtio-mem-pci function present, all with opts. */
void qos_guest_add_all_virtio_mem(QOSGuest *g, const QVirtioMemOptions *opts);
QVirtioMem *qos_guest_mem(QOSGuest *g, unsigned i);

/*
 * One step of every driver, in order, as a guest's workers would run
 * them; true when every driver reports nothing to do.
 */
bool qos_guest_sync_all(QOSGuest *g);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QOSGuest, qos_guest_stop)

#endif
