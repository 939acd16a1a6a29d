"""Serving public media: ``GET /media/<key>`` for keys under ``public/`` only.

Keys are never reused (new content gets a new key), so responses are cached for a year.
Private keys are never served here (404, the same as an unknown key): each has its own view
that checks who is asking.
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, redirect, request, send_file, session
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as BaseResponse

from marketplace.assets import asset_url
from marketplace.media import photos
from marketplace.media.storage import (
    PUBLIC_CACHE_CONTROL,
    LocalStorage,
    S3Storage,
    check_key,
    get_storage,
    is_public,
    public_url,
)

bp = Blueprint("media", __name__)

#: What may be served, by extension: images only (never HTML or SVG from users' uploads).
CONTENT_TYPES = {
    "webp": "image/webp",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
YEAR = 365 * 24 * 3600


@bp.app_template_global("photo_url")
def _photo_url(key_prefix: str, width: int) -> str:
    return photos.photo_url(key_prefix, width)


@bp.app_template_global("photo_srcset")
def _photo_srcset(key_prefix: str, widths: list[int]) -> str:
    return photos.srcset(key_prefix, widths)


@bp.app_template_global("picture_html")
def picture(photo: object, sizes: str, alt: str, loading: str = "lazy",
            class_: str = "") -> Markup:
    """A responsive <img> for ``photo`` (a ProductPhoto-like object: key_prefix, widths,
    width, height, alt_text; or None for the placeholder): the picture() macro of
    macros/images.html, which documents the arguments. Written in Python, every value
    through escape(), because listing grids show two dozen (catalogue.views.product_grid)."""
    widths = getattr(photo, "widths", None)
    if not widths:
        return Markup(  # noqa: S704 - every value escaped
            f'<img src="{escape(asset_url("img/placeholder.svg"))}" width="640" height="480" '
            f'loading="{escape(loading)}" decoding="async" alt="{escape(alt)}" '
            f'class="placeholder{" " + escape(class_) if class_ else ""}">')
    src, srcset = photos.sources(photo.key_prefix, widths)  # type: ignore[attr-defined]
    priority = ' fetchpriority="high"' if loading == "eager" else ""
    attribute = f' class="{escape(class_)}"' if class_ else ""
    return Markup(  # noqa: S704 - every value escaped
        f'<img src="{escape(src)}" srcset="{escape(srcset)}" sizes="{escape(sizes)}" '
        f'width="{int(photo.width)}" height="{int(photo.height)}" '  # type: ignore[attr-defined]
        f'loading="{escape(loading)}"{priority} decoding="async" '
        f'alt="{escape(photo.alt_text or alt)}"{attribute}>')  # type: ignore[attr-defined]


@bp.get("/media/<path:key>")
def file(key: str) -> BaseResponse:
    content_type = _servable_type(key)
    url = public_url(key)
    if url:
        moved = redirect(url, 302)
        moved.cache_control.public = True
        moved.cache_control.max_age = 3600
        _leave_session_out()
        return moved
    storage = get_storage()
    if isinstance(storage, LocalStorage):
        response = _send_local(storage, key, content_type)
    else:
        assert isinstance(storage, S3Storage)
        response = _stream_s3(storage, key, content_type)
    response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    _leave_session_out()
    return response


def _leave_session_out() -> None:
    """A response that browsers and shared caches (a CDN, a proxy) keep for a year must not
    carry anyone's session cookie, nor vary on it. Nothing here needs the session; whatever
    the app's before-request hooks touched in it (the idle timeout's "last seen") is simply
    not saved with this response."""
    session.modified = False
    if hasattr(session, "accessed"):
        session.accessed = False


def _servable_type(key: str) -> str:
    """The content type for a well-formed public key with an image extension, else 404."""
    try:
        check_key(key)
    except ValueError:
        abort(404)
    extension = key.rsplit(".", 1)[-1].lower() if "." in key.rsplit("/", 1)[-1] else ""
    if not is_public(key) or extension not in CONTENT_TYPES:
        abort(404)
    return CONTENT_TYPES[extension]


def _send_local(storage: LocalStorage, key: str, content_type: str) -> BaseResponse:
    path = storage.path(key)
    try:
        stat = path.stat()
        # Read whole (renditions are tens to a few hundred KB): no open file outlives the
        # request, even when a browser drops it half-way (a cancelled lazy image).
        data = path.read_bytes() if path.is_file() else None
    except OSError:
        data = None
    if data is None:
        abort(404)
    # conditional: ETag, If-None-Match / If-Modified-Since (304) and Range requests.
    return send_file(io.BytesIO(data), mimetype=content_type, conditional=True,
                     etag=f"{stat.st_mtime_ns:x}-{stat.st_size:x}",
                     last_modified=stat.st_mtime, max_age=YEAR)


def _stream_s3(storage: S3Storage, key: str, content_type: str) -> BaseResponse:
    try:
        stored = storage.open(key)
    except FileNotFoundError:
        abort(404)
    response = Response(stored.chunks, mimetype=content_type, direct_passthrough=True)
    response.call_on_close(stored.close)
    response.content_length = stored.size
    if stored.etag:
        response.set_etag(stored.etag)
    return response.make_conditional(request.environ)
