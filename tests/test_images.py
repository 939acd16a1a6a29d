"""The photo pipeline: what Pillow accepts, refuses and strips (media.images), and the WebP
renditions stored for product photos (media.photos). Every image here is a real one, made
with Pillow (and pillow-heif for HEIC)."""

from __future__ import annotations

import io
import random
import re
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image, ImageCms, ImageFile

from marketplace.media import images, photos
from marketplace.media.images import ImageRejected, clean_copy, open_image, webp_renditions
from marketplace.media.photos import (
    THUMBNAIL_MAX_BYTES,
    WEBP_QUALITY,
    delete_photo,
    photo_url,
    srcset,
    store_photo,
)
from marketplace.media.storage import LocalStorage, get_storage

RED, BLUE = (220, 20, 20), (20, 20, 220)
#: Marker strings planted in every kind of metadata; none may reach a stored file.
SECRETS = (b"SecretCameraMake", b"SecretGpsDatum", b"SecretXmpPacket", b"SecretJpegComment",
           b"SecretPngText", b"ICC_PROFILE", b"acsp", b"Exif", b"xmpmeta", b"adobe:ns:meta")
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>SecretXmpPacket</rdf:Description>' \
      b"</x:xmpmeta>"


# --- images made for the tests ----------------------------------------------------------------

