"""Payments: one payment per checkout group, transfer receipts, refunds per order, the
provider events already handled, and the producers' ledger with its payouts.

Money is whole Rupiah everywhere here; Stripe's hundredths exist only inside
:mod:`marketplace.payments.stripe_gateway`.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.db import created_at, intpk, str_enum, utcnow
from marketplace.extensions import db
from marketplace.orders.models import CheckoutGroup, Order
from marketplace.producers.models import Producer

if TYPE_CHECKING:  # mypy cannot see through flask_sqlalchemy's dynamic db.Model
    from marketplace.db import Base as Model
else:
    Model = db.Model


class MethodKey(enum.StrEnum):
    BANK_TRANSFER = "bank_transfer"
    STRIPE = "stripe"


class PaymentState(enum.StrEnum):
    #: Waiting for the buyer (no receipt yet, or the Checkout Session is open).
    OPEN = "open"
    #: A transfer receipt waits for confirmation, or an asynchronous Stripe method is
    #: still settling.
    SUBMITTED = "submitted"
    PAID = "paid"
    FAILED = "failed"
    #: Closed unpaid (the group expired or the Checkout Session expired).
    EXPIRED = "expired"


class Payment(Model):
    """How a checkout group is paid: one row per group."""

    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount_idr > 0", name="amount_positive"),)

    id: Mapped[intpk]
    group_id: Mapped[int] = mapped_column(ForeignKey("checkout_groups.id"), unique=True)
    method: Mapped[MethodKey] = mapped_column(str_enum(MethodKey, "payment_method", length=20))
    #: What the buyer must pay: the group's total, plus the unique code for a transfer.
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="IDR")
    status: Mapped[PaymentState] = mapped_column(
        str_enum(PaymentState, "payment_state", length=16), default=PaymentState.OPEN)
    #: Bank transfer: 1..999 Rupiah added to the total so that staff can match the transfer
    #: on the bank statement. ``open_transfer_code`` holds it while the transfer is open
    #: (unique), and is cleared when it closes so the code can be used again.
    transfer_code: Mapped[int] = mapped_column(default=0)
    open_transfer_code: Mapped[int | None] = mapped_column(unique=True)
    #: Stripe: the Checkout Session id ("cs_...") and, once paid, its PaymentIntent ("pi_...").
    provider_ref: Mapped[str] = mapped_column(String(255), default="", index=True)
    payment_intent: Mapped[str] = mapped_column(String(255), default="", index=True)
    #: A payment that does not match the group (amount, currency) waits for staff.
    flagged_for_staff: Mapped[bool] = mapped_column(default=False)
    flag_reason: Mapped[str] = mapped_column(Text, default="")
    #: Bumped by every change: the first UPDATE of a unit of work, so it locks the row.
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    paid_at: Mapped[dt.datetime | None]

    group: Mapped[CheckoutGroup] = relationship()
    receipts: Mapped[list[TransferReceipt]] = relationship(
        back_populates="payment", order_by="TransferReceipt.id")


class ReceiptStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class TransferReceipt(Model):
    """A photo of a transfer receipt, re-encoded and kept private."""

    __tablename__ = "transfer_receipts"

    id: Mapped[intpk]
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    image_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[ReceiptStatus] = mapped_column(
        str_enum(ReceiptStatus, "receipt_status", length=16), default=ReceiptStatus.SUBMITTED)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None]
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]

    payment: Mapped[Payment] = relationship(back_populates="receipts")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class RefundStatus(enum.StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class Refund(Model):
    """One order's money given back. At most one per order (the unique key), never more
    than the order was paid (checked by the service, and never above the order's total)."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_idr > 0", name="amount_positive"),)

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[RefundStatus] = mapped_column(
        str_enum(RefundStatus, "refund_status", length=16), default=RefundStatus.PENDING)
    #: Stripe's refund id ("re_..."), or the bank transfer's reference typed by staff.
    provider_ref: Mapped[str] = mapped_column(String(255), default="")
    #: Bank transfers: a photo of the refund transfer (private media key).
    proof_key: Mapped[str] = mapped_column(String(200), default="")
    #: Who started it (None: the system, e.g. a provider's event) and who completed it.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]
    completed_at: Mapped[dt.datetime | None]

    order: Mapped[Order] = relationship()
    payment: Mapped[Payment] = relationship()


class WebhookEvent(Model):
    """A provider event already handled: recorded in the same transaction as its effect, so
    a second delivery of the same event id finds it and changes nothing."""

    __tablename__ = "webhook_events"

    id: Mapped[intpk]
    provider: Mapped[str] = mapped_column(String(20), default="stripe")
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LedgerKind(enum.StrEnum):
    CREDIT = "credit"  # a completed order's total
    FEE = "fee"  # the platform's fee on it (negative)
    PAYOUT = "payout"  # money paid out to the producer (negative)


class LedgerEntry(Model):
    """One movement of a producer's balance (signed Rupiah); the balance is the sum."""

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("order_id", "kind", name="one_per_order_kind"),)

    id: Mapped[intpk]
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id"))
    kind: Mapped[LedgerKind] = mapped_column(str_enum(LedgerKind, "ledger_kind", length=16))
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[created_at]

    producer: Mapped[Producer] = relationship()
    order: Mapped[Order | None] = relationship()


class PayoutMethod(enum.StrEnum):
    MANUAL = "manual"  # paid by the treasurer's bank transfer, recorded by staff
    STRIPE = "stripe"  # a Stripe Connect transfer


class Payout(Model):
    __tablename__ = "payouts"
    __table_args__ = (CheckConstraint("amount_idr > 0", name="amount_positive"),)

    id: Mapped[intpk]
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    #: The bank transfer's reference, or Stripe's transfer id ("tr_...").
    reference: Mapped[str] = mapped_column(String(255))
    method: Mapped[PayoutMethod] = mapped_column(
        str_enum(PayoutMethod, "payout_method", length=16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]

    producer: Mapped[Producer] = relationship()
    actor: Mapped[User | None] = relationship()


class PlatformSetting(Model):
    """A setting administrators change at run time (e.g. the platform fee)."""

    __tablename__ = "platform_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ConnectAccount(Model):
    """A producer's Stripe Connect Express account."""

    __tablename__ = "connect_accounts"

    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), primary_key=True)
    stripe_account_id: Mapped[str] = mapped_column(String(255), unique=True)
    #: Stripe says the account can receive transfers (payouts_enabled).
    ready: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]
