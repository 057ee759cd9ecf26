"""Background exports without a broker (tasks run inline after commit): starting, building, progress,
the owner-only pages and download, failures, redelivery, requeueing and the clean-up of old files."""

import io
import os
import pathlib
import uuid
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from firegrid.core import progress as progress_module
from firegrid.core.roles import Role
from firegrid.ops import exports
from firegrid.ops.choices import ExportStatus, RunStatus
from firegrid.ops.models import Export, JobRun
from firegrid.ops.tasks import build_export, requeue_exports

pytestmark = pytest.mark.django_db

STREET_PLACES = {
    "桥河便利店",
    "河滨旅馆",
    "古南商场",
    "桥河小学",
}  # 古南街道; 沙溪超市 is in the other street


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False  # force_login has no client address for the login log; not tested here
    return settings.MEDIA_ROOT


def log_in(client, user):
    client.force_login(user)
    return client


def start(client, kind, query=""):
    return client.post("/exports/", {"kind": kind, "query": query})


def workbook_rows(export, first_row=3):
    with export.file.open("rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    sheet = book.worksheets[0]
    return list(sheet.iter_rows(min_row=first_row, values_only=True))


def failing_kind(name="test.failing"):
    def write(user, query, fileobj, progress):
        progress(0, 10)
        progress(5, 10)
        raise ValueError("bad data in row 7")

    return exports.Kind(name, "failing", lambda user, query: {}, write, lambda params: "failing")


def test_a_street_officer_export_of_places_is_queued_then_built_with_exactly_the_street(
    client, world, django_capture_on_commit_callbacks
):
    log_in(client, world.street_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = start(client, "places")
    assert response.status_code == 302
    export = Export.objects.get()
    assert response["Location"] == f"/exports/{export.pk}/"
    assert (export.user, export.kind, export.status, export.params) == (
        world.street_officer,
        "places",
        ExportStatus.QUEUED,
        {},
    )
    assert len(callbacks) == 1  # the task is sent only once the row is committed
    callbacks[0]()
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    assert {row[0] for row in workbook_rows(export)} == STREET_PLACES
    assert (export.done, export.total, export.percent) == (4, 4, 100)
    assert export.started_at <= export.finished_at
    assert export.file.name == f"exports/{timezone.localdate():%Y/%m}/{export.pk}.xlsx"
    assert JobRun.objects.get(name="build_export").status == RunStatus.SUCCEEDED


def test_the_places_builder_reports_progress_every_n_rows(world, monkeypatch):
    from firegrid.places import ledger

    monkeypatch.setattr(progress_module, "PROGRESS_EVERY", 3)
    reports = []
    queryset = ledger.export_queryset(world.district_admin, {})
    assert (
        ledger.write_export(
            queryset, io.BytesIO(), progress=lambda done, total: reports.append((done, total))
        )
        == 5
    )
    assert reports == [(0, 5), (3, 5), (5, 5)]
    # the synchronous download asks for no progress and pays for no count
    assert ledger.write_export(queryset, io.BytesIO()) == 5


def test_the_build_writes_progress_to_the_row_for_the_page(world, monkeypatch):
    seen = []

    def write(user, query, fileobj, progress):
        for done in (0, 40, 80):
            progress(done, 120)
            seen.append(Export.objects.values_list("status", "done", "total").get())
        return 120

    monkeypatch.setitem(
        exports.KINDS,
        "test.rows",
        exports.Kind("test.rows", "rows", lambda u, q: {}, write, lambda p: "rows"),
    )
    export = Export.objects.create(user=world.street_officer, kind="test.rows")
    exports.build(export.pk)
    assert seen == [("running", 0, 120), ("running", 40, 120), ("running", 80, 120)]
    assert Export.objects.values_list("status", "done", "total").get() == ("done", 120, 120)


def test_the_owner_sees_the_progress_page_and_downloads_the_file(
    client, world, django_capture_on_commit_callbacks
):
    log_in(client, world.street_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, "places", "risk_level=&kind=shop&page=3")
    export = Export.objects.get()
    assert export.params == {"kind": ["shop"]}  # empty values and paging are not filters
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert '<progress value="1" max="1"' in html
    assert f'href="/exports/{export.pk}/download/"' in html
    assert "hx-trigger" not in html  # finished: the page stops polling
    download = client.get(f"/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == exports.XLSX_TYPE
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith('attachment; filename="places-')
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    names = {row[0] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)}
    assert names == {"桥河便利店"}  # the street's only shop


def test_a_queued_export_page_polls_its_partial(client, world, django_capture_on_commit_callbacks):
    log_in(client, world.street_officer)
    with django_capture_on_commit_callbacks(execute=False):
        response = start(client, "hazards")
    export = Export.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert f'hx-get="/exports/{export.pk}/progress/"' in html
    assert 'hx-trigger="every 1s"' in html
    assert "<progress" in html
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, done=30, total=120)
    partial = client.get(f"/exports/{export.pk}/progress/").content.decode()
    assert partial.lstrip().startswith('<div id="export-status"')
    assert '<progress value="30" max="120"' in partial
    assert "30 of 120 rows (25%)" in partial
    assert 'hx-trigger="every 1s"' in partial
    assert client.get(f"/exports/{export.pk}/download/").status_code == 404  # not finished


@pytest.mark.parametrize("who", ["district_admin", "street2_officer", "grid_worker_a"])
def test_another_user_gets_404_for_the_page_the_partial_and_the_download(
    client, world, django_capture_on_commit_callbacks, who
):
    log_in(client, world.street_officer)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, "places")
    export = Export.objects.get(status=ExportStatus.DONE)
    client.logout()
    log_in(client, getattr(world, who))
    for suffix in ("", "progress/", "download/"):
        assert client.get(f"/exports/{export.pk}/{suffix}").status_code == 404
    assert str(export.pk) not in client.get("/exports/").content.decode()
    client.logout()
    assert client.get(f"/exports/{export.pk}/download/").status_code == 302  # to the login page


