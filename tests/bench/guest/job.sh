#!/bin/sh
# The guest bench's measuring job: boots the same L2 guest on Tide and on QEMU in turn, times virtio-mem resizes.
# Runs inside the L1 VM (l1-init's tide_job=/extra/job.sh) or directly on a
# host with KVM (bench-guest.py).  POSIX sh: busybox ash in L1, dash on
# the host.  Prints result lines, parsed by bench-guest.py:
#   BENCH ROUND VMM METRIC VALUE
# with METRIC one of start_s (VMM exec to guest userspace),
# start_guest_uptime_s (the guest's uptime then), rss_idle_kb,
# {plug,unplug}_SIZE_Nn_{size,guest}_s (qom-set to size == requested-size,
# and to the guest's MemTotal showing it), {plug,unplug}_SIZE_Nn_cpu_s (CPU
# time of the VMM's main thread over that),
# rss_{plug,unplug}_SIZE_Nn_kb.
# Env: TIDE, QEMU, L2_KERNEL, L2_INITRD, QMP_SEND, TSLOG, WORK.  Options
# (env, or tide_bench_NAME=VALUE on the L1 kernel command line): ROUNDS
# (default 2), STEPS (default "1G:1,4G:1,1G:2,4G:2": size and number of
# nodes), BACKEND (ram or memfd, default ram), INIT_ON_ALLOC (0 or 1,
# default 0), POLL_MS (how often qmp-send asks for the sizes, default 50:
# each ask is a qom-get, ~0.5 ms of CPU for QEMU 7.2 on the host and more
# nested, which every 2 ms would take the one L1 CPU from the guest).
set -u
QEMU=${QEMU:-qemu-system-x86_64}
QMP_SEND=${QMP_SEND:-qmp-send}
TSLOG=${TSLOG:-/extra/tslog}
WORK=${WORK:-/tmp/bench}
ROUNDS=${ROUNDS:-2}
STEPS=${STEPS:-1G:1,4G:1,1G:2,4G:2}
BACKEND=${BACKEND:-ram}
INIT_ON_ALLOC=${INIT_ON_ALLOC:-0}
POLL_MS=${POLL_MS:-50}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
BOOT_STALL=${BOOT_STALL:-90}
RESIZE_TIMEOUT=${RESIZE_TIMEOUT:-400}
if [ -r /proc/cmdline ]; then
    for a in $(cat /proc/cmdline); do
        case "$a" in
        tide_bench_rounds=*) ROUNDS=${a#*=} ;;
        tide_bench_steps=*) STEPS=${a#*=} ;;
        tide_bench_backend=*) BACKEND=${a#*=} ;;
        tide_bench_init_on_alloc=*) INIT_ON_ALLOC=${a#*=} ;;
        tide_bench_poll_ms=*) POLL_MS=${a#*=} ;;
        esac
    done
fi
mkdir -p "$WORK"
[ -p "$WORK/stdin" ] || mkfifo "$WORK/stdin"
# The VMMs' stdin (-nographic's console input): open, silent.
exec 3<> "$WORK/stdin"
qmp=$WORK/qmp.sock

# One machine for both VMMs: 2 vCPUs, 2 NUMA nodes of 512 MiB boot RAM,
# a 4 GiB virtio-mem device per node, room for both (maxmem).
machine_args() {
    echo "-m 1G,maxmem=10G -smp 2" \
         "-object memory-backend-ram,id=ram0,size=512M" \
         "-numa node,nodeid=0,cpus=0,memdev=ram0" \
         "-object memory-backend-ram,id=ram1,size=512M" \
         "-numa node,nodeid=1,cpus=1,memdev=ram1" \
         "-object memory-backend-$BACKEND,id=mem0,size=4G" \
         "-device virtio-mem-pci,id=vm0,memdev=mem0,node=0,requested-size=0" \
         "-object memory-backend-$BACKEND,id=mem1,size=4G" \
         "-device virtio-mem-pci,id=vm1,memdev=mem1,node=1,requested-size=0" \
         "-qmp unix:$qmp,server=on,wait=off" \
         "-kernel $L2_KERNEL -initrd $L2_INITRD -nographic -no-reboot"
}
# init_on_alloc=0: with the kernel's default the guest zeroes every page it
# takes back before unplugging it (~10 s per GiB nested), the same guest
# work on both VMMs that would hide theirs and not fit 4 GiB steps in the
# time; INIT_ON_ALLOC=1 keeps the default.
APPEND="console=ttyS0 panic=-1 quiet memhp_default_state=online_movable scenario=bench"
[ "$INIT_ON_ALLOC" = 1 ] || APPEND="$APPEND init_on_alloc=0"

now() { "$TSLOG" --now; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
# Stamp of the first log line after time $1 that contains $2 (fixed string).
stamp_of() {
    awk -v t0="$1" -v pat="$2" '$1 >= t0 && index($0, pat) { print $1; exit }' "$log"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$vpid/status" 2>/dev/null; }
# utime + stime of the VMM's main thread (the main loop: virtqueue
# requests, memslots, QMP), in clock ticks.  The vCPU threads are left
# out: nested, they run whenever the guest does, so their time is the
# elapsed time again.
cpu_ticks() { sed 's/.*) //' "/proc/$vpid/task/$vpid/stat" | awk '{ print $12 + $13 }'; }
result() { echo "BENCH $round $vmm $1 $2"; }
# After a failure: the end of the VMM's console (guest and VMM messages).
show_log() {
    grep -v ' GUEST: mem ' "$log" | tail -n "${SHOW_LINES:-15}" | sed 's/^/BENCH-LOG /'
}

# Starts $vmm and waits for the guest's "bench ready"; sets $vpid, $log,
# $t_start and $base (the guest's MemTotal at boot, kB).  Returns 1 when
# the guest did not come up (stall, timeout or exit); the VMM is killed.
boot() {
    log=$WORK/$vmm.log
    rm -f "$qmp"
    if [ "$vmm" = qemu ]; then
        # Tide gives the guest KVM's CPUID: QEMU's -cpu host is the same.
        "$TSLOG" "$log" "$QEMU" -accel kvm -cpu host -vga none -net none \
            $(machine_args) -append "$APPEND" < "$WORK/stdin" &
    else
        "$TSLOG" "$log" "$TIDE" -accel kvm $(machine_args) \
            -append "$APPEND" < "$WORK/stdin" &
    fi
    tspid=$!
    t_last=$(now)
    size=0
    while :; do
        sleep 0.2
        if grep -q "GUEST: bench ready" "$log"; then
            break
        fi
        t=$(now)
        n=$(wc -c < "$log")
        if [ "$n" != "$size" ]; then
            size=$n
            t_last=$t
        fi
        t_start=$(awk '/@start/ { print $1; exit }' "$log")
        if ! kill -0 "$tspid" 2>/dev/null ||
           [ "$(sub "$t" "$t_last" | cut -d. -f1)" -ge "$BOOT_STALL" ] ||
           [ "$(sub "$t" "${t_start:-$t}" | cut -d. -f1)" -ge "$BOOT_TIMEOUT" ]; then
            echo "BENCH-NOTE round $round $vmm: guest did not come up; last line: $(grep -v '^ *$' "$log" | tail -1)"
            stop_vmm
            return 1
        fi
    done
    vpid=$(sed -n 's/.*@start pid=\([0-9]*\).*/\1/p' "$log")
    t_start=$(awk '/@start/ { print $1; exit }' "$log")
    t_user=$(awk '/GUEST: userspace/ { print $1; exit }' "$log")
    base=$(sed -n 's/.*GUEST: bench ready total=\([0-9]*\).*/\1/p' "$log")
    return 0
}

stop_vmm() {
    if kill -0 "$tspid" 2>/dev/null; then
        [ -S "$qmp" ] && "$QMP_SEND" "$qmp" '{"execute":"quit"}' > /dev/null 2>&1
        i=0
        while kill -0 "$tspid" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.2
            i=$((i + 1))
        done
        vp=$(sed -n 's/.*@start pid=\([0-9]*\).*/\1/p' "$log")
        [ -n "$vp" ] && kill -9 "$vp" 2>/dev/null
    fi
    wait "$tspid" 2>/dev/null
}

# resize OP SIZE NODES: sets vm0 (and vm1) to SIZE (0 for unplug), waits
# for the device sizes and for the guest's MemTotal; prints the results.
resize() {
    op=$1 sz=$2 nodes=$3
    # Shell arithmetic: busybox awk's %d stops at 2^31.
    case "$sz" in
    *G) bytes=$((${sz%G} * 1073741824)) ;;
    *M) bytes=$((${sz%M} * 1048576)) ;;
    *) bytes=$sz ;;
    esac
    if [ "$op" = plug ]; then
        want=$((base + nodes * bytes / 1024))
        set -- "vm0=$bytes"
        [ "$nodes" = 2 ] && set -- "$@" "vm1=$bytes"
    else
        want=$base
        set -- vm0=0
        [ "$nodes" = 2 ] && set -- "$@" vm1=0
    fi
    name=${op}_${sz}_${nodes}n
    c0=$(cpu_ticks)
    QMP_SEND_POLL_MS=$POLL_MS "$QMP_SEND" "$qmp" --resize "$RESIZE_TIMEOUT" "$@" > "$WORK/resize.out" 2>&1
    rc=$?
    t0=$(sed -n 's/^resize start \([0-9.]*\).*/\1/p' "$WORK/resize.out")
    if [ $rc != 0 ] || [ -z "$t0" ]; then
        echo "BENCH-NOTE round $round $vmm $name: $(tr '\r\n' '  ' < "$WORK/resize.out")"
        show_log
        return 1
    fi
    result "${name}_size_s" "$(sed -n 's/^resize done \([0-9.]*\).*/\1/p' "$WORK/resize.out")"
    # The guest prints its state on every change: wait for the one that
    # shows all of it.
    i=0
    while :; do
        t=$(stamp_of "$t0" "GUEST: mem total=$want ")
        [ -n "$t" ] && break
        i=$((i + 1))
        if [ $i -ge $((RESIZE_TIMEOUT * 5)) ] || ! kill -0 "$tspid" 2>/dev/null; then
            echo "BENCH-NOTE round $round $vmm $name: the guest never showed MemTotal $want kB; last: $(grep 'GUEST: mem' "$log" | tail -1)"
            show_log
            return 1
        fi
        sleep 0.2
    done
    result "${name}_guest_s" "$(sub "$t" "$t0")"
    result "${name}_cpu_s" "$(awk -v a="$c0" -v b="$(cpu_ticks)" \
        -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" \
        'BEGIN { printf "%.2f", (b - a) / hz }')"
    # Let the host side settle (discards, faults) before reading RSS.
    sleep 1
    result "rss_${name}_kb" "$(rss_kb)"
    return 0
}

