#!/bin/sh
# Runs the real-guest scenarios on Tide with /dev/kvm: inside the L1 VM, or on a host that has KVM.
# usage: scenarios.sh TIDE L2_KERNEL L2_INITRD WORKDIR [SCENARIO...]
# Prints "SCENARIO <name>: PASS|FAIL <details>" per scenario; the guest's
# serial lines are echoed with an "L2| " prefix as they arrive.
TIDE=$1 KERNEL=$2 INITRD=$3 WORK=$4
shift 4
QMP_SEND=${QMP_SEND:-qmp-send}
TIMEOUT=${SCENARIO_TIMEOUT:-240}
STALL=${SCENARIO_STALL:-90}
# GUEST_VERBOSE=1: the guest kernel's whole log on the console (slower).
QUIET=quiet
[ "${GUEST_VERBOSE:-0}" = 1 ] && QUIET=
mkdir -p "$WORK"
# Tide's stdin (-nographic's console input) stays open but silent: a FIFO
# this shell holds open for reading and writing.
[ -p "$WORK/stdin" ] || mkfifo "$WORK/stdin"
exec 3<> "$WORK/stdin"

now() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# Starts Tide booting L2 with the scenario's extra options; sets $pid, $log.
start_tide() {
    name=$1
    shift
    log=$WORK/$name.log
    : > "$log"
    t_start=$(now)
    ${VMM:-$TIDE} -accel kvm ${VMM_ARGS:-} -kernel "$KERNEL" -initrd "$INITRD" \
        -nographic -no-reboot "$@" < "$WORK/stdin" > "$log" 2>&1 &
    pid=$!
    shown=0
}

# Echo new log lines; waits until pattern shows up, Tide exits, or time runs out.
# Returns 0 when the pattern was seen.
wait_for() {
    pattern=$1
    last_growth=$(now)
    last_size=0
    while :; do
        lines=$(wc -l < "$log")
        if [ "$lines" -gt "$shown" ]; then
            sed -n "$((shown + 1)),${lines}p" "$log" | sed 's/^/L2| /'
            shown=$lines
        fi
        if grep -q "$pattern" "$log"; then
            return 0
        fi
        size=$(wc -c < "$log")
        _wt=$(now)
        if [ "$size" != "$last_size" ]; then
            last_size=$size
            last_growth=$_wt
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        if [ "$(elapsed "$t_start" "$_wt" | cut -d. -f1)" -ge "$TIMEOUT" ]; then
            echo "SCENARIO-NOTE: timeout after ${TIMEOUT}s"
            return 2
        fi
        if [ "$(elapsed "$last_growth" "$_wt" | cut -d. -f1)" -ge "$STALL" ]; then
            echo "SCENARIO-NOTE: stall: no console output for ${STALL}s"
            return 2
        fi
        sleep 0.2
    done
}

# Waits for Tide to exit (killing it on timeout); sets $rc.
finish_tide() {
    wait_for "@@never@@"
    exited=1
    if kill -0 "$pid" 2>/dev/null; then
        exited=0
        kill "$pid" 2>/dev/null
        sleep 1
        kill -9 "$pid" 2>/dev/null
    fi
    wait "$pid"
    rc=$?
}

scenario_boot() {
    start_tide boot -m 512M -smp 2 -append "console=ttyS0 panic=-1 $QUIET scenario=boot"
    if ! wait_for "GUEST: userspace"; then
        finish_tide
        echo "SCENARIO boot: FAIL guest did not reach userspace (tide rc=$rc)"
        return
    fi
    t_user=$(elapsed "$t_start" "$(now)")
    finish_tide
    cpus=$(sed -n 's/.*GUEST: userspace.* cpus=\([0-9]*\).*/\1/p' "$log")
    if [ "$rc" = 0 ] && [ "$cpus" = 2 ] && grep -q "GUEST: done" "$log"; then
        echo "SCENARIO boot: PASS userspace after ${t_user}s, 2 CPUs, poweroff -> exit 0"
    else
        echo "SCENARIO boot: FAIL tide rc=$rc cpus=$cpus"
    fi
}

