"""Simulated devices: realistic readings, alarms, faults and silences published at QoS 1.

Pure publishing code (no database): `firegrid simulate-devices`, the tests and the benches build
`SimDevice`s from (ident, kind, key) and drive a `Publisher`.
"""

import json
import random
import threading
import time
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from firegrid.iot.mqtt import parse_url

# the share of each kind in a simulated fleet (electrical monitors and smoke detectors dominate)
KIND_MIX = {
    "electrical_monitor": 35,
    "smoke_detector": 25,
    "water_pressure": 12,
    "leakage_protector": 10,
    "water_level": 6,
    "lane_camera": 6,
    "alarm_panel": 6,
}
# the event a fault starts and ends with, per kind
FAULTS = {
    "electrical_monitor": ("fault", "fault_clear"),
    "smoke_detector": ("fault", "fault_clear"),
    "alarm_panel": ("fault", "fault_clear"),
}

# the event an alarm episode starts and ends with
EPISODE_EVENTS = {
    "smoke": ("smoke", "smoke_clear"),
    "trip": ("trip", "reset"),
    "lane": ("lane_occupied", "lane_clear"),
    "fire": ("fire", "reset"),
}


def topic_for(ident, pattern="firegrid/v1/+/up"):
    return pattern.replace("+", ident, 1)


def pick_kinds(n, rng):
    kinds, weights = zip(*KIND_MIX.items(), strict=True)
    return rng.choices(kinds, weights=weights, k=n)


class SimDevice:
    """One device's state: message sequence, battery, an alarm episode or fault under way, silence."""

    def __init__(self, ident, kind, key, rng=None):
        self.ident, self.kind, self.key = ident, kind, key
        self.rng = rng or random.Random()
        self.run = uuid.uuid4().hex[:8]  # message ids stay unique across simulator runs
        self.seq = 0
        self.battery = self.rng.uniform(60, 100)
        self.episode = 0  # readings left in an abnormal episode
        self.episode_kind = ""
        self.episode_length = 0
        self.fault = 0  # messages left before the fault clears
        self.silent_at = None  # monotonic time from which the device says nothing

    def _normal(self):
        g = self.rng.gauss
        if self.kind in ("electrical_monitor", "leakage_protector"):
            values = {"residual_current_ma": round(max(0.0, g(50 if self.kind[0] == "e" else 30, 12)), 1)}
            if self.kind == "electrical_monitor":
                values["temperature_c"] = round(g(38, 4), 1)
            return values
        if self.kind == "water_pressure":
            return {"pressure_mpa": round(max(0.0, g(0.3, 0.015)), 3)}
        if self.kind == "water_level":
            return {"level_pct": round(min(100.0, g(95, 2)), 1)}
        if self.kind == "smoke_detector":
            self.battery = max(0.0, self.battery - self.rng.uniform(0, 0.05))  # batteries run down
            return {"battery_pct": round(self.battery, 1)}
        return {}

    def _start_episode(self):
        self.episode_kind = self.rng.choice(
            {
                "electrical_monitor": ["residual", "residual", "temperature"],
                "leakage_protector": ["residual", "trip"],
                "water_pressure": ["low"],
                "water_level": ["low"],
                "smoke_detector": ["smoke"],
                "lane_camera": ["lane"],
                "alarm_panel": ["fire"],
            }[self.kind]
        )
        self.episode = self.episode_length = self.rng.randint(2, 5)  # ≥ the rules' debounce (2–3)

    def _abnormal(self, values, events):
        kind, last = self.episode_kind, self.episode == 1
        if kind == "residual":
            values["residual_current_ma"] = round(self.rng.uniform(310, 650), 1)
        elif kind == "temperature":
            values["temperature_c"] = round(self.rng.uniform(82, 105), 1)
        elif kind == "low" and self.kind == "water_pressure":
            values["pressure_mpa"] = round(self.rng.uniform(0.02, 0.09), 3)
        elif kind == "low":
            values["level_pct"] = round(self.rng.uniform(55, 78), 1)
        elif self.episode == self.episode_length:  # event episodes: raised first, cleared last
            events.append(EPISODE_EVENTS[kind][0])
        elif last:
            events.append(EPISODE_EVENTS[kind][1])

    def body(self, alarm_share=0.01, fault_share=0.005, now=None):
        self.seq += 1
        values, events = self._normal(), []
        if self.episode:
            self._abnormal(values, events)
            self.episode -= 1
        elif self.rng.random() < alarm_share * (0.2 if self.kind == "smoke_detector" else 1):  # smoke is rare
            self._start_episode()
            self._abnormal(values, events)
            self.episode -= 1
        fault = FAULTS.get(self.kind)
        if fault and self.fault:
            self.fault -= 1
            if not self.fault:
                events.append(fault[1])
        elif fault and self.rng.random() < fault_share:
            events.append(fault[0])
            self.fault = self.rng.randint(2, 6)
        body = {
            "id": f"{self.run}-{self.seq}",
            "ts": round(now if now is not None else time.time(), 3),
            "key": self.key,
        }
        if values:
            body["values"] = values
        if events:
            body["events"] = events
        if not values and not events:
            body["heartbeat"] = True
        return body

    def payload(self, **kwargs):
        return json.dumps(self.body(**kwargs), separators=(",", ":")).encode()


