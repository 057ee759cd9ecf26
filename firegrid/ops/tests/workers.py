"""A real Celery worker (in a thread of the test process) on a real redis-server, for the ops tests."""

import time
from contextlib import contextmanager

import kombu.pools
from celery.contrib.testing.worker import start_worker

from firegrid.celery import app


def reset_connections():
    """Drop the app's broker connections so the next use connects to the broker now configured."""
    kombu.pools.reset()
    app._after_fork()  # forgets the app's connection and producer pools, as a forked worker does


@contextmanager
def broker(url):
    """Tasks go to the broker at `url` (running or not) instead of running inline."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    reset_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        reset_connections()


@contextmanager
def running_worker():
    """A worker consuming from the broker configured now (see `broker`)."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def wait_for(check, timeout=30.0, message="condition"):
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(0.05)
    return value
