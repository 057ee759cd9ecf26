"""hazards.uploads: photos are sniffed by content, size- and pixel-capped, and re-encoded without EXIF."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from firegrid.hazards.uploads import MAX_SIDE, check_photos, clean_image, exif_gps


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def encode(image, fmt, **params):
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def png_header_only(width, height):
    """A well-formed PNG that claims a huge size but holds almost no data (a decompression bomb)."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def message(excinfo):
    return " ".join(str(m) for m in excinfo.value.message_dict["photos"])


def test_png_is_accepted_and_kept_png():
    content, content_type, width, height, gps = clean_image(
        upload(encode(Image.new("RGBA", (30, 20), (0, 128, 0, 200)), "PNG"), "a.png", "image/png")
    )
    assert (content_type, width, height, gps) == ("image/png", 30, 20, None)
    assert content.name.endswith(".png")
    with Image.open(io.BytesIO(content.read())) as image:
        assert image.format == "PNG" and image.mode == "RGBA"


def test_webp_is_accepted():
    data = encode(Image.new("RGB", (25, 25), (10, 20, 30)), "WEBP")
    content, content_type, width, height, _gps = clean_image(upload(data, "a.webp", "image/webp"))
    assert (content_type, width, height) == ("image/webp", 25, 25)
    with Image.open(io.BytesIO(content.read())) as image:
        assert image.format == "WEBP"


def test_type_is_sniffed_not_taken_from_the_name():
    png_named_jpg = upload(encode(Image.new("RGB", (8, 8)), "PNG"), "looks.jpg", "image/jpeg")
    assert clean_image(png_named_jpg)[1] == "image/png"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (encode(Image.new("P", (10, 10)), "GIF"), "anim.gif"),
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300,
            "setup.jpg",
        ),  # a renamed .exe
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.png"),
        (b"", "empty.jpg"),
        (encode(Image.new("RGB", (50, 50)), "JPEG")[:200], "truncated.jpg"),
        (encode(Image.new("RGB", (10, 10)), "BMP"), "old.bmp"),
    ],
    ids=["gif", "exe", "svg", "empty", "truncated-jpeg", "bmp"],
)
def test_other_files_are_refused(data, name):
    with pytest.raises(ValidationError) as excinfo:
        clean_image(upload(data, name))
    assert f"{name} is not a JPEG, PNG or WebP image." in message(excinfo)


def test_decompression_bombs_are_refused():
    # beyond Pillow's own limit: Image.open refuses it outright
    with pytest.raises(ValidationError):
        clean_image(upload(png_header_only(30_000, 30_000), "bomb.png", "image/png"))
    # within Pillow's limit but above ours: refused before any pixel is decoded
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(ValidationError) as excinfo:
        clean_image(upload(png_header_only(10_000, 10_000), "big.png", "image/png"))
    assert "too many pixels" in message(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        clean_image(upload(png_header_only(8_000, 6_000), "wide.png", "image/png"))
    assert "too many pixels" in message(excinfo)


def test_size_cap():
    data = encode(Image.effect_noise((200, 200), 90).convert("RGB"), "PNG")
    with override_settings(UPLOAD_MAX_BYTES=len(data) - 1), pytest.raises(ValidationError) as excinfo:
        clean_image(upload(data, "noise.png"))
    assert "noise.png is larger than 1 MB." in message(excinfo)
    with override_settings(UPLOAD_MAX_BYTES=len(data)):
        assert clean_image(upload(data, "noise.png"))[1] == "image/png"


def test_count_cap():
    files = [upload(encode(Image.new("RGB", (4, 4)), "PNG"), f"{i}.png") for i in range(3)]
    with override_settings(UPLOAD_MAX_PHOTOS=2), pytest.raises(ValidationError) as excinfo:
        check_photos(files)
    assert "At most 2 photos." in message(excinfo)
    assert check_photos([]) == []


def test_exif_is_dropped_and_gps_read_first():
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x0132] = "2026:03:05 10:00:00"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (29.0, 30.0, 0.0), 3: "E", 4: (106.0, 15.0, 36.0)})
    data = encode(Image.new("RGB", (32, 24), (1, 2, 3)), "JPEG", exif=exif)
    content, _type, _w, _h, location = clean_image(upload(data))
    assert location == (29.5, 106.26)
    stored = content.read()
    with Image.open(io.BytesIO(stored)) as image:
        assert not dict(image.getexif()) and "exif" not in image.info
    assert b"TestCam" not in stored


def test_southern_and_western_gps_and_junk_gps():
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "S", 2: (10.0, 0.0, 0.0), 3: "W", 4: (20.0, 30.0, 0.0)})
    image = Image.open(io.BytesIO(encode(Image.new("RGB", (4, 4)), "JPEG", exif=exif)))
    assert exif_gps(image) == (-10.0, -20.5)
    junk = Image.Exif()
    junk.get_ifd(0x8825).update({1: "N", 2: (95.0, 0.0, 0.0), 3: "E", 4: (1.0, 0.0, 0.0)})
    assert exif_gps(Image.open(io.BytesIO(encode(Image.new("RGB", (4, 4)), "JPEG", exif=junk)))) is None
    assert exif_gps(Image.new("RGB", (4, 4))) is None


def test_orientation_is_applied_before_exif_is_dropped():
    # a phone held upright stores a landscape sensor image with "rotate 90° clockwise" (orientation 6)
    sensor = Image.new("RGB", (40, 20), (255, 255, 255))
    sensor.paste((255, 0, 0), (0, 0, 10, 20))  # the left end of the sensor image is red
    exif = Image.Exif()
    exif[0x0112] = 6
    content, _type, width, height, _gps = clean_image(upload(encode(sensor, "JPEG", exif=exif, quality=95)))
    assert (width, height) == (20, 40)  # upright, as the phone showed it
    with Image.open(io.BytesIO(content.read())) as image:
        assert image.size == (20, 40)
        assert image.getexif().get(0x0112) in (None, 1)  # no orientation left to apply twice
        red, green, _blue = image.convert("RGB").getpixel((10, 2))  # rotated: red is now at the top
        assert red > 200 and green < 80


def test_large_photos_are_scaled_down():
    data = encode(Image.new("RGB", (MAX_SIDE * 2, 100), (9, 9, 9)), "JPEG")
    _content, _type, width, height, _gps = clean_image(upload(data))
    assert width == MAX_SIDE and height == 50
