# tideqmp.py: the QMP client, size and progress-display helpers shared by the operator scripts.
"""Imported by tide-qmp, tide-node-resize, tide-resize and tide-mem-watch
(each puts its own directory first on sys.path).  Python 3 standard library
only."""

import argparse
import codecs
import decimal
import json
import os
import re
import shutil
import socket
import sys
import time
from collections import deque

DEFAULT_TIMEOUT = 10.0


class Fatal(Exception):
    """Message for stderr (the caller prefixes its name) and exit code."""

    def __init__(self, message, code=2):
        super().__init__(message)
        self.code = code


class Timeout(Fatal):
    """The server did not answer in time (exit 2)."""


class QMPError(Fatal):
    """The server answered with an error object; desc is QEMU's text."""

    def __init__(self, response, code=2):
        err = response.get('error') or {}
        self.cls = err.get('class', 'GenericError')
        self.desc = err.get('desc', '')
        super().__init__(self.desc or self.cls, code)


class QMPClient:
    def __init__(self, address, timeout, prog='tide-qmp'):
        self.address = address
        self.timeout = timeout
        self.prog = prog  # prefix of the command ids
        self.sock = None
        self.buf = ''
        self.utf8 = codecs.getincrementaldecoder('utf-8')('replace')
        self.decoder = json.JSONDecoder()
        self.events = deque()
        self.next_id = 0

    def connect(self):
        host, port = split_tcp_address(self.address)
        try:
            if port is not None:
                self.sock = socket.create_connection((host, port), self.timeout)
            else:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(self.timeout)
                self.sock.connect(self.address)
        except socket.timeout:
            raise Fatal('timeout waiting for connection to %s' % self.address)
        except OSError as e:
            raise Fatal('%s: %s' % (self.address, e.strerror or e))
        # A QEMU socket chardev serves one client at a time; others hang here.
        greeting = self.recv(time.monotonic() + self.timeout,
                             'greeting (is another client connected?)')
        if greeting is None:
            raise Fatal('%s: connection closed before the greeting' % self.address)
        if 'QMP' not in greeting:
            raise Fatal('%s: not a QMP greeting: %s'
                        % (self.address, json.dumps(greeting)))
        return greeting

    def recv(self, deadline, what):
        """Next JSON object; None on EOF; Fatal on timeout if deadline set."""
        while True:
            obj = self._parse_one()
            if obj is not None:
                return obj
            try:
                if deadline is not None:
                    self.sock.settimeout(max(deadline - time.monotonic(), 1e-3))
                else:
                    self.sock.settimeout(None)
                data = self.sock.recv(65536)
            except socket.timeout:
                raise Timeout('timeout waiting for %s' % what)
            except OSError as e:
                raise Fatal('%s: %s' % (self.address, e.strerror or e))
            if not data:
                if self.buf.strip():
                    raise Fatal('%s: connection closed in the middle of a '
                                'message' % self.address)
                return None
            self.buf += self.utf8.decode(data)

    def _parse_one(self):
        text = self.buf.lstrip()  # also drops the \r\n QMP puts between objects
        if not text:
            self.buf = ''
            return None
        try:
            obj, end = self.decoder.raw_decode(text)
        except json.JSONDecodeError:
            self.buf = text
            return None  # incomplete: wait for more bytes
        self.buf = text[end:]
        if not isinstance(obj, dict):
            raise Fatal('%s: server sent a non-object: %s'
                        % (self.address, json.dumps(obj)))
        return obj

    def execute(self, command, arguments=None):
        """Send a command; return its response, queueing events seen meanwhile."""
        self.next_id += 1
        cmd_id = '%s-%d' % (self.prog, self.next_id)
        msg = {'execute': command, 'id': cmd_id}
        if arguments:
            msg['arguments'] = arguments
        try:
            self.sock.sendall(json.dumps(msg).encode() + b'\n')
        except OSError as e:
            raise Fatal('%s: %s' % (self.address, e.strerror or e))
        deadline = time.monotonic() + self.timeout
        what = 'response to %s' % command
        while True:
            obj = self.recv(deadline, what)
            if obj is None:
                raise Fatal('%s: connection closed while waiting for %s'
                            % (self.address, what))
            if 'event' in obj:
                self.events.append(obj)
            elif obj.get('id') == cmd_id:
                return obj
            elif 'id' not in obj and 'error' in obj:
                return obj  # the server could not even read our id
            # else: a response to someone else's id; not ours

    def command(self, command, arguments=None):
        """execute() that returns the "return" value or raises QMPError."""
        response = self.execute(command, arguments)
        if 'error' in response:
            raise QMPError(response)
        return response.get('return')

    def next_event(self, deadline):
        """The next event (queued ones first), or None once deadline passes."""
        if self.events:
            return self.events.popleft()
        while True:
            try:
                obj = self.recv(deadline, 'events')
            except Timeout:
                return None
            if obj is None:
                raise Fatal('%s: connection closed (did the VM quit?)' % self.address)
            if 'event' in obj:
                return obj

    def close(self):
        if self.sock is not None:
            self.sock.close()


