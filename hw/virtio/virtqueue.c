/* Split virtqueues: popping requests, pushing replies, queue interrupts. */
#include "hw/virtio/virtio.h"

#include <inttypes.h>
#include <string.h>
#include <urcu.h>

#include "system/memory.h"
#include "system/physmem.h"
#include "virtio-internal.h"

/* A descriptor as decoded from guest memory. */
typedef struct VRingDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VRingDesc;

/* One data descriptor of a chain being walked. */
typedef struct ChainPiece {
    uint64_t gpa;
    uint32_t len;
    bool write;
} ChainPiece;

typedef struct Chain {
    GArray *pieces;             /* ChainPiece, at most VIRTQUEUE_MAX_SIZE */
    uint64_t out_len;
    uint64_t in_len;
    unsigned in_num;
} Chain;

/* ---- guest memory ------------------------------------------------------- */

/*
 * Whether [gpa, gpa + len) wraps past 2^64 (a range ending exactly at
 * 2^64 counts: no RAM is there anyway).
 */
static bool range_wraps(uint64_t gpa, uint64_t len)
{
    return gpa + len < gpa;
}

/*
 * Whether [gpa, gpa + len) is all RAM, writable RAM for is_write.  MMIO
 * is refused so that the guest cannot point the device at a device
 * register (the notify doorbell would re-enter the device), holes
 * because nothing is there, ROM for writes because the write would be
 * dropped while the device reports it done.  Call inside rcu_read_lock().
 */
static bool range_is_ram(uint64_t gpa, uint64_t len, bool is_write)
{
    if (range_wraps(gpa, len)) {
        return false;
    }
    while (len) {
        uint64_t l = len;

        if (!address_space_map(&address_space_memory, gpa, &l, is_write)) {
            return false;
        }
        gpa += l;
        len -= l;
    }
    return true;
}

bool virtio_guest_range_ok(uint64_t gpa, uint64_t len, bool is_write)
{
    bool ok;

    rcu_read_lock();
    ok = range_is_ram(gpa, len, is_write);
    rcu_read_unlock();
    return ok;
}

/*
 * Copy between guest RAM and buf, all or nothing.  The RAM check and the
 * copy see the same memory map because topology changes, like this,
 * run under the machine lock.
 */
static bool guest_read(uint64_t gpa, void *buf, uint64_t len)
{
    bool ok;

    rcu_read_lock();
    ok = range_is_ram(gpa, len, false) &&
         address_space_read(&address_space_memory, gpa, buf, len) == MEMTX_OK;
    rcu_read_unlock();
    return ok;
}

static bool guest_write(uint64_t gpa, const void *buf, uint64_t len)
{
    bool ok;

    rcu_read_lock();
    ok = range_is_ram(gpa, len, true) &&
         address_space_write(&address_space_memory, gpa, buf, len) ==
         MEMTX_OK;
    rcu_read_unlock();
    return ok;
}

static bool guest_read16(uint64_t gpa, uint16_t *val)
{
    uint16_t le;

    if (!guest_read(gpa, &le, sizeof(le))) {
        return false;
    }
    *val = GUINT16_FROM_LE(le);
    return true;
}

static bool guest_write16(uint64_t gpa, uint16_t val)
{
    uint16_t le = GUINT16_TO_LE(val);

    return guest_write(gpa, &le, sizeof(le));
}

/* ---- ring addresses ----------------------------------------------------- */

static uint64_t avail_idx_addr(VirtQueue *vq)
{
    return vq->avail + 2;
}

static uint64_t avail_ring_addr(VirtQueue *vq, uint16_t idx)
{
    return vq->avail + VRING_HDR_SIZE +
           (uint64_t)(idx & (vq->size - 1)) * VRING_AVAIL_ELEM_SIZE;
}

static uint64_t used_event_addr(VirtQueue *vq)
{
    return vq->avail + VRING_HDR_SIZE +
           (uint64_t)vq->size * VRING_AVAIL_ELEM_SIZE;
}

static uint64_t used_idx_addr(VirtQueue *vq)
{
    return vq->used + 2;
}

static uint64_t used_ring_addr(VirtQueue *vq, uint16_t idx)
{
    return vq->used + VRING_HDR_SIZE +
           (uint64_t)(idx & (vq->size - 1)) * VRING_USED_ELEM_SIZE;
}

