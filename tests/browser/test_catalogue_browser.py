"""Issue 4 end to end in a real browser: a producer lists a product, a buyer on a phone finds it.

The demo producer signs in, goes from the dashboard to the shop's products, creates a rattan
bag with two options through the no-JavaScript option rows, uploads a phone photo (a sensor
image stored sideways with EXIF orientation 6, a GPS block and a JPEG comment), and publishes
it. A buyer on a 360 px phone, not signed in, searches from the header with other Indonesian
word forms than the product's name, opens the product and sees both options in Rupiah, the
stock state, the producer card with its badge and WhatsApp link, and the photo as WebP
renditions in a srcset; each rendition is fetched and checked: WebP, upright, and nothing
left of the original's metadata. Storefronts of suspended and unverified producers are not
shown. axe-core checks each page.

Elements are found by ids, form actions and values; the words a page shows are the app's
own messages rendered in Indonesian, and DESIGN.md's words ("Terverifikasi", "Rp185.000")
are checked as written.
"""

from __future__ import annotations

import io
import re
import struct
from urllib.parse import unquote

from flask_babel import force_locale
from flask_babel import gettext as _
from PIL import Image, ImageDraw
from playwright.sync_api import FilePayload, Locator, Page, expect
from sqlalchemy import select

from marketplace.demo.services import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.producers.models import Producer
from tests.browser.conftest import PHONE, LiveServer, assert_accessible

PRODUCER_EMAIL = "produsen@demo.test"
PRODUCER = "Tenun Sarung Samarinda Hj. Siti"
PRODUCER_WHATSAPP = "6281253401122"  # the demo producer's 0812-5340-1122 in E.164
SUSPENDED = "Madu Kelulut Tepian Batang"
UNVERIFIED = "Penjahit Karang Joang"  # submitted, not yet verified

PRODUCT = "Tas Anyam Rotan Motif Enggang"
CATEGORY = "Tas Anyaman"  # under Tas & Aksesori
#: No form of "anyam" in it: the searches below find the product through stems only.
DESCRIPTION_LINES = ("Tas tangan dari rotan sega dengan motif burung enggang.",
                     "Tali kulit sapi, bagian dalam berlapis kain tenun.")
VARIANTS = (("Kecil", "185.000", "5", "Rp185.000"),  # the price typed as on a phone keypad
            ("Besar", "245000", "3", "Rp245.000"))
WEIGHT, SIZE = "850", ("35", "12", "30")
ALT_TEXT = "Tas rotan coklat bermotif enggang, tampak depan"

#: A phone's portrait photo as its sensor stores it: 4000 x 3000 pixels lying on their side,
#: with EXIF orientation 6 ("rotate 90 degrees clockwise to show"). Upright it is 3000 wide and
#: 4000 tall, so every rendition must be portrait, with the stored top edge (painted red) on
#: the right.
SENSOR_SIZE = (4000, 3000)
CAMERA_MAKE = "KameraUjiPasarBinaan"
JPEG_COMMENT = b"KOMENTAR-RAHASIA-JPEG"
RED, BLUE = (220, 30, 30), (40, 90, 160)
#: The only chunks a WebP of pixels alone may have (no EXIF, XMP or ICCP).
WEBP_PIXEL_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}


def path_is(path: str) -> re.Pattern[str]:
    """For expect(page).to_have_url: this path, an optional #anchor, no query string."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(#[\w-]*)?$")


def indonesian(server: LiveServer, message: str, **values: object) -> str:
    """A message of the app as the app shows it to an Indonesian reader."""
    with server.app.test_request_context(), force_locale("id"):
        return _(message, **values)


def flash_ok(page: Page) -> Locator:
    return page.locator(".flashes .flash-success[role=status]")


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px wide"


def phone_photo() -> bytes:
    """A 4000 x 3000 JPEG with orientation 6, a GPS position, a camera make and a comment."""
    image = Image.new("RGB", SENSOR_SIZE, BLUE)
    ImageDraw.Draw(image).rectangle((0, 0, SENSOR_SIZE[0] - 1, 599), fill=RED)  # stored top
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = CAMERA_MAKE  # Make
    gps = exif.get_ifd(0x8825)  # GPSInfo: Kampung Tenun, Samarinda Seberang
    gps.update({1: "S", 2: (0.0, 30.0, 12.5), 3: "E", 4: (117.0, 9.0, 3.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif, comment=JPEG_COMMENT)
    data = buffer.getvalue()
    # The test's own premise: the upload really carries what must be removed.
    sent = Image.open(io.BytesIO(data))
    assert sent.getexif()[0x0112] == 6 and sent.getexif().get_ifd(0x8825)[1] == "S"
    assert sent.info["comment"] == JPEG_COMMENT and b"Exif" in data
    return data


def webp_chunks(data: bytes) -> list[bytes]:
    """The chunk names of a WebP (RIFF) file, checking its framing on the way."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", data[:16]
    assert struct.unpack("<I", data[4:8])[0] + 8 == len(data), "RIFF size does not match"
    names, offset = [], 12
    while offset < len(data):
        name, size = data[offset:offset + 4], struct.unpack("<I", data[offset + 4:offset + 8])[0]
        names.append(name)
        offset += 8 + size + (size & 1)
    assert offset == len(data), "a chunk runs past the end of the file"
    return names


