"""Large exports built in the background: the registry of export kinds, starting one, building it.

A kind maps onto an existing ledger builder (places, hazards, facilities, outreach lists, the report
ledgers) and is built from the same filters as its synchronous download. `start_export` checks the
filters, stores an `Export` row (queued) and sends `build_export` to the queue after commit; when the
broker is down the row simply stays queued and `requeue` (the `requeue_exports` job) sends it again.
`build` takes the row queued → running with a conditional UPDATE (a redelivered task does nothing),
writes the xlsx to the default storage while reporting progress in short UPDATEs the page polls, and
finishes done or failed. Rows are read with the owner's grants *at build time* (every builder uses
`restrict(user, "view")`): a user who lost a grant meanwhile gets only what they may now see.
"""

import logging
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import DatabaseError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError

from firegrid.ops.choices import ExportStatus
from firegrid.ops.models import Export

log = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_QUERY_CHARS = 4000  # the filters of a list fit easily; anything longer is not a list's query string
MAX_ACTIVE_PER_USER = 5  # queued or running exports one user may have at a time
RESEND_AFTER = timedelta(minutes=1)  # a queued row older than this is sent again by requeue()
STALE_AFTER = timedelta(hours=1)  # a row running longer than this lost its worker
DROPPED_KEYS = {"page", "csrfmiddlewaretoken"}


class ExportError(Exception):
    """Bad export request: {field: [messages]} (shown as a 400 naming the field)."""

    def __init__(self, errors, status=400):
        super().__init__(str(errors))
        self.errors = errors
        self.status = status


@dataclass(frozen=True)
class Kind:
    """One export: `prepare(user, query)` checks the filters and returns the params to store;
    `write(user, query, fileobj, progress)` writes the file and returns its row count."""

    name: str
    title: object
    prepare: object
    write: object
    filename: object  # params → the download name's stem
    extension: str = "xlsx"
    content_type: str = XLSX_TYPE


KINDS = {}


def register(kind):
    KINDS[kind.name] = kind
    return kind


def as_query(params):
    """Stored params ({key: [values]}) as the QueryDict a filterset reads."""
    query = QueryDict(mutable=True)
    for key, values in (params or {}).items():
        query.setlist(key, values if isinstance(values, list) else [values])
    return query


def stored(query):
    """A query's non-empty values as JSON-friendly {key: [values]}, without paging and tokens."""
    return {
        key: [v for v in query.getlist(key) if v != ""]
        for key in sorted(query)
        if key not in DROPPED_KEYS and any(v != "" for v in query.getlist(key))
    }


def _messages(errors):
    return {key: [str(m) for m in messages] for key, messages in errors.items()}


# ---- the kinds -----------------------------------------------------------------------------------


def _places_prepare(user, query):
    from firegrid.places import ledger

    try:
        ledger.export_queryset(user, query)
    except ledger.ExportFilterError as exc:
        raise ExportError(exc.errors) from exc
    return stored(query)


def _places_write(user, query, fileobj, progress):
    from firegrid.places import ledger

    return ledger.write_export(ledger.export_queryset(user, query), fileobj, progress=progress)


def _hazards_prepare(user, query):
    from firegrid.hazards import ledger

    try:
        ledger.ledger_queryset(user, query)
    except ledger.LedgerFilterError as exc:
        raise ExportError(exc.errors) from exc
    return stored(query)


def _hazards_write(user, query, fileobj, progress):
    from firegrid.hazards import ledger

    return ledger.write_ledger(user, ledger.ledger_queryset(user, query), fileobj, progress=progress)


def _facilities_queryset(user, query):
    from firegrid.facilities.views_ledger import export_queryset

    queryset, errors = export_queryset(user, query)
    if errors:
        raise ExportError(_messages(errors))
    return queryset


def _facilities_prepare(user, query):
    _facilities_queryset(user, query)
    return stored(query)


def _facilities_write(user, query, fileobj, progress):
    from firegrid.facilities import ledger

    queryset = _facilities_queryset(user, query).order_by(*ledger.EXPORT_ORDER)
    return ledger.write_export(queryset, fileobj, progress=progress)


def _outreach_kind(name, dataset):
    def queryset_of(user, query):
        from firegrid.outreach.exports import export_queryset

        _dataset, queryset, errors = export_queryset(name, user, query)
        if errors:
            raise ExportError(_messages(errors))
        return queryset

    def prepare(user, query):
        queryset_of(user, query)
        return stored(query)

    def write(user, query, fileobj, progress):
        from firegrid.outreach import ledger
        from firegrid.outreach.exports import export_rows

        queryset = queryset_of(user, query)
        return ledger.write_workbook(
            dataset.title,
            [(header, width) for header, width, _accessor in dataset.columns],
            export_rows(dataset, queryset),
            fileobj,
            progress=progress,
            total=lambda: min(queryset.count(), ledger.EXPORT_LIMIT),
        )

    return Kind(f"outreach.{name}", dataset.title, prepare, write, lambda params: f"outreach-{name}")


