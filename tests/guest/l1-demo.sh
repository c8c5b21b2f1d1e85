#!/bin/sh
# make demo, nested path: the L1 job that runs Tide (env TIDE, L2_KERNEL,
# L2_INITRD from l1-init) with the demo's options from /extra/vm-args, one
# per line.  The host reaches Tide's QMP through QEMU's user network
# (a hostfwd to 10.0.2.15:4444) and the guest's console through L1's: lines
# typed on L1's console go to the guest.
insmod /lib/modules/e1000.ko || echo "L1: insmod e1000 failed"
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
mkfifo /tmp/tide-in
exec 3<> /tmp/tide-in
set --
while IFS= read -r arg; do
    set -- "$@" "$arg"
done < /extra/vm-args
"$TIDE" -accel kvm -kernel "$L2_KERNEL" -initrd "$L2_INITRD" \
    -qmp tcp:0.0.0.0:4444,server=on,wait=off -nographic -no-reboot "$@" \
    < /tmp/tide-in &
pid=$!
echo "L1: tide started (pid $pid)"
while IFS= read -r line; do
    printf '%s\n' "$line" >&3
done < /dev/console &
wait $pid
echo "L1: tide exited with $?"
