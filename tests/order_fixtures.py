"""Shared set-up of the order fulfilment tests: a shop with a product, a buyer, orders."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.accounts.models import Role, User
from marketplace.catalogue.models import Variant
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus, PaymentStatus
from marketplace.producers.models import Producer
from marketplace.shipping.models import ShippingKind
from tests.factories import make_order, make_producer, make_product, make_user


@dataclass
class Shop:
    owner: User
    producer: Producer
    variant: Variant
    buyer: User


def make_shop(stock: int = 10, **owner_fields: object) -> Shop:
    owner = make_user(Role.PRODUCER, **owner_fields)
    producer = make_producer(owner, whatsapp="+6281234567890")
    product = make_product(producer, variants=(("", 150_000, stock),))
    return Shop(owner, producer, product.variants[0], make_user())


def paid_order(shop: Shop, quantity: int = 2, kind: ShippingKind = ShippingKind.FLAT,
               **kwargs: object) -> Order:
    order = make_order(shop.buyer, [(shop.variant, quantity)], status=OrderStatus.PROCESSING,
                       payment_status=PaymentStatus.PAID, **kwargs)
    if kind is not ShippingKind.FLAT:
        order.shipping_kind = kind
        db.session.commit()
    return order


def unpaid_order(shop: Shop, quantity: int = 2, **kwargs: object) -> Order:
    return make_order(shop.buyer, [(shop.variant, quantity)], **kwargs)


def stock_of(variant_id: int) -> int:
    variant = db.session.get(Variant, variant_id)
    db.session.refresh(variant)
    return variant.stock


def reload(order: Order) -> Order:
    db.session.refresh(order)
    return order
