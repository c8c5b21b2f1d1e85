/* libqos modern virtio-pci driver: negotiation, MSI-X into guest memory, split virtqueues. */
#include "virtio-pci.h"

#include <string.h>

#define CAP_CFG_TYPE        3
#define CAP_BAR             4
#define CAP_OFFSET          8
#define CAP_NOTIFY_MULT     16
/* Message data for vector v: never 0, so a written word is told from a clear one. */
#define MSI_DATA(v)         (0x4000u | (v))

#define VRING_DESC_SIZE     16
#define VRING_HDR_SIZE      4

/* ---- guest memory on this driver's connection ---------------------------- */

void qvirtio_memwrite(QVirtioPCIDevice *dev, uint64_t addr, const void *buf,
                      size_t len)
{
    qtest_memwrite(dev->qts, addr, buf, len);
}

void qvirtio_memread(QVirtioPCIDevice *dev, uint64_t addr, void *buf,
                     size_t len)
{
    qtest_memread(dev->qts, addr, buf, len);
}

/* A fresh zeroed word for an MSI to land in. */
static uint64_t alloc_msi_word(QVirtioPCIDevice *dev)
{
    uint64_t addr = guest_alloc(dev->alloc, 4);

    qtest_writel(dev->qts, addr, 0);
    return addr;
}

/* ---- finding the device -------------------------------------------------- */

static void find_caps(QVirtioPCIDevice *dev)
{
    QPCIDevice *pdev = dev->pdev;
    uint8_t at = 0;

    while ((at = qpci_find_capability(pdev, QPCI_CAP_ID_VNDR, at))) {
        uint8_t type = qpci_config_readb(pdev, at + CAP_CFG_TYPE);
        uint8_t bar = qpci_config_readb(pdev, at + CAP_BAR);
        uint32_t off = qpci_config_readl(pdev, at + CAP_OFFSET);
        uint64_t base;

        if (type == QVIRTIO_PCI_CAP_PCI_CFG) {
            dev->pci_cfg_cap = at;
            continue;
        }
        /* The first capability of each type is the one to use (4.1.4). */
        if (bar >= QPCI_NUM_BARS) {
            continue;
        }
        base = qpci_bar_map(pdev, bar);
        g_assert(base);
        switch (type) {
        case QVIRTIO_PCI_CAP_COMMON:
            dev->common = dev->common ? dev->common : base + off;
            break;
        case QVIRTIO_PCI_CAP_ISR:
            dev->isr = dev->isr ? dev->isr : base + off;
            break;
        case QVIRTIO_PCI_CAP_DEVICE:
            dev->device = dev->device ? dev->device : base + off;
            break;
        case QVIRTIO_PCI_CAP_NOTIFY:
            if (!dev->notify) {
                dev->notify = base + off;
                dev->notify_mult = qpci_config_readl(pdev,
                                                     at + CAP_NOTIFY_MULT);
            }
            break;
        }
    }
    g_assert(dev->common && dev->isr && dev->device && dev->notify);
}

QVirtioPCIDevice *qvirtio_pci_device_new(QPCIDevice *pdev,
                                         QGuestAllocator *alloc)
{
    QVirtioPCIDevice *dev = g_new0(QVirtioPCIDevice, 1);

    dev->pdev = pdev;
    dev->qts = pdev->qts;
    dev->alloc = alloc;
    dev->msix = qpci_msix_init(pdev);
    find_caps(dev);
    qpci_device_enable(pdev);
    return dev;
}

QVirtioPCIDevice *qvirtio_pci_device_find(QPCIBus *bus, QGuestAllocator *alloc,
                                          uint16_t id, unsigned index)
{
    QPCIDevice *pdev = qpci_device_find(bus, QVIRTIO_VENDOR_ID,
                                        QVIRTIO_DEVICE_ID_BASE + id, index);

    return pdev ? qvirtio_pci_device_new(pdev, alloc) : NULL;
}