def _report_ledger_kind(ledger):
    def prepare(user, query):
        from firegrid.core.scoping import user_scope
        from firegrid.dashboard.scope import chosen_region

        scope = user_scope(user)
        if not (scope.superuser or scope.grants):
            raise PermissionDenied
        try:
            region, _homes = chosen_region(user, query.get("region"))
        except PermissionDenied:
            raise ExportError({"region": [_("This region is outside your jurisdiction.")]}) from None
        params = {"region": [region.code]}
        if ledger.yearly:
            year = query.get("year") or str(timezone.localdate().year)
            if not (year.isdigit() and 2000 <= int(year) <= 2100):
                raise ExportError({"year": [_("Enter a year between 2000 and 2100.")]})
            params["year"] = [year]
        return params

    def write(user, query, fileobj, progress):
        from firegrid.dashboard.ledgers import write_workbook
        from firegrid.org.models import Region

        region = Region.objects.get(code=query["region"])
        year = int(query.get("year") or timezone.localdate().year)
        return write_workbook(ledger.build(user, region, year), fileobj, progress=progress)

    def filename(params):
        code = (params.get("region") or [""])[0]
        year = f"-{params['year'][0]}" if params.get("year") else ""
        return f"{ledger.name}-{code}{year}"

    return Kind(f"ledger.{ledger.name}", ledger.title, prepare, write, filename)


def _assessment_kind(extension, content_type, render):
    """The annual fire-risk assessment (研判) of a region, as a report generated in the background."""
    ledger_like = type("Assessment", (), {"yearly": True, "name": "assessment", "title": ""})
    prepare = _report_ledger_kind(ledger_like).prepare

    def write(user, query, fileobj, progress):
        from firegrid.dashboard.assessment import assess
        from firegrid.org.models import Region

        region = Region.objects.get(code=query["region"])
        progress(0, 2)
        report = assess(user, region, int(query["year"]))
        progress(1, 2)
        fileobj.write(render(report))
        progress(2, 2)
        return 2

    def filename(params):
        return f"assessment-{params['region'][0]}-{params['year'][0]}"

    title = gettext_lazy("Annual fire-risk assessment (%(format)s)") % {"format": extension.upper()}
    return Kind(f"assessment.{extension}", title, prepare, write, filename, extension, content_type)


def _render_assessment_pdf(report):
    from firegrid.dashboard.assessment_pdf import assessment_pdf

    return assessment_pdf(report)


def _render_assessment_xlsx(report):
    from firegrid.dashboard.assessment_xlsx import assessment_xlsx

    return assessment_xlsx(report)


def _register_builtin():
    from firegrid.dashboard.ledgers import LEDGERS
    from firegrid.outreach.exports import DATASETS

    register(Kind("places", gettext_lazy("Places"), _places_prepare, _places_write, lambda p: "places"))
    register(
        Kind("hazards", gettext_lazy("Hazard cases"), _hazards_prepare, _hazards_write, lambda p: "hazards")
    )
    register(
        Kind(
            "facilities",
            gettext_lazy("Facilities"),
            _facilities_prepare,
            _facilities_write,
            lambda p: "facilities",
        )
    )
    for name, dataset in DATASETS.items():
        register(_outreach_kind(name, dataset))
    for ledger in LEDGERS.values():
        register(_report_ledger_kind(ledger))
    register(_assessment_kind("pdf", "application/pdf", _render_assessment_pdf))
    register(_assessment_kind("xlsx", XLSX_TYPE, _render_assessment_xlsx))


_register_builtin()


def title_of(kind_name):
    kind = KINDS.get(kind_name)
    return kind.title if kind else kind_name


def download_name(export):
    kind = KINDS.get(export.kind)
    stem = kind.filename(export.params) if kind else export.kind
    extension = kind.extension if kind else "xlsx"
    return f"{stem}-{timezone.localtime(export.created_at):%Y%m%d-%H%M}.{extension}"


def content_type(export):
    kind = KINDS.get(export.kind)
    return kind.content_type if kind else XLSX_TYPE


# ---- starting, building, requeueing -----------------------------------------------------------------


