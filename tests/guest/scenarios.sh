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
    # Set by wait_for on a stall or timeout; FAIL lines carry it, so that
    # run.sh retries what a nested stall broke.
    wait_note=
    t_start=$(now)
    ${VMM:-$TIDE} -accel kvm ${VMM_ARGS:-} -kernel "$KERNEL" -initrd "$INITRD" \
        -nographic -no-reboot "$@" < "$WORK/stdin" > "$log" 2>&1 &
    pid=$!
    shown=0
}

# Echo new log lines; waits until pattern shows up (after line $wait_from
# of the log), Tide exits, or time runs out.  Returns 0 when the pattern
# was seen.
wait_from=0
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
        if tail -n +"$((wait_from + 1))" "$log" | grep -q "$pattern"; then
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
            wait_note="timeout after ${TIMEOUT}s"
            echo "SCENARIO-NOTE: $wait_note"
            return 2
        fi
        if [ "$(elapsed "$last_growth" "$_wt" | cut -d. -f1)" -ge "$STALL" ]; then
            wait_note="stall: no console output for ${STALL}s"
            echo "SCENARIO-NOTE: $wait_note"
            return 2
        fi
        sleep 0.2
    done
}

# Waits for Tide to exit (killing it on timeout); sets $rc.
finish_tide() {
    # Its wait ends on a stall or timeout when Tide does not exit: that is
    # not the scenario's wait, so it leaves wait_note as it was.
    _note=$wait_note
    wait_for "@@never@@"
    wait_note=$_note
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
        echo "SCENARIO boot: FAIL guest did not reach userspace (tide rc=$rc)${wait_note:+ ($wait_note)}"
        return
    fi
    t_user=$(elapsed "$t_start" "$(now)")
    finish_tide
    cpus=$(sed -n 's/.*GUEST: userspace.* cpus=\([0-9]*\).*/\1/p' "$log")
    if [ "$rc" = 0 ] && [ "$cpus" = 2 ] && grep -q "GUEST: done" "$log"; then
        echo "SCENARIO boot: PASS userspace after ${t_user}s, 2 CPUs, poweroff -> exit 0"
    else
        echo "SCENARIO boot: FAIL tide rc=$rc cpus=$cpus${wait_note:+ ($wait_note)}"
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
        verdict="FAIL guest driver not ready${wait_note:+ ($wait_note)}"
        return
    fi
    before=$(sed -n 's/.*GUEST: virtio-mem ready memtotal=\([0-9]*\).*/\1/p' "$log")
    plugged=$((before + 131072))
    t=$(now)
    qom_set_size "$dev" 134217728
    if ! wait_for "GUEST: memtotal now $plugged;"; then
        verdict="FAIL MemTotal did not grow by 128 MiB: $(grep 'memtotal now' "$log" | tail -1)${wait_note:+ ($wait_note)}"
        return
    fi
    t_plug=$(elapsed "$t" "$(now)")
    node_kb=$(grep "GUEST: memtotal now $plugged;" "$log" | sed -n "s/.* $node=\([0-9]*\).*/\1/p")
    t=$(now)
    qom_set_size "$dev" 0
    if ! wait_for "GUEST: memtotal now $before;"; then
        verdict="FAIL MemTotal did not shrink back: $(grep 'memtotal now' "$log" | tail -1)${wait_note:+ ($wait_note)}"
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
            verdict="FAIL node 1 went ${n1_plugged:-?} -> ${n1_back:-?} kB, not by 128 MiB ($verdict)${wait_note:+ ($wait_note)}"
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
        echo "SCENARIO numa: FAIL rc=$rc $(grep 'GUEST: node' "$log" | tr '\n' ' ')${wait_note:+ ($wait_note)}"
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
        echo "SCENARIO rng: FAIL rc=$rc $(grep 'GUEST: hwrng\|insmod' "$log" | tr '\n' ' ')${wait_note:+ ($wait_note)}"
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
        echo "SCENARIO reset: FAIL guest did not come up (tide rc=$rc)${wait_note:+ ($wait_note)}"
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
        echo "SCENARIO reset: FAIL rebooted=$ok alive $before/$after rc=$rc${wait_note:+ ($wait_note)}"
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
        echo "SCENARIO reboot: FAIL rc=$rc exited=$exited${wait_note:+ ($wait_note)}"
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
        echo "SCENARIO panic: FAIL rc=$rc panic=$(grep -c 'Kernel panic' "$log")${wait_note:+ ($wait_note)}"
    fi
}

