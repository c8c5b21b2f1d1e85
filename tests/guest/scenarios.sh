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
    "$TIDE" -accel kvm -kernel "$KERNEL" -initrd "$INITRD" \
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
        t=$(now)
        if [ "$size" != "$last_size" ]; then
            last_size=$size
            last_growth=$t
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        if [ "$(elapsed "$t_start" "$t" | cut -d. -f1)" -ge "$TIMEOUT" ]; then
            echo "SCENARIO-NOTE: timeout after ${TIMEOUT}s"
            return 2
        fi
        if [ "$(elapsed "$last_growth" "$t" | cut -d. -f1)" -ge "$STALL" ]; then
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
    start_tide boot -m 512M -smp 2 -append "console=ttyS0 panic=-1 quiet scenario=boot"
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

scenario_virtio_mem() {
    qmp=$WORK/qmp.sock
    rm -f "$qmp"
    start_tide virtio-mem -m 512M,maxmem=2G -smp 1 \
        -object memory-backend-ram,id=mem0,size=1G \
        -device virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0 \
        -qmp "unix:$qmp,server=on,wait=off" \
        -append "console=ttyS0 panic=-1 quiet memhp_default_state=online_movable scenario=virtio-mem"
    if ! wait_for "GUEST: virtio-mem ready"; then
        finish_tide
        echo "SCENARIO virtio-mem: FAIL guest driver not ready (tide rc=$rc)"
        return
    fi
    "$QMP_SEND" "$qmp" \
        '{"execute":"qom-set","arguments":{"path":"vm0","property":"requested-size","value":134217728}}' \
        > "$WORK/qmp.out" 2>&1
    t_set=$(now)
    wait_for "GUEST: memtotal changed\|GUEST: memtotal did not"
    t_grow=$(elapsed "$t_set" "$(now)")
    finish_tide
    grew=$(sed -n 's/.*GUEST: memtotal changed from \([0-9]*\) to \([0-9]*\).*/\1 \2/p' "$log")
    set -- $grew
    if [ -n "$2" ] && [ $(($2 - $1)) = 131072 ]; then
        echo "SCENARIO virtio-mem: PASS MemTotal $1 -> $2 kB (+128 MiB) ${t_grow}s after qom-set"
    else
        echo "SCENARIO virtio-mem: FAIL MemTotal '$grew' (qmp: $(cat "$WORK/qmp.out" | tr '\n' ' '))"
    fi
}

scenario_numa() {
    start_tide numa -m 512M -smp 2 \
        -object memory-backend-ram,id=ram0,size=256M \
        -numa node,nodeid=0,cpus=0,memdev=ram0 \
        -object memory-backend-ram,id=ram1,size=256M \
        -numa node,nodeid=1,cpus=1,memdev=ram1 \
        -append "console=ttyS0 panic=-1 quiet scenario=numa"
    wait_for "GUEST: done"
    finish_tide
    n0=$(grep -c "GUEST: node0 cpus=0 " "$log")
    n1=$(grep -c "GUEST: node1 cpus=1 " "$log")
    m0=$(sed -n 's/.*GUEST: node0 .*memtotal=\([0-9]*\).*/\1/p' "$log")
    m1=$(sed -n 's/.*GUEST: node1 .*memtotal=\([0-9]*\).*/\1/p' "$log")
    if [ "$rc" = 0 ] && [ "$n0" = 1 ] && [ "$n1" = 1 ] &&
       [ "${m0:-0}" -gt 100000 ] && [ "${m1:-0}" -gt 100000 ]; then
        echo "SCENARIO numa: PASS node0: CPU 0, $m0 kB; node1: CPU 1, $m1 kB"
    else
        echo "SCENARIO numa: FAIL rc=$rc $(grep 'GUEST: node' "$log" | tr '\n' ' ')"
    fi
}

# QMP stop/cont pause the vCPUs; system_reset reboots the guest; quit ends Tide.
scenario_reset() {
    qmp=$WORK/qmp.sock
    rm -f "$qmp"
    start_tide reset -m 512M -smp 2 -qmp "unix:$qmp,server=on,wait=off" \
        -append "console=ttyS0 panic=-1 quiet scenario=wait"
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
    start_tide reboot -m 512M -append "console=ttyS0 panic=-1 quiet scenario=reboot"
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
    start_tide panic -m 512M -append "console=ttyS0 panic=1 quiet scenario=panic"
    wait_for "Kernel panic"
    finish_tide
    if grep -q "Kernel panic" "$log" && [ "$exited" = 1 ] && [ "$rc" = 0 ]; then
        echo "SCENARIO panic: PASS the guest panicked, rebooted, and -no-reboot made Tide exit 0"
    else
        echo "SCENARIO panic: FAIL rc=$rc panic=$(grep -c 'Kernel panic' "$log")"
    fi
}

[ $# -gt 0 ] || set -- boot numa virtio-mem reset reboot panic
for s in "$@"; do
    case "$s" in
    boot) scenario_boot ;;
    virtio-mem) scenario_virtio_mem ;;
    numa) scenario_numa ;;
    reset) scenario_reset ;;
    reboot) scenario_reboot ;;
    panic) scenario_panic ;;
    *) echo "SCENARIO $s: FAIL unknown scenario" ;;
    esac
done
