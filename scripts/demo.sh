#!/usr/bin/env bash
# make demo: a two-node VM with one virtio-mem device per node, driven the way an operator would.
# Until the KVM issue lands, the machine runs under -accel qtest: devices,
# QMP, HMP and the memory manager are real, but no guest CPU plugs memory.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
tide="$top/$build/tide"
scripts="$top/scripts"
dir=$(mktemp -d)
log="$top/$build/demo.log"
sock="$dir/qmp.sock"
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
qmp() { "$scripts/tide-qmp" "$sock" "$@"; }
hmp() { echo "(tide) $*"; "$scripts/tide-qmp" "$sock" --hmp "$*"; }

step "start Tide: 2 NUMA nodes with 1 GiB boot RAM each, an 8 GiB virtio-mem device per node"
set -x
"$tide" -accel qtest -display none -name demo \
    -m 2G,maxmem=18G -smp 2 \
    -object memory-backend-ram,id=ram0,size=1G \
    -numa node,nodeid=0,cpus=0,memdev=ram0 \
    -object memory-backend-ram,id=ram1,size=1G \
    -numa node,nodeid=1,cpus=1,memdev=ram1 \
    -object memory-backend-memfd,id=mem0,size=8G \
    -device virtio-mem-pci,id=vm0,memdev=mem0,node=0,requested-size=0 \
    -object memory-backend-memfd,id=mem1,size=8G \
    -device virtio-mem-pci,id=vm1,memdev=mem1,node=1,requested-size=0 \
    -memory-manager stuck-timeout=5 \
    -qmp "unix:$sock,server=on,wait=off" >"$log" 2>&1 &
{ set +x; } 2>/dev/null
pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
echo "Tide's resident memory: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status) (16 GiB of backends cost nothing until plugged)"

step "what QEMU users already know"
hmp info memory-devices
step "per-node resize, the QEMU way"
hmp qom-set vm0 requested-size 4G
"$scripts/tide-node-resize" "$sock" vm1=2G --no-wait
hmp info memory-devices | grep -E 'Memory device|requested-size'
step "mistakes are refused with QEMU's messages; the VM runs on"
hmp qom-set vm0 requested-size 9G || true
hmp qom-set vm0 requested-size 3M || true
step "one logical size across both nodes: the memory manager (balloon, as libvirt's setmem)"
hmp balloon 10240
hmp info memory-manager
echo "(no guest driver runs under -accel qtest: after 5 s without progress the manager reports the devices stuck, honestly)"
sleep 5
hmp info memory-manager
step "the live view"
"$scripts/tide-mem-watch" "$sock" --once
step "quit"
qmp quit >/dev/null
wait "$pid" || true
echo "Tide exited; its log is $log"
