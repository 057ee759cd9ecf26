"""The public report form (/report/) and tracking page (/track/<code>/): no login, nothing private."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from PIL import Image

from firegrid.hazards import reports
from firegrid.hazards.actions import record_event
from firegrid.hazards.choices import CaseStatus, Channel, EventKind, Source
from firegrid.hazards.models import Attachment, AttachmentKind, HazardCase, HazardCategory
from firegrid.hazards.uploads import store_upload

pytestmark = pytest.mark.django_db

REPORT = reverse("portal-report")
PRIVACY_NOTE = "Only the street and district fire staff handling your report can see"


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def jpeg(size=(40, 30), colour=(200, 60, 40), exif=None, name="hazard.jpg"):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG", **({"exif": exif} if exif is not None else {}))
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def gps_exif(lat, lng):
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0110] = "Phone 1"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (float(lat), 0.0, 0.0)
    gps[3] = "E"
    gps[4] = (float(lng), 0.0, 0.0)
    return exif


def form_data(**overrides):
    data = {
        "category": "e_bike",
        "description": "楼道里有电动车在充电，堵住了楼梯。",
        "lat": "28.05",
        "lng": "106.05",
        "address": "桥河小区 3 栋",
        "anonymous": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def counts():
    return HazardCase.objects.count(), Attachment.objects.count()


def post(client, data, url=REPORT, **extra):
    return client.post(url, data, **extra)


# ---- the form ------------------------------------------------------------------------------


def test_form_offers_public_categories_photos_location_and_a_privacy_note(client, world):
    response = client.get(REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'accept="image/*"' in html and "capture=" not in html and "multiple" in html  # camera or gallery
    assert 'id="use-location"' in html and "fieldapp/report.js" in html  # the script is a static file
    assert PRIVACY_NOTE in html and "The description and photos are public" in html
    assert 'name="website"' in html  # the honeypot
    public = set(HazardCategory.objects.filter(is_active=True, public=True).values_list("code", flat=True))
    offered = {c.code for c, _checked, _suggested in response.context["form"].category_options()}
    assert offered == public and "management" not in offered  # "management" is not offered to the public
    assert 'value="management"' not in html
    assert '<script src="http' not in html  # no CDN


def test_anonymous_report_lands_on_its_tracking_page(client, world):
    before = counts()
    response = post(client, form_data(photos=[jpeg()]))
    assert response.status_code == 302
    case = HazardCase.objects.get()
    assert response["Location"] == reverse("portal-track", args=[case.tracking_code]) + "?new=1"
    assert (case.channel, case.source, case.status) == (Channel.WEB, Source.PUBLIC, CaseStatus.REPORTED)
    assert case.region == world.grid_a and case.place is None
    assert (case.lat, case.lng, case.address) == (28.05, 106.05, "桥河小区 3 栋")
    assert case.anonymous and not (case.reporter_name or case.reporter_phone or case.reporter_email)
    assert case.category.code == "e_bike" and case.reporter is None
    assert counts() == (before[0] + 1, before[1] + 1)

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert case.tracking_code in html and "Keep this code" in html
    assert "楼道里有电动车在充电" in html and "Reported" in html and case.category.name_en in html
    photo = Attachment.objects.get(case=case)
    assert reverse("portal-photo", args=[case.tracking_code, photo.pk]) in html


def test_report_with_contact_keeps_it_for_staff_only(client, world):
    data = form_data(
        anonymous=None, reporter_name="张三", reporter_phone="138 0000 1111", reporter_email="zs@example.org"
    )
    response = post(client, data)
    assert response.status_code == 302
    case = HazardCase.objects.get()
    assert not case.anonymous
    assert (case.reporter_name, case.reporter_phone, case.reporter_email) == (
        "张三",
        "138 0000 1111",
        "zs@example.org",
    )
    html = client.get(response["Location"]).content.decode()
    assert "张三" not in html and "138 0000 1111" not in html and "zs@example.org" not in html


def test_no_contact_counts_as_anonymous_and_ticking_anonymous_drops_the_contact(client, world):
    post(client, form_data(anonymous=None))
    post(client, form_data(reporter_name="李四", reporter_phone="13900002222"))  # anonymous ticked too
    first, second = HazardCase.objects.order_by("id")
    assert first.anonymous and second.anonymous
    assert not (second.reporter_name or second.reporter_phone)


def test_report_from_a_place_code(client, world):
    shop = world.shop_a
    url = f"{REPORT}?place={shop.code}"
    page = client.get(url)
    html = page.content.decode()
    assert shop.name in html and 'id="use-location"' not in html
    options = page.context["form"].category_options()
    suggested = [c.code for c, _checked, s in options if s]
    assert suggested and "living_in_workplace" in suggested  # suggested for shops
    assert [c.code for c, _checked, _s in options][: len(suggested)] == suggested  # and listed first
    response = post(
        client,
        form_data(lat=None, lng=None, address=None, category="living_in_workplace", place=shop.code),
        url=url,
    )
    assert response.status_code == 302
    case = HazardCase.objects.get()
    assert case.channel == Channel.PLACE_CODE and case.source == Source.PUBLIC
    assert case.place == shop and case.region == shop.region and case.status == CaseStatus.REPORTED
    html = client.get(response["Location"]).content.decode()
    assert shop.name in html and shop.address not in html


def test_unknown_place_code_asks_for_a_location(client, world):
    html = client.get(f"{REPORT}?place=ZZZZZZZZZZZZ").content.decode()
    assert "We do not know that place code" in html and 'id="use-location"' in html


def _too_big(settings_bytes=2048):
    return SimpleUploadedFile(
        "big.jpg", b"\xff\xd8" + b"0" * (settings_bytes + 10), content_type="image/jpeg"
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": "  "}, "description", "Describe the hazard."),
        ({"description": None}, "description", "Describe the hazard."),
        ({"lat": None, "lng": None}, "lat", "Say where the hazard is"),
        ({"lat": "10", "lng": "10"}, "lat", "outside the district"),
        ({"lng": None}, "lat", "Give both latitude and longitude"),
        ({"category": "no-such-thing"}, "category", "Choose a hazard category."),
        ({"category": "management"}, "category", "Choose a hazard category."),  # not offered to the public
        ({"category": None}, "category", "Choose a hazard category."),
        ({"reporter_phone": "call me", "anonymous": None}, "reporter_phone", "Enter a phone number"),
        (
            {
                "photos": [
                    SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")
                ]
            },
            "photos",
            "is not a JPEG, PNG or WebP",
        ),
        ({"photos": [jpeg(name=f"p{i}.jpg") for i in range(5)]}, "photos", "At most 4 photos."),
    ],
    ids=[
        "blank-description",
        "no-description",
        "no-location",
        "outside-district",
        "half-location",
        "unknown-category",
        "private-category",
        "no-category",
        "bad-phone",
        "exe-photo",
        "too-many-photos",
    ],
)
def test_invalid_reports_re_render_with_the_error_and_save_nothing(
    client, world, settings, overrides, field, message
):
    settings.UPLOAD_MAX_PHOTOS = 4
    before = counts()
    response = post(client, form_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert any(message in str(error) for error in response.context["form"].errors[field])
    assert counts() == before
    assert not list((settings.MEDIA_ROOT).rglob("*.jpg"))


@override_settings(UPLOAD_MAX_BYTES=2048)
def test_oversized_photo_is_refused(client, world):
    before = counts()
    response = post(client, form_data(photos=[jpeg(), _too_big(2048)]))
    assert response.status_code == 200
    assert "big.jpg is larger than 1 MB." in response.content.decode()
    assert counts() == before


def test_a_bad_second_photo_saves_neither_photo_nor_case(client, world):
    before = counts()
    bad = SimpleUploadedFile("b.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif")
    response = post(client, form_data(photos=[jpeg(), bad]))
    assert (
        response.status_code == 200 and "b.gif is not a JPEG, PNG or WebP image." in response.content.decode()
    )
    assert counts() == before


def test_exif_is_stripped_and_photo_gps_locates_the_report(client, world, settings):
    photo = jpeg(size=(64, 48), exif=gps_exif(28.0, 106.0))
    with Image.open(io.BytesIO(photo.read())) as original:
        assert original.getexif().get_ifd(0x8825)  # the upload does carry GPS
    photo.seek(0)
    response = post(client, form_data(lat=None, lng=None, photos=[photo]))
    assert response.status_code == 302, response.context["form"].errors
    case = HazardCase.objects.get()
    assert (case.lat, case.lng) == (28.0, 106.0) and case.region == world.grid_a
    attachment = Attachment.objects.get(case=case)
    assert attachment.is_public and attachment.content_type == "image/jpeg"
    with attachment.file.open("rb") as handle:
        stored = handle.read()
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.width, image.height) == (64, 48)
        assert not dict(image.getexif()) and "exif" not in image.info
    assert b"TestCam" not in stored and b"Exif" not in stored


# ---- abuse --------------------------------------------------------------------------------------


@override_settings(PUBLIC_REPORTS_PER_HOUR=2)
def test_rate_limit_answers_429_after_n_reports_per_address(client, world):
    for _ in range(2):
        assert post(client, form_data()).status_code == 302
    before = counts()
    response = post(client, form_data())
    assert response.status_code == 429
    assert "Please wait a little" in response.content.decode() and "96119" in response.content.decode()
    assert counts() == before
    assert client.get(REPORT).status_code == 429
    other = Client(headers={"Accept-Language": "en"}, REMOTE_ADDR="10.9.8.7")
    assert other.post(REPORT, form_data()).status_code == 302  # another address has its own allowance


@override_settings(PUBLIC_REPORTS_PER_HOUR=2)
def test_failed_submissions_are_limited_too(client, world):
    for _ in range(6):
        assert post(client, form_data(description="")).status_code == 200
    assert post(client, form_data()).status_code == 429


def test_honeypot_catches_bots(client, world):
    before = counts()
    response = post(client, form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert "could not be accepted" in response.content.decode()
    assert counts() == before


def test_csrf_stays_on(world):
    strict = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
    before = counts()
    assert strict.post(REPORT, form_data()).status_code == 403
    assert counts() == before


# ---- tracking -----------------------------------------------------------------------------------


@pytest.fixture
def reported(world):
    case = reports.report(
        description="消防通道被车辆堵塞",
        category=HazardCategory.objects.get(code="fire_lane"),
        place=world.shop_a,
        photos=[jpeg(name="lane.jpg")],
        reporter_name="张三",
        reporter_phone="13800001111",
        reporter_email="zhangsan@example.org",
        channel=Channel.PLACE_CODE,
    )
    record_event(
        case, EventKind.COMMENT, actor=world.grid_worker_a, note="内部备注：业主是熟人", public=False
    )
    record_event(case, EventKind.COMMENT, actor=world.street_officer, note="已通知物业清理", public=True)
    record_event(case, EventKind.COMMENT, actor=None, label="张三", note="举报人补充", public=False)
    return case


def track(code):
    return reverse("portal-track", args=[code])


def test_tracking_page_shows_public_facts_and_public_events_only(client, world, reported):
    response = client.get(track(reported.tracking_code))
    assert response.status_code == 200
    html = response.content.decode()
    assert reported.tracking_code in html and "消防通道被车辆堵塞" in html and world.shop_a.name in html
    assert "Fire lanes" in html or reported.category.name_en in html
    assert "badge" in html and "Reported" in html
    assert "已通知物业清理" in html  # a public note
    assert "内部备注" not in html and "举报人补充" not in html  # internal events stay inside
    assert "Member of the public" in html and "Fire safety staff" in html
    for private in (
        "张三",
        "13800001111",
        "zhangsan@example.org",
        world.street_officer.username,
        world.grid_worker_a.username,
        world.shop_a.address,
    ):
        assert private not in html
    assert "Keep this code" not in html  # only right after reporting
    events = response.context["events"]
    assert [e["kind"] for e in events] == ["Reported", "Comment"]


def test_tracking_codes_are_forgiving_and_unknown_codes_are_404(client, reported):
    code = reported.tracking_code
    assert client.get(track(code.lower())).status_code == 302
    lookup = reverse("portal-track-lookup")
    assert client.get(lookup).status_code == 200
    spaced = f" {code[:5].lower()} {code[5:]} "
    response = client.get(lookup, {"code": spaced})
    assert response.status_code == 302 and response["Location"] == track(code)
    missing = client.get(track("ZZZZZZZZZZ"))
    assert missing.status_code == 404 and "No report has this tracking code" in missing.content.decode()
    assert client.get(lookup, {"code": "ZZZZZZZZZZ"}).status_code == 404


def test_photos_are_served_through_the_tracking_code_only_when_public(client, world, reported):
    public = Attachment.objects.get(case=reported)
    private = store_upload(reported, jpeg(name="inside.jpg"), kind=AttachmentKind.EVIDENCE, public=False)
    response = client.get(reverse("portal-photo", args=[reported.tracking_code, public.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    assert client.get(reverse("portal-photo", args=[reported.tracking_code, private.pk])).status_code == 404
    html = client.get(track(reported.tracking_code)).content.decode()
    assert f"/photo/{public.pk}/" in html and f"/photo/{private.pk}/" not in html
    # another case's code does not open this photo, nor does an unknown code
    other = reports.report(
        description="另一处隐患", category=HazardCategory.objects.get(code="other"), lat=28.05, lng=106.15
    )
    assert client.get(reverse("portal-photo", args=[other.tracking_code, public.pk])).status_code == 404
    assert client.get(reverse("portal-photo", args=["ZZZZZZZZZZ", public.pk])).status_code == 404
    # an unpublished case shows no description and no photos
    HazardCase.objects.filter(pk=reported.pk).update(is_public=False)
    assert client.get(reverse("portal-photo", args=[reported.tracking_code, public.pk])).status_code == 404
    html = client.get(track(reported.tracking_code)).content.decode()
    assert "消防通道被车辆堵塞" not in html and "/photo/" not in html
