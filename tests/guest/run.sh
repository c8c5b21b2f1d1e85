#!/bin/sh
# make check-guest: boots real Linux guests on Tide, directly on /dev/kvm or nested in an L1 VM under TCG.
# usage: run.sh BUILD_DIR SOURCE_DIR [SCENARIO...]
# Prints one line per scenario and a closing "N passed, N failed" line;
# exits 1 if any scenario failed.  Logs: BUILD_DIR/guest/*.log.
set -u
B=$(cd "$1" && pwd)
S=$(cd "$2" && pwd)
shift 2
[ $# -gt 0 ] || set -- boot numa rng virtio-mem virtio-mem-numa virtio-mem-movable \
    virtio-mem-kernel reset reboot panic
OUT=$B/guest
L1_STALL=${L1_STALL:-150}
L1_TIMEOUT=${L1_TIMEOUT:-900}
RETRIES=${GUEST_RETRIES:-2}
t0=$(date +%s)

sh "$S/tests/guest/build-images.sh" "$B" "$S" || exit 1
results=$OUT/results.txt
: > "$results"

# Runs the scenarios named in $@ once; appends SCENARIO lines to $results.
run_direct() {
    QMP_SEND=$OUT/qmp-send sh "$S/tests/guest/scenarios.sh" "$B/tide" \
        "$OUT/vmlinuz" "$OUT/l2-initrd.gz" "$OUT/work" "$@" |
        tee "$OUT/direct.log" | grep --line-buffered -v '^L2| \|^QMP| '
    grep '^SCENARIO ' "$OUT/direct.log" >> "$results"
}

run_nested() {
    log=$OUT/l1-$attempt.log
    list=$(echo "$@" | tr ' ' ,)
    qemu-system-x86_64 -accel tcg -cpu max -m 2G -smp 1 \
        -kernel "$OUT/vmlinuz" -initrd "$OUT/l1-initrd.gz" \
        -append "console=ttyS0 panic=-1 quiet tide_scenarios=$list" \
        -nographic -no-reboot < /dev/null > "$log" 2>&1 &
    qpid=$!
    start=$(date +%s)
    last=$start
    size=0
    while kill -0 $qpid 2>/dev/null; do
        sleep 2
        now=$(date +%s)
        n=$(wc -c < "$log")
        if [ "$n" != "$size" ]; then
            size=$n
            last=$now
        fi
        if grep -q '^L1-DONE' "$log"; then
            sleep 3
            break
        fi
        if [ $((now - last)) -ge "$L1_STALL" ] ||
           [ $((now - start)) -ge "$L1_TIMEOUT" ]; then
            echo "check-guest: L1 VM stalled or timed out (attempt $attempt); killed"
            break
        fi
    done
    kill $qpid 2>/dev/null
    wait $qpid 2>/dev/null
    tr -d '\r' < "$log" | grep -E '^SCENARIO' >> "$results"
    tr -d '\r' < "$log" | grep -E '^SCENARIO' | grep -v '^SCENARIO-NOTE'
}

mode=$(sh "$S/tests/guest/mode.sh" 2> "$OUT/mode-why") || exit 1
if [ "$mode" = direct ]; then
    gcc -O2 -o "$OUT/qmp-send" "$S/tests/guest/qmp-send.c" || exit 1
else
    mode="nested (L1: qemu-system-x86_64 -accel tcg -cpu max, kvm-amd inside; $(cat "$OUT/mode-why"))"
    if ! command -v qemu-system-x86_64 >/dev/null; then
        echo "check-guest: no usable /dev/kvm and no qemu-system-x86_64: run 'make deps'"
        exit 1
    fi
fi
echo "check-guest: mode $mode"

pending="$*"
attempt=0
while [ -n "$pending" ] && [ $attempt -le "$RETRIES" ]; do
    attempt=$((attempt + 1))
    if [ "$mode" = direct ]; then
        run_direct $pending
    else
        run_nested $pending
    fi
    # Retry what has no verdict or failed on a stall/timeout (nested runs
    # stall now and then: shared/reference/nested-kvm.md).
    again=
    for s in $pending; do
        line=$(grep "^SCENARIO $s: " "$results" | tail -1)
        case "$line" in
        *PASS*) ;;
        ""|*stall*|*timeout*) again="$again $s" ;;
        esac
    done
    if [ -n "$again" ] && [ $attempt -le "$RETRIES" ]; then
        echo "check-guest: retrying:$again"
    fi
    pending=$(echo $again)
done

passed=0 failed=0
for s in "$@"; do
    line=$(grep "^SCENARIO $s: " "$results" | tail -1)
    case "$line" in
    *": PASS"*) passed=$((passed + 1)) ;;
    *) failed=$((failed + 1))
       [ -n "$line" ] || echo "SCENARIO $s: FAIL no result (see $OUT/*.log)" ;;
    esac
done
echo "check-guest: $attempt run(s), $(($(date +%s) - t0)) s in total, mode $mode"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