# --- 1. the producer lists the product ---------------------------------------------------------

def sign_in(page: Page, address: str, password: str) -> None:
    page.goto("/masuk")
    page.fill("#email", address)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header.site-header form[action='/keluar']")).to_be_visible()


def open_products(page: Page) -> int:
    """From the producer's dashboard to the shop's product list; the producer's id."""
    sign_in(page, PRODUCER_EMAIL, DEMO_PASSWORD)
    expect(page).to_have_url(path_is("/produsen"))
    card = page.locator("#my-producers li.card").filter(has_text=PRODUCER)
    expect(card).to_have_count(1)
    card.locator("a[href$='/produk']").click()
    expect(page).to_have_url(re.compile(r"/produsen/\d+/produk$"))
    producer_id = int(re.findall(r"/produsen/(\d+)/produk$", page.url)[0])
    expect(page.locator("#products li.card").first).to_be_visible()  # the demo products
    expect(page.locator("#not-public")).to_have_count(0)  # verified: it may publish
    return producer_id


def create_product(page: Page, producer_id: int, server: LiveServer) -> int:
    """Fill the new-product form (two option rows, no JavaScript); the new product's id."""
    page.locator("#new-product").click()
    expect(page).to_have_url(path_is(f"/produsen/{producer_id}/produk/baru"))
    page.fill("#name", PRODUCT)
    page.locator("#category_id").select_option(label=CATEGORY)
    page.fill("#description", "\n".join(DESCRIPTION_LINES))
    page.locator("input[name=processing_level][value=barang_jadi]").check()
    page.fill("#raw_material", "Rotan sega")
    page.fill("#raw_material_origin", "Hutan Kampung Teluk Sumbang, Berau")
    for row, (name, price, stock, _shown) in enumerate(VARIANTS):
        page.fill(f"#variants-{row}-name", name)
        page.fill(f"#variants-{row}-price", price)
        page.fill(f"#variants-{row}-stock", stock)
    page.fill("#weight_grams", WEIGHT)
    for field, value in zip(("length_cm", "width_cm", "height_cm"), SIZE, strict=True):
        page.fill(f"#{field}", value)
    page.fill("#min_order_qty", "1")
    page.locator("form.product-form button[type=submit]").click()

    # Saved as a draft; the next step is the photos page.
    expect(page).to_have_url(re.compile(rf"/produsen/{producer_id}/produk/\d+/foto$"))
    expect(flash_ok(page)).to_have_text(indonesian(
        server, "The product has been saved as a draft. Add photos, then publish it."))
    expect(page.locator("#no-photos")).to_be_visible()
    return int(re.findall(r"/produk/(\d+)/foto$", page.url)[0])


def upload_photo(page: Page, server: LiveServer) -> None:
    payload: FilePayload = {"name": "IMG_20240611_093015.jpg", "mimeType": "image/jpeg",
                            "buffer": phone_photo()}
    upload = page.locator("#upload form")
    upload.locator("input[type=file]").set_input_files(payload)
    upload.locator("#alt_text").fill(ALT_TEXT)
    upload.locator("button[type=submit]").click()
    expect(flash_ok(page)).to_have_text(indonesian(server, "The photo has been added."))
    photo = page.locator("#photos li.card img")
    expect(photo).to_have_count(1)
    expect(photo).to_have_attribute("alt", ALT_TEXT)
    expect(photo).to_have_attribute("src", re.compile(r"\.webp$"))
    # The largest rendition's size: upright, so portrait.
    width, height = int(photo.get_attribute("width") or 0), int(photo.get_attribute("height") or 0)
    assert height > width > 0, f"the photo is not upright: {width} x {height}"
    assert_accessible(page)


