"""Who sees what: every list, detail, API and export of the tasks app, per persona."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from firegrid.tasks import actions, catalogue
from firegrid.tasks.choices import SupervisionKind
from firegrid.tasks.models import Duty, FireIncident, IncidentTarget

PERSONAS = [
    "district_admin",
    "street_officer",
    "street2_officer",
    "grid_worker_a",
    "grid_worker_b",
    "police_officer",
    "dept_staff",
    "unit_owner",
    "nobody",
]
TASKS = {
    "district_admin": {"task", "task_s2", "task_dept", "task_police"},
    "street_officer": {"task", "task_police"},
    "street2_officer": {"task_s2"},
    "police_officer": {"task_police"},
    "dept_staff": {"task_dept"},
}


@pytest.fixture
def everything(tasks):
    w = tasks
    year = timezone.localdate().year
    catalogue.schedule_duties(year)
    catalogue.ensure_responsibilities()
    w.sup_station = actions.open_supervision(
        actor=w.district_admin,
        kind=SupervisionKind.SUPERVISION,
        unit=w.station,
        reason="进度慢",
        requirements="整改",
        respond_by=timezone.localdate() + datetime.timedelta(days=10),
    )
    w.sup_dept = actions.open_supervision(
        actor=w.district_admin,
        kind=SupervisionKind.WARNING_INTERVIEW,
        unit=w.department,
        reason="约谈",
        requirements="整改",
        respond_by=timezone.localdate() + datetime.timedelta(days=10),
    )
    at = timezone.now() - datetime.timedelta(days=1)
    w.fire_a = actions.save_incident(
        FireIncident(occurred_at=at, place=w.shop_a, cause="cooking"), actor=w.district_admin
    )
    w.fire_s2 = actions.save_incident(
        FireIncident(occurred_at=at, place=w.shop_s2, cause="smoking"), actor=w.district_admin
    )
    w.target_district = IncidentTarget.objects.create(
        region=w.district, year=year, metric="fires", change_pct=-5
    )
    w.target_street = IncidentTarget.objects.create(
        region=w.street, year=year, metric="deaths", change_pct=-5
    )
    return w


def login(client, api_client, user):
    client.force_login(user)
    api_client.force_authenticate(user)


def ids(response):
    data = response.json()
    return {row["id"] for row in (data["results"] if isinstance(data, dict) else data)}


def test_task_lists_details_and_api_per_persona(everything, client, api_client):
    w = everything
    names = ["task", "task_s2", "task_dept", "task_police"]
    for persona in PERSONAS:
        user = getattr(w, persona)
        login(client, api_client, user)
        expected = TASKS.get(persona, set())
        page = client.get("/tasks/").content.decode()
        api = ids(api_client.get("/api/v1/tasks/"))
        assert api == {getattr(w, n).pk for n in expected}, persona
        for name in names:
            task = getattr(w, name)
            visible = name in expected
            assert (task.title in page) == visible, (persona, name)
            assert client.get(f"/tasks/{task.pk}/").status_code == (200 if visible else 404), (persona, name)
            assert api_client.get(f"/api/v1/tasks/{task.pk}/").status_code == (200 if visible else 404)
            assert api_client.get(f"/api/v1/tasks/{task.pk}/milestones/").status_code == (
                200 if visible else 404
            )
        # only the district admin and the street officers may add or change tasks
        writer = persona in ("district_admin", "street_officer", "street2_officer")
        assert (client.get("/tasks/new/").status_code == 200) == writer, persona
        patch = api_client.patch(f"/api/v1/tasks/{w.task.pk}/", {"content": "更新内容"}, format="json")
        assert patch.status_code == (200 if persona in ("district_admin", "street_officer") else 404), persona


def test_reports_duties_and_supervision_per_persona(everything, client, api_client):
    w = everything
    actions.report_progress(w.task, actor=w.street_officer, percent=20, note="推进")
    actions.report_progress(w.task_dept, actor=w.dept_staff, percent=30, note="推进")
    duty_units = {
        "district_admin": {w.committee, w.station, w.station2, w.department},
        "street_officer": {w.committee, w.station},
        "street2_officer": {w.station2},
        "dept_staff": {w.department},
    }
    supervisions = {
        "district_admin": {w.sup_station, w.sup_dept},
        "street_officer": {w.sup_station},
        "dept_staff": {w.sup_dept},
    }
    for persona in PERSONAS:
        user = getattr(w, persona)
        login(client, api_client, user)
        reports = {r["task"] for r in api_client.get("/api/v1/tasks/reports/").json()["results"]}
        visible_tasks = {getattr(w, n).pk for n in TASKS.get(persona, set())}
        assert reports == visible_tasks & {w.task.pk, w.task_dept.pk}, persona
        expected = duty_units.get(persona, set())
        duties = Duty.objects.filter(pk__in=ids(api_client.get("/api/v1/tasks/duties/?limit=500")))
        assert {d.unit for d in duties} == expected, persona
        one = Duty.objects.filter(unit=w.station).first()
        assert client.get(f"/tasks/duties/{one.pk}/").status_code == (200 if w.station in expected else 404)
        assert api_client.get(f"/api/v1/tasks/duties/{one.pk}/").status_code == (
            200 if w.station in expected else 404
        )
        page = client.get("/tasks/duties/").content.decode()
        assert (w.station.name in page) == (w.station in expected), persona
        sups = supervisions.get(persona, set())
        assert ids(api_client.get("/api/v1/tasks/supervisions/")) == {s.pk for s in sups}, persona
        for sup in (w.sup_station, w.sup_dept):
            assert client.get(f"/tasks/supervision/{sup.pk}/").status_code == (200 if sup in sups else 404)
        lines = ids(api_client.get(f"/api/v1/tasks/responsibilities/?unit={w.station.pk}"))
        assert bool(lines) == (w.station in expected or persona == "police_officer"), persona
        unit_tasks = ids(api_client.get(f"/api/v1/tasks/?unit={w.station.pk}"))
        assert unit_tasks == {getattr(w, n).pk for n in TASKS.get(persona, set())} & {w.task.pk}, persona
        unit_page = client.get(f"/tasks/units/{w.station.pk}/")
        assert unit_page.status_code == (
            200 if persona in ("district_admin", "street_officer", "police_officer") else 404
        ), persona


def test_incidents_targets_and_exports_per_persona(everything, client, api_client):
    w = everything
    fires = {
        "district_admin": {w.fire_a, w.fire_s2},
        "street_officer": {w.fire_a},
        "street2_officer": {w.fire_s2},
        "grid_worker_a": {w.fire_a},
        "police_officer": {w.fire_a},
        "unit_owner": {w.fire_a},  # the fire was at the owner's own shop
    }
    targets = {
        "district_admin": {w.target_district, w.target_street},
        "street_officer": {w.target_street},
        "grid_worker_a": set(),
        "police_officer": {w.target_street},
    }
    for persona in PERSONAS:
        user = getattr(w, persona)
        login(client, api_client, user)
        expected = fires.get(persona, set())
        assert ids(api_client.get("/api/v1/tasks/incidents/")) == {f.pk for f in expected}, persona
        for fire in (w.fire_a, w.fire_s2):
            visible = fire in expected
            assert client.get(f"/tasks/incidents/{fire.pk}/").status_code == (200 if visible else 404)
            # the trace-back needs the place too: the police see the fire but not a shop the street supervises
            history = visible and persona != "police_officer"
            assert client.get(f"/tasks/incidents/{fire.pk}/traceback/").status_code == (
                200 if history else 404
            ), persona
            assert api_client.get(f"/api/v1/tasks/incidents/{fire.pk}/traceback/").status_code == (
                200 if history else 404
            )
        assert ids(api_client.get("/api/v1/tasks/targets/")) == {t.pk for t in targets.get(persona, set())}, (
            persona
        )
        page = client.get("/tasks/incidents/")
        assert page.status_code == 200
        # scores (page, API and xlsx) never show a street outside the user's jurisdiction
        response = api_client.get("/api/v1/tasks/scores/")
        if persona in ("unit_owner", "nobody"):  # they cannot even see the scheme
            assert response.status_code == 404
            assert api_client.get("/api/v1/tasks/scores/export/").status_code == 404
            assert client.get("/tasks/scores/").status_code == 404
            continue
        streets = {c["code"] for c in response.json()["streets"]}
        assert streets == {
            "district_admin": {w.street.code, w.street2.code},
            "street_officer": {w.street.code},
            "street2_officer": {w.street2.code},
        }.get(persona, set()), persona
        export = api_client.get("/api/v1/tasks/scores/export/")
        assert export.status_code == 200
        book = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
        exported = {row[1] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True) if row[0]}
        assert streets <= exported and not ({w.street.code, w.street2.code} - streets) & exported, persona
        review = api_client.get("/api/v1/tasks/review/")
        if persona in (
            "grid_worker_a",
            "grid_worker_b",
            "unit_owner",
            "nobody",
            "dept_staff",
            "police_officer",
        ):
            assert review.status_code in (200, 404)
            if review.status_code == 200:
                assert {t["id"] for t in review.json()["tasks"]} <= {
                    getattr(w, n).pk for n in TASKS.get(persona, ())
                }
        else:
            assert {t["id"] for t in review.json()["tasks"]} == {getattr(w, n).pk for n in TASKS[persona]}


def test_anonymous_users_get_nothing(everything, client, api_client):
    w = everything
    for url in (
        "/tasks/",
        f"/tasks/{w.task.pk}/",
        "/tasks/scores/",
        "/tasks/scores/export.xlsx",
        f"/tasks/incidents/{w.fire_a.pk}/traceback.pdf",
    ):
        assert client.get(url).status_code == 302
    for url in ("/api/v1/tasks/", "/api/v1/tasks/incidents/", "/api/v1/tasks/scores/"):
        assert api_client.get(url).status_code in (401, 403)
