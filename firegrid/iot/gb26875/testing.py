"""The gateway in a thread of the current process (tests, bench) and a blocking device client."""

import asyncio
import socket
import threading
import time

from django.db import connections

from firegrid.iot.gb26875 import codec
from firegrid.iot.gb26875.server import Gateway


def _shared_sqlite_initializer():
    """An in-memory SQLite test database exists only in this process's connection: the gateway's
    database thread must use the same connection object (as Django's LiveServerThread does)."""
    main = connections["default"]
    if main.vendor != "sqlite" or not main.is_in_memory_db():
        return None
    main.inc_thread_sharing()

    def init():
        connections["default"] = main

    return init


class RunningGateway:
    def __init__(self, **options):
        options.setdefault("host", "127.0.0.1")
        options.setdefault("port", 0)
        options.setdefault("linger_ms", 5)
        options.setdefault("stats_every", 0)
        self.shared = _shared_sqlite_initializer()
        self.gateway = Gateway(db_initializer=self.shared, **options)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="gb26875-test-loop", daemon=True)
        self.started = threading.Event()
        self.error = None

    def _run(self):
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.gateway.start())
        except Exception as exc:  # reported by start()
            self.error = exc
            self.started.set()
            return
        self.started.set()
        self.loop.run_forever()

    def start(self):
        self.thread.start()
        self.started.wait(30)
        if self.error:
            raise self.error
        return self

    @property
    def port(self):
        return self.gateway.port

    def call(self, fn, *args):
        """Run fn(*args) in the gateway's loop and wait for it (to read its state safely)."""
        done = threading.Event()
        box = {}

        def run():
            box["value"] = fn(*args)
            done.set()

        self.loop.call_soon_threadsafe(run)
        done.wait(10)
        return box.get("value")

    def totals(self):
        return self.call(lambda: dict(self.gateway.totals))

    def stop(self):
        if not self.loop.is_running():
            return
        future = asyncio.run_coroutine_threadsafe(self.gateway.stop(), self.loop)
        future.result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
        self.loop.close()
        if self.shared is not None:
            connections["default"].dec_thread_sharing()


class Client:
    """A blocking TCP client that sends bytes and reads the gateway's frames."""

    def __init__(self, port, address, *, timeout=10.0):
        self.source = codec.address_bytes(address)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = codec.FrameReader()
        self.frames = []
        self.serial = 0
        self.timeout = timeout

    def frame(self, data=b"", command=codec.SEND, serial=None, when=None):
        if serial is None:
            serial, self.serial = self.serial, self.serial + 1
        return codec.encode(
            serial=serial, source=self.source, destination=bytes(6), command=command, data=data, when=when
        )

    def send(self, raw, *, byte_by_byte=False):
        if byte_by_byte:
            for b in raw:
                self.sock.sendall(bytes((b,)))
                time.sleep(0.002)
        else:
            self.sock.sendall(raw)

    def read(self, n=1, timeout=None):
        """The next n frames from the gateway (AssertionError after the timeout)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.frames) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {n} frames, got {len(self.frames)}")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                raise ConnectionError("closed by the gateway")
            self.frames += [f for f in self.reader.feed(chunk) if isinstance(f, codec.Frame)]
        out, self.frames = self.frames[:n], self.frames[n:]
        return out

    def closed(self, timeout=5.0):
        """Whether the gateway closes the connection within `timeout` (reading what it sends)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionError:
                return True
            if not chunk:
                return True
            self.frames += [f for f in self.reader.feed(chunk) if isinstance(f, codec.Frame)]
        return False

    def close(self):
        self.sock.close()
