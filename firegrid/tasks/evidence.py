"""Evidence files: images through the hazards' photo cleaner (sniffed, re-encoded, metadata dropped)
or PDFs, recognised by their content (the %PDF- header and an %%EOF trailer), never by name, and
size-capped like photos (settings.UPLOAD_MAX_BYTES, at most settings.UPLOAD_MAX_PHOTOS files)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from firegrid.hazards.uploads import clean_image
from firegrid.tasks.choices import EvidenceKind

PDF_TYPE = "application/pdf"


def _name(upload):
    return (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:200]


def clean_evidence(upload, field="evidence"):
    """(ContentFile, kind, content type, original name) for an accepted file, else ValidationError."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                field: _("%(name)s is larger than %(mb)s MB.")
                % {"name": _name(upload), "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024) or 1}
            }
        )
    head = upload.read(1024)
    upload.seek(0)
    if head.lstrip()[:5] == b"%PDF-":
        data = upload.read(settings.UPLOAD_MAX_BYTES + 1)
        if len(data) > settings.UPLOAD_MAX_BYTES:
            raise ValidationError({field: _("%(name)s is too large.") % {"name": _name(upload)}})
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(
                {field: _("%(name)s is not a complete PDF file.") % {"name": _name(upload)}}
            )
        return ContentFile(data, name="evidence.pdf"), EvidenceKind.PDF, PDF_TYPE, _name(upload)
    try:
        content, content_type, _w, _h, _gps = clean_image(upload, field)
    except ValidationError:
        raise ValidationError(
            {field: _("%(name)s is neither a PDF nor a JPEG, PNG or WebP image.") % {"name": _name(upload)}}
        ) from None
    return content, EvidenceKind.IMAGE, content_type, _name(upload)


def check_files(files, field="evidence"):
    files = [f for f in (files or ()) if f]
    if len(files) > settings.UPLOAD_MAX_PHOTOS:
        raise ValidationError({field: _("At most %(n)s files.") % {"n": settings.UPLOAD_MAX_PHOTOS}})
    return [clean_evidence(f, field) for f in files]


def store(cleaned, *, report=None, duty=None, user=None):
    from firegrid.tasks.models import Evidence

    stored = []
    for content, kind, content_type, name in cleaned:
        evidence = Evidence(
            report=report,
            duty=duty,
            kind=kind,
            name=name,
            content_type=content_type,
            size=content.size,
            uploaded_by=user,
        )
        evidence.file.save(content.name, content, save=False)
        evidence.save()
        stored.append(evidence)
    return stored
