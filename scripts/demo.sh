#!/usr/bin/env bash
# make demo: boots a real two-node Linux guest on Tide (on /dev/kvm, or
# nested in an L1 VM under QEMU's emulator when the host has no usable KVM),
# resizes its memory node by node and as one logical size, shows the
# guest's own view after each step, then shuts the guest down.
# usage: scripts/demo.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
scripts=$top/scripts
out=$top/$build/demo
log=$out/demo.log
mkdir -p "$out"
rm -f "$out/qmp.sock" "$out/console-in" "$log"
: > "$log"
t0=$(date +%s)
vmm_pid=

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }
fail() {
    # The guest's kernel messages say why it did not follow, if it did not.
    if [ -n "$vmm_pid" ] && kill -0 "$vmm_pid" 2>/dev/null; then
        echo dmesg >&4
        sleep 3
    fi
    printf '\ndemo: %s\ndemo: the whole log is %s\n' "$*" "$log" >&2
    exit 1
}
cleanup() {
    [ -z "$vmm_pid" ] || kill "$vmm_pid" 2>/dev/null || true
}
trap cleanup EXIT

# The guest: two NUMA nodes with 512 MiB of boot memory each and one
# virtio-mem device per node (2 GiB each), hot-plugged memory onlined
# movable so that it can be unplugged again.
vm_args=(
    -name demo -m 1G,maxmem=5G -smp 2
    -object memory-backend-ram,id=ram0,size=512M
    -numa node,nodeid=0,cpus=0,memdev=ram0
    -object memory-backend-ram,id=ram1,size=512M
    -numa node,nodeid=1,cpus=1,memdev=ram1
    -object memory-backend-memfd,id=mem0,size=2G
    -device virtio-mem-pci,id=vm0,memdev=mem0,node=0,requested-size=0
    -object memory-backend-memfd,id=mem1,size=2G
    -device virtio-mem-pci,id=vm1,memdev=mem1,node=1,requested-size=0
    -append "console=ttyS0 panic=-1 quiet memhp_default_state=online_movable scenario=demo"
)

mode=$(sh "$top/tests/guest/mode.sh" 2> "$out/mode-why")
step "build the guest images (Debian's kernel, busybox, the virtio modules)"
printf '%s\n' "${vm_args[@]}" > "$out/vm-args"
GUEST_OUT=$out/images L1_MODULES=e1000 \
    L1_EXTRA="$out/vm-args $top/tests/guest/l1-demo.sh" \
    sh "$top/tests/guest/build-images.sh" "$top/$build" "$top" >> "$log" 2>&1 ||
    fail "building the images failed"
say "kernel $(basename "$(ls /boot/vmlinuz-* | sort -V | tail -1)"), initrd in $out/images"

# The guest's console input: a FIFO held open here, so that it stays open.
mkfifo "$out/console-in"
exec 4<> "$out/console-in"

if [ "$mode" = direct ]; then
    step "start Tide on /dev/kvm"
    qmp=$out/qmp.sock
    say "tide -accel kvm -kernel vmlinuz -initrd l2-initrd.gz -nographic -qmp unix:$qmp,server=on,wait=off ${vm_args[*]}"
    "$top/$build/tide" -accel kvm -kernel "$out/images/vmlinuz" \
        -initrd "$out/images/l2-initrd.gz" -nographic -no-reboot \
        -qmp "unix:$qmp,server=on,wait=off" "${vm_args[@]}" \
        < "$out/console-in" >> "$log" 2>&1 &
    vmm_pid=$!
