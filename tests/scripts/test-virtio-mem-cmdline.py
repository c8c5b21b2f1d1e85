#!/usr/bin/env python3
# virtio-mem command lines on Tide and on QEMU 7.2 (paused): the same ones start, the same ones fail with the same message.
import os
import subprocess
import sys
import tempfile

TIDE = os.environ["TIDE_BINARY"]
BASE = ("-m 2G,maxmem=10G -smp 2 "
        "-object memory-backend-ram,id=ram0,size=1G -numa node,nodeid=0,cpus=0,memdev=ram0 "
        "-object memory-backend-ram,id=ram1,size=1G -numa node,nodeid=1,cpus=1,memdev=ram1 ")
MEM0 = "-object memory-backend-ram,id=mem0,size=4G "
DEV = "-device virtio-mem-pci,id=vm0,memdev=mem0,node=0"

# (name, extra arguments): from the observed behaviour of QEMU 7.2.
CASES = [
    ("default", MEM0 + DEV),
    ("requested-size=1G", MEM0 + DEV + ",requested-size=1G"),
    ("requested-size = memdev size", MEM0 + DEV + ",requested-size=4G"),
    ("requested-size above memdev size starts", MEM0 + DEV + ",requested-size=8G"),
    ("requested-size not a multiple of block-size", MEM0 + DEV + ",requested-size=3M"),
    ("requested-size=-1", MEM0 + DEV + ",requested-size=-1"),
    ("requested-size=abc", MEM0 + DEV + ",requested-size=abc"),
    ("block-size=4M", MEM0 + DEV + ",block-size=4M"),
    ("block-size=1G", MEM0 + DEV + ",block-size=1G"),
    ("block-size not a power of two", MEM0 + DEV + ",block-size=3M"),
    ("block-size=512K", MEM0 + DEV + ",block-size=512K"),
    ("block-size=0", MEM0 + DEV + ",block-size=0"),
    ("memdev missing", "-device virtio-mem-pci,id=vm0,node=0"),
    ("memdev does not exist", "-device virtio-mem-pci,id=vm0,memdev=nosuch,node=0"),
    ("memdev used twice", MEM0 + DEV + " -device virtio-mem-pci,id=vm1,memdev=mem0,node=1"),
    ("memdev is NUMA RAM", "-device virtio-mem-pci,id=vm0,memdev=ram0,node=0"),
    ("node beyond the NUMA nodes", MEM0 + "-device virtio-mem-pci,id=vm0,memdev=mem0,node=2"),
    ("backend not a multiple of block-size",
     "-object memory-backend-ram,id=mem0,size=1025M " + DEV),
    ("memaddr given", MEM0 + DEV + ",memaddr=0x140000000"),
    ("memaddr not aligned", MEM0 + DEV + ",memaddr=0x100100000"),
    ("memaddr below the area", MEM0 + DEV + ",memaddr=0x1000000"),
    ("prealloc=on", MEM0 + DEV + ",prealloc=on"),
    ("unplugged-inaccessible=on", MEM0 + DEV + ",unplugged-inaccessible=on"),
    ("memfd backend", "-object memory-backend-memfd,id=mem0,size=4G " + DEV),
    ("unknown property", MEM0 + DEV + ",dynamic-memslots=on"),
    ("size is read-only", MEM0 + DEV + ",size=1G"),
    ("-device without a driver", MEM0 + "-device id=vm0,memdev=mem0"),
    ("-device with an empty driver", MEM0 + "-device driver=,id=vm0"),
]
NO_MAXMEM = ("no maxmem", "-m 2G -object memory-backend-ram,id=mem0,size=4G "
             "-device virtio-mem-pci,id=vm0,memdev=mem0")
TOO_SMALL = ("maxmem too small", "-m 2G,maxmem=4G -object memory-backend-ram,id=mem0,size=4G "
             "-device virtio-mem-pci,id=vm0,memdev=mem0")


def run(vmm, args):
    """('starts', '') or ('fails', message without the program/option prefix)."""
    with tempfile.TemporaryDirectory() as d:
        sock = os.path.join(d, "q")
        argv = args.split()
        if vmm == "tide":
            cmd = [TIDE, "-accel", "qtest", "-display", "none"]
        else:
            cmd = ["qemu-system-x86_64", "-accel", "tcg", "-S", "-display", "none",
                   "-nodefaults"]
        cmd += argv + ["-qmp", "unix:%s,server=on,wait=off" % sock]
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
        try:
            _, err = p.communicate(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            return "starts", ""
        lines = [l for l in err.splitlines() if "warning:" not in l]
        if p.returncode == 0:
            return "starts", ""
        msg = lines[-1] if lines else ""
        # "prog: -device ...: message" -> "message"
        parts = msg.split(": ", 2)
        return "fails", parts[2] if len(parts) == 3 else msg


def main():
    results = []
    cases = [(n, BASE + a) for n, a in CASES] + [NO_MAXMEM, TOO_SMALL]
    for name, args in cases:
        tide = run("tide", args)
        qemu = run("qemu", args)
        good = tide == qemu
        results.append((good, name, tide, qemu))
    print("1..%d" % len(results))
    for i, (good, name, tide, qemu) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if good else "not ok", i, name))
        if not good:
            print("#   tide: %s %s" % tide)
            print("#   qemu: %s %s" % qemu)
    return 0 if all(r[0] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
