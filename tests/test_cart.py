"""The cart: guests and buyers, add/update/remove, quantities as typed, flags, merge at
sign-in, and the add-to-cart form that needs no session-bound token."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from marketplace.cart import services
from marketplace.cart.models import Cart, CartItem
from marketplace.catalogue.models import ProductStatus, Variant
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.producers.models import ProducerStatus
from tests.checkout_factories import two_shops
from tests.factories import make_user
from tests.helpers import login, post_form

SAME_SITE = {"Origin": "http://localhost"}


@pytest.fixture
def shops(app: Flask, db) -> dict[str, dict]:
    with app.app_context():
        data = two_shops()
        return {k: {"variant_id": v["variant"].id, "product_id": v["product"].id,
                    "producer_id": v["producer"].id,
                    "url": f"/produk/{v['product'].id}/produk"} for k, v in data.items()}


def english(client) -> None:
    post_form(client, "/bahasa", {"lang": "en"}, page="/")


def add(client, variant_id: int, quantity: object = 1, headers=SAME_SITE, **extra):
    return client.post("/keranjang/tambah", data={"variant_id": variant_id,
                                                  "quantity": quantity, **extra},
                       headers=headers)


def items(app: Flask) -> list[tuple[int, int]]:
    with app.app_context():
        return [(i.variant_id, i.quantity) for i in _db.session.scalars(
            select(CartItem).order_by(CartItem.id))]


# --- adding --------------------------------------------------------------------------------

def test_product_page_form_adds_to_a_guest_cart_without_a_session_token(app, client, shops):
    html = client.get(shops["a"]["url"]).get_data(as_text=True)
    form = re.search(r'<form class="add-to-cart".*?</form>', html, re.S).group(0)
    assert 'action="/keranjang/tambah"' in form and "csrf_token" not in form
    assert f'value="{shops["a"]["variant_id"]}"' in form and 'name="quantity"' in form
    response = add(client, shops["a"]["variant_id"], 2, price=1)
    assert response.status_code == 302
    page = client.get("/keranjang").get_data(as_text=True)
    assert "Produk Anyaman Biduk" in page and "Rp300.000" in page  # the server's price
    with app.app_context():
        cart = _db.session.scalars(select(Cart)).one()
        with client.session_transaction() as session:
            token = session["cart_token"]
        assert cart.user_id is None and cart.token_hash == services.hash_token(token)
        assert token not in cart.token_hash


@pytest.mark.parametrize("headers", [{}, {"Origin": "https://evil.example"},
                                     {"Referer": "https://evil.example/produk/1"},
                                     {"Origin": "null"}])
def test_add_from_another_site_or_without_origin_is_refused(app, client, shops, headers):
    assert add(client, shops["a"]["variant_id"], headers=headers).status_code == 400
    assert items(app) == []


def test_add_with_a_same_site_referer_or_a_valid_csrf_token_is_accepted(app, client, shops):
    assert add(client, shops["a"]["variant_id"],
               headers={"Referer": "http://localhost" + shops["a"]["url"]}).status_code == 302
    # No Origin or Referer: a token of this session (from any page with a form) will do.
    response = post_form(client, "/keranjang/tambah",
                         {"variant_id": shops["b"]["variant_id"], "quantity": 1},
                         page="/masuk")
    assert response.status_code == 302
    assert items(app) == [(shops["a"]["variant_id"], 1), (shops["b"]["variant_id"], 1)]


@pytest.mark.parametrize("quantity, message", [
    ("0", "at least 1"), ("-3", "whole number"), ("abc", "whole number"), ("", "Enter a"),
    ("1.5", "whole number"), ("1000", "At most 999"), ("99999999999999999999", "whole number"),
    ("11", "Only 10"),
])
def test_bad_quantities_are_refused_with_a_message(app, client, shops, quantity, message):
    english(client)
    response = add(client, shops["a"]["variant_id"], quantity)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert items(app) == []


def test_unknown_or_hidden_variants_cannot_be_added(app, client, shops):
    for variant_id in ("999999", "x", ""):
        add(client, variant_id)
    with app.app_context():
        variant = _db.session.get(Variant, shops["a"]["variant_id"])
        variant.product.status = ProductStatus.DRAFT
        _db.session.commit()
    add(client, shops["a"]["variant_id"])
    assert items(app) == []


def test_adding_again_adds_up_within_stock_and_minimum_order(app, ctx, shops):
    guest = services.new_guest_token()
    variant_id = shops["a"]["variant_id"]
    services.add_item(None, guest, variant_id, "4")
    services.add_item(None, guest, variant_id, 5)
    with pytest.raises(ServiceError, match="tinggal 10"):
        services.add_item(None, guest, variant_id, 2)
    variant = _db.session.get(Variant, variant_id)
    variant.product.min_order_qty = 12
    _db.session.commit()
    with pytest.raises(ServiceError, match="Minimal pembelian"):
        services.add_item(None, services.new_guest_token(), variant_id, 3)
    assert [(i.quantity) for i in services.find_cart(None, guest).items] == [9]


# --- the cart page ---------------------------------------------------------------------------

def test_cart_groups_by_producer_with_subtotals_and_updates_and_removes(app, client, shops):
    english(client)
    add(client, shops["a"]["variant_id"], 2)
    add(client, shops["b"]["variant_id"], 3)
    page = client.get("/keranjang").get_data(as_text=True)
    assert page.count('class="panel cart-shop"') == 2
    assert "Rp300.000" in page and "Rp75.000" in page and "Rp375.000" in page
    ids = [int(i) for i in re.findall(r'name="qty-(\d+)"', page)]
    post_form(client, "/keranjang", {f"qty-{ids[0]}": "1", f"qty-{ids[1]}": "4",
                                     "update": "1"})
    assert items(app) == [(shops["a"]["variant_id"], 1), (shops["b"]["variant_id"], 4)]
    response = post_form(client, "/keranjang", {f"qty-{ids[0]}": "0", f"qty-{ids[1]}": "2"})
    assert "at least 1" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert items(app) == [(shops["a"]["variant_id"], 1), (shops["b"]["variant_id"], 4)]
    post_form(client, "/keranjang", {"remove": str(ids[0])})
    assert items(app) == [(shops["b"]["variant_id"], 4)]


def test_the_cart_form_needs_its_csrf_token(app, client, shops):
    add(client, shops["a"]["variant_id"], 2)
    item_id = items(app) and _item_ids(app)[0]
    assert client.post("/keranjang", data={"remove": item_id}).status_code == 400
    assert len(items(app)) == 1


def _item_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(_db.session.scalars(select(CartItem.id).order_by(CartItem.id)))


def test_nobody_changes_another_carts_items(app, client, shops):
    with app.app_context():
        other = services.new_guest_token()
        services.add_item(None, other, shops["a"]["variant_id"], 2)
    theirs = _item_ids(app)[0]
    add(client, shops["b"]["variant_id"], 1)
    post_form(client, "/keranjang", {"remove": str(theirs)})
    post_form(client, "/keranjang", {f"qty-{theirs}": "5", "update": "1"})
    assert items(app) == [(shops["a"]["variant_id"], 2), (shops["b"]["variant_id"], 1)]


@pytest.mark.parametrize("change, message", [
    ("unpublished", "no longer on sale"), ("suspended", "not selling at the moment"),
    ("sold_out", "Out of stock"), ("low_stock", "Only 1 left"), ("min_order", "minimum order"),
])
def test_items_that_cannot_be_bought_are_flagged_and_block_checkout(app, client, shops, change,
                                                                    message):
    english(client)
    add(client, shops["a"]["variant_id"], 2)
    add(client, shops["b"]["variant_id"], 1)
    with app.app_context():
        variant = _db.session.get(Variant, shops["a"]["variant_id"])
        product = variant.product
        if change == "unpublished":
            product.status = ProductStatus.DRAFT
        elif change == "suspended":
            product.producer.status = ProducerStatus.SUSPENDED
        elif change == "sold_out":
            variant.stock = 0
        elif change == "low_stock":
            variant.stock = 1
        else:
            product.min_order_qty = 5
        _db.session.commit()
    page = client.get("/keranjang").get_data(as_text=True)
    assert message in page and 'id="cart-blocked"' in page and 'id="checkout-link"' not in page
    assert page.count('class="cart-line has-error"') == 1


# --- signing in ------------------------------------------------------------------------------

def test_a_guest_cart_joins_the_account_cart_at_sign_in(app, client, shops):
    with app.app_context():
        buyer = make_user(email="pembeli@example.test")
        services.add_item(buyer, None, shops["a"]["variant_id"], 1)
    add(client, shops["a"]["variant_id"], 2)
    add(client, shops["b"]["variant_id"], 3)
    login(client, "pembeli@example.test")
    assert sorted(items(app)) == sorted([(shops["a"]["variant_id"], 3),
                                         (shops["b"]["variant_id"], 3)])
    with app.app_context():
        assert _db.session.scalar(select(func.count(Cart.id))) == 1
    with client.session_transaction() as session:
        assert "cart_token" not in session
    assert "Produk Amplang Keledang" in client.get("/keranjang").get_data(as_text=True)


def test_a_guest_cart_becomes_the_account_cart_when_there_is_none(app, client, shops):
    with app.app_context():
        buyer = make_user(email="baru@example.test")
        buyer_id = buyer.id
    add(client, shops["b"]["variant_id"], 2)
    login(client, "baru@example.test")
    with app.app_context():
        cart = _db.session.scalars(select(Cart)).one()
        assert cart.user_id == buyer_id and cart.token_hash is None
    add(client, shops["b"]["variant_id"], 1)
    assert items(app) == [(shops["b"]["variant_id"], 3)]


def test_signed_in_buyers_cart_is_their_own(app, client, shops):
    with app.app_context():
        make_user(email="satu@example.test")
        other = make_user(email="dua@example.test")
        services.add_item(other, None, shops["a"]["variant_id"], 4)
    login(client, "satu@example.test")
    page = client.get("/keranjang").get_data(as_text=True)
    assert "Produk Anyaman Biduk" not in page


def test_cart_page_is_in_indonesian_by_default(app, client, shops):
    add(client, shops["a"]["variant_id"], 1)
    page = client.get("/keranjang").get_data(as_text=True)
    assert "Keranjang" in page and "Perbarui Keranjang" in page


# --- housekeeping --------------------------------------------------------------------------

def test_clean_deletes_guest_carts_untouched_for_30_days_and_keeps_the_rest(app, ctx, shops):
    variant_id = shops["a"]["variant_id"]
    old_guest, new_guest, busy_guest = (services.new_guest_token() for _ in range(3))
    buyer = make_user()
    for owner, token in ((None, old_guest), (None, new_guest), (None, busy_guest),
                         (buyer, None)):
        services.add_item(owner, token, variant_id, 1)
    month_ago = utcnow() - dt.timedelta(days=31)
    for owner, token in ((None, old_guest), (None, busy_guest), (buyer, None)):
        services.find_cart(owner, token).updated_at = month_ago
    _db.session.commit()
    services.add_item(None, busy_guest, variant_id, 1)  # touched again today: stays

    assert services.discard_stale_guest_carts() == 1
    assert services.find_cart(None, old_guest) is None
    assert services.find_cart(None, new_guest) is not None
    assert [i.quantity for i in services.find_cart(None, busy_guest).items] == [2]
    assert services.find_cart(buyer, None) is not None  # accounts' carts stay, however old
    assert _db.session.scalar(select(func.count()).select_from(CartItem)) == 3


def test_the_clean_command_reports_and_refuses_a_bad_number_of_days(app, ctx, shops):
    token = services.new_guest_token()
    services.add_item(None, token, shops["a"]["variant_id"], 1)
    services.find_cart(None, token).updated_at = utcnow() - dt.timedelta(days=3)
    _db.session.commit()
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["cart", "clean", "--days", "0"])
    assert bad.exit_code == 2 and services.find_cart(None, token) is not None
    kept = runner.invoke(args=["cart", "clean"])
    assert kept.exit_code == 0 and "0 guest cart(s) deleted" in kept.output
    done = runner.invoke(args=["cart", "clean", "--days", "2"])
    assert done.exit_code == 0 and "1 guest cart(s) deleted" in done.output
    assert services.find_cart(None, token) is None
