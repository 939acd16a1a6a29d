"""What a payment's outcome does to a group's orders, shared by every payment method.

Each function here runs inside the caller's unit of work (no commit) after
:func:`lock_payment`; the caller commits once and then calls :func:`emit` with what happened,
so signals go out only for committed changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.orders import signals, workflow
from marketplace.orders.models import (
    CheckoutGroup,
    Order,
    OrderStatus,
    PaymentStatus,
    ShipmentStatus,
)
from marketplace.payments.models import MethodKey, Payment, PaymentState, WebhookEvent

P = PaymentStatus


@dataclass
class Outcome:
    """Orders whose signals must be sent once the transaction has committed."""

    paid: list[Order] = field(default_factory=list)
    expired: list[Order] = field(default_factory=list)
    actor: User | None = None


def get_group(number: str) -> CheckoutGroup | None:
    return db.session.scalar(select(CheckoutGroup).where(CheckoutGroup.number == number))


def payment_of(group: CheckoutGroup) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.group_id == group.id))


def lock_payment(payment: Payment) -> Payment:
    """Serialise every change of one payment: the first statement is an UPDATE of its row
    (a row lock on PostgreSQL, the write lock on SQLite), then everything is read afresh."""
    db.session.execute(update(Payment).where(Payment.id == payment.id)
                       .values(version=Payment.version + 1)
                       .execution_options(synchronize_session=False))
    db.session.expire_all()
    return payment


def new_payment(group: CheckoutGroup, method: MethodKey, amount_idr: int,
                transfer_code: int = 0) -> Payment:
    payment = Payment(group_id=group.id, method=method, amount_idr=amount_idr,
                      currency="IDR", transfer_code=transfer_code,
                      open_transfer_code=transfer_code or None)
    db.session.add(payment)
    return payment


def open_orders(group: CheckoutGroup) -> list[Order]:
    """The group's orders still waiting for their payment, re-read under row locks (in id
    order, after the payment's own lock) so that a cancellation or the expiry job that
    committed meanwhile is seen, and none can commit until this transaction ends."""
    locked = [workflow.lock_order(order.id) for order in sorted(group.orders, key=_id)]
    return [order for order in locked
            if order is not None and order.status is OrderStatus.AWAITING_PAYMENT]


def _id(order: Order) -> int:
    return order.id


def mark_pending(payment: Payment, actor: User | None, reason: str = "") -> None:
    """A receipt or an asynchronous payment waits for confirmation."""
    payment.status = PaymentState.SUBMITTED
    for order in open_orders(payment.group):
        if order.payment_status in (P.UNPAID, P.FAILED):
            workflow.set_payment_status(order, P.PENDING, actor, reason)


def mark_unpaid(payment: Payment, actor: User | None, reason: str) -> None:
    """A rejected receipt: the buyer may try again."""
    payment.status = PaymentState.OPEN
    for order in open_orders(payment.group):
        if order.payment_status is P.PENDING:
            workflow.set_payment_status(order, P.UNPAID, actor, reason)


def mark_failed(payment: Payment, actor: User | None, reason: str = "") -> None:
    if payment.status is PaymentState.PAID:
        return
    payment.status = PaymentState.FAILED
    for order in open_orders(payment.group):
        if order.payment_status in (P.UNPAID, P.PENDING):
            workflow.set_payment_status(order, P.FAILED, actor, reason)


def mark_paid(payment: Payment, actor: User | None, outcome: Outcome, reason: str = "") -> None:
    """Every open order of the group: paid and Diproses. Idempotent: a paid payment stays
    as it is. Orders already closed (e.g. expired) are left alone and the payment is
    flagged for staff, who refund it."""
    if payment.status is PaymentState.PAID:
        return
    payment.status = PaymentState.PAID
    payment.paid_at = utcnow()
    payment.open_transfer_code = None
    orders = open_orders(payment.group)
    if len(orders) < len(payment.group.orders):
        flag(payment, "paid_after_close")
    for order in orders:
        workflow.set_payment_status(order, P.PAID, actor, reason)
        workflow.set_status(order, OrderStatus.PROCESSING, actor, reason)
        outcome.paid.append(order)
    outcome.actor = actor


def expire(payment: Payment, outcome: Outcome, reason: str) -> None:
    """Close an unpaid payment: its open orders are cancelled and their stock returned."""
    if payment.status is PaymentState.PAID:
        return
    payment.status = PaymentState.EXPIRED
    payment.open_transfer_code = None
    for order in open_orders(payment.group):
        cancel_unpaid(order, reason)
        outcome.expired.append(order)


def cancel_unpaid(order: Order, reason: str) -> None:
    workflow.set_status(order, OrderStatus.CANCELLED, None, reason)
    workflow.set_payment_status(order, P.VOID, None, reason)
    if order.shipment_status is not ShipmentStatus.NOT_SHIPPED:
        workflow.set_shipment_status(order, ShipmentStatus.NOT_SHIPPED, None, reason)
    workflow.release_stock(order)


def flag(payment: Payment, code: str, *values: object) -> None:
    """Set the payment aside for staff. The reason is stored as a line "code|value|...";
    staff read it in their language (payments.labels.flag_lines)."""
    payment.flagged_for_staff = True
    line = "|".join([code, *(str(value) for value in values)])
    payment.flag_reason = (payment.flag_reason + "\n" + line).strip()


def record_event(event_id: str, kind: str) -> bool:
    """Record a provider's event as handled, in the caller's transaction (commit it with
    the event's effect). False when it was already recorded, by an earlier delivery or by
    one arriving at the same moment (its unique key): the caller then changes nothing."""
    try:
        with db.session.begin_nested():
            db.session.add(WebhookEvent(event_id=event_id, type=kind[:100]))
    except IntegrityError:
        db.session.rollback()
        return False
    return True


#: How long a staff member's note on closing a flag may be.
RESOLVE_NOTE_MAX = 1000


def resolve_flag(actor: User, payment: Payment, note: str) -> None:
    """Staff close a flagged payment's check with a note (what they did: refunded in
    Stripe's dashboard, the buyer paid the rest, ...). The note goes on the timeline of every
    order of the group, where the buyer and the shops read it; the flag's reasons stay on
    the payment. Commits."""
    if not actor.is_staff:
        raise ServiceError(_l("Only agency staff can close a payment check."))
    note = (note or "").strip()
    if not note:
        raise ServiceError(_l("Say what was done about this payment."), "note")
    if len(note) > RESOLVE_NOTE_MAX:
        raise ServiceError(_l("The note can be at most %(n)d characters long.",
                              n=RESOLVE_NOTE_MAX), "note")
    if not payment.flagged_for_staff:
        raise ServiceError(_l("This payment is not flagged (any more)."))
    payment.flagged_for_staff = False
    for order in payment.group.orders:
        workflow.record_note(order, actor, "payment_check", note)
    db.session.commit()


def check_amount(payment: Payment, amount_idr: int | None, currency: str) -> bool:
    """Does what the provider took match what the group owes? If not, flag the payment."""
    if currency.upper() == payment.currency and amount_idr == payment.amount_idr:
        return True
    flag(payment, "amount_mismatch", amount_idr if amount_idr is not None else "",
         currency.upper(), payment.amount_idr, payment.currency)
    return False


def emit(outcome: Outcome) -> None:
    """After commit: tell the other domains."""
    for order in outcome.paid:
        signals.order_paid.send(order, actor=outcome.actor)
    for order in outcome.expired:
        signals.order_expired.send(order, actor=None)


def require_open(payment: Payment) -> None:
    if payment.status is PaymentState.PAID:
        raise ServiceError(_l("This order group has already been paid."))
    if (payment.status is PaymentState.EXPIRED or not open_orders(payment.group)
            or payment.group.expires_at <= utcnow()):
        raise ServiceError(_l("The time to pay for this order group has run out."))
