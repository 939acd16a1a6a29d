"""Fulfilment rules through the services: every transition allowed or refused, and who may
act. A refused change raises ServiceError with a clear message (in Indonesian, the default
language) and changes nothing."""

from __future__ import annotations

import pytest
from flask import Flask

from marketplace.accounts.models import Role
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.orders import services, signals
from marketplace.orders.models import OrderStatus, PaymentStatus, ShipmentStatus
from marketplace.producers.services import AccessDenied
from marketplace.shipping.models import ShippingKind
from tests.factories import make_producer, make_user
from tests.order_fixtures import Shop, make_shop, paid_order, reload, stock_of, unpaid_order

S, P, H = OrderStatus, PaymentStatus, ShipmentStatus


@pytest.fixture
def shop(app: Flask, db, ctx) -> Shop:
    return make_shop()


@pytest.fixture
def received() -> dict[str, list[object]]:
    """Records every order signal sent during the test."""
    seen: dict[str, list[object]] = {}
    receivers = []
    for name in ("order_shipped", "order_cancelled", "order_completed"):
        def receiver(sender: object, _name: str = name, **_: object) -> None:
            seen.setdefault(_name, []).append(sender)
        getattr(signals, name).connect(receiver)
        receivers.append((name, receiver))
    yield seen
    for name, receiver in receivers:
        getattr(signals, name).disconnect(receiver)


def _snapshot(order) -> tuple[object, ...]:
    order = reload(order)
    return (order.status, order.payment_status, order.shipment_status, order.courier,
            order.tracking_number, len(order.events))


# --- producer ------------------------------------------------------------------------------------

def test_producer_packs_then_ships_a_paid_order(shop: Shop, received) -> None:
    order = paid_order(shop)
    services.mark_processing(shop.owner, order)
    assert reload(order).shipment_status is H.PACKING
    services.ship(shop.owner, order, " JNE  REG ", "jne-123 456")
    order = reload(order)
    assert (order.status, order.shipment_status) == (S.SHIPPED, H.SHIPPED)
    assert (order.courier, order.tracking_number) == ("JNE REG", "JNE-123 456")
    assert order.shipped_at is not None
    assert [(e.field, e.to_value) for e in order.events] == [
        ("shipment", "dikemas"), ("shipment", "dikirim"), ("status", "dikirim")]
    assert all(e.actor_id == shop.owner.id for e in order.events)
    assert received["order_shipped"] == [order]


def test_shipping_without_packing_first_is_allowed(shop: Shop) -> None:
    order = services.ship(shop.owner, paid_order(shop), "J&T", "JT0001")
    assert order.status is S.SHIPPED


def test_a_courier_order_needs_a_tracking_number(shop: Shop) -> None:
    order = paid_order(shop, kind=ShippingKind.COURIER)
    before = _snapshot(order)
    with pytest.raises(ServiceError) as error:
        services.ship(shop.owner, order, "JNE", "  ")
    assert error.value.field == "tracking_number"
    assert _snapshot(order) == before


def test_own_delivery_may_ship_without_a_tracking_number(shop: Shop) -> None:
    order = services.ship(shop.owner, paid_order(shop), "Kurir toko", "")
    assert order.status is S.SHIPPED and order.tracking_number == ""


@pytest.mark.parametrize(("courier", "tracking", "field"), [
    ("", "JNE123", "courier"), ("x" * 41, "JNE123", "courier"),
    ("JNE", "<script>", "tracking_number"), ("JNE", "9" * 61, "tracking_number")])
def test_bad_shipping_input_is_refused(shop: Shop, courier, tracking, field) -> None:
    order = paid_order(shop)
    before = _snapshot(order)
    with pytest.raises(ServiceError) as error:
        services.ship(shop.owner, order, courier, tracking)
    assert error.value.field == field
    assert _snapshot(order) == before


def test_shipping_a_cancelled_order_is_refused_with_a_clear_message(shop: Shop) -> None:
    order = paid_order(shop)
    services.cancel_by_producer(shop.owner, order, "Bahan habis")
    before = _snapshot(order)
    with pytest.raises(ServiceError) as error:
        services.ship(shop.owner, order, "JNE", "JNE123")
    assert "dibatalkan" in str(error.value.message)
    assert _snapshot(order) == before