def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def halves(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: shows which way an image was turned."""
    image = Image.new(mode, size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMake"  # Make
    exif[0x0112] = orientation
    # GPS IFD: 0.5 S, 117.15 E (Samarinda) and a datum string we can look for.
    exif[0x8825] = {1: "S", 2: (0.0, 30.0, 0.0), 3: "E", 4: (117.0, 9.0, 0.0),
                    18: "SecretGpsDatum"}
    return exif


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def phone_jpeg(size: tuple[int, int] = (400, 200), orientation: int = 1,
               icc: bool = True) -> bytes:
    """A JPEG as a phone writes it, with GPS EXIF, XMP, an ICC profile and a COM segment."""
    data = encode(halves(size), "JPEG", quality=90, exif=gps_exif(orientation).tobytes(),
                  xmp=XMP, **({"icc_profile": srgb_icc()} if icc else {}))
    # A JPEG comment (COM, FF FE) inserted by hand right after SOI, as editors write it.
    comment = b"SecretJpegComment"
    data = data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]
    assert all(marker in data for marker in (b"SecretJpegComment", b"SecretGpsDatum",
                                             b"SecretXmpPacket"))
    assert (b"ICC_PROFILE" in data) is icc
    return data


def swapped_rgb_icc() -> bytes:
    """An ICC v2 RGB profile whose red and blue primaries are sRGB's blue and red: pure red
    pixels tagged with it are blue in sRGB. (Stands in for the Display P3 of many phones,
    with a difference no test can miss.)"""
    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)

    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, round(2.2 * 256)) + b"\0\0"
    text = b"Swapped RGB\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(text)) + text + b"\0" * 79
    red, green, blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", xyz(*blue)),
            (b"gXYZ", xyz(*green)), (b"bXYZ", xyz(*red)), (b"rTRC", curve), (b"gTRC", curve),
            (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, content in tags:
        body += b"\0" * (-(offset + len(body)) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(content))
        body += content
    header = (struct.pack(">I", offset + len(body)) + b"lcms" + bytes([2, 0x10, 0, 0]) +
              b"mntrRGB XYZ " + b"\0" * 12 + b"acsp" + b"\0" * 24 +
              s15(0.9642) + s15(1.0) + s15(0.8249)).ljust(128, b"\0")
    return header + struct.pack(">I", len(tags)) + table + body


def png_with_metadata(mode: str = "RGB") -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "SecretPngText")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    data = encode(halves((300, 200), mode), "PNG", pnginfo=info, exif=gps_exif().tobytes(),
                  icc_profile=srgb_icc())
    assert {b"tEXt", b"iTXt", b"eXIf", b"iCCP"} <= set(png_chunks(data))
    return data


def noisy_photo(size: tuple[int, int]) -> Image.Image:
    """Something like a phone photo of a woven bag: colour gradients, a mid-scale texture
    and fine sensor noise (much harder to compress than a flat test card)."""
    width, height = size
    red = Image.linear_gradient("L").rotate(90).resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (red, green, blue))
    weave = Image.effect_noise((width // 8, height // 8), 60).resize(size,
                                                                     Image.Resampling.BICUBIC)
    image = Image.blend(image, Image.merge("RGB", (weave,) * 3), 0.45)
    grain = Image.effect_noise(size, 18)
    return Image.blend(image, Image.merge("RGB", (grain,) * 3), 0.25)


# --- reading what came out ----------------------------------------------------------------------

def jpeg_markers(data: bytes) -> list[int]:
    """The JPEG's segment markers up to the image data (APPn, COM, DQT, SOF ...)."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the rest is image data
            break
        pos += 2 + struct.unpack(">H", data[pos + 2:pos + 4])[0]
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        chunks.append(data[pos + 4:pos + 8])
        pos += 12 + length
    return chunks


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos < len(data):
        fourcc, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        chunks.append(fourcc)
        if fourcc == b"VP8X":
            flags = data[pos + 8]
            assert flags & 0b00101100 == 0, "VP8X announces ICC, EXIF or XMP"
        pos += 8 + size + (size & 1)
    return chunks


def assert_clean_webp(data: bytes) -> None:
    assert set(webp_chunks(data)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
    assert not [secret for secret in SECRETS if secret in data]
    decoded = Image.open(io.BytesIO(data))
    assert decoded.format == "WEBP" and not decoded.getexif()
    assert not {"exif", "xmp", "icc_profile"} & set(decoded.info)


def colour_at(image: Image.Image, xy: tuple[float, float]) -> tuple[int, ...]:
    """The colour at a relative position (0..1, 0..1)."""
    x, y = int(xy[0] * (image.width - 1)), int(xy[1] * (image.height - 1))
    return image.convert("RGB").getpixel((x, y))  # type: ignore[return-value]


def near(colour: tuple[int, ...], expected: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=False))


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture
def media(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The local storage backend in this test's own folder, inside a request context."""
    monkeypatch.setitem(app.config, "MEDIA_BACKEND", "local")
    monkeypatch.setitem(app.config, "MEDIA_PUBLIC_BASE_URL", "")
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path / "media"))
    with app.test_request_context():
        yield tmp_path / "media"


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any pixel data is decoded."""
    def refuse(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


# --- formats: the real one, read from the bytes -------------------------------------------------

@pytest.mark.parametrize(("fmt", "params", "source"), [
    ("JPEG", {"quality": 90}, "JPEG"),
    ("PNG", {}, "PNG"),
    ("WEBP", {"quality": 90}, "WEBP"),
    ("HEIF", {"quality": 90}, "HEIF"),
])
def test_phone_formats_are_accepted(fmt, params, source):
    data = encode(halves((300, 200)), fmt, **params)
    image = open_image(data)
    assert image.format == source and image.size == (300, 200)
    assert source in images.ALLOWED_FORMATS
    [rendition] = webp_renditions(data, (320,))
    decoded = Image.open(io.BytesIO(rendition.data))
    assert decoded.format == "WEBP" and decoded.size == (300, 200)
    assert near(colour_at(decoded, (0.1, 0.5)), RED) and near(colour_at(decoded, (0.9, 0.5)), BLUE)


@pytest.mark.parametrize("data", [
    encode(halves((40, 30)), "GIF"),
    encode(halves((40, 30)), "BMP"),
    encode(halves((40, 30)), "TIFF"),
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    b"%PDF-1.4 not an image",
    b"",
], ids=["gif", "bmp", "tiff", "svg", "pdf", "empty"])
def test_other_formats_are_refused_whatever_their_name(data):
    with pytest.raises(ImageRejected):
        open_image(data)
    with pytest.raises(ImageRejected):
        clean_copy(data)


def test_a_damaged_image_is_refused():
    data = encode(noisy_photo((200, 150)), "JPEG")
    with pytest.raises(ImageRejected):
        open_image(data[: len(data) // 2])
    png = encode(halves((60, 40)), "PNG")
    broken = png[:40] + bytes([png[40] ^ 0xFF]) + png[41:]  # a flipped bit: bad CRC
    with pytest.raises(ImageRejected):
        open_image(broken)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_damaged_files_are_refused_cleanly_never_with_another_error(fmt):
    """Bytes changed at random (a broken upload, or a hostile one): either a clean image or
    ImageRejected; never an exception that would become a 500."""
    original = encode(noisy_photo((96, 64)), fmt, exif=gps_exif(6).tobytes())
    chance = random.Random(f"{fmt}-damage")
    refused = 0
    for _ in range(60):
        damaged = bytearray(original)
        for _ in range(chance.randint(1, 12)):
            damaged[chance.randrange(len(damaged))] = chance.randrange(256)
        try:
            cleaned, _type = clean_copy(bytes(damaged))
            renditions = webp_renditions(bytes(damaged), (320,))
        except ImageRejected:
            refused += 1
            continue
        assert Image.open(io.BytesIO(cleaned)).size in ((96, 64), (64, 96))
        assert_clean_webp(renditions[0].data)
    assert refused > 0


# --- decompression bombs: refused from the header, before decoding ------------------------------

def test_a_20000_pixel_square_png_of_50_kb_is_refused_without_decoding(no_decoding):
    bomb = encode(Image.new("1", (20_000, 20_000)), "PNG", optimize=True)
    assert len(bomb) < 60_000  # 400 million pixels in about 48 KB
    started = time.perf_counter()
    with pytest.raises(ImageRejected):
        open_image(bomb)
    with pytest.raises(ImageRejected):
        clean_copy(bomb)
    with pytest.raises(ImageRejected):
        webp_renditions(bomb, photos.WIDTHS)
    assert time.perf_counter() - started < 2  # generous: it takes about a millisecond


def test_the_pixel_limit_is_checked_before_decoding(monkeypatch, no_decoding):
    # Far below Pillow's own backstop: only our header check can refuse this one.
    data = encode(halves((300, 300)), "PNG")
    monkeypatch.setattr(images, "MAX_PIXELS", 300 * 300 - 1)
    with pytest.raises(ImageRejected, match="too many pixels"):
        open_image(data)


def test_a_big_jpeg_is_decoded_at_a_reduced_scale_within_the_limit(monkeypatch):
    data = encode(halves((4000, 3000)), "JPEG", quality=80)
    monkeypatch.setattr(images, "MAX_PIXELS", 5_000_000)  # 12 MP is too many to decode whole
    with pytest.raises(ImageRejected):
        open_image(data)
    image = open_image(data, fit=1280)
    assert image.size == (2000, 1500)  # half scale still covers 1280 x 1280
    renditions = webp_renditions(data, photos.WIDTHS)
    assert [(r.width, r.height) for r in renditions] == [(320, 240), (640, 480), (1280, 960)]


# --- orientation, animation, transparency -------------------------------------------------------

def test_exif_orientation_is_applied():
    data = phone_jpeg((400, 200), orientation=6)  # stored sideways: turn 90 degrees clockwise
    [rendition] = webp_renditions(data, (320,))
    decoded = Image.open(io.BytesIO(rendition.data))
    assert decoded.size == (200, 400)
    assert near(colour_at(decoded, (0.5, 0.1)), RED) and near(colour_at(decoded, (0.5, 0.9)), BLUE)
    cleaned, _type = clean_copy(data)
    assert Image.open(io.BytesIO(cleaned)).size == (200, 400)


def test_heic_orientation_is_applied():
    data = encode(halves((400, 200)), "HEIF", quality=90, exif=gps_exif(6).tobytes())
    [rendition] = webp_renditions(data, (320,))
    decoded = Image.open(io.BytesIO(rendition.data))
    assert decoded.size == (200, 400)
    assert near(colour_at(decoded, (0.5, 0.1)), RED) and near(colour_at(decoded, (0.5, 0.9)), BLUE)


@pytest.mark.parametrize("fmt", ["WEBP", "PNG"])
def test_animated_images_keep_their_first_frame(fmt):
    frames = [Image.new("RGB", (120, 80), RED), Image.new("RGB", (120, 80), BLUE)]
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100,
                  loop=0)
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 2
    [rendition] = webp_renditions(data, (320,))
    decoded = Image.open(io.BytesIO(rendition.data))
    assert getattr(decoded, "n_frames", 1) == 1 and not getattr(decoded, "is_animated", False)
    assert near(colour_at(decoded, (0.5, 0.5)), RED)


def test_transparency_survives_and_an_opaque_alpha_channel_is_dropped():
    clear = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    clear.paste((200, 30, 30, 255), (0, 0, 50, 100))
    [kept] = webp_renditions(encode(clear, "PNG"), (320,))
    decoded = Image.open(io.BytesIO(kept.data))
    assert decoded.mode == "RGBA" and decoded.getpixel((90, 50))[3] == 0
    opaque = Image.new("RGBA", (100, 100), (200, 30, 30, 255))
    [dropped] = webp_renditions(encode(opaque, "PNG"), (320,))
    assert Image.open(io.BytesIO(dropped.data)).mode == "RGB"


# --- nothing of the original's metadata survives ------------------------------------------------

def test_a_plain_re_encode_would_keep_the_jpeg_comment():
    """Why the next tests exist: Pillow copies a JPEG's COM segment to a re-encoded JPEG."""
    again = encode(Image.open(io.BytesIO(phone_jpeg())), "JPEG")
    assert b"SecretJpegComment" in again


