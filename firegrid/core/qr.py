"""QR codes for cards, signs and public pages."""

import base64
import io

import qrcode
import qrcode.image.svg


def qr_svg(text):
    """The QR code of the text as SVG bytes (vector: sharp at any print size)."""
    image = qrcode.make(
        text, image_factory=qrcode.image.svg.SvgPathImage, border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    return image.to_string()


def qr_png(text, box_size=10):
    image = qrcode.make(text, box_size=box_size, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(text):
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text)).decode("ascii")
