"""Placing a checkout: one checkout group, one order per producer, in one transaction.

Everything the buyer sent is checked again here (address, shipping options, notes, payment
method, the total they saw); stock is taken with conditional UPDATEs in variant-id order (so
two checkouts never wait on each other in a cycle); any refusal rolls the whole transaction
back. A form carries a random idempotency key: sending it again returns the group it placed.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.addresses.services import region_text
from marketplace.cart.models import CartItem
from marketplace.checkout.quote import Choice, ProducerQuote, Quote, build_quote
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.formatting import WITA
from marketplace.orders import signals, workflow
from marketplace.orders.models import CheckoutGroup, Order, OrderEvent, OrderLine, OrderStatus

_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
_NUMBER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def _new_number() -> str:
    """e.g. PB-261129-K7M3QX: the day in WITA and six characters that cannot be misread."""
    day = utcnow().astimezone(WITA).strftime("%y%m%d")
    return f"PB-{day}-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(6))


def _group_by_key(key: str) -> CheckoutGroup | None:
    return db.session.scalars(
        select(CheckoutGroup).where(CheckoutGroup.idempotency_key == key)).first()


def _already_placed(buyer: User, key: str) -> CheckoutGroup | None:
    group = _group_by_key(key)
    if group is not None and group.buyer_id != buyer.id:
        raise ServiceError(_l("This checkout form is not valid any more. Please open the "
                              "checkout again."))
    return group


def _check_ready(quote: Quote, expected_total: object) -> None:
    if quote.summary.empty:
        raise ServiceError(_l("Your cart is empty."))
    for group in quote.summary.groups:
        for line in group.lines:
            if line.problem and line.variant.stock < line.quantity:
                raise _out_of_stock(line.product.name, line.quantity)
            if line.problem:
                raise ServiceError(_l("“%(product)s”: %(problem)s", product=line.product.name,
                                      problem=line.problem))
    if str(expected_total or "").strip() != str(quote.total_idr):
        raise ServiceError(_l("The prices or shipping costs changed since the page was "
                              "shown. Check the new total and press “Pay” again."))


def _out_of_stock(product: str, quantity: int) -> ServiceError:
    return ServiceError(_l("Sorry, out of stock: “%(product)s” no longer has %(n)d left. "
                           "Nothing was ordered; lower the quantity in your cart or remove "
                           "it.", product=product, n=quantity))


def _reserve(quote: Quote) -> None:
    """Take the stock of every line, in variant-id order; ServiceError ("stok habis")
    naming the product when any is short."""
    lines = sorted((line for group in quote.summary.groups for line in group.lines),
                   key=lambda line: line.variant.id)
    for line in lines:
        if not workflow.reserve_stock(line.variant.id, line.quantity):
            raise _out_of_stock(line.product.name, line.quantity)
    workflow.refresh_in_stock({line.product.id for line in lines})


def _order(buyer: User, quote: Quote, part: ProducerQuote, number: str) -> Order:
    assert part.chosen is not None and quote.address is not None
    method = part.chosen.method
    lines = [OrderLine(
        product_id=line.product.id, variant_id=line.variant.id, product_name=line.product.name,
        variant_name=line.variant.name, sku=line.variant.sku,
        processing_level=line.product.processing_level, unit_price_idr=line.unit_price_idr,
        quantity=line.quantity, line_total_idr=line.total_idr,
        weight_grams=line.product.weight_grams) for line in part.group.lines]
    return Order(
        number=number, producer_id=part.group.producer.id, buyer_id=buyer.id,
        producer_name=part.group.producer.name,
        destination_regency_code=quote.address.regency_code, shipping_method_id=method.id,
        shipping_kind=method.kind, shipping_method_name=method.name,
        chargeable_weight_kg=part.chosen.weight_kg, items_total_idr=part.group.subtotal_idr,
        shipping_idr=part.shipping_idr, total_idr=part.total_idr, note=part.note, lines=lines,
        events=[OrderEvent(field="status", from_value=None,
                           to_value=OrderStatus.AWAITING_PAYMENT.value, actor_id=buyer.id)])


def _group(buyer: User, quote: Quote, key: str) -> CheckoutGroup:
    address = quote.address
    assert address is not None
    number = _new_number()
    hours = current_app.config["ORDER_PAYMENT_HOURS"]
    group = CheckoutGroup(
        number=number, buyer_id=buyer.id, idempotency_key=key,
        recipient_name=address.recipient_name, phone=address.phone, street=address.street,
        rt=address.rt, rw=address.rw, region_code=address.region_code,
        postal_code=address.postal_code, region_text=region_text(address.region_code),
        payment_method=quote.payment_method, items_total_idr=quote.items_total_idr,
        shipping_total_idr=quote.shipping_total_idr, total_idr=quote.total_idr,
        expires_at=utcnow() + dt.timedelta(hours=hours))
    group.orders = [_order(buyer, quote, part, f"{number}-{n}")
                    for n, part in enumerate(quote.producers, start=1)]
    db.session.add(group)
    return group


def _empty_cart(quote: Quote) -> None:
    ids = [line.item.id for group in quote.summary.groups for line in group.lines]
    db.session.execute(delete(CartItem).where(CartItem.id.in_(ids))
                       .execution_options(synchronize_session=False))


def place(buyer: User, choice: Choice) -> CheckoutGroup:
    """Place the buyer's cart as ``choice`` says, or raise ServiceError with nothing changed.
    The same idempotency key again returns the group already placed."""
    key = (choice.idempotency_key or "").strip()
    if not _KEY.fullmatch(key):
        raise ServiceError(_l("This checkout form is not valid any more. Please open the "
                              "checkout again."))
    existing = _already_placed(buyer, key)
    if existing is not None:
        return existing
    try:
        quote = build_quote(buyer, choice, strict=True)
        _check_ready(quote, choice.expected_total)
        _reserve(quote)
        group = _group(buyer, quote, key)
        _empty_cart(quote)
        db.session.commit()
    except ServiceError:
        db.session.rollback()
        raise
    except IntegrityError:
        # The same form sent twice at once: the other request placed it.
        db.session.rollback()
        existing = _already_placed(buyer, key)
        if existing is None:
            raise
        return existing
    signals.orders_placed.send(group, actor=buyer)
    return group
