# ruff: noqa: S603, S607, S310 - a bench driver running our own fixed commands against loopback
"""The production load test in one command (issue 12): the whole production stack on loopback, a district
seeded at scale, device telemetry at a set rate, and locust's day in the life at increasing users.

    .venv/bin/python bench/load/run.py [--scale 25] [--steps 50,100,200] [--measure 180] [--rate 1000]
        [--compare gunicorn:2:4,gunicorn:4:8,granian:4:4 --compare-step 200]

What it does, in order (bench/README.md, "Production load test (issue 12)", has the figures):

1. `deploy/prodcheck.py --keep --no-seed --dir DIR` starts PostgreSQL's database (DATABASE_URL, default
   firegrid_load, dropped and created), Redis, Mosquitto, nginx with TLS, gunicorn (WEB_CONCURRENCY ×
   GUNICORN_THREADS), the ingest, Celery worker and beat, the GB/T 26875 gateway, checks them and leaves
   them running; this waits for DIR/stack.json.
2. `firegrid seed_demo --scale N` into that database; `firegrid simulate-devices --create` registers
   the devices; bench/load/fixture.py adds `--cases` hazard cases with their timelines (COPY, with
   bench/bench_hazards.py's seeder) and picks the accounts, places and codes the simulated people use.
3. `firegrid simulate-devices --rate R` publishes to Mosquitto for the whole run (QoS 1).
4. For each step: locust (bench/.venv-load, bench/load/requirements.txt) headless with the users of
   bench/load/locustfile.py — the step is the number of staff users; the public come on top (a fifth of
   all users). The locustfile measures `--measure` seconds starting `--warmup` seconds after the last
   user was spawned (so the logins, Argon2 on purpose, are not in the page figures), then stops.
   Meanwhile every 2 s: the ingest lag (now minus the device time of the newest stored message, from the
   database), the stored message rate, the machine's CPU from /proc/stat, the CPU of each process of the
   stack (and of our database's PostgreSQL backends, locust and the publisher), and the load average.
5. `--compare`: the same step again with another web server in place of prod-check's gunicorn
   (server:workers:threads; granian from bench/.venv-load/granian, `pip install --target`).
6. Stops everything it started and prints the tables (also DIR/report.md, DIR/results.json).

It refuses to start if the load venv is missing; create it with
    python3.11 -m venv bench/.venv-load && bench/.venv-load/bin/pip install -r bench/load/requirements.txt
    .venv/bin/pip install --target bench/.venv-load/granian granian==2.8.7     # only for --compare granian
"""

import argparse
import json
import math
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
LOAD_VENV = REPO / "bench" / ".venv-load"
GRANIAN_DIR = LOAD_VENV / "granian"
DEFAULT_DB = "postgres://firegrid:firegrid@127.0.0.1:5432/firegrid_load"
TICK = os.sysconf("SC_CLK_TCK")
STAFF_SHARE = 0.8  # locustfile weights: grid workers 5, officers 3, public 2
LOGIN = "(login)"
GOAL_MS = 300


def say(message):
    print(f"[load] {time.strftime('%H:%M:%S')} {message}", flush=True)


# ---- /proc ---------------------------------------------------------------------------------------


def machine_ticks():
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]), idle


