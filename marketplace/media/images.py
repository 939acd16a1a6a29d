"""The one door to Pillow: decode untrusted images safely and re-encode them clean.

Every image a user uploads goes through :func:`open_image`, which reads the real format from
the bytes (never from the file name) and refuses decompression bombs from the header alone,
before a single pixel is decoded. What leaves this module is re-encoded from pixels only: no
EXIF (so no GPS position), no XMP, no ICC profile (colours are converted to sRGB first), no
JPEG comment.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageCms, ImageFile, ImageOps

# HEIC/HEIF, the default photo format of iPhones and some Android phones. Registered once,
# here; only the primary image is read (no thumbnails, depth maps or auxiliary images).
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

#: The most pixels we decode into memory for one image (about 120 MB as RGB). Checked from
#: the header, before decoding. A JPEG asked for at a smaller size (``fit``) is decoded at
#: 1/2, 1/4 or 1/8 scale, so a 50-megapixel phone photo passes where a 50-megapixel PNG
#: does not.
MAX_PIXELS = 40_000_000
#: The largest header we look at at all (a 200-megapixel phone mode), JPEGs decoded at a
#: reduced scale included. Also Pillow's own, process-wide backstop for any other code that
#: opens images.
MAX_HEADER_PIXELS = 5 * MAX_PIXELS
Image.MAX_IMAGE_PIXELS = MAX_HEADER_PIXELS
# Pillow only warns between one and two times its limit; in this app that is a refusal too.
# (A process-wide filter set once at import: warnings.catch_warnings is not thread-safe.)
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

ALLOWED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
}

#: The lowest WebP quality a size budget may push a rendition to.
MIN_QUALITY = 30

_SRGB = ImageCms.createProfile("sRGB")


class ImageRejected(ValueError):
    """Not an image we accept: wrong real format, damaged, or too large in pixels."""


@dataclass(frozen=True)
class Rendition:
    """One re-encoded size of an image."""

    width: int
    height: int
    data: bytes


def open_image(data: bytes, *, fit: int | None = None) -> Image.Image:
    """Open and fully decode ``data`` (the first frame of an animation).

    The real format is read from the bytes. The pixel count is checked from the header before
    anything is decoded. With ``fit``, a JPEG may be decoded at a reduced scale that still
    covers ``fit`` x ``fit`` pixels (much faster and smaller for big phone photos).
    """
    with _refusing():
        probe = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        _check_pixels(probe, fit)
        probe.verify()
        image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        _check_pixels(image, fit)
        image.load()
    return image


@contextmanager
def _refusing() -> Iterator[None]:
    """Whatever goes wrong while parsing untrusted bytes is the file's fault: ImageRejected.
    (Damaged files make Pillow raise OSError, SyntaxError, struct.error, IndexError ...)"""
    try:
        yield
    except ImageRejected:
        raise
    except Exception as error:
        raise ImageRejected(f"{type(error).__name__}: {error}") from error


def _check_pixels(image: Image.Image, fit: int | None) -> None:
    """Refuse an image whose decoded size would exceed MAX_PIXELS; may set a JPEG's draft."""
    if image.format not in ALLOWED_FORMATS:
        raise ImageRejected(f"format {image.format}")
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_HEADER_PIXELS:
        raise ImageRejected(f"too many pixels: {width} x {height}")
    if fit and isinstance(image, ImageFile.ImageFile) and image.format == "JPEG":
        image.draft(None, (fit, fit))
        width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageRejected(f"too many pixels to decode: {width} x {height}")


def _upright_srgb(image: Image.Image) -> Image.Image:
    """EXIF orientation applied, colours converted to sRGB, RGB or RGBA, no metadata at all."""
    image = ImageOps.exif_transpose(image)
    icc = image.info.get("icc_profile")
    target = "RGBA" if image.mode != "CMYK" and image.has_transparency_data else "RGB"
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):  # 16-bit greyscale PNG: scale, not clip
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        image = image.convert(target)  # palette, 1-bit, LA ...: pixels first, then colours
    image = _to_srgb(image, icc, target) if icc else image
    if image.mode != target:
        image = image.convert(target)
    if target == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")  # an alpha channel with nothing transparent only costs bytes
    # convert(), resize() and exif_transpose() copy ``info``; the savers take comments, ICC
    # and EXIF from it. Emptied here, nothing of the original can reach an encoder.
    image.info = {}
    return image


def _to_srgb(image: Image.Image, icc: bytes, mode: str) -> Image.Image:
    """Convert colours from the embedded profile (Display P3 on many phones) to sRGB."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a damaged or unusual profile: keep the pixels as they are
    return converted if converted is not None else image


def clean_copy(data: bytes) -> tuple[bytes, str]:
    """Decode, apply EXIF orientation, and re-encode with no metadata at all (no EXIF, GPS,
    XMP, ICC or comments). Returns (bytes, content type): JPEG and HEIF photos become JPEG,
    PNG and WebP become PNG (lossless, keeps transparency)."""
    image = open_image(data)
    photo = image.format in ("JPEG", "HEIF")
    with _refusing():  # a damaged EXIF block or colour profile
        image = _upright_srgb(image)
    out = io.BytesIO()
    if photo:
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
        return out.getvalue(), "image/jpeg"
    image.save(out, "PNG", optimize=True)
    return out.getvalue(), "image/png"


def webp_renditions(data: bytes, widths: Iterable[int], *, quality: int = 78,
                    max_bytes: dict[int, int] | None = None) -> list[Rendition]:
    """Decode ``data`` (ImageRejected if refused) and encode it as WebP at each width that is
    not wider than the image itself (never upscaled; the image's own width stands in for
    wider ones). ``max_bytes`` maps a width to a size budget: the quality is lowered step by
    step until that rendition fits."""
    wanted = sorted(set(widths))
    image = open_image(data, fit=max(wanted))
    with _refusing():  # a damaged EXIF block or colour profile
        image = _upright_srgb(image)
    limits = max_bytes or {}
    renditions = []
    for width in sorted({min(w, image.width) for w in wanted}):
        height = max(1, round(image.height * width / image.width))
        resized = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        resized.info = {}
        budget = min((b for w, b in limits.items() if w >= width), default=None)
        renditions.append(Rendition(width, height, _encode_webp(resized, quality, budget)))
    return renditions


def _encode_webp(image: Image.Image, quality: int, budget: int | None) -> bytes:
    """WebP with no metadata (nothing passed for exif, xmp or icc_profile). Small renditions
    get libwebp's slowest, tightest method (cheap at that size); large ones method 4, which
    is about 3x faster and only ~2% larger."""
    method = 6 if image.width <= 480 else 4
    while True:
        out = io.BytesIO()
        image.save(out, "WEBP", quality=quality, method=method, alpha_quality=90)
        if budget is None or out.tell() <= budget or quality <= MIN_QUALITY:
            return out.getvalue()
        quality -= 8