static void free_queues(QVirtioPCIDevice *dev)
{
    for (unsigned i = 0; i < QVIRTIO_MAX_QUEUES; i++) {
        g_clear_pointer(&dev->vqs[i], qvirtqueue_free);
    }
}

void qvirtio_pci_device_free(QVirtioPCIDevice *dev)
{
    if (!dev) {
        return;
    }
    free_queues(dev);
    guest_free(dev->alloc, dev->config_msi_addr);
    qpci_device_free(dev->pdev);
    g_free(dev);
}

/* ---- common configuration ------------------------------------------------ */

static void common_writew(QVirtioPCIDevice *dev, uint32_t off, uint16_t v)
{
    qtest_writew(dev->qts, dev->common + off, v);
}

static uint16_t common_readw(QVirtioPCIDevice *dev, uint32_t off)
{
    return qtest_readw(dev->qts, dev->common + off);
}

static void common_writeq(QVirtioPCIDevice *dev, uint32_t off, uint64_t v)
{
    /* Two dword writes: the common config takes up to 4 bytes at a time. */
    qtest_writel(dev->qts, dev->common + off, (uint32_t)v);
    qtest_writel(dev->qts, dev->common + off + 4, (uint32_t)(v >> 32));
}

uint8_t qvirtio_pci_get_status(QVirtioPCIDevice *dev)
{
    return qtest_readb(dev->qts, dev->common + QVIRTIO_COMMON_STATUS);
}

void qvirtio_pci_set_status(QVirtioPCIDevice *dev, uint8_t status)
{
    qtest_writeb(dev->qts, dev->common + QVIRTIO_COMMON_STATUS, status);
}

void qvirtio_pci_reset(QVirtioPCIDevice *dev)
{
    qvirtio_pci_set_status(dev, 0);
    /* 4.1.4.3.2: the reset is done when status reads back 0. */
    g_assert_cmpuint(qvirtio_pci_get_status(dev), ==, 0);
    free_queues(dev);
}

void qvirtio_pci_restore(QVirtioPCIDevice *dev)
{
    qpci_bars_restore(dev->pdev);
    qpci_device_enable(dev->pdev);
}

uint64_t qvirtio_pci_get_device_features(QVirtioPCIDevice *dev)
{
    uint64_t f;

    qtest_writel(dev->qts, dev->common + QVIRTIO_COMMON_DFSELECT, 0);
    f = qtest_readl(dev->qts, dev->common + QVIRTIO_COMMON_DF);
    qtest_writel(dev->qts, dev->common + QVIRTIO_COMMON_DFSELECT, 1);
    f |= (uint64_t)qtest_readl(dev->qts, dev->common + QVIRTIO_COMMON_DF)
         << 32;
    dev->device_features = f;
    return f;
}

void qvirtio_pci_set_driver_features(QVirtioPCIDevice *dev, uint64_t features)
{
    qtest_writel(dev->qts, dev->common + QVIRTIO_COMMON_GFSELECT, 0);
    qtest_writel(dev->qts, dev->common + QVIRTIO_COMMON_GF,
                 (uint32_t)features);
    qtest_writel(dev->qts, dev->common + QVIRTIO_COMMON_GFSELECT, 1);
    qtest_writel(dev->qts, dev->common + QVIRTIO_COMMON_GF,
                 (uint32_t)(features >> 32));
    dev->features = features;
}

bool qvirtio_pci_features_ok(QVirtioPCIDevice *dev)
{
    uint8_t status = qvirtio_pci_get_status(dev);

    qvirtio_pci_set_status(dev, status | QVIRTIO_S_FEATURES_OK);
    return qvirtio_pci_get_status(dev) & QVIRTIO_S_FEATURES_OK;
}