static uint64_t avail_event_addr(VirtQueue *vq)
{
    return vq->used + VRING_HDR_SIZE +
           (uint64_t)vq->size * VRING_USED_ELEM_SIZE;
}

/* ---- ring state --------------------------------------------------------- */

bool virtio_queue_ready(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;

    return vq->enabled && !vdev->broken &&
           (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK);
}

void virtio_queue_reset_ring(VirtQueue *vq)
{
    vq->last_avail_idx = 0;
    vq->shadow_avail_idx = 0;
    vq->used_idx = 0;
    vq->signalled_used = 0;
    vq->signalled_used_valid = false;
    vq->generation++;
}

/* ---- popping ------------------------------------------------------------ */

static bool read_desc(uint64_t table, unsigned i, VRingDesc *d)
{
    uint8_t raw[VRING_DESC_SIZE];
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;

    if (!guest_read(table + (uint64_t)i * VRING_DESC_SIZE, raw, sizeof(raw))) {
        return false;
    }
    memcpy(&addr, raw, 8);
    memcpy(&len, raw + 8, 4);
    memcpy(&flags, raw + 12, 2);
    memcpy(&next, raw + 14, 2);
    d->addr = GUINT64_FROM_LE(addr);
    d->len = GUINT32_FROM_LE(len);
    d->flags = GUINT16_FROM_LE(flags);
    d->next = GUINT16_FROM_LE(next);
    return true;
}

/*
 * Whether an entry waits on the available ring.  Reads avail idx only
 * when the entries seen last time are used up.
 */
static bool vq_avail_pending(VirtQueue *vq)
{
    uint16_t idx;

    if (vq->last_avail_idx != vq->shadow_avail_idx) {
        return true;
    }
    if (!guest_read16(avail_idx_addr(vq), &idx)) {
        virtio_error(vq->vdev, "queue %u: available ring unreadable",
                     vq->index);
        return false;
    }
    if ((uint16_t)(idx - vq->last_avail_idx) > vq->size) {
        virtio_error(vq->vdev, "queue %u: avail idx moved from %u to %u, "
                     "more than the queue size %u", vq->index,
                     vq->last_avail_idx, idx, vq->size);
        return false;
    }
    vq->shadow_avail_idx = idx;
    return idx != vq->last_avail_idx;
}

/* Add one data descriptor to the chain; false after a virtio_error(). */
static bool chain_add(VirtQueue *vq, Chain *c, const VRingDesc *d)
{
    VirtIODevice *vdev = vq->vdev;
    bool write = d->flags & VRING_DESC_F_WRITE;
    ChainPiece piece = { .gpa = d->addr, .len = d->len, .write = write };

    if (!d->len) {
        virtio_error(vdev, "queue %u: zero-sized buffer", vq->index);
        return false;
    }
    if (c->pieces->len >= VIRTQUEUE_MAX_SIZE) {
        virtio_error(vdev, "queue %u: more than %u descriptors in a chain",
                     vq->index, VIRTQUEUE_MAX_SIZE);
        return false;
    }
    if (!virtio_guest_range_ok(d->addr, d->len, write)) {
        virtio_error(vdev, "queue %u: buffer 0x%" PRIx64 "+0x%" PRIx32
                     " is not in %sRAM", vq->index, d->addr, d->len,
                     write ? "writable " : "");
        return false;
    }
    if (write) {
        c->in_num++;
        c->in_len += d->len;
    } else {
        if (c->in_num) {
            virtio_error(vdev, "queue %u: device-readable descriptor after "
                         "a device-writable one", vq->index);
            return false;
        }
        c->out_len += d->len;
        if (c->out_len > VIRTQUEUE_MAX_OUT) {
            virtio_error(vdev, "queue %u: more than %u device-readable bytes",
                         vq->index, VIRTQUEUE_MAX_OUT);
            return false;
        }
    }
    g_array_append_val(c->pieces, piece);
    return true;
}

/*
 * Walk the chain starting at head into c.  Bounded: each step visits one
 * more descriptor, and more than max of them means a loop.
 */