class Publisher:
    """A QoS 1 publishing client (MQTT 3.1.1, as most devices speak) counting the broker's PUBACKs."""

    def __init__(self, url, client_id=None, inflight=1000):
        self.broker = parse_url(url)
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"firegrid-sim-{uuid.uuid4().hex[:8]}",
            clean_session=True,
            protocol=mqtt.MQTTv311,
        )
        self.client.max_inflight_messages_set(inflight)
        self.client.max_queued_messages_set(0)
        if self.broker.username:
            self.client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            self.client.tls_set()
        self.sent = 0
        self.acked = 0
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self.client.on_connect = lambda c, u, f, rc, p: rc.is_failure or self._connected.set()
        self.client.on_publish = self._on_publish

    def _on_publish(self, client, userdata, mid, reason_code, properties):
        with self._lock:
            self.acked += 1

    def connect(self, timeout=10):
        self.client.connect(self.broker.host, self.broker.port, keepalive=30)
        self.client.loop_start()
        if not self._connected.wait(timeout):
            raise TimeoutError(f"no connection to {self.broker.host}:{self.broker.port}")
        return self

    def publish(self, topic, payload, qos=1):
        self.sent += 1
        return self.client.publish(topic, payload, qos=qos)

    def wait_acked(self, timeout=30):
        deadline = time.monotonic() + timeout
        while self.acked < self.sent and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.acked >= self.sent

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self):
        return self.connect()

    def __exit__(self, *exc):
        self.wait_acked(10)
        self.close()


class Simulation:
    """Publishes from `devices` at `rate` messages a second in total, each device in turn (shuffled)."""

    def __init__(
        self,
        devices,
        *,
        rate,
        alarm_share=0.01,
        fault_share=0.005,
        silent_share=0.02,
        topic="firegrid/v1/+/up",
        seed=None,
    ):
        self.rng = random.Random(seed)
        self.devices = list(devices)
        self.rate = rate
        self.alarm_share, self.fault_share = alarm_share, fault_share
        self.topic = topic
        self.silent_share = silent_share

    def _plan_silences(self, start, duration):
        n = round(len(self.devices) * self.silent_share)
        window = (duration or 120) / 2
        for device in self.rng.sample(self.devices, n):
            device.silent_at = start + self.rng.uniform(0, window)

    def run(self, publisher, duration=None, max_messages=None, progress=None, stop=None):
        """Publish until `duration` seconds, `max_messages` or `stop` (an Event); `progress(sent, acked,
        rate, silent)` is called every second. Returns the number sent."""
        start = time.monotonic()
        self._plan_silences(start, duration)
        order = []
        sent = last_sent = 0
        last_report = start
        while True:
            now = time.monotonic()
            if (duration and now - start >= duration) or (max_messages and sent >= max_messages):
                break
            if stop is not None and stop.is_set():
                break
            due = int((now - start) * self.rate) + 1 - sent
            if due <= 0:
                time.sleep(min(0.005, 1 / self.rate))
            for _ in range(max(0, min(due, 1000))):
                if not order:
                    order = [d for d in self.devices if d.silent_at is None or d.silent_at > now]
                    if not order:
                        break
                    self.rng.shuffle(order)
                device = order.pop()
                publisher.publish(
                    topic_for(device.ident, self.topic),
                    device.payload(alarm_share=self.alarm_share, fault_share=self.fault_share),
                )
                sent += 1
                if max_messages and sent >= max_messages:
                    break
            if not order and not any(d.silent_at is None or d.silent_at > now for d in self.devices):
                break  # everyone fell silent
            if progress and now - last_report >= 1:
                silent = sum(1 for d in self.devices if d.silent_at is not None and d.silent_at <= now)
                progress(sent, publisher.acked, (sent - last_sent) / (now - last_report), silent)
                last_sent, last_report = sent, now
        return sent
