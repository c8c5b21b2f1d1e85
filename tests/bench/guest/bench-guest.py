#!/usr/bin/env python3
# Benchmark: a real guest's virtio-mem plug/unplug times, VMM RSS and start, Tide vs QEMU (-accel kvm, nested if needed).
"""make bench's `guest`.

The same kernel, initrd, command line and machine (2 vCPUs, 2 NUMA nodes,
one 4 GiB virtio-mem-pci per node) on Tide and on QEMU, taking turns in one
run: directly on the host's /dev/kvm, or inside an L1 Linux under
`qemu-system-x86_64 -accel tcg -cpu max` (kvm-amd inside) when the host has
no usable KVM (tests/guest/mode.sh).  job.sh does the measuring where the
VMMs run; this script builds the images, runs the job, and reports medians
as Tide/QEMU ratios: a table on stdout, BUILD/bench/guest.dat (and the raw
samples in guest-raw.dat), and gnuplot charts BUILD/bench/guest-*.png.

usage: bench-guest.py BUILD_DIR SOURCE_DIR
env: BENCH_GUEST_ROUNDS (default 3), BENCH_GUEST_STEPS ("1G:1,4G:1,1G:2,4G:2"),
     BENCH_GUEST_BACKEND (ram|memfd), BENCH_GUEST_INIT_ON_ALLOC (0|1),
     BENCH_GUEST_POLL_MS (50: qmp-send's size polls; see job.sh),
     BENCH_GUEST_L1_MEM (10G), GUEST_MODE (direct|nested).
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROUNDS = int(os.environ.get("BENCH_GUEST_ROUNDS", "3"))
STEPS = os.environ.get("BENCH_GUEST_STEPS", "1G:1,4G:1,1G:2,4G:2")
BACKEND = os.environ.get("BENCH_GUEST_BACKEND", "ram")
INIT_ON_ALLOC = os.environ.get("BENCH_GUEST_INIT_ON_ALLOC", "0")
POLL_MS = os.environ.get("BENCH_GUEST_POLL_MS", "50")
L1_MEM = os.environ.get("BENCH_GUEST_L1_MEM", "10G")
# A 4 GiB two-node unplug prints nothing for a long while when the
# machine is busy; an L1 that says nothing for this long has hung.
L1_STALL = int(os.environ.get("BENCH_GUEST_L1_STALL", "600"))
L1_TIMEOUT = int(os.environ.get("BENCH_GUEST_L1_TIMEOUT", "3000"))
L1_RETRIES = 1

RESULT = re.compile(r"^BENCH (\d+) (tide|qemu) (\S+) (\S+)$")
PROGRESS = re.compile(r"^BENCH-NOTE round \d+: (tide|qemu)$")


def log(msg):
    print(msg, flush=True)


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def build(build_dir, src, out, nested):
    tools = os.path.join(out, "guest-tools")
    images = os.path.join(out, "guest-images")
    os.makedirs(tools, exist_ok=True)
    tslog = os.path.join(tools, "tslog")
    run(["gcc", "-O2", "-static", "-o", tslog,
         os.path.join(src, "tests/bench/guest/tslog.c")])
    job = os.path.join(tools, "job.sh")
    shutil.copy(os.path.join(src, "tests/bench/guest/job.sh"), job)
    env = dict(os.environ, GUEST_OUT=images, L1_EXTRA="%s %s" % (job, tslog))
    if nested:
        env["GUEST_WITH_QEMU"] = "1"
    run(["sh", os.path.join(src, "tests/guest/build-images.sh"), build_dir,
         src], env=env)
    return tools, images


def job_options(rounds):
    return {"rounds": str(rounds), "steps": STEPS, "backend": BACKEND,
            "init_on_alloc": INIT_ON_ALLOC, "poll_ms": POLL_MS}


def run_direct(build_dir, src, out, tools, images):
    qmp_send = os.path.join(tools, "qmp-send")
    run(["gcc", "-O2", "-o", qmp_send,
         os.path.join(src, "tests/guest/qmp-send.c")])
    env = dict(os.environ, TIDE=os.path.join(build_dir, "tide"),
               L2_KERNEL=os.path.join(images, "vmlinuz"),
               L2_INITRD=os.path.join(images, "l2-initrd.gz"),
               QMP_SEND=qmp_send, TSLOG=os.path.join(tools, "tslog"),
               WORK=os.path.join(out, "guest-work"))
    for k, v in job_options(ROUNDS).items():
        env[k.upper()] = v
    path = os.path.join(out, "guest-direct.log")
    with open(path, "w") as f:
        p = subprocess.Popen(["sh", os.path.join(tools, "job.sh")], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
        for line in p.stdout:
            f.write(line)
            f.flush()
            show(line)
        p.wait()
    return [open(path, errors="replace", newline="").read()]


def show(line):
    line = line.rstrip("\r\n")
    if line.startswith("BENCH"):
        log("  " + line)


def run_l1(out, images, rounds, attempt):
    """Boots L1 with the job; returns its console text (L1 stalls: killed)."""
    path = os.path.join(out, "guest-l1-%d.log" % attempt)
    opts = " ".join("tide_bench_%s=%s" % kv
                    for kv in job_options(rounds).items())
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max",
           "-m", L1_MEM, "-smp", "1",
           "-kernel", os.path.join(images, "vmlinuz"),
           "-initrd", os.path.join(images, "l1-initrd.gz"),
           "-append", "console=ttyS0 panic=-1 quiet tide_job=/extra/job.sh "
           + opts, "-nographic", "-no-reboot"]
    log("guest bench: L1 run %d: %s" % (attempt, " ".join(cmd)))
    with open(path, "w") as f:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f,
                             stderr=subprocess.STDOUT)
    start = last = time.time()
    size = shown = 0
    while p.poll() is None:
        time.sleep(2)
        text = open(path, errors="replace", newline="").read()
        if len(text) != size:
            size, last = len(text), time.time()
            lines = text.split("\n")
            for line in lines[shown:len(lines) - 1]:
                show(line)
            shown = len(lines) - 1
        if "L1-DONE" in text:
            time.sleep(3)
            break
        if time.time() - last > L1_STALL or time.time() - start > L1_TIMEOUT:
            log("guest bench: L1 stalled or timed out; killed")
            break
    if p.poll() is None:
        p.kill()
    p.wait()
    return open(path, errors="replace", newline="").read()


def parse(texts):
    """{(vmm, metric): [values]}, notes, config lines, rounds per vmm."""
    data, notes, config = {}, [], []
    rounds = {"tide": set(), "qemu": set()}
    for n, text in enumerate(texts):
        for line in text.replace("\r", "").split("\n"):
            line = re.sub(r"^.*?(?=BENCH)", "", line)
            m = RESULT.match(line)
            if m:
                rnd, vmm, metric, value = m.groups()
                try:
                    data.setdefault((vmm, metric), []).append(float(value))
                except ValueError:
                    continue
                if metric == "start_s":
                    rounds[vmm].add((n, rnd))
            elif line.startswith("BENCH-NOTE") and not PROGRESS.match(line):
                notes.append(line)
            elif line.startswith(("BENCH-CONFIG", "BENCH-VERSION")):
                if line not in config:
                    config.append(line)
    return data, notes, config, {k: len(v) for k, v in rounds.items()}


def steps():
    for step in STEPS.split(","):
        size, nodes = step.split(":")
        yield size, int(nodes)


def label(size, nodes):
    return "%s GiB x %d node%s" % (size.rstrip("G"), nodes,
                                   "s" if nodes > 1 else "")


def rows(data):
    """Table rows: (group, what, metric, unit scale)."""
    out = [("start", "VMM exec -> guest userspace (s)", "start_s", 1),
           ("start", "  guest uptime at userspace (s)",
            "start_guest_uptime_s", 1)]
    for op in ("plug", "unplug"):
        for size, nodes in steps():
            key = "%s_%s_%dn" % (op, size, nodes)
            out.append((op, "%s %s: size == requested (s)"
                        % (op, label(size, nodes)), key + "_size_s", 1))
            out.append((op, "%s %s: guest MemTotal (s)"
                        % (op, label(size, nodes)), key + "_guest_s", 1))
    for op in ("plug", "unplug"):
        for size, nodes in steps():
            out.append(("cpu", "main-thread CPU, %s %s (s)"
                        % (op, label(size, nodes)),
                        "%s_%s_%dn_cpu_s" % (op, size, nodes), 1))
    out.append(("rss", "RSS idle (MiB)", "rss_idle_kb", 1024))
    for op in ("plug", "unplug"):
        for size, nodes in steps():
            out.append(("rss", "RSS after %s %s (MiB)" % (op, label(size, nodes)),
                        "rss_%s_%s_%dn_kb" % (op, size, nodes), 1024))
    return out


def median(data, vmm, metric, scale):
    v = data.get((vmm, metric))
    return (statistics.median(v) / scale, len(v)) if v else (None, 0)


def fmt(x, digits=2):
    return "-" if x is None else "%.*f" % (digits, x)


def report(data, out):
    table = []
    for group, what, metric, scale in rows(data):
        t, nt = median(data, "tide", metric, scale)
        q, nq = median(data, "qemu", metric, scale)
        ratio = t / q if t is not None and q else None
        # Other work on the machine only ever adds time: the best round
        # of each is a second opinion when the medians are noisy.
        bt, bq = data.get(("tide", metric)), data.get(("qemu", metric))
        best = min(bt) / min(bq) if bt and bq and min(bq) else None
        table.append((group, what, metric, t, q, ratio, nt, nq, best))
    width = max(len(r[1]) for r in table)
    log("")
    log("%-*s %9s %9s %9s %9s  %s" % (width, "median of the rounds", "Tide",
                                      "QEMU", "Tide/QEMU", "best/best",
                                      "n"))
    last = None
    for group, what, metric, t, q, ratio, nt, nq, best in table:
        if group != last:
            log("-" * (width + 46))
            last = group
        digits = 1 if group == "rss" else 2 if group in ("start", "cpu") \
            else 3
        log("%-*s %9s %9s %9s %9s  %d/%d" % (width, what, fmt(t, digits),
                                             fmt(q, digits), fmt(ratio),
                                             fmt(best), nt, nq))
    with open(os.path.join(out, "guest.dat"), "w") as f:
        f.write("# metric tide_median qemu_median tide/qemu best_tide/best_qemu"
                " n_tide n_qemu (seconds; RSS in MiB)\n")
        for group, what, metric, t, q, ratio, nt, nq, best in table:
            f.write("%s %s %s %s %s %d %d\n" % (metric, fmt(t, 4), fmt(q, 4),
                                                fmt(ratio, 4), fmt(best, 4),
                                                nt, nq))
    with open(os.path.join(out, "guest-raw.dat"), "w") as f:
        f.write("# vmm metric samples...\n")
        for (vmm, metric), v in sorted(data.items()):
            f.write("%s %s %s\n" % (vmm, metric, " ".join("%g" % x for x in v)))
    return table


GNUPLOT_HEAD = """set terminal pngcairo size 1400,700 font "sans,10"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
set xtics rotate by -25 left
set bmargin 7
set rmargin 8
"""


def plots(table, out, subtitle):
    """guest-resize.png, guest-rss.png, guest-ratios.png; returns the paths."""
    if not shutil.which("gnuplot"):
        log("guest bench: no gnuplot (make deps installs it): no charts")
        return []
    pngs = []

    def write(name, lines):
        path = os.path.join(out, name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def q(s):
        return '"%s"' % s.replace('"', "'")

    resize = []
    for op in ("plug", "unplug"):
        for size, nodes in steps():
            key = "%s_%s_%dn" % (op, size, nodes)
            vals = {r[2]: r for r in table}
            s, g = vals[key + "_size_s"], vals[key + "_guest_s"]
            resize.append("%s %s %s %s %s" % (
                q("%s %s" % (op, label(size, nodes))), fmt(s[3], 4),
                fmt(s[4], 4), fmt(g[3], 4), fmt(g[4], 4)))
    d_resize = write("guest-resize.plotdat", resize)
    rss = ["%s %s %s" % (q(r[1].replace("RSS ", "").replace(" (MiB)", "")),
                         fmt(r[3], 1), fmt(r[4], 1))
           for r in table if r[0] == "rss"]
    d_rss = write("guest-rss.plotdat", rss)
    ratios = ["%s %s" % (q(r[1].strip().replace(" (s)", "")
                           .replace(" (MiB)", "")), fmt(r[5], 4))
              for r in table if r[5] is not None]
    d_ratio = write("guest-ratios.plotdat", ratios)
    script = GNUPLOT_HEAD + """
