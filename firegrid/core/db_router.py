"""Read replica routing (DATABASE_REPLICA_URL): read-only report and dashboard queries go to the
replica; everything else, and everything inside a transaction that writes, stays on the primary."""

from contextlib import contextmanager
from contextvars import ContextVar

_use_replica = ContextVar("firegrid_use_replica", default=False)


@contextmanager
def reading_from_replica():
    """Send the reads of this block to the replica (when one is configured)."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    """Reads inside `reading_from_replica()` go to "replica"; writes always go to "default"."""

    def db_for_read(self, model, **hints):
        return "replica" if _use_replica.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the same database

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
