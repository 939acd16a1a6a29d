"""Issue 5's whole path in a real browser: a buyer on a phone fills a cart from two demo
producers, checks out with a courier for one shop and pickup at the other, pays by bank
transfer with a receipt photo; a producer confirms the transfer; one shop ships with a
tracking number, the other makes its order ready for pickup; the buyer sees two orders in
"Pesanan Saya" and confirms receipt of both. axe-core checks the pages on the way."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from marketplace.accounts.services import find_by_email
from marketplace.catalogue.models import Product, ProductStatus, Variant
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus, ShipmentStatus
from marketplace.producers.models import Producer, ProducerMember
from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS, LiveServer, assert_accessible
from tests.browser.test_payment_path import _receipt_photo, _sign_in

BUYER = "pembeli@demo.test"
#: Owners of two verified demo producers: the first ships by courier, the second's order
#: is collected at the shop.
COURIER_SHOP, PICKUP_SHOP = "produsen@demo.test", "rahmawati@demo.test"


def _product_of(owner_email: str) -> tuple[str, int]:
    """A published product page of the owner's producer (one unit is enough) and its id."""
    owner = find_by_email(owner_email)
    assert owner is not None
    product_id, slug, producer_id = db.session.execute(
        select(Product.id, Product.slug, Product.producer_id)
        .join(Producer).join(ProducerMember, ProducerMember.producer_id == Producer.id)
        .join(Variant, Variant.product_id == Product.id)
        .where(ProducerMember.user_id == owner.id, Product.status == ProductStatus.PUBLISHED,
               Product.min_order_qty == 1, Variant.stock > 2)
        .order_by(Product.id).limit(1)).one()
    return f"/produk/{product_id}/{slug}", producer_id


def _context(browser: Browser, server: LiveServer, phone: bool = False):  # type: ignore[no-untyped-def]
    extra = {"is_mobile": True, "has_touch": True} if phone else {}
    context = browser.new_context(base_url=server.url, viewport=PHONE if phone else DESKTOP,
                                  locale="id-ID", timezone_id="Asia/Makassar", **extra)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _choose(page: Page, producer_id: int, kind_label: re.Pattern[str]) -> None:
    page.locator(f"#shop-part-{producer_id} label", has_text=kind_label).first.click()


def _producer_order(page: Page, producer_id: int, number: str) -> None:
    page.goto(f"/produsen/{producer_id}/pesanan")
    page.locator("#inbox a", has_text=number).click()
    expect(page.locator("#order-actions")).to_be_visible()


def test_two_shop_order_from_cart_to_received(browser: Browser,
                                              live_server: LiveServer) -> None:
    with live_server.app.app_context():
        (courier_url, courier_shop), (pickup_url, pickup_shop) = (
            _product_of(COURIER_SHOP), _product_of(PICKUP_SHOP))

    # The buyer, on a phone: two product pages -> cart -> checkout -> pay.
    buyer = _context(browser, live_server, phone=True)
    page = buyer.new_page()
    _sign_in(page, BUYER)
    for url in (courier_url, pickup_url):
        page.goto(url)
        page.locator("#add-to-cart").click()
        expect(page.locator(".flash-success")).to_be_visible()
    page.goto("/keranjang")
    expect(page.locator(".cart-shop")).to_have_count(2)
    page.locator("#checkout-link").click()
    expect(page.locator(".checkout-shop")).to_have_count(2)
    _choose(page, courier_shop, re.compile("JNE"))
    _choose(page, pickup_shop, re.compile("Ambil di tempat"))
    page.locator("#totals button[value=review]").click()
    expect(page.locator(f"#shop-part-{pickup_shop} input[type=radio]:checked + label")) \
        .to_contain_text("Ambil di tempat")
    assert_accessible(page)
    page.locator("#pay").click()
    expect(page).to_have_url(re.compile(r"/bayar/PB-\d{6}-[A-Z2-9]{6}$"))
    number = page.url.rsplit("/", 1)[1]
    page.set_input_files("#receipt", _receipt_photo())
    page.locator("form[action$='/bukti'] button[type=submit]").click()
    expect(page.locator("#payment-state")).to_be_visible()
    assert_accessible(page)

    # A producer of the group confirms the transfer: both orders move to Diproses.
    shop = _context(browser, live_server)
    shop_page = shop.new_page()
    _sign_in(shop_page, COURIER_SHOP)
    shop_page.goto(f"/pembayaran/{number}")
    shop_page.locator("#confirm-payment").click()
    expect(shop_page.locator("#payment-status")).to_have_text("Dibayar")

    # The courier shop ships with a tracking number.
    _producer_order(shop_page, courier_shop, f"{number}-")
    shop_page.fill("#ship-courier", "JNE")
    shop_page.fill("#ship-tracking_number", "JNE7766554433")
    shop_page.locator("#ship-form button[type=submit]").click()
    expect(shop_page.locator("#timeline")).to_contain_text("Dikirim")
    assert_accessible(shop_page)
    shop.close()

    # The pickup shop, on a phone, makes its order ready for pickup.
    other = _context(browser, live_server, phone=True)
    other_page = other.new_page()
    _sign_in(other_page, PICKUP_SHOP)
    _producer_order(other_page, pickup_shop, f"{number}-")
    other_page.locator("form[action$='/siap-diambil'] button[type=submit]").click()
    expect(other_page.locator(".flash-success")).to_be_visible()
    assert_accessible(other_page)
    other.close()

    # The buyer sees both orders and confirms receipt of each.
    page.goto("/pesanan")
    links = page.locator("#my-orders a", has_text=number)
    expect(links).to_have_count(2)
    assert_accessible(page)
    for index in range(2):
        page.goto("/pesanan")
        page.locator("#my-orders a", has_text=number).nth(index).click()
        page.locator("#confirm-form button[type=submit]").click()
        expect(page.locator(".order-status-selesai").first).to_have_text("Selesai")
    assert_accessible(page)
    buyer.close()

    with live_server.app.app_context():
        orders = db.session.scalars(select(Order).where(Order.number.like(f"{number}-%"))
                                    .order_by(Order.producer_id)).all()
        assert {o.producer_id for o in orders} == {courier_shop, pickup_shop}
        assert all(o.status is OrderStatus.COMPLETED for o in orders)
        by_shop = {o.producer_id: o for o in orders}
        assert by_shop[courier_shop].tracking_number == "JNE7766554433"
        assert by_shop[pickup_shop].shipping_kind.value == "pickup"
        assert {o.shipment_status for o in orders} == {ShipmentStatus.RECEIVED}
