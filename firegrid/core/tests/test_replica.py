"""DATABASE_REPLICA_URL: the dashboard's and reports' reads go to the replica connection, other pages
and every write stay on the primary. Run in a second process with a real second connection (the
replica alias points at a copy-free second connection to the same test database)."""

import json
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import json, os
import django
django.setup()
from django.db import connections
from django.test import Client
from firegrid.org.models import User

counts = {"default": 0, "replica": 0}

def counting(alias):
    def wrapper(execute, sql, params, many, context):
        counts[alias] += 1
        return execute(sql, params, many, context)
    return wrapper

def measure(client, path):
    for alias in counts:
        counts[alias] = 0
    status = client.get(path, HTTP_ACCEPT_LANGUAGE="en").status_code
    return {"status": status, **counts}

client = Client()
client.force_login(User.objects.get(username="district_admin"))
with connections["default"].execute_wrapper(counting("default")), \
        connections["replica"].execute_wrapper(counting("replica")):
    print(json.dumps({
        "dashboard": measure(client, "/api/v1/dashboard/"),
        "map_grids": measure(client, "/api/v1/map/grids/"),
        "places": measure(client, "/api/v1/places/?limit=5"),
    }))
"""


@pytest.mark.django_db(transaction=True)
def test_dashboard_reads_go_to_the_replica_and_other_pages_stay_on_the_primary(world, shared_db):
    env = dict(os.environ, DATABASE_URL=shared_db, DATABASE_REPLICA_URL=shared_db, AXES_ENABLED="0")
    env["DJANGO_SETTINGS_MODULE"] = "firegrid.settings"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    for page in ("dashboard", "map_grids"):
        assert seen[page]["status"] == 200, seen
        assert seen[page]["replica"] >= 3, seen  # the figures were read from the replica
        assert seen[page]["default"] <= 2, seen  # only the session and the user, from the primary
    assert seen["places"]["status"] == 200
    assert seen["places"]["replica"] == 0, seen
    assert seen["places"]["default"] >= 1