static bool chain_walk(VirtQueue *vq, uint16_t head, Chain *c)
{
    VirtIODevice *vdev = vq->vdev;
    uint64_t table = vq->desc;
    unsigned max = vq->size, visited = 0;
    bool indirect = false;
    uint16_t i = head;
    VRingDesc d;

    if (!read_desc(table, i, &d)) {
        virtio_error(vdev, "queue %u: descriptor table unreadable", vq->index);
        return false;
    }
    if (d.flags & VRING_DESC_F_INDIRECT) {
        if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC)) {
            virtio_error(vdev, "queue %u: indirect descriptor without "
                         "VIRTIO_RING_F_INDIRECT_DESC", vq->index);
            return false;
        }
        if (d.flags & VRING_DESC_F_NEXT) {
            virtio_error(vdev, "queue %u: indirect descriptor with NEXT",
                         vq->index);
            return false;
        }
        if (!d.len || d.len % VRING_DESC_SIZE) {
            virtio_error(vdev, "queue %u: indirect table length %" PRIu32
                         " is not a non-zero multiple of %u", vq->index,
                         d.len, VRING_DESC_SIZE);
            return false;
        }
        if (!virtio_guest_range_ok(d.addr, d.len, false)) {
            virtio_error(vdev, "queue %u: indirect table 0x%" PRIx64
                         "+0x%" PRIx32 " is not in RAM", vq->index, d.addr,
                         d.len);
            return false;
        }
        table = d.addr;
        max = d.len / VRING_DESC_SIZE;
        indirect = true;
        i = 0;
        if (!read_desc(table, i, &d)) {
            virtio_error(vdev, "queue %u: indirect table unreadable",
                         vq->index);
            return false;
        }
    }
    for (;;) {
        if (++visited > max) {
            virtio_error(vdev, "queue %u: descriptor chain loops or is longer "
                         "than %u", vq->index, max);
            return false;
        }
        if (d.flags & VRING_DESC_F_INDIRECT) {
            virtio_error(vdev, "queue %u: indirect descriptor %s", vq->index,
                         indirect ? "inside an indirect table"
                                  : "inside a chain");
            return false;
        }
        if (!chain_add(vq, c, &d)) {
            return false;
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            return true;
        }
        if (d.next >= max) {
            virtio_error(vdev, "queue %u: next descriptor %u out of %u",
                         vq->index, d.next, max);
            return false;
        }
        i = d.next;
        if (!read_desc(table, i, &d)) {
            virtio_error(vdev, "queue %u: descriptor table unreadable",
                         vq->index);
            return false;
        }
    }
}

/* The element for a walked chain: out copied from the guest, in listed. */
static VirtQueueElement *chain_to_element(VirtQueue *vq, uint16_t head,
                                          const Chain *c)
{
    VirtQueueElement *elem = g_new0(VirtQueueElement, 1);
    uint64_t out_off = 0;
    unsigned in_i = 0;

    elem->index = head;
    elem->generation = vq->generation;
    elem->out_len = c->out_len;
    elem->out = c->out_len ? g_malloc(c->out_len) : NULL;
    elem->in_num = c->in_num;
    elem->in = c->in_num ? g_new(VirtQueueInBuf, c->in_num) : NULL;
    elem->in_len = c->in_len;
    for (guint p = 0; p < c->pieces->len; p++) {
        const ChainPiece *piece = &g_array_index(c->pieces, ChainPiece, p);

        if (piece->write) {
            elem->in[in_i].gpa = piece->gpa;
            elem->in[in_i].len = piece->len;
            in_i++;
            continue;
        }
        if (!guest_read(piece->gpa, elem->out + out_off, piece->len)) {
            virtio_error(vq->vdev, "queue %u: buffer 0x%" PRIx64 "+0x%"
                         PRIx32 " unreadable", vq->index, piece->gpa,
                         piece->len);
            virtqueue_element_free(elem);
            return NULL;
        }
        out_off += piece->len;
    }
    return elem;
}

