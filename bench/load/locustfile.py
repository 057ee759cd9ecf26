"""A day in the life of a district, for locust (bench/load/run.py runs it; see bench/README.md).

Three kinds of people, by weight (run.py picks the user count so that the staff are the number asked):

- grid workers (FastHttpUser): log in once, open the field app and today's list, patrol a place of their
  grid on the phone form (start, answer items one tap at a time, submit), file a hazard with a photo
  through the staff report form, look at their open cases;
- officers (street officers, and a few district admins): hazard list with filters and a case, place list
  and search and a place, the dashboard, the map with its grid, hazard and device layers;
- the public (HttpUser: each visit from its own loopback address, 127.10.x.y, as phones on the street
  come from their own addresses — nginx passes the address it saw, and with TRUSTED_PROXY_COUNT=1 only
  that one counts, so a forged X-Forwarded-For would not spread them over the rate limit): the page
  behind a place's code, the report form with a small photo, a case's tracking page.

Each person thinks between steps (`FIREGRID_LOAD_THINK`, "min,max" seconds between tasks; taps inside a
task are 0.5–2 s apart). Every request is kept with its start time; the locustfile measures for
`FIREGRID_LOAD_MEASURE` seconds starting `FIREGRID_LOAD_WARMUP` seconds after every user has been spawned,
then stops the run and writes the samples to `FIREGRID_LOAD_RESULTS` (JSON). Logins are counted apart
(the password hash, Argon2, is slow on purpose).
"""

import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import gevent
import urllib3
from locust import FastHttpUser, HttpUser, between, events, task
from requests.adapters import HTTPAdapter

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # prod-check's throw-away certificate

FIXTURE = json.loads(Path(os.environ["FIREGRID_LOAD_FIXTURE"]).read_text())
PHOTO = Path(FIXTURE["photo"]).read_bytes()
PASSWORD = os.environ.get("FIREGRID_LOAD_PASSWORD", "firegrid-demo-2026")
THINK = tuple(float(x) for x in os.environ.get("FIREGRID_LOAD_THINK", "5,15").split(","))
WARMUP = float(os.environ.get("FIREGRID_LOAD_WARMUP", "30"))
MEASURE = float(os.environ.get("FIREGRID_LOAD_MEASURE", "180"))
RESULTS = os.environ.get("FIREGRID_LOAD_RESULTS", "")

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_RE = re.compile(r'href="/hazards/(\d+)/"')
PLACE_RE = re.compile(r'href="/places/(\d+)/"')
INSPECTOR_RE = re.compile(
    r'<input[^>]*name="inspectors"[^>]*value="(\d+)"[^>]*checked|'
    r'<input[^>]*checked[^>]*name="inspectors"[^>]*value="(\d+)"'
)
ITEM_RE = re.compile(
    r'name="checklist" value="([^"]+)">\s*<input type="hidden" name="item_code" value="([^"]+)"'
)
INSPECTION_RE = re.compile(r"/inspections/(\d+)/")
WORDS = ["灭火器", "消防通道", "电动车", "堆放杂物", "疏散指示", "电线老化", "安全出口", "燃气"]


# ---- samples -------------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.samples = []  # [name, ms, failed, started (epoch s)]
        self.errors = {}
        self.spawned_at = None
        self.window = None

    def on_request(
        self, request_type, name, response_time, response_length, exception=None, start_time=None, **_kwargs
    ):
        started = start_time or (time.time() - response_time / 1000)
        self.samples.append([name, round(response_time, 1), exception is not None, round(started, 3)])
        if exception is not None:
            messages = self.errors.setdefault(name, {})
            text = str(exception)[:200]
            messages[text] = messages.get(text, 0) + 1


RECORDER = Recorder()
events.request.add_listener(RECORDER.on_request)


@events.user_error.add_listener
def _task_error(user_instance, exception, tb, **_kwargs):
    """An exception in a task (not a failed request) counts as a failure too."""
    RECORDER.on_request("TASK", f"task error in {type(user_instance).__name__}", 0.0, 0, exception=exception)


@events.spawning_complete.add_listener
def _spawned(user_count, **_kwargs):
    if RECORDER.spawned_at is not None:
        return
    RECORDER.spawned_at = time.time()
    RECORDER.window = [RECORDER.spawned_at + WARMUP, RECORDER.spawned_at + WARMUP + MEASURE]
    environment = _ENV["environment"]

    def stop_later():
        gevent.sleep(WARMUP + MEASURE + 2)
        if environment.runner is not None:
            environment.runner.quit()

    gevent.spawn(stop_later)


_ENV = {}


@events.init.add_listener
def _init(environment, **_kwargs):
    _ENV["environment"] = environment


@events.quitting.add_listener
def _write(environment, **_kwargs):
    if not RESULTS:
        return
    Path(RESULTS).write_text(
        json.dumps(
            {
                "spawned_at": RECORDER.spawned_at,
                "window": RECORDER.window,
                "samples": RECORDER.samples,
                "errors": RECORDER.errors,
                "users": environment.runner.user_count if environment.runner else None,
            }
        )
    )


