#!/usr/bin/env python3
# test-tide-qmp.py: TAP test driving scripts/tide-qmp against a VMM and a fake QMP server.
#
# VMM=qemu runs qemu-system-x86_64 -accel tcg -S; VMM=/path/to/tide runs Tide
# with -accel qtest.  TIDE_QMP names the client (default: ../../scripts/tide-qmp).

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TIDE_QMP = os.environ.get('TIDE_QMP') or os.path.join(HERE, '..', '..', 'scripts', 'tide-qmp')
VMM = os.environ.get('VMM', 'qemu')


def vmm_argv(port, socks):
    if VMM == 'qemu':
        argv = ['qemu-system-x86_64', '-accel', 'tcg', '-S', '-display', 'none', '-nodefaults']
    else:
        argv = [VMM, '-accel', 'qtest', '-display', 'none']
    # A QEMU monitor serves one client at a time, so the event follower gets
    # its own socket.  TCP first: once the last unix socket exists, all listen.
    argv += ['-qmp', 'tcp:127.0.0.1:%d,server=on,wait=off' % port]
    for path in socks:
        argv += ['-qmp', 'unix:%s,server=on,wait=off' % path]
    return argv


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def tide_qmp(*args, timeout=30):
    return subprocess.run([TIDE_QMP] + list(args), capture_output=True, text=True,
                          timeout=timeout)


def expect(cond, what, proc=None):
    if not cond:
        if proc is not None:
            what += ' (rc=%s stdout=%r stderr=%r)' % (proc.returncode, proc.stdout[:500],
                                                      proc.stderr[:500])
        raise AssertionError('expected ' + what)


def json_out(proc):
    expect(proc.returncode == 0, 'exit status 0', proc)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise AssertionError('stdout is not JSON: %r' % proc.stdout[:500])


