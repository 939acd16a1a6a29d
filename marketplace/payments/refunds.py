"""Refunds: a cancelled paid order gets its share back.

Stripe: a partial refund of the group's PaymentIntent (the order's total), done when Stripe
says it succeeded (at once, or later through ``charge.refunded``). Bank transfer: a manual
refund record that staff complete with the transfer's reference and a photo of it.
Either way, once done: payment Dikembalikan, order Dikembalikan, on the order's timeline.
"""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role, User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.formatting import rupiah
from marketplace.media.images import ImageRejected, clean_copy
from marketplace.media.storage import get_storage, new_key
from marketplace.orders import workflow
from marketplace.orders.models import Order, OrderEvent, OrderStatus, PaymentStatus
from marketplace.payments import services, stripe_gateway
from marketplace.payments.models import (
    MethodKey,
    Payment,
    PaymentState,
    Refund,
    RefundStatus,
)
from marketplace.payments.stripe_gateway import GatewayError

log = logging.getLogger(__name__)


def refund_of(order: Order) -> Refund | None:
    return db.session.scalar(select(Refund).where(Refund.order_id == order.id))


def request_refund(actor: User | None, order: Order, amount_idr: int,
                   reason: str = "") -> Refund:
    """Record a refund of ``amount_idr`` for ``order`` and, for Stripe, send it (commits).

    Refused with a clear message, changing nothing: no paid payment, more than the order
    was paid, or a refund of this order that already exists.
    """
    payment = services.payment_of(order.group)
    if payment is None or payment.status is not PaymentState.PAID:
        raise ServiceError(_l("This order was not paid: there is nothing to refund."))
    if order.payment_status is not PaymentStatus.REFUND_PENDING:
        raise ServiceError(_l("Only a cancelled paid order can be refunded."))
    if amount_idr <= 0 or amount_idr > order.total_idr:
        raise ServiceError(_l("A refund can be at most what was paid for this order: "
                              "%(amount)s.", amount=rupiah(order.total_idr)), "amount")
    if refund_of(order) is not None:
        raise ServiceError(_l("This order already has a refund."))
    refund = Refund(order_id=order.id, payment_id=payment.id, amount_idr=amount_idr,
                    actor_id=actor.id if actor else None, reason=reason[:1000])
    try:
        with db.session.begin_nested():
            db.session.add(refund)
    except IntegrityError as error:
        raise ServiceError(_l("This order already has a refund.")) from error
    _timeline(order, "", RefundStatus.PENDING, amount_idr, actor)
    db.session.commit()
    if payment.method is MethodKey.STRIPE:
        send_to_stripe(refund)
    return refund


def _timeline(order: Order, before: str, after: RefundStatus, amount_idr: int,
              actor: User | None) -> None:
    """A "refund" entry on the order's timeline: from and to are refund statuses (pending,
    completed, failed), the reason its amount."""
    order.events.append(OrderEvent(field="refund", from_value=before, to_value=after.value,
                                   actor_id=actor.id if actor else None,
                                   reason=rupiah(amount_idr)))


def send_to_stripe(refund: Refund) -> None:
    """Ask Stripe for the refund; a failure leaves it pending for staff to retry."""
    intent, amount, number = refund.payment.payment_intent, refund.amount_idr, \
        refund.order.number
    db.session.commit()  # hold no transaction (nor SQLite's write lock) while Stripe answers
    try:
        info = stripe_gateway.create_refund(payment_intent=intent, amount_idr=amount,
                                            order_number=number,
                                            idempotency_key=f"refund-{refund.order_id}")
    except GatewayError:
        log.exception("Stripe refund for order %s failed", refund.order_id)
        return
    refund.provider_ref = info.id
    if info.status == "succeeded":
        complete(refund, None)
    elif info.status in ("failed", "canceled"):
        _fail(refund)
    db.session.commit()


def _fail(refund: Refund) -> None:
    refund.status = RefundStatus.FAILED
    _timeline(refund.order, RefundStatus.PENDING.value, RefundStatus.FAILED, refund.amount_idr,
              None)


