"""Benchmark orders: ``seed-bench`` tops the database up to ``lines`` order lines (200,000 by
default) spread over the last two years, for the impact dashboard's benchmark.

Core executemany in batches, deterministic (seeded random). Buyers are 5,000 accounts that
cannot sign in; destinations are villages all over East Kalimantan and Jakarta, about a
third in the producer's own kabupaten/kota. No stock moves and no timeline events: these
rows exist to be counted, not to be worked on.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from sqlalchemy import func, insert, select

from marketplace.accounts.models import Role, User
from marketplace.catalogue.models import Product, Variant
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.orders.models import (
    CheckoutGroup,
    Order,
    OrderLine,
    OrderStatus,
    PaymentStatus,
    ShipmentStatus,
)
from marketplace.producers.models import Producer
from marketplace.regions.models import VILLAGE, Region
from marketplace.shipping.models import ShippingKind

BATCH = 5000
BUYERS = 5000
PREFIX = "PB-BENCH-"
#: (weight, status, payment, shipment)
OUTCOMES = (
    (85, OrderStatus.COMPLETED, PaymentStatus.PAID, ShipmentStatus.RECEIVED),
    (5, OrderStatus.AWAITING_PAYMENT, PaymentStatus.UNPAID, ShipmentStatus.NOT_STARTED),
    (7, OrderStatus.CANCELLED, PaymentStatus.VOID, ShipmentStatus.NOT_SHIPPED),
    (3, OrderStatus.REFUNDED, PaymentStatus.REFUNDED, ShipmentStatus.NOT_SHIPPED),
)


def seed_orders(lines: int, seed_value: int = 20261130) -> int:
    """Add bench orders until there are at least ``lines`` order lines; returns lines added."""
    have = db.session.scalar(select(func.count()).select_from(OrderLine)) or 0
    if have >= lines:
        return 0
    rng = random.Random(seed_value + have)  # noqa: S311 - reproducible data, not secrets
    buyers = _buyers()
    villages = _villages()
    variants = _variants()
    if not variants or not villages:
        return 0
    by_producer: dict[int, list[tuple]] = defaultdict(list)
    for variant in variants:
        by_producer[variant[2]].append(variant)
    start = db.session.scalar(select(func.count()).select_from(CheckoutGroup).where(
        CheckoutGroup.number.like(f"{PREFIX}%"))) or 0
    added, n = 0, start
    while added < lines - have:
        batch = []
        for _ in range(BATCH):
            n += 1
            batch.append(_order(rng, n, buyers, villages, variants, by_producer))
        added += _insert(batch)
    db.session.commit()
    return added


def _buyers() -> list[int]:
    have = db.session.scalar(select(func.count()).select_from(User).where(
        User.email.like("bench-buyer-%"))) or 0
    rows = [{"email": f"bench-buyer-{n}@bench.test", "name": f"Pembeli {n}",
             "password_hash": "!", "role": Role.BUYER, "locale": "id", "session_version": 1,
             "active": True, "created_at": utcnow()} for n in range(have, BUYERS)]
    for first in range(0, len(rows), BATCH):
        db.session.execute(insert(User.__table__), rows[first:first + BATCH])
    return list(db.session.scalars(select(User.id).where(User.email.like("bench-buyer-%"))))


def _villages() -> dict[str, list[tuple[str, str]]]:
    """{kabupaten/kota: [(village code, postal code)]} for Kaltim and Jakarta."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, postal in db.session.execute(select(Region.code, Region.postal_code).where(
            Region.level == VILLAGE, Region.code.like("64.%") | Region.code.like("31.%"))):
        out[code[:5]].append((code, postal or "75111"))
    return dict(out)


