/* The modern (virtio 1.x) PCI transport: a PCI function that carries a virtio device. */
#include "hw/virtio/virtio-pci.h"

#include <string.h>
#include "hw/pci/msix.h"

#define VIRTIO_PCI_CAP_LEN          16
#define VIRTIO_PCI_NOTIFY_CAP_LEN   20
#define VIRTIO_PCI_CFG_CAP_LEN      20
/* Within a capability. */
#define CAP_CFG_TYPE    3
#define CAP_BAR         4
#define CAP_ID          5
#define CAP_OFFSET      8
#define CAP_LENGTH      12
#define CAP_NOTIFY_MULT 16
#define CAP_PCI_CFG_DATA 16

static VirtIOPCIProxy *proxy_of(void *opaque)
{
    return opaque;
}

/* ---- common configuration ------------------------------------------------- */

static uint64_t half(uint64_t v, bool high)
{
    return high ? v >> 32 : (uint32_t)v;
}

static uint64_t set_half(uint64_t v, bool high, uint32_t val)
{
    return high ? (v & 0xffffffffu) | (uint64_t)val << 32
                : (v & ~UINT64_C(0xffffffff)) | val;
}

static uint64_t common_read(void *opaque, uint64_t addr, unsigned size)
{
    VirtIOPCIProxy *p = proxy_of(opaque);
    VirtIODevice *vdev = p->vdev;
    unsigned q = p->queue_sel;
    bool valid_q = q < virtio_num_queues(vdev);
    uint64_t desc = 0, avail = 0, used = 0;

    if (valid_q) {
        virtio_queue_get_addrs(vdev, q, &desc, &avail, &used);
    }
    switch (addr) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        return p->dfselect;
    case VIRTIO_PCI_COMMON_DF:
        return p->dfselect < 2
               ? half(virtio_device_features(vdev), p->dfselect) : 0;
    case VIRTIO_PCI_COMMON_GFSELECT:
        return p->gfselect;
    case VIRTIO_PCI_COMMON_GF:
        return p->gfselect < 2 ? half(p->guest_features, p->gfselect) : 0;
    case VIRTIO_PCI_COMMON_MSIX:
        return vdev->config_vector;
    case VIRTIO_PCI_COMMON_NUMQ:
        return virtio_num_queues(vdev);
    case VIRTIO_PCI_COMMON_STATUS:
        return vdev->status;
    case VIRTIO_PCI_COMMON_CFGGENERATION:
        return vdev->config_generation;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        return q;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        return valid_q ? virtio_queue_get_size(vdev, q) : 0;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        return valid_q ? virtio_queue_get_vector(vdev, q) : VIRTIO_NO_VECTOR;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        return valid_q && virtio_queue_get_enabled(vdev, q);
    case VIRTIO_PCI_COMMON_Q_NOFF:
        return valid_q ? q : 0;     /* each queue has its own doorbell */
    case VIRTIO_PCI_COMMON_Q_DESCLO:
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        return half(desc, addr == VIRTIO_PCI_COMMON_Q_DESCHI);
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        return half(avail, addr == VIRTIO_PCI_COMMON_Q_AVAILHI);
    case VIRTIO_PCI_COMMON_Q_USEDLO:
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        return half(used, addr == VIRTIO_PCI_COMMON_Q_USEDHI);
    default:
        return 0;
    }
}

/* A vector the function does not have reads back as "no vector" (spec). */
static uint16_t checked_vector(VirtIOPCIProxy *p, uint64_t val)
{
    return val < p->vectors ? (uint16_t)val : VIRTIO_NO_VECTOR;
}

static void write_queue_addr(VirtIOPCIProxy *p, uint64_t addr, uint32_t val)
{
    VirtIODevice *vdev = p->vdev;
    unsigned q = p->queue_sel;
    uint64_t desc, avail, used;
    bool high = addr & 4;

    /* The driver must not move the rings of an enabled queue. */
    if (virtio_queue_get_enabled(vdev, q)) {
        return;
    }
    virtio_queue_get_addrs(vdev, q, &desc, &avail, &used);
    if (addr <= VIRTIO_PCI_COMMON_Q_DESCHI) {
        desc = set_half(desc, high, val);
    } else if (addr <= VIRTIO_PCI_COMMON_Q_AVAILHI) {
        avail = set_half(avail, high, val);
    } else {
        used = set_half(used, high, val);
    }
    virtio_queue_set_addrs(vdev, q, desc, avail, used);
}

