"""Product and storefront photos: decoded and cleaned by Pillow (media.images), stored as
WebP renditions at a few widths for ``srcset``, under keys the server chooses."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, g, has_request_context, request, url_for

from marketplace.media.images import webp_renditions
from marketplace.media.storage import get_storage, is_key, is_public, public_url

#: Rendition widths; a rendition is never wider than the original.
WIDTHS = (320, 640, 1280)
WEBP_QUALITY = 78
#: Listing thumbnails (the 320 px rendition) stay within this many bytes, whatever the photo.
THUMBNAIL_MAX_BYTES = 40 * 1024


@dataclass(frozen=True)
class StoredPhoto:
    """Where a photo's renditions are and how large the largest one is (for width/height
    attributes: the browser reserves the right space before the image arrives)."""

    key_prefix: str
    widths: list[int]
    width: int
    height: int


def store_photo(data: bytes, folder: str = "products") -> StoredPhoto:
    """Decode ``data`` (raises media.images.ImageRejected), apply EXIF orientation, drop all
    metadata and save WebP renditions as ``public/<folder>/<uuid>-<width>.webp``.

    Nothing is left behind if saving fails part-way. The caller deletes the photo again
    (delete_photo) if its own transaction fails.
    """
    renditions = webp_renditions(data, WIDTHS, quality=WEBP_QUALITY,
                                 max_bytes={WIDTHS[0]: THUMBNAIL_MAX_BYTES})
    prefix = f"public/{folder}/{uuid.uuid4().hex}"
    storage = get_storage()
    saved: list[int] = []
    try:
        for rendition in renditions:
            storage.save(_key(prefix, rendition.width), rendition.data, "image/webp")
            saved.append(rendition.width)
    except Exception:
        delete_photo(prefix, saved)
        raise
    largest = renditions[-1]
    return StoredPhoto(prefix, saved, largest.width, largest.height)


def delete_photo(key_prefix: str, widths: Iterable[int]) -> None:
    storage = get_storage()
    for width in widths:
        storage.delete(_key(key_prefix, width))


def photo_url(key_prefix: str, width: int) -> str:
    """The rendition's address: straight from MEDIA_PUBLIC_BASE_URL (a CDN or the bucket)
    when one is configured, else through the app's media.file view."""
    key = _key(key_prefix, width)
    if is_public(key) and is_key(key):
        return _public_prefix() + key
    return public_url(key) or url_for("media.file", key=key)


def _public_prefix() -> str:
    """What the address of every well-formed public key starts with: MEDIA_PUBLIC_BASE_URL
    (storage.public_url) or the media.file view's (such a key needs no quoting), found once
    a request instead of for each of a listing page's hundred photo addresses."""
    # Outside a request url_for gives full addresses; a request's depend on its root path.
    where = (request.root_path if has_request_context() else None,
             current_app.config.get("MEDIA_PUBLIC_BASE_URL"))
    known = g.get("media_url_prefix")
    if known is None or known[0] != where:
        sample = "public/k"
        url = public_url(sample) or url_for("media.file", key=sample)
        known = g.media_url_prefix = (where, url[:-len(sample)])
    return known[1]


def srcset(key_prefix: str, widths: Iterable[int]) -> str:
    return ", ".join(f"{photo_url(key_prefix, w)} {w}w" for w in sorted(widths))


#: A listing's <img src>: the largest rendition at most this wide (browsers without srcset).
SRC_MAX_WIDTH = 640


def sources(key_prefix: str, widths: Iterable[int]) -> tuple[str, str]:
    """(src, srcset) of a photo's <img> (media.views.picture). The renditions' addresses
    differ only in the width at their end, so one is built and the others follow from it
    (a listing page has two dozen photos of three renditions each)."""
    ordered = sorted(int(w) for w in widths)
    small = [w for w in ordered if w <= SRC_MAX_WIDTH]
    chosen = small[-1] if small else ordered[0]
    url = photo_url(key_prefix, chosen)
    tail = f"{chosen}.webp"
    if not url.endswith(tail):  # not seen: an address that does not end with the key
        return url, srcset(key_prefix, ordered)
    base = url[:-len(tail)]
    return url, ", ".join(f"{base}{w}.webp {w}w" for w in ordered)


def _key(key_prefix: str, width: int) -> str:
    return f"{key_prefix}-{int(width)}.webp"
