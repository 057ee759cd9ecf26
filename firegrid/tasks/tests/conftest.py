import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from firegrid.tasks import catalogue
from firegrid.tasks.models import KeyTask


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def png(name="evidence.png"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 160, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf(name="minutes.pdf", body=b"1 0 obj << /Type /Catalog >> endobj\n"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n" + body + b"trailer\n%%EOF\n", content_type="application/pdf"
    )


def make_task(world, *, region=None, lead=None, co=(), year=None, **fields):
    today = datetime.date.today()
    year = year or today.year
    task = KeyTask.objects.create(
        year=year,
        title=fields.pop("title", "老旧小区消防设施改造"),
        content=fields.pop("content", "完成辖区老旧小区消防设施改造。"),
        region=region or world.street,
        lead_unit=lead or world.station,
        starts_on=fields.pop("starts_on", datetime.date(year, 1, 1)),
        due_on=fields.pop("due_on", datetime.date(year, 12, 31)),
        **fields,
    )
    task.units.set([lead or world.station, *co])
    return task


@pytest.fixture
def tasks(world):
    """A task of street 1 led by its station with the committee, one of street 2, one of the department."""
    w = world
    w.task = make_task(w, co=[w.committee])
    w.task_s2 = make_task(w, region=w.street2, lead=w.station2, title="沙溪社区微型消防站建设")
    w.task_dept = make_task(w, region=w.district, lead=w.department, title="校外培训机构消防整治")
    w.task_police = make_task(w, lead=w.police, title="派出所监管单位年度检查")
    return w


@pytest.fixture
def loaded(world):
    catalogue.load_key_tasks(datetime.date.today().year, world.district)
    catalogue.schedule_duties(datetime.date.today().year)
    catalogue.ensure_responsibilities()
    return world