static void write_queue_reg(VirtIOPCIProxy *p, uint64_t addr, uint64_t val)
{
    VirtIODevice *vdev = p->vdev;
    unsigned q = p->queue_sel;

    if (q >= virtio_num_queues(vdev)) {
        return;
    }
    switch (addr) {
    case VIRTIO_PCI_COMMON_Q_SIZE:
        if (!virtio_queue_get_enabled(vdev, q)) {
            virtio_queue_set_size(vdev, q, (uint16_t)val);
        }
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        virtio_queue_set_vector(vdev, q, checked_vector(p, val));
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        /* Only 1 may be written (4.1.4.3.2); 0 means nothing. */
        if (val == 1) {
            virtio_queue_set_enabled(vdev, q, true);
        }
        break;
    default:
        if (addr >= VIRTIO_PCI_COMMON_Q_DESCLO &&
            addr <= VIRTIO_PCI_COMMON_Q_USEDHI && !(addr & 3)) {
            write_queue_addr(p, addr, (uint32_t)val);
        }
        break;
    }
}

static void common_write(void *opaque, uint64_t addr, uint64_t val,
                         unsigned size)
{
    VirtIOPCIProxy *p = proxy_of(opaque);
    VirtIODevice *vdev = p->vdev;

    switch (addr) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        p->dfselect = (uint32_t)val;
        break;
    case VIRTIO_PCI_COMMON_GFSELECT:
        p->gfselect = (uint32_t)val;
        break;
    case VIRTIO_PCI_COMMON_GF:
        if (p->gfselect < 2) {
            p->guest_features = set_half(p->guest_features, p->gfselect,
                                         (uint32_t)val);
            virtio_set_driver_features(vdev, p->guest_features);
        }
        break;
    case VIRTIO_PCI_COMMON_MSIX:
        vdev->config_vector = checked_vector(p, val);
        break;
    case VIRTIO_PCI_COMMON_STATUS:
        if ((uint8_t)val == 0) {
            p->guest_features = 0;
        }
        virtio_set_status(vdev, (uint8_t)val);
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        p->queue_sel = (uint16_t)val;
        break;
    default:
        write_queue_reg(p, addr, val);
        break;
    }
}

