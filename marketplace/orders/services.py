"""What people do to an order after checkout: the producer packs, ships (or makes it ready
for pickup) or cancels it; the buyer cancels it before it ships or confirms receipt; staff
cancel it. The jobs of the system (expiry, auto-completion) are in orders.jobs.

Each function takes the acting user, checks that user may act on this order, re-reads the
order under a row lock (so a second click, a second member or a payment arriving at the
same moment sees the first change), changes it only through orders.workflow, commits once,
and then emits the matching signal. A refused change raises ServiceError and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.orders import signals, workflow
from marketplace.orders.models import Order, OrderStatus, PaymentStatus, ShipmentStatus
from marketplace.producers.services import AccessDenied, membership
from marketplace.shipping.models import ShippingKind

S, P, H = OrderStatus, PaymentStatus, ShipmentStatus

#: Orders the producer or the buyer may still cancel: not shipped yet.
CANCELLABLE = frozenset({S.AWAITING_PAYMENT, S.PROCESSING})
MAX_REASON = 500
_TRACKING = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]*")
A = ParamSpec("A")
R = TypeVar("R")


def _unit(action: Callable[A, R]) -> Callable[A, R]:
    """One unit of work: a refused change leaves nothing behind in the session."""

    @wraps(action)
    def wrapped(*args: A.args, **kwargs: A.kwargs) -> R:
        try:
            return action(*args, **kwargs)
        except ServiceError:
            db.session.rollback()
            raise

    return wrapped


# --- who may act -------------------------------------------------------------------------------

def is_producer_member(user: User | None, order: Order) -> bool:
    return membership(user, order.producer) is not None


def _as_producer(user: User, order: Order) -> None:
    if not is_producer_member(user, order):
        raise AccessDenied(_l("Only the shop that received this order can do this."))


def _as_buyer(user: User, order: Order) -> None:
    if user is None or order.buyer_id != user.id:
        raise AccessDenied(_l("Only the buyer of this order can do this."))


def _as_staff(user: User) -> None:
    if user is None or not user.is_staff:
        raise AccessDenied(_l("Only agency staff can do this."))


# --- why a change is refused -------------------------------------------------------------------

_REFUSALS = {
    S.AWAITING_PAYMENT: _l("This order is not paid yet: wait for the payment before you "
                           "pack or ship it."),
    S.PROCESSING: _l("This order has not been shipped yet."),
    S.SHIPPED: _l("This order has already been shipped: it can no longer be cancelled or "
                  "shipped again."),
    S.COMPLETED: _l("This order is completed: it can no longer be changed."),
    S.CANCELLED: _l("This order was cancelled: it can no longer be changed."),
    S.REFUNDED: _l("This order was cancelled and refunded: it can no longer be changed."),
}


def _refuse(order: Order) -> ServiceError:
    return ServiceError(_REFUSALS[order.status])


def _locked(order: Order) -> Order:
    locked = workflow.lock_order(order.id)
    if locked is None:  # pragma: no cover - orders are never deleted
        raise ServiceError(_l("This order no longer exists."))
    return locked


def _clean_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ServiceError(_l("Give a reason for the cancellation."), "reason")
    if len(text) > MAX_REASON:
        raise ServiceError(_l("Keep the reason under %(n)s characters.", n=MAX_REASON), "reason")
    return text


# --- producer ----------------------------------------------------------------------------------

def _paid_order_of_shop(user: User, order: Order) -> Order:
    """The order re-read under its lock, for a member of its shop, while it is Diproses
    (paid, not shipped); refused otherwise."""
    _as_producer(user, order)
    order = _locked(order)
    if order.status is not S.PROCESSING:
        raise _refuse(order)
    return order


@_unit
def mark_processing(user: User, order: Order) -> Order:
    """The producer starts packing a paid order (shipment: Dikemas)."""
    order = _paid_order_of_shop(user, order)
    if order.shipment_status is not H.NOT_STARTED:
        raise ServiceError(_l("This order is already being packed."))
    workflow.set_shipment_status(order, H.PACKING, user)
    db.session.commit()
    return order


@_unit
def ship(user: User, order: Order, courier: str | None, tracking_number: str | None) -> Order:
    """The producer hands a paid order to a courier, with its tracking number (nomor resi).
    A tracking number may be left out only for the producer's own delivery (flat rate)."""
    order = _paid_order_of_shop(user, order)
    if order.shipping_kind is ShippingKind.PICKUP:
        raise ServiceError(_l("The buyer collects this order at your shop: mark it ready for "
                              "pickup instead."))
    courier, tracking = _clean_shipping(order, courier, tracking_number)
    order.courier, order.tracking_number = courier, tracking
    workflow.set_shipment_status(order, H.SHIPPED, user, tracking)
    workflow.set_status(order, S.SHIPPED, user)
    db.session.commit()
    signals.order_shipped.send(order, actor=user)
    return order


