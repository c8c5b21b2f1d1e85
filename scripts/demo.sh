#!/usr/bin/env bash
# make demo: start Tide with two NUMA nodes and show what an operator sees.
# (The KVM issue turns this into a real guest boot; today the machine runs
# under -accel qtest, with no guest CPU.)
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
tide="$top/$build/tide"
qmp="$top/scripts/tide-qmp"
dir=$(mktemp -d)
log="$top/$build/demo.log"
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "starting Tide: 2 NUMA nodes, 1 GiB boot RAM each, maxmem 34G"
set -x
"$tide" -accel qtest -display none -name demo \
    -m 2G,maxmem=34G -smp 2 \
    -object memory-backend-ram,id=ram0,size=1G \
    -numa node,nodeid=0,cpus=0,memdev=ram0 \
    -object memory-backend-ram,id=ram1,size=1G \
    -numa node,nodeid=1,cpus=1,memdev=ram1 \
    -qmp "unix:$dir/qmp.sock,server=on,wait=off" >"$log" 2>&1 &
{ set +x; } 2>/dev/null
pid=$!
for _ in $(seq 100); do [ -S "$dir/qmp.sock" ] && break; sleep 0.05; done

step "query-status"
"$qmp" "$dir/qmp.sock" query-status
step "info qom-tree"
"$qmp" "$dir/qmp.sock" --hmp 'info qom-tree'
step "info memory-devices"
"$qmp" "$dir/qmp.sock" --hmp 'info memory-devices'
echo "(no memory devices yet: virtio-mem-pci arrives with the virtio-mem issue)"
step "qom-get ram0 size"
"$qmp" "$dir/qmp.sock" --hmp 'qom-get ram0 size'
step "quit"
"$qmp" "$dir/qmp.sock" quit
wait "$pid"
echo "Tide exited with status $?; its log was $log"