def test_an_unpaid_order_cannot_be_packed_or_shipped(shop: Shop) -> None:
    order = unpaid_order(shop)
    for action in (lambda: services.mark_processing(shop.owner, order),
                   lambda: services.ship(shop.owner, order, "JNE", "JNE1"),
                   lambda: services.ready_for_pickup(shop.owner, order)):
        with pytest.raises(ServiceError, match="belum dibayar"):
            action()
    assert reload(order).status is S.AWAITING_PAYMENT and order.events == []


def test_packing_twice_is_refused(shop: Shop) -> None:
    order = paid_order(shop)
    services.mark_processing(shop.owner, order)
    with pytest.raises(ServiceError, match="sudah sedang dikemas"):
        services.mark_processing(shop.owner, order)


def test_a_pickup_order_is_made_ready_not_shipped(shop: Shop, received) -> None:
    order = paid_order(shop, kind=ShippingKind.PICKUP)
    with pytest.raises(ServiceError, match="siap diambil"):
        services.ship(shop.owner, order, "JNE", "JNE1")
    services.ready_for_pickup(shop.owner, order)
    order = reload(order)
    assert (order.status, order.shipment_status) == (S.SHIPPED, H.READY_FOR_PICKUP)
    assert received["order_shipped"] == [order]


def test_a_delivered_order_cannot_be_marked_ready_for_pickup(shop: Shop) -> None:
    with pytest.raises(ServiceError, match="kurir"):
        services.ready_for_pickup(shop.owner, paid_order(shop))


def test_a_shipped_order_cannot_be_shipped_again(shop: Shop) -> None:
    order = services.ship(shop.owner, paid_order(shop), "JNE", "JNE1")
    with pytest.raises(ServiceError, match="sudah dikirim"):
        services.ship(shop.owner, order, "JNE", "JNE2")
    assert reload(order).tracking_number == "JNE1"


# --- cancelling ----------------------------------------------------------------------------------

def test_cancelling_a_paid_order_waits_for_its_refund_and_returns_stock(shop: Shop,
                                                                        received) -> None:
    order = paid_order(shop, quantity=3)
    services.mark_processing(shop.owner, order)
    services.cancel_by_producer(shop.owner, order, "  Bahan baku habis ")
    order = reload(order)
    assert (order.status, order.payment_status, order.shipment_status) == (
        S.CANCELLED, P.REFUND_PENDING, H.NOT_SHIPPED)
    assert order.cancel_reason == "Bahan baku habis" and order.cancelled_at is not None
    assert stock_of(shop.variant.id) == 13
    assert received["order_cancelled"] == [order]


def test_cancelling_an_unpaid_order_voids_it(shop: Shop) -> None:
    order = services.cancel_by_buyer(shop.buyer, unpaid_order(shop), "Salah pilih ukuran")
    assert (order.status, order.payment_status) == (S.CANCELLED, P.VOID)
    assert stock_of(shop.variant.id) == 12


def test_a_cancellation_needs_a_reason(shop: Shop) -> None:
    order = paid_order(shop)
    for reason in ("", "   ", None, "x" * 501):
        with pytest.raises(ServiceError) as error:
            services.cancel_by_producer(shop.owner, order, reason)
        assert error.value.field == "reason"
    assert reload(order).status is S.PROCESSING and stock_of(shop.variant.id) == 10


def test_a_shipped_order_cannot_be_cancelled_by_anyone(shop: Shop) -> None:
    order = services.ship(shop.owner, paid_order(shop), "JNE", "JNE1")
    staff = make_user(Role.STAFF)
    for cancel, user in ((services.cancel_by_buyer, shop.buyer),
                         (services.cancel_by_producer, shop.owner),
                         (services.cancel_by_staff, staff)):
        with pytest.raises(ServiceError, match="sudah dikirim"):
            cancel(user, order, "Terlambat")
    assert reload(order).status is S.SHIPPED and stock_of(shop.variant.id) == 10


