"""Buyers' catalogue pages: the catalogue, product pages, the home page, and who is hidden.

Products are made directly with the models (search_text from
catalogue.services.search_text_for, as the catalogue services do), so these tests do not
depend on the management screens.
The helpers here are shared by test_search, test_storefront and test_seo.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import event

from marketplace.catalogue.models import (
    Category,
    ProcessingLevel,
    Product,
    ProductPhoto,
    ProductStatus,
    Variant,
)
from marketplace.catalogue.services import search_text_for
from marketplace.db import utcnow
from marketplace.extensions import db as _db
from marketplace.producers.models import Producer, ProducerStatus
from tests.factories import make_producer

BIDUK_BIDUK = "64.03.08.2001"  # a desa in Kabupaten Berau
SAMARINDA = "64.72.01.1001"  # a kelurahan in Kota Samarinda
PASER = "64.01.01.2009"  # a desa in Kabupaten Paser
_numbers = itertools.count(1)


# --- helpers shared by the catalogue's test modules -----------------------------------------

def make_category(name: str = "Tas & Aksesori", parent: Category | None = None,
                  name_en: str | None = None, slug: str | None = None) -> Category:
    n = next(_numbers)
    category = Category(name_id=name, name_en=name_en or f"{name} (en)", parent=parent,
                        slug=slug or f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}-{n}",
                        position=n)
    _db.session.add(category)
    _db.session.commit()
    return category


def make_product(producer: Producer, category: Category, name: str = "Tas Anyam Rotan", *,
                 price: int = 350_000, stock: int = 5, variants: list[tuple[str, int, int]]
                 | None = None, photos: int = 1, status: ProductStatus = ProductStatus.PUBLISHED,
                 description: str = "", published_at: dt.datetime | None = None,
                 **fields: object) -> Product:
    """A product as the catalogue services would leave it: variants (name, price, stock),
    photos, price_min_idr, in_stock and search_text filled in."""
    n = next(_numbers)
    rows = variants or [("", price, stock)]
    values: dict[str, object] = {
        "processing_level": ProcessingLevel.FINISHED, "weight_grams": 400,
        "slug": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100] or "produk",
        **fields}
    product = Product(
        producer_id=producer.id, category_id=category.id, name=name, description=description,
        status=status, price_min_idr=min(p for _, p, _ in rows),
        in_stock=any(s > 0 for _, _, s in rows),
        published_at=(published_at or utcnow() + dt.timedelta(microseconds=n))
        if status is ProductStatus.PUBLISHED else None, **values)
    product.search_text = search_text_for(product)
    product.variants = [Variant(name=v, price_idr=p, stock=s, position=i, sku=f"SKU-{n}-{i}")
                        for i, (v, p, s) in enumerate(rows)]
    product.photos = [ProductPhoto(position=i, key_prefix=f"public/products/p{n}x{i}",
                                   widths=[320, 640, 1280], width=1280, height=960,
                                   alt_text=f"{name} foto {i + 1}") for i in range(photos)]
    _db.session.add(product)
    _db.session.commit()
    return product


@contextmanager
def count_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements that read or write data (not BEGIN/SAVEPOINT) inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = _db.engine

    def before(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.lstrip().split(" ", 1)[0].upper() in ("SELECT", "INSERT", "UPDATE",
                                                           "DELETE", "WITH"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def make_shop(app: Flask) -> dict[str, object]:
    """A verified rattan producer in Biduk-Biduk with a tree of categories and a product."""
    with app.app_context():
        producer = make_producer(name="Anyaman Biduk", region_code=BIDUK_BIDUK,
                                 whatsapp="+6281234567890")
        bags = make_category("Tas & Aksesori", name_en="Bags & Accessories")
        woven = make_category("Tas Anyaman", parent=bags, name_en="Woven Bags")
        food = make_category("Camilan & Oleh-oleh", name_en="Snacks & Souvenirs")
        product = make_product(producer, woven, "Tas Anyam Rotan", price=350_000,
                               description="Tas dari rotan Biduk-Biduk, dianyam tangan.")
        return {"producer_id": producer.id, "producer_slug": producer.slug, "bags": bags.slug,
                "woven": woven.slug, "woven_id": woven.id, "food_id": food.id,
                "bags_id": bags.id, "product_id": product.id, "product_slug": product.slug}


@pytest.fixture
def shop(app: Flask, db) -> dict[str, object]:
    return make_shop(app)


def product_url(shop: dict[str, object]) -> str:
    return f"/produk/{shop['product_id']}/{shop['product_slug']}"


# --- the catalogue page ----------------------------------------------------------------------

def test_catalogue_lists_published_products_with_count(client, shop):
    response = client.get("/produk")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="products"' in html
    assert product_url(shop) in html
    assert "Rp350.000" in html
    assert re.search(r'id="result-count">\s*1 ', html)


def test_a_card_shows_photo_name_price_producer_region_and_stock(app, client, shop):
    with app.app_context():
        producer = _db.session.get(Producer, shop["producer_id"])
        woven = _db.session.get(Category, shop["woven_id"])
        sold = make_product(producer, woven, "Tas <b>Habis</b> & Co", price=125_000, stock=0,
                            photos=0)
        sold_url = f"/produk/{sold.id}/{sold.slug}"
    html = client.get("/produk").get_data(as_text=True)
    cards = re.findall(r'<li class="product-card">.*?</li>', html, re.S)
    assert len(cards) == 2
    first, second = cards  # newest first
    assert f'href="{sold_url}"' in first
    assert "Tas &lt;b&gt;Habis&lt;/b&gt; &amp; Co" in first and "<b>" not in first
    assert 'class="placeholder"' in first and 'alt="Tas &lt;b&gt;Habis&lt;/b&gt; &amp; Co"' in first
    assert '<p class="price">Rp125.000</p>' in first
    assert '<p class="meta">Anyaman Biduk · Kabupaten Berau</p>' in first
    assert '<p class="stock stock-out">Stok habis</p>' in first
    assert "stock-out" not in second and '<p class="price">Rp350.000</p>' in second
    assert 'srcset="/media/public/products/' in second and 'loading="lazy"' in second
    assert 'alt="Tas Anyam Rotan foto 1"' in second
    client.set_cookie("lang", "en")
    english = client.get("/produk").get_data(as_text=True)
    assert '<p class="stock stock-out">Out of stock</p>' in english


def test_catalogue_hides_drafts_archived_and_non_public_producers(app, client, shop):
    with app.app_context():
        producer = _db.session.get(Producer, shop["producer_id"])
        woven = _db.session.get(Category, shop["woven_id"])
        draft = make_product(producer, woven, "Tas Draf", status=ProductStatus.DRAFT)
        archived = make_product(producer, woven, "Tas Arsip", status=ProductStatus.ARCHIVED)
        hidden = [make_product(make_producer(status=status), woven, f"Tas {status.value}")
                  for status in (ProducerStatus.SUSPENDED, ProducerStatus.SUBMITTED,
                                 ProducerStatus.DRAFT, ProducerStatus.REJECTED)]
        ids = [draft.id, archived.id, *(p.id for p in hidden)]
    html = client.get("/produk").get_data(as_text=True)
    assert product_url(shop) in html
    for product_id in ids:
        assert f"/produk/{product_id}/" not in html
        assert client.get(f"/produk/{product_id}").status_code == 404


def test_empty_catalogue_helps_the_buyer(client, shop):
    response = client.get(f"/produk?q=zzzzqqq&category={shop['bags']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="no-results"' in html
    # A way out: the same search without filters, and the categories to browse.
    assert "/produk?q=zzzzqqq" in html
    assert f"/produk?category={shop['bags']}" in html


@pytest.mark.parametrize("query", [
    "page=999", "page=-1", "page=abc", "page=99999999999999999999", "category=tidak-ada",
    "kab=99.99", "kab=64", "min=-5", "max=abc", "min=999999999999999999", "level=emas",
    "sort=acak", "min=500000&max=1000", "q=%22", "q=NEAR(tas", "q=*", "q=tas%20OR%20x",
    "q=" + "a" * 500, "q=%00", "kab=%27", "category=%3Cscript%3E",
])
def test_odd_parameters_get_a_page_not_an_error(client, shop, query):
    response = client.get(f"/produk?{query}")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True).split("</header>", 1)[1]


def test_unknown_filters_are_explained(client, shop):
    html = client.get("/produk?category=tidak-ada&kab=99.99&min=abc").get_data(as_text=True)
    assert html.count('class="flash flash-info filter-error"') == 3
    assert product_url(shop) in html  # the rest of the page still works


def test_page_past_the_end_shows_the_last_page(client, shop):
    html = client.get("/produk?page=50").get_data(as_text=True)
    assert product_url(shop) in html
    assert 'class="flash flash-info filter-error"' in html


def test_filter_chips_link_to_the_list_without_that_filter(client, shop):
    html = client.get(f"/produk?q=rotan&category={shop['bags']}").get_data(as_text=True)
    assert 'href="/produk?q=rotan"' in html  # remove the category
    assert f'href="/produk?category={shop["bags"]}"' in html  # remove the search


def test_old_search_address_redirects(client, shop):
    response = client.get("/cari?q=tas+rotan")
    assert response.status_code == 301
    assert response.headers["Location"] == "/produk?q=tas+rotan"


def test_header_search_and_nav_point_at_the_catalogue(client, shop):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/produk"' in html
    assert 'href="/toko"' in html


# --- the product page ------------------------------------------------------------------------

def test_product_page_shows_what_a_buyer_needs(app, client, shop):
    with app.app_context():
        product = _db.session.get(Product, shop["product_id"])
        product.raw_material, product.raw_material_origin = "Rotan", "Biduk-Biduk, Berau"
        product.pirt_number, product.min_order_qty = "2066403010123-25", 2
        product.length_cm, product.width_cm, product.height_cm = 30, 10, 25
        _db.session.commit()
    response = client.get(product_url(shop))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<h1 id="product-title">Tas Anyam Rotan</h1>' in html
    assert 'id="stock"' in html and "stock-in" in html
    assert 'id="min-order"' in html
    assert "2066403010123-25" in html and "30 × 10 × 25 cm" in html
    assert "Biduk-Biduk, Berau" in html
    assert 'class="badge badge-verified"' in html
    assert f'/toko/{shop["producer_slug"]}' in html
    assert 'srcset="' in html and 'loading="lazy"' not in html.split('id="gallery"')[1][:300]
    assert 'aria-label="Breadcrumb"' in html or 'class="breadcrumbs"' in html
    # The cart's form, starting at the minimum order (issue 5).
    assert 'id="add-to-cart">Tambah ke Keranjang<' in html
    assert 'name="quantity" value="2" min="2"' in html


def test_whatsapp_button_names_the_product_and_its_address(client, shop):
    html = client.get(product_url(shop)).get_data(as_text=True)
    link = re.search(r'href="(https://wa\.me/6281234567890\?text=[^"]+)"', html)
    assert link, "WhatsApp link with a prefilled message"
    assert "Tas%20Anyam%20Rotan" in link.group(1)
    assert "http%3A//localhost/produk/" in link.group(1)


def test_variants_are_radio_buttons_with_price_and_stock(app, client, shop):
    with app.app_context():
        producer = _db.session.get(Producer, shop["producer_id"])
        woven = _db.session.get(Category, shop["woven_id"])
        product = make_product(producer, woven, "Tas Rotan Motif", variants=[
            ("Kecil", 150_000, 3), ("Besar", 250_000, 0)])
        variant_ids = [v.id for v in product.variants]
        url = f"/produk/{product.id}/{product.slug}"
    html = client.get(url).get_data(as_text=True)
    assert html.count('type="radio"') == 2
    small = re.search(rf'<input type="radio" id="variant-{variant_ids[0]}"[^>]*>', html).group(0)
    big = re.search(rf'<input type="radio" id="variant-{variant_ids[1]}"[^>]*>', html).group(0)
    assert "checked" in small and "disabled" in big
    assert "Rp150.000" in html and "Rp250.000" in html
    assert "stock-in" in html and "stock-out" in html


def test_wrong_slug_redirects_permanently_to_the_canonical_address(client, shop):
    for path in (f"/produk/{shop['product_id']}/nama-lama", f"/produk/{shop['product_id']}"):
        response = client.get(path)
        assert response.status_code == 301
        assert response.headers["Location"] == product_url(shop)


def test_unknown_product_is_404(client, shop):
    assert client.get("/produk/999999/apa-saja").status_code == 404


def test_product_of_a_suspended_producer_disappears(app, client, shop):
    assert client.get(product_url(shop)).status_code == 200
    with app.app_context():
        _db.session.get(Producer, shop["producer_id"]).status = ProducerStatus.SUSPENDED
        _db.session.commit()
    assert client.get(product_url(shop)).status_code == 404
    assert product_url(shop) not in client.get("/produk").get_data(as_text=True)


def test_related_products_share_the_category_other_producers_first(app, client, shop):
    with app.app_context():
        own = _db.session.get(Producer, shop["producer_id"])
        other = make_producer(name="Rotan Tanjung", region_code=PASER)
        woven = _db.session.get(Category, shop["woven_id"])
        food = _db.session.get(Category, shop["food_id"])
        mine = make_product(own, woven, "Dompet Anyam Manik")
        theirs = make_product(other, woven, "Tas Pandan",
                              published_at=utcnow() - dt.timedelta(days=30))
        unrelated = make_product(other, food, "Amplang Ikan Pipih")
        ids = (mine.id, theirs.id, unrelated.id)
    html = client.get(product_url(shop)).get_data(as_text=True)
    related = html.split('id="related"', 1)[1].split("</section>", 1)[0]
    assert f"/produk/{ids[1]}/" in related and f"/produk/{ids[0]}/" in related
    assert related.index(f"/produk/{ids[1]}/") < related.index(f"/produk/{ids[0]}/")
    assert f"/produk/{ids[2]}/" not in related
    assert f"/produk/{shop['product_id']}/" not in related


# --- query counts ----------------------------------------------------------------------------

@pytest.fixture
def many(app: Flask, shop) -> dict[str, object]:
    """60 products from 12 producers, each with 3 variants and 4 photos."""
    with app.app_context():
        woven = _db.session.get(Category, shop["woven_id"])
        producers = [make_producer(region_code=SAMARINDA if i % 2 else PASER)
                     for i in range(12)]
        products = [make_product(producers[i % 12], woven, f"Tas Anyam Rotan {i}", photos=4,
                                 variants=[("S", 100_000 + i, 2), ("M", 120_000, 0),
                                           ("L", 140_000, 1)]) for i in range(60)]
        return {"product": f"/produk/{products[0].id}/{products[0].slug}"}


@pytest.mark.parametrize("path", ["/produk", "/produk?q=anyam+rotan", "/produk?sort=price",
                                  "/produk?kab=64.72&min=100000&level=barang_jadi", "/"])
def test_catalogue_pages_use_few_queries_whatever_the_page_size(app, client, many, path):
    client.get(path)  # the first request reads the kabupaten/kota list, kept for the app
    with count_statements(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="product-card"') >= 8
    # At most 5 statements, counting the BEGIN that SQLite needs as well.
    assert len(statements) <= 4, statements


@pytest.mark.parametrize("path", ["/produk?q=anyam+rotan", "/produk?q=anyam&sort=price",
                                  "/produk?q=rotan&kab=64.72"])
def test_broad_searches_use_few_queries_too(app, client, many, monkeypatch, path):
    """More matches than are counted (here 10; 1,000 in production): the page reads the
    sort order's index, after a first look at the matches and the counts."""
    from marketplace.catalogue import search

    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    client.get(path)
    with count_statements(app) as statements:
        response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.count('class="product-card"') == 24
    assert "10+" in html  # "10+ produk": counted up to the limit only
    assert len(statements) <= 4, statements