def follow_while_toggling(sock, evsock, *event_args):
    """Run tide-qmp --events while another client sends cont/stop rounds.

    Rounds repeat until the follower exits, because nothing tells us when it
    has negotiated capabilities and begun to receive events."""
    follower = subprocess.Popen([TIDE_QMP, evsock, '--events', '--timeout', '30'] +
                                list(event_args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(40):
            for cmd in ('cont', 'stop'):
                p = tide_qmp(sock, cmd)
                expect(p.returncode == 0, cmd + ' succeeds', p)
            try:
                out, err = follower.communicate(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                pass
        else:
            raise AssertionError('--events did not finish after 40 cont/stop rounds')
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.communicate()
    expect(follower.returncode == 0, '--events exits 0 (rc=%s, stderr=%r)'
           % (follower.returncode, err))
    events = []
    for line in out.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            raise AssertionError('event line is not JSON: %r' % line)
    expect(all('event' in e and 'timestamp' in e for e in events),
           'each line is an event with a timestamp: %r' % out)
    return [e['event'] for e in events]


class FakeServer(threading.Thread):
    """One-connection QMP server that sends awkward but legal byte streams."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(path)
        self.listener.listen(1)
        self.received = []

    def send_split(self, conn, objs):
        # Pretty-printed, \r\n line ends, several objects glued, 7-byte pieces.
        data = ''.join(json.dumps(o, indent=1).replace('\n', '\r\n') + '\r\n'
                       for o in objs).encode()
        for i in range(0, len(data), 7):
            conn.sendall(data[i:i + 7])
            time.sleep(0.001)

    def run(self):
        conn, _ = self.listener.accept()
        with conn:
            self.send_split(conn, [{'QMP': {'version': {}, 'capabilities': []}}])
            conn.settimeout(1.5)
            buf, decoder = '', json.JSONDecoder()
            while True:
                try:
                    data = conn.recv(4096)
                except socket.timeout:  # an --events client: send one more, leave
                    self.send_split(conn, [{'event': 'LATE', 'timestamp': {}}])
                    return
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
                    self.send_split(conn, [
                        {'event': 'FAKE', 'data': {'cmd': cmd['execute']}, 'timestamp': {}},
                        {'return': 'not yours', 'id': 'someone-else'},
                        {'return': {'echo': cmd.get('arguments', {})}, 'id': cmd.get('id')}])


def main():
    # meson's timeout sends SIGTERM: unwind so the finally below kills the VMM.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    tmp = tempfile.mkdtemp(prefix='test-tide-qmp-')
    sock, evsock = os.path.join(tmp, 'qmp.sock'), os.path.join(tmp, 'events.sock')
    port = free_port()
    vmm = []

    def start_vmm():
        vmm.append(subprocess.Popen(vmm_argv(port, [sock, evsock]), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 20
        while not (os.path.exists(sock) and os.path.exists(evsock)):
            if vmm[0].poll() is not None:
                raise AssertionError('VMM exited early: %r' % vmm[0].stdout.read())
            expect(time.monotonic() < deadline, 'VMM sockets to appear')
            time.sleep(0.05)

    def query_version():
        p = tide_qmp(sock, 'query-version')
        ret = json_out(p)
        expect(isinstance(ret, dict) and 'qemu' in ret, 'object with "qemu": %r' % ret)
        expect(p.stdout == json.dumps(ret, indent=2) + '\n', 'JSON with indent 2', p)

    def unknown_command():
        p = tide_qmp(sock, 'no-such-command')
        expect(p.returncode == 1 and p.stdout == '', 'exit 1, nothing on stdout', p)
        expect(p.stderr.startswith('tide-qmp: CommandNotFound: '), 'CommandNotFound', p)

    def qom_list():
        ret = json_out(tide_qmp(sock, 'qom-list', 'path=/machine'))
        expect(isinstance(ret, list) and ret and all('name' in e for e in ret),
               'non-empty list of properties: %r' % ret)

    def hmp_info_status():
        p = tide_qmp(sock, '--hmp', 'info status')
        expect(p.returncode == 0 and 'VM status' in p.stdout, 'VM status', p)
        expect(not p.stdout.startswith('"'), 'printed as text, not JSON', p)

    def events_resume_stop():
        names = follow_while_toggling(sock, evsock, '--count', '2')
        expect(sorted(names) == ['RESUME', 'STOP'], 'RESUME and STOP: %r' % names)

    def events_filter():
        names = follow_while_toggling(sock, evsock, '--count', '1', '--filter', 'STOP')
        expect(names == ['STOP'], 'only STOP: %r' % names)

    def events_timeout():
        start = time.monotonic()
        p = tide_qmp(evsock, '--events', '--timeout', '1')
        took = time.monotonic() - start
        expect(p.returncode == 0 and p.stdout == '', 'exit 0, no events', p)
        expect(0.9 < took < 8, 'returned after the timeout, not %.2fs' % took)

    def missing_socket():
        path = os.path.join(tmp, 'missing.sock')
        p = tide_qmp(path, 'query-version')
        expect(p.returncode == 2 and p.stderr.startswith('tide-qmp: %s: ' % path),
               'exit 2 with the path', p)

    def tcp():
        ret = json_out(tide_qmp('127.0.0.1:%d' % port, 'query-version'))
        expect(isinstance(ret, dict) and 'qemu' in ret, 'object with "qemu": %r' % ret)

    def fake_command():
        path = os.path.join(tmp, 'fake.sock')
        server = FakeServer(path)
        server.start()
        p = tide_qmp(path, 'x-test', 'n=1073741824', 's=plain text', 'b=true',
                     'q="5"', 'o={"a": [1, null]}', '--args', '{"n": 0, "keep": 1}')
        want = {'n': 1073741824, 's': 'plain text', 'b': True, 'q': '5',
                'o': {'a': [1, None]}, 'keep': 1}
        expect(json_out(p) == {'echo': want}, 'echoed typed arguments', p)
        sent = [c['execute'] for c in server.received]
        expect(sent == ['qmp_capabilities', 'x-test'], 'commands sent: %r' % sent)
        expect(all('id' in c for c in server.received), 'every command has an id')

    def fake_events():
        path = os.path.join(tmp, 'fake-events.sock')
        FakeServer(path).start()
        p = tide_qmp(path, '--events')
        lines = p.stdout.splitlines()
        expect(p.returncode == 0 and len(lines) == 2, 'two lines, exit 0 on close', p)
        expect(json.loads(lines[0])['data'] == {'cmd': 'qmp_capabilities'},
               'event sent before the capabilities response kept', p)
        expect(json.loads(lines[1])['event'] == 'LATE', 'later event printed', p)

    checks = [('VMM starts', start_vmm),
              ('query-version prints an object with "qemu"', query_version),
              ('unknown command exits 1 with CommandNotFound', unknown_command),
              ('qom-list path=/machine prints a list', qom_list),
              ('--hmp "info status" prints VM status text', hmp_info_status),
              ('--events --count 2 sees RESUME and STOP', events_resume_stop),
              ('--events --filter STOP --count 1 sees only STOP', events_filter),
              ('--events --timeout exits 0 when idle', events_timeout),
              ('missing socket exits 2', missing_socket),
              ('HOST:PORT connects over TCP', tcp),
              ('split, pretty, glued responses; typed key=value', fake_command),
              ('--events keeps early events, exits 0 on close', fake_events)]
    print('1..%d' % len(checks), flush=True)
    failed = 0
    try:
        for n, (name, fn) in enumerate(checks, 1):
            try:
                fn()
                print('ok %d - %s' % (n, name), flush=True)
            except (AssertionError, OSError, subprocess.SubprocessError) as e:
                failed += 1
                print('not ok %d - %s' % (n, name))
                print('# ' + str(e).replace('\n', '\n# '), flush=True)
    finally:
        for proc in vmm:
            proc.kill()
            proc.wait()
            proc.stdout.close()
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
