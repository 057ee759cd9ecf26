"""Simulated user information transmission devices speaking GB/T 26875.3 to a gateway: heartbeats,
fire alarms and resets, faults and recoveries, analogue values, reconnects and broken frames; each
answers the centre's control commands (confirm) and an inspection with an "inspection answered"
record. Used by `firegrid gb26875-sim`, the tests and bench/bench_gb26875.py."""

import asyncio
import contextlib
import random
import time
from collections import Counter

from firegrid.iot.gb26875 import codec, tables
from firegrid.iot.gb26875.codec import CONFIRM, CONTROL, DENY, SEND

CENTRE = bytes(6)


def address_for(n):
    """A simulated device's address: 'F1' then the number, low byte first."""
    return codec.address_hex(b"\xf1" + n.to_bytes(5, "little"))


class SimDevice:
    def __init__(self, address, host, port, *, centre=CENTRE, rng=None):
        self.source = codec.address_bytes(address)
        self.address = codec.address_hex(self.source)
        self.host, self.port, self.centre = host, port, centre
        self.rng = rng or random.Random()
        self.serial = 0
        self.reader = self.writer = None
        self.waiting = {}  # serial → future of the centre's answer (CONFIRM or DENY)
        self.received = []  # control commands from the centre: (type flag, data)
        self.stats = Counter()
        self.listener = None

    async def connect(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.listener = asyncio.ensure_future(self.listen())
        self.stats["connects"] += 1
        return self

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        if self.listener is not None:
            self.listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.listener
        self.writer = self.listener = None

    def frame(self, data=b"", command=SEND, serial=None, when=None):
        if serial is None:
            serial, self.serial = self.serial, (self.serial + 1) & 0xFFFF
        return serial, codec.encode(
            serial=serial, source=self.source, destination=self.centre, command=command, data=data, when=when
        )

    async def send(self, data=b"", *, wait=True, timeout=10.0):
        """Send an upload; returns the centre's answer command (3 confirm, 6 deny) or None."""
        serial, raw = self.frame(data)
        future = asyncio.get_running_loop().create_future()
        self.waiting[serial] = future
        self.writer.write(raw)
        self.stats["sent"] += 1
        if not wait:
            return None
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self.stats["timeouts"] += 1
            return None
        finally:
            self.waiting.pop(serial, None)

    def send_raw(self, raw):
        self.writer.write(raw)

    async def listen(self):
        reader = codec.FrameReader()
        try:
            while True:
                chunk = await self.reader.read(4096)
                if not chunk:
                    return
                for item in reader.feed(chunk):
                    if isinstance(item, codec.Broken):
                        self.stats["broken_from_centre"] += 1
                        continue
                    self.on_frame(item)
        except (ConnectionError, asyncio.CancelledError):
            return

    def on_frame(self, frame):
        if frame.command in (CONFIRM, DENY):
            self.stats["confirmed" if frame.command == CONFIRM else "denied"] += 1
            future = self.waiting.get(frame.serial)
            if future is not None and not future.done():
                future.set_result(frame.command)
        elif frame.command == CONTROL and frame.data:
            self.received.append((frame.data[0], frame.data))
            self.stats[f"control_{frame.data[0]}"] += 1
            self.writer.write(codec.reply(frame, CONFIRM, self.source))
            if frame.data[0] == 91:  # someone on duty presses "inspection answered"
                answered = codec.bit(tables.DEVICE_OPERATION_BITS, "inspection_answered")
                _serial, raw = self.frame(codec.unit(24, [codec.device_operation(operation=answered)]))
                self.writer.write(raw)

    # ---- what panels say ----

    def fire_unit(self, address=None, text="3F 走廊感烟"):
        status = 1 | codec.bit(tables.COMPONENT_STATUS_BITS, "fire")
        return codec.unit(
            2,
            [
                codec.component_status(
                    component_type=42, address=address or self.rng.randint(1, 2000), status=status, text=text
                )
            ],
        )

    def reset_unit(self):
        return codec.unit(
            4, [codec.system_operation(operation=codec.bit(tables.SYSTEM_OPERATION_BITS, "reset"))]
        )

    def fault_unit(self, address, recovered=False):
        status = 1 if recovered else 1 | codec.bit(tables.COMPONENT_STATUS_BITS, "fault")
        return codec.unit(2, [codec.component_status(component_type=84, address=address, status=status)])

    def analogue_unit(self):
        return codec.unit(
            3,
            [
                codec.analogue(component_type=99, address=7, kind=5, raw=self.rng.randint(1000, 4000)),
                codec.analogue(component_type=31, address=8, kind=3, raw=self.rng.randint(150, 350)),
            ],
        )


class Simulation:
    """N devices: each connects, heartbeats every `heartbeat` s and, per heartbeat, may raise a fire
    alarm (reset a while later), a fault (recovered later), send analogue values, send a broken frame,
    or drop its connection and reconnect."""

    def __init__(
        self,
        host,
        port,
        addresses,
        *,
        heartbeat=30.0,
        fire_share=0.01,
        fault_share=0.02,
        analogue_share=0.1,
        broken_share=0.01,
        reconnect_share=0.005,
        seed=None,
        connect_rate=500.0,
    ):
        self.rng = random.Random(seed)
        self.devices = [SimDevice(a, host, port, rng=random.Random(self.rng.random())) for a in addresses]
        self.heartbeat = heartbeat
        self.shares = {
            "fire": fire_share,
            "fault": fault_share,
            "analogue": analogue_share,
            "broken": broken_share,
            "reconnect": reconnect_share,
        }
        self.connect_rate = connect_rate
        self.stats = Counter()

    async def one(self, device, stop):
        rng = device.rng
        faulty = []
        while not stop.is_set():
            try:
                await device.connect()
                await device.send(b"")
                while not stop.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.heartbeat * rng.uniform(0.8, 1.2))
                    if stop.is_set():
                        break
                    roll = rng.random()
                    s = self.shares
                    if roll < s["fire"]:
                        self.stats["fire"] += 1
                        await device.send(device.fire_unit())
                        await asyncio.sleep(rng.uniform(1, 5))
                        await device.send(device.reset_unit())
                    elif roll < s["fire"] + s["fault"]:
                        if faulty:
                            self.stats["fault_recovered"] += 1
                            await device.send(device.fault_unit(faulty.pop(), recovered=True))
                        else:
                            self.stats["fault"] += 1
                            faulty.append(rng.randint(1, 500))
                            await device.send(device.fault_unit(faulty[-1]))
                    elif roll < s["fire"] + s["fault"] + s["analogue"]:
                        self.stats["analogue"] += 1
                        await device.send(device.analogue_unit())
                    elif roll < s["fire"] + s["fault"] + s["analogue"] + s["broken"]:
                        self.stats["broken"] += 1
                        _serial, raw = device.frame(device.analogue_unit())
                        device.send_raw(b"\x00\xff" + raw[:-3] + bytes(((raw[-3] + 1) & 0xFF,)) + raw[-2:])
                    elif roll < sum(s.values()):
                        self.stats["reconnect"] += 1
                        break
                    else:
                        await device.send(b"")
                await device.close()
            except (ConnectionError, OSError):
                self.stats["connect_errors"] += 1
                await device.close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), rng.uniform(1, 5))

    async def run(self, duration=None, progress=None, every=10.0):
        stop = asyncio.Event()
        tasks = []
        for device in self.devices:
            tasks.append(asyncio.ensure_future(self.one(device, stop)))
            await asyncio.sleep(1 / self.connect_rate)
        started = time.monotonic()
        try:
            while duration is None or time.monotonic() - started < duration:
                await asyncio.sleep(
                    min(every, duration - (time.monotonic() - started)) if duration else every
                )
                if progress:
                    progress(self.totals())
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
        return self.totals()

    def totals(self):
        total = Counter(self.stats)
        for device in self.devices:
            total.update(device.stats)
        return total