static const MemoryRegionOps common_ops = {
    .read = common_read,
    .write = common_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* ---- ISR, device config, notifications ------------------------------------ */

static uint64_t isr_read(void *opaque, uint64_t addr, unsigned size)
{
    return addr == 0 ? virtio_read_isr(proxy_of(opaque)->vdev) : 0;
}

static void ignore_write(void *opaque, uint64_t addr, uint64_t val,
                         unsigned size)
{
}

static const MemoryRegionOps isr_ops = {
    .read = isr_read,
    .write = ignore_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static uint64_t device_read(void *opaque, uint64_t addr, unsigned size)
{
    return virtio_config_read(proxy_of(opaque)->vdev, (uint32_t)addr, size);
}

static void device_write(void *opaque, uint64_t addr, uint64_t val,
                         unsigned size)
{
    virtio_config_write(proxy_of(opaque)->vdev, (uint32_t)addr,
                        (uint32_t)val, size);
}

static const MemoryRegionOps device_ops = {
    .read = device_read,
    .write = device_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void notify_write(void *opaque, uint64_t addr, uint64_t val,
                         unsigned size)
{
    VirtIOPCIProxy *p = proxy_of(opaque);
    uint64_t q = addr / VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER;

    if (addr % VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER == 0 &&
        q < virtio_num_queues(p->vdev)) {
        virtio_queue_notify(p->vdev, (unsigned)q);
    }
}

static uint64_t zero_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;
}

static const MemoryRegionOps notify_ops = {
    .read = zero_read,
    .write = notify_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* ---- capabilities ------------------------------------------------------------- */

static void set_le32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static bool add_virtio_cap(PCIDevice *dev, uint8_t type, uint8_t len,
                           uint32_t offset, uint32_t length, uint8_t *pos,
                           Error **errp)
{
    uint8_t at = pci_add_capability(dev, PCI_CAP_ID_VNDR, len, errp);

    if (!at) {
        return false;
    }
    dev->config[at + 2] = len;
    dev->config[at + CAP_CFG_TYPE] = type;
    dev->config[at + CAP_BAR] = VIRTIO_PCI_MODERN_BAR;
    dev->config[at + CAP_ID] = 0;
    set_le32(&dev->config[at + CAP_OFFSET], offset);
    set_le32(&dev->config[at + CAP_LENGTH], length);
    if (pos) {
        *pos = at;
    }
    return true;
}

static bool add_caps(VirtIOPCIProxy *p, Error **errp)
{
    PCIDevice *dev = &p->parent_obj;
    uint8_t notify, cfg;

    if (!add_virtio_cap(dev, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_LEN,
                        VIRTIO_PCI_COMMON_OFFSET, VIRTIO_PCI_REGION_SIZE,
                        NULL, errp) ||
        !add_virtio_cap(dev, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_CAP_LEN,
                        VIRTIO_PCI_ISR_OFFSET, VIRTIO_PCI_REGION_SIZE, NULL,
                        errp) ||
        !add_virtio_cap(dev, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_CAP_LEN,
                        VIRTIO_PCI_DEVICE_OFFSET, VIRTIO_PCI_REGION_SIZE,
                        NULL, errp) ||
        !add_virtio_cap(dev, VIRTIO_PCI_CAP_NOTIFY_CFG,
                        VIRTIO_PCI_NOTIFY_CAP_LEN, VIRTIO_PCI_NOTIFY_OFFSET,
                        VIRTIO_PCI_REGION_SIZE, &notify, errp) ||
        !add_virtio_cap(dev, VIRTIO_PCI_CAP_PCI_CFG, VIRTIO_PCI_CFG_CAP_LEN,
                        0, 0, &cfg, errp)) {
        return false;
    }
    set_le32(&dev->config[notify + CAP_NOTIFY_MULT],
             VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER);
    /* The PCI cfg window: the driver picks bar, offset, length and data. */
    dev->wmask[cfg + CAP_BAR] = 0xff;
    memset(&dev->wmask[cfg + CAP_OFFSET], 0xff, 4);
    memset(&dev->wmask[cfg + CAP_LENGTH], 0xff, 4);
    memset(&dev->wmask[cfg + CAP_PCI_CFG_DATA], 0xff, 4);
    dev->config[cfg + CAP_BAR] = 0;
    p->pci_cfg_cap = cfg;
    return true;
}

/*
 * The PCI cfg access capability: a window onto BAR 4 through config
 * space, for drivers that cannot map the BAR.  The driver picks bar,
 * offset and length (1, 2 or 4, naturally aligned, inside the BAR); a
 * write of the data register writes there, a read of it reads there.
 * Returns the region's ops and the offset in it, or NULL when the window
 * is set to something else.
 */
static const MemoryRegionOps *pci_cfg_window(VirtIOPCIProxy *p,
                                             uint32_t *off_in_region,
                                             uint32_t *len)
{
    uint8_t *cap = &p->parent_obj.config[p->pci_cfg_cap];
    uint32_t off, base;

    memcpy(&off, cap + CAP_OFFSET, 4);
    memcpy(len, cap + CAP_LENGTH, 4);
    if (cap[CAP_BAR] != VIRTIO_PCI_MODERN_BAR ||
        (*len != 1 && *len != 2 && *len != 4) || off % *len ||
        off >= VIRTIO_PCI_MODERN_BAR_SIZE) {
        return NULL;
    }
    base = off & ~(VIRTIO_PCI_REGION_SIZE - 1);
    *off_in_region = off - base;
    return base == VIRTIO_PCI_COMMON_OFFSET ? &common_ops
           : base == VIRTIO_PCI_DEVICE_OFFSET ? &device_ops
           : base == VIRTIO_PCI_NOTIFY_OFFSET ? &notify_ops : &isr_ops;
}

static uint32_t len_mask(uint32_t len)
{
    return len == 4 ? ~0u : (1u << (8 * len)) - 1;
}

static void pci_cfg_data_written(VirtIOPCIProxy *p)
{
    uint32_t off, len, val;
    const MemoryRegionOps *ops = pci_cfg_window(p, &off, &len);

    memcpy(&val, &p->parent_obj.config[p->pci_cfg_cap + CAP_PCI_CFG_DATA], 4);
    if (ops) {
        ops->write(p, off, val & len_mask(len), len);
    }
}

static bool touches_cfg_data(VirtIOPCIProxy *p, uint32_t addr, unsigned len)
{
    uint32_t data = p->pci_cfg_cap + CAP_PCI_CFG_DATA;

    return p->pci_cfg_cap && addr < data + 4 && addr + len > data;
}

static void virtio_pci_config_written(PCIDevice *dev, uint32_t addr,
                                      uint32_t val, unsigned len)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(dev);

    if (touches_cfg_data(p, addr, len)) {
        pci_cfg_data_written(p);
    }
}

/* A read of the data register reads the window (at that moment: ISR reads clear). */
static void virtio_pci_config_read(PCIDevice *dev, uint32_t addr,
                                   unsigned len, uint32_t *val)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(dev);
    uint32_t data = p->pci_cfg_cap + CAP_PCI_CFG_DATA, off, wlen;
    const MemoryRegionOps *ops;

    if (!touches_cfg_data(p, addr, len) || addr != data) {
        return;
    }
    ops = pci_cfg_window(p, &off, &wlen);
    if (ops && ops->read) {
        *val = (uint32_t)ops->read(p, off, wlen) & len_mask(MIN(len, wlen));
    }
}

/* ---- the transport ------------------------------------------------------------ */

static void virtio_pci_notify(void *opaque, uint16_t vector)
{
    VirtIOPCIProxy *p = opaque;

    /* No INTx: Tide's guests use MSI-X (documented in docs/system/pci.md). */
    if (vector != VIRTIO_NO_VECTOR) {
        msix_notify(&p->parent_obj, vector);
    }
}

static const VirtioTransportOps virtio_pci_transport = {
    .notify = virtio_pci_notify,
};

static void init_bars(VirtIOPCIProxy *p)
{
    PCIDevice *dev = &p->parent_obj;

    memory_region_init_container(&p->modern_bar, "virtio-pci",
                                 VIRTIO_PCI_MODERN_BAR_SIZE);
    memory_region_init_io(&p->common, &common_ops, p, "virtio-pci-common",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&p->isr, &isr_ops, p, "virtio-pci-isr",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&p->device, &device_ops, p, "virtio-pci-device",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&p->notify, &notify_ops, p, "virtio-pci-notify",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_add_subregion(&p->modern_bar, VIRTIO_PCI_COMMON_OFFSET,
                                &p->common);
    memory_region_add_subregion(&p->modern_bar, VIRTIO_PCI_ISR_OFFSET,
                                &p->isr);
    memory_region_add_subregion(&p->modern_bar, VIRTIO_PCI_DEVICE_OFFSET,
                                &p->device);
    memory_region_add_subregion(&p->modern_bar, VIRTIO_PCI_NOTIFY_OFFSET,
                                &p->notify);
    pci_register_bar(dev, VIRTIO_PCI_MODERN_BAR,
                     PCI_BAR_MEM64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &p->modern_bar);
    memory_region_init_container(&p->msix_bar, "virtio-pci-msix", 0x1000);
}

static void destroy_bars(VirtIOPCIProxy *p)
{
    MemoryRegion *subs[] = { &p->common, &p->isr, &p->device, &p->notify };

    for (size_t i = 0; i < G_N_ELEMENTS(subs); i++) {
        memory_region_del_subregion(&p->modern_bar, subs[i]);
        memory_region_destroy(subs[i]);
    }
    memory_region_destroy(&p->modern_bar);
    memory_region_destroy(&p->msix_bar);
}

static bool virtio_pci_realize(PCIDevice *dev, Error **errp)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(dev);

    if (p->vectors < 1 || p->vectors > 2048) {
        error_setg(errp, "'vectors' must be between 1 and 2048");
        return false;
    }
    if (!object_realize(OBJECT(p->vdev), errp)) {
        return false;
    }
    virtio_bind_transport(p->vdev, &virtio_pci_transport, p);
    init_bars(p);
    if (!msix_init(dev, (uint16_t)p->vectors, &p->msix_bar,
                   VIRTIO_PCI_MSIX_BAR, 0, 0x800, errp)) {
        goto fail;
    }
    pci_register_bar(dev, VIRTIO_PCI_MSIX_BAR, PCI_BAR_MEM32, &p->msix_bar);
    if (!add_caps(p, errp)) {
        msix_uninit(dev, &p->msix_bar);
        goto fail;
    }
    return true;

fail:
    destroy_bars(p);
    object_unrealize(OBJECT(p->vdev));
    return false;
}

static void virtio_pci_unrealize(PCIDevice *dev)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(dev);

    msix_uninit(dev, &p->msix_bar);
    destroy_bars(p);
    object_unrealize(OBJECT(p->vdev));
}

