/* libqos virtio-mem driver: follows requested-size the way Linux's virtio_mem does, one request per step. */
#include "virtio-mem.h"

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* A device that does not answer a well-formed request at once is broken. */
#define REQUEST_TIMEOUT_US  (5 * G_USEC_PER_SEC)
#define MAX_NB_BLOCKS       UINT16_MAX

/* What Linux's virtio_mem accepts (feature_table[] plus the ring features). */
static const uint64_t linux_features =
    QVIRTIO_BIT(QVIRTIO_F_VERSION_1) | QVIRTIO_BIT(QVIRTIO_F_INDIRECT_DESC) |
    QVIRTIO_BIT(QVIRTIO_F_EVENT_IDX) |
    QVIRTIO_BIT(VIRTIO_MEM_F_ACPI_PXM) |
    QVIRTIO_BIT(VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);

/* ---- the driver's bitmap ------------------------------------------------- */

static bool test_block(QVirtioMem *m, uint64_t b)
{
    return m->bitmap[b / 64] >> (b % 64) & 1;
}

static void set_blocks(QVirtioMem *m, uint64_t first, uint64_t n, bool plug)
{
    for (uint64_t b = first; b < first + n && b < m->nb_blocks; b++) {
        uint64_t bit = UINT64_C(1) << (b % 64);

        if (plug && !(m->bitmap[b / 64] & bit)) {
            m->bitmap[b / 64] |= bit;
            m->plugged_blocks++;
        } else if (!plug && (m->bitmap[b / 64] & bit)) {
            m->bitmap[b / 64] &= ~bit;
            m->plugged_blocks--;
        }
    }
}

static void clear_all_blocks(QVirtioMem *m)
{
    if (m->bitmap) {
        memset(m->bitmap, 0, (m->nb_blocks + 63) / 64 * 8);
    }
    m->plugged_blocks = 0;
}

static uint64_t addr_to_block(QVirtioMem *m, uint64_t addr)
{
    return (addr - m->cfg.addr) / m->cfg.block_size;
}

static uint64_t block_to_addr(QVirtioMem *m, uint64_t b)
{
    return m->cfg.addr + b * m->cfg.block_size;
}

/* ---- config ---------------------------------------------------------------- */

void qvirtio_mem_read_config(QVirtioMem *m)
{
    QVirtioPCIDevice *d = m->vdev;
    struct virtio_mem_config c;
    uint8_t gen;

    /* Read until the generation holds still (4.1.4.3.1 / 2.5.1). */
    do {
        gen = qvirtio_pci_config_generation(d);
        memset(&c, 0, sizeof(c));
        c.block_size = qvirtio_config_readq(d, offsetof(struct virtio_mem_config,
                                                        block_size));
        c.node_id = qvirtio_config_readw(d, offsetof(struct virtio_mem_config,
                                                     node_id));
        c.addr = qvirtio_config_readq(d, offsetof(struct virtio_mem_config,
                                                  addr));
        c.region_size = qvirtio_config_readq(
            d, offsetof(struct virtio_mem_config, region_size));
        c.usable_region_size = qvirtio_config_readq(
            d, offsetof(struct virtio_mem_config, usable_region_size));
        c.plugged_size = qvirtio_config_readq(
            d, offsetof(struct virtio_mem_config, plugged_size));
        c.requested_size = qvirtio_config_readq(
            d, offsetof(struct virtio_mem_config, requested_size));
    } while (gen != qvirtio_pci_config_generation(d));
    m->cfg = c;
    m->config_changed = false;
}

uint64_t qvirtio_mem_plugged_size(QVirtioMem *m)
{
    return m->plugged_blocks * m->cfg.block_size;
}

uint64_t qvirtio_mem_block_size(QVirtioMem *m)
{
    return m->cfg.block_size;
}

/* ---- setup ---------------------------------------------------------------- */