void qvirtio_pci_setup_msix(QVirtioPCIDevice *dev)
{
    uint16_t got;

    g_assert(dev->msix);
    qpci_msix_enable(dev->pdev);
    if (!dev->config_msi_addr) {
        dev->config_msi_addr = alloc_msi_word(dev);
    }
    qtest_writel(dev->qts, dev->config_msi_addr, 0);
    dev->config_msi_data = MSI_DATA(QVIRTIO_CONFIG_VECTOR);
    qpci_msix_set_vector(dev->pdev, QVIRTIO_CONFIG_VECTOR,
                         dev->config_msi_addr, dev->config_msi_data);
    qpci_msix_mask(dev->pdev, QVIRTIO_CONFIG_VECTOR, false);
    common_writew(dev, QVIRTIO_COMMON_MSIX, QVIRTIO_CONFIG_VECTOR);
    /* 4.1.4.3.2 (4.1.5.1.2.1): read back to learn whether it took. */
    got = common_readw(dev, QVIRTIO_COMMON_MSIX);
    g_assert_cmphex(got, ==, QVIRTIO_CONFIG_VECTOR);
}

uint16_t qvirtio_pci_get_num_queues(QVirtioPCIDevice *dev)
{
    dev->num_queues = common_readw(dev, QVIRTIO_COMMON_NUMQ);
    return dev->num_queues;
}

uint16_t qvirtio_pci_queue_max_size(QVirtioPCIDevice *dev, uint16_t index)
{
    common_writew(dev, QVIRTIO_COMMON_Q_SELECT, index);
    return common_readw(dev, QVIRTIO_COMMON_Q_SIZE);
}

void qvirtio_pci_driver_ok(QVirtioPCIDevice *dev)
{
    qvirtio_pci_set_status(dev, qvirtio_pci_get_status(dev) |
                           QVIRTIO_S_DRIVER_OK);
}

uint8_t qvirtio_pci_config_generation(QVirtioPCIDevice *dev)
{
    return qtest_readb(dev->qts, dev->common + QVIRTIO_COMMON_CFGGEN);
}

bool qvirtio_pci_init(QVirtioPCIDevice *dev, uint64_t wanted,
                      unsigned nqueues)
{
    qvirtio_pci_restore(dev);
    qvirtio_pci_reset(dev);
    qvirtio_pci_set_status(dev, QVIRTIO_S_ACKNOWLEDGE);
    qvirtio_pci_set_status(dev, QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER);
    qvirtio_pci_set_driver_features(dev,
                                    qvirtio_pci_get_device_features(dev) &
                                    wanted);
    if (!qvirtio_pci_features_ok(dev)) {
        qvirtio_pci_set_status(dev, qvirtio_pci_get_status(dev) |
                               QVIRTIO_S_FAILED);
        return false;
    }
    if (dev->msix) {
        qvirtio_pci_setup_msix(dev);
    }
    g_assert_cmpuint(nqueues, <=, qvirtio_pci_get_num_queues(dev));
    for (unsigned i = 0; i < nqueues; i++) {
        qvirtqueue_setup(dev, (uint16_t)i, 0);
    }
    qvirtio_pci_driver_ok(dev);
    return true;
}

/* ---- device config, ISR, interrupts ---------------------------------------- */

uint8_t qvirtio_config_readb(QVirtioPCIDevice *dev, uint32_t off)
{
    return qtest_readb(dev->qts, dev->device + off);
}

uint16_t qvirtio_config_readw(QVirtioPCIDevice *dev, uint32_t off)
{
    return qtest_readw(dev->qts, dev->device + off);
}

uint32_t qvirtio_config_readl(QVirtioPCIDevice *dev, uint32_t off)
{
    return qtest_readl(dev->qts, dev->device + off);
}

uint64_t qvirtio_config_readq(QVirtioPCIDevice *dev, uint32_t off)
{
    return qvirtio_config_readl(dev, off) |
           (uint64_t)qvirtio_config_readl(dev, off + 4) << 32;
}

uint8_t qvirtio_pci_read_isr(QVirtioPCIDevice *dev)
{
    return qtest_readb(dev->qts, dev->isr);
}

/* Whether the MSI for the word at addr arrived; clears the word. */
static bool msi_word_fired(QTestState *qts, uint64_t addr)
{
    if (!addr || !qtest_readl(qts, addr)) {
        return false;
    }
    qtest_writel(qts, addr, 0);
    return true;
}

