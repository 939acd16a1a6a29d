"""The one door to Pillow: decode untrusted images safely and re-encode them clean."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

#: Refuse images with more pixels than this before decoding them (decompression bombs).
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class ImageRejected(ValueError):
    """Not an image we accept: wrong real format, damaged, or too large in pixels."""


def open_image(data: bytes) -> Image.Image:
    """Open and fully decode ``data``; the real format is read from the bytes, not a name."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise ImageRejected(f"format {probe.format}")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ImageRejected("too many pixels")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        if isinstance(error, ImageRejected):
            raise
        raise ImageRejected(str(error)) from error
    return image


def clean_copy(data: bytes) -> tuple[bytes, str]:
    """Decode, apply EXIF orientation, and re-encode with no metadata at all (no EXIF, GPS,
    XMP, ICC or comments). Returns (bytes, content type): JPEG stays JPEG, others become PNG."""
    image = open_image(data)
    source_format = image.format
    image = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    if source_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
        return out.getvalue(), "image/jpeg"
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    # A new image from raw pixels carries no info dict (no text chunks, no EXIF).
    bare = Image.frombytes(image.mode, image.size, image.tobytes())
    bare.save(out, "PNG", optimize=True)
    return out.getvalue(), "image/png"
