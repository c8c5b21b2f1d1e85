#!/usr/bin/env python3
# Benchmark: time from exec to the QMP greeting and to QMP-ready, Tide vs QEMU paused.
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
TIDE = os.environ.get("TIDE_BINARY", "build/tide")
COMMON = ["-m", "2G,maxmem=34G", "-smp", "2",
          "-object", "memory-backend-ram,id=ram0,size=1G",
          "-numa", "node,nodeid=0,cpus=0,memdev=ram0",
          "-object", "memory-backend-ram,id=ram1,size=1G",
          "-numa", "node,nodeid=1,cpus=1,memdev=ram1",
          "-display", "none"]


def vmm_command(kind, sock):
    qmp = ["-qmp", "unix:%s,server=on,wait=off" % sock]
    if kind == "tide":
        return [TIDE, "-accel", "qtest"] + COMMON + qmp
    return ["qemu-system-x86_64", "-accel", "tcg", "-S", "-nodefaults"] + COMMON + qmp


def read_json_line(f):
    line = f.readline()
    if not line:
        raise RuntimeError("VMM closed the QMP connection")
    return line


def one_run(kind):
    """Returns (ms to greeting, ms to qmp_capabilities answered, VmRSS kB)."""
    with tempfile.TemporaryDirectory() as d:
        sock = os.path.join(d, "qmp.sock")
        t0 = time.perf_counter()
        proc = subprocess.Popen(vmm_command(kind, sock),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            s = socket.socket(socket.AF_UNIX)
            while True:
                try:
                    s.connect(sock)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if proc.poll() is not None:
                        raise RuntimeError(proc.stderr.read().decode())
                    if time.perf_counter() - t0 > 10:
                        raise RuntimeError("no QMP socket after 10 s")
                    time.sleep(0.0005)
            f = s.makefile("rb")
            read_json_line(f)
            t_greet = time.perf_counter()
            s.sendall(b'{"execute": "qmp_capabilities"}\n')
            read_json_line(f)
            t_ready = time.perf_counter()
            with open("/proc/%d/status" % proc.pid) as st:
                rss = next(int(l.split()[1]) for l in st if l.startswith("VmRSS"))
            s.sendall(b'{"execute": "quit"}\n')
            s.close()
            proc.wait(timeout=10)
            return (t_greet - t0) * 1000, (t_ready - t0) * 1000, rss
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def summarize(kind):
    runs = [one_run(kind) for _ in range(RUNS)]
    greet = statistics.median(r[0] for r in runs)
    ready = statistics.median(r[1] for r in runs)
    rss = statistics.median(r[2] for r in runs)
    return greet, ready, rss, min(r[1] for r in runs), max(r[1] for r in runs)


def main():
    results = {k: summarize(k) for k in ("tide", "qemu")}
    print("start-up, %d runs each (2 NUMA nodes, 2x1G RAM backends, QMP on a unix socket)" % RUNS)
    print("%-6s %14s %22s %14s" % ("vmm", "greeting ms", "ready ms (min/med/max)", "VmRSS kB"))
    for k, (greet, ready, rss, lo, hi) in results.items():
        print("%-6s %14.1f %8.1f/%5.1f/%6.1f %14d" % (k, greet, lo, ready, hi, rss))
    t, q = results["tide"], results["qemu"]
    print("ratio tide/qemu: greeting %.3f, ready %.3f, VmRSS %.3f" %
          (t[0] / q[0], t[1] / q[1], t[2] / q[2]))
    # The promise (docs/system/promises.md): Tide is QMP-ready in at most
    # half the time QEMU takes paused, with at most half its RSS.
    ok = t[1] / q[1] <= 0.5 and t[2] / q[2] <= 0.5
    print("promise (ready and RSS ratios <= 0.5): %s" % ("kept" if ok else "BROKEN"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