set datafile missing "-"
set output "{out}/guest-resize.png"
set title "virtio-mem resize on a real guest: seconds from qom-set (median; log scale)\\n{sub}"
set logscale y
set ylabel "seconds"
plot "{d_resize}" using 2:xtic(1) title "Tide: size == requested" lc rgb "#1f77b4", \\
     "" using 3 title "QEMU: size == requested" lc rgb "#ff7f0e", \\
     "" using 4 title "Tide: guest MemTotal" lc rgb "#aec7e8", \\
     "" using 5 title "QEMU: guest MemTotal" lc rgb "#ffbb78"
unset logscale y
set key outside top center horizontal
set output "{out}/guest-rss.png"
set title "VMM resident memory (VmRSS, median)\\n{sub}"
set ylabel "MiB"
set yrange [0:*]
plot "{d_rss}" using 2:xtic(1) title "Tide" lc rgb "#1f77b4", \\
     "" using 3 title "QEMU" lc rgb "#ff7f0e"
set terminal pngcairo size 1800,800 font "sans,10"
set rmargin 14
set output "{out}/guest-ratios.png"
set title "Tide / QEMU (below 1: Tide is faster or smaller)\\n{sub}"
set ylabel "ratio"
set yrange [0:*]
set offsets 0, 0, 0.12, 0
set key off
set bmargin 17
set xtics rotate by -50 left
set boxwidth 0.7
set xrange [-0.6:*]
plot "{d_ratio}" using 0:2:($2 > 1 ? 0xd62728 : 0x2ca02c):xtic(1) \
         with boxes lc rgb variable, \
     "" using 0:2:(sprintf("%.2f", $2)) with labels offset 0,0.7 font ",8", \
     1 with lines lw 1 dt 2 lc rgb "black"