# ---- elastic memory with a real driver: two nodes, a device on each --------
# The guest runs l2-init's "vmem" branch: it answers "TAG CMD ARGS" lines
# written on its console (Tide's stdin, fd 3 here) with "GUEST: #TAG ...".

MiB=1048576
KiB_PER_MiB=1024
VMEM_TIMEOUT=${SCENARIO_TIMEOUT:-420}
tag=0

# DESIGN.md's shape, small: two nodes of 256 MiB boot memory with a CPU
# each, and one 1 GiB virtio-mem-pci per node, vm0 on a memfd, vm1 on
# anonymous memory.  $1 names the log, $2 the onlining policy, $3 and $4
# are more vm0 and vm1 options; the rest goes to Tide.
start_vmem() {
    _name=$1 _online=$2 _dev0=$3 _dev1=$4
    shift 4
    qmp=$WORK/qmp.sock
    rm -f "$qmp" "$WORK/qmp.out"
    TIMEOUT=$VMEM_TIMEOUT
    wait_from=0
    why=
    wait_note=
    start_tide "$_name" -m 512M,maxmem=2560M -smp 2 \
        -object memory-backend-ram,id=ram0,size=256M \
        -numa node,nodeid=0,cpus=0,memdev=ram0 \
        -object memory-backend-ram,id=ram1,size=256M \
        -numa node,nodeid=1,cpus=1,memdev=ram1 \
        -object memory-backend-memfd,id=mem0,size=1G \
        -device "virtio-mem-pci,id=vm0,memdev=mem0,node=0,requested-size=0$_dev0" \
        -object memory-backend-ram,id=mem1,size=1G \
        -device "virtio-mem-pci,id=vm1,memdev=mem1,node=1,requested-size=0$_dev1" \
        -qmp "unix:$qmp,server=on,wait=off" "$@" \
        -append "console=ttyS0 panic=-1 $QUIET memhp_default_state=$_online scenario=vmem"
}

# Waits for the guest's "vmem ready" (after line $wait_from: a reboot's);
# sets $b0 and $b1, each node's MemTotal (kB) before virtio_mem loaded.
vmem_ready() {
    wait_for "GUEST: vmem ready" || return 1
    _base=$(tail -n +"$((wait_from + 1))" "$log" | grep 'GUEST: vmem base' |
            tail -1 | tr -d '\r')
    b0=$(echo "$_base" | sed -n 's/.* node0=\([0-9]*\).*/\1/p')
    b1=$(echo "$_base" | sed -n 's/.* node1=\([0-9]*\).*/\1/p')
    [ -n "$b0" ] && [ -n "$b1" ]
}

# Sends one command to the guest and waits for its answer, left in $reply.
guest() {
    tag=$((tag + 1))
    printf '%s %s\n' "$tag" "$*" >&3
    reply=
    wait_for "GUEST: #$tag " || return 1
    reply=$(grep "GUEST: #$tag " "$log" | tail -1 | tr -d '\r' |
            sed 's/.*GUEST: #[0-9]* //')
}

# Waits until the guest's node 0 and node 1 MemTotal are $1 and $2 kB.
guest_nodes() {
    guest wait "$1" "$2" 60 && case "$reply" in reached*) ;; *) false ;; esac
}

