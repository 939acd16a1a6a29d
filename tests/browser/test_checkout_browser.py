"""Cart and checkout in a real browser, on a phone, without JavaScript doing anything.

A guest adds products of two demo producers to the cart from their product pages (the form
carries no CSRF token: the browser's Origin header vouches for it), sees the cart grouped by
shop, presses Checkout, signs in as the demo buyer and comes back to the checkout with the
cart kept; adds a delivery address when there is none yet (kabupaten, then "Show villages");
picks pickup for one shop, recalculates, and pays: the confirmation shows two orders.
axe-core checks each page.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from marketplace.catalogue.models import Product, ProductStatus
from marketplace.demo.services import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.producers.models import Producer, ProducerStatus
from marketplace.shipping.models import ShippingKind, ShippingMethod, ShippingRate
from tests.browser.conftest import LiveServer, assert_accessible

BUYER = "pembeli@demo.test"


def _two_products(live_server: LiveServer) -> list[tuple[str, int]]:
    """Product pages of two verified demo producers, each with a flat rate to Kaltim and
    pickup (added when the producer has no shipping method yet)."""
    with live_server.app.app_context():
        rows = db.session.execute(
            select(Product.id, Product.slug, Product.producer_id).join(Product.producer)
            .where(Product.status == ProductStatus.PUBLISHED, Product.in_stock.is_(True),
                   Producer.status == ProducerStatus.VERIFIED, Product.min_order_qty == 1)
            .order_by(Product.id)).all()
        chosen: list[tuple[str, int]] = []
        for product_id, slug, producer_id in rows:
            if all(producer_id != p for _url, p in chosen):
                chosen.append((f"/produk/{product_id}/{slug}", producer_id))
        chosen = chosen[:2]
        for _url, producer_id in chosen:
            if db.session.scalar(select(ShippingMethod.id).where(
                    ShippingMethod.producer_id == producer_id).limit(1)) is None:
                flat = ShippingMethod(producer_id=producer_id, kind=ShippingKind.FLAT,
                                      name="Kirim Kaltim", position=0)
                flat.rates = [ShippingRate(destination_code="64", first_kg_idr=25_000)]
                db.session.add_all([flat, ShippingMethod(
                    producer_id=producer_id, kind=ShippingKind.PICKUP, name="Ambil di tempat",
                    position=1)])
        db.session.commit()
        return chosen


def _add_address_if_asked(page: Page) -> None:
    if not page.locator("#add-address").count():
        return
    assert_accessible(page)
    page.locator("#add-address").click()
    page.fill("#recipient_name", "Rina Pembeli")
    page.fill("#phone", "0812-3456-7890")
    page.fill("#street", "Jl. Pahlawan No. 5")
    page.fill("#rt", "4")
    page.fill("#rw", "2")
    page.select_option("#kabupaten", "64.72")
    page.locator("#address-form button[value=choose_region]").click()
    options = page.locator("#region_code option[value^='64.72.']")
    page.select_option("#region_code", options.first.get_attribute("value"))
    page.locator("#address-form .actions button[type=submit]").first.click()
    expect(page).to_have_url(f"{page.url.split('/checkout')[0]}/checkout")


def test_a_guest_fills_a_cart_from_two_shops_signs_in_and_pays(phone_page: Page,
                                                               live_server: LiveServer) -> None:
    page = phone_page
    products = _two_products(live_server)
    assert len(products) == 2
    for url, _producer in products:
        page.goto(url)
        page.locator("#add-to-cart").click()
        expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".cart-shop")).to_have_count(2)
    assert_accessible(page)

    page.locator("#checkout-link").click()
    expect(page).to_have_url(f"{live_server.url}/masuk?next=%2Fcheckout")
    page.fill("#email", BUYER)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/checkout")
    _add_address_if_asked(page)
    expect(page.locator(".checkout-shop")).to_have_count(2)
    assert_accessible(page)

    second_shop = products[1][1]
    pickup = page.locator(f"#shop-part-{second_shop} label", has_text="Ambil di tempat")
    pickup.click()
    page.locator("#totals button[value=review]").click()
    expect(page.locator(f"#shop-part-{second_shop} input[type=radio]:checked + label")) \
        .to_contain_text("Ambil di tempat")
    page.locator("#pay").click()

    expect(page).to_have_url(re.compile(rf"{live_server.url}/bayar/PB-\d{{6}}-[A-Z2-9]{{6}}$"))
    expect(page.locator("#amount")).to_be_visible()
    expect(page.locator(".order-payment-status")).to_have_count(2)
    assert_accessible(page)
    page.goto("/keranjang")
    expect(page.locator(".empty")).to_be_visible()
