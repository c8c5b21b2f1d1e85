#!/usr/bin/env python3
# test-resize-scripts.py: TAP test of scripts/tide-node-resize, tide-resize and tide-mem-watch against Tide, QEMU and a fake memory manager.
#
# TIDE_BINARY names Tide (run with -accel qtest: no guest driver, so devices
# never plug by themselves); SCRIPTS names the scripts' folder (default:
# ../../scripts).  The memory-manager checks skip while Tide has no
# query-memory-manager; the QEMU checks skip without qemu-system-x86_64.

import json
import os
import pty
import queue
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.environ.get('SCRIPTS') or os.path.join(HERE, '..', '..', 'scripts')
TIDE = os.environ.get('TIDE_BINARY') or os.path.join(HERE, '..', '..', 'build', 'tide')
QEMU = shutil.which('qemu-system-x86_64')
G, M = 1 << 30, 1 << 20
BLOCK_MSG = "'requested-size' has to be multiples of 'block-size' (0x200000)"

MACHINE = ['-display', 'none', '-m', '2G,maxmem=10G', '-smp', '2',
           '-object', 'memory-backend-ram,id=ram0,size=1G',
           '-numa', 'node,nodeid=0,cpus=0,memdev=ram0',
           '-object', 'memory-backend-ram,id=ram1,size=1G',
           '-numa', 'node,nodeid=1,cpus=1,memdev=ram1',
           '-object', 'memory-backend-ram,id=mem0,size=4G',
           '-device', 'virtio-mem-pci,id=vm0,memdev=mem0,node=0',
           '-object', 'memory-backend-ram,id=mem1,size=4G',
           '-device', 'virtio-mem-pci,id=vm1,memdev=mem1,node=1']


class Skip(Exception):
    pass


def expect(cond, what, proc=None):
    if not cond:
        if proc is not None:
            what += ' (rc=%s stdout=%r stderr=%r)' % (proc.returncode, proc.stdout[-800:],
                                                      proc.stderr[-800:])
        raise AssertionError('expected ' + what)