def check_edit_page(page: Page, producer_id: int, product_id: int) -> None:
    """The saved product reads back into the edit form as it was typed."""
    page.locator(f"main a[href='/produsen/{producer_id}/produk/{product_id}/ubah']").click()
    expect(page).to_have_url(path_is(f"/produsen/{producer_id}/produk/{product_id}/ubah"))
    expect(page.locator("#name")).to_have_value(PRODUCT)
    expect(page.locator("#category_id option:checked")).to_have_text(CATEGORY)
    expect(page.locator("input[name=processing_level][value=barang_jadi]")).to_be_checked()
    for row, (name, _typed, stock, shown) in enumerate(VARIANTS):
        expect(page.locator(f"#variants-{row}-name")).to_have_value(name)
        expect(page.locator(f"#variants-{row}-price")).to_have_value(shown.removeprefix("Rp"))
        expect(page.locator(f"#variants-{row}-stock")).to_have_value(stock)
    expect(page.locator(f"#variants-{len(VARIANTS)}-name")).to_have_value("")  # a spare row
    expect(page.locator("#weight_grams")).to_have_value(WEIGHT)
    assert_accessible(page)


def publish(page: Page, producer_id: int, product_id: int, server: LiveServer) -> None:
    page.locator(f"main a[href='/produsen/{producer_id}/produk']").first.click()
    expect(page).to_have_url(path_is(f"/produsen/{producer_id}/produk"))
    card = page.locator(f"#products #product-{product_id}")
    expect(card).to_have_class(re.compile(r"\bstatus-draft\b"))
    card.locator("form[action$='/terbitkan'] button[type=submit]").click()

    expect(page).to_have_url(path_is(f"/produsen/{producer_id}/produk"))
    expect(flash_ok(page)).to_have_text(
        indonesian(server, "The product is published: buyers can find it now."))
    expect(card).to_have_class(re.compile(r"\bstatus-published\b"))
    expect(card.locator("h2")).to_have_text(PRODUCT)
    expect(card.locator("dd").first).to_have_text(indonesian(server, "Published"))
    expect(card).to_contain_text(f"{VARIANTS[0][3]} – {VARIANTS[1][3]}")
    expect(card.locator("form[action$='/terbitkan']")).to_have_count(0)
    expect(card.locator("img")).to_have_attribute("alt", ALT_TEXT)
    assert_accessible(page)


# --- 2. a buyer on a phone finds it --------------------------------------------------------------

def search_from_header(phone: Page, words: str, product_id: int) -> Locator:
    """Search with the header's box; the result card's link to the product."""
    header_search = phone.locator("header.site-header form[role=search]")
    header_search.locator("#q").fill(words)
    header_search.locator("#q").press("Enter")
    expect(phone).to_have_url(re.compile(r"/produk\?q="))
    expect(phone.locator("h1")).to_contain_text(words)
    link = phone.locator(f"#products a.product-link[href^='/produk/{product_id}/']")
    expect(link).to_have_count(1)
    return link


def check_photo_bytes(phone: Page, url: str, width: int, server: LiveServer) -> None:
    response = phone.request.get(server.url + url)
    assert response.status == 200, f"{url}: {response.status}"
    assert response.headers["content-type"] == "image/webp"
    data = response.body()
    chunks = webp_chunks(data)
    assert set(chunks) <= WEBP_PIXEL_CHUNKS, f"{url} carries metadata chunks: {chunks}"
    for secret in (b"Exif", b"EXIF", b"XMP", CAMERA_MAKE.encode(), JPEG_COMMENT):
        assert secret not in data, f"{url} still contains {secret!r}"
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    # Upright: 3000 x 4000 scaled to the rendition's width, stored top edge on the right.
    assert image.size == (width, round(width * 4 / 3)), f"{url}: {image.size}"
    rgb = image.convert("RGB")
    middle = image.height // 2
    right, left = rgb.getpixel((width - 3, middle)), rgb.getpixel((2, middle))
    assert isinstance(right, tuple) and isinstance(left, tuple)
    assert right[0] > 180 > right[2] and left[2] > 120 > left[0], (
        f"{url} is not turned upright: left {left}, right {right}")


