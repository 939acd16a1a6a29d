"""The order foundation: status tables, events and stock that never goes below zero."""

from __future__ import annotations

import pytest
from flask import Flask

from marketplace.accounts.models import Role
from marketplace.catalogue.models import Product, Variant
from marketplace.exceptions import ServiceError
from marketplace.extensions import db as _db
from marketplace.orders import workflow
from marketplace.orders.models import Order, OrderStatus, PaymentStatus, ShipmentStatus
from tests.factories import make_order, make_producer, make_product, make_user


@pytest.fixture
def order(app: Flask, db, ctx) -> Order:
    producer = make_producer(make_user(Role.PRODUCER))
    product = make_product(producer, variants=(("", 150_000, 3),))
    return make_order(make_user(), [(product.variants[0], 2)])


def test_every_status_change_writes_an_event(order: Order) -> None:
    staff = make_user(Role.STAFF)
    workflow.set_payment_status(order, PaymentStatus.PAID, None, "Transfer diterima")
    workflow.set_status(order, OrderStatus.PROCESSING, None)
    workflow.set_shipment_status(order, ShipmentStatus.SHIPPED, staff)
    workflow.set_status(order, OrderStatus.SHIPPED, staff)
    _db.session.commit()
    assert [(e.field, e.from_value, e.to_value) for e in order.events] == [
        ("payment", "belum_dibayar", "dibayar"), ("status", "menunggu_pembayaran", "diproses"),
        ("shipment", "belum_diproses", "dikirim"), ("status", "diproses", "dikirim")]
    assert order.events[0].reason == "Transfer diterima"
    assert order.events[3].actor_id == staff.id
    assert order.paid_at is not None and order.shipped_at is not None


def test_a_change_outside_the_table_is_refused_and_changes_nothing(order: Order) -> None:
    workflow.set_status(order, OrderStatus.CANCELLED, None, "Dibatalkan pembeli")
    with pytest.raises(ServiceError):
        workflow.set_status(order, OrderStatus.SHIPPED, None)
    assert order.status is OrderStatus.CANCELLED
    assert len(order.events) == 1 and order.cancel_reason == "Dibatalkan pembeli"


def test_every_status_has_a_row_in_its_table() -> None:
    assert set(workflow.STATUS_TRANSITIONS) == set(OrderStatus)
    assert set(workflow.PAYMENT_TRANSITIONS) == set(PaymentStatus)
    assert set(workflow.SHIPMENT_TRANSITIONS) == set(ShipmentStatus)


def test_stock_is_reserved_only_while_enough_is_left(order: Order) -> None:
    variant_id = order.lines[0].variant_id
    assert workflow.reserve_stock(variant_id, 2)
    assert not workflow.reserve_stock(variant_id, 2)
    workflow.refresh_in_stock({order.lines[0].product_id})
    _db.session.commit()
    variant = _db.session.get(Variant, variant_id)
    _db.session.refresh(variant)
    assert variant.stock == 1
    assert workflow.reserve_stock(variant_id, 1)
    workflow.refresh_in_stock({order.lines[0].product_id})
    _db.session.commit()
    product = _db.session.get(Product, order.lines[0].product_id)
    _db.session.refresh(product)
    assert product.in_stock is False
    workflow.release_stock(order)
    _db.session.commit()
    _db.session.refresh(product)
    _db.session.refresh(variant)
    assert variant.stock == 2 and product.in_stock is True