bool qvirtio_pci_config_irq(QVirtioPCIDevice *dev)
{
    return msi_word_fired(dev->qts, dev->config_msi_addr);
}

/* ---- virtqueues ------------------------------------------------------------- */

static uint64_t avail_ring_entry(QVirtQueue *vq, uint16_t idx)
{
    return vq->avail + VRING_HDR_SIZE + 2 * (uint64_t)(idx % vq->size);
}

static uint64_t used_event_addr(QVirtQueue *vq)
{
    return vq->avail + VRING_HDR_SIZE + 2 * (uint64_t)vq->size;
}

static uint64_t used_ring_entry(QVirtQueue *vq, uint16_t idx)
{
    return vq->used + VRING_HDR_SIZE + 8 * (uint64_t)(idx % vq->size);
}

static uint64_t avail_event_addr(QVirtQueue *vq)
{
    return vq->used + VRING_HDR_SIZE + 8 * (uint64_t)vq->size;
}

QVirtQueue *qvirtqueue_setup(QVirtioPCIDevice *dev, uint16_t index,
                             uint16_t size)
{
    QVirtQueue *vq = g_new0(QVirtQueue, 1);
    uint16_t max = qvirtio_pci_queue_max_size(dev, index);
    uint64_t avail_len, used_len;

    g_assert_cmpuint(index, <, QVIRTIO_MAX_QUEUES);
    g_assert_cmpuint(max, >, 0);
    vq->dev = dev;
    vq->index = index;
    vq->size = size ? size : max;
    vq->event_idx = dev->features & QVIRTIO_BIT(QVIRTIO_F_EVENT_IDX);
    vq->indirect_ok = dev->features & QVIRTIO_BIT(QVIRTIO_F_INDIRECT_DESC);
    common_writew(dev, QVIRTIO_COMMON_Q_SIZE, vq->size);
    /* Rings with the event words, whether negotiated or not. */
    avail_len = VRING_HDR_SIZE + 2 * (uint64_t)vq->size + 2;
    used_len = VRING_HDR_SIZE + 8 * (uint64_t)vq->size + 2;
    vq->desc = guest_alloc_aligned(dev->alloc,
                                   VRING_DESC_SIZE * (uint64_t)vq->size, 16);
    vq->avail = guest_alloc_aligned(dev->alloc, avail_len, 2);
    vq->used = guest_alloc_aligned(dev->alloc, used_len, 4);
    qtest_memset(dev->qts, vq->desc, 0, VRING_DESC_SIZE * (size_t)vq->size);
    qtest_memset(dev->qts, vq->avail, 0, avail_len);
    qtest_memset(dev->qts, vq->used, 0, used_len);
    common_writeq(dev, QVIRTIO_COMMON_Q_DESC, vq->desc);
    common_writeq(dev, QVIRTIO_COMMON_Q_AVAIL, vq->avail);
    common_writeq(dev, QVIRTIO_COMMON_Q_USED, vq->used);
    vq->vector = QVIRTIO_NO_VECTOR;
    if (dev->msix && index + 1u < dev->pdev->msix_entries) {
        vq->vector = index + 1;
        vq->msi_addr = alloc_msi_word(dev);
        vq->msi_data = MSI_DATA(vq->vector);
        qpci_msix_set_vector(dev->pdev, vq->vector, vq->msi_addr,
                             vq->msi_data);
        qpci_msix_mask(dev->pdev, vq->vector, false);
        common_writew(dev, QVIRTIO_COMMON_Q_MSIX, vq->vector);
        g_assert_cmphex(common_readw(dev, QVIRTIO_COMMON_Q_MSIX), ==,
                        vq->vector);
    }
    vq->notify_addr = dev->notify +
                      (uint64_t)common_readw(dev, QVIRTIO_COMMON_Q_NOFF) *
                      dev->notify_mult;
    vq->next_free = g_new(uint16_t, vq->size);
    vq->chain_len = g_new0(uint16_t, vq->size);
    vq->indirect = g_new0(uint64_t, vq->size);
    for (uint16_t i = 0; i < vq->size; i++) {
        vq->next_free[i] = i + 1;
    }
    vq->num_free = vq->size;
    common_writew(dev, QVIRTIO_COMMON_Q_ENABLE, 1);
    g_clear_pointer(&dev->vqs[index], qvirtqueue_free);
    dev->vqs[index] = vq;
    return vq;
}

