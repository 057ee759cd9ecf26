"""Background exports on a real Celery worker over a real redis-server: built by the worker while the
page's partial shows the progress, and queued work that resumes once a stopped broker is back."""

import io
import threading
import time
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from firegrid.ops import exports
from firegrid.ops.choices import ExportStatus
from firegrid.ops.models import Export
from firegrid.ops.tests.workers import broker, running_worker, wait_for
from firegrid.org.testing import build_world

pytestmark = pytest.mark.django_db(transaction=True)

STREET_PLACES = {"桥河便利店", "河滨旅馆", "古南商场", "桥河小学"}


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False  # force_login has no client address for the login log; not tested here
    return build_world()


def names_in(export):
    with export.file.open("rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    return {row[0] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)}


def partial(client, export):
    response = client.get(f"/exports/{export.pk}/progress/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_worker_builds_the_export_and_the_partial_shows_progress_then_the_link(
    client, world, celery_worker, monkeypatch
):
    gate = threading.Event()

    def write(user, query, fileobj, progress):
        # a real build of the user's places, held half-way until the test has seen the progress
        from firegrid.places import ledger

        progress(0, 8)
        progress(4, 8)
        assert gate.wait(20), "the test never opened the gate"
        return ledger.write_export(ledger.export_queryset(user, query), fileobj)

    monkeypatch.setitem(
        exports.KINDS,
        "test.gated",
        exports.Kind("test.gated", "gated", lambda u, q: {}, write, lambda p: "gated"),
    )
    client.force_login(world.street_officer)
    response = client.post("/exports/", {"kind": "test.gated", "query": ""})
    assert response.status_code == 302
    export = Export.objects.get()

    seen = wait_for(
        lambda: (html := partial(client, export)) and '<progress value="4" max="8"' in html and html,
        message="the partial to show 4 of 8 rows",
    )
    assert "4 of 8 rows (50%)" in seen
    assert 'hx-trigger="every 1s"' in seen  # still polling
    assert "/download/" not in seen
    gate.set()

    done = wait_for(
        lambda: (html := partial(client, export)) and "/download/" in html and html,
        message="the download link",
    )
    assert "hx-trigger" not in done
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert names_in(export) == STREET_PLACES
    download = client.get(f"/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == exports.XLSX_TYPE


def test_a_places_export_is_built_by_the_worker(client, world, celery_worker):
    client.force_login(world.street_officer)
    client.post("/exports/", {"kind": "places", "query": "kind=shop"})
    export = Export.objects.get()
    wait_for(
        lambda: Export.objects.filter(pk=export.pk, status__in=["done", "failed"]).exists(),
        message="the worker to finish the export",
    )
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    assert names_in(export) == {"桥河便利店"}
    assert (export.done, export.total) == (1, 1)
    assert "/download/" in partial(client, export)


def test_with_the_broker_down_the_page_answers_and_the_export_resumes_when_it_is_back(
    client, world, redis_server
):
    from firegrid.ops.tasks import requeue_exports

    client.force_login(world.street_officer)
    redis_server.stop()
    with broker(redis_server.url):
        began = time.monotonic()
        response = client.post("/exports/", {"kind": "places", "query": ""})
        answered_in = time.monotonic() - began
        assert response.status_code == 302
        export = Export.objects.get()
        assert export.status == ExportStatus.QUEUED
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert 'hx-trigger="every 1s"' in page.content.decode()
        print(f"start_export answered in {answered_in:.2f} s with the broker down")

        redis_server.start()
        # the beat's next requeue_exports, once the row has waited longer than a minute
        Export.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(minutes=2))
        with running_worker():
            result = requeue_exports()
            assert result["requeued"] == 1
            wait_for(
                lambda: Export.objects.filter(pk=export.pk, status=ExportStatus.DONE).exists(),
                message="the requeued export to be built",
            )
    export.refresh_from_db()
    assert names_in(export) == STREET_PLACES
    assert "/download/" in partial(client, export)
