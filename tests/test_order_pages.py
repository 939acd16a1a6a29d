"""The order pages through HTTP: each side sees only its own orders, acts through forms
(CSRF, POST only), gets a clear message when a change is refused, and 404 elsewhere."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask

from marketplace.accounts.models import Role
from marketplace.extensions import db as _db
from marketplace.orders.models import Order, OrderStatus, PaymentStatus, ShipmentStatus
from marketplace.shipping.models import ShippingKind
from tests.factories import make_user
from tests.helpers import login, post_form
from tests.order_fixtures import make_shop, paid_order, stock_of

S, P, H = OrderStatus, PaymentStatus, ShipmentStatus


@pytest.fixture
def world(app: Flask, db) -> dict[str, object]:
    """Two shops; each has a paid order from its own buyer. Plain values (ids, emails)."""
    with app.app_context():
        a, b = make_shop(), make_shop()
        order_a, order_b = paid_order(a), paid_order(b)
        order_a.note = "Tolong dibungkus kado"
        _db.session.commit()
        staff = make_user(Role.STAFF)
        return {"a": a.producer.id, "b": b.producer.id, "owner_a": a.owner.email,
                "owner_b": b.owner.email, "buyer_a": a.buyer.email, "buyer_b": b.buyer.email,
                "order_a": order_a.number, "order_b": order_b.number, "variant_a": a.variant.id,
                "staff": staff.email}


def _order(app: Flask, number: str) -> Order:
    with app.app_context():
        order = _db.session.scalar(_db.select(Order).where(Order.number == number))
        _db.session.refresh(order)
        _db.session.expunge(order)
        return order


# --- buyer ---------------------------------------------------------------------------------------

def test_my_orders_lists_only_the_buyers_own(client, world) -> None:
    login(client, world["buyer_a"])
    html = client.get("/pesanan").get_data(as_text=True)
    assert world["order_a"] in html and world["order_b"] not in html
    assert 'href="/pesanan"' in html  # the nav link for signed-in users


def test_another_buyers_order_is_404(client, world) -> None:
    login(client, world["buyer_a"])
    number = world["order_b"]
    assert client.get(f"/pesanan/{number}").status_code == 404
    assert post_form(client, f"/pesanan/{number}/batal", {"cancel-reason": "x"},
                     page="/pesanan").status_code == 404
    assert post_form(client, f"/pesanan/{number}/diterima", {}, page="/pesanan").status_code == 404
    assert client.get("/pesanan/PB-NOPE").status_code == 404


def test_my_orders_needs_sign_in(client, world) -> None:
    response = client.get(f"/pesanan/{world['order_a']}")
    assert response.status_code == 302 and "/masuk" in response.location


def test_the_buyers_order_page(app, client, world) -> None:
    login(client, world["buyer_a"])
    html = client.get(f"/pesanan/{world['order_a']}").get_data(as_text=True)
    assert "Rp300.000" in html and "Rp320.000" in html and "Diproses" in html
    assert "https://wa.me/6281234567890?text=" in html
    assert quote(world["order_a"]) in html
    assert 'id="cancel-form"' in html and 'id="confirm-form"' not in html
    assert "Tolong dibungkus kado" in html


def test_the_buyer_cancels_with_a_reason(app, client, world) -> None:
    login(client, world["buyer_a"])
    url = f"/pesanan/{world['order_a']}"
    response = post_form(client, url + "/batal", {"cancel-reason": ""}, page=url)
    assert response.status_code == 400
    assert _order(app, world["order_a"]).status is S.PROCESSING
    response = post_form(client, url + "/batal", {"cancel-reason": "Salah ukuran"}, page=url)
    assert response.status_code == 302
    assert _order(app, world["order_a"]).status is S.CANCELLED
    html = client.get(url).get_data(as_text=True)
    assert "Dibatalkan" in html and "Salah ukuran" in html and "Pembeli" in html
    with app.app_context():
        assert stock_of(world["variant_a"]) == 12


def test_the_buyer_confirms_receipt_after_shipping(app, client, world) -> None:
    login(client, world["owner_a"])
    page = f"/produsen/{world['a']}/pesanan/{world['order_a']}"
    post_form(client, page + "/kirim", {"ship-courier": "JNE", "ship-tracking_number": "JNE77"})
    login(client, world["buyer_a"])
    url = f"/pesanan/{world['order_a']}"
    html = client.get(url).get_data(as_text=True)
    assert "JNE77" in html and 'id="confirm-form"' in html and 'id="cancel-form"' not in html
    response = post_form(client, url + "/diterima", {}, page=url)
    assert response.status_code == 302
    assert _order(app, world["order_a"]).status is S.COMPLETED
    response = post_form(client, url + "/diterima", {}, page=url)  # again
    assert response.status_code == 400
    assert "sudah selesai" in response.get_data(as_text=True)
    assert _order(app, world["order_a"]).status is S.COMPLETED


# --- producer ------------------------------------------------------------------------------------

def test_the_inbox_shows_only_the_shops_orders_with_counts(client, world) -> None:
    login(client, world["owner_a"])
    html = client.get(f"/produsen/{world['a']}/pesanan").get_data(as_text=True)
    assert world["order_a"] in html and world["order_b"] not in html
    assert "Diproses (1)" in html
    html = client.get(f"/produsen/{world['a']}/pesanan?status=dikirim").get_data(as_text=True)
    assert world["order_a"] not in html
    assert client.get(f"/produsen/{world['a']}/pesanan?status=bogus&page=x").status_code == 200
    dashboard = client.get("/produsen").get_data(as_text=True)
    assert f"/produsen/{world['a']}/pesanan?status=diproses" in dashboard
    assert "Diproses 1" in dashboard


def test_another_producers_orders_are_404(client, world) -> None:
    login(client, world["owner_a"])
    assert client.get(f"/produsen/{world['b']}/pesanan").status_code == 404
    assert client.get(f"/produsen/{world['b']}/pesanan/{world['order_b']}").status_code == 404
    # Another producer's order through one's own shop's address
    own = f"/produsen/{world['a']}/pesanan/{world['order_b']}"
    assert client.get(own).status_code == 404
    assert client.get(own + "/slip").status_code == 404
    response = post_form(client, own + "/kirim", {"ship-courier": "JNE",
                                                 "ship-tracking_number": "X1"},
                         page=f"/produsen/{world['a']}/pesanan/{world['order_a']}")
    assert response.status_code == 404


def test_the_buyer_cannot_ship(app, client, world) -> None:
    login(client, world["buyer_a"])
    url = f"/produsen/{world['a']}/pesanan/{world['order_a']}"
    assert client.get(url).status_code == 404
    response = post_form(client, url + "/kirim", {"ship-courier": "JNE",
                                                 "ship-tracking_number": "X1"},
                         page=f"/pesanan/{world['order_a']}")
    assert response.status_code == 404
    assert _order(app, world["order_a"]).status is S.PROCESSING


def test_the_producer_packs_and_ships(app, client, world) -> None:
    login(client, world["owner_a"])
    url = f"/produsen/{world['a']}/pesanan/{world['order_a']}"
    assert client.get(url + "/kirim").status_code == 405  # no change on GET
    assert post_form(client, url + "/proses", {}, page=url).status_code == 302
    assert _order(app, world["order_a"]).shipment_status is H.PACKING
    response = post_form(client, url + "/kirim", {"ship-courier": "", "ship-tracking_number":
                                                 "JNE1"}, page=url)
    assert response.status_code == 400
    assert "Masukkan kurir" in response.get_data(as_text=True)
    response = post_form(client, url + "/kirim", {"ship-courier": "J&T",
                                                 "ship-tracking_number": "jt-555"}, page=url)
    assert response.status_code == 302
    order = _order(app, world["order_a"])
    assert (order.status, order.courier, order.tracking_number) == (S.SHIPPED, "J&T", "JT-555")
    html = client.get(url).get_data(as_text=True)
    assert "Dikirim" in html and 'id="timeline"' in html and "Toko" in html


def test_shipping_a_cancelled_order_gets_a_clear_message(app, client, world) -> None:
    login(client, world["owner_a"])
    url = f"/produsen/{world['a']}/pesanan/{world['order_a']}"
    post_form(client, url + "/batal", {"cancel-reason": "Stok rusak"}, page=url)
    assert _order(app, world["order_a"]).status is S.CANCELLED
    response = post_form(client, url + "/kirim", {"ship-courier": "JNE",
                                                 "ship-tracking_number": "JNE1"}, page=url)
    assert response.status_code == 400
    assert "dibatalkan" in response.get_data(as_text=True)
    order = _order(app, world["order_a"])
    assert order.status is S.CANCELLED and order.tracking_number == ""


def test_an_unknown_action_is_404(client, world) -> None:
    login(client, world["owner_a"])
    url = f"/produsen/{world['a']}/pesanan/{world['order_a']}"
    assert post_form(client, url + "/hapus", {}, page=url).status_code == 404


def test_a_pickup_order_offers_ready_for_pickup(app, client, world) -> None:
    with app.app_context():
        order = _db.session.scalar(_db.select(Order).where(Order.number == world["order_a"]))
        order.shipping_kind = ShippingKind.PICKUP
        _db.session.commit()
    login(client, world["owner_a"])
    url = f"/produsen/{world['a']}/pesanan/{world['order_a']}"
    html = client.get(url).get_data(as_text=True)
    assert 'id="ship-form"' not in html
    assert post_form(client, url + "/siap-diambil", {}, page=url).status_code == 302
    assert _order(app, world["order_a"]).shipment_status is H.READY_FOR_PICKUP


def test_the_packing_slip(client, world) -> None:
    login(client, world["owner_a"])
    html = client.get(f"/produsen/{world['a']}/pesanan/{world['order_a']}/slip").get_data(
        as_text=True)
    assert world["order_a"] in html and "Jl. Uji No. 1" in html and "75111" in html
    assert "1.000 g" in html and "Tolong dibungkus kado" in html
    assert "packing_slip.css" in html


def test_an_unpaid_order_shows_no_packing_or_shipping(app, client, world) -> None:
    with app.app_context():
        order = _db.session.scalar(_db.select(Order).where(Order.number == world["order_a"]))
        order.status, order.payment_status = S.AWAITING_PAYMENT, P.UNPAID
        _db.session.commit()
    login(client, world["owner_a"])
    html = client.get(f"/produsen/{world['a']}/pesanan/{world['order_a']}").get_data(
        as_text=True)
    assert 'id="ship-form"' not in html and 'id="cancel-form"' in html
    assert "Menunggu Pembayaran" in html


# --- staff ---------------------------------------------------------------------------------------

def test_staff_find_and_cancel_any_order(app, client, world) -> None:
    login(client, world["staff"])
    html = client.get("/dinas/pesanan").get_data(as_text=True)
    assert world["order_a"] in html and world["order_b"] in html
    html = client.get(f"/dinas/pesanan?q={world['order_b']}").get_data(as_text=True)
    assert world["order_b"] in html and world["order_a"] not in html
    assert "No orders" not in client.get("/dinas/pesanan?q=%25&status=x").get_data(as_text=True)
    url = f"/dinas/pesanan/{world['order_b']}"
    response = post_form(client, url + "/batal", {"cancel-reason": "Laporan penipuan"}, page=url)
    assert response.status_code == 302
    assert _order(app, world["order_b"]).status is S.CANCELLED
    assert "Dinas" in client.get(url).get_data(as_text=True)


def test_only_staff_open_the_agency_order_pages(client, world) -> None:
    login(client, world["owner_a"])
    assert client.get("/dinas/pesanan").status_code == 403
    assert client.get(f"/dinas/pesanan/{world['order_a']}").status_code == 403
    url = f"/dinas/pesanan/{world['order_a']}/batal"
    assert post_form(client, url, {"cancel-reason": "x"}, page="/").status_code == 403
