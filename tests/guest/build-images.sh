#!/bin/sh
# Builds the guest-test images from Debian packages into BUILD/guest: the L2 initrd and the L1 initrd.
# usage: build-images.sh BUILD_DIR SOURCE_DIR
# GUEST_OUT=DIR: build there instead of BUILD_DIR/guest.
# L1_EXTRA="FILE...": also copy these into the L1 image's /extra/ (a job
# run with the L1 kernel option tide_job=/extra/NAME, the bench's, the demo's).
# L1_MODULES="NAME...": more kernel modules for L1 (/lib/modules/NAME.ko).
# GUEST_WITH_QEMU=1: put QEMU in the L1 image too (+30 MB).
# Needs (make deps): linux-image-amd64, busybox-static, cpio, gcc.
set -eu
B=$(cd "$1" && pwd)
S=$(cd "$2" && pwd)
OUT=${GUEST_OUT:-$B/guest}
KERNEL=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
if [ -z "$KERNEL" ]; then
    echo "build-images: no /boot/vmlinuz-*: run 'make deps' (linux-image-amd64)" >&2
    exit 1
fi
KVER=${KERNEL#/boot/vmlinuz-}
MODDIR=/lib/modules/$KVER/kernel
BUSYBOX=/bin/busybox
if ! "$BUSYBOX" --list >/dev/null 2>&1 || ldd "$BUSYBOX" >/dev/null 2>&1; then
    echo "build-images: $BUSYBOX is not busybox-static: run 'make deps'" >&2
    exit 1
fi
mkdir -p "$OUT"

# Copies module NAME (plain or compressed .ko) to DIR/NAME.ko.
copy_module() {
    f=$(find "$MODDIR" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" | head -1)
    if [ -z "$f" ]; then
        echo "build-images: module $1 not found under $MODDIR" >&2
        exit 1
    fi
    case "$f" in
    *.xz) xz -dc "$f" > "$2/$1.ko" ;;
    *.zst) zstd -qdc "$f" > "$2/$1.ko" ;;
    *) cp "$f" "$2/$1.ko" ;;
    esac
}

pack() {
    (cd "$1" && find . | cpio -o -H newc --quiet | gzip -1) > "$2"
}

# ---- L2: the guest Tide boots
L2=$OUT/l2root
rm -rf "$L2"
mkdir -p "$L2/bin" "$L2/lib/modules" "$L2/proc" "$L2/sys" "$L2/dev"
cp "$BUSYBOX" "$L2/bin/busybox"
cp "$S/tests/guest/l2-init" "$L2/init"
chmod +x "$L2/init"
for m in virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev \
         virtio_pci virtio_mem virtio-rng; do
    copy_module $m "$L2/lib/modules"
done
pack "$L2" "$OUT/l2-initrd.gz"
cp "$KERNEL" "$OUT/vmlinuz"

# ---- L1: the VM that lends /dev/kvm when the host has none
L1=$OUT/l1root
rm -rf "$L1"
mkdir -p "$L1/bin" "$L1/lib/modules" "$L1/l2" "$L1/proc" "$L1/sys" \
         "$L1/dev" "$L1/tmp"
cp "$BUSYBOX" "$L1/bin/busybox"
cp "$S/tests/guest/l1-init" "$L1/init"
chmod +x "$L1/init"
cp "$S/tests/guest/scenarios.sh" "$L1/scenarios.sh"
for m in irqbypass kvm ccp kvm-amd ${L1_MODULES:-}; do
    copy_module $m "$L1/lib/modules"
done
cp "$B/tide" "$L1/bin/tide"
for lib in $(ldd "$B/tide" | grep -o '/[^ ]*'); do
    mkdir -p "$L1$(dirname "$lib")"
    cp -L "$lib" "$L1$lib"
done
gcc -O2 -static -o "$L1/bin/qmp-send" "$S/tests/guest/qmp-send.c"
if [ "${GUEST_WITH_QEMU:-0}" = 1 ]; then
    Q=$(command -v qemu-system-x86_64)
    mkdir -p "$L1/usr/bin" "$L1/usr/share/qemu" "$L1/usr/share/seabios"
    cp "$Q" "$L1/usr/bin/"
    for lib in $(ldd "$Q" | grep -o '/[^ ]*'); do
        mkdir -p "$L1$(dirname "$lib")"
        cp -L "$lib" "$L1$lib"
    done
    for f in linuxboot_dma.bin linuxboot.bin kvmvapic.bin bios-256k.bin; do
        cp -L "/usr/share/qemu/$f" "$L1/usr/share/qemu/" 2>/dev/null || true
    done
    cp -L /usr/share/seabios/bios-256k.bin "$L1/usr/share/seabios/"
fi
if [ -n "${L1_EXTRA:-}" ]; then
    mkdir -p "$L1/extra"
    for f in $L1_EXTRA; do
        cp "$f" "$L1/extra/"
    done
fi
cp "$OUT/vmlinuz" "$L1/l2/vmlinuz"
cp "$OUT/l2-initrd.gz" "$L1/l2/initrd.gz"
pack "$L1" "$OUT/l1-initrd.gz"
echo "build-images: $KVER; $(du -h "$OUT/l1-initrd.gz" | cut -f1) L1, $(du -h "$OUT/l2-initrd.gz" | cut -f1) L2"
