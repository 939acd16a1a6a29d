"""The system's order jobs: unpaid orders expire (stock back, never a paid one), shipped
orders complete by themselves, and the CLI commands a scheduler runs."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from marketplace.db import utcnow
from marketplace.extensions import db as _db
from marketplace.orders import jobs, services, workflow
from marketplace.orders.models import Order, OrderStatus, PaymentStatus, ShipmentStatus
from tests.order_fixtures import Shop, make_shop, paid_order, reload, stock_of, unpaid_order

S, P, H = OrderStatus, PaymentStatus, ShipmentStatus
#: Fixed at import: tests that compare with the time a service stamps use that stamp instead.
NOW = utcnow()
LONG_AGO = NOW - dt.timedelta(hours=25)


@pytest.fixture
def shop(app: Flask, db, ctx) -> Shop:
    return make_shop()


def _pay(order: Order) -> None:
    """What the payments domain does when money arrives."""
    workflow.set_payment_status(order, P.PAID, None, "Transfer diterima")
    workflow.set_status(order, S.PROCESSING, None)
    _db.session.commit()


def test_an_expired_unpaid_order_is_cancelled_and_its_stock_returns(shop: Shop) -> None:
    order = unpaid_order(shop, quantity=4, created_at=LONG_AGO)
    assert jobs.expire_unpaid(NOW) == 1
    order = reload(order)
    assert (order.status, order.payment_status, order.shipment_status) == (
        S.CANCELLED, P.VOID, H.NOT_SHIPPED)
    assert stock_of(shop.variant.id) == 14
    assert all(e.actor_id is None for e in order.events)
    assert order.cancel_reason == jobs.EXPIRED
    assert jobs.expire_unpaid(NOW) == 0  # nothing twice
    assert stock_of(shop.variant.id) == 14


def test_a_failed_payment_expires_too(shop: Shop) -> None:
    unpaid_order(shop, created_at=LONG_AGO, payment_status=P.FAILED)
    assert jobs.expire_unpaid(NOW) == 1


def test_orders_still_in_time_or_paid_or_being_checked_do_not_expire(shop: Shop) -> None:
    fresh = unpaid_order(shop)
    paid = paid_order(shop, created_at=LONG_AGO)
    checking = unpaid_order(shop, created_at=LONG_AGO, payment_status=P.PENDING)
    assert jobs.expire_unpaid(NOW) == 0
    assert [reload(o).status for o in (fresh, paid, checking)] == [
        S.AWAITING_PAYMENT, S.PROCESSING, S.AWAITING_PAYMENT]
    assert stock_of(shop.variant.id) == 10


def test_a_payment_arriving_after_the_search_wins(shop: Shop) -> None:
    order = unpaid_order(shop, created_at=LONG_AGO)
    ids = jobs.expired_order_ids(NOW)
    assert ids == [order.id]
    _pay(order)  # between the search and the change
    assert jobs.expire_one(order.id, NOW) is False
    order = reload(order)
    assert (order.status, order.payment_status) == (S.PROCESSING, P.PAID)
    assert stock_of(shop.variant.id) == 10


def test_expiry_uses_the_groups_deadline(shop: Shop) -> None:
    order = unpaid_order(shop, created_at=LONG_AGO)
    order.group.expires_at = NOW + dt.timedelta(minutes=5)
    _db.session.commit()
    assert jobs.expire_unpaid(NOW) == 0
    assert jobs.expire_unpaid(NOW + dt.timedelta(minutes=6)) == 1


def test_shipped_orders_complete_after_the_configured_days(app: Flask, shop: Shop) -> None:
    order = services.ship(shop.owner, paid_order(shop), "JNE", "JNE1")
    days, shipped = app.config["ORDER_AUTO_COMPLETE_DAYS"], order.shipped_at
    assert jobs.complete_shipped(shipped + dt.timedelta(days=days - 1)) == 0
    assert reload(order).status is S.SHIPPED
    assert jobs.complete_shipped(shipped + dt.timedelta(days=days, minutes=1)) == 1
    order = reload(order)
    assert (order.status, order.shipment_status) == (S.COMPLETED, H.RECEIVED)
    assert order.events[-1].actor_id is None and order.events[-1].reason == jobs.AUTO_COMPLETED


def test_auto_completion_leaves_confirmed_and_open_orders_alone(shop: Shop) -> None:
    confirmed = services.ship(shop.owner, paid_order(shop), "JNE", "JNE1")
    services.confirm_receipt(shop.buyer, confirmed)
    still_packing = paid_order(shop)
    later = utcnow() + dt.timedelta(days=30)
    assert jobs.complete_shipped(later) == 0
    assert reload(still_packing).status is S.PROCESSING
    assert len(reload(confirmed).events) == 4


def test_auto_completion_follows_the_setting(app: Flask, shop: Shop,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "ORDER_AUTO_COMPLETE_DAYS", 2)
    order = services.ship(shop.owner, paid_order(shop), "JNE", "JNE1")
    assert jobs.complete_shipped(order.shipped_at + dt.timedelta(days=2, minutes=1)) == 1


# --- CLI -----------------------------------------------------------------------------------------

def test_cli_expire_and_complete_print_counts(app: Flask, db) -> None:
    with app.app_context():
        shop = make_shop()
        unpaid_order(shop, created_at=NOW - dt.timedelta(days=3))
        unpaid_order(shop, created_at=NOW - dt.timedelta(days=3))
        shipped = paid_order(shop)
        shipped.status, shipped.shipment_status = S.SHIPPED, H.SHIPPED
        shipped.shipped_at = NOW - dt.timedelta(days=30)
        _db.session.commit()
        variant_id, shipped_id = shop.variant.id, shipped.id
    runner = app.test_cli_runner()
    result = runner.invoke(args=["orders", "expire"])
    assert result.exit_code == 0, result.output
    assert "2 order(s) expired." in result.output
    result = runner.invoke(args=["orders", "complete"])
    assert result.exit_code == 0, result.output
    assert "1 order(s) completed." in result.output
    with app.app_context():
        assert stock_of(variant_id) == 14
        assert _db.session.get(Order, shipped_id).status is S.COMPLETED


def test_cli_worker_needs_redis(app: Flask, db) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output


def test_each_order_is_changed_under_a_row_lock(shop: Shop) -> None:
    """PostgreSQL: SELECT ... FOR UPDATE, so a payment committing at the same moment waits
    (and the expiry, seeing it paid, leaves the order alone). SQLite needs no clause: its
    write transactions start with BEGIN IMMEDIATE."""
    from sqlalchemy import event

    order = unpaid_order(shop, created_at=LONG_AGO)
    statements: list[str] = []
    engine = _db.engine

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert jobs.expire_one(order.id, NOW)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    locking = [s for s in statements if "FROM orders" in s and "FOR UPDATE" in s]
    assert len(locking) == (1 if engine.dialect.name == "postgresql" else 0)
