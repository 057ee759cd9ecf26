"""firegrid: grassroots fire-safety governance. The Celery app loads with Django (shared_task binds to it)."""

from firegrid.celery import app as celery_app

__all__ = ["celery_app"]