def split_tcp_address(address):
    """('host', port) for HOST:PORT or [V6]:PORT, else (None, None)."""
    host, sep, port = address.rpartition(':')
    if not sep or not host or not port.isdigit() or os.path.exists(address):
        return None, None
    return host.strip('[]'), int(port)


def open_client(address, prog, timeout=DEFAULT_TIMEOUT):
    """Connected client with capabilities negotiated."""
    client = QMPClient(address, timeout, prog)
    try:
        client.connect()
        client.command('qmp_capabilities')
    except Fatal:
        client.close()
        raise
    return client


def virtio_mem_devices(client):
    """query-memory-devices' virtio-mem entries: their "data" dicts."""
    return [d['data'] for d in client.command('query-memory-devices')
            if d.get('type') == 'virtio-mem' and isinstance(d.get('data'), dict)]


# ---- sizes --------------------------------------------------------------

UNITS = [('E', 1 << 60), ('P', 1 << 50), ('T', 1 << 40), ('G', 1 << 30),
         ('M', 1 << 20), ('K', 1 << 10)]
_SIZE_RE = re.compile(r'^\s*(\d+(?:\.\d*)?|\.\d+)\s*([KMGTPE]?)B?\s*$', re.I)


def parse_size(text):
    """Bytes from 4G, 512M, 1.5G, 2097152 (suffixes are powers of 1024)."""
    m = _SIZE_RE.match(text)
    if not m:
        raise ValueError('invalid size %r (want bytes or a number with K, M, '
                         'G or T)' % text)
    mul = dict(UNITS).get(m.group(2).upper(), 1)
    value = decimal.Decimal(m.group(1)) * mul
    if value != value.to_integral_value():
        raise ValueError('size %r is not a whole number of bytes' % text)
    if value >= 1 << 64:
        raise ValueError('size %r is too large' % text)
    return int(value)


def _short(value):
    return ('%.2f' % value).rstrip('0').rstrip('.')


def format_size(n):
    """4G, 1.5G, 512M, 1026M, 0: exact where two decimals or the next unit allow."""
    if n is None:
        return '?'
    n = int(n)
    if n < 0:
        return '-' + format_size(-n)
    if n < 1024:
        return '%dB' % n if n else '0'
    i = next(i for i, (_, u) in enumerate(UNITS) if n >= u)
    suffix, unit = UNITS[i]
    if n * 100 % unit == 0:
        return _short(n / unit) + suffix
    if i + 1 < len(UNITS) and n % UNITS[i + 1][1] == 0:
        return '%d%s' % (n // UNITS[i + 1][1], UNITS[i + 1][0])
    return _short(n / unit) + suffix


def size_type(text):
    """argparse type= for a size argument."""
    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not a number' % text)
    if not value > 0 or value == float('inf'):
        raise argparse.ArgumentTypeError('%r must be a positive number of seconds' % text)
    return value


# ---- progress display ---------------------------------------------------

def bar(fraction, width=20):
    fraction = min(max(fraction, 0.0), 1.0)
    filled = int(fraction * width + 1e-9)
    return '[' + '#' * filled + '-' * (width - filled) + ']'


def fraction_done(start, current, target):
    """How far current went from start towards target (either direction)."""
    if current == target or start == target:
        return 1.0 if current == target else 0.0
    return min(max((current - start) / (target - start), 0.0), 1.0)


class LiveLines:
    """Lines redrawn in place on a terminal; elsewhere printed as they change.

    update(lines, keys): with keys, a non-terminal gets each line whose text
    changed since that key was last printed; without keys, the whole block
    (and then a blank line) whenever it changed."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.drawn = 0
        self.last_block = None
        self.last = {}

    def update(self, lines, keys=None, header=None):
        if self.tty:
            cols = shutil.get_terminal_size().columns
            out = []
            if self.drawn:
                out.append('\x1b[%dA' % self.drawn)
            for line in ([header] if header is not None else []) + lines:
                # Clipped: a wrapped line would throw off the cursor-up count.
                out.append('\r\x1b[2K' + line[:max(cols - 1, 10)] + '\n')
            out.append('\x1b[J')
            self.drawn = len(lines) + (header is not None)
            self.stream.write(''.join(out))
        elif keys is not None:
            for key, line in zip(keys, lines):
                if self.last.get(key) != line:
                    self.last[key] = line
                    self.stream.write(line + '\n')
        elif lines != self.last_block:
            self.last_block = lines
            block = ([header] if header is not None else []) + lines
            self.stream.write('\n'.join(block) + '\n\n')
        self.stream.flush()


def run_main(prog, run, opts):
    """Call run(opts) -> exit code, turning Fatal into 'prog: message'."""
    try:
        code = run(opts)
        sys.stdout.flush()
        return code
    except Fatal as e:
        sys.stdout.flush()
        print('%s: %s' % (prog, e), file=sys.stderr)
        return e.code
    except BrokenPipeError:
        # The reader went away (| head): not an error; keep exit from failing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