QVirtioMem *qvirtio_mem_new(QPCIBus *bus, QGuestAllocator *alloc,
                            unsigned index, const QVirtioMemOptions *opts)
{
    QVirtioMem *m = g_new0(QVirtioMem, 1);

    if (opts) {
        m->opts = *opts;
    }
    if (!m->opts.chunk_blocks) {
        m->opts.chunk_blocks = QVIRTIO_MEM_DEFAULT_CHUNK;
    }
    m->opts.chunk_blocks = MIN(m->opts.chunk_blocks, MAX_NB_BLOCKS);
    m->vdev = qvirtio_pci_device_find(bus, alloc, QVIRTIO_MEM_DEVICE_ID, index);
    g_assert_nonnull(m->vdev);
    if (!m->opts.never_run) {
        g_assert_true(qvirtio_mem_init(m));
    }
    return m;
}

void qvirtio_mem_free(QVirtioMem *m)
{
    if (!m) {
        return;
    }
    if (m->req_addr) {
        guest_free(m->vdev->alloc, m->req_addr);
        guest_free(m->vdev->alloc, m->resp_addr);
    }
    qvirtio_pci_device_free(m->vdev);
    g_free(m->bitmap);
    g_free(m->broken_reason);
    g_free(m);
}

bool qvirtio_mem_init(QVirtioMem *m)
{
    uint64_t wanted = (linux_features | m->opts.extra_features) &
                      ~m->opts.refuse_features;
    uint64_t nb;

    if (m->opts.never_run) {
        return true;
    }
    m->initialized = false;
    m->vq = NULL;
    if (!qvirtio_pci_init(m->vdev, wanted, 1)) {
        return false;
    }
    m->vq = m->vdev->vqs[0];
    if (!m->req_addr) {
        m->req_addr = guest_alloc(m->vdev->alloc,
                                  sizeof(struct virtio_mem_req));
        m->resp_addr = guest_alloc(m->vdev->alloc,
                                   sizeof(struct virtio_mem_resp));
    }
    qvirtio_mem_read_config(m);
    g_assert_cmpuint(m->cfg.block_size, >, 0);
    nb = m->cfg.region_size / m->cfg.block_size;
    if (nb != m->nb_blocks || !m->bitmap) {
        g_free(m->bitmap);
        m->nb_blocks = nb;
        m->bitmap = g_new0(uint64_t, (nb + 63) / 64 + 1);
    }
    clear_all_blocks(m);
    /* 5.15.5 D5: memory left plugged (a kexec, a failed reset) goes first. */
    m->unplug_all_required = m->cfg.plugged_size != 0;
    m->broken = false;
    g_clear_pointer(&m->broken_reason, g_free);
    m->retry_after_us = 0;
    m->initialized = true;
    return true;
}

/* ---- requests ---------------------------------------------------------------- */