run_vmm() {
    tries=0
    while ! boot; do
        tries=$((tries + 1))
        if [ $tries -ge 3 ]; then
            echo "BENCH-NOTE round $round $vmm: gave up after $tries boots"
            return
        fi
        echo "BENCH-NOTE round $round $vmm: retrying the boot"
    done
    result start_s "$(sub "$t_user" "$t_start")"
    # The guest's own clock at that point: what its kernel took, without
    # what the VMM did before the first instruction.
    result start_guest_uptime_s "$(sed -n 's/.*GUEST: userspace up=\([0-9.]*\).*/\1/p' "$log" | head -1)"
    sleep 2
    result rss_idle_kb "$(rss_kb)"
    for step in $(echo "$STEPS" | tr , ' '); do
        sz=${step%:*} nodes=${step#*:}
        resize plug "$sz" "$nodes" && resize unplug "$sz" "$nodes"
    done
    stop_vmm
}

echo "BENCH-CONFIG rounds=$ROUNDS steps=$STEPS backend=$BACKEND poll_ms=$POLL_MS" \
     "machine=$(machine_args | sed "s| -kernel.*||; s|unix:[^ ]*|unix:SOCK|")" \
     "append=$APPEND"
echo "BENCH-VERSION tide: $("$TIDE" -version 2>&1 | head -1)"
echo "BENCH-VERSION qemu: $("$QEMU" -version 2>&1 | head -1)"
round=1
while [ $round -le "$ROUNDS" ]; do
    # Alternate who goes first, so neither always runs on a fresher L1.
    if [ $((round % 2)) = 1 ]; then order="tide qemu"; else order="qemu tide"; fi
    for vmm in $order; do
        echo "BENCH-NOTE round $round: $vmm"
        run_vmm
    done
    round=$((round + 1))
done
echo "BENCH-END"