VirtQueueElement *virtqueue_pop(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    g_autoptr(GArray) pieces = NULL;
    Chain chain = { 0 };
    uint16_t head;

    if (!virtio_queue_ready(vq) || !vq_avail_pending(vq)) {
        return NULL;
    }
    /* Ring entries and descriptors written before the idx we read. */
    cmm_smp_rmb();
    if (!guest_read16(avail_ring_addr(vq, vq->last_avail_idx), &head)) {
        virtio_error(vdev, "queue %u: available ring unreadable", vq->index);
        return NULL;
    }
    if (head >= vq->size) {
        virtio_error(vdev, "queue %u: head descriptor %u out of %u",
                     vq->index, head, vq->size);
        return NULL;
    }
    vq->last_avail_idx++;
    if (virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        if (!guest_write16(avail_event_addr(vq), vq->last_avail_idx)) {
            virtio_error(vdev, "queue %u: used ring unwritable", vq->index);
            return NULL;
        }
        /*
         * avail_event visible before the next read of avail idx, so an
         * entry added meanwhile is either seen then or kicked for.
         */
        cmm_smp_mb();
    }
    pieces = g_array_sized_new(false, false, sizeof(ChainPiece), 4);
    chain.pieces = pieces;
    if (!chain_walk(vq, head, &chain)) {
        return NULL;
    }
    return chain_to_element(vq, head, &chain);
}

/* ---- pushing ------------------------------------------------------------ */

uint64_t virtqueue_element_write(VirtQueueElement *elem, uint64_t offset,
                                 const void *buf, uint64_t len)
{
    const uint8_t *src = buf;
    uint64_t done = 0;

    for (unsigned i = 0; i < elem->in_num && done < len; i++) {
        const VirtQueueInBuf *in = &elem->in[i];
        uint64_t n;

        if (offset >= in->len) {
            offset -= in->len;
            continue;
        }
        n = MIN(in->len - offset, len - done);
        if (!guest_write(in->gpa + offset, src + done, n)) {
            break;
        }
        done += n;
        offset = 0;
    }
    return done;
}

void virtqueue_element_free(VirtQueueElement *elem)
{
    if (!elem) {
        return;
    }
    g_free(elem->out);
    g_free(elem->in);
    g_free(elem);
}

void virtqueue_push(VirtQueue *vq, VirtQueueElement *elem, uint32_t len)
{
    VirtIODevice *vdev = vq->vdev;
    uint8_t used_elem[VRING_USED_ELEM_SIZE];
    uint32_t id = GUINT32_TO_LE(elem->index);
    uint32_t le_len;

    if (!virtio_queue_ready(vq) || elem->generation != vq->generation) {
        virtqueue_element_free(elem);
        return;
    }
    le_len = GUINT32_TO_LE((uint32_t)MIN((uint64_t)len, elem->in_len));
    memcpy(used_elem, &id, 4);
    memcpy(used_elem + 4, &le_len, 4);
    virtqueue_element_free(elem);
    if (!guest_write(used_ring_addr(vq, vq->used_idx), used_elem,
                     sizeof(used_elem))) {
        virtio_error(vdev, "queue %u: used ring unwritable", vq->index);
        return;
    }
    /* The entry before the idx that publishes it. */
    cmm_smp_wmb();
    vq->used_idx++;
    if (!guest_write16(used_idx_addr(vq), vq->used_idx)) {
        virtio_error(vdev, "queue %u: used ring unwritable", vq->index);
    }
}

/* vring_need_event() of the spec (2.7.10): did new_idx step past event? */
static bool vring_need_event(uint16_t event, uint16_t new_idx,
                             uint16_t old_idx)
{
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

static bool vq_should_notify(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    uint16_t old, event, flags;
    bool valid;

    /* used idx visible before reading what the driver asked for. */
    cmm_smp_mb();
    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        if (!guest_read16(vq->avail, &flags)) {
            virtio_error(vdev, "queue %u: available ring unreadable",
                         vq->index);
            return false;
        }
        return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
    }
    if (!guest_read16(used_event_addr(vq), &event)) {
        virtio_error(vdev, "queue %u: available ring unreadable", vq->index);
        return false;
    }
    valid = vq->signalled_used_valid;
    old = vq->signalled_used;
    vq->signalled_used_valid = true;
    vq->signalled_used = vq->used_idx;
    return !valid || vring_need_event(event, vq->used_idx, old);
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (!virtio_queue_ready(vq) || !vq_should_notify(vq)) {
        return;
    }
    virtio_raise_irq(vdev, VIRTIO_ISR_QUEUE, vq->vector);
}