""".format(out=out, sub=subtitle, d_resize=d_resize, d_rss=d_rss,
           d_ratio=d_ratio)
    path = write("guest.gnuplot", [script])
    r = subprocess.run(["gnuplot", path], capture_output=True, text=True)
    if r.returncode:
        log("guest bench: gnuplot failed: " + r.stderr.strip())
        return []
    for name in ("guest-resize.png", "guest-rss.png", "guest-ratios.png"):
        pngs.append(os.path.join(out, name))
    return pngs


def main():
    if len(sys.argv) != 3:
        print("usage: bench-guest.py BUILD_DIR SOURCE_DIR", file=sys.stderr)
        return 1
    build_dir, src = (os.path.abspath(a) for a in sys.argv[1:])
    out = os.path.join(build_dir, "bench")
    os.makedirs(out, exist_ok=True)
    t0 = time.time()
    why = subprocess.run(["sh", os.path.join(src, "tests/guest/mode.sh")],
                         capture_output=True, text=True)
    mode = why.stdout.strip()
    if mode not in ("direct", "nested"):
        log("guest bench: mode.sh failed: " + why.stderr)
        return 1
    if not shutil.which("qemu-system-x86_64"):
        log("guest bench: no qemu-system-x86_64: run 'make deps'")
        return 1
    nested = mode == "nested"
    where = ("nested: both VMMs inside an L1 Linux under qemu-system-x86_64"
             " -accel tcg -cpu max (kvm-amd), L1 -smp 1 -m %s; host: %s"
             % (L1_MEM, why.stderr.strip()) if nested
             else "direct on the host's /dev/kvm")
    log("guest bench: %s; %d round(s), steps %s, backend %s, "
        "guest init_on_alloc=%s" % (where, ROUNDS, STEPS, BACKEND,
                                    "default" if INIT_ON_ALLOC == "1"
                                    else "0"))
    tools, images = build(build_dir, src, out, nested)
    texts = []
    if nested:
        for attempt in range(1 + L1_RETRIES):
            data, _, _, done = parse(texts)
            left = ROUNDS - min(done["tide"], done["qemu"])
            if left <= 0:
                break
            texts.append(run_l1(out, images, left, attempt + 1))
    else:
        texts = run_direct(build_dir, src, out, tools, images)
    data, notes, config, done = parse(texts)
    elapsed = time.time() - t0
    log("")
    for line in config:
        log(line)
    for line in notes:
        log(line)
    log("guest bench: %d Tide and %d QEMU boot(s) measured (%s), %.0f s in all"
        % (done["tide"], done["qemu"], "nested" if nested else "direct",
           elapsed))
    if not done["tide"] or not done["qemu"]:
        log("guest bench: FAILED: no complete measurement of both VMMs; "
            "logs in %s" % out)
        return 1
    table = report(data, out)
    sub = "%s, %d+%d boots, backend %s, 2 vCPUs, 2 nodes" % (
        "nested KVM under TCG" if nested else "KVM",
        done["tide"], done["qemu"], BACKEND)
    for p in plots(table, out, sub):
        log("guest bench: wrote " + p)
    above = [r for r in table if r[5] is not None and r[5] > 1]
    for r in above:
        log("guest bench: Tide/QEMU above 1: %s %.2f" % (r[1], r[5]))
    log("guest bench: data in %s/guest.dat, raw samples in guest-raw.dat"
        % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
