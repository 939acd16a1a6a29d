"""Product and storefront photos: decoded and cleaned by Pillow, stored as WebP renditions
at a few widths for ``srcset``, under keys the server chooses."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from flask import url_for
from PIL import Image

from marketplace.media.images import open_image
from marketplace.media.storage import get_storage

#: Rendition widths; a rendition is never wider than the original.
WIDTHS = (320, 640, 1280)
WEBP_QUALITY = 78


@dataclass(frozen=True)
class StoredPhoto:
    key_prefix: str
    widths: list[int]
    width: int
    height: int


def store_photo(data: bytes, folder: str = "products") -> StoredPhoto:
    """Decode ``data`` (raises ImageRejected), apply EXIF orientation, drop all metadata and
    save WebP renditions ``public/<folder>/<uuid>-<width>.webp``."""
    from PIL import ImageOps

    image = ImageOps.exif_transpose(open_image(data))
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    prefix = f"public/{folder}/{uuid.uuid4().hex}"
    storage = get_storage()
    widths = sorted({min(w, image.width) for w in WIDTHS})
    for width in widths:
        height = max(1, round(image.height * width / image.width))
        rendition = image.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        rendition.save(out, "WEBP", quality=WEBP_QUALITY, method=4)  # no exif/xmp/icc passed
        storage.save(f"{prefix}-{width}.webp", out.getvalue(), "image/webp")
    return StoredPhoto(prefix, widths, image.width, image.height)


def delete_photo(key_prefix: str, widths: list[int]) -> None:
    storage = get_storage()
    for width in widths:
        storage.delete(f"{key_prefix}-{width}.webp")


def photo_url(key_prefix: str, width: int) -> str:
    return url_for("media.file", key=f"{key_prefix}-{width}.webp")


def srcset(key_prefix: str, widths: list[int]) -> str:
    return ", ".join(f"{photo_url(key_prefix, w)} {w}w" for w in widths)
