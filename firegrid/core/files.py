"""Serving uploaded files from views (media are not public: each view checks who may see the file).

Every upload goes out with its stored content type and `X-Content-Type-Options: nosniff`, so the
browser never guesses a type from the bytes. Only the image types the upload cleaners re-encode
(hazards.uploads) are shown inline; anything else (a PDF, an office file, whatever a type field
says) is a download, `Content-Disposition: attachment`, so a crafted HTML, SVG or PDF never renders
inside this site's origin.
"""

import mimetypes

from django.http import FileResponse, Http404

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def upload_response(field_file, *, content_type=None, filename=None, download=False, cache_seconds=3600):
    """A FileResponse for a stored FieldFile, or Http404 when the file is gone; download=True makes
    even an image a download."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = (
        content_type or mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    ).lower()
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=download or content_type not in INLINE_TYPES,
        filename=filename or field_file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"private, max-age={cache_seconds}"
    return response
