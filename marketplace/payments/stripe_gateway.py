"""The one door to Stripe: the only module that imports ``stripe``.

Everything crossing it is plain Python: whole Rupiah go in, Stripe's hundredths (IDR is not
a zero-decimal currency in Stripe: Rp15.000 is sent as 1500000) exist only here, and what
comes back is a small dataclass or a dict, never a StripeObject.

Tests plug their own ``stripe.HTTPClient`` in ``app.extensions["stripe_http_client"]``: the
requests then go through the library's real encoding and come back through its real parsing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import stripe
from flask import current_app
from stripe.params import (
    AccountCreateParams,
    AccountLinkCreateParams,
    RefundCreateParams,
    TransferCreateParams,
)
from stripe.params.checkout import SessionCreateParams

#: Seconds a webhook signature stays valid.
WEBHOOK_TOLERANCE = 300
CURRENCY = "idr"


class GatewayError(Exception):
    """Stripe refused or could not be reached; the message is for the log, not for users."""


class BadSignature(Exception):
    """A webhook whose signature is missing, forged or stale, or whose body is not JSON."""


def to_minor(amount_idr: int) -> int:
    return int(amount_idr) * 100


def from_minor(amount: int) -> int:
    return int(amount) // 100


@dataclass(frozen=True)
class Line:
    name: str
    unit_amount_idr: int
    quantity: int


@dataclass(frozen=True)
class SessionInfo:
    id: str
    url: str
    #: "open", "complete" or "expired".
    status: str
    #: "paid", "unpaid" or "no_payment_required".
    payment_status: str
    amount_total_idr: int | None
    #: The exact minor amount, to check it is a whole number of Rupiah.
    amount_total_minor: int | None
    currency: str
    payment_intent: str
    group_number: str


@dataclass(frozen=True)
class RefundInfo:
    id: str
    #: "pending", "requires_action", "succeeded", "failed" or "canceled".
    status: str
    amount_idr: int


def _client() -> stripe.StripeClient:
    config = current_app.config
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"],
        http_client=current_app.extensions.get("stripe_http_client"),
        max_network_retries=2,
    )


def _call(function: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Call the library; the answer as a plain dict, errors as GatewayError."""
    try:
        result = function(*args, **kwargs)
        return result.to_dict()
    except stripe.StripeError as error:
        raise GatewayError(f"{type(error).__name__}: {error.user_message or error}") from error


def _session(obj: dict[str, Any]) -> SessionInfo:
    intent = obj.get("payment_intent") or ""
    if not isinstance(intent, str):  # expanded
        intent = intent.get("id", "")
    total = obj.get("amount_total")
    metadata = obj.get("metadata") or {}
    return SessionInfo(
        id=obj["id"], url=obj.get("url") or "", status=obj.get("status") or "",
        payment_status=obj.get("payment_status") or "",
        amount_total_idr=None if total is None else from_minor(total),
        amount_total_minor=total, currency=(obj.get("currency") or "").lower(),
        payment_intent=intent, group_number=metadata.get("group_number", ""))


def create_checkout_session(*, group_number: str, lines: list[Line], email: str,
                            success_url: str, cancel_url: str, expires_at: int | None,
                            idempotency_key: str) -> SessionInfo:
    """One Checkout Session for a whole checkout group."""
    params: SessionCreateParams = {
        "mode": "payment",
        "line_items": [
            {"price_data": {"currency": CURRENCY, "unit_amount": to_minor(line.unit_amount_idr),
                            "product_data": {"name": line.name[:250]}},
             "quantity": line.quantity}
            for line in lines
        ],
        "client_reference_id": group_number,
        "metadata": {"group_number": group_number},
        "payment_intent_data": {"metadata": {"group_number": group_number}},
        "customer_email": email,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": "id",
    }
    if expires_at is not None:
        params["expires_at"] = expires_at
    session = _call(_client().v1.checkout.sessions.create, params=params,
                    options={"idempotency_key": idempotency_key})
    return _session(session)