/* System reset: the virtio device, MSI-X and config space start over. */
static void virtio_pci_reset(Object *obj)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(obj);

    p->guest_features = 0;
    p->dfselect = p->gfselect = 0;
    p->queue_sel = 0;
    virtio_reset(p->vdev);
    msix_reset(&p->parent_obj);
    pci_device_reset(&p->parent_obj);
}

static void virtio_pci_instance_init(Object *obj)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(obj);
    VirtIOPCIClass *vpc = VIRTIO_PCI_GET_CLASS(obj);
    g_autoptr(Object) child = NULL;

    p->vectors = vpc->default_vectors ? vpc->default_vectors : 2;
    if (!vpc->vdev_type) {
        return;     /* the abstract type itself */
    }
    child = object_new(vpc->vdev_type);
    /* A fresh object has no children, so the name cannot clash. */
    if (!object_add_child(obj, "virtio-backend", child, NULL)) {
        g_error("virtio-pci: cannot add virtio-backend");
    }
    p->vdev = VIRTIO_DEVICE(child);
}

/* ---- property forwarding -------------------------------------------------------- */

static Object *backend_child(Object *obj)
{
    return object_get_child(obj, "virtio-backend");
}

static bool forward_get(Object *obj, const Property *prop, PropValue *out)
{
    return object_property_get_value(backend_child(obj), prop->name, out,
                                     NULL);
}