# Sets requested-size of device $1 to $2 bytes over QMP.
qom_set_size() {
    "$QMP_SEND" "$qmp" "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"$1\",\"property\":\"requested-size\",\"value\":$2}}" \
        >> "$WORK/qmp.out" 2>&1
}

# Plug 128 MiB into device $2 and unplug it again; the guest's MemTotal
# (and the node's, $3) must follow.  Sets $verdict.
plug_unplug() {
    name=$1 dev=$2 node=$3
    if ! wait_for "GUEST: virtio-mem ready"; then
        verdict="FAIL guest driver not ready"
        return
    fi
    before=$(sed -n 's/.*GUEST: virtio-mem ready memtotal=\([0-9]*\).*/\1/p' "$log")
    plugged=$((before + 131072))
    t=$(now)
    qom_set_size "$dev" 134217728
    if ! wait_for "GUEST: memtotal now $plugged;"; then
        verdict="FAIL MemTotal did not grow by 128 MiB: $(grep 'memtotal now' "$log" | tail -1)"
        return
    fi
    t_plug=$(elapsed "$t" "$(now)")
    node_kb=$(grep "GUEST: memtotal now $plugged;" "$log" | sed -n "s/.* $node=\([0-9]*\).*/\1/p")
    t=$(now)
    qom_set_size "$dev" 0
    if ! wait_for "GUEST: memtotal now $before;"; then
        verdict="FAIL MemTotal did not shrink back: $(grep 'memtotal now' "$log" | tail -1)"
        return
    fi
    t_unplug=$(elapsed "$t" "$(now)")
    verdict="PASS MemTotal $before -> $plugged -> $before kB; plug ${t_plug}s, unplug ${t_unplug}s; $node $node_kb kB while plugged"
}

scenario_virtio_mem() {
    qmp=$WORK/qmp.sock
    rm -f "$qmp" "$WORK/qmp.out"
    start_tide virtio-mem -m 512M,maxmem=2G -smp 1 \
        -object memory-backend-ram,id=mem0,size=1G \
        -device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0 \
        -qmp "unix:$qmp,server=on,wait=off" \
        -append "console=ttyS0 panic=-1 $QUIET memhp_default_state=online_movable scenario=virtio-mem"
    plug_unplug virtio-mem vm0 node0
    "$QMP_SEND" "$qmp" '{"execute":"quit"}' >> "$WORK/qmp.out" 2>&1
    finish_tide
    echo "SCENARIO virtio-mem: $verdict"
}

# DESIGN.md's shape: two nodes, one virtio-mem device each; memory given
# to vm1 must show up on node 1 (SRAT's hotplug range and the device's
# node agree).
scenario_virtio_mem_numa() {
    qmp=$WORK/qmp.sock
    rm -f "$qmp" "$WORK/qmp.out"
    start_tide virtio-mem-numa -m 512M,maxmem=2560M -smp 2 \
        -object memory-backend-ram,id=ram0,size=256M \
        -numa node,nodeid=0,cpus=0,memdev=ram0 \
        -object memory-backend-ram,id=ram1,size=256M \
        -numa node,nodeid=1,cpus=1,memdev=ram1 \
        -object memory-backend-memfd,id=mem0,size=1G \
        -device virtio-mem-pci,id=vm0,memdev=mem0,node=0,requested-size=0 \
        -object memory-backend-memfd,id=mem1,size=1G \
        -device virtio-mem-pci,id=vm1,memdev=mem1,node=1,requested-size=0 \
        -qmp "unix:$qmp,server=on,wait=off" \
        -append "console=ttyS0 panic=-1 $QUIET memhp_default_state=online_movable scenario=virtio-mem"
    plug_unplug virtio-mem-numa vm1 node1
    "$QMP_SEND" "$qmp" '{"execute":"quit"}' >> "$WORK/qmp.out" 2>&1
    finish_tide
    # Boot memory per node moves with KASLR, so compare node 1 while
    # plugged with node 1 after the unplug: exactly the 128 MiB.
    case "$verdict" in
    PASS*)
        n1_plugged=$(grep "GUEST: memtotal now" "$log" | head -1 |
                     sed -n 's/.* node1=\([0-9]*\).*/\1/p')
        n1_back=$(grep "GUEST: memtotal now" "$log" | tail -1 |
                  sed -n 's/.* node1=\([0-9]*\).*/\1/p')
        if [ $((${n1_plugged:-0} - ${n1_back:-0})) != 131072 ]; then
            verdict="FAIL node 1 went ${n1_plugged:-?} -> ${n1_back:-?} kB, not by 128 MiB ($verdict)"
        else
            verdict="$verdict; node 1: $n1_back -> $n1_plugged -> $n1_back kB"
        fi ;;
    esac
    echo "SCENARIO virtio-mem-numa: $verdict"
}