def script(name, *args, timeout=30):
    return subprocess.run([os.path.join(SCRIPTS, name)] + list(args), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def qmp(sock, *args):
    """tide-qmp's JSON answer."""
    p = script('tide-qmp', sock, *args)
    expect(p.returncode == 0, 'tide-qmp %s succeeds' % ' '.join(args), p)
    return json.loads(p.stdout)


def requested(sock, dev):
    return qmp(sock, 'qom-get', 'path=' + dev, 'property=requested-size')


def set_requested(sock, dev, value):
    qmp(sock, 'qom-set', 'path=' + dev, 'property=requested-size', 'value=%d' % value)


class VMM:
    def __init__(self, argv, socks):
        self.socks = socks
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not all(os.path.exists(s) for s in socks):
            if self.proc.poll() is not None:
                raise AssertionError('%s exited early: %r' % (argv[0], self.proc.stdout.read()))
            expect(time.monotonic() < deadline, '%s sockets to appear' % argv[0])
            time.sleep(0.05)

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


class FakeManager(threading.Thread):
    """QMP server playing Tide's memory manager from a script of states.

    Each query-memory-manager after the balloon returns the next state of
    `states` (the last one repeats); `errors` maps a command to its error."""

    def __init__(self, path, states, errors=None, devices=()):
        super().__init__(daemon=True)
        self.devices = list(devices)  # query-memory-devices' virtio-mem data
        self.conn, self.lock = None, threading.Lock()
        self.connected = threading.Event()
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(path)
        self.listener.listen(1)
        self.states, self.errors = states, errors or {}
        self.received = []
        self.ballooned = False

    def answer(self, cmd):
        name = cmd.get('execute')
        if name in self.errors:
            return {'error': self.errors[name]}
        if name == 'balloon':
            self.ballooned = True
        if name == 'query-memory-devices':
            return {'return': [{'type': 'virtio-mem', 'data': dict(d)} for d in self.devices]}
        if name == 'query-memory-manager':
            if not self.ballooned:
                return {'return': self.states[0]}
            state = self.states[min(len(self.states) - 1, self.served)]
            self.served += 1
            return {'return': state}
        return {'return': {}}

    def send(self, obj):
        with self.lock:
            self.conn.sendall(json.dumps(obj).encode() + b'\r\n')

    def emit(self, event, data):
        self.send({'event': event, 'data': data,
                   'timestamp': {'seconds': int(time.time()), 'microseconds': 0}})

    def run(self):
        self.served = 1
        conn, _ = self.listener.accept()
        self.conn = conn
        self.connected.set()
        with conn:
            self.send({'QMP': {'version': {}, 'capabilities': []}})
            buf, decoder = '', json.JSONDecoder()
            while True:
                data = conn.recv(4096)
                if not data:
                    return
                buf += data.decode()
                while buf.strip():
                    try:
                        cmd, end = decoder.raw_decode(buf.lstrip())
                    except ValueError:
                        break
                    buf = buf.lstrip()[end:]
                    self.received.append(cmd)
                    reply = self.answer(cmd)
                    reply['id'] = cmd.get('id')
                    self.send(reply)


def manager_state(state, sizes, targets, stuck=(), target=6 * G, policy='balanced'):
    devs = [{'id': 'vm%d' % i, 'qom-path': '/machine/peripheral/vm%d' % i, 'node': i,
             'target': targets[i], 'size': sizes[i], 'max-size': 4 * G,
             'block-size': 2 * M, 'weight': 1, 'stuck': i in stuck}
            for i in range(len(sizes))]
    actual = 2 * G + sum(sizes)
    want = 2 * G + sum(targets)
    return {'target': target, 'actual': actual, 'state': state, 'policy': policy,
            'progress': 100 if want == actual else 100 * (actual - 2 * G) // (want - 2 * G),
            'devices': devs}


def main():
    # meson's timeout sends SIGTERM: unwind so the finally below kills the VMMs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    tmp = tempfile.mkdtemp(prefix='test-resize-scripts-')
    sock, watch = os.path.join(tmp, 'qmp.sock'), os.path.join(tmp, 'watch.sock')
    qsock = os.path.join(tmp, 'qemu.sock')
    vmms = {}

    def start_tide():
        # A second monitor for the watcher: a socket serves one client at a time.
        vmms['tide'] = VMM([TIDE, '-accel', 'qtest'] + MACHINE +
                           ['-qmp', 'unix:%s,server=on,wait=off' % sock,
                            '-qmp', 'unix:%s,server=on,wait=off' % watch], [sock, watch])

    def need_tide():
        if 'tide' not in vmms:
            raise AssertionError('Tide is not running')

    def has_manager():
        need_tide()
        names = [c['name'] for c in qmp(sock, 'query-commands')]
        if 'query-memory-manager' not in names:
            raise Skip('query-memory-manager not available yet')

    # ---- tide-node-resize on Tide ----------------------------------------

    def node_no_wait():
        need_tide()
        p = script('tide-node-resize', sock, 'vm0=1G', 'vm1=512M', '--no-wait')
        expect(p.returncode == 0, 'exit 0', p)
        expect(re.search(r'^vm0: requested-size 1G\b', p.stdout, re.M) and
               re.search(r'^vm1: requested-size 512M\b', p.stdout, re.M),
               'a line per device with its new size', p)
        got = (requested(sock, 'vm0'), requested(sock, 'vm1'))
        expect(got == (G, 512 * M), 'requested sizes 1G, 512M, not %r' % (got,))

    def node_size_forms():
        need_tide()
        for arg, want in (('2097152', 2 * M), ('0.25G', 256 * M), ('1536m', 1536 * M),
                          ('512M', 512 * M)):
            p = script('tide-node-resize', sock, 'vm1=' + arg, '--no-wait')
            expect(p.returncode == 0, 'vm1=%s: exit 0' % arg, p)
            got = requested(sock, 'vm1')
            expect(got == want, 'vm1=%s sets %d, not %r' % (arg, want, got))

    def node_bad_size():
        need_tide()
        p = script('tide-node-resize', sock, 'vm0=2G', 'vm1=3M')
        expect(p.returncode == 2, 'exit 2', p)
        expect('vm1: ' + BLOCK_MSG in p.stderr, "QEMU's message for vm1", p)
        expect(requested(sock, 'vm0') == G, 'vm0 set back to 1G')
        expect(requested(sock, 'vm1') == 512 * M, 'vm1 left at 512M')

    def node_bad_input():
        need_tide()
        p = script('tide-node-resize', sock, 'vmx=1G', 'vm0=2G')
        expect(p.returncode == 2 and 'vmx' in p.stderr, 'exit 2 naming vmx', p)
        p = script('tide-node-resize', sock, 'vm0=1x')
        expect(p.returncode == 2 and "invalid size '1x'" in p.stderr, 'usage error', p)
        p = script('tide-node-resize', sock, 'vm0=2G', 'vm0=4G')
        expect(p.returncode == 2 and 'more than once' in p.stderr, 'duplicate refused', p)
        expect(requested(sock, 'vm0') == G, 'vm0 unchanged at 1G')

    def node_reached():
        need_tide()
        p = script('tide-node-resize', sock, 'vm0=0')
        expect(p.returncode == 0, 'exit 0', p)
        expect(re.fullmatch(r'vm0 node 0 .*size 0 / requested 0  done\n', p.stdout),
               'one "done" line for vm0', p)
        expect(requested(sock, 'vm0') == 0, 'vm0 requested 0')

    def node_timeout():
        need_tide()
        start = time.monotonic()
        p = script('tide-node-resize', sock, 'vm0=1G', '--timeout', '1')
        took = time.monotonic() - start
        expect(p.returncode == 1, 'exit 1', p)
        expect('vm0 (node 0): size 0 of requested 1G' in p.stderr, 'vm0 named as short', p)
        expect('vm1' not in p.stderr, 'vm1 (not asked for) not named', p)
        expect(p.stdout.count('\n') == 1 and p.stdout.startswith('vm0 '),
               'one progress line when nothing changes (not a tty)', p)
        expect(0.9 < took < 10, 'gave up after about 1 s, not %.2f s' % took)

    def node_tty():
        need_tide()
        master, slave = pty.openpty()
        proc = subprocess.Popen([os.path.join(SCRIPTS, 'tide-node-resize'), sock, 'vm0=1G',
                                 'vm1=512M', '--timeout', '1.5'], stdin=subprocess.DEVNULL,
                                stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        out = b''
        try:
            while True:
                ready, _, _ = select.select([master], [], [], 10)
                expect(ready, 'output within 10 s')
                try:
                    data = os.read(master, 4096)
                except OSError:  # EIO: the child closed the pty
                    break
                if not data:
                    break
                out += data
        finally:
            os.close(master)
            proc.wait(timeout=10)
            proc.stderr.close()
        text = out.decode(errors='replace')
        expect(proc.returncode == 1, 'exit 1, not %r' % proc.returncode)
        expect(text.count('\x1b[2A') >= 2, 'both lines redrawn in place (cursor up 2): %r'
               % text[:300])
        expect('vm0 node 0' in text and 'vm1 node 1' in text, 'both devices shown')

    # ---- tide-mem-watch on Tide ------------------------------------------

    def watch_once():
        need_tide()
        set_requested(sock, 'vm0', G)
        p = script('tide-mem-watch', sock, '--once')
        expect(p.returncode == 0, 'exit 0', p)
        expect(re.search(r'^vm0\s+0\s+1G\s+0\s+4G\s+2M\s+\[-+\|-+\]$', p.stdout, re.M),
               'vm0 row: node 0, requested 1G, size 0, max 4G, block 2M, bar', p)
        expect(re.search(r'^vm1\s+1\s+512M\s+0\s+4G\s+2M\s', p.stdout, re.M), 'vm1 row', p)
        expect(re.search(r'^total\s+1\.5G\s+0\s+8G$', p.stdout, re.M), 'total row', p)

    def watch_json_once():
        need_tide()
        p = script('tide-mem-watch', sock, '--json', '--once')
        expect(p.returncode == 0 and p.stdout.count('\n') == 1, 'exit 0, one line', p)
        obj = json.loads(p.stdout)
        expect(isinstance(obj.get('timestamp'), (int, float)), 'a numeric timestamp', p)
        got = [(d['id'], d['node'], d['requested-size'], d['size'], d['max-size'],
                d['block-size']) for d in obj['devices']]
        expect(got == [('vm0', 0, G, 0, 4 * G, 2 * M), ('vm1', 1, 512 * M, 0, 4 * G, 2 * M)],
               'both devices: %r' % got)

    def watch_live():
        need_tide()
        proc = subprocess.Popen([os.path.join(SCRIPTS, 'tide-mem-watch'), watch, '--json',
                                 '--interval', '0.2'], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout] + [lines.put('')],
                         daemon=True).start()

        def next_line():
            try:
                return lines.get(timeout=5)
            except queue.Empty:
                raise AssertionError('no sample within 5 s')
        try:
            expect(next_line(), 'a first sample')
            p = script('tide-node-resize', sock, 'vm1=768M', '--no-wait')
            expect(p.returncode == 0, 'set vm1 while watching', p)
            seen = []
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                line = next_line()
                expect(line, 'more samples')
                sample = json.loads(line)
                seen.append(sample['timestamp'])
                if [d['requested-size'] for d in sample['devices']] == [G, 768 * M]:
                    break
            else:
                raise AssertionError('no sample shows vm1 at 768M')
            proc.send_signal(signal.SIGINT)
            rc = proc.wait(timeout=10)
            expect(rc == 130, 'exit 130 on SIGINT, not %r' % rc)
            expect(seen == sorted(seen), 'timestamps in order: %r' % seen)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stderr.close()

    # ---- the memory manager (tide-resize, tide-mem-watch's line) ---------

    def manager_watch_line():
        has_manager()
        p = script('tide-mem-watch', sock, '--once')
        expect(p.returncode == 0, 'exit 0', p)
        expect(re.match(r'memory manager: target \S+  actual \S+  \w+', p.stdout),
               'the manager line first', p)
        obj = json.loads(script('tide-mem-watch', sock, '--once', '--json').stdout)
        expect('target' in obj.get('manager', {}), '"manager" in the JSON: %r' % obj)

    def resize_settled():
        has_manager()
        p = script('tide-resize', sock, '2G', '--timeout', '10')
        expect(p.returncode == 0, 'boot size (nothing plugged) settles: exit 0', p)
        expect(re.search(r'^target 2G .* settled', p.stdout, re.M), 'settled shown', p)

    def resize_no_driver():
        has_manager()
        p = script('tide-resize', sock, '4G', '--timeout', '1')
        expect(p.returncode == 1, 'exit 1', p)
        expect(re.search(r'^tide-resize: (stuck|timeout after 1s)', p.stderr),
               'stuck or timeout said', p)
        expect(re.search(r'^  vm[01] \(node [01]\): (stuck|not reached) at 0 of ',
                         p.stderr, re.M), 'short devices named with their sizes', p)
        got = qmp(sock, 'query-memory-manager')['target']
        expect(got == 4 * G, 'manager target 4G, not %r' % got)

    def resize_limits():
        has_manager()
        for size in ('1G', '20G'):
            p = script('tide-resize', sock, size)
            expect(p.returncode == 2, '%s: exit 2' % size, p)
            expect(re.match(r'tide-resize: \S.{10,}', p.stderr), "the VMM's message", p)
        got = qmp(sock, 'query-memory-manager')['target']
        expect(got == 4 * G, 'target still 4G, not %r' % got)

    def resize_policy():
        has_manager()
        p = script('tide-resize', sock, '3G', '--policy', 'fill', '--timeout', '0.3')
        expect(p.returncode == 1, 'exit 1 (no driver)', p)
        got = qmp(sock, 'qom-get', 'path=/machine/memory-manager', 'property=policy')
        expect(got == 'fill', 'policy fill, not %r' % got)
        expect('policy fill' in p.stdout, 'policy shown', p)

    # ---- tide-resize against a fake manager ------------------------------

    def fake_settles():
        path = os.path.join(tmp, 'fake1.sock')
        states = [manager_state('settled', [0, 0], [0, 0], target=2 * G),
                  manager_state('converging', [0, 0], [G, G]),
                  manager_state('converging', [512 * M, 0], [G, G]),
                  manager_state('converging', [G, 512 * M], [G, G]),
                  manager_state('settled', [G, G], [G, G])]
        server = FakeManager(path, states)
        server.start()
        p = script('tide-resize', path, '4G', '--policy', 'weighted')
        expect(p.returncode == 0, 'exit 0 once settled', p)
        sent = [(c['execute'], c.get('arguments')) for c in server.received]
        expect(sent[:4] == [('qmp_capabilities', None), ('query-memory-manager', None),
                            ('qom-set', {'path': '/machine/memory-manager',
                                         'property': 'policy', 'value': 'weighted'}),
                            ('balloon', {'value': 4 * G})],
               'policy set before the balloon: %r' % sent[:4])
        lines = p.stdout.splitlines()
        for want in (r'node 0 \(vm0\) \[#{10}-{10}\]  50%  512M / 1G',
                     r'node 0 \(vm0\) \[#{20}\] 100%  1G / 1G  done',
                     r'node 1 \(vm1\) \[#{10}-{10}\]  50%  512M / 1G',
                     r'target 6G  actual 4G  settled  100%  policy balanced'):
            expect(any(re.fullmatch(want, l) for l in lines), 'a line %r' % want, p)
        expect(len(lines) == len(set(lines)), 'each change printed once', p)

    def fake_stuck():
        path = os.path.join(tmp, 'fake2.sock')
        states = [manager_state('settled', [0, 0], [0, 0], target=2 * G),
                  manager_state('converging', [256 * M, 256 * M], [G, G]),
                  manager_state('stuck', [G, 256 * M], [2 * G - 256 * M, 256 * M],
                                stuck=(1,))]
        FakeManager(path, states).start()
        p = script('tide-resize', path, '4G')
        expect(p.returncode == 1, 'exit 1 when stuck', p)
        expect(p.stderr.startswith('tide-resize: stuck: actual 3.25G of target 6G\n'),
               'stuck and how far', p)
        expect('  vm1 (node 1): stuck at 256M of 1G (target now 256M) (max 4G)' in p.stderr,
               'vm1 stuck, with what it was asked', p)
        expect('  vm0 (node 0): not reached at 1G of 1.75G (max 4G)' in p.stderr,
               'vm0 still short', p)

    def fake_balloon_error():
        path = os.path.join(tmp, 'fake3.sock')
        desc = 'the logical memory size must be between 2 GiB and 10 GiB, not 1 GiB'
        FakeManager(path, [manager_state('settled', [0, 0], [0, 0], target=2 * G)],
                    {'balloon': {'class': 'GenericError', 'desc': desc}}).start()
        p = script('tide-resize', path, '1G')
        expect(p.returncode == 2 and p.stderr == 'tide-resize: %s\n' % desc,
               "exit 2 with the VMM's message", p)

    def fake_watch_event():
        path = os.path.join(tmp, 'fake4.sock')
        dev = {'id': 'vm0', 'memaddr': 4 * G, 'node': 0, 'requested-size': G, 'size': 0,
               'max-size': 4 * G, 'block-size': 2 * M, 'memdev': '/objects/mem0'}
        server = FakeManager(path, [], {'query-memory-manager': {
            'class': 'CommandNotFound', 'desc': 'The command query-memory-manager has '
            'not been found'}}, devices=[dev])
        server.start()
        proc = subprocess.Popen([os.path.join(SCRIPTS, 'tide-mem-watch'), path, '--json',
                                 '--interval', '30'], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout] + [lines.put('')],
                         daemon=True).start()
        try:
            first = json.loads(lines.get(timeout=5))
            expect('manager' not in first and first['devices'] == [dev],
                   'first sample: the device, no manager: %r' % first)
            dev['size'] = 512 * M
            server.emit('MEMORY_DEVICE_SIZE_CHANGE', {'id': 'vm0', 'size': 512 * M,
                                                      'qom-path': '/machine/peripheral/vm0'})
            try:
                second = json.loads(lines.get(timeout=5))
            except queue.Empty:
                raise AssertionError('no refresh within 5 s of the event (interval 30 s)')
            expect(second['devices'][0]['size'] == 512 * M, 'the new size: %r' % second)
            sent = [c['execute'] for c in server.received]
            expect(sent.count('query-memory-manager') == 1,
                   'query-memory-manager asked once only: %r' % sent)
        finally:
            proc.kill()
            proc.wait()
            proc.stderr.close()

    # ---- QEMU 7.2 --------------------------------------------------------

    def start_qemu():
        if not QEMU:
            raise Skip('qemu-system-x86_64 not installed')
        vmms['qemu'] = VMM([QEMU, '-accel', 'tcg', '-S', '-nodefaults'] + MACHINE +
                           ['-qmp', 'unix:%s,server=on,wait=off' % qsock], [qsock])

    def need_qemu():
        if 'qemu' not in vmms:
            raise Skip('QEMU is not running')

    def qemu_no_wait():
        need_qemu()
        p = script('tide-node-resize', qsock, 'vm0=1G', 'vm1=512M', '--no-wait')
        expect(p.returncode == 0, 'exit 0', p)
        got = (requested(qsock, 'vm0'), requested(qsock, 'vm1'))
        expect(got == (G, 512 * M), 'requested sizes 1G, 512M, not %r' % (got,))

    def qemu_bad_size():
        need_qemu()
        p = script('tide-node-resize', qsock, 'vm0=2G', 'vm1=3M')
        expect(p.returncode == 2 and 'vm1: ' + BLOCK_MSG in p.stderr, "QEMU's message", p)
        expect(requested(qsock, 'vm0') == G, 'vm0 set back to 1G')

    def qemu_watch():
        need_qemu()
        p = script('tide-mem-watch', qsock, '--once')
        expect(p.returncode == 0, 'exit 0', p)
        expect(p.stdout.startswith('ID ') and 'manager' not in p.stdout,
               'no manager line on QEMU', p)
        expect(re.search(r'^vm0\s+0\s+1G\s', p.stdout, re.M) and
               re.search(r'^vm1\s+1\s+512M\s', p.stdout, re.M), 'both devices', p)

    def qemu_resize():
        need_qemu()
        p = script('tide-resize', qsock, '4G')
        expect(p.returncode == 2 and 'no memory manager' in p.stderr and p.stdout == '',
               'exit 2: no memory manager', p)
        expect(requested(qsock, 'vm0') == G, 'nothing changed')

    checks = [('Tide starts', start_tide),
              ('tide-node-resize --no-wait sets requested sizes', node_no_wait),
              ('tide-node-resize sizes: bytes, 0.25G, 1536m', node_size_forms),
              ("tide-node-resize 3M exits 2 with QEMU's message, sets vm0 back",
               node_bad_size),
              ('tide-node-resize: unknown id, bad size, duplicate exit 2', node_bad_input),
              ('tide-node-resize vm0=0 (already reached) exits 0', node_reached),
              ('tide-node-resize vm0=1G --timeout 1 exits 1 naming vm0', node_timeout),
              ('tide-node-resize on a tty redraws its lines in place', node_tty),
              ('tide-mem-watch --once prints both devices', watch_once),
              ('tide-mem-watch --json --once parses as JSON', watch_json_once),
              ('tide-mem-watch --json follows a change, exits 130 on SIGINT', watch_live),
              ("tide-mem-watch shows the memory manager's line", manager_watch_line),
              ('tide-resize 2G (boot size) settles: exit 0', resize_settled),
              ('tide-resize 4G --timeout 1 without a driver exits 1', resize_no_driver),
              ('tide-resize 1G and 20G exit 2 with the limits', resize_limits),
              ('tide-resize --policy fill sets the policy', resize_policy),
              ('tide-resize follows a fake manager to settled', fake_settles),
              ('tide-resize reports a fake manager stuck: exit 1', fake_stuck),
              ("tide-resize prints a refused balloon's message: exit 2",
               fake_balloon_error),
              ('tide-mem-watch refreshes on MEMORY_DEVICE_SIZE_CHANGE', fake_watch_event),
              ('QEMU starts', start_qemu),
              ('QEMU: tide-node-resize --no-wait sets requested sizes', qemu_no_wait),
              ("QEMU: tide-node-resize 3M exits 2 with QEMU's message", qemu_bad_size),
              ('QEMU: tide-mem-watch --once without a manager', qemu_watch),
              ('QEMU: tide-resize exits 2 (no memory manager)', qemu_resize)]
    print('1..%d' % len(checks), flush=True)
    failed = 0
    try:
        for n, (name, fn) in enumerate(checks, 1):
            try:
                fn()
                print('ok %d - %s' % (n, name), flush=True)
            except Skip as e:
                print('ok %d - %s # SKIP %s' % (n, name, e), flush=True)
            except (AssertionError, OSError, ValueError, KeyError, TypeError, IndexError,
                    queue.Empty, subprocess.SubprocessError) as e:
                failed += 1
                print('not ok %d - %s' % (n, name))
                print('# ' + ('%s: %s' % (type(e).__name__, e)).replace('\n', '\n# '),
                      flush=True)
    finally:
        for vmm in vmms.values():
            vmm.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
