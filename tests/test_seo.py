"""What search engines and link previews read: titles, descriptions, canonical URLs, Open
Graph, schema.org JSON-LD (safely escaped), sitemap.xml and robots.txt."""

from __future__ import annotations

import html as html_lib
import json
import re
import xml.etree.ElementTree as ET

import pytest

from marketplace.catalogue.models import Category, ProductStatus
from marketplace.extensions import db as _db
from marketplace.producers.models import Producer, ProducerStatus
from tests.factories import make_producer
from tests.test_catalogue import make_product, make_shop, product_url

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HOSTILE = "</script><script>alert(1)</script>"


@pytest.fixture
def shop(app, db) -> dict[str, object]:
    return make_shop(app)


def meta(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    assert match, f"{name} missing"
    return html_lib.unescape(match.group(1))


def json_ld(html: str) -> dict[str, object]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


# --- product page ----------------------------------------------------------------------------

def test_product_page_has_title_description_canonical_and_open_graph(client, shop):
    html = client.get(product_url(shop)).get_data(as_text=True)
    url = f"http://localhost{product_url(shop)}"
    assert "<title>Tas Anyam Rotan · Anyaman Biduk · Pasar Binaan</title>" in html
    assert meta(html, "name", "description").startswith("Tas dari rotan Biduk-Biduk")
    assert f'<link rel="canonical" href="{url}">' in html
    assert meta(html, "property", "og:url") == url
    assert meta(html, "property", "og:title").startswith("Tas Anyam Rotan")
    assert meta(html, "property", "og:type") == "product"
    image = meta(html, "property", "og:image")
    assert image.startswith("http://localhost/media/public/products/") and image.endswith(
        "-640.webp")


def test_canonical_ignores_a_wrong_slug_by_redirecting(client, shop):
    response = client.get(f"/produk/{shop['product_id']}/salah")
    assert response.status_code == 301 and response.headers["Location"] == product_url(shop)


def test_product_json_ld_describes_the_offer(app, client, shop):
    with app.app_context():
        producer = _db.session.get(Producer, shop["producer_id"])
        woven = _db.session.get(Category, shop["woven_id"])
        product = make_product(producer, woven, "Tas Rotan Motif", photos=2, variants=[
            ("Kecil", 150_000, 3), ("Besar", 250_000, 0)])
        url = f"/produk/{product.id}/{product.slug}"
    data = json_ld(client.get(url).get_data(as_text=True))
    assert data["@context"] == "https://schema.org" and data["@type"] == "Product"
    assert data["name"] == "Tas Rotan Motif"
    assert data["brand"] == {"@type": "Brand", "name": "Anyaman Biduk"}
    assert len(data["image"]) == 2 and all(i.startswith("http://localhost/") for i in
                                           data["image"])
    offers = data["offers"]
    assert [o["price"] for o in offers] == ["150000", "250000"]
    assert {o["priceCurrency"] for o in offers} == {"IDR"}
    assert [o["availability"] for o in offers] == ["https://schema.org/InStock",
                                                   "https://schema.org/OutOfStock"]
    assert offers[0]["seller"]["name"] == "Anyaman Biduk"
    assert data["sku"] and offers[0]["sku"]


def test_hostile_product_name_stays_harmless(app, client, shop):
    with app.app_context():
        producer = _db.session.get(Producer, shop["producer_id"])
        producer.name = HOSTILE
        woven = _db.session.get(Category, shop["woven_id"])
        product = make_product(producer, woven, HOSTILE, description=HOSTILE)
        url = f"/produk/{product.id}/{product.slug}"
    html = client.get(url).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert html.count("<script") == 1  # only the JSON-LD block
    data = json_ld(html)
    assert data["name"] == HOSTILE and data["brand"]["name"] == HOSTILE
    assert meta(html, "property", "og:title").startswith(HOSTILE)


# --- listing pages ---------------------------------------------------------------------------

def test_catalogue_home_and_shops_have_canonical_urls(client, shop):
    pages = {"/": "http://localhost/", "/produk": "http://localhost/produk",
             "/toko": "http://localhost/toko",
             f"/produk?category={shop['bags']}":
             f"http://localhost/produk?category={shop['bags']}",
             f"/toko/{shop['producer_slug']}": f"http://localhost/toko/{shop['producer_slug']}"}
    for path, canonical in pages.items():
        html = client.get(path).get_data(as_text=True)
        assert f'<link rel="canonical" href="{canonical}">' in html, path
        assert meta(html, "property", "og:title")
        assert meta(html, "name", "description")


def test_search_results_are_not_indexed_but_categories_are(client, shop):
    assert 'name="robots"' in client.get("/produk?q=tas").get_data(as_text=True)
    assert 'name="robots"' in client.get("/produk?min=1000").get_data(as_text=True)
    assert 'name="robots"' not in client.get(f"/produk?category={shop['bags']}").get_data(
        as_text=True)
    assert 'name="robots"' not in client.get("/produk").get_data(as_text=True)


# --- sitemap and robots ----------------------------------------------------------------------

def sitemap_urls(client, path: str = "/sitemap.xml") -> dict[str, str | None]:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)  # noqa: S314 - our own response
    return {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
            for url in root.iter(f"{SITEMAP}url")}


def test_sitemap_lists_pages_products_and_storefronts(app, client, shop):
    with app.app_context():
        producer = _db.session.get(Producer, shop["producer_id"])
        woven = _db.session.get(Category, shop["woven_id"])
        draft = make_product(producer, woven, "Tas Draf", status=ProductStatus.DRAFT)
        suspended = make_producer(name="Diskors", status=ProducerStatus.SUSPENDED)
        hidden = make_product(suspended, woven, "Tas Tersembunyi")
        hidden_ids = (draft.id, hidden.id)
        suspended_slug = suspended.slug
    urls = sitemap_urls(client)
    base = "http://localhost"
    for page in ("/", "/produk", "/toko"):
        assert base + page in urls
    assert urls[base + "/"] == urls[base + product_url(shop)]  # the latest change
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", urls[base + product_url(shop)])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", urls[f"{base}/toko/{shop['producer_slug']}"])
    assert not any(f"/produk/{i}/" in url for url in urls for i in hidden_ids)
    assert f"{base}/toko/{suspended_slug}" not in urls


def test_a_large_sitemap_becomes_an_index_of_parts(app, client, shop, monkeypatch):
    monkeypatch.setattr("marketplace.catalogue.views.SITEMAP_CHUNK", 1)
    with app.app_context():
        producer = _db.session.get(Producer, shop["producer_id"])
        woven = _db.session.get(Category, shop["woven_id"])
        second = make_product(producer, woven, "Dompet Anyam")
        second_url = f"http://localhost/produk/{second.id}/{second.slug}"
    root = ET.fromstring(client.get("/sitemap.xml").data)  # noqa: S314
    parts = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert parts == ["http://localhost/sitemap-1.xml", "http://localhost/sitemap-2.xml"]
    first, last = sitemap_urls(client, "/sitemap-1.xml"), sitemap_urls(client, "/sitemap-2.xml")
    assert "http://localhost/" in first and f"http://localhost{product_url(shop)}" in first
    assert second_url in last and "http://localhost/" not in last
    assert client.get("/sitemap-3.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    for path in ("/akun", "/dinas", "/admin", "/produsen", "/masuk", "/keranjang"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /produk" not in lines and "Disallow: /toko" not in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines


@pytest.mark.parametrize("path", ["/robots.txt", "/sitemap.xml"])
def test_search_engine_files_are_cacheable_without_cookies(client, path):
    response = client.get(path)
    assert "public" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
