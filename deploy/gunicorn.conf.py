"""gunicorn settings for firegrid (deploy/processes.toml, web); every value can be set by environment."""

import multiprocessing
import os


def whole_numbers(name, default, count=1, minimum=0):
    """The environment variable `name` (or `default`) as `count` whole numbers ≥ `minimum`, separated by
    commas or slashes; a value that is not stops gunicorn at start with a message naming the variable."""
    raw = str(os.environ.get(name, default)).strip()
    parts = [p.strip() for p in raw.replace("/", ",").split(",")]
    wanted = "one to three whole numbers" if count == "1-3" else f"{count} whole number{'s' * (count > 1)}"
    try:
        numbers = tuple(int(p) for p in parts)
    except ValueError:
        numbers = ()
    sizes = range(1, 4) if count == "1-3" else (count,)
    if len(numbers) not in sizes or any(n < minimum for n in numbers):
        example = "10000,20,100" if count == "1-3" else str(default)
        raise SystemExit(
            f"{name}={raw!r}: give {wanted} of at least {minimum}, separated by commas "
            f"(for example {example})."
        )
    return numbers


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# 2 workers per core with 4 threads each: requests spend much of their time waiting on PostgreSQL.
(workers,) = whole_numbers("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count(), minimum=1)
worker_class = "gthread"
(threads,) = whole_numbers("GUNICORN_THREADS", 4, minimum=1)
(timeout,) = whole_numbers("GUNICORN_TIMEOUT", 60, minimum=1)
graceful_timeout = 30
keepalive = 5
# recycle workers now and then so a slow leak cannot grow without bound (0: never)
(max_requests,) = whole_numbers("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = 500
# nginx on the same host is the only client; it sets X-Forwarded-For / -Proto
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None  # nginx keeps the access log
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "firegrid-web"


def child_exit(server, worker):
    """Prometheus multi-process mode (PROMETHEUS_MULTIPROC_DIR): forget a dead worker's live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# Python's cycle collector runs every 700 net allocations by default: two to three times a Django request,
# each time walking every young object of the requests in flight — 5-6 % of a worker's CPU in the load
# test's mix (bench/README.md, production load test). Collecting every 10,000 halves that; what waits for
# a collection is a few thousand objects at most.
GC_THRESHOLD = whole_numbers("GUNICORN_GC_THRESHOLD", "10000,20,100", count="1-3")


# How long a thread may hold the GIL while others of the worker wait (Python's default 5 ms), in
# microseconds: a request back from PostgreSQL waits up to this long behind one that is computing.
(SWITCH_INTERVAL_US,) = whole_numbers("GUNICORN_SWITCH_INTERVAL_US", 5000, minimum=100)


def post_worker_init(worker):
    """Once the worker has loaded Django and the app, move those long-lived objects out of the
    garbage collector's reach: its full collections then walk only what requests create (bench/README.md,
    bench_places); then collect less often (GC_THRESHOLD). The GIL's switch interval is set here too."""
    import gc
    import sys

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    sys.setswitchinterval(SWITCH_INTERVAL_US / 1e6)