def _variants() -> list[tuple[int, int, int, str, str, int, int, str, str]]:
    """(variant, product, producer, product name, level, price, weight, producer name,
    producer regency) for a sample of products: enough variety, little memory."""
    return [tuple(row) for row in db.session.execute(
        select(Variant.id, Product.id, Product.producer_id, Product.name,
               Product.processing_level, Variant.price_idr, Product.weight_grams,
               Producer.name, func.substr(Producer.region_code, 1, 5))
        .join(Product, Product.id == Variant.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .where(Product.id % 5 == 0))]  # type: ignore[misc]


def _order(rng: random.Random, n: int, buyers: list[int],
           villages: dict[str, list[tuple[str, str]]], variants: list[tuple],
           variants_by_producer: dict[int, list[tuple]]) -> dict:
    first = rng.choice(variants)
    shop = variants_by_producer[first[2]]
    picked = rng.sample(shop, k=min(len(shop), rng.choice((1, 2, 2, 3))))
    first = picked[0]
    regency = first[8] if rng.random() < 0.35 and first[8] in villages else \
        rng.choice(list(villages))
    village, postal = rng.choice(villages[regency])
    when = utcnow() - dt.timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
    outcome = rng.choices(OUTCOMES, [o[0] for o in OUTCOMES])[0]
    lines = [{"product_id": v[1], "variant_id": v[0], "product_name": v[3],
              "variant_name": "", "sku": "", "processing_level": v[4],
              "unit_price_idr": v[5], "quantity": (q := rng.choice((1, 1, 1, 2, 3))),
              "line_total_idr": v[5] * q, "weight_grams": v[6]} for v in picked]
    items = sum(line["line_total_idr"] for line in lines)
    return {"n": n, "buyer": rng.choice(buyers), "village": village, "postal": postal,
            "when": when, "outcome": outcome, "producer": first[2], "producer_name": first[7],
            "items": items, "lines": lines}


def _insert(batch: list[dict]) -> int:
    groups = [{"number": f"{PREFIX}{o['n']:07d}", "buyer_id": o["buyer"],
               "idempotency_key": f"bench-{o['n']}", "recipient_name": "Pembeli",
               "phone": "+6281200000000", "street": "Jl. Bench", "rt": "", "rw": "",
               "region_code": o["village"], "postal_code": o["postal"], "region_text": "",
               "payment_method": "bank_transfer", "items_total_idr": o["items"],
               "shipping_total_idr": 20_000, "total_idr": o["items"] + 20_000,
               "expires_at": o["when"] + dt.timedelta(hours=24), "created_at": o["when"]}
              for o in batch]
    group_ids = _returning_ids(CheckoutGroup, groups)
    orders = []
    for o, group_id in zip(batch, group_ids, strict=True):
        _, status, payment, shipment = o["outcome"]
        paid = payment in (PaymentStatus.PAID, PaymentStatus.REFUNDED)
        orders.append({
            "number": f"{PREFIX}{o['n']:07d}-1", "group_id": group_id,
            "producer_id": o["producer"], "buyer_id": o["buyer"], "status": status,
            "payment_status": payment, "shipment_status": shipment,
            "producer_name": o["producer_name"][:120],
            "destination_regency_code": o["village"][:5], "shipping_method_id": None,
            "shipping_kind": ShippingKind.COURIER, "shipping_method_name": "JNE Reguler",
            "chargeable_weight_kg": 1, "items_total_idr": o["items"], "shipping_idr": 20_000,
            "total_idr": o["items"] + 20_000, "note": "", "courier": "", "tracking_number": "",
            "cancel_reason": "", "created_at": o["when"], "updated_at": o["when"],
            "paid_at": o["when"] + dt.timedelta(hours=2) if paid else None,
            "shipped_at": None, "completed_at": None, "cancelled_at": None})
    order_ids = _returning_ids(Order, orders)
    lines = [{**line, "order_id": order_id}
             for o, order_id in zip(batch, order_ids, strict=True) for line in o["lines"]]
    db.session.execute(insert(OrderLine.__table__), lines)
    return len(lines)


def _returning_ids(model: type, rows: list[dict]) -> list[int]:
    table = model.__table__  # type: ignore[attr-defined]
    result = db.session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]
