# ruff: noqa: S310, S603, S607 - a test driver running our own fixed commands against loopback
"""`make prod-check`: start the real production stack on loopback, check it end to end, stop it.

PostgreSQL (DATABASE_URL, default the local server's firegrid_prodcheck database, recreated), Redis,
Mosquitto and nginx (Debian packages) in front of gunicorn, with the ingest, the Celery worker, Celery
beat and the GB/T 26875 gateway — the processes of deploy/processes.toml, run with production settings
(FIREGRID_ENV=production, TLS through nginx with a throw-away certificate). Then, through nginx: the
login page with its security headers, static files with far-future caching, plain HTTP redirected,
a demo login and the dashboard, /readyz; device messages published to Mosquitto and ingested; a task
run by the worker; a job sent by beat; the gateway's port. Exit status 0 only if every check passed.

    .venv/bin/python deploy/prodcheck.py [--keep] [--no-seed] [--dir DIR]

--keep leaves the stack running (for the load test, bench/load/) until Ctrl-C.
"""

import argparse
import http.cookiejar
import json
import math
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_DB = "postgres://firegrid:firegrid@127.0.0.1:5432/firegrid_prodcheck"
DEMO_PASSWORD = "firegrid-demo-2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(message):
    print(f"[prod-check] {message}", flush=True)


def load_processes():
    with open(REPO / "deploy" / "processes.toml", "rb") as f:
        return tomllib.load(f)


NGINX_TEMPLATE = REPO / "deploy" / "nginx" / "firegrid.conf.template"


def template_variables():
    """The ${FIREGRID_…} names the nginx site template uses."""
    return set(re.findall(r"\$\{(FIREGRID_[A-Z_]+)\}", NGINX_TEMPLATE.read_text()))


def render_site(values):
    """The nginx site template with every ${FIREGRID_…} replaced (a KeyError names one left out)."""
    return re.sub(r"\$\{(FIREGRID_[A-Z_]+)\}", lambda m: values[m.group(1)], NGINX_TEMPLATE.read_text())