scenario_numa() {
    start_tide numa -m 512M -smp 2 \
        -object memory-backend-ram,id=ram0,size=256M \
        -numa node,nodeid=0,cpus=0,memdev=ram0 \
        -object memory-backend-ram,id=ram1,size=256M \
        -numa node,nodeid=1,cpus=1,memdev=ram1 \
        -append "console=ttyS0 panic=-1 $QUIET scenario=numa"
    wait_for "GUEST: done"
    finish_tide
    n0=$(grep -c "GUEST: node0 cpus=0 " "$log")
    n1=$(grep -c "GUEST: node1 cpus=1 " "$log")
    m0=$(sed -n 's/.*GUEST: node0 .*memtotal=\([0-9]*\).*/\1/p' "$log")
    m1=$(sed -n 's/.*GUEST: node1 .*memtotal=\([0-9]*\).*/\1/p' "$log")
    if [ "$rc" = 0 ] && [ "$n0" = 1 ] && [ "$n1" = 1 ] &&
       [ "${m0:-0}" -gt 50000 ] && [ "${m1:-0}" -gt 50000 ]; then
        echo "SCENARIO numa: PASS node0: CPU 0, $m0 kB; node1: CPU 1, $m1 kB"
    else
        echo "SCENARIO numa: FAIL rc=$rc $(grep 'GUEST: node' "$log" | tr '\n' ' ')"
    fi
}

# virtio-rng-pci: the guest's virtio_rng binds (over MSI-X) and /dev/hwrng reads.
scenario_rng() {
    start_tide rng -m 512M -device virtio-rng-pci,id=rng0 \
        -append "console=ttyS0 panic=-1 $QUIET scenario=rng"
    wait_for "GUEST: done"
    finish_tide
    if grep -q "GUEST: hwrng virtio_rng.* read 64 bytes" "$log" &&
       [ "$rc" = 0 ]; then
        echo "SCENARIO rng: PASS $(sed -n 's/.*GUEST: \(hwrng .*\)/\1/p' "$log" | tr -d '\r')"
    else
        echo "SCENARIO rng: FAIL rc=$rc $(grep 'GUEST: hwrng\|insmod' "$log" | tr '\n' ' ')"
    fi
}

# QMP stop/cont pause the vCPUs; system_reset reboots the guest; quit ends Tide.
scenario_reset() {
    qmp=$WORK/qmp.sock
    rm -f "$qmp"
    start_tide reset -m 512M -smp 2 -qmp "unix:$qmp,server=on,wait=off" \
        -append "console=ttyS0 panic=-1 $QUIET scenario=wait"
    if ! wait_for "GUEST: alive 1"; then
        finish_tide
        echo "SCENARIO reset: FAIL guest did not come up (tide rc=$rc)"
        return
    fi
    "$QMP_SEND" "$qmp" '{"execute":"stop"}' > "$WORK/qmp.out" 2>&1
    before=$(grep -c "GUEST: alive" "$log")
    sleep 5
    after=$(grep -c "GUEST: alive" "$log")
    "$QMP_SEND" "$qmp" '{"execute":"cont"}' '{"execute":"system_reset"}' \
        >> "$WORK/qmp.out" 2>&1
    t_reset=$(now)
    ok=0
    while [ $ok = 0 ]; do
        [ "$(grep -c 'GUEST: userspace' "$log")" -ge 2 ] && ok=1 && break
        wait_for "GUEST: userspace" || break
        sleep 1
    done
    t_boot=$(elapsed "$t_reset" "$(now)")
    "$QMP_SEND" "$qmp" '{"execute":"quit"}' >> "$WORK/qmp.out" 2>&1
    finish_tide
    if [ $ok = 1 ] && [ "$before" = "$after" ] && [ "$rc" = 0 ]; then
        echo "SCENARIO reset: PASS stop held the guest ($before alive lines before and after 5 s), system_reset rebooted it to userspace in ${t_boot}s, quit -> exit 0"
    else
        echo "SCENARIO reset: FAIL rebooted=$ok alive $before/$after rc=$rc"
    fi
}

