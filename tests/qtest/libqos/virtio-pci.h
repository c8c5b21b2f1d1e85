/* libqos modern virtio-pci driver: negotiation, MSI-X into guest memory, split virtqueues. */
#ifndef TESTS_QTEST_LIBQOS_VIRTIO_PCI_H
#define TESTS_QTEST_LIBQOS_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "malloc.h"
#include "pci.h"

#define QVIRTIO_VENDOR_ID           0x1af4
#define QVIRTIO_DEVICE_ID_BASE      0x1040

/* Status bits (virtio 1.2, 2.1). */
#define QVIRTIO_S_ACKNOWLEDGE       1
#define QVIRTIO_S_DRIVER            2
#define QVIRTIO_S_DRIVER_OK         4
#define QVIRTIO_S_FEATURES_OK       8
#define QVIRTIO_S_NEEDS_RESET       0x40
#define QVIRTIO_S_FAILED            0x80

#define QVIRTIO_F_INDIRECT_DESC     28
#define QVIRTIO_F_EVENT_IDX         29
#define QVIRTIO_F_VERSION_1         32
#define QVIRTIO_BIT(n)              (UINT64_C(1) << (n))

#define QVRING_DESC_F_NEXT          1
#define QVRING_DESC_F_WRITE         2
#define QVRING_DESC_F_INDIRECT      4
#define QVRING_AVAIL_F_NO_INTERRUPT 1
#define QVRING_USED_F_NO_NOTIFY     1

/* virtio_pci_cap.cfg_type (4.1.4). */
#define QVIRTIO_PCI_CAP_COMMON      1
#define QVIRTIO_PCI_CAP_NOTIFY      2
#define QVIRTIO_PCI_CAP_ISR         3
#define QVIRTIO_PCI_CAP_DEVICE      4
#define QVIRTIO_PCI_CAP_PCI_CFG     5

/* struct virtio_pci_common_cfg (4.1.4.3). */
#define QVIRTIO_COMMON_DFSELECT     0x00
#define QVIRTIO_COMMON_DF           0x04
#define QVIRTIO_COMMON_GFSELECT     0x08
#define QVIRTIO_COMMON_GF           0x0c
#define QVIRTIO_COMMON_MSIX         0x10
#define QVIRTIO_COMMON_NUMQ         0x12
#define QVIRTIO_COMMON_STATUS       0x14
#define QVIRTIO_COMMON_CFGGEN       0x15
#define QVIRTIO_COMMON_Q_SELECT     0x16
#define QVIRTIO_COMMON_Q_SIZE       0x18
#define QVIRTIO_COMMON_Q_MSIX       0x1a
#define QVIRTIO_COMMON_Q_ENABLE     0x1c
#define QVIRTIO_COMMON_Q_NOFF       0x1e
#define QVIRTIO_COMMON_Q_DESC       0x20
#define QVIRTIO_COMMON_Q_AVAIL      0x28
#define QVIRTIO_COMMON_Q_USED       0x30

#define QVIRTIO_NO_VECTOR           0xffff
/* MSI-X vector 0 is the config vector; queue n uses vector n + 1. */
#define QVIRTIO_CONFIG_VECTOR       0
#define QVIRTIO_MAX_QUEUES          8

typedef struct QVirtioPCIDevice QVirtioPCIDevice;

/* One buffer of a chain: guest address, length, device-writable or not. */
typedef struct QVirtqBuf {
    uint64_t addr;
    uint32_t len;
    bool write;
} QVirtqBuf;

typedef struct QVirtQueue {
    QVirtioPCIDevice *dev;
    uint16_t index;
    uint16_t size;
    uint64_t desc, avail, used;     /* guest addresses of the rings */
    uint16_t free_head, num_free;   /* descriptor free list, as Linux */
    uint16_t *next_free;            /* size entries: the free list links */
    uint16_t *chain_len;            /* per head: descriptors to free */
    uint64_t *indirect;             /* per head: indirect table, or 0 */
    uint16_t avail_idx;             /* next avail idx the driver writes */
    uint16_t last_used_idx;         /* next used entry the driver reads */
    uint16_t kicked_idx;            /* avail idx at the last notify check */
    bool event_idx, indirect_ok;
    uint16_t vector;
    uint64_t msi_addr;              /* word the queue's MSI writes, or 0 */
    uint32_t msi_data;
    uint64_t notify_addr;
} QVirtQueue;

struct QVirtioPCIDevice {
    QPCIDevice *pdev;
    QTestState *qts;
    QGuestAllocator *alloc;
    /* Guest-physical addresses of the structures the caps point at. */
    uint64_t common, isr, device, notify;
    uint32_t notify_mult;
    uint8_t pci_cfg_cap;
    uint64_t device_features, features;
    uint16_t num_queues;
    /* The config interrupt's word in guest memory. */
    uint64_t config_msi_addr;
    uint32_t config_msi_data;
    bool msix;
    QVirtQueue *vqs[QVIRTIO_MAX_QUEUES];
};

/*
 * Find the virtio-pci function index'th with virtio device ID id (so PCI
 * device 0x1040 + id), map its BARs, enable decoding and bus mastering,
 * find the vendor capabilities.  Nothing is written to the device yet.
 * NULL when there is no such function.
 */
QVirtioPCIDevice *qvirtio_pci_device_find(QPCIBus *bus, QGuestAllocator *alloc,
                                          uint16_t id, unsigned index);