def retrieve_session(session_id: str) -> SessionInfo:
    return _session(_call(_client().v1.checkout.sessions.retrieve, session_id))


def create_refund(*, payment_intent: str, amount_idr: int, order_number: str,
                  idempotency_key: str) -> RefundInfo:
    """A partial refund of the group's PaymentIntent: one order's share."""
    params: RefundCreateParams = {"payment_intent": payment_intent, "amount": to_minor(amount_idr),
                              "reason": "requested_by_customer",
                              "metadata": {"order_number": order_number}}
    refund = _call(_client().v1.refunds.create, params=params,
                   options={"idempotency_key": idempotency_key})
    return RefundInfo(refund["id"], refund.get("status") or "", from_minor(refund["amount"]))


def retrieve_refund(refund_id: str) -> RefundInfo:
    refund = _call(_client().v1.refunds.retrieve, refund_id)
    return RefundInfo(refund["id"], refund.get("status") or "", from_minor(refund["amount"]))


# --- Connect ---------------------------------------------------------------------------------

def create_express_account(*, email: str, producer_id: int, idempotency_key: str) -> str:
    """A Stripe Connect Express account for a producer in Indonesia; returns its id."""
    params: AccountCreateParams = {
        "type": "express", "country": "ID", "email": email,
        "capabilities": {"transfers": {"requested": True}},
        "business_type": "company",
        "metadata": {"producer_id": str(producer_id)},
    }
    account = _call(_client().v1.accounts.create, params=params,
                    options={"idempotency_key": idempotency_key})
    return str(account["id"])


def account_ready(account_id: str) -> bool:
    account = _call(_client().v1.accounts.retrieve, account_id)
    return bool(account.get("payouts_enabled"))


def create_account_link(*, account_id: str, refresh_url: str, return_url: str) -> str:
    """The onboarding address to send the producer to (valid for a few minutes)."""
    params: AccountLinkCreateParams = {"account": account_id, "type": "account_onboarding",
                              "refresh_url": refresh_url, "return_url": return_url}
    return str(_call(_client().v1.account_links.create, params=params)["url"])


def create_transfer(*, account_id: str, amount_idr: int, description: str,
                    idempotency_key: str) -> str:
    """Move money from the platform's balance to a producer's account; returns "tr_..."."""
    params: TransferCreateParams = {"amount": to_minor(amount_idr), "currency": CURRENCY,
                              "destination": account_id, "description": description[:350]}
    transfer = _call(_client().v1.transfers.create, params=params,
                     options={"idempotency_key": idempotency_key})
    return str(transfer["id"])


# --- webhooks ----------------------------------------------------------------------------------

def _verify(text: str, signature: str, secrets: list[str]) -> None:
    """Raises stripe.SignatureVerificationError unless one of ``secrets`` signed ``text``."""
    for secret in secrets[:-1]:
        try:
            stripe.WebhookSignature.verify_header(text, signature, secret, WEBHOOK_TOLERANCE)
            return
        except stripe.SignatureVerificationError:
            continue
    stripe.WebhookSignature.verify_header(text, signature, secrets[-1], WEBHOOK_TOLERANCE)


def parse_webhook(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event as a dict, after checking its signature on the raw body (BadSignature).
    Stripe signs with the secret of the endpoint that sends: the platform's endpoint
    (STRIPE_WEBHOOK_SECRET) or, for connected accounts' events, a Connect endpoint
    (STRIPE_CONNECT_WEBHOOK_SECRET, optional)."""
    config = current_app.config
    secrets = [s for s in (config["STRIPE_WEBHOOK_SECRET"],
                           config.get("STRIPE_CONNECT_WEBHOOK_SECRET", "")) if s]
    if not secrets or not signature:
        raise BadSignature("no secret or no signature")
    try:
        text = payload.decode("utf-8")
        _verify(text, signature, secrets)
        event = json.loads(text)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as error:
        raise BadSignature(str(error)) from error
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise BadSignature("not an event")
    return event
