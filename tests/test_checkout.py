"""Checkout: address, shipping per shop, note, payment method, placing in one transaction,
idempotency, tampering, access and the number of SQL statements."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.cart import services as cart_services
from marketplace.cart.models import CartItem
from marketplace.catalogue import holidays
from marketplace.catalogue.models import Product, Variant
from marketplace.db import utcnow
from marketplace.extensions import db as _db
from marketplace.orders import signals
from marketplace.orders.models import CheckoutGroup, Order, OrderEvent, OrderLine
from marketplace.producers.models import Producer
from tests import stripe_contract
from tests.checkout_factories import make_address, two_shops
from tests.factories import make_user
from tests.helpers import login
from tests.test_catalogue import count_statements

_INPUT = re.compile(r"<input\b[^>]*>")
_ATTR = re.compile(r'\b(name|value|type)="([^"]*)"')


def form_fields(html: str, form_id: str = "checkout-form") -> dict[str, str]:
    """What a browser would send from the form: hidden fields and checked radios."""
    match = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)
    assert match, html
    fields: dict[str, str] = {}
    for tag in _INPUT.findall(match.group(0)):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("type") == "hidden" or (attrs.get("type") == "radio" and " checked" in tag):
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


@pytest.fixture
def setup(app: Flask, db) -> dict[str, object]:
    with app.app_context():
        shops = two_shops()
        buyer = make_user(email="pembeli@example.test", locale="en")
        address = make_address(buyer)
        cart_services.add_item(buyer, None, shops["a"]["variant"].id, 2)
        cart_services.add_item(buyer, None, shops["b"]["variant"].id, 3)
        other = make_user(email="lain@example.test")
        return {
            "buyer_id": buyer.id, "address_id": address.id,
            "other_address_id": make_address(other).id,
            **{f"{k}_{name}": v[name].id for k, v in shops.items()
               for name in ("producer", "variant", "flat", "courier", "pickup", "product")},
        }


@pytest.fixture
def buyer_client(client, setup):
    login(client, "pembeli@example.test")
    client.post("/bahasa", data={"lang": "en", **_csrf(client)})
    return client


def _csrf(client) -> dict[str, str]:
    html = client.get("/").get_data(as_text=True)
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)}


def checkout(client, **changes: object):
    """Open the checkout page, then press "Pay" with its defaults and ``changes``."""
    page = client.get("/checkout")
    assert page.status_code == 200
    fields = {**form_fields(page.get_data(as_text=True)), "action": "place", **changes}
    return client.post("/checkout", data={k: v for k, v in fields.items() if v is not None})


def counts(app: Flask) -> tuple[int, int, int, int]:
    with app.app_context():
        return (_db.session.scalar(select(func.count(CheckoutGroup.id))),
                _db.session.scalar(select(func.count(Order.id))),
                _db.session.scalar(select(func.count(CartItem.id))),
                sum(_db.session.scalars(select(Variant.stock))))


def test_guests_are_sent_to_sign_in_and_come_back(app, client, setup):
    response = client.get("/checkout")
    assert response.status_code == 302 and "/masuk?next=%2Fcheckout" in response.headers["Location"]


def test_checkout_page_shows_each_shop_with_its_options_and_the_totals(app, buyer_client, setup):
    html = buyer_client.get("/checkout").get_data(as_text=True)
    assert html.count('class="panel checkout-shop"') == 2
    # Flat Rp20.000 to Samarinda is first; courier 2 kg for 3 x 500 g = 1.5 kg -> 2 kg.
    assert "Kirim dalam kota · Rp20.000" in html and "JNE REG · Rp40.000 (2 kg)" in html
    assert "Ambil di tempat · Rp0" in html
    assert "Rp300.000" in html and "Rp75.000" in html
    assert 'id="total">Rp415.000<' in html  # 375.000 + 2 x 20.000
    assert 'value="bank_transfer" checked' in html and 'value="stripe"' not in html


def test_a_shop_on_holiday_is_announced_in_the_cart_and_checkout_but_can_be_ordered_from(
        app, buyer_client, setup):
    with app.app_context():
        shop = _db.session.get(Producer, setup["a_producer"])
        shop.holiday_from = holidays.today() - dt.timedelta(days=1)
        shop.holiday_until = holidays.today() + dt.timedelta(days=2)
        shop.holiday_note = "Orders are sent after the holiday."
        _db.session.commit()
    a, b = setup["a_producer"], setup["b_producer"]
    for page in ("/keranjang", "/checkout"):
        html = buyer_client.get(page).get_data(as_text=True)
        notice = html.split(f'id="holiday-{a}"', 1)[1].split("</div>", 1)[0]
        assert "closed for a holiday until" in notice
        assert "Orders are sent after the holiday." in notice
        assert f'id="holiday-{b}"' not in html
    assert checkout(buyer_client).status_code == 303
    assert counts(app)[:2] == (1, 2)


def test_placing_creates_one_group_with_an_order_per_shop(app, buyer_client, setup):
    placed = []

    def receiver(sender, **kw):  # type: ignore[no-untyped-def]
        placed.append((sender.number, kw["actor"].id))

    with signals.orders_placed.connected_to(receiver):
        response = checkout(buyer_client, **{
            f"ship-{setup['b_producer']}": setup["b_pickup"],
            f"note-{setup['a_producer']}": "Tolong dibungkus rapi"}, expected_total="395000")
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"PB-\d{6}-[A-Z2-9]{6}", number)
    with app.app_context():
        group = _db.session.scalars(select(CheckoutGroup)).one()
        assert group.number == number and group.buyer_id == setup["buyer_id"]
        assert (group.items_total_idr, group.shipping_total_idr, group.total_idr) == (
            375_000, 20_000, 395_000)
        assert group.region_text.startswith("Kel. Rawa Makmur, Kec. Palaran, Kota Samarinda")
        assert abs(group.expires_at - (utcnow() + dt.timedelta(hours=24))) < dt.timedelta(
            minutes=1)
        first, second = group.orders
        assert (first.number, first.producer_id, first.total_idr) == (
            f"{number}-1", setup["a_producer"], 320_000)
        assert first.note == "Tolong dibungkus rapi" and first.shipping_method_name == (
            "Kirim dalam kota")
        assert (second.shipping_kind.value, second.shipping_idr) == ("pickup", 0)
        assert first.destination_regency_code == "64.72"
        line = first.lines[0]
        assert (line.product_name, line.unit_price_idr, line.quantity, line.line_total_idr) == (
            "Produk Anyaman Biduk", 150_000, 2, 300_000)
        events = _db.session.scalars(select(OrderEvent).order_by(OrderEvent.id)).all()
        assert [(e.field, e.from_value, e.to_value, e.actor_id) for e in events] == [
            ("status", None, "menunggu_pembayaran", setup["buyer_id"])] * 2
        assert _db.session.get(Variant, setup["a_variant"]).stock == 8
    assert counts(app)[:3] == (1, 2, 0)
    assert placed == [(number, setup["buyer_id"])]
    page = buyer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert number in page and 'id="amount"' in page and "Rp395.000" in page


def test_the_same_form_sent_twice_places_one_group(app, buyer_client, setup):
    page = buyer_client.get("/checkout").get_data(as_text=True)
    fields = {**form_fields(page), "action": "place"}
    first = buyer_client.post("/checkout", data=fields)
    second = buyer_client.post("/checkout", data=fields)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert counts(app) == (1, 2, 0, 8 + 7)


@pytest.mark.parametrize("tamper, message", [
    ({"expected_total": "1000"}, "changed since the page was shown"),
    ({"expected_total": None}, "changed since the page was shown"),
    ({"ship-{a_producer}": "{b_flat}"}, "Choose one of the shipping options of Anyaman"),
    ({"ship-{a_producer}": "999999"}, "Choose one of the shipping options of Anyaman"),
    ({"ship-{a_producer}": None}, "Choose one of the shipping options of Anyaman"),
    ({"address_id": "{other_address_id}"}, "Choose one of your addresses"),
    ({"address_id": "abc"}, "Choose one of your addresses"),
    ({"payment_method": "stripe"}, "Choose a payment method"),
    ({"payment_method": "cash"}, "Choose a payment method"),
    ({"note-{a_producer}": "x" * 501}, "at most 500 characters"),
    ({"idempotency_key": "short"}, "not valid any more"),
])
def test_tampered_or_invalid_choices_are_refused_and_change_nothing(app, buyer_client, setup,
                                                                    tamper, message):
    changes = {key.format(**setup): value.format(**setup) if isinstance(value, str) else value
               for key, value in tamper.items()}
    before = counts(app)
    response = checkout(buyer_client, **changes)
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert counts(app) == before


def test_a_courier_that_does_not_deliver_to_the_address_cannot_be_chosen(app, buyer_client,
                                                                         setup):
    with app.app_context():
        jakarta = make_address(_db.session.get(User, setup["buyer_id"]),
                               region_code="31.71.01.1001", postal_code="10110",
                               is_default=False)
        jakarta_id = jakarta.id
    page = buyer_client.post("/checkout", data={
        **form_fields(buyer_client.get("/checkout").get_data(as_text=True)),
        "address_id": jakarta_id, "action": "review"}).get_data(as_text=True)
    # Only pickup reaches Jakarta: the flat and courier rates cover Kaltim.
    assert "JNE REG" not in page and "Ambil di tempat" in page
    before = counts(app)
    response = checkout(buyer_client, address_id=jakarta_id,
                        **{f"ship-{setup['a_producer']}": setup["a_courier"]})
    assert "Choose one of the shipping options" in response.get_data(as_text=True)
    assert counts(app) == before


def test_stock_taken_meanwhile_refuses_with_stok_habis_and_changes_nothing(app, buyer_client,
                                                                           setup):
    page = buyer_client.get("/checkout").get_data(as_text=True)
    with app.app_context():
        _db.session.get(Variant, setup["b_variant"]).stock = 2
        _db.session.commit()
    before = counts(app)
    response = buyer_client.post("/checkout", data={**form_fields(page), "action": "place"})
    assert response.status_code == 409
    assert "out of stock" in response.get_data(as_text=True)
    assert counts(app) == before
    buyer_client.post("/bahasa", data={"lang": "id", **_csrf(buyer_client)})
    response = buyer_client.post("/checkout", data={**form_fields(page), "action": "place"})
    assert "stok habis" in response.get_data(as_text=True).lower()


def test_a_failed_reservation_rolls_back_the_lines_already_reserved(app, ctx, setup):
    """The conditional UPDATE of the second variant fails after the first succeeded."""
    from marketplace.checkout import services
    from marketplace.checkout.quote import Choice, build_quote
    from marketplace.exceptions import ServiceError

    buyer = _db.session.get(User, setup["buyer_id"])
    quote = build_quote(buyer, Choice())
    choice = Choice(address_id=setup["address_id"], idempotency_key="k" * 20,
                    shipping={setup["a_producer"]: setup["a_flat"],
                              setup["b_producer"]: setup["b_flat"]},
                    expected_total=str(quote.total_idr))
    original = services.workflow.reserve_stock
    services.workflow.reserve_stock = lambda vid, qty: vid != setup["b_variant"] and original(
        vid, qty)
    try:
        with pytest.raises(ServiceError, match="stok habis"):
            services.place(buyer, choice)
    finally:
        services.workflow.reserve_stock = original
    _db.session.expire_all()
    assert _db.session.get(Variant, setup["a_variant"]).stock == 10
    assert _db.session.scalar(select(func.count(CheckoutGroup.id))) == 0
    assert _db.session.get(Product, setup["a_product"]).in_stock is True


def test_another_buyer_cannot_see_the_confirmation(app, client, setup):
    login(client, "pembeli@example.test")
    number = checkout(client).headers["Location"].rsplit("/", 1)[1]
    client.post("/keluar", data=_csrf(client))
    login(client, "lain@example.test")
    assert client.get(f"/bayar/{number}").status_code == 404
    assert client.get("/bayar/PB-000000-XXXXXX").status_code == 404


def test_an_empty_cart_goes_back_to_the_cart_page(app, client, setup):
    login(client, "lain@example.test")
    response = client.get("/checkout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/keranjang")


def test_placing_a_two_shop_order_takes_few_sql_statements(app, buyer_client, setup):
    page = buyer_client.get("/checkout").get_data(as_text=True)
    with count_statements(app) as statements:
        response = buyer_client.post("/checkout", data={**form_fields(page), "action": "place"})
    assert response.status_code == 303
    assert len(statements) <= 30, "\n".join(statements)


def test_lines_copy_what_was_bought(app, buyer_client, setup):
    checkout(buyer_client)
    with app.app_context():
        variant = _db.session.get(Variant, setup["a_variant"])
        variant.price_idr = 999_000
        variant.product.name = "Nama Baru"
        _db.session.commit()
        line = _db.session.scalars(select(OrderLine).where(
            OrderLine.variant_id == setup["a_variant"])).one()
        assert (line.product_name, line.unit_price_idr) == ("Produk Anyaman Biduk", 150_000)


# --- a buyer without an address ---------------------------------------------------------

def test_a_buyer_without_an_address_adds_one_and_comes_back_to_checkout(app, client, setup):
    with app.app_context():
        buyer = make_user(email="tanpa@example.test", locale="en")
        cart_services.add_item(buyer, None, setup["a_variant"], 1)
    login(client, "tanpa@example.test")
    html = client.get("/checkout").get_data(as_text=True)
    assert 'id="add-address"' in html and 'id="checkout-form"' not in html
    url = "/akun/alamat/baru?next=/checkout"
    assert f'href="{url}"' in html
    data = {**form_fields(client.get(url).get_data(as_text=True), "address-form"),
            "recipient_name": "Budi", "phone": "0812-3456-7890", "street": "Jl. Cendana 3",
            "rt": "4", "rw": "12", "kabupaten": "64.72", "region_code": "64.72.01.1001"}
    response = client.post(url, data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/checkout"
    html = client.get("/checkout").get_data(as_text=True)
    assert "Budi" in html and "RT 004/RW 012" in html and 'id="checkout-form"' in html


def test_the_address_form_never_sends_a_buyer_off_site(app, client, setup):
    with app.app_context():
        make_user(email="tanpa@example.test")
    login(client, "tanpa@example.test")
    url = "/akun/alamat/baru?next=https%3A%2F%2Fevil.example%2F"
    data = {**form_fields(client.get(url).get_data(as_text=True), "address-form"),
            "recipient_name": "Budi", "phone": "0812-3456-7890", "street": "Jl. Cendana 3",
            "kabupaten": "64.72", "region_code": "64.72.01.1001"}
    response = client.post(url, data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/akun/alamat"


def test_checkout_is_in_indonesian_by_default(app, client, setup):
    login(client, "pembeli@example.test")
    client.post("/bahasa", data={"lang": "id", **_csrf(client)})
    html = client.get("/checkout").get_data(as_text=True)
    assert "Bayar" in html and "Ongkos Kirim" in html and "Transfer bank" in html


def test_stripe_is_offered_only_when_configured(app, buyer_client, setup, monkeypatch):
    assert 'value="stripe"' not in buyer_client.get("/checkout").get_data(as_text=True)
    if stripe_contract.spec_dir() is None:
        pytest.skip("Stripe's API description is absent: no ../shared/stripe")
    fake = stripe_contract.FakeStripe()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_checkout")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "whsec_test_checkout")
    monkeypatch.setitem(app.extensions, "stripe_http_client", fake)
    assert 'value="stripe"' in buyer_client.get("/checkout").get_data(as_text=True)
    response = checkout(buyer_client, payment_method="stripe")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://checkout.stripe.com/")
    assert fake.violations == []
    with app.app_context():
        assert _db.session.scalars(select(CheckoutGroup.payment_method)).one() == "stripe"


def test_a_key_placed_by_a_concurrent_request_returns_that_group(app, buyer_client, setup,
                                                                 monkeypatch):
    """The unique key catches the race the first look-up cannot see: the other request's
    group is returned and this one's work is rolled back."""
    from marketplace.checkout import services

    page = buyer_client.get("/checkout").get_data(as_text=True)
    fields = {**form_fields(page), "action": "place"}
    first = buyer_client.post("/checkout", data=fields)
    with app.app_context():
        cart_services.add_item(_db.session.get(User, setup["buyer_id"]), None,
                               setup["a_variant"], 1)
    real = services._already_placed
    calls = []

    def blind_first_time(buyer, key):  # type: ignore[no-untyped-def]
        calls.append(key)
        return None if len(calls) == 1 else real(buyer, key)

    monkeypatch.setattr(services, "_already_placed", blind_first_time)
    fields["expected_total"] = "170000"  # the new cart: 150.000 + 20.000 shipping
    second = buyer_client.post("/checkout", data=fields)
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    assert len(calls) == 2
    assert counts(app) == (1, 2, 1, 8 + 7)  # the second reservation was rolled back