# The answer of one QMP command (its "return" line).
qmp_return() {
    "$QMP_SEND" "$qmp" "$1" 2>&1 | tee -a "$WORK/qmp.out" | grep '"return"' |
        tail -1
}

# qom-get of a number: qom_get ID PROPERTY.
qom_get() {
    qmp_return "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/machine/peripheral/$1\",\"property\":\"$2\"}}" |
        sed -n 's/.*"return": \([0-9]*\).*/\1/p'
}

# A device's member in a query-memory-devices or query-memory-manager
# answer: field JSON ID MEMBER.
field() {
    echo "$1" | sed 's/"id": /\n&/g' | grep "\"id\": \"$2\"" |
        sed -n "s/.*\"$3\": \([0-9a-z]*\).*/\1/p"
}

# qmp-send --resize: sets requested-size of devices (ID=BYTES...) and
# waits until each size gets there; $resize_out has its report.
resize() {
    # Polling less often leaves L1's one CPU to the guest.
    resize_out=$(QMP_SEND_POLL_MS=20 "$QMP_SEND" "$qmp" --resize 120 "$@" 2>&1)
    _rc=$?
    echo "$resize_out" | tee -a "$WORK/qmp.out" | sed "s/^/QMP| $* /"
    return $_rc
}
reached() { echo "$resize_out" | sed -n "s/^reached $1 [0-9]* \([0-9.]*\).*/\1/p"; }
# MEMORY_DEVICE_SIZE_CHANGE events for device $1 during the last resize.
events() { echo "$resize_out" | grep -c "^event $1 "; }

# Tide's resident memory, kB, from its /proc (the process runs here).
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
mb() { echo $(($1 / 1024)); }

# Quits Tide and prints the scenario's line: vmem_end NAME STEPS_RC.
vmem_end() {
    "$QMP_SEND" "$qmp" '{"execute":"quit"}' >> "$WORK/qmp.out" 2>&1
    finish_tide
    TIMEOUT=${SCENARIO_TIMEOUT:-240}
    wait_from=0
    if [ "$2" = 0 ] && [ "$rc" = 0 ]; then
        echo "SCENARIO $1: PASS$out"
    else
        # A stall or timeout is named, so run.sh retries the scenario.
        echo "SCENARIO $1: FAIL ${why:-tide exit $rc}${wait_note:+ ($wait_note)}; so far:$out"
    fi
}