def buyer_finds_product(phone: Page, product_id: int, server: LiveServer) -> None:
    phone.goto("/")
    # A word form that is in none of the product's texts: only stems can meet it.
    search_from_header(phone, "dianyam enggang", product_id)

    link = search_from_header(phone, "anyaman rotan", product_id)
    card = phone.locator("#products li.product-card").filter(
        has=phone.locator(f"a.product-link[href^='/produk/{product_id}/']"))
    expect(card.locator(".price")).to_have_text(VARIANTS[0][3])
    expect(card.locator(".meta")).to_contain_text(PRODUCER)
    expect(link.locator("img")).to_have_attribute("src", re.compile(r"\.webp$"))
    no_sideways_scroll(phone)
    assert_accessible(phone)

    link.click()
    expect(phone).to_have_url(re.compile(rf"/produk/{product_id}/tas-anyam-rotan-motif-enggang$"))
    expect(phone.locator("h1")).to_have_text(PRODUCT)
    expect(phone.locator("#price")).to_have_text(
        indonesian(server, "from %(price)s", price=VARIANTS[0][3]))
    options = phone.locator("#variants .variant label")
    expect(options).to_have_count(2)
    in_stock = indonesian(server, "In stock")
    for option, (name, _typed, _stock, shown) in zip(options.all(), VARIANTS, strict=True):
        expect(option).to_have_text(f"{name} · {shown} · {in_stock}")
    expect(phone.locator("#variants input[type=radio]:checked")).to_have_count(1)
    expect(phone.locator("#variants input[type=radio]:disabled")).to_have_count(0)

    producer = phone.locator("section.producer-card")
    expect(producer.locator("h2")).to_have_text(PRODUCER)
    expect(producer.locator(".badge-verified")).to_contain_text("Terverifikasi")
    whatsapp = producer.locator("a.whatsapp")
    expect(whatsapp).to_have_attribute(
        "href", re.compile(rf"^https://wa\.me/{PRODUCER_WHATSAPP}\?text="))
    message = unquote((whatsapp.get_attribute("href") or "").split("?text=", 1)[1])
    assert f"“{PRODUCT}”" in message and f"/produk/{product_id}/" in message, message

    details = phone.locator("section.product-details")
    expect(details.locator(".description br")).to_have_count(1)  # the line break is kept
    for line in DESCRIPTION_LINES:
        expect(details.locator(".description")).to_contain_text(line)
    expect(details).to_contain_text(f"{WEIGHT} g")
    expect(details).to_contain_text(" × ".join(SIZE) + " cm")
    expect(details).to_contain_text(indonesian(server, "Finished goods (barang jadi)"))

    photo = phone.locator("#gallery img")
    expect(photo).to_have_count(1)
    expect(photo).to_have_attribute("alt", ALT_TEXT)
    srcset = photo.get_attribute("srcset") or ""
    renditions = {int(w): url for url, w in re.findall(r"(\S+\.webp) (\d+)w", srcset)}
    assert sorted(renditions) == [320, 640, 1280], f"srcset: {srcset!r}"
    assert (photo.get_attribute("src") or "") in renditions.values()
    assert int(photo.get_attribute("height") or 0) > int(photo.get_attribute("width") or 0)
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth") > 0, "the photo did not load"
    for width, url in renditions.items():
        check_photo_bytes(phone, url, width, server)
    no_sideways_scroll(phone)
    assert_accessible(phone)


# --- 3. what buyers must not see ------------------------------------------------------------------

def slug_of(server: LiveServer, name: str) -> str:
    """Read from the database: the only way to know a hidden storefront's address."""
    with server.app.app_context():
        slug = db.session.scalar(select(Producer.slug).where(Producer.name == name))
    assert slug, name
    return slug


def hidden_producers_not_shown(phone: Page, server: LiveServer) -> None:
    phone.goto("/toko")
    shops = phone.locator("main")
    expect(shops.locator(f"a[href='/toko/{slug_of(server, PRODUCER)}']").first).to_be_visible()
    for name in (SUSPENDED, UNVERIFIED):
        slug = slug_of(server, name)
        expect(shops.locator(f"a[href='/toko/{slug}']")).to_have_count(0)
        expect(shops).not_to_contain_text(name)
        response = phone.goto(f"/toko/{slug}")
        assert response is not None and response.status == 404, f"/toko/{slug} is shown"


def test_producer_lists_a_product_and_a_buyer_finds_it(page: Page, phone_page: Page,
                                                       live_server: LiveServer) -> None:
    producer_id = open_products(page)
    product_id = create_product(page, producer_id, live_server)
    upload_photo(page, live_server)

    # A draft is the producer's alone.
    draft = phone_page.request.get(f"{live_server.url}/produk/{product_id}")
    assert draft.status == 404, f"a draft product is shown to buyers: {draft.status}"

    check_edit_page(page, producer_id, product_id)
    publish(page, producer_id, product_id, live_server)

    buyer_finds_product(phone_page, product_id, live_server)
    hidden_producers_not_shown(phone_page, live_server)
