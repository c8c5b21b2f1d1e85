#!/usr/bin/env python3
# Fails when a source file includes a header from a layer above its own (DESIGN.md: arrows point down only).
import os
import re
import sys

# Top to bottom.  A folder may include its own layer and any layer below.
LAYERS = [
    ["system"],
    ["monitor"],
    ["hw/mem/memory-manager"],
    # The PC board: boot loader, ACPI (describes PCI and memory devices),
    # BAR assignment; above what it describes.  pc.c stays below.
    ["hw/i386/pc-board", "hw/i386/pc-boot", "hw/i386/acpi-build"],
    ["hw/virtio"],
    ["hw/mem"],
    ["hw/pci"],
    ["hw/i386"],
    ["accel"],
    ["backends"],
    ["system/memory", "system/physmem"],    # the address-space library
    ["qom"],
    ["util", "standard-headers"],
]
# hw/mem holds two layers: the memory manager above virtio, memory-device below.


def layer_of(path):
    """The index of the most specific layer prefix matching path."""
    best, best_len = None, -1
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (path == p or path.startswith(p + "/") or path.startswith(p + ".")
                    or path.startswith(p + "-")) and len(p) > best_len:
                best, best_len = i, len(p)
    return best


def main():
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    bad = []
    checked = 0
    for folder in ["system", "monitor", "hw", "accel", "backends", "qom", "util"]:
        for root, _, files in os.walk(os.path.join(top, folder)):
            for name in files:
                if not name.endswith((".c", ".h")):
                    continue
                src = os.path.relpath(os.path.join(root, name), top)
                src_layer = layer_of(os.path.splitext(src)[0])
                for line in open(os.path.join(top, src), errors="replace"):
                    m = re.match(r'\s*#\s*include\s+"([^"]+)\.h"', line)
                    if not m or src_layer is None:
                        continue
                    inc_layer = layer_of(m.group(1))
                    checked += 1
                    if inc_layer is not None and inc_layer < src_layer:
                        bad.append("%s includes %s.h (layer %s above %s)" % (
                            src, m.group(1), LAYERS[inc_layer][0],
                            LAYERS[src_layer][0]))
    print("1..1")
    if bad:
        print("not ok 1 - %d includes point up a layer" % len(bad))
        for b in bad:
            print("# " + b)
        return 1
    print("ok 1 - %d project includes checked, none points up a layer" % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main())
