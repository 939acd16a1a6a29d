"""The producers' ledger: a completed order credits its total minus the platform fee; a
payout (a treasurer's bank transfer recorded by staff, or a Stripe Connect transfer) debits
it. A producer's balance is the sum of its entries.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role, User
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.formatting import rupiah
from marketplace.orders.models import Order, OrderStatus
from marketplace.payments import services, stripe_gateway
from marketplace.payments.models import (
    ConnectAccount,
    LedgerEntry,
    LedgerKind,
    Payout,
    PayoutMethod,
    PlatformSetting,
)
from marketplace.producers.models import Producer

log = logging.getLogger(__name__)
FEE_KEY = "platform_fee_basis_points"


def fee_basis_points() -> int:
    """The platform fee in hundredths of a percent (0 by default: a government programme)."""
    setting = db.session.get(PlatformSetting, FEE_KEY)
    return int(setting.value) if setting is not None else 0


def set_fee(actor: User, percent: str) -> None:
    if not actor.has_role(Role.ADMIN):
        raise ServiceError(_l("Only administrators can change the platform fee."))
    try:
        value = Decimal((percent or "").strip().replace(",", "."))
    except InvalidOperation as error:
        raise ServiceError(_l("Enter a percentage between 0 and 100."), "percent") from error
    if not value.is_finite() or not 0 <= value <= 100:
        raise ServiceError(_l("Enter a percentage between 0 and 100."), "percent")
    points = int((value * 100).to_integral_value(ROUND_HALF_UP))
    setting = db.session.get(PlatformSetting, FEE_KEY) or PlatformSetting(key=FEE_KEY)
    setting.value, setting.updated_by_id = str(points), actor.id
    db.session.add(setting)
    db.session.commit()


def fee_for(amount_idr: int, basis_points: int) -> int:
    return int((Decimal(amount_idr) * basis_points / 10_000).to_integral_value(ROUND_HALF_UP))


def credit(order: Order) -> bool:
    """Credit a completed order once (the unique key makes a second call a no-op); commits."""
    if order.status is not OrderStatus.COMPLETED:
        return False
    fee = fee_for(order.total_idr, fee_basis_points())
    try:
        with db.session.begin_nested():
            db.session.add(LedgerEntry(producer_id=order.producer_id, order_id=order.id,
                                       kind=LedgerKind.CREDIT, amount_idr=order.total_idr))
            if fee:
                db.session.add(LedgerEntry(producer_id=order.producer_id, order_id=order.id,
                                           kind=LedgerKind.FEE, amount_idr=-fee))
    except IntegrityError:
        return False
    db.session.commit()
    return True


def on_order_completed(sender: object, **kwargs: Any) -> None:
    order = kwargs.get("order") or sender
    if isinstance(order, Order) and credit(order):
        _maybe_transfer(order.producer)


def balance(producer: Producer) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_idr), 0))
                                 .where(LedgerEntry.producer_id == producer.id)) or 0)


def entries(producer: Producer, limit: int = 100) -> list[LedgerEntry]:
    return list(db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.producer_id == producer.id).order_by(LedgerEntry.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Balance:
    producer: Producer
    amount_idr: int


def balances() -> list[Balance]:
    """Every producer with money to receive, largest first (the staff's payout list)."""
    total = func.sum(LedgerEntry.amount_idr)
    rows = db.session.execute(
        select(Producer, total).join(LedgerEntry, LedgerEntry.producer_id == Producer.id)
        .group_by(Producer.id).having(total > 0).order_by(total.desc(), Producer.name))
    return [Balance(producer, int(amount)) for producer, amount in rows]


def payout_csv() -> str:
    """The payout list for the treasurer: one line per producer with a balance."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["producer_id", "producer", "owner", "nib", "amount_idr"])
    for row in balances():
        writer.writerow([row.producer.id, _safe(row.producer.name),
                         _safe(row.producer.owner_name), _safe(row.producer.nib or ""),
                         row.amount_idr])
    return out.getvalue()


def _safe(text: str) -> str:
    """No spreadsheet formulas from typed names (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def record_payout(actor: User, producer: Producer, amount_idr: int, reference: str,
                  method: PayoutMethod = PayoutMethod.MANUAL) -> Payout:
    """A payout made: never more than the balance; debits the ledger (commits)."""
    if not actor.has_role(Role.STAFF):
        raise ServiceError(_l("Only the agency's staff can record payouts."))
    reference = (reference or "").strip()
    if not reference:
        raise ServiceError(_l("Enter the reference of the bank transfer."), "reference")
    available = balance(producer)
    if amount_idr <= 0 or amount_idr > available:
        raise ServiceError(_l("A payout can be at most the balance: %(amount)s.",
                              amount=rupiah(available)), "amount")
    payout = Payout(producer_id=producer.id, amount_idr=amount_idr, reference=reference[:255],
                    method=method, actor_id=actor.id)
    db.session.add(payout)
    db.session.flush()
    db.session.add(LedgerEntry(producer_id=producer.id, payout_id=payout.id,
                               kind=LedgerKind.PAYOUT, amount_idr=-amount_idr))
    db.session.commit()
    return payout


def payouts(producer: Producer | None = None, limit: int = 50) -> list[Payout]:
    query = select(Payout).order_by(Payout.id.desc()).limit(limit)
    if producer is not None:
        query = query.where(Payout.producer_id == producer.id)
    return list(db.session.scalars(query))


# --- Stripe Connect ----------------------------------------------------------------------------

def connect_enabled() -> bool:
    config = current_app.config
    return bool(config.get("STRIPE_CONNECT_ENABLED") and config.get("STRIPE_SECRET_KEY"))


def onboarding_url(actor: User, producer: Producer, refresh_url: str, return_url: str) -> str:
    """An Express account for the producer (made once) and its onboarding link."""
    if not connect_enabled():
        raise ServiceError(_l("Stripe payouts are not enabled."))
    account = db.session.get(ConnectAccount, producer.id)
    db.session.commit()  # hold no transaction (nor SQLite's write lock) while Stripe answers
    if account is None:
        account_id = stripe_gateway.create_express_account(
            email=actor.email, producer_id=producer.id,
            idempotency_key=f"connect-account-{producer.id}")
        account = ConnectAccount(producer_id=producer.id, stripe_account_id=account_id)
        db.session.add(account)
        db.session.commit()
    return stripe_gateway.create_account_link(account_id=account.stripe_account_id,
                                              refresh_url=refresh_url, return_url=return_url)


def refresh_account(producer: Producer) -> bool:
    account = db.session.get(ConnectAccount, producer.id)
    if account is None:
        return False
    account.ready = stripe_gateway.account_ready(account.stripe_account_id)
    db.session.commit()
    return account.ready


def handle_account_updated(event_id: str, obj: dict[str, Any]) -> str:
    """``account.updated`` (a Connect event): a producer may have finished onboarding
    without coming back to its balance page, or lost its payouts. Readiness is read again
    from Stripe (not from the event, which may be older than the account); an account that
    just became ready is paid its balance at once."""
    account_id = obj.get("id")
    account = db.session.scalar(select(ConnectAccount).where(
        ConnectAccount.stripe_account_id == account_id)) if isinstance(account_id, str) else None
    db.session.commit()  # hold no transaction (nor SQLite's write lock) while Stripe answers
    ready = stripe_gateway.account_ready(account.stripe_account_id) if account else False
    if not services.record_event(event_id, "account.updated"):
        return "duplicate"
    if account is None:
        db.session.commit()
        return "ignored"
    became_ready = ready and not account.ready
    account.ready = ready
    db.session.commit()
    if became_ready:
        producer = db.session.get(Producer, account.producer_id)
        if producer is not None:
            _maybe_transfer(producer)
    return "handled"


def _maybe_transfer(producer: Producer) -> None:
    """Pay a producer's whole balance by a Stripe transfer when its account is ready."""
    account = db.session.get(ConnectAccount, producer.id)
    amount = balance(producer)
    if not connect_enabled() or account is None or not account.ready or amount <= 0:
        return
    count = db.session.scalar(select(func.count(Payout.id))
                              .where(Payout.producer_id == producer.id)) or 0
    account_id, name = account.stripe_account_id, producer.name
    db.session.commit()  # hold no transaction (nor SQLite's write lock) while Stripe answers
    try:
        transfer_id = stripe_gateway.create_transfer(
            account_id=account_id, amount_idr=amount,
            description=f"Pasar Binaan payout {name}",
            idempotency_key=f"payout-{producer.id}-{count + 1}")
    except stripe_gateway.GatewayError:
        log.exception("Stripe transfer to producer %s failed", producer.id)
        return
    payout = Payout(producer_id=producer.id, amount_idr=amount, reference=transfer_id,
                    method=PayoutMethod.STRIPE)
    db.session.add(payout)
    db.session.flush()
    db.session.add(LedgerEntry(producer_id=producer.id, payout_id=payout.id,
                               kind=LedgerKind.PAYOUT, amount_idr=-amount))
    db.session.commit()
