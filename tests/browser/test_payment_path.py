"""Issue 6 in a real browser: a buyer pays a two-producer order group by bank transfer with a
receipt photo (on a phone), one of the producers confirms it, and every order moves to
Diproses. axe-core checks each page."""

from __future__ import annotations

import io
import re
import uuid

from PIL import Image
from playwright.sync_api import Browser, FilePayload, expect
from sqlalchemy import select

from marketplace.accounts.services import find_by_email
from marketplace.catalogue.models import Product, Variant
from marketplace.demo.services import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus, PaymentStatus
from marketplace.payments import bank
from marketplace.producers.models import Producer, ProducerMember
from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS, LiveServer, assert_accessible
from tests.factories import make_order

BUYER = "pembeli@demo.test"
OWNERS = ("produsen@demo.test", "rahmawati@demo.test")


def _variant_of(owner_email: str) -> Variant:
    owner = find_by_email(owner_email)
    assert owner is not None
    variant = db.session.scalar(
        select(Variant).join(Product).join(Producer)
        .join(ProducerMember, ProducerMember.producer_id == Producer.id)
        .where(ProducerMember.user_id == owner.id, Variant.stock > 0).limit(1))
    assert variant is not None
    return variant


def _place_group(server: LiveServer) -> tuple[str, list[int]]:
    with server.app.app_context():
        buyer = find_by_email(BUYER)
        assert buyer is not None
        first = make_order(buyer, [(_variant_of(OWNERS[0]), 1)])
        second = make_order(buyer, [(_variant_of(OWNERS[1]), 2)], group=first.group)
        bank.start(first.group)  # what the checkout does when it places the group
        return first.group.number, [first.id, second.id]


def _receipt_photo() -> FilePayload:
    out = io.BytesIO()
    Image.new("RGB", (480, 640), (240, 240, 235)).save(out, "JPEG")
    return {"name": f"bukti-{uuid.uuid4().hex[:6]}.jpg", "mimeType": "image/jpeg",
            "buffer": out.getvalue()}


def _sign_in(page, address: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/masuk")
    page.fill("#email", address)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header.site-header form[action='/keluar']")).to_be_visible()


def test_buyer_pays_by_transfer_and_the_producer_confirms(browser: Browser,
                                                          live_server: LiveServer) -> None:
    number, order_ids = _place_group(live_server)

    buyer = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True,
                                has_touch=True, locale="en-US", timezone_id="Asia/Makassar")
    buyer.set_default_timeout(TIMEOUT_MS)
    page = buyer.new_page()
    _sign_in(page, BUYER)
    page.goto(f"/bayar/{number}")
    expect(page.locator("#amount")).to_have_text(re.compile(r"^Rp[\d.]+$"))
    expect(page.locator("#deadline")).to_be_visible()
    assert_accessible(page)
    page.set_input_files("#receipt", _receipt_photo())
    page.locator("form[action$='/bukti'] button[type=submit]").click()
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    expect(page.locator("#payment-state")).to_be_visible()
    assert_accessible(page)
    buyer.close()

    producer = browser.new_context(base_url=live_server.url, viewport=DESKTOP,
                                   locale="en-US", timezone_id="Asia/Makassar")
    producer.set_default_timeout(TIMEOUT_MS)
    page = producer.new_page()
    _sign_in(page, OWNERS[1])
    page.goto(f"/pembayaran/{number}")
    expect(page.locator("img.receipt-photo")).to_be_visible()
    assert_accessible(page)
    page.locator("#confirm-payment").click()
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    expect(page.locator("#payment-status")).to_have_text("Dibayar")
    assert_accessible(page)
    producer.close()

    with live_server.app.app_context():
        orders = list(db.session.scalars(select(Order).where(Order.id.in_(order_ids))))
        assert {(o.status, o.payment_status) for o in orders} == {
            (OrderStatus.PROCESSING, PaymentStatus.PAID)}