# online_movable, vm0 with prealloc=on (on its memfd), vm1 with 4M
# blocks, unplugged-inaccessible=on on both: the guest's driver accepts
# it; growing node 0 grows its MemTotal by exactly that (size, event) and
# prealloc backs it before the guest touches it; both nodes at once; a
# shrink gives Tide's memory back to the host; a checksummed file on node
# 0 stays intact across resizes of node 1 and of node 0.  Sizes are
# small: a nested guest writes ~10-40 MiB/s and first touches are slow.
vmem_movable_steps() {
    vmem_ready || { why="guest not ready"; return 1; }
    out=" base node0=${b0} node1=${b1} kB;"
    d0=$(grep 'GUEST: vmem dev .* nid=0 ' "$log" | tail -1 | tr -d '\r')
    d1=$(grep 'GUEST: vmem dev .* nid=1 ' "$log" | tail -1 | tr -d '\r')
    case "$d0" in *block=0x200000*unplugged_inaccessible=1*) ;;
    *) why="vm0 (node 0) as the guest sees it: '$d0'"; return 1 ;; esac
    case "$d1" in *block=0x400000*unplugged_inaccessible=1*) ;;
    *) why="vm1 (node 1) as the guest sees it: '$d1'"; return 1 ;; esac
    [ "$(qom_get vm1 block-size)" = $((4 * MiB)) ] ||
        { why="vm1 block-size $(qom_get vm1 block-size)"; return 1; }
    err=$("$QMP_SEND" "$qmp" '{"execute":"qom-set","arguments":{"path":"vm1","property":"requested-size","value":6291456}}' 2>&1 | tail -1)
    case "$err" in *"multiples of 'block-size' (0x400000)"*) ;;
    *) why="6M on 4M blocks: $err"; return 1 ;; esac
    out="$out the driver accepted UNPLUGGED_INACCESSIBLE on both devices and uses 2M (nid 0) and 4M (nid 1) blocks;"

    r0=$(rss)
    resize vm0=$((128 * MiB)) || { why="vm0 0 -> 128M: $resize_out"; return 1; }
    r1=$(rss)
    [ "$(events vm0)" -ge 1 ] ||
        { why="no MEMORY_DEVICE_SIZE_CHANGE for vm0: $resize_out"; return 1; }
    guest_nodes $((b0 + 128 * KiB_PER_MiB)) "$b1" ||
        { why="node0 MemTotal not +131072 kB: $reply"; return 1; }
    [ $((r1 - r0)) -ge $((128 * KiB_PER_MiB * 9 / 10)) ] ||
        { why="prealloc=on: RSS grew only $(mb $((r1 - r0))) MiB on a 128M plug ($(mb "$r0") -> $(mb "$r1"))"; return 1; }
    out="$out vm0 0 -> 128M: size in $(reached vm0)s, $(events vm0) MEMORY_DEVICE_SIZE_CHANGE, node0 +131072 kB $(echo "$reply" | cut -d' ' -f1-3), prealloc: RSS $(mb "$r0") -> $(mb "$r1") MiB before the guest touched it;"

    # MEMORY_DEVICE_SIZE_CHANGE is rate-limited to one a second per
    # device (as QEMU's); the first change after a quiet second is sent
    # at once, and qmp-send leaves as soon as the sizes are there.
    sleep 1.1
    r1=$(rss)
    resize vm0=$((192 * MiB)) vm1=$((128 * MiB)) ||
        { why="both at once: $resize_out"; return 1; }
    r2=$(rss)
    [ "$(events vm0)" -ge 1 ] && [ "$(events vm1)" -ge 1 ] ||
        { why="not an event for each device: $resize_out"; return 1; }
    guest_nodes $((b0 + 192 * KiB_PER_MiB)) $((b1 + 128 * KiB_PER_MiB)) ||
        { why="nodes not at +192M/+128M: $reply"; return 1; }
    out="$out vm0 -> 192M and vm1 -> 128M at once: sizes in $(reached vm0)s/$(reached vm1)s, $(events vm0)+$(events vm1) events, both nodes exact $(echo "$reply" | cut -d' ' -f1-3), RSS $(mb "$r1") -> $(mb "$r2") MiB (+64M prealloc, vm1 not yet touched);"

    guest fill 0 data 8 urandom || { why="fill: $reply"; return 1; }
    sum=$(echo "$reply" | sed -n 's/.* md5=\([0-9a-f]*\).*/\1/p')
    [ -n "$sum" ] || { why="no checksum: $reply"; return 1; }
    # Movable allocations take ZONE_MOVABLE (the plugged memory) first:
    # this touches all of vm1's; freed in the guest, the host still holds
    # it until the unplug gives it back.
    guest fill 1 touch1 136 zero || { why="fill: $reply"; return 1; }
    fill1=$(echo "$reply" | cut -d' ' -f3-5)
    guest rm touch1 || { why="rm: $reply"; return 1; }
    # From here on node 0 is busy: a busybox copied there runs (its code
    # in plugged memory) checksumming the file over and over, while node
    # 1 and then node 0 itself shrink.
    guest churn 0 data || { why="churn: $reply"; return 1; }
    r3=$(rss)
    resize vm1=0 || { why="vm1 128M -> 0: $resize_out"; return 1; }
    r4=$(rss)
    [ "$(events vm1)" -ge 1 ] ||
        { why="no MEMORY_DEVICE_SIZE_CHANGE for vm1's unplug: $resize_out"; return 1; }
    guest_nodes $((b0 + 192 * KiB_PER_MiB)) "$b1" ||
        { why="node1 MemTotal not back: $reply"; return 1; }
    [ $((r3 - r4)) -ge $((128 * KiB_PER_MiB * 9 / 10)) ] ||
        { why="RSS fell only $(mb $((r3 - r4))) MiB of 128 unplugged from vm1 ($(mb "$r3") -> $(mb "$r4") MiB)"; return 1; }
    out="$out guest wrote 136M on node 1 ($fill1) and freed it, vm1 128M -> 0 in $(reached vm1)s: Tide RSS $(mb "$r3") -> $(mb "$r4") MiB ($(( (r3 - r4) * 100 / (128 * KiB_PER_MiB) ))% of the unplug), node1 back to base;"

    # vm0's blocks were backed by prealloc: its shrink shows on RSS too.
    resize vm0=$((160 * MiB)) || { why="vm0 192M -> 160M: $resize_out"; return 1; }
    r5=$(rss)
    guest_nodes $((b0 + 160 * KiB_PER_MiB)) "$b1" ||
        { why="node0 MemTotal not at +160M: $reply"; return 1; }
    [ $((r4 - r5)) -ge $((32 * KiB_PER_MiB * 9 / 10)) ] ||
        { why="RSS fell only $(mb $((r4 - r5))) MiB of 32 unplugged from vm0 ($(mb "$r4") -> $(mb "$r5") MiB)"; return 1; }
    # Twice more, both ways: every plug merges with plugged neighbours and
    # every unplug splits a run, under the running code.
    for round in 1 2; do
        resize vm0=$((192 * MiB)) && resize vm0=$((160 * MiB)) ||
            { why="vm0 160M <-> 192M, round $round: $resize_out"; return 1; }
    done
    guest churned 0 || { why="churned: $reply"; return 1; }
    case "$reply" in *cpu0=[1-9]*/0) ;;
    *) why="checksums on node 0 while resizing: $reply (rounds/mismatches; $(grep -c 'Illegal instruction' "$log") 'Illegal instruction' in the guest)"; return 1 ;; esac
    churn=${reply#churned cpu0=}
    guest check data || { why="check: $reply"; return 1; }
    [ "$reply" = "md5=$sum" ] ||
        { why="node 0's file changed across vm0's unplug: $sum -> $reply"; return 1; }
    out="$out vm0 192M -> 160M in $(reached vm0)s: RSS $(mb "$r4") -> $(mb "$r5") MiB, node0 at +163840 kB; then twice 160M <-> 192M; meanwhile code in node 0's plugged memory checksummed the file ${churn%/*} times, ${churn#*/} mismatches (no SIGILL), and it is still intact"
}

