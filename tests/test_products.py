"""Product listings managed by a producer's members; staff moderation; demo products.

Factories for the catalogue tests (categories, products) live here too."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.accounts.services import find_by_email
from marketplace.catalogue import moderation, services
from marketplace.catalogue.categories import by_slug, ensure_default_categories
from marketplace.catalogue.models import (
    Category,
    ProcessingLevel,
    Product,
    ProductPhoto,
    ProductStatus,
    Variant,
)
from marketplace.catalogue.text import stems
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.notifications.models import Notice
from marketplace.producers.models import Producer, ProducerEvent, ProducerStatus
from marketplace.producers.services import AccessDenied
from tests.factories import make_producer, make_user
from tests.helpers import login, post_form

# --- factories -------------------------------------------------------------------------------


def make_category(name_id: str = "Kategori Uji", parent: Category | None = None,
                  name_en: str | None = None) -> Category:
    n = _db.session.scalar(select(func.count()).select_from(Category)) or 0
    category = Category(slug=f"kategori-uji-{n + 1}", name_id=name_id,
                        name_en=name_en or name_id, parent_id=parent.id if parent else None)
    _db.session.add(category)
    _db.session.commit()
    return category


def make_product(producer: Producer, *, name: str = "Tas Anyam Rotan",
                 category: Category | None = None,
                 variants: tuple[tuple[str, int, int], ...] = (("", 150_000, 5),),
                 status: ProductStatus = ProductStatus.DRAFT, photos: int = 0,
                 description: str = "", sku: str = "") -> Product:
    """A product straight into the database (no files behind its photo rows)."""
    if category is None:
        ensure_default_categories()
        category = by_slug("tas-anyaman")
    product = Product(producer_id=producer.id, category_id=category.id, name=name,
                      slug="produk", description=description, weight_grams=500,
                      processing_level=ProcessingLevel.FINISHED, status=status,
                      published_at=services.utcnow() if status is ProductStatus.PUBLISHED
                      else None)
    product.variants = [Variant(name=v, price_idr=p, stock=s, position=i, sku=sku if i == 0
                                else "") for i, (v, p, s) in enumerate(variants)]
    product.photos = [ProductPhoto(key_prefix=f"public/products/test{i}", widths=[320],
                                   width=320, height=240, alt_text=f"Foto {i}", position=i)
                      for i in range(photos)]
    _db.session.add(product)
    _db.session.flush()
    services.refresh(product)
    _db.session.commit()
    return product


# --- fixtures ----------------------------------------------------------------------------------

@dataclass
class World:
    owner: str
    producer_id: int
    other: str
    other_id: int
    other_product_id: int
    buyer: str
    staff: str
    category_id: int
    top_category_id: int


@pytest.fixture
def world(app: Flask, db) -> World:
    with app.app_context():
        ensure_default_categories()
        owner = make_user(Role.PRODUCER, email="owner@example.test")
        other = make_user(Role.PRODUCER, email="other@example.test")
        mine = make_producer(owner, name="Anyaman Teluk Sumbang")
        theirs = make_producer(other, name="Tenun Seberang")
        draft = make_product(theirs, name="Sarung Rahasia Draf")
        return World(owner.email, mine.id, other.email, theirs.id, draft.id,
                     make_user(Role.BUYER, email="buyer@example.test").email,
                     make_user(Role.STAFF, email="staff@example.test").email,
                     by_slug("tas-anyaman").id, by_slug("tas-aksesori").id)


def product_form(world: World, **overrides: str) -> dict[str, str]:
    data = {
        "name": "Tas Anyam Rotan Motif Dayak", "category_id": str(world.category_id),
        "description": "Tas anyaman rotan.\nBuatan tangan ibu-ibu kampung.",
        "processing_level": "barang_jadi_bermerek", "raw_material": "Rotan sega",
        "raw_material_origin": "Teluk Sumbang, Berau", "pirt_number": "", "halal_number": "",
        "weight_grams": "700", "length_cm": "35", "width_cm": "15", "height_cm": "30",
        "min_order_qty": "1",
        "variants-0-name": "Kecil", "variants-0-price": "275.000", "variants-0-stock": "8",
        "variants-0-sku": "TAS-K",
        "variants-1-name": "Besar", "variants-1-price": "Rp425.000", "variants-1-stock": "0",
        "variants-1-sku": "",
    }
    data.update(overrides)
    return data


def _products(app: Flask, producer_id: int) -> list[Product]:
    with app.app_context():
        rows = list(_db.session.scalars(select(Product).where(
            Product.producer_id == producer_id).order_by(Product.id)))
        for row in rows:
            _ = row.variants, row.photos
            _db.session.expunge(row)
        return rows


def _get(app: Flask, product_id: int) -> Product:
    with app.app_context():
        product = _db.session.get(Product, product_id)
        assert product is not None
        _ = product.variants, product.photos
        _db.session.expunge(product)
        return product


def _new_url(world: World) -> str:
    return f"/produsen/{world.producer_id}/produk/baru"


# --- creating ----------------------------------------------------------------------------------

def test_owner_creates_a_product_with_two_variants(app, client, world):
    login(client, world.owner)
    response = post_form(client, _new_url(world), product_form(world))
    assert response.status_code == 302
    [product] = _products(app, world.producer_id)
    assert response.headers["Location"].endswith(
        f"/produsen/{world.producer_id}/produk/{product.id}/foto")
    assert product.status is ProductStatus.DRAFT and product.published_at is None
    assert product.processing_level is ProcessingLevel.BRANDED
    assert (product.weight_grams, product.length_cm, product.min_order_qty) == (700, 35, 1)
    assert [(v.name, v.price_idr, v.stock, v.sku) for v in product.variants] == [
        ("Kecil", 275_000, 8, "TAS-K"), ("Besar", 425_000, 0, "")]
    assert product.price_min_idr == 275_000 and product.in_stock is True
    words = product.search_text.split()
    for word in ("anyaman", "rotan", "Tas Anyaman", "Woven Bags", "Tas & Aksesori",
                 "Anyaman Teluk Sumbang"):
        assert set(stems(word)) <= set(words), word


def test_product_without_options_is_one_unnamed_variant(app, client, world):
    login(client, world.owner)
    data = product_form(world, **{"variants-0-name": "", "variants-0-price": "150000",
                                  "variants-0-stock": "", "variants-1-name": "",
                                  "variants-1-price": "", "variants-1-stock": ""})
    assert post_form(client, _new_url(world), data).status_code == 302
    [product] = _products(app, world.producer_id)
    assert [(v.name, v.price_idr, v.stock) for v in product.variants] == [("", 150_000, 0)]
    assert product.in_stock is False and product.price_min_idr == 150_000


def test_new_product_page_has_six_empty_variant_rows(client, world):
    login(client, world.owner)
    html = client.get(_new_url(world)).get_data(as_text=True)
    assert 'id="variants-5-price"' in html and 'id="variants-6-price"' not in html
    assert f'value="{world.category_id}"' in html and f'value="{world.top_category_id}"' in html


@pytest.mark.parametrize(("overrides", "field"), [
    ({"name": "x" * 121}, "name"),
    ({"name": "   "}, "name"),
    ({"category_id": "99999"}, "category_id"),
    ({"category_id": "tas"}, "category_id"),
    ({"processing_level": "bahan_ajaib"}, "processing_level"),
    ({"weight_grams": "0"}, "weight_grams"),
    ({"weight_grams": "100001"}, "weight_grams"),
    ({"weight_grams": ""}, "weight_grams"),
    ({"length_cm": "301"}, "length_cm"),
    ({"height_cm": "-4"}, "height_cm"),
    ({"min_order_qty": "0"}, "min_order_qty"),
    ({"pirt_number": "<script>"}, "pirt_number"),
    ({"variants-0-price": "-5000"}, "variants-0-price"),
    ({"variants-0-price": "0"}, "variants-0-price"),
    ({"variants-0-price": "1.000.000.001"}, "variants-0-price"),
    ({"variants-0-price": "150,50"}, "variants-0-price"),
    ({"variants-0-price": "seratus ribu"}, "variants-0-price"),
    ({"variants-0-price": ""}, "variants-0-price"),
    ({"variants-1-stock": "-1"}, "variants-1-stock"),
    ({"variants-1-stock": "1.000.001"}, "variants-1-stock"),
    ({"variants-1-name": ""}, "variants-1-name"),
    ({"variants-1-name": "kecil"}, "variants-1-name"),
    ({"variants-1-name": "x" * 81}, "variants-1-name"),
    ({"variants-1-sku": "TAS-K"}, "variants-1-sku"),
    ({"variants-1-sku": "TAS K"}, "variants-1-sku"),
])
def test_bad_input_gets_a_message_and_changes_nothing(app, client, world, overrides, field):
    login(client, world.owner)
    response = post_form(client, _new_url(world), product_form(world, **overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert 'id="form-errors"' in html
    assert _products(app, world.producer_id) == []
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(Variant).join(Product).where(
            Product.producer_id == world.producer_id)) == 0


def test_sku_is_unique_within_the_producer_only(app, client, world):
    with app.app_context():
        make_product(_db.session.get(Producer, world.producer_id), name="Tikar", sku="TAS-K")
        make_product(_db.session.get(Producer, world.other_id), name="Tas Lain", sku="TAS-B")
    login(client, world.owner)
    response = post_form(client, _new_url(world), product_form(world))
    assert 'id="variants-0-sku-error"' in response.get_data(as_text=True)
    assert len(_products(app, world.producer_id)) == 1
    data = product_form(world, **{"variants-0-sku": "tas-b"})  # another producer's SKU
    assert post_form(client, _new_url(world), data).status_code == 302
    assert len(_products(app, world.producer_id)) == 2


def test_script_in_the_description_is_stored_harmless(app, client, world):
    login(client, world.owner)
    description = ('<p onclick="steal()">Tas <strong>kuat</strong> & awet</p>'
                   '<script>alert(1)</script><img src=x onerror=alert(2)>'
                   '<a href="javascript:alert(3)">klik</a><ul><li>Rotan</li></ul>')
    post_form(client, _new_url(world), product_form(world, description=description))
    [product] = _products(app, world.producer_id)
    assert product.description == ("<p>Tas <strong>kuat</strong> &amp; awet</p>klik"
                                   "<ul><li>Rotan</li></ul>")
    shown = str(services.description_html(product.description))
    assert "<script" not in shown and "onclick" not in shown and "onerror" not in shown
    assert "javascript:" not in shown
    edit = client.get(f"/produsen/{world.producer_id}/produk/{product.id}/ubah")
    html = edit.get_data(as_text=True)
    assert "<script>alert" not in html and "&amp; awet" in html  # the textarea shows "&"


def test_plain_description_keeps_its_line_breaks():
    assert str(services.description_html("Baris satu\nPanjang < 50 cm & ringan")) == (
        "Baris satu<br>\nPanjang &lt; 50 cm &amp; ringan")
    assert str(services.description_html("<p>Satu</p>\n<p>Dua</p>")) == "<p>Satu</p>\n<p>Dua</p>"


# --- editing -----------------------------------------------------------------------------------

def _edit_url(world: World, product_id: int, producer_id: int | None = None) -> str:
    return f"/produsen/{producer_id or world.producer_id}/produk/{product_id}/ubah"


def test_edit_keeps_variant_ids_removes_emptied_rows_and_adds_new_ones(app, client, world):
    with app.app_context():
        product = make_product(_db.session.get(Producer, world.producer_id),
                               variants=(("S", 100_000, 1), ("M", 110_000, 2),
                                         ("L", 120_000, 3)))
        product_id = product.id
        small, medium, large = (v.id for v in product.variants)
    login(client, world.owner)
    html = client.get(_edit_url(world, product_id)).get_data(as_text=True)
    assert 'value="110.000"' in html and f'value="{medium}"' in html
    data = product_form(world, **{
        "variants-0-variant_id": str(small), "variants-0-name": "M", "variants-0-price": "99.000",
        "variants-0-stock": "4", "variants-0-sku": "",
        "variants-1-variant_id": str(medium), "variants-1-name": "", "variants-1-price": "",
        "variants-1-stock": "", "variants-1-sku": "",
        "variants-2-variant_id": str(large), "variants-2-name": "L", "variants-2-price": "120000",
        "variants-2-stock": "0",
        "variants-3-name": "XL", "variants-3-price": "130.000", "variants-3-stock": "7"})
    assert post_form(client, _edit_url(world, product_id), data).status_code == 302
    product = _get(app, product_id)
    assert [(v.id, v.name, v.price_idr, v.stock) for v in product.variants][:2] == [
        (small, "M", 99_000, 4), (large, "L", 120_000, 0)]
    assert product.variants[2].name == "XL" and product.variants[2].id not in (medium,)
    assert product.price_min_idr == 99_000 and product.in_stock is True
    assert product.name == "Tas Anyam Rotan Motif Dayak"
    with app.app_context():
        assert _db.session.get(Variant, medium) is None


def test_options_may_swap_names(app, client, world):
    with app.app_context():
        product = make_product(_db.session.get(Producer, world.producer_id),
                               variants=(("Merah", 100_000, 1), ("Hijau", 110_000, 2)))
        product_id, red, green = product.id, product.variants[0].id, product.variants[1].id
    login(client, world.owner)
    data = product_form(world, **{
        "variants-0-variant_id": str(red), "variants-0-name": "Hijau",
        "variants-0-price": "100000", "variants-0-stock": "1", "variants-0-sku": "",
        "variants-1-variant_id": str(green), "variants-1-name": "Merah",
        "variants-1-price": "110000", "variants-1-stock": "2"})
    assert post_form(client, _edit_url(world, product_id), data).status_code == 302
    assert [(v.id, v.name) for v in _get(app, product_id).variants] == [
        (red, "Hijau"), (green, "Merah")]


def test_a_variant_of_another_product_cannot_be_taken_over(app, client, world):
    with app.app_context():
        mine = make_product(_db.session.get(Producer, world.producer_id))
        foreign = _db.session.get(Product, world.other_product_id).variants[0].id
        mine_id = mine.id
    login(client, world.owner)
    data = product_form(world, **{"variants-0-variant_id": str(foreign)})
    response = post_form(client, _edit_url(world, mine_id), data)
    assert 'id="variants-0-name-error"' in response.get_data(as_text=True)
    other = _get(app, world.other_product_id)
    assert [(v.name, v.price_idr) for v in other.variants] == [("", 150_000)]
    assert _get(app, mine_id).name == "Tas Anyam Rotan"


def test_refused_edit_changes_nothing(app, client, world):
    with app.app_context():
        product_id = make_product(_db.session.get(Producer, world.producer_id)).id
    login(client, world.owner)
    data = product_form(world, name="Nama Baru", **{"variants-1-price": "-1"})
    response = post_form(client, _edit_url(world, product_id), data)
    assert 'id="variants-1-price-error"' in response.get_data(as_text=True)
    product = _get(app, product_id)
    assert product.name == "Tas Anyam Rotan"
    assert [(v.name, v.price_idr) for v in product.variants] == [("", 150_000)]


def test_published_product_cannot_lose_its_last_price(app, client, world):
    with app.app_context():
        product = make_product(_db.session.get(Producer, world.producer_id),
                               status=ProductStatus.PUBLISHED, photos=1)
        product_id, variant_id = product.id, product.variants[0].id
    login(client, world.owner)
    blank = {f"variants-{i}-{f}": "" for i in range(2) for f in ("name", "price", "stock", "sku")}
    data = product_form(world, **blank, **{"variants-0-variant_id": str(variant_id)})
    response = post_form(client, _edit_url(world, product_id), data)
    assert 'id="variants-0-price-error"' in response.get_data(as_text=True)
    assert len(_get(app, product_id).variants) == 1


# --- status ------------------------------------------------------------------------------------

def _status_url(world: World, product_id: int, action: str, producer_id: int | None = None):
    return f"/produsen/{producer_id or world.producer_id}/produk/{product_id}/{action}"


def _list_url(world: World) -> str:
    return f"/produsen/{world.producer_id}/produk"


def test_publish_unpublish_archive(app, client, world):
    with app.app_context():
        product_id = make_product(_db.session.get(Producer, world.producer_id), photos=1).id
    login(client, world.owner)
    list_url = _list_url(world)
    response = post_form(client, _status_url(world, product_id, "terbitkan"), {}, page=list_url)
    assert response.status_code == 302
    product = _get(app, product_id)
    assert product.status is ProductStatus.PUBLISHED and product.published_at is not None
    post_form(client, _status_url(world, product_id, "draf"), {}, page=list_url)
    assert _get(app, product_id).status is ProductStatus.DRAFT
    post_form(client, _status_url(world, product_id, "arsipkan"), {}, page=list_url)
    assert _get(app, product_id).status is ProductStatus.ARCHIVED
    post_form(client, _status_url(world, product_id, "draf"), {}, page=list_url)
    assert _get(app, product_id).status is ProductStatus.DRAFT


@pytest.mark.parametrize("missing", ["photo", "variant", "verification", "suspended"])
def test_publishing_needs_a_public_producer_a_price_and_a_photo(app, client, world, missing):
    with app.app_context():
        producer = _db.session.get(Producer, world.producer_id)
        if missing == "verification":
            producer.status = ProducerStatus.SUBMITTED
        if missing == "suspended":
            producer.status = ProducerStatus.SUSPENDED
        product = make_product(producer, photos=0 if missing == "photo" else 1,
                               variants=() if missing == "variant" else (("", 1000, 1),))
        product_id = product.id
    login(client, world.owner)
    html = client.get(_list_url(world)).get_data(as_text=True)
    assert f'id="problem-{product_id}"' in html
    post_form(client, _status_url(world, product_id, "terbitkan"), {}, page=_list_url(world))
    assert _get(app, product_id).status is ProductStatus.DRAFT


def test_list_shows_every_status_with_price_and_stock(app, client, world):
    with app.app_context():
        producer = _db.session.get(Producer, world.producer_id)
        for status in ProductStatus:
            make_product(producer, name=f"Produk {status.value}", status=status, photos=1,
                         variants=(("A", 30_000, 4), ("B", 55_000, 6)))
    login(client, world.owner)
    html = client.get(_list_url(world)).get_data(as_text=True)
    for status in ProductStatus:
        assert f"Produk {status.value}" in html
    assert "Rp30.000" in html and "Rp55.000" in html and ">10<" in html
    assert "Sarung Rahasia Draf" not in html


# --- who may do what ---------------------------------------------------------------------------

def test_another_producer_cannot_see_or_change_my_products(app, client, world):
    with app.app_context():
        product_id = make_product(_db.session.get(Producer, world.producer_id),
                                  name="Draf Milik Saya", photos=1).id
    login(client, world.other)
    assert client.get(_list_url(world)).status_code == 404
    assert client.get(_new_url(world)).status_code == 404
    assert client.get(_edit_url(world, product_id)).status_code == 404
    # my product under their own producer's address
    assert client.get(_edit_url(world, product_id, world.other_id)).status_code == 404
    own_list = f"/produsen/{world.other_id}/produk"
    assert "Draf Milik Saya" not in client.get(own_list).get_data(as_text=True)
    data = product_form(world, name="Dibajak")
    page = f"/produsen/{world.other_id}/produk/baru"
    assert post_form(client, _edit_url(world, product_id), data, page=page).status_code == 404
    assert post_form(client, _edit_url(world, product_id, world.other_id), data,
                     page=page).status_code == 404
    for action in ("terbitkan", "arsipkan"):
        for producer_id in (world.producer_id, world.other_id):
            url = _status_url(world, product_id, action, producer_id)
            assert post_form(client, url, {}, page=own_list).status_code == 404
    assert post_form(client, _new_url(world), product_form(world), page=page).status_code == 404
    product = _get(app, product_id)
    assert product.name == "Draf Milik Saya" and product.status is ProductStatus.DRAFT
    assert len(_products(app, world.producer_id)) == 1


@pytest.mark.parametrize("who", ["buyer", "staff"])
def test_buyers_and_staff_do_not_reach_a_producers_product_pages(app, client, world, who):
    login(client, getattr(world, who))
    assert client.get(_list_url(world)).status_code == 404
    assert client.get(_new_url(world)).status_code == 404
    url = _edit_url(world, world.other_product_id, world.other_id)
    assert client.get(url).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = client.get(_list_url(world))
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_services_check_membership(app, ctx, world):
    outsider = make_user(Role.PRODUCER)
    producer = _db.session.get(Producer, world.producer_id)
    product = _db.session.get(Product, world.other_product_id)
    data = services.ProductData(name="X", category_id=world.category_id,
                                processing_level="barang_jadi", weight_grams=100)
    with pytest.raises(AccessDenied):
        services.create_product(outsider, producer, data)
    for change in (services.publish, services.unpublish, services.archive):
        with pytest.raises(AccessDenied):
            change(outsider, product)
    with pytest.raises(AccessDenied):
        services.update_product(outsider, product, data)
    with pytest.raises(AccessDenied):
        moderation.staff_unpublish(outsider, product, "Melanggar aturan")


def test_search_words_follow_a_producer_rename(app, ctx, world):
    producer = _db.session.get(Producer, world.producer_id)
    product = make_product(producer)
    producer.name = "Kerajinan Gemilang"
    assert services.refresh_producer_products(producer) == 1
    _db.session.commit()
    assert set(stems("Kerajinan Gemilang")) <= set(product.search_text.split())


# --- staff moderation --------------------------------------------------------------------------

def test_staff_list_shows_published_products_and_finds_word_forms(app, client, world):
    with app.app_context():
        producer = _db.session.get(Producer, world.producer_id)
        make_product(producer, name="Tas Anyam Rotan", status=ProductStatus.PUBLISHED, photos=1)
        make_product(producer, name="Keripik Pisang", status=ProductStatus.PUBLISHED, photos=1,
                     category=by_slug("keripik"))
        make_product(producer, name="Tas Draf Anyaman", photos=1)
    login(client, world.staff)
    html = client.get("/dinas/produk").get_data(as_text=True)
    assert "Tas Anyam Rotan" in html and "Keripik Pisang" in html
    assert "Tas Draf Anyaman" not in html and "Sarung Rahasia Draf" not in html
    html = client.get("/dinas/produk?q=anyaman+rotan").get_data(as_text=True)
    assert "Tas Anyam Rotan" in html and "Keripik Pisang" not in html
    html = client.get("/dinas/produk?q=teluk+sumbang").get_data(as_text=True)  # producer name
    assert "Tas Anyam Rotan" in html and "Keripik Pisang" in html
    response = client.get("/dinas/produk?page=99")
    assert response.status_code == 200 and 'id="past-the-end"' in response.get_data(as_text=True)
    assert client.get("/dinas/produk?page=abc&q=%25").status_code == 200


def test_staff_unpublish_with_a_reason(app, client, world, outbox):
    with app.app_context():
        product_id = make_product(_db.session.get(Producer, world.producer_id),
                                  status=ProductStatus.PUBLISHED, photos=1).id
    login(client, world.staff)
    url = f"/dinas/produk/{product_id}/turunkan"
    response = post_form(client, url, {"reason": "  "})
    assert 'id="reason-error"' in response.get_data(as_text=True)
    assert _get(app, product_id).status is ProductStatus.PUBLISHED
    response = post_form(client, url, {"reason": "Foto bukan produk sendiri."})
    assert response.status_code == 302
    product = _get(app, product_id)
    assert product.status is ProductStatus.DRAFT
    assert product.unpublished_reason == "Foto bukan produk sendiri."
    with app.app_context():
        event = _db.session.scalar(select(ProducerEvent).where(
            ProducerEvent.producer_id == world.producer_id,
            ProducerEvent.action == "product_unpublished"))
        assert event is not None and event.reason == "Foto bukan produk sendiri."
        assert event.changes == {"product_id": product_id, "product_name": "Tas Anyam Rotan"}
        assert event.actor.email == world.staff and product.unpublished_by_id == event.actor_id
        notice = _db.session.scalar(select(Notice).where(Notice.producer_id == world.producer_id))
        assert notice.kind == "product_unpublished"
        assert notice.params["product"] == "Tas Anyam Rotan"
    [message] = outbox.messages()
    assert message["To"] == world.owner
    body = outbox.last_body()
    assert "Foto bukan produk sendiri." in body and "Tas Anyam Rotan" in body
    assert f"http://localhost/produsen/{world.producer_id}/produk" in body


def test_producer_sees_the_reason_and_may_republish_after_editing(app, client, world):
    with app.test_request_context():
        product = make_product(_db.session.get(Producer, world.producer_id),
                               status=ProductStatus.PUBLISHED, photos=1)
        product_id = product.id
        moderation.staff_unpublish(find_by_email(world.staff), product, "Harga tidak wajar.")
    login(client, world.owner)
    html = client.get(_list_url(world)).get_data(as_text=True)
    assert f'id="unpublished-{product_id}"' in html and "Harga tidak wajar." in html
    assert 'id="unpublished-reason"' in client.get(_edit_url(world, product_id)).get_data(
        as_text=True)
    post_form(client, _edit_url(world, product_id), product_form(world))
    assert "Harga tidak wajar." in client.get(_list_url(world)).get_data(as_text=True)
    post_form(client, _status_url(world, product_id, "terbitkan"), {}, page=_list_url(world))
    product = _get(app, product_id)
    assert product.status is ProductStatus.PUBLISHED
    assert product.unpublished_reason == "" and product.unpublished_by_id is None
    with app.app_context():
        assert _db.session.scalar(select(ProducerEvent.reason).where(
            ProducerEvent.action == "product_republished")) == "Harga tidak wajar."


@pytest.mark.parametrize("who", ["owner", "buyer"])
def test_only_staff_moderate(app, client, world, who):
    with app.app_context():
        product_id = make_product(_db.session.get(Producer, world.producer_id),
                                  status=ProductStatus.PUBLISHED, photos=1).id
    login(client, getattr(world, who))
    assert client.get("/dinas/produk").status_code == 403
    url = f"/dinas/produk/{product_id}/turunkan"
    assert client.get(url).status_code == 403
    assert post_form(client, url, {"reason": "x"}, page="/akun").status_code == 403
    assert _get(app, product_id).status is ProductStatus.PUBLISHED


def test_staff_cannot_unpublish_a_draft(app, ctx, world):
    product = _db.session.get(Product, world.other_product_id)
    with pytest.raises(ServiceError):
        moderation.staff_unpublish(find_by_email(world.staff), product, "Alasan")
    assert product.unpublished_reason == ""


# --- demo products -----------------------------------------------------------------------------

def test_demo_catalogue_fills_the_verified_demo_producers(app, ctx, tmp_path, monkeypatch):
    from marketplace.demo import catalogue as demo
    from marketplace.demo.services import load_demo

    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path / "media"))
    monkeypatch.setattr(demo, "PHOTO_SIZE", (400, 300))  # the pipeline, only smaller
    added = load_demo()["products"]  # the demo loader fills the catalogue too
    assert 16 <= added <= 24
    assert demo.load_demo_catalogue() == 0
    counts = dict(_db.session.execute(select(Producer.nib, func.count(Product.id)).join(
        Product, Product.producer_id == Producer.id).group_by(Producer.nib)).all())
    assert set(counts) == set(demo.CATALOGUE) and all(4 <= n <= 6 for n in counts.values())
    products = list(_db.session.scalars(select(Product)))
    assert all(p.status is ProductStatus.PUBLISHED and p.producer.is_public for p in products)
    assert all(1 <= len(p.photos) <= 3 and p.variants and p.price_min_idr > 0 for p in products)
    levels = {p.processing_level for p in products}
    assert levels == set(ProcessingLevel)
    by_name = {p.name: p for p in products}
    assert by_name["Sarung Tenun Samarinda Motif Belang Hatta"].price_min_idr == 275_000
    assert [v.name for v in by_name["Madu Kelulut"].variants] == ["250 ml", "500 ml"]
    assert by_name["Madu Kelulut"].price_min_idr == 150_000
    assert (tmp_path / "media" / f"{products[0].photos[0].key_prefix}-320.webp").is_file()
