#!/bin/sh
# Decides how real guests run here; prints "direct" or "nested", and on
# stderr why when nested.  Used by check-guest, the demo and the guest bench.
# GUEST_MODE=direct|nested overrides the choice.
case "${GUEST_MODE:-}" in
direct|nested) echo "$GUEST_MODE"; exit 0 ;;
"") ;;
*) echo "mode.sh: GUEST_MODE must be direct or nested, not '$GUEST_MODE'" >&2
   exit 1 ;;
esac
if ! [ -c /dev/kvm ] || ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
    echo "no usable /dev/kvm" >&2
    echo nested
    exit 0
fi
# PVM (kvm_pvm) offers /dev/kvm without hardware virtualization; it runs
# only kernels built as PVM guests.  A stock Debian kernel hangs in its
# decompressor there (so does it under QEMU -accel kvm).
if [ -d /sys/module/kvm_pvm ] && ! [ -d /sys/module/kvm_amd ] &&
   ! [ -d /sys/module/kvm_intel ]; then
    echo "/dev/kvm is PVM (kvm_pvm), which boots only PVM guest kernels" >&2
    echo nested
    exit 0
fi
echo direct
