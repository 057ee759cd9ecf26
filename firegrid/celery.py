"""The Celery application: background and scheduled work on Redis (settings CELERY_*).

Start a worker with `celery -A firegrid worker` and the schedule with `celery -A firegrid beat`
(deploy/ has the systemd units). Without a broker (REDIS_URL empty) tasks run inline.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")

app = Celery("firegrid")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["firegrid.ops"])