def test_a_cancelled_order_cannot_be_cancelled_twice(shop: Shop) -> None:
    order = services.cancel_by_buyer(shop.buyer, paid_order(shop), "Berubah pikiran")
    with pytest.raises(ServiceError, match="dibatalkan"):
        services.cancel_by_staff(make_user(Role.STAFF), order, "Lagi")
    assert stock_of(shop.variant.id) == 12  # returned once only


def test_while_a_payment_is_checked_only_staff_cancel(shop: Shop) -> None:
    order = unpaid_order(shop)
    order.payment_status = P.PENDING
    _db.session.commit()
    for cancel, user in ((services.cancel_by_buyer, shop.buyer),
                         (services.cancel_by_producer, shop.owner)):
        with pytest.raises(ServiceError, match="sedang diperiksa"):
            cancel(user, order, "Berubah pikiran")
    assert reload(order).status is S.AWAITING_PAYMENT
    order = services.cancel_by_staff(make_user(Role.STAFF), order, "Bukti transfer palsu")
    assert (order.status, order.payment_status) == (S.CANCELLED, P.VOID)


def test_staff_cancel_with_a_reason(shop: Shop) -> None:
    staff = make_user(Role.STAFF)
    order = services.cancel_by_staff(staff, paid_order(shop), "Laporan penipuan")
    assert order.status is S.CANCELLED and order.events[0].actor_id == staff.id


# --- buyer ---------------------------------------------------------------------------------------

def test_the_buyer_confirms_receipt(shop: Shop, received) -> None:
    order = services.ship(shop.owner, paid_order(shop), "JNE", "JNE1")
    services.confirm_receipt(shop.buyer, order)
    order = reload(order)
    assert (order.status, order.shipment_status) == (S.COMPLETED, H.RECEIVED)
    assert order.completed_at is not None
    assert received["order_completed"] == [order]


def test_receipt_of_a_pickup_order(shop: Shop) -> None:
    order = services.ready_for_pickup(shop.owner, paid_order(shop, kind=ShippingKind.PICKUP))
    assert services.confirm_receipt(shop.buyer, order).status is S.COMPLETED


def test_receipt_before_shipping_or_twice_is_refused(shop: Shop) -> None:
    order = paid_order(shop)
    with pytest.raises(ServiceError, match="belum dikirim"):
        services.confirm_receipt(shop.buyer, order)
    services.ship(shop.owner, order, "JNE", "JNE1")
    services.confirm_receipt(shop.buyer, order)
    with pytest.raises(ServiceError, match="sudah selesai"):
        services.confirm_receipt(shop.buyer, order)


# --- who may act ---------------------------------------------------------------------------------

def test_the_buyer_cannot_act_as_the_shop(shop: Shop) -> None:
    order = paid_order(shop)
    with pytest.raises(AccessDenied):
        services.ship(shop.buyer, order, "JNE", "JNE1")
    with pytest.raises(AccessDenied):
        services.mark_processing(shop.buyer, order)
    with pytest.raises(AccessDenied):
        services.cancel_by_producer(shop.buyer, order, "x")
    assert reload(order).status is S.PROCESSING and order.events == []


def test_another_producer_cannot_act_on_the_order(shop: Shop) -> None:
    other = make_user(Role.PRODUCER)
    make_producer(other)
    order = paid_order(shop)
    with pytest.raises(AccessDenied):
        services.ship(other, order, "JNE", "JNE1")
    with pytest.raises(AccessDenied):
        services.ready_for_pickup(other, order)


def test_only_the_buyer_cancels_as_buyer_or_confirms(shop: Shop) -> None:
    stranger = make_user()
    order = paid_order(shop)
    with pytest.raises(AccessDenied):
        services.cancel_by_buyer(stranger, order, "x")
    with pytest.raises(AccessDenied):
        services.cancel_by_buyer(shop.owner, order, "x")
    services.ship(shop.owner, order, "JNE", "JNE1")
    with pytest.raises(AccessDenied):
        services.confirm_receipt(stranger, order)


def test_only_staff_cancel_as_staff(shop: Shop) -> None:
    with pytest.raises(AccessDenied):
        services.cancel_by_staff(shop.owner, paid_order(shop), "x")