static bool forward_set(Object *obj, const Property *prop,
                        const PropValue *in, Error **errp)
{
    return object_property_set_value(backend_child(obj), prop->name, in,
                                     errp);
}

void virtio_pci_class_forward_props(ObjectClass *oc, const char *vdev_type)
{
    g_autoptr(GPtrArray) src = object_class_get_props(
        object_class_by_name(vdev_type));
    /* Lives as long as the class: classes are never freed. */
    Property *props = g_new0(Property, src->len + 1);

    for (guint i = 0; i < src->len; i++) {
        const Property *s = g_ptr_array_index(src, i);

        props[i] = *s;
        props[i].offset = PROP_NO_FIELD;
        /* The device checks when a write is allowed, with its messages. */
        props[i].access = PROP_RUNTIME;
        props[i].get = forward_get;
        props[i].set = forward_set;
    }
    object_class_add_props(oc, props);
}

static const Property virtio_pci_props[] = {
    { .name = "vectors", .kind = PROP_UINT32, .access = PROP_CONFIG,
      .offset = offsetof(VirtIOPCIProxy, vectors),
      .description = "MSI-X vectors" },
    { NULL },
};

static void virtio_pci_class_init(ObjectClass *oc)
{
    PCIDeviceClass *pc = (PCIDeviceClass *)oc;

    oc->reset = virtio_pci_reset;
    pc->pci_realize = virtio_pci_realize;
    pc->pci_unrealize = virtio_pci_unrealize;
    pc->config_written = virtio_pci_config_written;
    pc->config_read = virtio_pci_config_read;
    pc->vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    pc->subsystem_vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    pc->revision = 1;       /* modern only (virtio 1.2, 4.1.2.1) */
    object_class_add_props(oc, virtio_pci_props);
}

static const TypeInfo virtio_pci_info = {
    .name = TYPE_VIRTIO_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VirtIOPCIProxy),
    .class_size = sizeof(VirtIOPCIClass),
    .abstract = true,
    .class_init = virtio_pci_class_init,
    .instance_init = virtio_pci_instance_init,
};

void virtio_pci_register_types(void)
{
    type_register_static(&virtio_pci_info);
}
