"""Prometheus metrics at /metrics (prometheus-client).

Two sources go into one answer:

- per request, counted by `MetricsMiddleware` in the web process: firegrid_http_requests_total by view,
  method and status class, and firegrid_http_request_duration_seconds (a histogram by view and method).
  The view is the resolver's view name (`namespace:url_name`, or the view's dotted path when a pattern
  has no name), never the path, so the label values are bounded by the URL configuration. Under gunicorn
  each worker counts its own requests: set PROMETHEUS_MULTIPROC_DIR (an empty directory, wiped at start;
  deploy/gunicorn.conf.py marks dead workers) and every worker writes its samples there and /metrics sums
  them (prometheus_client's multi-process mode).
- read from the database when scraped (`DatabaseCollector`), so they are right whichever process did the
  work (the ingest, the gateway and Celery run elsewhere) and in either mode: ingest counters from the
  IngestCount rows the ingest processes write every second, ingest lag, active alarms, open hazard cases,
  failed jobs of the last 24 h, each scheduled job's last success, the Celery queue's length in Redis,
  and alarm latency.

Alarm latency: an alarm records the device time of the message that raised it (first_at) and the time its
row was committed (raised_at), so publish → alarm is raised_at − first_at. It is exposed as gauges of the
median and the 95th percentile over the alarms raised in the last hour (at most the newest 1000; offline
alarms, raised by a sweep and not by a message, left out) — a histogram would need the ingest process to
serve its own metrics. Device clocks count: a device that is 30 s fast shows 30 s less.
"""

import logging
import os
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Sum
from django.utils import timezone
from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

log = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "firegrid_http_requests",
    "HTTP requests answered, by view, method and status class.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "firegrid_http_request_duration_seconds",
    "Time to answer an HTTP request (all middleware included), by view and method.",
    ["view", "method"],
    buckets=BUCKETS,
)

UNRESOLVED = "<unresolved>"
# IngestCount rows older than this are no longer added to (the ingest flushes every second): they are
# summed once per process and kept, so a scrape only reads the last minutes' rows
SETTLED_MINUTES = 15
LATENCY_WINDOW = timedelta(hours=1)
LATENCY_SAMPLE = 1000


def view_label(request):
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else UNRESOLVED


class MetricsMiddleware:
    """Counts every request and times it; put it near the top of MIDDLEWARE so the time covers the rest."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        view = view_label(request)
        REQUESTS.labels(view, method, f"{response.status_code // 100}xx").inc()
        LATENCY.labels(view, method).observe(time.perf_counter() - started)
        return response


# ---- read from the database at scrape time ----


def channel_of(process):
    """IngestCount.process → the channel: "http" (the web endpoint), "gb26875-…" (the gateway), else an
    MQTT ingest's client id."""
    if process == "http":
        return "http"
    if process.startswith("gb26875"):
        return "gb26875"
    return "mqtt"


