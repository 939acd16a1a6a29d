"""The payment methods behind one small interface, so that an Indonesian gateway can be
added later without touching orders: start a group's payment (an address to send the buyer
to), handle the provider's events, refund an amount of one order.

The checkout stores a method's ``key`` in ``CheckoutGroup.payment_method`` and sends the
buyer to ``url_for("payments.start", number=group.number)``.
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import url_for
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.orders.models import CheckoutGroup, Order
from marketplace.payments import bank, refunds, stripe_payments
from marketplace.payments.models import MethodKey, Refund


class PaymentMethod(Protocol):
    key: MethodKey
    label: object

    def available(self) -> bool: ...

    def start(self, group: CheckoutGroup) -> str:
        """Where to send the buyer to pay ``group`` (commits what it made)."""

    def handle_event(self, event: dict[str, Any]) -> str:
        """A verified provider event: "handled", "duplicate" or "ignored"."""

    def refund(self, actor: User | None, order: Order, amount_idr: int) -> Refund:
        """Refund ``amount_idr`` of a cancelled paid order."""


class BankTransfer:
    key = MethodKey.BANK_TRANSFER
    label = _l("Bank transfer")

    def available(self) -> bool:
        return True

    def start(self, group: CheckoutGroup) -> str:
        number = group.number  # read before bank.start commits (no reload afterwards)
        bank.start(group)
        return url_for("payments.pay", number=number)

    def handle_event(self, event: dict[str, Any]) -> str:
        return "ignored"  # no outside service: staff and producers confirm by hand

    def refund(self, actor: User | None, order: Order, amount_idr: int) -> Refund:
        return refunds.request_refund(actor, order, amount_idr)


class StripeCheckout:
    key = MethodKey.STRIPE
    label = _l("Card or e-wallet (Stripe)")

    def available(self) -> bool:
        return stripe_payments.available()

    def start(self, group: CheckoutGroup) -> str:
        return stripe_payments.start(group)

    def handle_event(self, event: dict[str, Any]) -> str:
        return stripe_payments.handle_event(event)

    def refund(self, actor: User | None, order: Order, amount_idr: int) -> Refund:
        return refunds.request_refund(actor, order, amount_idr)


METHODS: dict[str, PaymentMethod] = {
    MethodKey.BANK_TRANSFER.value: BankTransfer(),
    MethodKey.STRIPE.value: StripeCheckout(),
}


def available() -> list[PaymentMethod]:
    """The methods a checkout may offer, the default first."""
    return [method for method in METHODS.values() if method.available()]


def get(key: str) -> PaymentMethod | None:
    method = METHODS.get(key)
    return method if method is not None and method.available() else None