def self_signed_certificate(cert, key, common_name, days=2):
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", str(days)]
        + ["-subj", f"/CN={common_name}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )


def nice_for(cpu_weight):
    """The nice value that gives a process about cpu_weight/100 of a default process' CPU share (the
    kernel weighs each nice step ~1.25×): 400 → -6. Lowering it needs root; otherwise 0."""
    nice = -round(math.log(cpu_weight / 100) / math.log(1.25))
    return nice if nice >= 0 or os.geteuid() == 0 else 0


def venv_command(command):
    """processes.toml's command with the programs taken from this virtualenv."""
    argv = shlex.split(command)
    local = VENV_BIN / argv[0]
    if local.exists():
        argv[0] = str(local)
    return argv


class Stack:
    def __init__(self, folder, database_url, seed):
        self.dir = Path(folder)
        self.database_url = database_url
        self.seed = seed
        self.procs = {}
        self.ports = {name: free_port() for name in ("http", "https", "web", "redis", "mqtt", "gb26875")}
        self.base = f"https://127.0.0.1:{self.ports['https']}"
        self.results = []
        (self.dir / "var").mkdir(parents=True, exist_ok=True)
        (self.dir / "logs").mkdir(exist_ok=True)

    # -- environment ----------------------------------------------------------------------------
    @property
    def env(self):
        env = dict(os.environ)
        env.update(
            FIREGRID_ENV="production",
            SECRET_KEY=getattr(self, "_secret", None) or self._new_secret(),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CSRF_TRUSTED_ORIGINS=self.base,
            PUBLIC_BASE_URL=self.base,
            DATABASE_URL=self.database_url,
            DB_CONN_MAX_AGE="60",
            REDIS_URL=f"redis://127.0.0.1:{self.ports['redis']}/0",
            MQTT_URL=f"mqtt://127.0.0.1:{self.ports['mqtt']}",
            FIREGRID_VAR_DIR=str(self.dir / "var"),
            MEDIA_ROOT=str(self.dir / "var" / "media"),
            GUNICORN_BIND=f"127.0.0.1:{self.ports['web']}",
            WEB_CONCURRENCY=env.get("WEB_CONCURRENCY", "2"),
            GB26875_HOST="127.0.0.1",
            GB26875_PORT=str(self.ports["gb26875"]),
            TRUSTED_PROXY_COUNT="1",
            JOB_INTERVALS="sweep_devices=10",  # so that beat sends a job within the check
            LOG_FORMAT="json",
            # the page caches on Redis as deploy/firegrid.env.example sets them
            PLACE_LIST_CACHE_SECONDS=env.get("PLACE_LIST_CACHE_SECONDS", "30"),
            DASHBOARD_CACHE_SECONDS=env.get("DASHBOARD_CACHE_SECONDS", "30"),
            PYTHONUNBUFFERED="1",
            PATH=f"{VENV_BIN}:{env.get('PATH', '')}",
        )
        return env

    def _new_secret(self):
        self._secret = secrets.token_urlsafe(50)
        return self._secret

    def run(self, *argv, timeout=900):
        say("$ " + " ".join(argv))
        done = subprocess.run(argv, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout)  # noqa: S603
        if done.returncode:
            print(done.stdout[-4000:], done.stderr[-4000:], sep="\n")
            raise SystemExit(f"{argv[0]} failed with exit status {done.returncode}")
        return done.stdout

    def start(self, name, argv, nice=0):
        log = open(self.dir / "logs" / f"{name}.log", "w")  # noqa: SIM115 - closed when the stack stops
        self.procs[name] = (
            subprocess.Popen(  # noqa: S603
                argv,
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=(lambda: os.nice(nice)) if nice else None,  # noqa: PLW1509 - no threads yet
            ),
            log,
        )
        say(f"started {name} (pid {self.procs[name][0].pid}{f', nice {nice}' if nice else ''})")

    # -- services -------------------------------------------------------------------------------
    def fresh_database(self):
        import psycopg

        url = urllib.parse.urlsplit(self.database_url)
        if url.scheme not in {"postgres", "postgresql"}:
            raise SystemExit("prod-check needs a PostgreSQL DATABASE_URL (production runs on PostgreSQL).")
        name = url.path.lstrip("/")
        admin = url._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        say(f"database {name} created")

    def start_redis(self):
        self.start(
            "redis",
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.ports["redis"]),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(self.dir / "var"),
            ],
        )

    def start_mosquitto(self):
        conf = self.dir / "mosquitto.conf"
        conf.write_text(
            f"listener {self.ports['mqtt']} 127.0.0.1\nallow_anonymous true\n"
            f"persistence true\npersistence_location {self.dir / 'var'}/\n"
            + (f"user {os.environ.get('USER', 'root')}\n" if os.geteuid() == 0 else "")
        )
        self.start("mosquitto", ["/usr/sbin/mosquitto", "-c", str(conf)])

    def start_nginx(self):
        cert, key = self.dir / "tls.crt", self.dir / "tls.key"
        self_signed_certificate(cert, key, "127.0.0.1")
        values = {
            "FIREGRID_SERVER_NAME": "127.0.0.1 localhost",
            "FIREGRID_HTTP_PORT": f"127.0.0.1:{self.ports['http']}",
            "FIREGRID_HTTPS_PORT": f"127.0.0.1:{self.ports['https']}",
            "FIREGRID_TLS_CERT": str(cert),
            "FIREGRID_TLS_KEY": str(key),
            "FIREGRID_UPSTREAM": f"127.0.0.1:{self.ports['web']}",
            "FIREGRID_STATIC_ROOT": str(self.dir / "var" / "static"),
        }
        site = render_site(values)
        # the redirect target carries only the port number
        site = site.replace(f"$host:127.0.0.1:{self.ports['https']}", f"$host:{self.ports['https']}")
        (self.dir / "firegrid-site.conf").write_text(site)
        temp = self.dir / "nginx-temp"
        temp.mkdir(exist_ok=True)
        (self.dir / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 2;\npid {self.dir}/nginx.pid;\nerror_log {self.dir}/logs/nginx-error.log;\n"
            "events { worker_connections 1024; }\n"
            "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
            f"  access_log {self.dir}/logs/nginx-access.log;\n"
            + "".join(
                f"  {kind}_temp_path {temp}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"  sendfile on;\n  include {self.dir}/firegrid-site.conf;\n}}\n"
        )
        self.run("nginx", "-t", "-q", "-c", str(self.dir / "nginx.conf"))
        self.start("nginx", ["nginx", "-c", str(self.dir / "nginx.conf"), "-g", "daemon off;"])

    def wait_port(self, port, name, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(
            f"{name} did not open port {port} within {timeout} s (see {self.dir}/logs/{name}.log)"
        )

    def up(self):
        self.fresh_database()
        self.start_redis()
        self.start_mosquitto()
        self.wait_port(self.ports["redis"], "redis")
        self.wait_port(self.ports["mqtt"], "mosquitto")
        firegrid = str(VENV_BIN / "firegrid")
        self.run(firegrid, "migrate", "--noinput")
        self.run(firegrid, "collectstatic", "--noinput", "-v", "0")
        self.run(firegrid, "check", "--deploy", "--fail-level", "WARNING")
        if self.seed:
            self.run(firegrid, "seed_demo")
        for name, spec in load_processes().items():
            self.start(name, venv_command(spec["command"]), nice=nice_for(spec.get("cpu_weight", 100)))
        self.start_nginx()
        self.wait_port(self.ports["web"], "web")
        self.wait_port(self.ports["https"], "nginx")
        self.wait_serving()

    def wait_serving(self, timeout=180):
        """gunicorn listens before its workers have loaded the app: wait until a page comes back."""
        browser = Browser(self.base)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if browser.request("/healthz")[0] == 200 and browser.request("/accounts/login/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(1)
        raise SystemExit(f"the site did not serve a page within {timeout} s (see {self.dir}/logs/web.log)")

    def down(self):
        for name, (proc, _log) in reversed(list(self.procs.items())):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM if name != "nginx" else signal.SIGQUIT)
        for proc, log in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        say("stack stopped")

    # -- checks ---------------------------------------------------------------------------------
    def check(self, name, fn):
        try:
            detail = fn()
        except Exception as exc:  # every check reports, the run goes on
            self.results.append((name, False, f"{type(exc).__name__}: {exc}"))
            say(f"FAIL {name}: {type(exc).__name__}: {exc}")
        else:
            self.results.append((name, True, detail or ""))
            say(f"ok   {name}{': ' + detail if detail else ''}")


class Browser:
    """urllib with cookies over our self-signed TLS, never following redirects by itself."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base):
        self.base = base
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(self.jar),
            self.NoRedirect,
        )

    def request(self, path, data=None, headers=None):
        url = path if path.startswith("http") else self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers={"Accept-Language": "en", **(headers or {})})
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), "")


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.5)


def run_checks(stack):
    browser = Browser(stack.base)

    def login_page():
        status, headers, body = browser.request("/accounts/login/")
        assert status == 200, f"status {status}"
        csp = headers.get("Content-Security-Policy", "")
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        ), csp
        assert headers.get("Strict-Transport-Security"), "no HSTS header"
        assert headers.get("X-Content-Type-Options") == "nosniff"
        assert headers.get("X-Request-ID"), "no request id echoed"
        return f"{len(body)} bytes, CSP and HSTS present"

    def static_files():
        _, _, body = browser.request("/accounts/login/")
        match = re.search(rb'/static/[^"\']+\.css', body)
        assert match, "no stylesheet linked"
        status, headers, _ = browser.request(match.group().decode(), headers={"Accept-Encoding": "gzip"})
        assert status == 200, f"status {status}"
        assert "immutable" in headers.get("Cache-Control", ""), headers.get("Cache-Control")
        return f"{match.group().decode()} cached immutable, {headers.get('Content-Encoding') or 'identity'}"

    def http_redirects():
        plain = Browser(f"http://127.0.0.1:{stack.ports['http']}")
        status, headers, _ = plain.request(f"http://127.0.0.1:{stack.ports['http']}/accounts/login/")
        assert status == 301 and headers["Location"].startswith("https://"), (status, headers.get("Location"))
        return headers["Location"]

    def login_and_dashboard():
        browser.request("/accounts/login/")
        status, headers, _ = browser.request(
            "/accounts/login/",
            {
                "username": "district_admin",
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": browser.cookie("csrftoken"),
            },
            headers={"Referer": stack.base + "/accounts/login/"},
        )
        assert status == 302, f"login answered {status}"
        status, _, body = browser.request("/dashboard/")
        assert status == 200, f"dashboard {status}"
        status, _, api = browser.request("/api/v1/dashboard/")
        assert status == 200, f"dashboard API {status}"
        return f"dashboard {len(body)} bytes, API {len(api)} bytes"

    def readyz():
        status, _, body = browser.request("/readyz")
        answer = json.loads(body)
        assert status == 200 and answer["status"] == "ok", (status, answer)
        return (
            answer["status"]
            + ": "
            + ", ".join(
                f"{k}={v.get('status', v) if isinstance(v, dict) else v}"
                for k, v in answer.get("checks", {}).items()
            )
        )

    def count(sql):
        import psycopg

        with psycopg.connect(stack.database_url) as conn:
            return conn.execute(sql).fetchone()[0]

    def telemetry():
        before = count("SELECT count(*) FROM iot_message")
        keys = stack.dir / "var" / "sim-devices.json"
        stack.run(
            str(VENV_BIN / "firegrid"),
            "simulate-devices",
            "--create",
            "--devices",
            "5",
            "--rate",
            "50",
            "--max-messages",
            "40",
            "--seed",
            "7",
            "--keys",
            str(keys),
            timeout=120,
        )
        after = wait_for(
            lambda: (n := count("SELECT count(*) FROM iot_message")) >= before + 40 and n,
            60,
            "ingested messages",
        )
        return f"{after - before} messages published to Mosquitto and ingested"

    def worker_task():
        stack.run(str(VENV_BIN / "celery"), "--app", "firegrid", "call", "sweep_hazards", timeout=60)
        wait_for(
            lambda: count(
                "SELECT count(*) FROM ops_jobrun WHERE name = 'sweep_hazards' AND status = 'succeeded'"
            ),
            60,
            "sweep_hazards run by the worker",
        )
        return "sweep_hazards ran on the worker"

    def beat_schedule():
        wait_for(
            lambda: count(
                "SELECT count(*) FROM ops_jobrun WHERE name = 'sweep_devices' AND status = 'succeeded'"
            ),
            60,
            "sweep_devices sent by beat",
        )
        return "sweep_devices sent by beat and run"

    def gateway():
        socket.create_connection(("127.0.0.1", stack.ports["gb26875"]), timeout=2).close()
        return f"listening on {stack.ports['gb26875']}"

    stack.check("login page through nginx (TLS, CSP, HSTS)", login_page)
    stack.check("static files served by nginx", static_files)
    stack.check("plain HTTP redirected to HTTPS", http_redirects)
    if stack.seed:
        stack.check("demo login and dashboard", login_and_dashboard)
    if stack.seed:
        stack.check("device messages through Mosquitto into the ingest", telemetry)
    stack.check("Celery task on Redis", worker_task)
    stack.check("Celery beat schedule", beat_schedule)
    stack.check("/readyz (every dependency and job)", readyz)
    stack.check("GB/T 26875 gateway", gateway)
    for name, (proc, _) in stack.procs.items():
        stack.check(
            f"process {name} still running",
            lambda proc=proc: (
                None
                if proc.poll() is None
                else (_ for _ in ()).throw(AssertionError(f"exited with {proc.returncode}"))
            ),
        )


def stop_on_signals():
    """Ctrl-C and SIGTERM stop the stack: both raise KeyboardInterrupt in the main thread, so `finally`
    runs stack.down(). (signal.sigwait without blocking the signals first never saw a SIGTERM — its default
    action killed us and left every process of the stack running — and a shell that starts us in the
    background, `… &`, leaves SIGINT ignored.) Set before any process starts, so they get the defaults."""

    def stop(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave the stack running until Ctrl-C")
    parser.add_argument("--no-seed", dest="seed", action="store_false", help="skip the demo data")
    parser.add_argument("--dir", help="working folder (default: a new temporary folder)")
    args = parser.parse_args(argv)
    stop_on_signals()
    for program in ("redis-server", "nginx", "openssl"):
        if not shutil.which(program) and not Path(f"/usr/sbin/{program}").exists():
            raise SystemExit(
                f"{program} is missing: apt-get install redis-server nginx-light openssl mosquitto"
            )
    folder = args.dir or tempfile.mkdtemp(prefix="firegrid-prod-")
    stack = Stack(folder, os.environ.get("DATABASE_URL") or DEFAULT_DB, args.seed)
    started = time.monotonic()
    try:
        stack.up()
        run_checks(stack)
        failed = [name for name, ok, _ in stack.results if not ok]
        say(
            f"{len(stack.results) - len(failed)}/{len(stack.results)} checks passed in "
            f"{time.monotonic() - started:.0f} s; logs in {folder}/logs"
        )
        if args.keep and not failed:
            say(
                f"running at {stack.base} (web {stack.ports['web']}, redis {stack.ports['redis']}, "
                f"mqtt {stack.ports['mqtt']}); Ctrl-C stops it"
            )
            (Path(folder) / "stack.json").write_text(
                json.dumps(
                    {
                        "base": stack.base,
                        "ports": stack.ports,
                        "env": {
                            k: stack.env[k]
                            for k in ("DATABASE_URL", "REDIS_URL", "MQTT_URL", "FIREGRID_VAR_DIR")
                        },
                    }
                )
            )
            try:
                while True:
                    signal.pause()
            except KeyboardInterrupt:
                say("stopping")
    finally:
        if any(not ok for _, ok, _ in stack.results):
            for name in stack.procs:
                log = Path(folder) / "logs" / f"{name}.log"
                if log.exists():
                    print(
                        f"--- {name}.log (last lines)\n"
                        + "\n".join(log.read_text(errors="replace").splitlines()[-15:])
                    )
        stack.down()
    return 1 if any(not ok for _, ok, _ in stack.results) else 0


if __name__ == "__main__":
    sys.exit(main())