def test_product_page_uses_few_queries_with_many_variants_photos_and_related(app, client,
                                                                             many):
    client.get(many["product"])
    with count_statements(app) as statements:
        response = client.get(many["product"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('type="radio"') == 3 and html.count("<img") >= 4 + 8
    assert len(statements) <= 4, statements


# --- the home page ---------------------------------------------------------------------------

def test_home_shows_categories_new_products_and_producers_by_region(app, client, shop):
    with app.app_context():
        make_producer(name="Tenun Samarinda", region_code=SAMARINDA)
        make_producer(name="Belum Terverifikasi", region_code=PASER,
                      status=ProducerStatus.SUBMITTED)
    html = client.get("/").get_data(as_text=True)
    categories = html.split('id="categories"', 1)[1].split("</ul>", 1)[0]
    assert f"/produk?category={shop['bags']}" in categories
    assert "Tas Anyaman" not in categories  # top categories only
    assert product_url(shop) in html.split('id="new-products"', 1)[1]
    regions = html.split('id="regions"', 1)[1].split("</ul>", 1)[0]
    assert "Kabupaten Berau" in regions and "Kota Samarinda" in regions
    assert "Kabupaten Paser" not in regions  # only an unverified producer there
    assert "/toko?kab=64.03" in regions


# --- pagination ------------------------------------------------------------------------------

def test_pagination_shows_the_ends_and_two_pages_either_side(app: Flask):
    from marketplace.catalogue.views import pagination

    with app.test_request_context("/produk"):
        html = str(pagination("catalogue.products", 5, 42, {"q": "tas <b>", "kab": None},
                              "Halaman hasil"))
    assert html.startswith('<nav class="pager" aria-label="Halaman hasil">')
    links = re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', html)
    assert [text for _href, _attrs, text in links] == [
        "Sebelumnya", "1", "3", "4", "5", "6", "7", "42", "Berikutnya"]
    assert links[0][0] == "/produk?q=tas+%3Cb%3E&amp;page=4" and 'rel="prev"' in links[0][1]
    assert links[-1][0] == "/produk?q=tas+%3Cb%3E&amp;page=6" and 'rel="next"' in links[-1][1]
    assert [text for _h, attrs, text in links if "aria-current" in attrs] == ["5"]
    assert html.count('<li aria-hidden="true">…</li>') == 2
    assert "kab" not in html


def test_pagination_of_one_page_is_nothing_and_the_ends_have_no_arrows(app: Flask):
    from marketplace.catalogue.views import pagination

    with app.test_request_context("/toko"):
        assert str(pagination("catalogue.shops", 1, 1)) == ""
        first = str(pagination("catalogue.shops", 1, 3, {"sector": None}))
        last = str(pagination("catalogue.storefront", 3, 3, {"slug": "anyaman-biduk"}))
    assert 'rel="prev"' not in first and 'href="/toko?page=3"' in first
    assert "…" not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and 'href="/toko/anyaman-biduk?page=2"' in last
