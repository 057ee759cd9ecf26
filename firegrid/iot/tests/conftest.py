"""A real Mosquitto broker and real `manage.py ingest` processes for the MQTT tests.

The ingest runs as a subprocess on both databases. PostgreSQL: it opens the test database by URL
(tests use transactional_db so their rows are committed). SQLite: the in-memory test database cannot
be shared with another process, so for these tests it is copied into a file (sqlite3 backup) and the
test's connection is pointed at that file; the in-memory database is kept open and put back after.
"""

import getpass
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest

MOSQUITTO = "/usr/sbin/mosquitto"
ROOT = pathlib.Path(__file__).resolve().parents[3]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout=10.0, interval=0.02, message="condition"):
    """Poll `check()` until it returns something truthy; fail with `message` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def mosquitto(tmp_path_factory):
    """Debian's mosquitto on a free loopback port with persistence; yields its mqtt:// URL."""
    if not pathlib.Path(MOSQUITTO).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{MOSQUITTO} is missing: .ci/run must apt-get install mosquitto")
        pytest.skip(f"{MOSQUITTO} is not installed (apt-get install mosquitto)")
    folder = tmp_path_factory.mktemp("mosquitto")
    port = free_port()
    config = folder / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous true\n"
        # run as root, mosquitto drops to the `mosquitto` user, which cannot write to pytest's tmp dir
        f"user {getpass.getuser()}\n"
        "persistence true\n"
        f"persistence_location {folder}/\n"
        # an ingest restarting under load must find every message queued for its session
        "max_queued_messages 1000000\n"
        # no size limit here: a 10 MB body reaches the ingest, which rejects it as too_large
        f"log_dest file {folder}/mosquitto.log\n"
        "log_type error\nlog_type warning\nlog_type notice\n"
    )
    proc = subprocess.Popen([MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def listening():
        if proc.poll() is not None:
            raise AssertionError(f"mosquitto exited: {proc.stderr.read().decode(errors='replace')}")
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    wait_for(listening, timeout=10, message="mosquitto to listen")
    yield f"mqtt://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


class IngestProcess:
    """`manage.py ingest` as a subprocess with its log in a file."""

    def __init__(self, *, db_url, broker, topic, group, client_id, log_path, args=()):
        self.log_path = log_path
        self.client_id = client_id
        env = dict(os.environ, DATABASE_URL=db_url, MQTT_URL=broker, PYTHONUNBUFFERED="1", LOG_LEVEL="INFO")
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        command = [sys.executable, str(ROOT / "manage.py"), "ingest", "--topic", topic, "--group", group]
        command += ["--client-id", client_id, "--stats-every", "1", *args]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.started_at = self.log_path.stat().st_size

    def output(self):
        return self.log_path.read_text(errors="replace")

    def wait_subscribed(self, timeout=30):
        def subscribed():
            if self.proc.poll() is not None:
                raise AssertionError(f"ingest exited with {self.proc.returncode}:\n{self.output()}")
            with open(self.log_path, "rb") as f:
                f.seek(self.started_at)
                return b"ingest subscribed" in f.read()

        wait_for(subscribed, timeout=timeout, message=f"{self.client_id} to subscribe")
        return self

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()

    def stop(self, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


@pytest.fixture
def mqtt_run(mosquitto):
    """A fresh topic and shared-subscription group per test, so sessions left by one test (a killed
    worker keeps its session) never take messages of another."""
    tag = uuid.uuid4().hex[:10]
    return {"broker": mosquitto, "topic": f"t{tag}/v1/+/up", "group": f"g{tag}", "tag": tag}


@pytest.fixture
def start_ingest(shared_db, mqtt_run, tmp_path):
    """start_ingest(name="a", args=()) → IngestProcess, subscribed; all are stopped after the test."""
    started = []

    def start(name="a", args=(), client_id=None, wait=True):
        process = IngestProcess(
            db_url=shared_db,
            broker=mqtt_run["broker"],
            topic=mqtt_run["topic"],
            group=mqtt_run["group"],
            client_id=client_id or f"ingest-{mqtt_run['tag']}-{name}",
            log_path=tmp_path / f"ingest-{name}.log",
            args=args,
        )
        started.append(process)
        return process.wait_subscribed() if wait else process

    yield start
    for process in started:
        if process.proc.poll() is None:
            process.stop()