# The guest reboots itself (ACPI reset register) with -no-reboot: Tide exits 0.
scenario_reboot() {
    start_tide reboot -m 512M -append "console=ttyS0 panic=-1 $QUIET scenario=reboot"
    wait_for "GUEST: rebooting"
    finish_tide
    if [ "$exited" = 1 ] && [ "$rc" = 0 ]; then
        echo "SCENARIO reboot: PASS the guest rebooted; -no-reboot made Tide exit 0"
    else
        echo "SCENARIO reboot: FAIL rc=$rc exited=$exited"
    fi
}

# A panicking kernel (panic=1 reboots) with -no-reboot: Tide exits.
scenario_panic() {
    start_tide panic -m 512M -append "console=ttyS0 panic=1 $QUIET scenario=panic"
    wait_for "Kernel panic"
    finish_tide
    if grep -q "Kernel panic" "$log" && [ "$exited" = 1 ] && [ "$rc" = 0 ]; then
        echo "SCENARIO panic: PASS the guest panicked, rebooted, and -no-reboot made Tide exit 0"
    else
        echo "SCENARIO panic: FAIL rc=$rc panic=$(grep -c 'Kernel panic' "$log")"
    fi
}

# Exec to guest userspace on Tide and on QEMU, same kernel, initrd and
# options (QEMU with -cpu host: Tide gives the guest KVM's CPUID too).
scenario_compare() {
    if ! command -v "${QEMU:-qemu-system-x86_64}" >/dev/null; then
        echo "SCENARIO compare: FAIL no qemu-system-x86_64 here (build the L1 image with GUEST_WITH_QEMU=1)"
        return
    fi
    out=
    for round in $(seq 1 "${COMPARE_ROUNDS:-2}"); do
        for vmm in tide qemu; do
            if [ $vmm = qemu ]; then
                VMM=${QEMU:-qemu-system-x86_64} VMM_ARGS="-cpu host -vga none -net none" \
                    start_tide compare-$vmm -m 512M -smp 2 \
                    -append "console=ttyS0 panic=-1 $QUIET scenario=boot"
            else
                start_tide compare-$vmm -m 512M -smp 2 \
                    -append "console=ttyS0 panic=-1 $QUIET scenario=boot"
            fi
            if wait_for "GUEST: userspace"; then
                t=$(elapsed "$t_start" "$(now)")
            else
                t=none
            fi
            finish_tide
            up=$(sed -n 's/.*GUEST: userspace up=\([0-9.]*\).*/\1/p' "$log")
            out="$out $vmm#$round: userspace ${t}s (guest uptime ${up}s, rc $rc);"
        done
    done
    echo "SCENARIO compare: PASS$out"
}

[ $# -gt 0 ] || set -- boot numa rng virtio-mem virtio-mem-numa reset reboot panic
for s in "$@"; do
    case "$s" in
    boot) scenario_boot ;;
    virtio-mem) scenario_virtio_mem ;;
    virtio-mem-numa) scenario_virtio_mem_numa ;;
    numa) scenario_numa ;;
    rng) scenario_rng ;;
    reset) scenario_reset ;;
    reboot) scenario_reboot ;;
    compare) scenario_compare ;;
    panic) scenario_panic ;;
    *) echo "SCENARIO $s: FAIL unknown scenario" ;;
    esac
done