def process_table():
    """pid → (ppid, cpu ticks) for every process."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def descendants(table, roots):
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    seen, stack = set(), [r for r in roots if r in table]
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack.extend(children.get(pid, ()))
    return seen


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(v) for v in f.read().split()[:3]]


# ---- statistics ----------------------------------------------------------------------------------


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def summarise(values):
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50": percentile(ordered, 50),
        "p95": percentile(ordered, 95),
        "p99": percentile(ordered, 99),
        "max": ordered[-1] if ordered else 0.0,
    }


# ---- the stack -----------------------------------------------------------------------------------


class Load:
    def __init__(self, args):
        self.args = args
        self.dir = Path(args.dir or tempfile.mkdtemp(prefix="firegrid-load-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.database_url = os.environ.get("DATABASE_URL") or DEFAULT_DB
        self.pids = {}  # name → root pid, from prod-check's "started NAME (pid N)"
        self.prodcheck = None
        self.publisher = None
        self.web = None  # our replacement web server, if any
        self.stack = None
        self.samples = []
        self.sampling = threading.Event()
        self.sampler = None
        self.current_step = None
        self.results = {"steps": [], "compare": []}

    # -- starting --------------------------------------------------------------------------------
    def start_stack(self):
        env = dict(os.environ, DATABASE_URL=self.database_url)
        env["WEB_CONCURRENCY"] = str(self.args.workers)
        env["GUNICORN_THREADS"] = str(self.args.threads)
        log = open(self.dir / "prodcheck.log", "w")  # noqa: SIM115 - kept open while prod-check runs
        stack_json = self.dir / "stack.json"
        stack_json.unlink(missing_ok=True)  # a run before into the same --dir left its own
        self.prodcheck = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "deploy" / "prodcheck.py"),
                "--keep",
                "--no-seed",
                "--dir",
                str(self.dir),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # our Ctrl-C goes to prod-check only through stop()
        )

        def pump():
            for line in self.prodcheck.stdout:
                log.write(line)
                log.flush()
                # "started ingest (pid 123, nice -6)": prod-check names the nice level of the ingest
                match = re.search(r"started (\S+) \(pid (\d+)[,)]", line)
                if match:
                    self.pids[match.group(1)] = int(match.group(2))

        threading.Thread(target=pump, daemon=True).start()
        say(f"prod-check starting the stack in {self.dir} (log: {self.dir / 'prodcheck.log'})")
        deadline = time.monotonic() + 900
        while not stack_json.exists():
            if self.prodcheck.poll() is not None:
                raise SystemExit(
                    f"prod-check exited with {self.prodcheck.returncode}: see {self.dir}/prodcheck.log"
                )
            if time.monotonic() > deadline:
                raise SystemExit("the stack did not come up within 15 minutes")
            time.sleep(1)
        self.stack = json.loads(stack_json.read_text())
        say(f"stack up at {self.stack['base']}: " + ", ".join(f"{k} {v}" for k, v in self.pids.items()))

    def firegrid(self, *argv, timeout=1800, production=False):
        env = dict(os.environ, **self.stack["env"], PYTHONUNBUFFERED="1")
        if not production:
            env.pop("FIREGRID_ENV", None)
        started = time.monotonic()
        done = subprocess.run(
            [str(VENV_BIN / "firegrid"), *argv],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
            raise SystemExit(f"firegrid {argv[0]} failed ({done.returncode})")
        return done.stdout, time.monotonic() - started

    def seed(self):
        say(f"seed_demo --scale {self.args.scale} …")
        out, seconds = self.firegrid("seed_demo", "--scale", str(self.args.scale))
        self.results["seed_seconds"] = round(seconds, 1)
        self.results["seed_summary"] = [
            line for line in out.splitlines() if line and not line.startswith("  ")
        ][:8]
        say(f"seeded in {seconds:.0f} s")
        keys = self.dir / "var" / "sim-devices.json"
        out, seconds = self.firegrid(
            "simulate-devices",
            "--create",
            "--devices",
            str(self.args.devices),
            "--rate",
            "100",
            "--max-messages",
            "1",
            "--seed",
            "7",
            "--keys",
            str(keys),
            "--url",
            self.stack["env"]["MQTT_URL"],
        )
        say(f"{self.args.devices} devices registered in {seconds:.0f} s")
        env = dict(os.environ, DATABASE_URL=self.stack["env"]["DATABASE_URL"])
        env.pop("FIREGRID_ENV", None)
        done = subprocess.run(
            [
                sys.executable,
                str(REPO / "bench" / "load" / "fixture.py"),
                str(self.dir / "fixture.json"),
                "--grid-workers",
                str(max(400, max([*self.steps(), self.args.compare_step]) * 2)),
                "--cases",
                str(self.args.cases),
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if done.returncode:
            print(done.stdout, done.stderr)
            raise SystemExit("fixture.py failed")
        say(done.stdout.strip().replace("\n", "; "))
        self.results["fixture"] = json.loads((self.dir / "fixture.json").read_text())["counts"]
        # a production database is vacuumed and analysed; without this, autovacuum works through the
        # freshly seeded tables during some measured windows and not others
        import psycopg

        started = time.monotonic()
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
        say(f"VACUUM (ANALYZE) of the database in {time.monotonic() - started:.0f} s")

    def start_publisher(self):
        env = dict(os.environ, **self.stack["env"], PYTHONUNBUFFERED="1")
        env.pop("FIREGRID_ENV", None)
        self.publisher_log = open(self.dir / "publisher.log", "w")  # noqa: SIM115
        self.publisher = subprocess.Popen(
            [
                str(VENV_BIN / "firegrid"),
                "simulate-devices",
                "--devices",
                str(self.args.devices),
                "--rate",
                str(self.args.rate),
                "--duration",
                "7200",
                "--seed",
                "8",
                "--keys",
                str(self.dir / "var" / "sim-devices.json"),
                "--url",
                self.stack["env"]["MQTT_URL"],
            ],
            cwd=REPO,
            env=env,
            stdout=self.publisher_log,
            stderr=subprocess.STDOUT,
        )
        say(f"publishing {self.args.rate} msgs/s from {self.args.devices} devices (pid {self.publisher.pid})")

    # -- sampling --------------------------------------------------------------------------------
    def groups(self):
        groups = {
            "web": [self.web.pid] if self.web else [self.pids.get("web")],
            "ingest": [self.pids.get("ingest")],
            "celery": [self.pids.get("worker"), self.pids.get("beat")],
            "nginx": [self.pids.get("nginx")],
            "redis+mosquitto": [self.pids.get("redis"), self.pids.get("mosquitto")],
            "gb26875": [self.pids.get("gb26875")],
            "publisher": [self.publisher.pid if self.publisher else None],
            "locust": [self.locust.pid if getattr(self, "locust", None) else None],
        }
        return {name: [p for p in pids if p] for name, pids in groups.items()}

    def sample_loop(self):
        import psycopg

        database = urllib.parse.urlsplit(self.database_url).path.lstrip("/")
        conn = psycopg.connect(self.database_url, autocommit=True)
        previous = None
        while not self.sampling.is_set():
            now = time.time()
            total, idle = machine_ticks()
            table = process_table()
            backends = [
                row[0]
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [database],
                )
            ]
            lag, last_id = conn.execute(
                "SELECT extract(epoch FROM clock_timestamp() - max(ts)), max(id) "
                "FROM (SELECT id, ts FROM iot_message ORDER BY id DESC LIMIT 200) newest"
            ).fetchone()
            group_ticks = {}
            for name, roots in self.groups().items():
                group_ticks[name] = sum(table[p][1] for p in descendants(table, roots))
            group_ticks["postgres (our db)"] = sum(table[p][1] for p in backends if p in table)
            current = {"t": now, "total": total, "idle": idle, "groups": group_ticks, "last_id": last_id or 0}
            if previous is not None:
                elapsed = current["total"] - previous["total"]
                seconds = now - previous["t"]
                row = {
                    "t": now,
                    "step": self.current_step,
                    "busy": 100.0 * (elapsed - (idle - previous["idle"])) / max(elapsed, 1),
                    "groups": {
                        name: 100.0 * max(0, ticks - previous["groups"].get(name, ticks)) / TICK / seconds
                        for name, ticks in group_ticks.items()
                    },
                    "lag": float(lag) if lag is not None else None,
                    "stored_per_s": (current["last_id"] - previous["last_id"]) / seconds,
                    "load": loadavg()[0],
                }
                self.samples.append(row)
            previous = current
            self.sampling.wait(2.0)
        conn.close()

    def start_sampling(self):
        self.sampler = threading.Thread(target=self.sample_loop, daemon=True)
        self.sampler.start()

    # -- a step ----------------------------------------------------------------------------------
    def steps(self):
        return [int(s) for s in self.args.steps.split(",") if s]

    def run_step(self, staff, label):
        users = math.ceil(staff / STAFF_SHARE)
        name = re.sub(r"[^A-Za-z0-9_.=@-]", "-", label)  # a file name (a --compare label has : and /)
        results = self.dir / f"locust-{name}.json"
        env = dict(
            os.environ,
            FIREGRID_LOAD_FIXTURE=str(self.dir / "fixture.json"),
            FIREGRID_LOAD_RESULTS=str(results),
            FIREGRID_LOAD_WARMUP=str(self.args.warmup),
            FIREGRID_LOAD_MEASURE=str(self.args.measure),
            FIREGRID_LOAD_THINK=self.args.think,
        )
        budget = users / self.args.spawn_rate + self.args.warmup + self.args.measure + 180
        say(
            f"step {label}: {users} users ({staff} staff), spawn {self.args.spawn_rate}/s, warm-up "
            f"{self.args.warmup} s, measuring {self.args.measure} s; load average {loadavg()}"
        )
        self.current_step = label
        with open(self.dir / f"locust-{name}.log", "w") as log:
            self.locust = subprocess.Popen(
                [
                    str(LOAD_VENV / "bin" / "locust"),
                    "-f",
                    str(REPO / "bench" / "load" / "locustfile.py"),
                    "--headless",
                    "--host",
                    self.stack["base"],
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(self.args.spawn_rate),
                    "--run-time",
                    f"{int(budget)}s",
                    "--stop-timeout",
                    "20",
                    "--loglevel",
                    "WARNING",
                    "--only-summary",
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                self.locust.wait(budget + 60)
            except subprocess.TimeoutExpired:
                self.locust.kill()
                self.locust.wait()
        self.current_step = None
        if not results.exists():
            raise SystemExit(f"locust wrote no results: see {self.dir}/locust-{name}.log")
        data = json.loads(results.read_text())
        return self.figures(label, staff, users, data)

    def figures(self, label, staff, users, data):
        start, end = data["window"]
        measured = [s for s in data["samples"] if start <= s[3] <= end]
        logins = [s for s in data["samples"] if LOGIN in s[0]]
        work = [s for s in measured if LOGIN not in s[0]]
        ops = {}
        for name, ms, failed, _ in work:
            entry = ops.setdefault(name, {"times": [], "failures": 0})
            entry["times"].append(ms)
            entry["failures"] += bool(failed)
        seconds = end - start
        per_op = {
            name: summarise(entry["times"])
            | {"failures": entry["failures"], "rps": len(entry["times"]) / seconds}
            for name, entry in sorted(ops.items())
        }
        window = [r for r in self.samples if start <= r["t"] <= end + 1]
        lags = [r["lag"] for r in window if r["lag"] is not None]
        groups = {}
        for row in window:
            for name, value in row["groups"].items():
                groups.setdefault(name, []).append(value)
        login_failures = sum(1 for s in logins if s[2])
        step = {
            "label": label,
            "staff": staff,
            "users": users,
            "seconds": round(seconds, 1),
            "requests": len(work),
            "failures": sum(1 for s in work if s[2]),
            "rps": len(work) / seconds if seconds else 0,
            "overall": summarise([s[1] for s in work]),
            "ops": per_op,
            "logins": summarise([s[1] for s in logins]) | {"failures": login_failures},
            "errors": data.get("errors", {}),
            "lag": summarise(lags),
            "stored_per_s": sum(r["stored_per_s"] for r in window) / len(window) if window else 0,
            "cpu_busy": sum(r["busy"] for r in window) / len(window) if window else 0,
            "cpu_groups": {name: sum(v) / len(v) for name, v in groups.items()},
            "load": [min(r["load"] for r in window), max(r["load"] for r in window)] if window else [0, 0],
        }
        worst = max(per_op.items(), key=lambda kv: kv[1]["p95"], default=("-", {"p95": 0}))
        step["worst"] = [worst[0], worst[1]["p95"]]
        say(
            f"step {label}: {step['requests']} requests, {step['failures']} failed, {step['rps']:.1f} req/s, "
            "p50/p95/p99 {p50:.0f}/{p95:.0f}/{p99:.0f} ms, ".format(**step["overall"])
            + f"worst p95 {worst[1]['p95']:.0f} ms ({worst[0]}); ingest lag p50 {step['lag']['p50']:.1f} s "
            f"max {step['lag']['max']:.1f} s, stored {step['stored_per_s']:.0f} msgs/s; "
            f"CPU {step['cpu_busy']:.0f} %"
        )
        return step

    # -- other web servers -----------------------------------------------------------------------
    def web_pid(self):
        return self.web.pid if self.web else self.pids["web"]

    def replace_web(self, spec):
        kind, workers, threads, *settings = spec.split(":")  # then NAME=value environment settings
        pid = self.web_pid()
        if not hasattr(self, "web_env"):
            with open(f"/proc/{pid}/environ", "rb") as f:
                self.web_env = dict(
                    item.decode().split("=", 1) for item in f.read().split(b"\0") if b"=" in item
                )
        say(f"replacing the web server (pid {pid}) with {spec}")
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 45
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            if self.web and self.web.poll() is not None:
                break
            try:  # a zombie of prod-check's (it reaps it when it stops) no longer holds the port
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().split(") ")[1].startswith("Z"):
                        break
            except OSError:
                break
            time.sleep(0.3)
        if self.web:
            self.web.wait(10)
            self.web_log.close()
        env = dict(self.web_env, WEB_CONCURRENCY=workers, GUNICORN_THREADS=threads)
        env.update(setting.split("=", 1) for setting in settings)
        host, port = env["GUNICORN_BIND"].rsplit(":", 1)
        if kind == "gunicorn":
            argv = [
                str(VENV_BIN / "gunicorn"),
                "firegrid.wsgi:application",
                "--config",
                "deploy/gunicorn.conf.py",
            ]
        elif kind == "granian":
            if not (GRANIAN_DIR / "granian").exists():
                raise SystemExit(
                    f"granian is not installed: .venv/bin/pip install --target {GRANIAN_DIR} granian"
                )
            env["PYTHONPATH"] = f"{GRANIAN_DIR}:{REPO}"
            argv = [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                host,
                "--port",
                port,
                "--workers",
                workers,
                "--blocking-threads",
                threads,
                "--no-ws",
                "--log-level",
                "warning",
                "firegrid.wsgi:application",
            ]
        else:
            raise SystemExit(f"unknown server {kind!r}: use gunicorn or granian")
        self.web_log = open(self.dir / f"web-{re.sub(r'[^A-Za-z0-9_.=-]', '-', spec)}.log", "w")  # noqa: SIM115
        self.web = subprocess.Popen(argv, cwd=REPO, env=env, stdout=self.web_log, stderr=subprocess.STDOUT)
        self.wait_healthy()
        say(f"{spec} serving (pid {self.web.pid})")

    def wait_healthy(self, timeout=120):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        deadline = time.monotonic() + timeout
        host, port = self.web_env["GUNICORN_BIND"].rsplit(":", 1)
        while time.monotonic() < deadline:
            if self.web and self.web.poll() is not None:
                raise SystemExit(f"the web server exited with {self.web.returncode}")
            try:  # the port first, so that nginx is not asked (and does not log a 502) before
                socket.create_connection((host, int(port)), timeout=1).close()
            except OSError:
                time.sleep(0.5)
                continue
            try:
                with urllib.request.urlopen(
                    self.stack["base"] + "/accounts/login/", context=context, timeout=5
                ) as r:
                    if r.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(1)
        raise SystemExit("the web server did not answer within 2 minutes")

    # -- stopping --------------------------------------------------------------------------------
    def stop(self):
        self.sampling.set()
        if getattr(self, "locust", None) and self.locust.poll() is None:
            self.locust.terminate()
            self.locust.wait(30)
        if self.publisher and self.publisher.poll() is None:
            self.publisher.terminate()
            try:
                self.publisher.wait(20)
            except subprocess.TimeoutExpired:
                self.publisher.kill()
                self.publisher.wait()
        if self.web and self.web.poll() is None:
            self.web.terminate()
            try:
                self.web.wait(40)
            except subprocess.TimeoutExpired:
                self.web.kill()
                self.web.wait()
        if self.prodcheck and self.prodcheck.poll() is None:
            self.prodcheck.terminate()  # prod-check stops the stack on SIGTERM
            try:
                self.prodcheck.wait(120)
            except subprocess.TimeoutExpired:
                self.prodcheck.kill()
                self.prodcheck.wait()
        say("everything stopped")


# ---- report --------------------------------------------------------------------------------------


def report(results, args):
    lines = []
    add = lines.append
    add(f"{results['date']}, commit {results['commit']}, {os.cpu_count()} CPUs; think time {args.think} s.")
    add(f"Load average before: {results['load_before']}, after: {results.get('load_after')}.")
    add(f"seed_demo --scale {args.scale}: {results.get('seed_seconds', '-')} s; {results.get('fixture', {})}")
    add("")
    add(
        "| step | server | staff users | all users | req/s | requests | failures | p50 ms | p95 ms | p99 ms "
        "| worst op p95 ms | logins p95 ms | ingest lag p50 / max s | stored msgs/s | machine CPU "
        "| load avg |"
    )
    add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for step in results["steps"] + results["compare"]:
        add(
            f"| {step['label']} | {step['server']} | {step['staff']} | {step['users']} | {step['rps']:.1f} "
            f"| {step['requests']} | {step['failures']} "
            "| {p50:.0f} | {p95:.0f} | {p99:.0f} ".format(**step["overall"])
            + f"| {step['worst'][1]:.0f} ({step['worst'][0]}) "
            f"| {step['logins']['p95']:.0f} | {step['lag']['p50']:.1f} / {step['lag']['max']:.1f} "
            f"| {step['stored_per_s']:.0f} | {step['cpu_busy']:.0f} % "
            f"| {step['load'][0]:.1f}–{step['load'][1]:.1f} |"
        )
    add("")
    add("CPU by process group (% of one core, mean over the measured window):")
    add("")
    names = sorted({n for s in results["steps"] + results["compare"] for n in s["cpu_groups"]})
    add("| step | " + " | ".join(names) + " | other (machine − these) |")
    add("| --- |" + " --- |" * (len(names) + 1))
    for step in results["steps"] + results["compare"]:
        ours = sum(step["cpu_groups"].values())
        other = max(0.0, step["cpu_busy"] * os.cpu_count() - ours)
        add(
            f"| {step['label']} | "
            + " | ".join(f"{step['cpu_groups'].get(n, 0):.0f}" for n in names)
            + f" | {other:.0f} |"
        )
    for step in results["steps"] + results["compare"]:
        add("")
        add(
            f"Step {step['label']} ({step['server']}, {step['staff']} staff users, {step['users']} in all), "
            "per operation:"
        )
        add("")
        add("| operation | requests | req/s | failures | p50 ms | p95 ms | p99 ms | max ms |")
        add("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, op in step["ops"].items():
            flag = " **>300**" if op["p95"] > GOAL_MS else ""
            add(
                f"| {name} | {op['n']} | {op['rps']:.2f} | {op['failures']} | {op['p50']:.0f} "
                f"| {op['p95']:.0f}{flag} | {op['p99']:.0f} | {op['max']:.0f} |"
            )
        lg = step["logins"]
        add(
            f"| (login, whole run) | {lg['n']} | - | {lg['failures']} | {lg['p50']:.0f} | {lg['p95']:.0f} | "
            f"{lg['p99']:.0f} | {lg['max']:.0f} |"
        )
        if step["errors"]:
            add("")
            add("Errors: " + "; ".join(f"{n}: {m}" for n, m in step["errors"].items())[:2000])
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", help="working folder (default: a new temporary folder)")
    parser.add_argument("--scale", type=int, default=25, help="seed_demo --scale (default 25: ~1e5 places)")
    parser.add_argument(
        "--cases", type=int, default=200_000, help="hazard cases added with COPY (default 200,000)"
    )
    parser.add_argument("--steps", default="50,100,200", help="staff users per step (default 50,100,200)")
    parser.add_argument(
        "--warmup", type=int, default=30, help="seconds after the last user spawned (default 30)"
    )
    parser.add_argument("--measure", type=int, default=180, help="seconds measured per step (default 180)")
    parser.add_argument(
        "--think", default="5,15", help="seconds between a person's tasks, min,max (default 5,15)"
    )
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second (default 5)")
    parser.add_argument("--rate", type=float, default=1000, help="device messages per second (default 1000)")
    parser.add_argument("--devices", type=int, default=5000, help="simulated devices (default 5000)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers of the stack (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument(
        "--compare",
        default="",
        help="other servers at --compare-step: gunicorn:W:T,granian:W:T, each optionally followed by "
        ":NAME=value environment settings (e.g. gunicorn:4:4:GUNICORN_GC_THRESHOLD=700/10/10)",
    )
    parser.add_argument(
        "--compare-step", type=int, default=200, help="staff users for --compare (default 200)"
    )
    args = parser.parse_args(argv)
    if not (LOAD_VENV / "bin" / "locust").exists():
        raise SystemExit(f"no locust in {LOAD_VENV}: see the top of {__file__}")

    def interrupted(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    # Ctrl-C or SIGTERM: `finally` below stops everything (also when a shell left SIGINT ignored)
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    load = Load(args)
    results = load.results
    results["load_before"] = loadavg()
    results["args"] = vars(args)
    results["date"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    results["commit"] = done.stdout.strip() or os.environ.get("FIREGRID_LOAD_COMMIT", "unknown")
    say(f"load average before: {results['load_before']}")
    try:
        load.start_stack()
        load.seed()
        load.start_sampling()
        load.start_publisher()
        time.sleep(15)  # the ingest settles on the rate
        server = f"gunicorn {args.workers}×{args.threads}"
        for staff in load.steps():
            step = load.run_step(staff, f"{staff}")
            step["server"] = server
            results["steps"].append(step)
            time.sleep(10)
        for spec in [s for s in args.compare.split(",") if s]:
            load.replace_web(spec)
            step = load.run_step(args.compare_step, f"{args.compare_step}@{spec}")
            kind, workers, threads, *settings = spec.split(":")
            step["server"] = " ".join([f"{kind} {workers}×{threads}", *settings])
            results["compare"].append(step)
            time.sleep(10)
    finally:
        results["load_after"] = loadavg()
        load.stop()
        results["samples"] = load.samples  # the 2-second series: CPU by group, ingest lag, load
        (load.dir / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    text = report(results, args)
    (load.dir / "report.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