/* As above for a QPCIDevice already found; takes ownership of pdev. */
QVirtioPCIDevice *qvirtio_pci_device_new(QPCIDevice *pdev,
                                         QGuestAllocator *alloc);
/* Frees queues (and their guest memory) and the device. */
void qvirtio_pci_device_free(QVirtioPCIDevice *dev);

/*
 * The whole init sequence of 3.1.1, as Linux does it: reset, ACKNOWLEDGE,
 * DRIVER, features (offered & wanted, 64 bits), FEATURES_OK and its
 * check, MSI-X (config vector 0, queue n vector n + 1, each pointed at a
 * word of guest memory), nqueues queues at their maximum size, then
 * DRIVER_OK.  false when the device refused FEATURES_OK (status gets
 * FAILED then, as Linux sets it).  After a system reset, calling it again
 * re-programs the BARs and starts over.
 */
bool qvirtio_pci_init(QVirtioPCIDevice *dev, uint64_t wanted,
                      unsigned nqueues);

/* The steps, for tests that stop half-way or do them wrong on purpose. */
void qvirtio_pci_reset(QVirtioPCIDevice *dev);
uint8_t qvirtio_pci_get_status(QVirtioPCIDevice *dev);
void qvirtio_pci_set_status(QVirtioPCIDevice *dev, uint8_t status);
/* Re-programs BARs, decoding and MSI-X after a system reset cleared them. */
void qvirtio_pci_restore(QVirtioPCIDevice *dev);
uint64_t qvirtio_pci_get_device_features(QVirtioPCIDevice *dev);
void qvirtio_pci_set_driver_features(QVirtioPCIDevice *dev,
                                     uint64_t features);
/* Set FEATURES_OK and read it back: true when it stuck. */
bool qvirtio_pci_features_ok(QVirtioPCIDevice *dev);
/* Enable MSI-X and point the config vector at a fresh guest word. */
void qvirtio_pci_setup_msix(QVirtioPCIDevice *dev);
uint16_t qvirtio_pci_get_num_queues(QVirtioPCIDevice *dev);
uint16_t qvirtio_pci_queue_max_size(QVirtioPCIDevice *dev, uint16_t index);
/*
 * Allocate rings for queue index with size entries (0: the maximum),
 * program them, its MSI-X vector (when MSI-X is set up) and enable it.
 */
QVirtQueue *qvirtqueue_setup(QVirtioPCIDevice *dev, uint16_t index,
                             uint16_t size);
void qvirtio_pci_driver_ok(QVirtioPCIDevice *dev);
/* Config generation, for reading multi-field config consistently. */
uint8_t qvirtio_pci_config_generation(QVirtioPCIDevice *dev);

/* Device-specific config. */
uint8_t qvirtio_config_readb(QVirtioPCIDevice *dev, uint32_t off);
uint16_t qvirtio_config_readw(QVirtioPCIDevice *dev, uint32_t off);
uint32_t qvirtio_config_readl(QVirtioPCIDevice *dev, uint32_t off);
/* Two 32-bit reads, as Linux reads a 64-bit field. */
uint64_t qvirtio_config_readq(QVirtioPCIDevice *dev, uint32_t off);
/* Read and clear the ISR. */
uint8_t qvirtio_pci_read_isr(QVirtioPCIDevice *dev);

/*
 * Whether the config interrupt fired since the last call (its MSI word
 * changed); clears the word.  One qtest round trip.
 */
bool qvirtio_pci_config_irq(QVirtioPCIDevice *dev);

/* ---- virtqueues --------------------------------------------------------- */

/*
 * Put a chain of n buffers on the descriptor table (device-readable ones
 * first, as the spec requires; the function does not check, so tests
 * can break the rule), as one indirect descriptor when indirect is set.
 * Returns the head, or -1 when there are not enough free descriptors.
 * The chain is not visible to the device until qvirtqueue_kick().
 */
int qvirtqueue_add(QVirtQueue *vq, const QVirtqBuf *bufs, unsigned n,
                   bool indirect);
/*
 * Publish head on the available ring and notify the device unless it
 * suppressed notifications (EVENT_IDX's avail_event, or NO_NOTIFY).
 */
void qvirtqueue_kick(QVirtQueue *vq, uint16_t head);
/* Only publish (no notify), and only notify: for hostile sequences. */
void qvirtqueue_publish(QVirtQueue *vq, uint16_t head);
void qvirtqueue_notify(QVirtQueue *vq);
/*
 * The next used element, if the device returned one: its head and
 * written length; its descriptors go back to the free list.
 */
bool qvirtqueue_get_used(QVirtQueue *vq, uint16_t *head, uint32_t *len);
/*
 * Wait up to timeout_us for a used element (polling the used idx, with
 * clock_step between polls so qtest-clock timers run, and short sleeps
 * for main-loop timers).  false on timeout.
 */
bool qvirtqueue_wait_used(QVirtQueue *vq, uint64_t timeout_us,
                          uint16_t *head, uint32_t *len);
/*
 * Whether the queue's MSI arrived since the last call; clears the word.
 */
bool qvirtqueue_irq(QVirtQueue *vq);
/* Frees the rings and bookkeeping (the device should be reset first). */
void qvirtqueue_free(QVirtQueue *vq);

/* Read/write guest memory on this driver's connection. */
void qvirtio_memwrite(QVirtioPCIDevice *dev, uint64_t addr, const void *buf,
                      size_t len);
void qvirtio_memread(QVirtioPCIDevice *dev, uint64_t addr, void *buf,
                     size_t len);

#endif
