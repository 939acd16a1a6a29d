"""Data and helpers shared by the payments tests: a two-producer checkout group, photos,
reading rows back, and cancelling a paid order as the orders domain does."""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask import Flask
from PIL import Image
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.extensions import db as _db
from marketplace.orders import signals, workflow
from marketplace.orders.models import CheckoutGroup, Order, OrderStatus, PaymentStatus
from marketplace.payments import bank
from marketplace.payments.models import Payment
from tests.factories import make_order, make_producer, make_product, make_user


@dataclass
class Group:
    number: str
    group_id: int
    order_ids: list[int]
    buyer: str
    owners: list[str]
    other_buyer: str
    other_owner: str
    staff: str


def make_two_producer_group(app: Flask, method: str = "bank_transfer") -> Group:
    """A buyer's group with orders from two producers: Rp200.000 + Rp20.000 shipping and
    Rp75.000 + Rp20.000 shipping (Rp315.000). Runs in its own app context."""
    with app.app_context():
        buyer = make_user(Role.BUYER)
        owners = [make_user(Role.PRODUCER), make_user(Role.PRODUCER)]
        producers = [make_producer(owner) for owner in owners]
        first = make_product(producers[0], "Tas Anyam Rotan", variants=(("", 100_000, 5),))
        second = make_product(producers[1], "Sarung Tenun", variants=(("Merah", 75_000, 4),))
        order = make_order(buyer, [(first.variants[0], 2)], payment_method=method)
        other = make_order(buyer, [(second.variants[0], 1)], group=order.group,
                           payment_method=method)
        if method == "bank_transfer":  # what the checkout does when it places the group
            bank.start(order.group)
        outsider = make_user(Role.PRODUCER)
        make_producer(outsider)
        return Group(order.group.number, order.group_id, [order.id, other.id], buyer.email,
                     [o.email for o in owners], make_user(Role.BUYER).email, outsider.email,
                     make_user(Role.STAFF).email)


def photo(fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (30, 120, 200)).save(out, fmt)
    return out.getvalue()


def orders(app: Flask, group: Group) -> list[Order]:
    with app.app_context():
        rows = list(_db.session.scalars(select(Order).where(Order.group_id == group.group_id)
                                        .order_by(Order.id)))
        for row in rows:
            _ = row.events
            _db.session.expunge(row)
        return rows


def payment(app: Flask, group: Group) -> Payment | None:
    with app.app_context():
        row = _db.session.scalar(select(Payment).where(Payment.group_id == group.group_id))
        if row is not None:
            _db.session.expunge(row)
        return row


def cancel_paid(order_id: int, reason: str = "Stok habis") -> None:
    """What the orders domain does when a paid order is cancelled (needs an app context)."""
    order = _db.session.get(Order, order_id)
    assert order is not None
    workflow.set_status(order, OrderStatus.CANCELLED, None, reason)
    workflow.set_payment_status(order, PaymentStatus.REFUND_PENDING, None, reason)
    _db.session.commit()
    signals.order_cancelled.send(order, actor=None)


def complete(order_id: int) -> None:
    """Ship and complete a paid order, then tell the ledger (needs an app context)."""
    order = _db.session.get(Order, order_id)
    assert order is not None
    workflow.set_status(order, OrderStatus.SHIPPED, None)
    workflow.set_status(order, OrderStatus.COMPLETED, None)
    _db.session.commit()
    signals.order_completed.send(order, actor=None)


def group_row(number: str) -> CheckoutGroup:
    group = _db.session.scalar(select(CheckoutGroup).where(CheckoutGroup.number == number))
    assert group is not None
    return group