@pytest.mark.parametrize("icc", [True, False], ids=["with-icc", "without-icc"])
def test_clean_copy_of_a_jpeg_has_no_comment_exif_gps_xmp_or_icc(icc):
    cleaned, content_type = clean_copy(phone_jpeg(icc=icc))
    assert content_type == "image/jpeg"
    markers = jpeg_markers(cleaned)
    assert 0xFE not in markers  # COM
    assert not {0xE1, 0xE2} & set(markers)  # APP1 (EXIF, XMP), APP2 (ICC)
    assert not [secret for secret in SECRETS if secret in cleaned]
    assert not Image.open(io.BytesIO(cleaned)).getexif()


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_clean_copy_of_a_png_has_no_text_exif_or_icc(mode):
    cleaned, content_type = clean_copy(png_with_metadata(mode))
    assert content_type == "image/png"
    assert set(png_chunks(cleaned)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    assert not [secret for secret in SECRETS if secret in cleaned]


def test_clean_copy_turns_a_heic_photo_into_a_clean_jpeg():
    data = encode(halves((300, 200)), "HEIF", quality=90, exif=gps_exif().tobytes(), xmp=XMP)
    assert b"SecretGpsDatum" in data
    cleaned, content_type = clean_copy(data)
    assert content_type == "image/jpeg" and Image.open(io.BytesIO(cleaned)).size == (300, 200)
    assert not [secret for secret in SECRETS if secret in cleaned]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_colours_are_converted_to_srgb_before_the_profile_is_dropped(fmt):
    data = encode(Image.new("RGB", (64, 48), RED), fmt, icc_profile=swapped_rgb_icc())
    assert near(colour_at(Image.open(io.BytesIO(data)), (0.5, 0.5)), RED)  # as stored
    [rendition] = webp_renditions(data, (320,))
    assert_clean_webp(rendition.data)
    assert near(colour_at(Image.open(io.BytesIO(rendition.data)), (0.5, 0.5)), BLUE, 60)
    cleaned, _type = clean_copy(data)
    assert b"acsp" not in cleaned
    assert near(colour_at(Image.open(io.BytesIO(cleaned)), (0.5, 0.5)), BLUE, 60)


@pytest.mark.parametrize("source", ["jpeg", "png", "webp", "heic"])
def test_webp_renditions_carry_no_metadata(source):
    made = {
        "jpeg": phone_jpeg,
        "png": png_with_metadata,
        "webp": lambda: encode(halves((400, 200)), "WEBP", exif=gps_exif().tobytes(), xmp=XMP,
                               icc_profile=srgb_icc()),
        "heic": lambda: encode(halves((400, 200)), "HEIF", exif=gps_exif().tobytes(), xmp=XMP),
    }[source]()
    assert b"SecretGpsDatum" in made or b"SecretCameraMake" in made
    for rendition in webp_renditions(made, photos.WIDTHS):
        assert_clean_webp(rendition.data)


# --- sizes: never upscaled, thumbnails within budget --------------------------------------------

def test_renditions_are_never_wider_than_the_original():
    assert [r.width for r in webp_renditions(encode(halves((500, 250)), "PNG"),
                                             photos.WIDTHS)] == [320, 500]
    assert [(r.width, r.height) for r in webp_renditions(encode(halves((200, 100)), "PNG"),
                                                         photos.WIDTHS)] == [(200, 100)]


@pytest.fixture(scope="module")
def camera_photo() -> Image.Image:
    return noisy_photo((4032, 3024))  # a 12-megapixel phone camera


@pytest.mark.parametrize("portrait", [False, True], ids=["landscape", "portrait"])
def test_listing_thumbnails_of_a_noisy_phone_photo_stay_under_40_kb(camera_photo, portrait):
    image = camera_photo.transpose(Image.Transpose.ROTATE_90) if portrait else camera_photo
    data = encode(image, "JPEG", quality=92)
    renditions = webp_renditions(data, photos.WIDTHS, quality=WEBP_QUALITY,
                                 max_bytes={320: THUMBNAIL_MAX_BYTES})
    thumbnail = renditions[0]
    assert thumbnail.width == 320 and thumbnail.height == (427 if portrait else 240)
    assert len(thumbnail.data) <= THUMBNAIL_MAX_BYTES == 40 * 1024
    assert renditions[-1].width == 1280


def test_the_thumbnail_budget_lowers_the_quality_when_needed():
    # A tall photo with heavy high-ISO grain: far more detail than a real listing photo.
    grain = Image.effect_noise((640, 1280), 70)
    colours = Image.merge("RGB", (Image.linear_gradient("L").resize((640, 1280)),
                                  Image.radial_gradient("L").resize((640, 1280)), grain))
    data = encode(Image.blend(colours, Image.merge("RGB", (grain,) * 3), 0.5), "PNG")
    [unbounded] = webp_renditions(data, (320,), quality=WEBP_QUALITY)
    assert len(unbounded.data) > THUMBNAIL_MAX_BYTES  # pure noise: too big at the usual quality
    [bounded] = webp_renditions(data, (320,), quality=WEBP_QUALITY,
                                max_bytes={320: THUMBNAIL_MAX_BYTES})
    assert len(bounded.data) <= THUMBNAIL_MAX_BYTES
    assert (bounded.width, bounded.height) == (320, 640)


# --- stored photos ------------------------------------------------------------------------------

def test_store_photo_saves_clean_webp_renditions_under_server_chosen_names(media):
    stored = store_photo(phone_jpeg((1600, 1200)), "products")
    assert re.fullmatch(r"public/products/[0-9a-f]{32}", stored.key_prefix)
    assert stored.widths == [320, 640, 1280] and (stored.width, stored.height) == (1280, 960)
    files = stored_files(media)
    assert [p.name for p in files] == sorted(f"{stored.key_prefix.rsplit('/', 1)[1]}-{w}.webp"
                                             for w in (320, 640, 1280))
    for path in files:
        data = path.read_bytes()
        assert_clean_webp(data)
        width = int(path.stem.rsplit("-", 1)[1])
        assert Image.open(io.BytesIO(data)).size == (width, width * 3 // 4)
    assert len((media / f"{stored.key_prefix}-320.webp").read_bytes()) <= THUMBNAIL_MAX_BYTES


def test_store_photo_refuses_a_bad_upload_and_stores_nothing(media):
    for data in (b"GIF89a not really", encode(halves((40, 30)), "GIF")):
        with pytest.raises(ImageRejected):
            store_photo(data)
    assert stored_files(media) == []


def test_two_uploads_of_the_same_photo_get_different_names(media):
    data = encode(halves((300, 200)), "PNG")
    assert store_photo(data).key_prefix != store_photo(data).key_prefix


def test_a_failed_save_leaves_nothing_behind(media, monkeypatch):
    class FullDisk(LocalStorage):
        saves = 0

        def save(self, key: str, data: bytes, content_type: str) -> None:
            FullDisk.saves += 1
            if FullDisk.saves == 2:
                raise OSError("No space left on device")
            super().save(key, data, content_type)

    monkeypatch.setattr(photos, "get_storage", lambda: FullDisk(media))
    with pytest.raises(OSError, match="No space"):
        store_photo(encode(halves((800, 600)), "PNG"))
    assert FullDisk.saves == 2 and stored_files(media) == []


def test_delete_photo_removes_every_rendition(media):
    stored = store_photo(encode(halves((800, 600)), "PNG"), "shops")
    assert stored.key_prefix.startswith("public/shops/") and len(stored_files(media)) == 3
    delete_photo(stored.key_prefix, stored.widths)
    assert stored_files(media) == []
    assert not get_storage().exists(f"{stored.key_prefix}-320.webp")


def test_photo_urls_and_srcset(media, app, monkeypatch):
    prefix = "public/products/" + "a" * 32
    assert photo_url(prefix, 320) == f"/media/{prefix}-320.webp"
    assert srcset(prefix, [640, 320]) == (f"/media/{prefix}-320.webp 320w, "
                                          f"/media/{prefix}-640.webp 640w")
    # With a CDN in front of the bucket, pages link to it directly (no redirect per image).
    monkeypatch.setitem(app.config, "MEDIA_PUBLIC_BASE_URL", "https://cdn.example.test/m")
    assert photo_url(prefix, 640) == f"https://cdn.example.test/m/{prefix}-640.webp"