def test_an_unknown_export_is_404(client, world):
    log_in(client, world.street_officer)
    assert client.get(f"/exports/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/exports/{uuid.uuid4()}/download/").status_code == 404


def test_a_failing_builder_leaves_the_export_failed_with_its_error(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setitem(exports.KINDS, "test.failing", failing_kind())
    log_in(client, world.street_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, "test.failing")
    export = Export.objects.get()
    assert export.status == ExportStatus.FAILED
    assert export.error == "ValueError: bad data in row 7"
    assert (export.done, export.total) == (5, 10)
    assert not export.file
    html = client.get(response["Location"]).content.decode()
    assert "The export failed." in html
    assert "ValueError: bad data in row 7" in html
    assert "hx-trigger" not in html
    assert client.get(f"/exports/{export.pk}/download/").status_code == 404
    run = JobRun.objects.get(name="build_export")
    assert run.status == RunStatus.FAILED
    assert "bad data in row 7" in run.error


def test_a_failed_build_writes_no_file(world, media, monkeypatch):
    monkeypatch.setitem(exports.KINDS, "test.failing", failing_kind())
    export = Export.objects.create(user=world.street_officer, kind="test.failing")
    with pytest.raises(ValueError, match="row 7"):
        exports.build(export.pk)
    assert not any(files for _root, _dirs, files in os.walk(media))


def test_a_redelivered_build_for_a_done_export_does_nothing(
    client, world, django_capture_on_commit_callbacks
):
    log_in(client, world.street_officer)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, "places")
    export = Export.objects.get()
    path = export.file.path
    before = (export.file.name, os.stat(path).st_mtime_ns, pathlib.Path(path).read_bytes())
    finished_at = export.finished_at
    build_export.delay(str(export.pk))  # the broker delivered the message again
    export.refresh_from_db()
    assert (export.file.name, os.stat(path).st_mtime_ns, pathlib.Path(path).read_bytes()) == before
    assert (export.status, export.finished_at) == (ExportStatus.DONE, finished_at)
    assert os.listdir(os.path.dirname(path)) == [os.path.basename(path)]
    second = JobRun.objects.filter(name="build_export").order_by("-started_at", "-id").first()
    assert second.result == {"export": str(export.pk), "skipped": "done"}


def test_a_redelivered_build_for_a_running_export_does_nothing(world):
    export = Export.objects.create(user=world.street_officer, kind="places", status=ExportStatus.RUNNING)
    Export.objects.filter(pk=export.pk).update(done=7, total=9)
    assert exports.build(export.pk) == {"export": str(export.pk), "skipped": "running"}
    export.refresh_from_db()
    assert (export.status, export.done, export.total, bool(export.file)) == ("running", 7, 9, False)


