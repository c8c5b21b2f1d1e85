/* libqos guest: one VMM under test with its PCI bus, guest allocator and virtio-mem drivers. */
#include "guest.h"

#include <stdarg.h>

QOSGuest *qos_guest_start(const char *args)
{
    QOSGuest *g = g_new0(QOSGuest, 1);

    g->qts = qtest_init(args);
    g->bus = qpci_bus_new(g->qts);
    g->alloc = guest_alloc_new(QOS_ALLOC_START, QOS_ALLOC_SIZE);
    g->mems = g_ptr_array_new_with_free_func((GDestroyNotify)qvirtio_mem_free);
    return g;
}

QOSGuest *qos_guest_startf(const char *fmt, ...)
{
    g_autofree char *args = NULL;
    va_list ap;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qos_guest_start(args);
}

void qos_guest_stop(QOSGuest *g)
{
    if (!g) {
        return;
    }
    g_ptr_array_free(g->mems, TRUE);
    guest_alloc_free_all(g->alloc);
    qpci_bus_free(g->bus);
    qtest_quit(g->qts);
    g_free(g);
}

QVirtioMem *qos_guest_add_virtio_mem(QOSGuest *g, unsigned index,
                                     const QVirtioMemOptions *opts)
{
    QVirtioMem *m = qvirtio_mem_new(g->bus, g->alloc, index, opts);

    g_ptr_array_add(g->mems, m);
    return m;
}

static void count_fn(QPCIBus *bus, uint8_t devfn, uint16_t vendor,
                     uint16_t device, void *opaque)
{
    (*(unsigned *)opaque)++;
}

void qos_guest_add_all_virtio_mem(QOSGuest *g, const QVirtioMemOptions *opts)
{
    unsigned n = 0;

    qpci_device_foreach(g->bus, QVIRTIO_VENDOR_ID,
                        QVIRTIO_DEVICE_ID_BASE + QVIRTIO_MEM_DEVICE_ID,
                        count_fn, &n);
    for (unsigned i = 0; i < n; i++) {
        qos_guest_add_virtio_mem(g, i, opts);
    }
}

QVirtioMem *qos_guest_mem(QOSGuest *g, unsigned i)
{
    g_assert_cmpuint(i, <, g->mems->len);
    return g_ptr_array_index(g->mems, i);
}

bool qos_guest_sync_all(QOSGuest *g)
{
    bool idle = true;

    for (guint i = 0; i < g->mems->len; i++) {
        idle &= qvirtio_mem_sync(g_ptr_array_index(g->mems, i));
    }
    return idle;
}
