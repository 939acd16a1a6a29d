"""Stripe Checkout: one Checkout Session per checkout group, and what Stripe tells us.

Stripe's word is always re-read from Stripe (the session is retrieved), never taken from an
event's copy: events may arrive twice and in any order, and the success page may arrive
before, after or during the webhook. :func:`reconcile` applies the session's current state
and is idempotent under the payment's row lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.links import external_url
from marketplace.orders.models import CheckoutGroup
from marketplace.payments import services, stripe_gateway
from marketplace.payments.models import MethodKey, Payment, PaymentState, WebhookEvent
from marketplace.payments.stripe_gateway import GatewayError, Line, SessionInfo

#: Stripe accepts a session expiry between 30 minutes and 24 hours from now.
MIN_EXPIRY = dt.timedelta(minutes=31)
MAX_EXPIRY = dt.timedelta(hours=24)
SESSION_EVENTS = frozenset({
    "checkout.session.completed", "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed", "checkout.session.expired",
})


def available() -> bool:
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"))


def lines_of(group: CheckoutGroup) -> list[Line]:
    """A line per order line, plus a shipping line per producer (when not free)."""
    lines: list[Line] = []
    for order in group.orders:
        for line in order.lines:
            name = f"{line.product_name} ({line.variant_name})" if line.variant_name \
                else line.product_name
            lines.append(Line(f"{name} · {order.producer_name}", line.unit_price_idr,
                              line.quantity))
        if order.shipping_idr > 0:
            lines.append(Line(f"Ongkos Kirim · {order.producer_name}", order.shipping_idr, 1))
    return lines


def _expires_at(group: CheckoutGroup) -> int | None:
    left = group.expires_at - utcnow()
    if left < MIN_EXPIRY:
        raise ServiceError(_l("The time to pay for this order group has nearly run out: "
                              "pay by bank transfer instead, or place the order again."))
    return int(group.expires_at.timestamp()) if left <= MAX_EXPIRY else None


def start(group: CheckoutGroup) -> str:
    """The Checkout page's address for the group: the open session, or a new one."""
    payment = services.payment_of(group)
    if payment is None:
        payment = services.new_payment(group, MethodKey.STRIPE, group.total_idr)
        db.session.commit()
    services.require_open(payment)
    db.session.commit()  # hold no transaction (nor SQLite's write lock) while Stripe answers
    if payment.provider_ref:
        info = stripe_gateway.retrieve_session(payment.provider_ref)
        if info.status == "open" and info.url:
            return info.url
        reconcile(payment, info)
        raise ServiceError(_l("This payment has already been completed or has expired."))
    info = stripe_gateway.create_checkout_session(
        group_number=group.number, lines=lines_of(group), email=group.buyer.email,
        success_url=external_url("payments.stripe_return", number=group.number)
        + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=external_url("payments.pay", number=group.number),
        expires_at=_expires_at(group), idempotency_key=f"checkout-{group.id}")
    services.lock_payment(payment)
    payment.provider_ref = info.id
    db.session.commit()
    return info.url


def reconcile(payment: Payment, info: SessionInfo, event_type: str = "") -> services.Outcome:
    """Apply the session's state to the payment (own transaction; commits)."""
    db.session.commit()  # end any read transaction: the lock below must be the first write
    services.lock_payment(payment)
    outcome = services.Outcome()
    apply_session(payment, info, event_type, outcome)
    db.session.commit()
    services.emit(outcome)
    return outcome


def apply_session(payment: Payment, info: SessionInfo, event_type: str,
                  outcome: services.Outcome) -> None:
    if info.id != payment.provider_ref or info.group_number != payment.group.number:
        services.flag(payment, "foreign_session", info.id)
        return
    if info.payment_intent:
        payment.payment_intent = info.payment_intent
    if info.payment_status in ("paid", "no_payment_required"):
        exact = info.amount_total_minor is not None and info.amount_total_minor % 100 == 0
        if exact and services.check_amount(payment, info.amount_total_idr, info.currency):
            services.mark_paid(payment, None, outcome, "Stripe")
        elif not exact:
            services.flag(payment, "not_whole_rupiah", info.amount_total_minor)
    elif info.status == "expired":
        services.expire(payment, outcome, "Stripe Checkout session expired")
    elif event_type == "checkout.session.async_payment_failed":
        services.mark_failed(payment, None, "Stripe: payment failed")
    elif info.status == "complete" and payment.status is not PaymentState.FAILED:
        services.mark_pending(payment, None, "Stripe: payment processing")


def payment_for_session(session_id: str, group_number: str) -> Payment | None:
    payment = db.session.scalar(select(Payment).where(Payment.provider_ref == session_id))
    if payment is None and group_number:
        group = services.get_group(group_number)
        payment = services.payment_of(group) if group else None
    return payment


def already_handled(event_id: str) -> bool:
    return db.session.scalar(
        select(WebhookEvent.id).where(WebhookEvent.event_id == event_id)) is not None


def handle_event(event: dict[str, Any]) -> str:
    """One verified Stripe event; returns what was done ("handled", "duplicate", "ignored").

    Recorded by id in the same transaction as its effect: a second delivery finds the record
    (or hits its unique key, if both arrive at once) and changes nothing.
    """
    event_id, kind = event["id"], str(event.get("type", ""))
    if already_handled(event_id):
        return "duplicate"
    db.session.rollback()  # hold no transaction (nor SQLite's write lock) while Stripe answers
    obj = (event.get("data") or {}).get("object") or {}
    info: SessionInfo | None = None
    payment: Payment | None = None
    if kind in SESSION_EVENTS and isinstance(obj.get("id"), str):
        info = stripe_gateway.retrieve_session(obj["id"])
        payment = payment_for_session(info.id, info.group_number)
    elif kind == "charge.refunded":
        from marketplace.payments import refunds

        return refunds.handle_charge_refunded(event_id, obj)
    elif kind == "account.updated":
        from marketplace.payments import ledger

        return ledger.handle_account_updated(event_id, obj)
    db.session.commit()
    outcome = services.Outcome()
    if payment is not None:
        services.lock_payment(payment)
    if not services.record_event(event_id, kind):
        return "duplicate"
    if payment is not None and info is not None:
        apply_session(payment, info, kind, outcome)
    db.session.commit()
    services.emit(outcome)
    return "handled" if payment is not None else "ignored"


def success(payment: Payment) -> services.Outcome | None:
    """The success page: ask Stripe how the session stands and apply it."""
    if not payment.provider_ref or payment.status is PaymentState.PAID:
        return None
    try:
        info = stripe_gateway.retrieve_session(payment.provider_ref)
    except GatewayError:
        return None  # the webhook will tell us
    return reconcile(payment, info)