def test_a_user_who_lost_the_grant_gets_only_what_they_may_now_see(
    client, world, django_capture_on_commit_callbacks
):
    log_in(client, world.street_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        start(client, "places")
    # between the request and the build the officer is moved down to grid A
    world.street_officer.role_assignments.update(role=Role.GRID_WORKER, region=world.grid_a)
    callbacks[0]()
    export = Export.objects.get()
    assert export.status == ExportStatus.DONE
    assert {row[0] for row in workbook_rows(export)} == {"桥河便利店", "古南商场", "桥河小学"}


def test_requeue_resends_queued_exports_and_fails_stale_running_ones(world, media):
    now = timezone.now()
    user = world.street_officer

    def make(status, **times):
        export = Export.objects.create(user=user, kind="places", status=status)
        Export.objects.filter(pk=export.pk).update(**times)
        return export.pk

    waiting = make(ExportStatus.QUEUED, created_at=now - timedelta(minutes=5))
    just_queued = make(ExportStatus.QUEUED)  # its own task may still be on the way
    stale = make(
        ExportStatus.RUNNING, created_at=now - timedelta(hours=2), started_at=now - timedelta(hours=2)
    )
    busy = make(
        ExportStatus.RUNNING, created_at=now - timedelta(minutes=9), started_at=now - timedelta(minutes=9)
    )

    requeue_exports.delay()

    state = {pk: Export.objects.get(pk=pk) for pk in (waiting, just_queued, stale, busy)}
    assert state[waiting].status == ExportStatus.DONE
    assert {row[0] for row in workbook_rows(state[waiting])} == STREET_PLACES
    assert state[just_queued].status == ExportStatus.QUEUED
    assert state[stale].status == ExportStatus.FAILED
    assert state[stale].error.startswith("Interrupted")
    assert state[stale].finished_at is not None
    assert state[busy].status == ExportStatus.RUNNING
    run = JobRun.objects.get(name="requeue_exports")
    assert run.status == RunStatus.SUCCEEDED
    assert run.result == {"failed": 1, "deleted": 0, "requeued": 1, "waiting": 0}


def test_a_build_that_finishes_after_it_was_given_up_leaves_no_file(world, media, monkeypatch):
    export = Export.objects.create(user=world.street_officer, kind="test.slow")

    def write(user, query, fileobj, progress):
        # the build runs past the hour: requeue_exports decides its worker died
        Export.objects.filter(pk=export.pk).update(started_at=timezone.now() - timedelta(hours=2))
        exports.requeue()
        fileobj.write(b"late")
        return 1

    monkeypatch.setitem(
        exports.KINDS,
        "test.slow",
        exports.Kind("test.slow", "slow", lambda u, q: {}, write, lambda p: "slow"),
    )
    assert exports.build(export.pk) == {"export": str(export.pk), "discarded": True}
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert not export.file
    assert not any(files for _root, _dirs, files in os.walk(media))


def test_old_exports_and_their_files_are_deleted(world, settings, media):
    settings.EXPORT_KEEP_DAYS = 3
    now = timezone.now()
    old = Export.objects.create(user=world.street_officer, kind="places", status=ExportStatus.DONE)
    old.file.save(f"{old.pk}.xlsx", ContentFile(b"old"), save=True)
    Export.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=4))
    failed = Export.objects.create(user=world.street_officer, kind="places", status=ExportStatus.FAILED)
    Export.objects.filter(pk=failed.pk).update(created_at=now - timedelta(days=5))
    recent = Export.objects.create(user=world.street_officer, kind="places", status=ExportStatus.DONE)
    recent.file.save(f"{recent.pk}.xlsx", ContentFile(b"recent"), save=True)
    Export.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=2))
    old_path = old.file.path

    assert exports.requeue()["deleted"] == 2

    assert list(Export.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not os.path.exists(old_path)
    assert os.path.exists(recent.file.path)


def test_my_exports_lists_only_my_own_newest_first(client, world, django_capture_on_commit_callbacks):
    log_in(client, world.street_officer)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, "places")
        start(client, "hazards")
    other = Export.objects.create(user=world.district_admin, kind="facilities")
    mine = list(Export.objects.filter(user=world.street_officer).order_by("-created_at"))
    html = client.get("/exports/").content.decode()
    positions = [html.index(f"/exports/{e.pk}/") for e in mine]
    assert positions == sorted(positions)
    assert mine[0].kind == "hazards"
    assert str(other.pk) not in html
    assert html.count("/download/") == 2