class IngestTotals:
    """Sums of IngestCount per (channel, name): the settled minutes summed once and remembered, the
    recent ones read at every scrape (the unique index on minute makes that a range scan)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._settled = {}
        self._cutoff = None

    @staticmethod
    def _sums(queryset):
        out = {}
        for row in queryset.values("process", "name").annotate(total=Sum("count")).order_by():
            key = (channel_of(row["process"]), row["name"])
            out[key] = out.get(key, 0) + (row["total"] or 0)
        return out

    def totals(self, now=None):
        from firegrid.iot.models import IngestCount

        now = now or timezone.now()
        cutoff = now.replace(second=0, microsecond=0) - timedelta(minutes=SETTLED_MINUTES)
        with self._lock:
            if self._cutoff is None:
                self._settled = self._sums(IngestCount.objects.filter(minute__lt=cutoff))
                self._cutoff = cutoff
            elif cutoff > self._cutoff:
                newly = IngestCount.objects.filter(minute__gte=self._cutoff, minute__lt=cutoff)
                for key, n in self._sums(newly).items():
                    self._settled[key] = self._settled.get(key, 0) + n
                self._cutoff = cutoff
            totals = dict(self._settled)
            cutoff = self._cutoff
        for key, n in self._sums(IngestCount.objects.filter(minute__gte=cutoff)).items():
            totals[key] = totals.get(key, 0) + n
        return totals

    def reset(self):
        with self._lock:
            self._settled = {}
            self._cutoff = None


INGEST_TOTALS = IngestTotals()


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * fraction // 1))  # ceil
    return sorted_values[int(rank) - 1]


def queue_length(broker_url, queue):
    """Messages waiting in a Celery queue on a Redis broker (kombu keeps one list per priority step)."""
    from kombu.transport.redis import PRIORITY_STEPS

    from firegrid.ops.health import redis_client

    client = redis_client(broker_url)
    try:
        pipe = client.pipeline(transaction=False)
        for step in PRIORITY_STEPS:
            pipe.llen(queue if not step else f"{queue}\x06\x16{step}")
        return sum(pipe.execute())
    finally:
        client.close()


class DatabaseCollector:
    """Metrics computed at scrape time from the database (and the broker's queue in Redis). Each part
    that fails is logged and reported by firegrid_metrics_part_up 0; the others are still served."""

    def collect(self):
        now = timezone.now()
        up = GaugeMetricFamily(
            "firegrid_metrics_part_up", "1 when this part of the scrape could be read.", labels=["part"]
        )
        database_ok = True
        for name, part in (
            ("ingest", self._ingest),
            ("alarms", self._alarms),
            ("hazards", self._hazards),
            ("jobs", self._jobs),
            ("queue", self._queue),
        ):
            if name != "queue" and not database_ok:
                up.add_metric([name], 0)
                continue
            try:
                families = list(part(now))
            except Exception as exc:  # noqa: BLE001 - a scrape must not fail for one part
                log.warning("metrics: %s could not be read: %s: %s", name, type(exc).__name__, exc)
                up.add_metric([name], 0)
                if isinstance(exc, DatabaseError):
                    database_ok = False
                continue
            up.add_metric([name], 1)
            yield from families
        yield up

    def _ingest(self, now):
        from firegrid.iot.models import Message

        messages = CounterMetricFamily(
            "firegrid_ingest_messages",
            "Device messages handled by the ingest (MQTT, HTTP, GB/T 26875), by outcome.",
            labels=["channel", "outcome"],
        )
        rejected = CounterMetricFamily(
            "firegrid_ingest_rejected",
            "Device messages rejected, by reason.",
            labels=["channel", "reason"],
        )
        events = CounterMetricFamily(
            "firegrid_ingest_events",
            "Everything the ingest processes count (IngestCount names: connections, frames, batches …).",
            labels=["channel", "name"],
        )
        outcomes = {}
        for (channel, name), n in sorted(INGEST_TOTALS.totals(now).items()):
            events.add_metric([channel, name], n)
            if name in ("accepted", "duplicate"):
                outcome = name
            elif name.startswith("rejected:"):
                outcome = "rejected"
                rejected.add_metric([channel, name.split(":", 1)[1]], n)
            else:
                continue
            outcomes[(channel, outcome)] = outcomes.get((channel, outcome), 0) + n
        for (channel, outcome), n in sorted(outcomes.items()):
            messages.add_metric([channel, outcome], n)
        yield from (messages, rejected, events)
        last = Message.objects.order_by("-pk").values_list("received_at", flat=True).first()
        if last is not None:
            yield GaugeMetricFamily(
                "firegrid_ingest_last_message_timestamp_seconds",
                "When the newest device message was stored (Unix time).",
                value=last.timestamp(),
            )
            yield GaugeMetricFamily(
                "firegrid_ingest_lag_seconds",
                "Seconds since the newest device message was stored.",
                value=max(0.0, (now - last).total_seconds()),
            )

    def _alarms(self, now):
        from firegrid.iot.models import ACTIVE_STATUSES, OFFLINE_CODE, Alarm

        active = GaugeMetricFamily(
            "firegrid_alarms_active", "Alarms active or acknowledged, by kind.", labels=["kind"]
        )
        rows = Alarm.objects.filter(status__in=ACTIVE_STATUSES).values("kind").annotate(n=Count("id"))
        for row in rows.order_by("kind"):
            active.add_metric([row["kind"]], row["n"])
        yield active
        since = now - LATENCY_WINDOW
        recent = (
            Alarm.objects.exclude(code=OFFLINE_CODE)
            .order_by("-pk")
            .values_list("raised_at", "first_at")[:LATENCY_SAMPLE]
        )
        latencies = sorted(
            max(0.0, (raised - first).total_seconds()) for raised, first in recent if raised >= since
        )
        yield GaugeMetricFamily(
            "firegrid_alarm_latency_window_alarms",
            "Alarms raised in the last hour that the latency gauges describe.",
            value=len(latencies),
        )
        if latencies:
            for q, name in ((0.5, "p50"), (0.95, "p95")):
                yield GaugeMetricFamily(
                    f"firegrid_alarm_latency_{name}_seconds",
                    f"Device time of the message to the alarm committed, {name} over the last hour.",
                    value=percentile(latencies, q),
                )

    def _hazards(self, now):
        from firegrid.hazards.choices import OPEN_STATUSES
        from firegrid.hazards.models import HazardCase

        family = GaugeMetricFamily(
            "firegrid_hazard_cases_open", "Open hazard cases, by status.", labels=["status"]
        )
        counts = dict(
            HazardCase.objects.filter(status__in=OPEN_STATUSES)
            .values("status")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("status", "n")
        )
        for status in sorted(OPEN_STATUSES):
            family.add_metric([str(status)], counts.get(status, 0))
        yield family

    def _jobs(self, now):
        from firegrid.ops.choices import RunStatus
        from firegrid.ops.jobs import last_success
        from firegrid.ops.models import JobRun

        failures = GaugeMetricFamily(
            "firegrid_job_failures_24h",
            "Background job runs that failed for good (retries spent) in the last 24 hours, by job.",
            labels=["job"],
        )
        rows = (
            JobRun.objects.filter(status=RunStatus.FAILED, finished_at__gte=now - timedelta(hours=24))
            .values("name")
            .annotate(n=Count("id"))
            .order_by("name")
        )
        counts = {row["name"]: row["n"] for row in rows}
        for name in sorted(set(counts) | set(settings.JOB_INTERVALS)):
            failures.add_metric([name], counts.get(name, 0))
        yield failures
        last = GaugeMetricFamily(
            "firegrid_job_last_success_timestamp_seconds",
            "When each scheduled job last succeeded (Unix time); absent if never.",
            labels=["job"],
        )
        interval = GaugeMetricFamily(
            "firegrid_job_interval_seconds", "Seconds between scheduled runs (JOB_INTERVALS).", labels=["job"]
        )
        for name, seconds in sorted(settings.JOB_INTERVALS.items()):
            interval.add_metric([name], seconds)
            at = last_success(name)
            if at is not None:
                last.add_metric([name], at.timestamp())
        yield from (last, interval)

    def _queue(self, now):
        from urllib.parse import urlsplit

        broker = settings.CELERY_BROKER_URL
        if not broker or urlsplit(broker).scheme not in ("redis", "rediss"):
            return
        queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
        family = GaugeMetricFamily(
            "firegrid_celery_queue_length",
            "Tasks waiting in the Celery queue on the Redis broker.",
            labels=["queue"],
        )
        family.add_metric([queue], queue_length(broker, queue))
        yield family


class Exposition:
    """What one scrape collects: this process's (or, in multi-process mode, every worker's) request
    metrics and the database collector."""

    def __init__(self):
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            self.sources = [multiprocess.MultiProcessCollector(None), DatabaseCollector()]
        else:
            self.sources = [REGISTRY, DatabaseCollector()]

    def collect(self):
        for source in self.sources:
            yield from source.collect()


def render(accept_header=""):
    """(body bytes, content type) in the format the scraper asked for (Prometheus text or OpenMetrics)."""
    from prometheus_client.exposition import choose_encoder

    encoder, content_type = choose_encoder(accept_header or "")
    return encoder(Exposition()), content_type
