"""The allowed changes of an order's three statuses, and the one way to make them.

Services call :func:`set_status`, :func:`set_payment_status` and :func:`set_shipment_status`
inside their own transaction: each checks the table below, writes an :class:`OrderEvent` and
stamps the matching timestamp. They never commit. Stock moves only through
:func:`reserve_stock` and :func:`release_stock`: a conditional UPDATE, never read-then-write.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update

from marketplace.accounts.models import User
from marketplace.catalogue.models import Product, Variant
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.orders.models import (
    Order,
    OrderEvent,
    OrderStatus,
    PaymentStatus,
    ShipmentStatus,
)

S, P, H = OrderStatus, PaymentStatus, ShipmentStatus

STATUS_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.AWAITING_PAYMENT: frozenset({S.PROCESSING, S.CANCELLED}),
    S.PROCESSING: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    #: A paid order that was cancelled becomes "Dikembalikan" once its refund is done.
    S.CANCELLED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}

PAYMENT_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    P.UNPAID: frozenset({P.PENDING, P.PAID, P.FAILED, P.VOID}),
    P.PENDING: frozenset({P.PAID, P.FAILED, P.UNPAID, P.VOID}),
    P.FAILED: frozenset({P.PENDING, P.PAID, P.VOID}),
    P.PAID: frozenset({P.REFUND_PENDING, P.REFUNDED}),
    P.REFUND_PENDING: frozenset({P.REFUNDED, P.PAID}),
    P.REFUNDED: frozenset(),
    P.VOID: frozenset(),
}

SHIPMENT_TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    H.NOT_STARTED: frozenset({H.PACKING, H.SHIPPED, H.READY_FOR_PICKUP, H.NOT_SHIPPED}),
    H.PACKING: frozenset({H.SHIPPED, H.READY_FOR_PICKUP, H.NOT_SHIPPED}),
    H.SHIPPED: frozenset({H.RECEIVED}),
    H.READY_FOR_PICKUP: frozenset({H.RECEIVED}),
    H.RECEIVED: frozenset(),
    H.NOT_SHIPPED: frozenset(),
}

#: Orders whose money counts as sales: paid and not given back.
SOLD_PAYMENT_STATUSES = frozenset({P.PAID})
#: Orders still open for the buyer or the producer to act on.
OPEN_STATUSES = frozenset({S.AWAITING_PAYMENT, S.PROCESSING, S.SHIPPED})

_TIMESTAMPS = {S.SHIPPED: "shipped_at", S.COMPLETED: "completed_at",
               S.CANCELLED: "cancelled_at"}


def _record(order: Order, field: str, before: str, after: str, actor: User | None,
            reason: str) -> None:
    order.events.append(OrderEvent(field=field, from_value=before, to_value=after,
                                   actor_id=actor.id if actor else None, reason=reason))


def record_note(order: Order, actor: User | None, field: str, note: str) -> None:
    """An event that changes no status (e.g. staff closing a payment check); no commit."""
    _record(order, field, "", "", actor, note)


def set_status(order: Order, to: OrderStatus, actor: User | None, reason: str = "") -> None:
    """Move the order to ``to`` or raise ServiceError; writes the event (no commit)."""
    if to not in STATUS_TRANSITIONS[order.status]:
        raise ServiceError(_l("This order can no longer be changed that way."))
    before = order.status
    order.status = to
    if to in _TIMESTAMPS:
        setattr(order, _TIMESTAMPS[to], utcnow())
    if to is S.CANCELLED:
        order.cancel_reason = reason
    _record(order, "status", before.value, to.value, actor, reason)


def set_payment_status(order: Order, to: PaymentStatus, actor: User | None,
                       reason: str = "") -> None:
    if to not in PAYMENT_TRANSITIONS[order.payment_status]:
        raise ServiceError(_l("This payment can no longer be changed that way."))
    before = order.payment_status
    order.payment_status = to
    if to is P.PAID and order.paid_at is None:
        order.paid_at = utcnow()
    _record(order, "payment", before.value, to.value, actor, reason)


def set_shipment_status(order: Order, to: ShipmentStatus, actor: User | None,
                        reason: str = "") -> None:
    if to not in SHIPMENT_TRANSITIONS[order.shipment_status]:
        raise ServiceError(_l("This shipment can no longer be changed that way."))
    before = order.shipment_status
    order.shipment_status = to
    _record(order, "shipment", before.value, to.value, actor, reason)


def note(order: Order, field: str, text: str, actor: User | None) -> None:
    """A timeline entry that changes no status (e.g. "refund" with its amount)."""
    _record(order, field, "", "", actor, text)


def lock_order(order_id: int) -> Order | None:
    """The order re-read under a row lock, for a change that must see every earlier one.

    PostgreSQL: ``SELECT ... FOR UPDATE`` holds off anyone else changing the row (a
    payment arriving, the expiry job, a second click) until this transaction ends. SQLite
    ignores FOR UPDATE, but its write transactions began with BEGIN IMMEDIATE, so no other
    writer ran since this read. ``populate_existing`` replaces what the session had cached.
    """
    return db.session.scalar(
        select(Order).where(Order.id == order_id).with_for_update()
        .execution_options(populate_existing=True))


def reserve_stock(variant_id: int, quantity: int) -> bool:
    """Take ``quantity`` units if that many are left; False (and nothing taken) otherwise.

    One conditional UPDATE: two buyers can never both take the last unit. On SQLite the
    write transaction began with BEGIN IMMEDIATE (marketplace.db), on PostgreSQL the row
    lock of the UPDATE serialises them; ``CHECK (stock >= 0)`` is the backstop.
    """
    result = db.session.execute(
        update(Variant)
        .where(Variant.id == variant_id, Variant.stock >= quantity)
        .values(stock=Variant.stock - quantity)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def release_stock(order: Order) -> None:
    """Give an order's units back (expiry or cancellation before shipping)."""
    for line in order.lines:
        if line.variant_id is not None:
            db.session.execute(
                update(Variant).where(Variant.id == line.variant_id)
                .values(stock=Variant.stock + line.quantity)
                .execution_options(synchronize_session=False))
    refresh_in_stock({line.product_id for line in order.lines if line.product_id})


def refresh_in_stock(product_ids: set[int]) -> None:
    """Keep ``Product.in_stock`` (used by the catalogue) true to its variants' stock after
    stock moved through a bulk UPDATE."""
    if not product_ids:
        return
    has_stock = exists(select(Variant.id).where(Variant.product_id == Product.id,
                                                 Variant.stock > 0))
    db.session.execute(
        update(Product).where(Product.id.in_(product_ids)).values(in_stock=has_stock)
        .execution_options(synchronize_session=False))
