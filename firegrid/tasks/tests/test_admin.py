"""The tasks models in the admin: every list and a change page render."""

from firegrid.tasks import catalogue
from firegrid.tasks.models import Duty


def test_admin_pages_render(tasks, client):
    w = tasks
    catalogue.schedule_duties(w.task.year)
    w.district_admin.is_staff = w.district_admin.is_superuser = True
    w.district_admin.save()
    client.force_login(w.district_admin)
    names = [
        "keytask",
        "duty",
        "responsibility",
        "supervision",
        "fireincident",
        "incidenttarget",
        "scorescheme",
        "taskcatalogue",
        "taskreview",
        "taskreminder",
    ]
    for name in names:
        assert client.get(f"/admin/tasks/{name}/").status_code == 200, name
    assert client.get(f"/admin/tasks/keytask/{w.task.pk}/change/").status_code == 200
    assert client.get(f"/admin/tasks/duty/{Duty.objects.first().pk}/change/").status_code == 200
