"""Serving media (media.file, GET /media/<key>) from both storage backends, the picture()
template macro, and the friendly page for uploads that are too large."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask, render_template_string, url_for
from PIL import Image

from marketplace.accounts.models import Role
from marketplace.media.photos import photo_url, store_photo
from marketplace.media.storage import PUBLIC_CACHE_CONTROL, get_storage, new_key
from tests.factories import PASSWORD, make_user
from tests.helpers import login
from tests.test_storage import S3, s3_emulator, use_s3

SECRET = b"%PDF-1.4 a scanned KTP"
PRIVATE_KEY = "private/documents/secret.png"


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def jpeg(size: tuple[int, int] = (1000, 750)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def save(app: Flask, key: str, data: bytes, content_type: str = "image/png") -> str:
    with app.app_context():
        get_storage().save(key, data, content_type)
    return key


def fetch(client, url: str, **kwargs: object):
    """GET, reading the whole body so the served file is closed at once (as a server does)."""
    return client.get(url, buffered=True, **kwargs)


def is_error_page(response, code: int) -> bool:
    html = response.get_data(as_text=True)
    return response.status_code == code and 'class="error-page"' in html and \
        f'<p class="error-code">{code}</p>' in html


@pytest.fixture
def local(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setitem(app.config, "MEDIA_BACKEND", "local")
    monkeypatch.setitem(app.config, "MEDIA_PUBLIC_BASE_URL", "")
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path / "media"))
    return tmp_path / "media"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3]:
    with s3_emulator() as emulator:
        yield emulator


@pytest.fixture
def s3(app: Flask, s3_server: S3, monkeypatch: pytest.MonkeyPatch) -> str:
    return use_s3(app, s3_server, monkeypatch)


# --- the local backend ----------------------------------------------------------------------

@pytest.mark.parametrize(("extension", "content_type"), [
    ("webp", "image/webp"), ("jpg", "image/jpeg"), ("jpeg", "image/jpeg"), ("png", "image/png"),
])
def test_public_images_are_served_with_type_and_long_cache(app, client, local, extension,
                                                           content_type):
    data = png()
    key = save(app, f"public/products/abc123.{extension}", data)
    response = fetch(client, f"/media/{key}")
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == content_type
    assert response.headers["Cache-Control"] == PUBLIC_CACHE_CONTROL
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response.headers


def test_media_responses_never_carry_the_session_cookie(app, client, local):
    """A response cached for a year (by a CDN too) must not hand out a signed-in user's
    session, even when the app's hooks refreshed that session during the request."""
    key = save(app, "public/products/cached.png", png())
    with app.app_context():
        make_user(Role.BUYER, email="pembeli@example.test", password=PASSWORD)
    assert login(client, "pembeli@example.test", PASSWORD).status_code == 302
    with client.session_transaction() as state:
        # Ten minutes ago: the idle-timeout hook writes a new time on the next request.
        state["seen"] = int(time.time()) - 600
    response = fetch(client, f"/media/{key}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    page = fetch(client, "/akun")  # the next page still refreshes the session as usual
    assert page.status_code == 200 and "Set-Cookie" in page.headers


def test_conditional_requests_get_304(app, client, local):
    key = save(app, "public/products/etag.webp", b"RIFF0000WEBPVP8 ", "image/webp")
    first = fetch(client, f"/media/{key}")
    etag = first.headers["ETag"]
    again = fetch(client, f"/media/{key}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    changed = fetch(client, f"/media/{key}", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200
    since = fetch(client, f"/media/{key}", headers={"If-Modified-Since":
                                                     first.headers["Last-Modified"]})
    assert since.status_code == 304
    part = fetch(client, f"/media/{key}", headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.data == b"RIFF"
    assert part.headers["Content-Range"] == "bytes 0-3/16"


def test_stored_photo_renditions_are_served(app, client, local):
    with app.test_request_context():
        stored = store_photo(jpeg(), "products")
        html = render_template_string(
            '{% from "macros/images.html" import picture %}{{ picture(p, "50vw", "Tas") }}',
            p=SimpleNamespace(key_prefix=stored.key_prefix, widths=stored.widths,
                              width=stored.width, height=stored.height, alt_text=""))
    urls = re.findall(r"(/media/\S+) (\d+)w", img_attributes(html)["srcset"])
    assert [int(w) for _url, w in urls] == [320, 640, 1000]
    for url, width in urls:
        response = fetch(client, url)
        assert response.status_code == 200 and response.mimetype == "image/webp"
        assert Image.open(io.BytesIO(response.data)).width == int(width)


def test_unknown_keys_get_the_friendly_404_page(client, local):
    assert is_error_page(fetch(client, "/media/public/products/nothing-here.webp"), 404)


@pytest.mark.parametrize("url", [
    "/media/private/documents/secret.png",
    "/media/public/../private/documents/secret.png",
    "/media/public/%2e%2e/private/documents/secret.png",
    "/media/public%2F..%2Fprivate%2Fdocuments%2Fsecret.png",
    "/media/public/..%2Fprivate/documents/secret.png",
    "/media/public/x/%2E%2E%2F%2E%2E%2Fprivate%2Fdocuments%2Fsecret.png",
    "/media/public/..%5Cprivate%5Cdocuments%5Csecret.png",
    "/media/public/./../private/documents/secret.png",
    "/media//private/documents/secret.png",
    "/media/%2Fprivate/documents/secret.png",
    "/media/%70rivate/documents/secret.png",
    "/media/PUBLIC/../private/documents/secret.png",
    "/media/public/products/../../private/documents/secret.png",
])
def test_private_keys_and_path_tricks_get_404(app, client, local, url):
    save(app, PRIVATE_KEY, SECRET)
    save(app, "public/products/visible.png", png())
    response = fetch(client, url, follow_redirects=True)  # "//" is first merged by a 308
    assert is_error_page(response, 404) and SECRET not in response.data


@pytest.mark.parametrize("key", [
    "public/pages/page.html", "public/logos/logo.svg", "public/files/report.pdf",
    "public/products/noextension",
])
def test_public_files_that_are_not_images_are_not_served(app, client, local, key):
    save(app, key, b"<script>alert(1)</script>", "text/html")
    assert is_error_page(fetch(client, f"/media/{key}"), 404)


# --- the S3 backend -------------------------------------------------------------------------

def test_s3_public_images_are_streamed(app, client, s3):
    data = jpeg((300, 200))
    key = save(app, new_key("public", "products", "jpg"), data, "image/jpeg")
    response = fetch(client, f"/media/{key}")
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == PUBLIC_CACHE_CONTROL
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert int(response.headers["Content-Length"]) == len(data)
    again = fetch(client, f"/media/{key}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_s3_missing_and_private_keys_get_404(app, client, s3):
    save(app, PRIVATE_KEY, SECRET)
    assert is_error_page(fetch(client, "/media/public/products/missing.webp"), 404)
    response = fetch(client, f"/media/{PRIVATE_KEY}")
    assert is_error_page(response, 404) and SECRET not in response.data
    assert is_error_page(fetch(client, "/media/public/../private/documents/secret.png"), 404)


def test_s3_with_a_public_base_url_redirects(app, client, s3_server, monkeypatch):
    use_s3(app, s3_server, monkeypatch, public_url="https://cdn.example.test/media")
    key = save(app, new_key("public", "products", "webp"), b"RIFF", "image/webp")
    response = fetch(client, f"/media/{key}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"https://cdn.example.test/media/{key}"
    save(app, PRIVATE_KEY, SECRET)
    response = fetch(client, f"/media/{PRIVATE_KEY}")  # never redirected to the bucket
    assert is_error_page(response, 404) and "Location" not in response.headers


# --- the picture() macro ----------------------------------------------------------------------

class _Img(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))


def img_attributes(html: str) -> dict[str, str | None]:
    parser = _Img()
    parser.feed(html)
    [image] = parser.images
    return image


MACRO = ('{% from "macros/images.html" import picture %}'
         '{{ picture(photo, "(min-width: 40rem) 33vw, 50vw", "Tas anyaman rotan", **options) }}')
PREFIX = "public/products/" + "b" * 32


def render_picture(app: Flask, photo: object, **options: object) -> dict[str, str | None]:
    with app.test_request_context():
        return img_attributes(render_template_string(MACRO, photo=photo, options=options))


def test_picture_renders_a_responsive_lazy_image(app, local):
    photo = SimpleNamespace(key_prefix=PREFIX, widths=[1280, 320, 640], width=1280, height=960,
                            alt_text="Tas rotan coklat dari Biduk-Biduk")
    img = render_picture(app, photo, class_="card-photo")
    assert img["src"] == f"/media/{PREFIX}-640.webp"
    assert img["srcset"] == (f"/media/{PREFIX}-320.webp 320w, /media/{PREFIX}-640.webp 640w, "
                             f"/media/{PREFIX}-1280.webp 1280w")
    assert img["sizes"] == "(min-width: 40rem) 33vw, 50vw"
    assert (img["width"], img["height"]) == ("1280", "960")
    assert img["loading"] == "lazy" and img["decoding"] == "async"
    assert img["alt"] == "Tas rotan coklat dari Biduk-Biduk" and img["class"] == "card-photo"
    assert "fetchpriority" not in img


def test_picture_falls_back_to_the_given_alt_and_can_load_eagerly(app, local):
    photo = SimpleNamespace(key_prefix=PREFIX, widths=[300], width=300, height=200, alt_text="")
    img = render_picture(app, photo, loading="eager")
    assert img["src"] == f"/media/{PREFIX}-300.webp" and img["srcset"] == \
        f"/media/{PREFIX}-300.webp 300w"
    assert img["alt"] == "Tas anyaman rotan"
    assert img["loading"] == "eager" and img["fetchpriority"] == "high"
    assert "class" not in img


def test_picture_escapes_alt_text(app, local):
    photo = SimpleNamespace(key_prefix=PREFIX, widths=[320], width=320, height=240,
                            alt_text='"><script>alert(1)</script>')
    with app.test_request_context():
        html = render_template_string(MACRO, photo=photo, options={})
    assert "<script>" not in html and img_attributes(html)["alt"] == photo.alt_text


@pytest.mark.parametrize("photo", [None, SimpleNamespace(key_prefix=PREFIX, widths=[], width=0,
                                                          height=0, alt_text="")])
def test_picture_without_a_photo_shows_the_placeholder(app, client, local, photo):
    img = render_picture(app, photo)
    assert img["src"] is not None and img["src"].startswith("/static/img/placeholder.svg")
    assert img["alt"] == "Tas anyaman rotan" and img["loading"] == "lazy"
    assert img["width"] and img["height"] and "srcset" not in img
    response = fetch(client, img["src"])
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and "<script" not in svg.lower() and "href" not in svg


def test_picture_links_to_the_cdn_when_configured(app, local, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIA_PUBLIC_BASE_URL", "https://cdn.example.test")
    photo = SimpleNamespace(key_prefix=PREFIX, widths=[320], width=320, height=240, alt_text="")
    assert render_picture(app, photo)["src"] == f"https://cdn.example.test/{PREFIX}-320.webp"


@pytest.mark.parametrize("prefix", [PREFIX, "public/products/a b?c", "private/x/../y"])
def test_photo_addresses_are_the_media_views_own(app, local, prefix):
    """photo_url skips url_for for well-formed keys: the address must be url_for's, under
    the app's root path too, and a key it cannot vouch for still goes through url_for."""
    for root in ("", "/pasar"):
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            for width in (320, 1280):
                key = f"{prefix}-{width}.webp"
                assert photo_url(prefix, width) == url_for("media.file", key=key)
            assert photo_url(prefix, 320).startswith(f"{root}/media/")


# --- uploads that are too large -------------------------------------------------------------

def test_a_12_mb_upload_gets_the_friendly_413_page(client):
    assert client.application.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    # A phone photo as a browser sends it (multipart), built by hand: werkzeug's own encoder
    # would spool it to a temporary file that the test client never closes.
    boundary = "----pasarbinaan"
    photo = b"\xff\xd8\xff\xe0" + b"\0" * (12 * 1024 * 1024)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n"
            f"a@example.test\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f'name="photo"; filename="IMG_0001.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
            ).encode() + photo + f"\r\n--{boundary}--\r\n".encode()
    response = client.post("/masuk", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert is_error_page(response, 413)
    assert "10" in response.get_data(as_text=True)  # the limit, in MB, is on the page
