"""Bank transfer (transfer bank), the default method that needs no outside service.

The buyer transfers the group's total plus a unique code (Rp1 to Rp999, unique among open
transfers, so the transfer is recognisable on the bank statement) to the platform's account,
and uploads a photo of the receipt. Staff, or a member of any producer with an order in the
group, confirm it (every order of the group is paid: one transfer pays the whole group) or
reject it with a reason (the buyer may upload again).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role, User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.media.images import ImageRejected, clean_copy
from marketplace.media.storage import get_storage, new_key
from marketplace.orders.models import CheckoutGroup, Order
from marketplace.payments import services
from marketplace.payments.models import (
    MethodKey,
    Payment,
    PaymentState,
    ReceiptStatus,
    TransferReceipt,
)
from marketplace.producers.models import ProducerMember

#: Largest receipt photo accepted (before re-encoding).
RECEIPT_MAX_BYTES = 8 * 1024 * 1024
CODE_RANGE = range(1, 1000)


@dataclass(frozen=True)
class BankAccount:
    bank: str
    number: str
    holder: str


def bank_account() -> BankAccount:
    config = current_app.config
    return BankAccount(config["BANK_ACCOUNT_BANK"], config["BANK_ACCOUNT_NUMBER"],
                       config["BANK_ACCOUNT_HOLDER"])


def start(group: CheckoutGroup) -> Payment:
    """The group's transfer, with its unique code (made once; commits)."""
    payment = services.payment_of(group)
    if payment is not None:
        return payment
    for _attempt in range(5):
        code = _free_code()
        try:
            with db.session.begin_nested():
                payment = services.new_payment(group, MethodKey.BANK_TRANSFER,
                                               group.total_idr + code, code)
        except IntegrityError:  # another transfer took the code (or this group) meanwhile
            existing = services.payment_of(group)
            if existing is not None:
                return existing
            continue
        db.session.commit()
        return payment
    raise ServiceError(_l("Too many transfers are open right now. Please try again shortly."))


def _release_stale_codes() -> None:
    """Codes of transfers whose time to pay is over are free again (a receipt waiting for
    confirmation keeps its code: staff may still confirm it)."""
    expired_groups = select(CheckoutGroup.id).where(CheckoutGroup.expires_at <= utcnow())
    db.session.execute(
        update(Payment).where(Payment.open_transfer_code.is_not(None),
                              Payment.status != PaymentState.SUBMITTED,
                              Payment.group_id.in_(expired_groups))
        .values(open_transfer_code=None).execution_options(synchronize_session=False))


def _free_code() -> int:
    _release_stale_codes()
    taken = set(db.session.scalars(
        select(Payment.open_transfer_code).where(Payment.open_transfer_code.is_not(None))))
    free = [code for code in CODE_RANGE if code not in taken]
    if not free:
        raise ServiceError(_l("Too many transfers are open right now. Please try again "
                              "shortly."))
    return secrets.choice(free)


def upload_receipt(buyer: User, payment: Payment, data: bytes) -> TransferReceipt:
    """The buyer's photo of the transfer: decoded and re-encoded (no metadata), kept private."""
    if payment.group.buyer_id != buyer.id:
        raise access_denied()
    if not data:
        raise ServiceError(_l("Choose a photo of the transfer receipt."), "receipt")
    if len(data) > RECEIPT_MAX_BYTES:
        raise ServiceError(_l("The photo is too large: at most 8 MB."), "receipt")
    try:
        clean, content_type = clean_copy(data)
    except ImageRejected as error:
        raise ServiceError(_l("This file is not a photo we can read. Upload a JPEG, PNG, "
                              "WebP or HEIC photo of the receipt."), "receipt") from error
    services.lock_payment(payment)
    services.require_open(payment)
    if payment.status is PaymentState.SUBMITTED:
        raise ServiceError(_l("A receipt is already waiting for confirmation."), "receipt")
    key = new_key("private", "receipts", "jpg" if content_type == "image/jpeg" else "png")
    get_storage().save(key, clean, content_type)
    receipt = TransferReceipt(payment_id=payment.id, image_key=key, content_type=content_type,
                              uploaded_by_id=buyer.id)
    db.session.add(receipt)
    services.mark_pending(payment, buyer, "transfer receipt uploaded")
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        get_storage().delete(key)
        raise
    return receipt


class AccessDenied(ServiceError):
    """The acting user may not act on this payment (views answer 404)."""


def access_denied() -> AccessDenied:
    return AccessDenied(_l("You cannot act on this payment."))


def may_review(user: User, group: CheckoutGroup) -> bool:
    """Staff, and members of the producers whose orders are in the group."""
    if user.has_role(Role.STAFF):
        return True
    producer_ids = {order.producer_id for order in group.orders}
    return db.session.scalar(select(ProducerMember.id).where(
        ProducerMember.user_id == user.id,
        ProducerMember.producer_id.in_(producer_ids)).limit(1)) is not None


def may_see_receipts(user: User, group: CheckoutGroup) -> bool:
    return group.buyer_id == user.id or may_review(user, group)


def _submitted_receipt(payment: Payment) -> TransferReceipt:
    receipt = next((r for r in reversed(payment.receipts)
                    if r.status is ReceiptStatus.SUBMITTED), None)
    if receipt is None or payment.status is not PaymentState.SUBMITTED:
        raise ServiceError(_l("There is no receipt waiting for confirmation."))
    return receipt


def confirm(actor: User, payment: Payment) -> services.Outcome:
    """The transfer arrived: every open order of the group is paid and moves to Diproses."""
    if not may_review(actor, payment.group):
        raise access_denied()
    services.lock_payment(payment)
    receipt = _submitted_receipt(payment)
    receipt.status, receipt.reviewed_by_id = ReceiptStatus.ACCEPTED, actor.id
    receipt.reviewed_at = utcnow()
    outcome = services.Outcome()
    services.mark_paid(payment, actor, outcome, "transfer confirmed")
    db.session.commit()
    services.emit(outcome)
    return outcome


def reject(actor: User, payment: Payment, reason: str) -> None:
    """Not (yet) received, or the photo shows something else: the buyer may upload again."""
    reason = (reason or "").strip()
    if not may_review(actor, payment.group):
        raise access_denied()
    if not reason:
        raise ServiceError(_l("Say why the receipt is rejected: the buyer will read it."),
                           "reason")
    services.lock_payment(payment)
    receipt = _submitted_receipt(payment)
    receipt.status, receipt.reviewed_by_id = ReceiptStatus.REJECTED, actor.id
    receipt.reviewed_at, receipt.reject_reason = utcnow(), reason[:1000]
    services.mark_unpaid(payment, actor, reason[:1000])
    db.session.commit()


def read_receipt(user: User, receipt: TransferReceipt) -> bytes:
    if not may_see_receipts(user, receipt.payment.group):
        raise access_denied()
    return get_storage().read(receipt.image_key)


def get_receipt(receipt_id: int) -> TransferReceipt | None:
    return db.session.get(TransferReceipt, receipt_id)


def submitted_payments(producer_id: int | None = None) -> list[Payment]:
    """Transfers waiting for confirmation, oldest first: all of them (the staff queue), or
    those of groups with an order of ``producer_id``."""
    query = select(Payment).where(Payment.status == PaymentState.SUBMITTED,
                                  Payment.method == MethodKey.BANK_TRANSFER)
    if producer_id is not None:
        query = query.where(Payment.group_id.in_(
            select(Order.group_id).where(Order.producer_id == producer_id)))
    return list(db.session.scalars(query.order_by(Payment.updated_at)))
