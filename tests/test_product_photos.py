"""Product photos: uploads from a phone (JPEG, PNG, WebP, HEIC), alt text, at most eight,
reordering and deleting; refused files change nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.catalogue import photos as photo_rules
from marketplace.catalogue.models import Product, ProductPhoto, ProductStatus
from marketplace.extensions import db as _db
from marketplace.producers.models import Producer
from tests.factories import make_producer, make_user
from tests.helpers import login, post_form
from tests.test_products import make_product


@dataclass
class World:
    owner: str
    producer_id: int
    product_id: int
    other: str
    other_id: int
    other_product_id: int
    media: Path


@pytest.fixture
def world(app: Flask, db, tmp_path, monkeypatch) -> World:
    media = tmp_path / "media"
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(media))
    with app.app_context():
        owner = make_user(Role.PRODUCER, email="owner@example.test")
        other = make_user(Role.PRODUCER, email="other@example.test")
        mine = make_producer(owner)
        theirs = make_producer(other)
        return World(owner.email, mine.id, make_product(mine).id, other.email, theirs.id,
                     make_product(theirs, name="Tas Mereka", photos=1).id, media)


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (170, 110, 50)).save(out, fmt)
    return out.getvalue()


def _url(world: World, suffix: str = "", product_id: int | None = None,
         producer_id: int | None = None) -> str:
    return (f"/produsen/{producer_id or world.producer_id}/produk/"
            f"{product_id or world.product_id}/foto{suffix}")


def _upload(client, world: World, data: bytes, alt: str = "Tas rotan tampak depan",
            filename: str = "IMG_0001.jpg", **url: int):
    return post_form(client, _url(world, **url), {"photo": (io.BytesIO(data), filename),
                                                  "alt_text": alt},
                     page=_url(world, **url), content_type="multipart/form-data")


def _photos(app: Flask, product_id: int) -> list[ProductPhoto]:
    with app.app_context():
        rows = list(_db.session.scalars(select(ProductPhoto).where(
            ProductPhoto.product_id == product_id).order_by(ProductPhoto.position)))
        for row in rows:
            _db.session.expunge(row)
        return rows


def _files(world: World) -> list[Path]:
    return sorted(world.media.rglob("*.webp")) if world.media.exists() else []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_upload_a_phone_photo(app, client, world, fmt):
    login(client, world.owner)
    response = _upload(client, world, image_bytes(fmt), filename=f"foto.{fmt.lower()}")
    assert response.status_code == 302
    [photo] = _photos(app, world.product_id)
    assert photo.alt_text == "Tas rotan tampak depan" and photo.position == 0
    assert (photo.width, photo.height) == (800, 600)
    assert photo.key_prefix.startswith("public/products/") and "IMG" not in photo.key_prefix
    assert [p.name for p in _files(world)] == sorted(
        f"{photo.key_prefix.rsplit('/', 1)[1]}-{w}.webp" for w in photo.widths)
    html = client.get(_url(world)).get_data(as_text=True)
    assert f'id="photo-{photo.id}"' in html and 'alt="Tas rotan tampak depan"' in html


@pytest.mark.parametrize(("data", "alt", "field"), [
    (b"not an image at all", "Foto", "photo"),
    (b"%PDF-1.4 pretend", "Foto", "photo"),
    (b"", "Foto", "photo"),
    (None, "", "alt_text"),
    (None, "x" * 201, "alt_text"),
])
def test_refused_uploads_change_nothing(app, client, world, data, alt, field):
    login(client, world.owner)
    response = _upload(client, world, image_bytes() if data is None else data, alt=alt)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _photos(app, world.product_id) == [] and _files(world) == []


def test_decompression_bomb_is_refused(app, client, world):
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)
    assert len(out.getvalue()) < 100_000
    login(client, world.owner)
    response = _upload(client, world, out.getvalue(), filename="bom.png")
    assert response.status_code == 200
    assert 'id="photo-error"' in response.get_data(as_text=True)
    assert _photos(app, world.product_id) == [] and _files(world) == []


def test_at_most_eight_photos(app, client, world):
    login(client, world.owner)
    small = image_bytes(size=(64, 48))
    for n in range(photo_rules.MAX_PHOTOS):
        assert _upload(client, world, small, alt=f"Foto {n}").status_code == 302
    files = _files(world)
    response = _upload(client, world, small, alt="Foto kesembilan")
    assert response.status_code == 200
    assert 'id="photo-error"' in response.get_data(as_text=True)
    assert len(_photos(app, world.product_id)) == photo_rules.MAX_PHOTOS
    assert _files(world) == files
    assert 'id="photos-full"' in client.get(_url(world)).get_data(as_text=True)


def _action(client, world: World, photo_id: int, action: str, data=None, **url: int):
    return post_form(client, _url(world, f"/{photo_id}/{action}", **url), data or {},
                     page=_url(world))


def test_reorder_alt_text_and_delete(app, client, world):
    login(client, world.owner)
    for name in ("depan", "samping", "dalam"):
        _upload(client, world, image_bytes(size=(64, 48)), alt=f"Tampak {name}")
    first, second, third = (p.id for p in _photos(app, world.product_id))
    assert _action(client, world, third, "naik").status_code == 302
    assert [p.id for p in _photos(app, world.product_id)] == [first, third, second]
    _action(client, world, first, "turun")
    assert [p.id for p in _photos(app, world.product_id)] == [third, first, second]
    _action(client, world, third, "naik")  # already first: nothing moves
    assert [p.id for p in _photos(app, world.product_id)] == [third, first, second]
    _action(client, world, first, "alt", {f"p{first}-alt_text": "Tampak depan, tali kulit"})
    assert _photos(app, world.product_id)[1].alt_text == "Tampak depan, tali kulit"
    _action(client, world, first, "alt", {f"p{first}-alt_text": ""})
    assert _photos(app, world.product_id)[1].alt_text == "Tampak depan, tali kulit"
    prefix = _photos(app, world.product_id)[1].key_prefix.rsplit("/", 1)[1]
    assert _action(client, world, first, "hapus").status_code == 302
    assert [(p.id, p.position) for p in _photos(app, world.product_id)] == [(third, 0),
                                                                            (second, 1)]
    assert not any(path.name.startswith(prefix) for path in _files(world))
    assert len(_files(world)) == 2


def test_published_product_keeps_its_last_photo(app, client, world):
    login(client, world.owner)
    _upload(client, world, image_bytes(size=(64, 48)))
    [photo] = _photos(app, world.product_id)
    post_form(client, f"/produsen/{world.producer_id}/produk/{world.product_id}/terbitkan", {},
              page=f"/produsen/{world.producer_id}/produk")
    with app.app_context():
        assert _db.session.get(Product, world.product_id).status is ProductStatus.PUBLISHED
    _action(client, world, photo.id, "hapus")
    assert len(_photos(app, world.product_id)) == 1 and len(_files(world)) == 1


def test_another_producer_cannot_touch_my_photos(app, client, world):
    login(client, world.owner)
    _upload(client, world, image_bytes(size=(64, 48)))
    [photo] = _photos(app, world.product_id)
    client = app.test_client()
    login(client, world.other)
    own = {"producer_id": world.other_id, "product_id": world.other_product_id}
    assert client.get(_url(world)).status_code == 404
    assert client.get(_url(world, producer_id=world.other_id)).status_code == 404
    page = _url(world, **own)
    data = {"photo": (io.BytesIO(image_bytes()), "x.jpg"), "alt_text": "Bukan milikmu"}
    assert post_form(client, _url(world), data, page=page,
                     content_type="multipart/form-data").status_code == 404
    for action in ("naik", "turun", "hapus", "alt"):
        for url in (_url(world, f"/{photo.id}/{action}"),
                    _url(world, f"/{photo.id}/{action}", **own)):  # my photo, their product
            assert post_form(client, url, {f"p{photo.id}-alt_text": "x"},
                             page=page).status_code == 404
    assert [(p.id, p.alt_text) for p in _photos(app, world.product_id)] == [
        (photo.id, "Tas rotan tampak depan")]
    assert len(_files(world)) == 1


def test_buyer_cannot_reach_photo_pages(app, client, world):
    with app.app_context():
        email = make_user(Role.BUYER).email
    login(client, email)
    assert client.get(_url(world)).status_code == 404


def test_photo_files_are_removed_if_the_photo_cannot_be_saved(app, ctx, world, monkeypatch):
    owner = _db.session.scalar(select(Producer).where(Producer.id == world.producer_id))
    product = _db.session.get(Product, world.product_id)
    user = owner.members[0].user

    def broken_commit() -> None:
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch, pytest.raises(RuntimeError):
        patch.setattr(_db.session, "commit", broken_commit)
        photo_rules.add_photo(user, product, image_bytes(size=(64, 48)), "Foto")
    _db.session.rollback()
    assert _files(world) == []
    assert _db.session.scalar(select(func.count()).select_from(ProductPhoto).where(
        ProductPhoto.product_id == world.product_id)) == 0
