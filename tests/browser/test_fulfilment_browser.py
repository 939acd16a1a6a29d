"""After checkout, in a real browser: the producer finds a paid order from the dashboard,
packs and ships it on a phone and opens the packing slip; the buyer follows it in "Pesanan
Saya" and confirms receipt; staff find it. axe-core checks each page.

The order is put straight into the live server's database (checkout is tested elsewhere).
Elements are found by ids and form actions; texts are checked in Indonesian.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from marketplace.accounts.services import find_by_email
from marketplace.catalogue.models import Product, Variant
from marketplace.demo.services import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.orders.models import OrderStatus, PaymentStatus
from marketplace.producers.services import producers_of
from tests.browser.conftest import PHONE, LiveServer, assert_accessible
from tests.factories import make_order

PRODUCER_EMAIL = "produsen@demo.test"
BUYER_EMAIL = "pembeli@demo.test"
STAFF_EMAIL = "staf@demo.test"


def sign_in(page: Page, address: str) -> None:
    page.goto("/masuk")
    page.fill("#email", address)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header.site-header form[action='/keluar']")).to_be_visible()


def _paid_order(live_server: LiveServer) -> tuple[int, str]:
    with live_server.app.app_context():
        producer = producers_of(find_by_email(PRODUCER_EMAIL))[0]
        variant = db.session.scalars(select(Variant).join(Product).where(
            Product.producer_id == producer.id, Variant.stock > 0)).first()
        order = make_order(find_by_email(BUYER_EMAIL), [(variant, 1)],
                           status=OrderStatus.PROCESSING, payment_status=PaymentStatus.PAID)
        return producer.id, order.number


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px wide"


def test_producer_ships_and_buyer_confirms(page: Page, phone_page: Page,
                                           live_server: LiveServer) -> None:
    producer_id, number = _paid_order(live_server)

    # The producer, on a phone: dashboard -> orders being processed -> the order.
    sign_in(phone_page, PRODUCER_EMAIL)
    phone_page.goto("/produsen")
    phone_page.locator(f"a[href='/produsen/{producer_id}/pesanan?status=diproses']").click()
    expect(phone_page.locator("#inbox")).to_contain_text(number)
    _fits(phone_page)
    assert_accessible(phone_page)
    phone_page.locator("#inbox a", has_text=number).click()
    expect(phone_page.locator("#ship-form")).to_be_visible()
    _fits(phone_page)
    assert_accessible(phone_page)
    phone_page.fill("#ship-courier", "JNE")
    phone_page.fill("#ship-tracking_number", "JNE0012345")
    phone_page.locator("#ship-form button[type=submit]").click()
    expect(phone_page.locator(".flash-success")).to_contain_text("Pesanan sudah dikirim")
    expect(phone_page.locator("#timeline")).to_contain_text("Dikirim")
    phone_page.goto(f"/produsen/{producer_id}/pesanan/{number}/slip")
    expect(phone_page.locator("#packing-slip")).to_contain_text("JNE0012345")
    expect(phone_page.locator("#print-button")).to_be_visible()
    assert_accessible(phone_page)

    # The buyer: Pesanan Saya -> the order -> Pesanan Diterima.
    sign_in(page, BUYER_EMAIL)
    page.locator("nav a[href='/pesanan']").click()
    expect(page.locator("#my-orders")).to_contain_text(number)
    assert_accessible(page)
    page.locator("#my-orders a", has_text=number).click()
    expect(page.locator("#tracking-number")).to_have_text("JNE0012345")
    assert number in (page.locator("#whatsapp-link").get_attribute("href") or "")
    assert_accessible(page)
    page.locator("#confirm-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".order-status-selesai").first).to_have_text("Selesai")

    # Staff find it.
    staff = phone_page
    staff.locator("header.site-header form[action='/keluar'] button").click()
    sign_in(staff, STAFF_EMAIL)
    staff.goto(f"/dinas/pesanan?q={number}")
    expect(staff.locator("#orders")).to_contain_text(number)
    assert_accessible(staff)
    staff.locator("#orders a", has_text=number).click()
    expect(staff.locator("#timeline")).to_contain_text("Selesai")
    assert_accessible(staff)
