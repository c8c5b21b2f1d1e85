#!/usr/bin/env python3
# The virtio-mem manual's example, run as written against Tide and QEMU: both must print what the manual shows.
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time

DOC = os.path.join(os.path.dirname(__file__), "../../docs/system/devices/virtio-mem.rst")
TIDE = os.environ["TIDE_BINARY"]

results = []


def ok(cond, name):
    results.append((bool(cond), name))


def block_lines(text, marker):
    """The (tide) lines of the example after marker, with their outputs."""
    block = text.split(marker, 1)[1].split("\n\n", 3)[2]
    lines, expected = [], {}
    for m in re.finditer(r"^  \(tide\) (.*)\n((?:  (?!\(tide\)).*\n?)*)", block, re.M):
        lines.append(m.group(1))
        expected.setdefault(m.group(1), []).append(
            "".join(l[2:] + "\n" for l in m.group(2).splitlines()))
    return lines, expected


def parse_doc():
    text = open(DOC).read()
    block = text.split(".. tide-example: two-node", 1)[1]
    cmd = block.split("::", 1)[1].split("\n\n", 2)[1]
    argv = shlex.split(cmd.replace("\\\n", " "))[1:]
    # The manual's monitor and socket are replaced by the test's own.
    argv = [a for a in argv if a not in ("-monitor", "stdio")]
    i = argv.index("-qmp")
    del argv[i:i + 2]
    hmp = re.findall(r"^  \(tide\) (.*)$", text, re.M)
    shell = re.findall(r"^  \$ (scripts/tide-qmp .*)$", text, re.M)
    expected = {}
    for m in re.finditer(r"^  \(tide\) (.*)\n((?:  (?!\(tide\)).*\n)*)", text, re.M):
        expected.setdefault(m.group(1), []).append(
            "".join(l[2:] + "\n" for l in m.group(2).splitlines()))
    # Each tide-only example (QEMU has no such command or property) by name.
    tide_only = {name: block_lines(text, ".. tide-only-example: " + name)
                 for name in re.findall(r"^\.\. tide-only-example: (\S+)$", text, re.M)}
    only = [l for lines, _ in tide_only.values() for l in lines]
    hmp = [l for l in hmp if l not in only]
    return argv, hmp, expected, shell, tide_only


class QMP:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        for _ in range(200):
            try:
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        self.f = self.s.makefile("rb")
        self.f.readline()
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.s.sendall(json.dumps({"execute": name, "arguments": args}).encode())
        while True:
            msg = json.loads(self.f.readline())
            if "event" not in msg:
                return msg


def run_shell(lines, sock):
    """The manual's tide-qmp lines, against this VM's socket."""
    top = os.path.join(os.path.dirname(__file__), "../..")
    for _ in range(200):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    codes = []
    for line in lines:
        argv = shlex.split(line.replace("/tmp/vm.qmp", sock))
        codes.append(subprocess.run([sys.executable, os.path.join(top, argv[0])] + argv[1:],
                                    stdout=subprocess.DEVNULL).returncode)
    return codes


def run(vmm, argv, hmp_lines, shell_lines):
    with tempfile.TemporaryDirectory() as d:
        sock = os.path.join(d, "qmp")
        if vmm == "tide":
            cmd = [TIDE, "-accel", "qtest", "-display", "none"] + argv
        else:
            cmd = ["qemu-system-x86_64", "-accel", "tcg", "-S", "-display", "none",
                   "-nodefaults"] + argv
        p = subprocess.Popen(cmd + ["-qmp", "unix:%s,server=on,wait=off" % sock],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            codes = run_shell(shell_lines, sock)
            q = QMP(sock)
            out = []
            for line in hmp_lines:
                r = q.cmd("human-monitor-command", **{"command-line": line})
                out.append((line, r["return"].replace("\r\n", "\n")))
            q.cmd("quit")
            p.wait(timeout=10)
            return out, codes
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()


def main():
    argv, hmp_lines, expected, shell_lines, tide_only = parse_doc()
    ok(len(hmp_lines) >= 4 and "info memory-devices" in hmp_lines, "the manual has its example")
    outputs = {vmm: run(vmm, argv, hmp_lines, shell_lines) for vmm in ("tide", "qemu")}
    for vmm, (out, codes) in outputs.items():
        ok(len(codes) == 2 and codes == [0] * len(codes),
           "%s runs the manual's tide-qmp lines (exit codes %s)" % (vmm, codes))
        seen = {}
        for line, text in out:
            want = expected[line][seen.get(line, 0)]
            seen[line] = seen.get(line, 0) + 1
            ok(text == want, "%s prints what the manual shows for '%s'" % (vmm, line))
            if text != want:
                sys.stderr.write("--- manual\n%s--- %s\n%s" % (want, vmm, text))
    ok(len(tide_only.get("memory-manager", ([], {}))[0]) >= 3,
       "the manual has its memory-manager example")
    ok(len(tide_only.get("counters", ([], {}))[0]) >= 2, "the manual has its counters example")
    for name, (lines, want_out) in tide_only.items():
        out, _ = run("tide", argv, lines, [])
        for line, text in out:
            want = want_out[line][0]
            ok(text == want, "tide prints what the manual shows for '%s'" % line)
            if text != want:
                sys.stderr.write("--- manual\n%s--- tide\n%s" % (want, text))
    print("1..%d" % len(results))
    for i, (good, name) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if good else "not ok", i, name))
    return 0 if all(g for g, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