else
    step "start an L1 VM under QEMU's emulator ($(cat "$out/mode-why")); Tide runs in it on kvm-amd"
    port=$((20000 + $$ % 20000))
    qmp=127.0.0.1:$port
    say "tide -accel kvm -kernel vmlinuz -initrd l2-initrd.gz -nographic -qmp tcp:0.0.0.0:4444,server=on,wait=off ${vm_args[*]}"
    say "(Tide's QMP port 4444 in L1 is $qmp here)"
    qemu-system-x86_64 -accel tcg -cpu max -m 4G -smp 1 \
        -kernel "$out/images/vmlinuz" -initrd "$out/images/l1-initrd.gz" \
        -append "console=ttyS0 panic=-1 quiet tide_job=/extra/l1-demo.sh" \
        -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-10.0.2.15:4444" \
        -device e1000,netdev=n0 -nographic -no-reboot \
        < "$out/console-in" >> "$log" 2>&1 &
    vmm_pid=$!
fi

# The console log without carriage returns.
console() { tr -d '\r' < "$log"; }

# Waits (up to $2 s) until the console shows a line matching $1.
wait_console() {
    local deadline=$(($(date +%s) + $2))
    until console | grep -q "$1"; do
        kill -0 "$vmm_pid" 2>/dev/null || fail "the VM exited"
        [ "$(date +%s)" -lt "$deadline" ] || fail "no '$1' on the console after $2 s"
        sleep 0.5
    done
}

# Prints the guest's newest view of its memory once its MemTotal is $1 kB.
guest_view() {
    wait_console "GUEST-VIEW [0-9]* end memtotal=$1\$" 180
    local n
    n=$(console | sed -n "s/.*GUEST-VIEW \([0-9]*\) end memtotal=$1\$/\1/p" | tail -1)
    say "the guest's view (free -m, per-node MemTotal):"
    console | sed -n "/GUEST-VIEW $n begin/,/GUEST-VIEW $n end/p" |
        grep -v GUEST-VIEW | sed 's/^/     guest| /'
}

hmp() { say "(tide) $*"; "$scripts/tide-qmp" "$qmp" --hmp "$*" | sed 's/^/     /'; }
run() {
    say "\$ $*"
    "$@" 2>&1 | sed 's/^/     /' || fail "$(basename "$1") failed"
}

step "wait for the guest to boot and load virtio_mem"
wait_console "GUEST-VIEW 1 end" 300
base=$(console | sed -n 's/.*GUEST-VIEW 1 end memtotal=\([0-9]*\)$/\1/p')
say "guest userspace after $(($(date +%s) - t0)) s of the demo"
guest_view "$base"
hmp "info memory-devices"

MiB=1024
step "grow node 0 by 512 MiB"
run "$scripts/tide-node-resize" "$qmp" vm0=512M --timeout 180
guest_view $((base + 512 * MiB))

step "both nodes at once: node 0 down to 256 MiB, node 1 up to 768 MiB"
run "$scripts/tide-node-resize" "$qmp" vm0=256M vm1=768M --timeout 180
guest_view $((base + 1024 * MiB))
hmp "info memory-devices"

step "one logical size: the memory manager spreads 1.75 GiB (1 GiB boot + 768 MiB plugged) over the nodes"
run "$scripts/tide-resize" "$qmp" 1792M --timeout 180
guest_view $((base + 768 * MiB))
hmp "info memory-manager"

step "give everything back: both nodes to 0"
run "$scripts/tide-node-resize" "$qmp" vm0=0 vm1=0 --timeout 180
guest_view "$base"
hmp "info balloon"

step "shut the guest down (poweroff typed on its console)"
echo poweroff >&4
wait_console "GUEST: powering off" 60
deadline=$(($(date +%s) + 60))
while kill -0 "$vmm_pid" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "the VM did not exit after poweroff"
    sleep 0.5
done
wait "$vmm_pid" || fail "the VM exited with an error"
vmm_pid=
if [ "$mode" != direct ]; then
    wait_console "L1: tide exited with" 1
    console | grep -q "L1: tide exited with 0" || fail "Tide exited with an error in L1"
fi
say "the guest powered off; Tide exited with status 0"
step "done in $(($(date +%s) - t0)) s ($mode); the whole log (consoles, image build) is $log"
