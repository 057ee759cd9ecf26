"""Uploaded files the app serves (hazard attachments, task evidence, facility check photos and plan
files, inspection photos, the public tracking photo): each with its stored type and
`X-Content-Type-Options: nosniff`; only cleaned images inline, anything else as a download."""

import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from firegrid.facilities import actions as facility_actions
from firegrid.facilities.models import AncientTownPolicy, Facility
from firegrid.facilities.tests.conftest import make_facility
from firegrid.hazards import reports
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import Attachment, AttachmentKind, HazardCategory
from firegrid.inspections import actions as inspection_actions
from firegrid.inspections.choices import AnswerResult
from firegrid.inspections.models import Answer
from firegrid.tasks.models import Evidence, ProgressReport
from firegrid.tasks.tests.conftest import make_task

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
HTML = b"<!doctype html><script src=/media/evil.js></script>"


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 40, 40)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def body(response):
    return b"".join(response.streaming_content)


def assert_inline_image(response, content_type="image/jpeg"):
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.get("Content-Disposition", "").startswith("attachment")


def assert_download(response, content_type):
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;"), response["Content-Disposition"]


def attach(case, data, name, content_type, kind=AttachmentKind.DOCUMENT):
    attachment = Attachment(case=case, kind=kind, content_type=content_type, size=len(data))
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment


def test_hazard_attachments(world, client, media):
    case = reports.report(
        description="安全出口被货物堵住",
        category=HazardCategory.objects.get(code="evacuation"),
        place=world.shop_a,
        source=Source.PUBLIC,
        channel=Channel.WEB,
    )
    photo = attach(case, jpeg(), "photo.jpg", "image/jpeg", AttachmentKind.PHOTO)
    document = attach(case, PDF, "rectification.pdf", "application/pdf")
    page = attach(case, HTML, "page.html", "text/html")
    svg = attach(case, b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "x.svg", "image/svg+xml")
    client.force_login(world.district_admin)
    url = f"/hazards/{case.pk}/files/%s/"
    assert_inline_image(client.get(url % photo.pk))
    response = client.get(url % document.pk)
    assert_download(response, "application/pdf")
    assert body(response) == PDF
    assert_download(client.get(url % page.pk), "text/html")
    assert_download(client.get(url % svg.pk), "image/svg+xml")
    # the public tracking page shows public photos only, inline and unsniffed
    client.logout()
    assert_inline_image(client.get(f"/track/{case.tracking_code}/photo/{photo.pk}/"))
    assert client.get(f"/track/{case.tracking_code}/photo/{document.pk}/").status_code == 404


def test_task_evidence(world, client, media):
    task = make_task(world)
    report = ProgressReport.objects.create(
        task=task, unit=world.station, percent=10, note="摸底", reported_by=world.street_officer
    )
    files = {}
    for name, data, content_type in [
        ("minutes.pdf", PDF, "application/pdf"),
        ("site.jpg", jpeg(), "image/jpeg"),
    ]:
        evidence = Evidence(
            report=report,
            kind="pdf" if name.endswith("pdf") else "image",
            name=name,
            content_type=content_type,
            size=len(data),
        )
        evidence.file.save(name, ContentFile(data), save=False)
        evidence.save()
        files[name] = evidence
    client.force_login(world.street_officer)
    response = client.get(f"/tasks/evidence/{files['minutes.pdf'].pk}/")
    assert_download(response, "application/pdf")
    assert 'filename="minutes.pdf"' in response["Content-Disposition"]
    assert_inline_image(client.get(f"/tasks/evidence/{files['site.jpg'].pk}/"))


def test_facility_check_photo_and_plan_file(world, client, media):
    hydrant = make_facility("桥河一号消火栓", "hydrant", 28.03, 106.03)
    check = facility_actions.record_check(
        Facility.objects.get(pk=hydrant.pk),
        actor=world.grid_worker_a,
        status_after="working",
        photo=SimpleUploadedFile("hydrant.jpg", jpeg(), content_type="image/jpeg"),
    )
    assert check.photo
    world.street.is_ancient_town = True
    world.street.save()
    policy = AncientTownPolicy(
        region=world.street, year=2026, title="一镇一策", text="措施", attachment_name="一镇一策.docx"
    )
    policy.attachment.save("policy.docx", ContentFile(b"PK\x03\x04 not really a docx"), save=False)
    policy.save()
    client.force_login(world.district_admin)
    assert_inline_image(client.get(f"/facilities/checks/{check.pk}/photo/"))
    response = client.get(f"/facilities/policies/{policy.pk}/file/")
    assert_download(response, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "filename*=utf-8''" in response["Content-Disposition"]  # the original (Chinese) name


def test_inspection_photo(world, client, media):
    inspection_actions.sync_shipped_checklists()
    inspection = inspection_actions.start_inspection(
        world.shop_a, "patrol", [world.grid_worker_a], actor=world.grid_worker_a
    )
    checklist = inspection.checklists.first()
    code = next(iter(checklist.items()))
    answer = Answer(inspection=inspection, checklist=checklist, item_code=code, result=AnswerResult.FAIL)
    answer.photo.save("fail.jpg", ContentFile(jpeg()), save=False)
    answer.save()
    client.force_login(world.grid_worker_a)
    assert_inline_image(client.get(f"/inspections/{inspection.pk}/photos/{answer.pk}/"))