def _clean_shipping(order: Order, courier: str | None,
                    tracking_number: str | None) -> tuple[str, str]:
    courier = " ".join((courier or "").split())
    tracking = (tracking_number or "").strip().upper()
    if not courier:
        raise ServiceError(_l("Enter the courier, e.g. JNE or J&T."), "courier")
    if len(courier) > 40:
        raise ServiceError(_l("Keep the courier's name under 40 characters."), "courier")
    if not tracking and order.shipping_kind is ShippingKind.COURIER:
        raise ServiceError(_l("Enter the tracking number (nomor resi)."), "tracking_number")
    if tracking and (len(tracking) > 60 or not _TRACKING.fullmatch(tracking)):
        raise ServiceError(_l("A tracking number has only letters, digits and dashes."),
                           "tracking_number")
    return courier, tracking


@_unit
def ready_for_pickup(user: User, order: Order) -> Order:
    """The producer tells the buyer a paid pickup order can be collected at the shop."""
    order = _paid_order_of_shop(user, order)
    if order.shipping_kind is not ShippingKind.PICKUP:
        raise ServiceError(_l("This order is delivered to the buyer: ship it with a courier."))
    workflow.set_shipment_status(order, H.READY_FOR_PICKUP, user)
    workflow.set_status(order, S.SHIPPED, user)
    db.session.commit()
    signals.order_shipped.send(order, actor=user)
    return order


# --- cancelling --------------------------------------------------------------------------------

@_unit
def cancel_by_producer(user: User, order: Order, reason: str | None) -> Order:
    _as_producer(user, order)
    return _cancel(user, order, reason, while_checking=False)


@_unit
def cancel_by_buyer(user: User, order: Order, reason: str | None) -> Order:
    _as_buyer(user, order)
    return _cancel(user, order, reason, while_checking=False)


@_unit
def cancel_by_staff(user: User, order: Order, reason: str | None) -> Order:
    _as_staff(user)
    return _cancel(user, order, reason)


def _cancel(user: User, order: Order, reason: str | None, *,
            while_checking: bool = True) -> Order:
    """Cancel an order that has not left yet: a paid one waits for its refund (the payments
    domain reacts to order_cancelled), an unpaid one is void; its stock comes back.

    While a payment is being checked (a transfer receipt sent) only staff may cancel: the
    money may have arrived, and a void order would never be refunded."""
    text = _clean_reason(reason)
    order = _locked(order)
    if order.status not in CANCELLABLE or order.shipment_status not in (H.NOT_STARTED,
                                                                        H.PACKING):
        raise _refuse(order)
    if order.payment_status is P.PENDING and not while_checking:
        raise ServiceError(_l("The payment of this order is being checked: wait for the "
                              "check before cancelling, or ask the agency."))
    close(order, user, text)
    db.session.commit()
    signals.order_cancelled.send(order, actor=user)
    return order


def close(order: Order, actor: User | None, reason: str) -> None:
    """Cancel in the session (no commit): status, payment, shipment and stock together."""
    paid = order.payment_status is P.PAID
    workflow.set_status(order, S.CANCELLED, actor, reason)
    workflow.set_payment_status(order, P.REFUND_PENDING if paid else P.VOID, actor)
    workflow.set_shipment_status(order, H.NOT_SHIPPED, actor)
    workflow.release_stock(order)


# --- buyer -------------------------------------------------------------------------------------

@_unit
def confirm_receipt(user: User, order: Order) -> Order:
    """The buyer has the parcel ("Pesanan Diterima"): the order completes."""
    _as_buyer(user, order)
    order = _locked(order)
    if order.status is not S.SHIPPED:
        raise _refuse(order)
    complete(order, user)
    db.session.commit()
    signals.order_completed.send(order, actor=user)
    return order


def complete(order: Order, actor: User | None, reason: str = "") -> None:
    """Received and completed, in the session (no commit)."""
    workflow.set_shipment_status(order, H.RECEIVED, actor, reason)
    workflow.set_status(order, S.COMPLETED, actor, reason)