scenario_virtio_mem_movable() {
    start_vmem virtio-mem-movable online_movable \
        ",prealloc=on,unplugged-inaccessible=on" \
        ",block-size=4M,unplugged-inaccessible=on"
    out=
    vmem_movable_steps
    vmem_end virtio-mem-movable $?
}

# Waits (at most $1 s) until every ID=BYTES device's size is BYTES,
# leaving requested-size alone.
wait_sizes() {
    _lim=$1
    shift
    _t=$(now)
    while :; do
        _ok=1
        for _s in "$@"; do
            [ "$(qom_get "${_s%=*}" size)" = "${_s#*=}" ] || _ok=0
        done
        [ $_ok = 1 ] && return 0
        [ "$(elapsed "$_t" "$(now)" | cut -d. -f1)" -lt "$_lim" ] || return 1
        sleep 0.5
    done
}

# HMP "info memory-devices" as text, one line per line.
hmp_memory_devices() {
    qmp_return '{"execute":"human-monitor-command","arguments":{"command-line":"info memory-devices"}}' |
        sed 's/\\r\\n/\n/g'
}

# online_kernel: what the kernel allocates in plugged memory cannot be
# given back.  Grow node 0, put kernel objects there, ask for all of it
# back: size stops above requested-size, the guest and Tide carry on, and
# every report says so.  Then system_reset unplugs everything at once
# (size 0 before the guest runs again) and the rebooted guest plugs
# requested-size by itself.
vmem_kernel_steps() {
    vmem_ready || { why="guest not ready"; return 1; }
    out=" base node0=${b0} node1=${b1} kB;"
    resize vm0=$((64 * MiB)) || { why="vm0 0 -> 64M: $resize_out"; return 1; }
    guest_nodes $((b0 + 64 * KiB_PER_MiB)) "$b1" ||
        { why="node0 MemTotal not +65536 kB: $reply"; return 1; }
    out="$out vm0 0 -> 64M (online_kernel): size in $(reached vm0)s, node0 +65536 kB;"

    # Node 0's only ZONE_NORMAL is vm0's memory: kernel allocations made
    # on CPU 0 (inodes, dentries) land there, unmovable.
    guest files 0 10000 || { why="files: $reply"; return 1; }
    files="$(echo "$reply" | cut -d' ' -f2) files made on CPU 0 ($(echo "$reply" | cut -d' ' -f3- | sed 's/ *$//'))"
    qmp_return '{"execute":"qom-set","arguments":{"path":"vm0","property":"requested-size","value":0}}' |
        grep -q '"return": {}' || { why="qom-set vm0 requested-size 0 refused"; return 1; }
    # The driver gives back what it can, then waits (50 s and more) for
    # a retry: wait until size has not moved for 8 s.
    t=$(now)
    last=x still=0
    while [ $still -lt 16 ]; do
        sz=$(qom_get vm0 size)
        if [ "$sz" = "$last" ]; then still=$((still + 1)); else still=0; last=$sz; fi
        [ "$sz" != 0 ] || break
        [ "$(elapsed "$t" "$(now)" | cut -d. -f1)" -lt 150 ] ||
            { why="vm0's size still moving after 150 s: $sz"; return 1; }
        sleep 0.5
    done
    t_settle=$(elapsed "$t" "$(now)")
    [ "$sz" -gt 0 ] 2>/dev/null ||
        { why="the guest gave all 64M back (nothing held it: $files)"; return 1; }
    out="$out $files; requested-size 0: size stopped at $((sz / MiB))M after ${t_settle}s;"

    # Nothing broke: the guest answers and agrees with the device.
    guest alive || { why="guest does not answer"; return 1; }
    n0=$(echo "$reply" | sed -n 's/.* node0=\([0-9]*\).*/\1/p')
    [ "$n0" = $((b0 + sz / 1024)) ] ||
        { why="guest node0 MemTotal $n0 kB, but vm0 has $sz bytes plugged (base $b0 kB)"; return 1; }
    t=$(now)
    devs=$(qmp_return '{"execute":"query-memory-devices"}')
    t_q=$(elapsed "$t" "$(now)")
    [ "$(field "$devs" vm0 size)" = "$sz" ] && [ "$(field "$devs" vm0 requested-size)" = 0 ] ||
        { why="query-memory-devices says otherwise: $devs"; return 1; }
    hmp_memory_devices | grep -A5 '"vm0' | grep -q "^  size: $sz\$" &&
        hmp_memory_devices | grep -A5 '"vm0' | grep -q "^  requested-size: 0\$" ||
        { why="info memory-devices says otherwise: $(hmp_memory_devices | tr '\n' ' ')"; return 1; }
    # The memory manager (-memory-manager stuck-timeout=3) calls it stuck:
    # no other node has anything to give.
    t=$(now)
    while :; do
        mm=$(qmp_return '{"execute":"query-memory-manager"}')
        case "$mm" in *'"state": "stuck"'*) break ;; esac
        [ "$(elapsed "$t" "$(now)" | cut -d. -f1)" -lt 15 ] ||
            { why="query-memory-manager does not say stuck: $mm"; return 1; }
        sleep 0.5
    done
    [ "$(field "$mm" vm0 stuck)" = true ] ||
        { why="query-memory-manager: vm0 not stuck: $mm"; return 1; }
    # Its actual is boot memory plus what is really plugged.
    actual=$(echo "$mm" | sed -n 's/.*"actual": \([0-9]*\), "state".*/\1/p')
    [ "$actual" = $((512 * MiB + sz)) ] ||
        { why="query-memory-manager: actual $actual, not 512M + $sz: $mm"; return 1; }
    out="$out guest alive with node0 = base + size exactly; query-memory-devices (${t_q}s) and info memory-devices: requested-size 0, size $sz; query-memory-manager: stuck, vm0 stuck, actual 512M + size;"

    # The driver is not broken (an ERROR answer would have stopped it
    # too): asked for 16M more than it holds, it plugs them.
    want0=$((sz + 16 * MiB))
    resize vm0=$want0 || { why="vm0 stuck at $sz, then asked for 16M more: $resize_out"; return 1; }
    guest_nodes $((b0 + want0 / 1024)) "$b1" ||
        { why="node0 MemTotal not at +$((want0 / MiB))M: $reply"; return 1; }
    out="$out asked for $((want0 / MiB))M then, it plugged them in $(reached vm0)s;"

    # Something plugged on node 1 too, then a system reset.
    resize vm1=$((96 * MiB)) || { why="vm1 0 -> 96M: $resize_out"; return 1; }
    r1=$(rss)
    wait_from=$(wc -l < "$log")
    qmp_return '{"execute":"system_reset"}' | grep -q '"return": {}' ||
        { why="system_reset refused"; return 1; }
    devs=$(qmp_return '{"execute":"query-memory-devices"}')
    r2=$(rss)
    [ "$(field "$devs" vm0 size)" = 0 ] && [ "$(field "$devs" vm1 size)" = 0 ] ||
        { why="after system_reset: $devs"; return 1; }
    [ "$(field "$devs" vm0 requested-size)" = $want0 ] &&
        [ "$(field "$devs" vm1 requested-size)" = $((96 * MiB)) ] ||
        { why="system_reset changed requested-size (vm0 $((want0 / MiB))M and vm1 96M before): $devs"; return 1; }
    out="$out system_reset: sizes 0/0 at once (requested $((want0 / MiB))M/96M kept), Tide RSS $(mb "$r1") -> $(mb "$r2") MiB;"
    t=$(now)
    vmem_ready || { why="guest did not come back after system_reset"; return 1; }
    wait_sizes 60 vm0=$want0 vm1=$((96 * MiB)) ||
        { why="after the reboot: vm0 $(qom_get vm0 size), vm1 $(qom_get vm1 size)"; return 1; }
    guest_nodes $((b0 + want0 / 1024)) $((b1 + 96 * KiB_PER_MiB)) ||
        { why="after the reboot the guest has $reply (base $b0/$b1)"; return 1; }
    out="$out the guest booted again and plugged both by itself ($(elapsed "$t" "$(now)")s after the reset): nodes = base + $((want0 / MiB))M/96M exactly"
}

scenario_virtio_mem_kernel() {
    start_vmem virtio-mem-kernel online_kernel "" "" \
        -memory-manager stuck-timeout=3
    out=
    vmem_kernel_steps
    vmem_end virtio-mem-kernel $?
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

[ $# -gt 0 ] || set -- boot numa rng virtio-mem virtio-mem-numa virtio-mem-movable \
    virtio-mem-kernel reset reboot panic
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
    virtio-mem-movable) scenario_virtio_mem_movable ;;
    virtio-mem-kernel) scenario_virtio_mem_kernel ;;
    panic) scenario_panic ;;
    *) echo "SCENARIO $s: FAIL unknown scenario" ;;
    esac
done