@pytest.mark.parametrize("kind", sorted(k for k in exports.KINDS if not k.startswith("assessment.")))
def test_every_registered_kind_builds_an_xlsx(client, world, django_capture_on_commit_callbacks, kind):
    log_in(client, world.district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, kind, "region=T501" if kind.startswith("ledger.") else "")
    assert response.status_code == 302, response.content
    export = Export.objects.get()
    assert export.status == ExportStatus.DONE, export.error
    assert export.done == export.total
    with export.file.open("rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    header_rows = 1 if kind.startswith("outreach.") else 2
    rows = sum(
        len(list(sheet.iter_rows(min_row=header_rows + 1, values_only=True))) for sheet in book.worksheets
    )
    assert rows == export.done
    assert client.get(f"/exports/{export.pk}/download/").status_code == 200


def test_a_report_ledger_export_keeps_the_region_and_year(client, world, django_capture_on_commit_callbacks):
    log_in(client, world.street_officer)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, "ledger.inspections", "region=T50101&year=2025")
        start(client, "ledger.regions", "")
    inspections, regions = Export.objects.order_by("created_at")
    assert inspections.params == {"region": ["T50101"], "year": ["2025"]}
    assert regions.params == {"region": ["T501"]}  # the officer's own region by default
    assert exports.download_name(inspections).startswith("inspections-T50101-2025-")
    assert [row[0] for row in workbook_rows(regions)][:1] == ["T501"]


@pytest.mark.parametrize(
    ("kind", "query", "field"),
    [
        ("nonsense", "", "kind"),
        ("", "", "kind"),
        ("places", "risk_level=extreme", "risk_level"),
        ("hazards", "status=lost", "status"),
        ("facilities", "status=broken", "status"),
        ("outreach.sessions", "audience=aliens", "audience"),
        ("ledger.regions", "region=T502", "region"),
        ("ledger.inspections", "year=1850", "year"),
        ("ledger.devices", "year=soon", "year"),
        ("places", "search=" + "x" * 5000, "query"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, world, kind, query, field):
    log_in(client, world.street_officer)
    response = start(client, kind, query)
    assert response.status_code == 400
    assert f"<strong>{field}</strong>" in response.content.decode()
    assert not Export.objects.exists()


def test_a_user_without_any_role_may_not_export_report_ledgers(client, world):
    log_in(client, world.nobody)
    assert start(client, "ledger.regions").status_code == 403
    assert not Export.objects.exists()


def test_too_many_exports_waiting_is_refused(client, world, django_capture_on_commit_callbacks):
    log_in(client, world.street_officer)
    with django_capture_on_commit_callbacks(execute=False):
        for _n in range(exports.MAX_ACTIVE_PER_USER):
            assert start(client, "places").status_code == 302
        response = start(client, "places")
    assert response.status_code == 429
    assert "<strong>kind</strong>" in response.content.decode()
    assert Export.objects.count() == exports.MAX_ACTIVE_PER_USER


def test_the_exports_pages_need_a_login_and_start_needs_post(client, world):
    assert client.get("/exports/").status_code == 302
    assert client.post("/exports/", {"kind": "places"}).status_code == 302
    log_in(client, world.street_officer)
    assert client.put("/exports/").status_code == 405
    assert client.get("/exports/").status_code == 200


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/places/?kind=shop", "places"),
        ("/places/ledger/", "places"),
        ("/hazards/", "hazards"),
        ("/facilities/", "facilities"),
        ("/outreach/training/", "outreach.sessions"),
        ("/reports/", "ledger.inspections"),
    ],
)
def test_ledger_pages_offer_export_in_the_background(client, world, url, kind):
    log_in(client, world.street_officer)
    html = client.get(url).content.decode()
    assert 'action="/exports/"' in html
    assert f'name="kind" value="{kind}"' in html
    assert "Export in the background" in html or "in the background" in html
    assert 'href="/exports/"' in html  # the user menu


def test_the_list_button_carries_the_current_filters(client, world):
    log_in(client, world.street_officer)
    html = client.get("/places/?kind=shop&risk_level=").content.decode()
    assert 'name="query" value="kind=shop' in html