def complete(refund: Refund, actor: User | None, reference: str = "") -> None:
    """The money is back with the buyer (no commit)."""
    if refund.status is RefundStatus.COMPLETED:
        return
    refund.status, refund.completed_at = RefundStatus.COMPLETED, utcnow()
    refund.completed_by_id = actor.id if actor else None
    if reference:
        refund.provider_ref = reference[:255]
    order = refund.order
    workflow.set_payment_status(order, PaymentStatus.REFUNDED, actor)
    if order.status is OrderStatus.CANCELLED:
        workflow.set_status(order, OrderStatus.REFUNDED, actor)
    _timeline(order, RefundStatus.PENDING.value, RefundStatus.COMPLETED, refund.amount_idr,
              actor)


def complete_manual(actor: User, refund: Refund, reference: str, proof: bytes) -> None:
    """Staff record the bank transfer that returned the money, with a photo of it."""
    if not actor.has_role(Role.STAFF):
        raise ServiceError(_l("Only the agency's staff can complete a refund."))
    reference = (reference or "").strip()
    if refund.status is RefundStatus.COMPLETED:
        raise ServiceError(_l("This refund is already completed."))
    if refund.payment.method is not MethodKey.BANK_TRANSFER:
        raise ServiceError(_l("Stripe refunds complete by themselves."))
    if not reference:
        raise ServiceError(_l("Enter the reference of the refund transfer."), "reference")
    try:
        clean, content_type = clean_copy(proof) if proof else (b"", "")
    except ImageRejected as error:
        raise ServiceError(_l("This file is not a photo we can read. Upload a JPEG, PNG, "
                              "WebP or HEIC photo."), "proof") from error
    if not clean:
        raise ServiceError(_l("Upload a photo of the refund transfer."), "proof")
    key = new_key("private", "refunds", "jpg" if content_type == "image/jpeg" else "png")
    get_storage().save(key, clean, content_type)
    refund.proof_key = key
    complete(refund, actor, reference)
    db.session.commit()


def retry(actor: User, refund: Refund) -> None:
    if not actor.has_role(Role.STAFF):
        raise ServiceError(_l("Only the agency's staff can complete a refund."))
    if refund.payment.method is not MethodKey.STRIPE or refund.status is \
            RefundStatus.COMPLETED:
        raise ServiceError(_l("This refund cannot be sent again."))
    refund.status = RefundStatus.PENDING
    db.session.commit()
    send_to_stripe(refund)
    if refund.status is not RefundStatus.COMPLETED and not refund.provider_ref:
        raise ServiceError(_l("Stripe did not accept the refund. Try again later."))


def open_refunds() -> list[Refund]:
    return list(db.session.scalars(
        select(Refund).where(Refund.status != RefundStatus.COMPLETED).order_by(Refund.id)))


def handle_charge_refunded(event_id: str, charge: dict[str, Any]) -> str:
    """``charge.refunded``: re-read each pending refund of that PaymentIntent from Stripe."""
    intent = charge.get("payment_intent") or ""
    payment = db.session.scalar(select(Payment).where(Payment.payment_intent == intent)) \
        if isinstance(intent, str) and intent else None
    pending = [] if payment is None else list(db.session.scalars(select(Refund).where(
        Refund.payment_id == payment.id, Refund.status == RefundStatus.PENDING,
        Refund.provider_ref != "")))
    refs = {refund.id: refund.provider_ref for refund in pending}
    db.session.commit()  # hold no transaction (nor SQLite's write lock) while Stripe answers
    states = {key: stripe_gateway.retrieve_refund(ref).status for key, ref in refs.items()}
    if payment is not None:
        services.lock_payment(payment)
    if not services.record_event(event_id, "charge.refunded"):
        return "duplicate"
    for refund in pending:
        if states[refund.id] == "succeeded":
            complete(refund, None)
        elif states[refund.id] in ("failed", "canceled"):
            _fail(refund)
    db.session.commit()
    return "handled" if pending else "ignored"


def on_order_cancelled(sender: object, **kwargs: Any) -> None:
    """Receiver of orders.signals.order_cancelled: refund a paid order's share."""
    order = kwargs.get("order") or sender
    if not isinstance(order, Order) or order.payment_status is not PaymentStatus.REFUND_PENDING:
        return
    actor = kwargs.get("actor")
    try:
        request_refund(actor if isinstance(actor, User) else None, order, order.total_idr,
                       order.cancel_reason)
    except ServiceError as error:
        log.warning("No refund for order %s: %s", order.id, error)