void qvirtqueue_free(QVirtQueue *vq)
{
    QGuestAllocator *alloc = vq->dev->alloc;

    for (uint16_t i = 0; i < vq->size; i++) {
        guest_free(alloc, vq->indirect[i]);
    }
    guest_free(alloc, vq->desc);
    guest_free(alloc, vq->avail);
    guest_free(alloc, vq->used);
    guest_free(alloc, vq->msi_addr);
    g_free(vq->next_free);
    g_free(vq->chain_len);
    g_free(vq->indirect);
    g_free(vq);
}

static void encode_desc(uint8_t *out, uint64_t addr, uint32_t len,
                        uint16_t flags, uint16_t next)
{
    uint64_t a = GUINT64_TO_LE(addr);
    uint32_t l = GUINT32_TO_LE(len);
    uint16_t f = GUINT16_TO_LE(flags), n = GUINT16_TO_LE(next);

    memcpy(out, &a, 8);
    memcpy(out + 8, &l, 4);
    memcpy(out + 12, &f, 2);
    memcpy(out + 14, &n, 2);
}

static uint16_t buf_flags(const QVirtqBuf *b, bool more)
{
    return (b->write ? QVRING_DESC_F_WRITE : 0) |
           (more ? QVRING_DESC_F_NEXT : 0);
}

int qvirtqueue_add(QVirtQueue *vq, const QVirtqBuf *bufs, unsigned n,
                   bool indirect)
{
    QVirtioPCIDevice *dev = vq->dev;
    unsigned need = indirect ? 1 : n;
    uint16_t head = vq->free_head, i = head, last = head;
    uint8_t raw[VRING_DESC_SIZE];

    g_assert(n > 0);
    if (vq->num_free < need) {
        return -1;
    }
    if (indirect) {
        g_autofree uint8_t *table = g_malloc(VRING_DESC_SIZE * n);
        uint64_t addr = guest_alloc_aligned(dev->alloc,
                                            VRING_DESC_SIZE * (uint64_t)n, 16);

        for (unsigned k = 0; k < n; k++) {
            encode_desc(table + VRING_DESC_SIZE * k, bufs[k].addr,
                        bufs[k].len, buf_flags(&bufs[k], k + 1 < n),
                        (uint16_t)(k + 1));
        }
        qvirtio_memwrite(dev, addr, table, VRING_DESC_SIZE * (size_t)n);
        encode_desc(raw, addr, VRING_DESC_SIZE * n, QVRING_DESC_F_INDIRECT,
                    0);
        qvirtio_memwrite(dev, vq->desc + VRING_DESC_SIZE * (uint64_t)head,
                         raw, sizeof(raw));
        vq->indirect[head] = addr;
    } else {
        g_autofree uint8_t *run = g_malloc(VRING_DESC_SIZE * n);
        uint16_t run_start = i;
        unsigned run_len = 0;

        /*
         * The free list links are the chain's next fields, as in Linux.
         * Descriptors at consecutive indexes go out in one write: each
         * write is a round trip to the VMM.
         */
        for (unsigned k = 0; k < n; k++) {
            last = i;
            if (run_len && i != run_start + run_len) {
                qvirtio_memwrite(dev, vq->desc + VRING_DESC_SIZE *
                                 (uint64_t)run_start, run,
                                 VRING_DESC_SIZE * (size_t)run_len);
                run_start = i;
                run_len = 0;
            }
            encode_desc(run + VRING_DESC_SIZE * run_len, bufs[k].addr,
                        bufs[k].len, buf_flags(&bufs[k], k + 1 < n),
                        vq->next_free[i]);
            run_len++;
            i = vq->next_free[i];
        }
        qvirtio_memwrite(dev, vq->desc + VRING_DESC_SIZE * (uint64_t)run_start,
                         run, VRING_DESC_SIZE * (size_t)run_len);
    }
    vq->free_head = indirect ? vq->next_free[head] : vq->next_free[last];
    vq->num_free -= need;
    vq->chain_len[head] = (uint16_t)need;
    return head;
}