def start_export(user, kind_name, params):
    """Check the filters, store the export (queued) and send it to the queue once committed.

    `params` is a QueryDict or a mapping of lists. ExportError for an unknown kind or bad filters."""
    kind = KINDS.get(kind_name)
    if kind is None:
        raise ExportError({"kind": [_("There is no export of this kind.")]})
    active = Export.objects.filter(user=user, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]).count()
    if active >= MAX_ACTIVE_PER_USER:
        message = _("You have %(n)s exports waiting or running; wait for one of them to finish.")
        raise ExportError({"kind": [message % {"n": active}]}, status=429)
    # empty values and paging dropped first: an empty select means "any", as on the list page
    query = as_query(stored(params if isinstance(params, QueryDict) else as_query(params)))
    export = Export.objects.create(user=user, kind=kind.name, params=kind.prepare(user, query))
    transaction.on_commit(lambda: enqueue(export.pk))
    return export


def enqueue(export_id):
    """Send build_export; with the broker down the row stays queued and requeue() sends it later."""
    from firegrid.ops.tasks import build_export

    try:
        build_export.delay(str(export_id))
    except OperationalError as exc:
        log.warning("export %s stays queued, the broker is unreachable: %s", export_id, exc)
        return False
    except Exception:
        # without a broker the build runs inline: its failure is on the row (status failed, error)
        log.exception("export %s failed", export_id)
    return True


def _fail(export_id, error):
    return Export.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
        status=ExportStatus.FAILED, error=error[:4000], finished_at=timezone.now()
    )


def build(export_id):
    """Build one export (the body of the build_export task). Does nothing unless the row is queued."""
    started = _written(
        lambda: Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.RUNNING, started_at=timezone.now(), done=0, total=None, error=""
        )
    )
    if not started:
        status = Export.objects.filter(pk=export_id).values_list("status", flat=True).first()
        return {"export": str(export_id), "skipped": status or "missing"}
    export = Export.objects.select_related("user").get(pk=export_id)

    def progress(done, total):
        # a progress mark is best effort: the next one is a moment away, and SQLite refuses a write while
        # another connection reads the table (the progress page polls it) — the export goes on
        try:
            Export.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(done=done, total=total)
        except DatabaseError as exc:
            log.info("export %s: progress %s/%s not recorded (%s)", export.pk, done, total, exc)

    try:
        kind = KINDS.get(export.kind)
        if kind is None:
            raise LookupError(f"unknown export kind {export.kind!r}")
        with tempfile.TemporaryFile() as out:
            rows = kind.write(export.user, as_query(export.params), out, progress)
            out.seek(0)
            # a random name (the row's uuid): an export is never found by guessing its path
            name = export.file.field.generate_filename(export, f"{export.pk}.{kind.extension}")
            name = export.file.storage.save(name, File(out, name=name))
    except Exception as exc:
        _fail(export.pk, f"{type(exc).__name__}: {exc}")
        raise
    finished = _written(
        lambda: Export.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE, file=name, done=rows, total=rows, finished_at=timezone.now()
        )
    )
    if not finished:  # given up on meanwhile (requeue marked it failed): leave no orphan file
        export.file.storage.delete(name)
        return {"export": str(export.pk), "discarded": True}
    return {"export": str(export.pk), "rows": rows}


def _written(write, attempts=5, pause=0.2):
    """write() again after a short pause when the database refuses it for a lock held by a reader
    (SQLite); the last refusal is raised."""
    for attempt in range(attempts):
        try:
            return write()  # one statement in autocommit, as the worker runs
        except DatabaseError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(pause)
    return None


def purge(before):
    """Delete exports created before `before`, their files first (a file left behind is retried)."""
    deleted = 0
    for export in Export.objects.filter(created_at__lt=before).order_by("created_at")[:1000]:
        if export.file:
            try:
                export.file.storage.delete(export.file.name)
            except OSError:
                log.exception("export %s: its file could not be deleted; kept for the next run", export.pk)
                continue
        export.delete()
        deleted += 1
    return deleted


def requeue(now=None):
    """Fail exports whose worker died, delete old ones, send queued ones again (the broker was down)."""
    from firegrid.ops.tasks import build_export

    now = now or timezone.now()
    stale = Export.objects.filter(status=ExportStatus.RUNNING, started_at__lt=now - STALE_AFTER)
    failed = stale.update(
        status=ExportStatus.FAILED,
        error=f"Interrupted: still running after {STALE_AFTER} (its worker stopped). Start it again.",
        finished_at=now,
    )
    deleted = purge(now - timedelta(days=settings.EXPORT_KEEP_DAYS))
    waiting = list(
        Export.objects.filter(status=ExportStatus.QUEUED, created_at__lt=now - RESEND_AFTER)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    sent = 0
    for pk in waiting:
        try:
            build_export.delay(str(pk))
        except OperationalError as exc:
            log.warning("requeue_exports: the broker is unreachable, %s exports wait: %s", len(waiting), exc)
            break
        except Exception:
            log.exception("export %s failed", pk)  # without a broker it ran inline; the row says so
        sent += 1
    return {"failed": failed, "deleted": deleted, "requeued": sent, "waiting": len(waiting) - sent}
