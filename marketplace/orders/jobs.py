"""What the system does to orders on a schedule (``flask orders expire`` / ``complete``).

Each order is handled in its own transaction, under a row lock, and checked again once
locked: a payment that arrived between the search and the change wins, and the order is
left alone. System events have no actor and store a reason code (see SYSTEM_REASONS),
shown in the reader's language on the timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.orders import services, signals, workflow
from marketplace.orders.models import (
    CheckoutGroup,
    Order,
    OrderStatus,
    PaymentStatus,
    ShipmentStatus,
)

S, P, H = OrderStatus, PaymentStatus, ShipmentStatus

#: Unpaid in the sense of expiry: nothing received and nothing waiting to be checked.
EXPIRABLE_PAYMENTS = frozenset({P.UNPAID, P.FAILED})
EXPIRED = "expired"
AUTO_COMPLETED = "auto_completed"
#: Reason codes of system events, as people read them.
SYSTEM_REASONS = {
    EXPIRED: _l("Not paid in time"),
    AUTO_COMPLETED: _l("Completed automatically: the buyer did not confirm receipt in time"),
}


def _expirable(order: Order, now: dt.datetime) -> bool:
    return (order.status is S.AWAITING_PAYMENT and order.payment_status in EXPIRABLE_PAYMENTS
            and order.group.expires_at <= now)


def expired_order_ids(now: dt.datetime) -> list[int]:
    return list(db.session.scalars(
        select(Order.id).join(CheckoutGroup, CheckoutGroup.id == Order.group_id)
        .where(Order.status == S.AWAITING_PAYMENT,
               Order.payment_status.in_(EXPIRABLE_PAYMENTS),
               CheckoutGroup.expires_at <= now)
        .order_by(Order.id)))


def _act_on(order_id: int, still_due: Callable[[Order], bool],
            act: Callable[[Order], None], done: Any) -> bool:
    """Lock the order, check again that the job is still due (a buyer or a payment may have
    changed it since the ids were read), act, commit, then send ``done``. False: nothing
    changed."""
    order = workflow.lock_order(order_id)
    if order is None or not still_due(order):
        db.session.rollback()
        return False
    act(order)
    db.session.commit()
    done.send(order, actor=None)
    return True


def expire_one(order_id: int, now: dt.datetime) -> bool:
    """Cancel one unpaid order whose time ran out and return its stock; False (nothing
    changed) if it was paid, cancelled or otherwise changed meanwhile."""
    return _act_on(order_id, lambda order: _expirable(order, now),
                   lambda order: services.close(order, None, EXPIRED), signals.order_expired)


def expire_unpaid(now: dt.datetime | None = None) -> int:
    """Cancel every unpaid order whose checkout group expired; returns how many."""
    now = now or utcnow()
    return sum(expire_one(order_id, now) for order_id in expired_order_ids(now))


def _completable(order: Order, cutoff: dt.datetime) -> bool:
    return (order.status is S.SHIPPED and order.shipped_at is not None
            and order.shipped_at <= cutoff)


def complete_one(order_id: int, cutoff: dt.datetime) -> bool:
    return _act_on(order_id, lambda order: _completable(order, cutoff),
                   lambda order: services.complete(order, None, AUTO_COMPLETED),
                   signals.order_completed)


def complete_shipped(now: dt.datetime | None = None) -> int:
    """Complete orders shipped more than ORDER_AUTO_COMPLETE_DAYS ago that the buyer did not
    confirm; returns how many."""
    days = int(current_app.config["ORDER_AUTO_COMPLETE_DAYS"])
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    ids = list(db.session.scalars(
        select(Order.id).where(Order.status == S.SHIPPED, Order.shipped_at <= cutoff)
        .order_by(Order.id)))
    return sum(complete_one(order_id, cutoff) for order_id in ids)