# ---- helpers -------------------------------------------------------------------------------------


def multipart(fields, files=()):
    """A multipart/form-data body: fields [(name, value)], files [(name, filename, bytes, type)]."""
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in fields:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, content, content_type in files:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def csrf(body):
    match = CSRF_RE.search(body)
    return match.group(1) if match else ""


def tap():
    gevent.sleep(random.uniform(0.5, 2.0))


class Staff(FastHttpUser):
    """A member of staff on a phone or a desk: logs in once, then works."""

    abstract = True
    wait_time = between(*THINK)
    # one connection per person, as a browser keeps one (HTTP/1.1 to nginx)
    concurrency = 1
    connection_timeout = 30.0
    network_timeout = 60.0
    account = None

    def headers(self, path, **extra):
        return {"Referer": self.host + path, "Origin": self.host, "Accept-Language": "zh-hans", **extra}

    def get(self, path, name, **kwargs):
        return self.client.get(path, name=name, headers={"Accept-Language": "zh-hans"}, **kwargs)

    def post(self, path, name, fields, files=(), expect=(302,), extra_headers=None):
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        headers = self.headers(path, **{"Content-Type": content_type, **(extra_headers or {})})
        with self.client.post(
            path, name=name, data=body, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code not in expect:
                response.failure(f"status {response.status_code}: {(response.text or '')[:120]!r}")
            return response

    def on_start(self):
        page = self.get("/accounts/login/", "GET /accounts/login/ (login)")
        response = self.post(
            "/accounts/login/",
            "POST /accounts/login/ (login)",
            [
                ("username", self.account["username"]),
                ("password", PASSWORD),
                ("csrfmiddlewaretoken", csrf(page.text)),
            ],
        )
        if response.status_code != 302:
            self.stop()


class GridWorker(Staff):
    weight = 5
    _accounts = itertools.cycle(FIXTURE["grid_workers"])

    def on_start(self):
        self.account = next(self._accounts)
        super().on_start()

    @task(3)
    def field_app(self):
        self.get("/field/", "GET /field/")
        self.get("/field/api/today/", "GET /field/api/today/")

    @task(3)
    def patrol(self):
        place = random.choice(self.account["places"])
        path = f"/places/{place['id']}/inspect/"
        page = self.get(path, "GET /places/[id]/inspect/")
        if page.status_code != 200:
            return
        match = INSPECTOR_RE.search(page.text)
        inspector = (match.group(1) or match.group(2)) if match else ""
        tap()
        started = self.post(
            path,
            "POST /places/[id]/inspect/ (start patrol)",
            [
                ("place", place["id"]),
                ("kind", "patrol"),
                ("inspectors", inspector),
                ("csrfmiddlewaretoken", csrf(page.text)),
            ],
        )
        found = INSPECTION_RE.search(started.headers.get("Location") or "")
        if not found:
            return
        pk = found.group(1)
        form = self.get(f"/inspections/{pk}/form/", "GET /inspections/[id]/form/")
        token = csrf(form.text)
        items = ITEM_RE.findall(form.text)
        for checklist, code in items[: random.randint(3, 6)]:
            tap()
            self.post(
                f"/inspections/{pk}/form/answer/",
                "POST /inspections/[id]/form/answer/ (htmx)",
                [
                    ("checklist", checklist),
                    ("item_code", code),
                    ("result", "pass"),
                    ("csrfmiddlewaretoken", token),
                ],
                expect=(200,),
                extra_headers={"HX-Request": "true", "X-CSRFToken": token},
            )
        tap()
        self.post(
            f"/inspections/{pk}/form/submit/",
            "POST /inspections/[id]/form/submit/",
            [("not_judged", ""), ("csrfmiddlewaretoken", token)],
        )
        self.get(f"/inspections/{pk}/", "GET /inspections/[id]/")

    @task(2)
    def file_hazard(self):
        place = random.choice(self.account["places"])
        path = "/hazards/new/"
        page = self.get(f"{path}?place={place['code']}", "GET /hazards/new/")
        if page.status_code != 200:
            return
        tap()
        tap()
        response = self.post(
            path,
            "POST /hazards/new/ (with a photo)",
            [
                ("place_code", place["code"]),
                ("category", random.choice(FIXTURE["staff_categories"])),
                ("description", f"{random.choice(WORDS)}：负载测试 {uuid.uuid4().hex[:6]}"),
                ("channel", "staff"),
                ("csrfmiddlewaretoken", csrf(page.text)),
            ],
            files=[("photos", "photo.jpg", PHOTO, "image/jpeg")],
        )
        location = response.headers.get("Location") or ""
        if location.startswith("/hazards/"):
            self.get(location, "GET /hazards/[id]/")

    @task(2)
    def my_cases(self):
        page = self.get("/hazards/?state=open", "GET /hazards/ (list, filtered)")
        ids = CASE_RE.findall(page.text or "")
        if ids:
            tap()
            self.get(f"/hazards/{random.choice(ids)}/", "GET /hazards/[id]/")


def officer_accounts():
    """Street officers, with a district admin as every tenth (the district's lists and dashboard are the
    heaviest pages)."""
    accounts, admins = [], itertools.cycle(FIXTURE["admins"] or [None])
    for i, officer in enumerate(FIXTURE["officers"] * 3, start=1):
        admin = next(admins) if i % 9 == 0 else None
        accounts.extend([officer, admin] if admin else [officer])
    return accounts


class Officer(Staff):
    weight = 3
    _accounts = itertools.cycle(officer_accounts())

    def on_start(self):
        self.account = next(self._accounts)
        super().on_start()

    @task(3)
    def hazards(self):
        query = random.choice(
            [
                "state=open",
                "state=open&severity=major",
                "status=ordered",
                "state=closed",
                urlencode({"q": random.choice(WORDS)}),
                f"state=open&region={self.account['region']}",
            ]
        )
        page = self.get(f"/hazards/?{query}", "GET /hazards/ (list, filtered)")
        ids = CASE_RE.findall(page.text or "")
        if ids:
            tap()
            self.get(f"/hazards/{random.choice(ids)}/", "GET /hazards/[id]/")

    @task(2)
    def places(self):
        if random.random() < 0.5:
            query = urlencode({"q": random.choice(FIXTURE["search_words"])})
        else:
            kind, risk = random.choice(FIXTURE["place_kinds"]), random.choice(FIXTURE["risk_levels"])
            query = f"kind={kind}&risk_level={risk}"
        page = self.get(f"/places/?{query}", "GET /places/ (list, search or filter)")
        ids = PLACE_RE.findall(page.text or "")
        if ids:
            tap()
            self.get(f"/places/{random.choice(ids)}/", "GET /places/[id]/")

    @task(2)
    def dashboard(self):
        self.get("/dashboard/", "GET /dashboard/")

    @task(2)
    def map(self):
        self.get("/map/", "GET /map/")
        region, bbox = self.account["region"], self.account["bbox"]
        accept = {"Accept": "application/json"}
        self.client.get(
            f"/api/v1/map/grids/?region={region}&kpi=open_hazards",
            name="GET /api/v1/map/grids/",
            headers=self.headers("/map/", **accept),
        )
        self.client.get(
            f"/api/v1/map/hazards/?bbox={bbox}",
            name="GET /api/v1/map/hazards/",
            headers=self.headers("/map/", **accept),
        )
        self.client.get(
            f"/api/v1/map/devices/?bbox={bbox}",
            name="GET /api/v1/map/devices/",
            headers=self.headers("/map/", **accept),
        )


# ---- the public ----------------------------------------------------------------------------------


class SourceAddress(HTTPAdapter):
    """Connections from one loopback address (Linux answers the whole 127.0.0.0/8 on lo)."""

    def __init__(self, address, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


_addresses = itertools.count(1)


def next_address():
    n = next(_addresses) % (250 * 250)
    return f"127.10.{n // 250 + 1}.{n % 250 + 1}"


class Public(HttpUser):
    weight = 2
    wait_time = between(*THINK)

    def on_start(self):
        self.client.verify = False
        self.new_visitor()

    def new_visitor(self):
        old = self.client.adapters.get("https://")
        if old is not None:
            old.close()
        self.client.mount("https://", SourceAddress(next_address()))
        self.client.cookies.clear()

    def get(self, path, name):
        return self.client.get(path, name=name, headers={"Accept-Language": "zh-hans"})

    @task(5)
    def scan_code(self):
        self.new_visitor()
        self.get(f"/q/{random.choice(FIXTURE['place_codes'])}/", "GET /q/[code]/ (place behind its code)")

    @task(3)
    def track(self):
        self.new_visitor()
        if FIXTURE["tracking_codes"]:
            self.get(f"/track/{random.choice(FIXTURE['tracking_codes'])}/", "GET /track/[code]/")

    @task(2)
    def report(self):
        self.new_visitor()
        code = random.choice(FIXTURE["place_codes"])
        page = self.get(f"/report/?place={code}", "GET /report/ (public form)")
        if page.status_code != 200:
            return
        gevent.sleep(random.uniform(5, 15))  # writing and taking the photo
        body, content_type = multipart(
            [
                ("place", code),
                ("category", random.choice(FIXTURE["public_categories"])),
                ("description", f"{random.choice(WORDS)}，请尽快处理（负载测试 {uuid.uuid4().hex[:6]}）"),
                ("csrfmiddlewaretoken", csrf(page.text)),
            ],
            [("photos", "photo.jpg", PHOTO, "image/jpeg")],
        )
        base = self.host
        with self.client.post(
            "/report/",
            name="POST /report/ (public, with a photo)",
            data=body,
            headers={
                "Content-Type": content_type,
                "Referer": f"{base}/report/?place={code}",
                "Origin": base,
                "Accept-Language": "zh-hans",
            },
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
                return
            location = response.headers.get("Location") or ""
        if location.startswith("/track/"):
            self.get(location, "GET /track/[code]/")