static void mark_broken(QVirtioMem *m, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void mark_broken(QVirtioMem *m, const char *fmt, ...)
{
    va_list ap;

    if (m->broken) {
        return;
    }
    va_start(ap, fmt);
    m->broken_reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    m->broken = true;
    g_test_message("virtio-mem driver: %s", m->broken_reason);
}

static void track_ack(QVirtioMem *m, uint16_t type, uint64_t addr,
                      uint16_t nb)
{
    if (type == VIRTIO_MEM_REQ_UNPLUG_ALL) {
        clear_all_blocks(m);
        return;
    }
    if ((type != VIRTIO_MEM_REQ_PLUG && type != VIRTIO_MEM_REQ_UNPLUG) ||
        addr < m->cfg.addr) {
        return;
    }
    set_blocks(m, addr_to_block(m, addr), nb, type == VIRTIO_MEM_REQ_PLUG);
}

int qvirtio_mem_request(QVirtioMem *m, uint16_t type, uint64_t addr,
                        uint16_t nb_blocks, uint16_t *state)
{
    struct virtio_mem_req req = { .type = GUINT16_TO_LE(type) };
    struct virtio_mem_resp resp;
    QVirtqBuf bufs[2] = {
        { m->req_addr, sizeof(req), false },
        { m->resp_addr, sizeof(resp), true },
    };
    uint32_t len;
    int head;

    g_assert_true(m->initialized);
    /* plug, unplug and state share one layout (P1, U1, T1). */
    req.u.plug.addr = GUINT64_TO_LE(addr);
    req.u.plug.nb_blocks = GUINT16_TO_LE(nb_blocks);
    qvirtio_memwrite(m->vdev, m->req_addr, &req, sizeof(req));
    head = qvirtqueue_add(m->vq, bufs, 2, false);
    g_assert_cmpint(head, >=, 0);
    qvirtqueue_kick(m->vq, (uint16_t)head);
    m->stats.requests++;
    /* Tide answers while handling the notify: a miss is worth a look. */
    if (!qvirtqueue_get_used(m->vq, NULL, &len)) {
        if (qvirtio_pci_get_status(m->vdev) & QVIRTIO_S_NEEDS_RESET) {
            mark_broken(m, "device needs reset");
            return -1;
        }
        if (!qvirtqueue_wait_used(m->vq, REQUEST_TIMEOUT_US, NULL, &len)) {
            mark_broken(m, "no answer to request type %u", type);
            return -1;
        }
    }
    g_assert_cmpuint(len, >=, sizeof(resp.type));
    qvirtio_memread(m->vdev, m->resp_addr, &resp, sizeof(resp));
    resp.type = GUINT16_FROM_LE(resp.type);
    switch (resp.type) {
    case VIRTIO_MEM_RESP_ACK:
        m->stats.acks++;
        track_ack(m, type, addr, nb_blocks);
        if (state) {
            *state = GUINT16_FROM_LE(resp.u.state.state);
        }
        break;
    case VIRTIO_MEM_RESP_NACK:
        m->stats.nacks++;
        break;
    case VIRTIO_MEM_RESP_BUSY:
        m->stats.busy++;
        break;
    default:
        m->stats.errors++;
        break;
    }
    return resp.type;
}

uint16_t qvirtio_mem_block_state(QVirtioMem *m, uint64_t addr, uint16_t nb)
{
    uint16_t state = UINT16_MAX;

    g_assert_cmpint(qvirtio_mem_request(m, VIRTIO_MEM_REQ_STATE, addr, nb,
                                        &state), ==, VIRTIO_MEM_RESP_ACK);
    return state;
}

/* ---- following requested-size ------------------------------------------------ */

/* As Linux's virtio_mem_send_*_request callers map the answers. */
static void handle_answer(QVirtioMem *m, int r, uint16_t type)
{
    switch (r) {
    case VIRTIO_MEM_RESP_ACK:
        break;
    case VIRTIO_MEM_RESP_NACK:
        /* -EAGAIN: the request changed under us; look again, retry now. */
        m->config_changed = true;
        break;
    case VIRTIO_MEM_RESP_BUSY:
        /* -ETXTBSY: the retry timer, or a config change, whichever first. */
        m->retry_after_us = g_get_monotonic_time() + QVIRTIO_MEM_BUSY_RETRY_US;
        break;
    case -1:
        break;      /* already broken */
    default:
        mark_broken(m, "ERROR answer to request type %u: marking the device "
                    "broken", type);
        break;
    }
}

/* The lowest run of unplugged blocks in the usable region, at most max long. */
static bool find_unplugged_run(QVirtioMem *m, uint64_t max, uint64_t *first,
                               uint64_t *n)
{
    uint64_t usable = MIN(m->cfg.usable_region_size / m->cfg.block_size,
                          m->nb_blocks);

    for (uint64_t b = 0; b < usable; b++) {
        if (!test_block(m, b)) {
            uint64_t e = b;

            while (e < usable && !test_block(m, e) && e - b < max) {
                e++;
            }
            *first = b;
            *n = e - b;
            return true;
        }
    }
    return false;
}

/* The highest run of plugged blocks, at most max long (Linux unplugs top down). */
static bool find_plugged_run(QVirtioMem *m, uint64_t max, uint64_t *first,
                             uint64_t *n)
{
    for (uint64_t b = m->nb_blocks; b-- > 0;) {
        if (test_block(m, b)) {
            uint64_t s = b;

            while (s > 0 && test_block(m, s - 1) && b - s + 1 < max) {
                s--;
            }
            *first = s;
            *n = b - s + 1;
            return true;
        }
    }
    return false;
}

static bool step_plug(QVirtioMem *m, uint64_t want_blocks)
{
    uint64_t first, n;
    int r;

    if (!find_unplugged_run(m, MIN(want_blocks, m->opts.chunk_blocks),
                            &first, &n)) {
        return true;    /* the usable region is full (D15) */
    }
    r = qvirtio_mem_request(m, VIRTIO_MEM_REQ_PLUG, block_to_addr(m, first),
                            (uint16_t)n, NULL);
    handle_answer(m, r, VIRTIO_MEM_REQ_PLUG);
    return false;
}

static bool step_unplug(QVirtioMem *m, uint64_t target)
{
    uint64_t plugged = qvirtio_mem_plugged_size(m);
    uint64_t keep = MAX(target, m->opts.unplug_floor);
    uint64_t first, n;
    int r;

    if (plugged <= keep || (plugged - keep) / m->cfg.block_size == 0) {
        return true;    /* the rest is unmovable: it stays (D15) */
    }
    if (!find_plugged_run(m, MIN((plugged - keep) / m->cfg.block_size,
                                 m->opts.chunk_blocks), &first, &n)) {
        return true;
    }
    r = qvirtio_mem_request(m, VIRTIO_MEM_REQ_UNPLUG, block_to_addr(m, first),
                            (uint16_t)n, NULL);
    handle_answer(m, r, VIRTIO_MEM_REQ_UNPLUG);
    return false;
}

bool qvirtio_mem_sync(QVirtioMem *m)
{
    uint64_t plugged, target;

    if (m->opts.never_run || !m->initialized || m->broken) {
        return true;
    }
    if (qvirtio_pci_config_irq(m->vdev)) {
        m->stats.config_irqs++;
        m->config_changed = true;
        /* A config change ends a BUSY wait at once (Linux: the work runs). */
        m->retry_after_us = 0;
        if (qvirtio_pci_get_status(m->vdev) & QVIRTIO_S_NEEDS_RESET) {
            mark_broken(m, "device needs reset");
            return true;
        }
    }
    if (m->config_changed) {
        qvirtio_mem_read_config(m);
    }
    if (m->retry_after_us && g_get_monotonic_time() < m->retry_after_us) {
        return false;
    }
    m->retry_after_us = 0;
    if (m->unplug_all_required) {
        int r = qvirtio_mem_request(m, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0, NULL);

        if (r == VIRTIO_MEM_RESP_ACK) {
            m->unplug_all_required = false;
        }
        handle_answer(m, r, VIRTIO_MEM_REQ_UNPLUG_ALL);
        return false;
    }
    plugged = qvirtio_mem_plugged_size(m);
    target = m->cfg.requested_size;
    if (plugged < target) {
        return step_plug(m, (target - plugged) / m->cfg.block_size);
    }
    if (plugged > target) {
        return step_unplug(m, target);
    }
    return true;
}

bool qvirtio_mem_sync_until_idle(QVirtioMem *m, uint64_t timeout_us)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_us;

    while (!qvirtio_mem_sync(m)) {
        if (g_get_monotonic_time() >= deadline) {
            break;
        }
        if (m->retry_after_us) {
            g_usleep(1000);
        }
    }
    return !m->broken && !m->opts.never_run &&
           qvirtio_mem_plugged_size(m) == m->cfg.requested_size;
}