void qvirtqueue_publish(QVirtQueue *vq, uint16_t head)
{
    QTestState *qts = vq->dev->qts;

    qtest_writew(qts, avail_ring_entry(vq, vq->avail_idx), head);
    vq->avail_idx++;
    qtest_writew(qts, vq->avail + 2, vq->avail_idx);
}

void qvirtqueue_notify(QVirtQueue *vq)
{
    qtest_writew(vq->dev->qts, vq->notify_addr, vq->index);
}

/* vring_need_event() of the spec (2.7.10). */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

void qvirtqueue_kick(QVirtQueue *vq, uint16_t head)
{
    QTestState *qts = vq->dev->qts;
    uint16_t old = vq->kicked_idx;
    bool notify;

    qvirtqueue_publish(vq, head);
    vq->kicked_idx = vq->avail_idx;
    if (vq->event_idx) {
        notify = need_event(qtest_readw(qts, avail_event_addr(vq)),
                            vq->avail_idx, old);
    } else {
        notify = !(qtest_readw(qts, vq->used) & QVRING_USED_F_NO_NOTIFY);
    }
    if (notify) {
        qvirtqueue_notify(vq);
    }
}

static void free_chain(QVirtQueue *vq, uint16_t head)
{
    uint16_t n = vq->chain_len[head], tail = head;

    for (uint16_t k = 1; k < n; k++) {
        tail = vq->next_free[tail];
    }
    vq->next_free[tail] = vq->free_head;
    vq->free_head = head;
    vq->num_free += n;
    vq->chain_len[head] = 0;
    guest_free(vq->dev->alloc, vq->indirect[head]);
    vq->indirect[head] = 0;
}

bool qvirtqueue_get_used(QVirtQueue *vq, uint16_t *head, uint32_t *len)
{
    QTestState *qts = vq->dev->qts;
    uint16_t idx = qtest_readw(qts, vq->used + 2);
    uint64_t elem;
    uint32_t id;

    if (idx == vq->last_used_idx) {
        return false;
    }
    elem = qtest_readq(qts, used_ring_entry(vq, vq->last_used_idx));
    vq->last_used_idx++;
    id = (uint32_t)elem;
    /* A device returning a head it was not given is a device bug. */
    g_assert_cmpuint(id, <, vq->size);
    g_assert_cmpuint(vq->chain_len[id], >, 0);
    free_chain(vq, (uint16_t)id);
    if (vq->event_idx) {
        /* Interrupt again for the next one (virtqueue_enable_cb). */
        qtest_writew(qts, used_event_addr(vq), vq->last_used_idx);
    }
    if (head) {
        *head = (uint16_t)id;
    }
    if (len) {
        *len = (uint32_t)(elem >> 32);
    }
    return true;
}

bool qvirtqueue_wait_used(QVirtQueue *vq, uint64_t timeout_us,
                          uint16_t *head, uint32_t *len)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_us;
    gulong nap = 20;

    for (;;) {
        if (qvirtqueue_get_used(vq, head, len)) {
            return true;
        }
        if (g_get_monotonic_time() >= deadline) {
            return false;
        }
        qtest_clock_step(vq->dev->qts, 1000 * 1000);
        g_usleep(nap);
        nap = MIN(nap * 2, 10000);
    }
}

bool qvirtqueue_irq(QVirtQueue *vq)
{
    return msi_word_fired(vq->dev->qts, vq->msi_addr);
}
