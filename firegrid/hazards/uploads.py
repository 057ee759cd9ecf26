"""Uploaded photos: sniffed by content (not by name or declared type), size-capped, re-encoded so
no metadata (EXIF, GPS, maker notes) survives, and scaled down to a sane size."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_SIDE = 2560
MAX_PIXELS = 40_000_000


def clean_image(upload, field="photos"):
    """Return (ContentFile, content_type, width, height, gps) for a valid image, else ValidationError.

    gps is (lat, lng) from the photo's EXIF when it has one, read before the EXIF is dropped.
    """
    size = getattr(upload, "size", None)
    if size is None:
        size = len(upload.read())
        upload.seek(0)
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                field: _("%(name)s is larger than %(mb)s MB.")
                % {
                    "name": getattr(upload, "name", "file"),
                    "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024) or 1,
                }
            }
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        if fmt not in ALLOWED_FORMATS:
            raise UnidentifiedImageError(fmt)
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError({field: _("The image has too many pixels.")})
        gps = exif_gps(image)
        image = ImageOps.exif_transpose(image)  # keep the orientation the phone meant, then drop EXIF
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        if fmt == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format=fmt, **({"quality": 85} if fmt in ("JPEG", "WEBP") else {}))
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            {
                field: _("%(name)s is not a JPEG, PNG or WebP image.")
                % {"name": getattr(upload, "name", "file")}
            }
        ) from None
    content_type, ext = ALLOWED_FORMATS[fmt]
    return ContentFile(out.getvalue(), name=f"photo.{ext}"), content_type, image.width, image.height, gps


def _ratio(value):
    try:
        return float(value)
    except (TypeError, ZeroDivisionError):
        return float(value[0]) / float(value[1])


def exif_gps(image):
    """(lat, lng) from EXIF GPS tags, or None."""
    try:
        gps = image.getexif().get_ifd(0x8825)
    except Exception:
        return None
    try:
        lat_ref, lat, lng_ref, lng = gps[1], gps[2], gps[3], gps[4]
        lat_deg = sum(_ratio(v) / 60**i for i, v in enumerate(lat))
        lng_deg = sum(_ratio(v) / 60**i for i, v in enumerate(lng))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if str(lat_ref).upper().startswith("S"):
        lat_deg = -lat_deg
    if str(lng_ref).upper().startswith("W"):
        lng_deg = -lng_deg
    if not (-90 <= lat_deg <= 90 and -180 <= lng_deg <= 180):
        return None
    return round(lat_deg, 7), round(lng_deg, 7)


def check_photos(files, field="photos"):
    files = list(files or ())
    if len(files) > settings.UPLOAD_MAX_PHOTOS:
        raise ValidationError({field: _("At most %(n)s photos.") % {"n": settings.UPLOAD_MAX_PHOTOS}})
    return [clean_image(f, field) for f in files]


def store_upload(case, upload, *, kind, user=None, event=None, public=True, cleaned=None):
    from firegrid.hazards.models import Attachment

    content, content_type, width, height, _gps = cleaned or clean_image(upload)
    attachment = Attachment(
        case=case,
        event=event,
        kind=kind,
        content_type=content_type,
        size=content.size,
        width=width,
        height=height,
        uploaded_by=user,
        is_public=public,
    )
    attachment.file.save(content.name, content, save=False)
    attachment.save()
    return attachment
