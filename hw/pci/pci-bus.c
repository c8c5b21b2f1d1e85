/* PCI bus 0: which function sits at which devfn, and the addr= syntax. */
#include "hw/pci/pci.h"

#include <stdio.h>

/*
 * Tide has one root bus and no bridges, so the bus is this table.  Read
 * by the host bridge on every config access and changed by realize and
 * unrealize, all under the machine lock.
 */
static PCIDevice *bus_devices[PCI_DEVFN_MAX];

/* As QEMU's set_pci_devfn: sscanf's "%x.%x", then "%x", nothing after. */
int pci_parse_devfn(const char *str)
{
    unsigned slot, fn;
    int n = 0;

    if (!str) {
        return -1;
    }
    if (sscanf(str, "%x.%x%n", &slot, &fn, &n) != 2) {
        fn = 0;
        if (sscanf(str, "%x%n", &slot, &n) != 1) {
            return -1;
        }
    }
    if (str[n] || fn > 7 || slot > 31) {
        return -1;
    }
    return (int)PCI_DEVFN(slot, fn);
}

static int find_free_slot(void)
{
    /* Slot 0 belongs to the host bridge even when a test has none. */
    for (int devfn = PCI_DEVFN(1, 0); devfn < PCI_DEVFN_MAX; devfn += 8) {
        if (!bus_devices[devfn]) {
            return devfn;
        }
    }
    return -1;
}

bool pci_bus_plug(PCIDevice *dev, Error **errp)
{
    const char *name = object_get_typename(OBJECT(dev));
    int devfn = dev->devfn;
    PCIDevice *other;

    g_assert(!dev->on_bus);     /* realize plugs once; a Tide bug else */
    if (devfn < 0) {
        devfn = find_free_slot();
        if (devfn < 0) {
            error_setg(errp, "PCI: no slot/function available for %s, all "
                       "in use or reserved", name);
            return false;
        }
    } else if (devfn >= PCI_DEVFN_MAX) {
        error_setg(errp, "PCI: devfn %d out of range for %s", devfn, name);
        return false;
    }
    other = bus_devices[devfn];
    if (other) {
        const char *id = DEVICE(other)->id;

        /* QEMU 7.2 prints a missing id as "(null)"; so do we. */
        error_setg(errp, "PCI: slot %d function %d not available for %s, "
                   "in use by %s,id=%s", PCI_SLOT(devfn), PCI_FUNC(devfn),
                   name, object_get_typename(OBJECT(other)),
                   id ? id : "(null)");
        return false;
    }
    dev->devfn = devfn;
    dev->on_bus = true;
    bus_devices[devfn] = dev;
    return true;
}

void pci_bus_unplug(PCIDevice *dev)
{
    if (!dev->on_bus) {
        return;
    }
    if (bus_devices[(uint8_t)dev->devfn] == dev) {
        bus_devices[(uint8_t)dev->devfn] = NULL;
    }
    dev->on_bus = false;
}

PCIDevice *pci_bus_find(uint8_t devfn)
{
    return bus_devices[devfn];
}
