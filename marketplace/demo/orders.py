"""Demo orders and monitoring visits, so the impact dashboard tells a story from the start.

About 150 orders over the past twelve months for the verified demo producers' published
products, from buyers in several kabupaten/kota and outside East Kalimantan (Jakarta), at
every processing level; most paid and completed, some still open, unpaid, cancelled or
refunded. Each order moves through ``orders.workflow`` (so its timeline events exist) and
its timestamps are then set to the story's dates. Stock is not touched: the demo's stock
figures are what is left after these sales. Each grant of a verified producer gets a
baseline visit at handover and a later visit. Deterministic (seeded) and idempotent.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.accounts.passwords import hash_password
from marketplace.agency.models import EquipmentUse, MonitoringVisit
from marketplace.catalogue.models import Product, ProductStatus, Variant
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.orders import workflow
from marketplace.orders.models import (
    CheckoutGroup,
    Order,
    OrderLine,
    OrderStatus,
    PaymentStatus,
    ShipmentStatus,
)
from marketplace.producers.models import Producer, ProducerStatus
from marketplace.programs.models import Grant
from marketplace.regions.models import VILLAGE, Region
from marketplace.shipping.models import ShippingKind

PREFIX = "PB-DEMO-"
ORDERS = 150
#: (email, name, kabupaten/kota code): individuals, a hotel, a gift shop, an office.
BUYERS = (
    ("pembeli@demo.test", "Budi Pembeli", "64.72"),
    ("hotel.mesra@demo.test", "Hotel Mesra Samarinda", "64.72"),
    ("toko.oleholeh@demo.test", "Toko Oleh-Oleh Balikpapan", "64.71"),
    ("dewi.bontang@demo.test", "Dewi Lestari", "64.74"),
    ("arif.tenggarong@demo.test", "Arif Rahman", "64.02"),
    ("kantor.berau@demo.test", "Kantor Camat Biduk-Biduk", "64.03"),
    ("rina.jakarta@demo.test", "Rina Kusuma", "31.71"),
    ("galeri.jakarta@demo.test", "Galeri Nusantara Jakarta", "31.74"),
)
S, P, H = OrderStatus, PaymentStatus, ShipmentStatus
#: (weight, final state): most are done; a few are open, unpaid, cancelled or refunded.
OUTCOMES = ((70, "completed"), (8, "shipped"), (6, "processing"), (6, "unpaid"),
            (7, "cancelled"), (3, "refunded"))


def load_orders(seed: int = 20261129) -> int:
    """Add the demo orders and visits if none exist yet; returns the orders added."""
    if db.session.scalar(select(func.count()).select_from(CheckoutGroup).where(
            CheckoutGroup.number.like(f"{PREFIX}%"))):
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    buyers = _buyers()
    catalogue = _catalogue()
    if not buyers or not catalogue:
        return 0
    now = utcnow()
    for n in range(1, ORDERS + 1):
        buyer, village = rng.choice(buyers)
        when = now - dt.timedelta(days=rng.triangular(0, 360, 40), minutes=rng.randrange(600))
        _place(rng, n, buyer, village, rng.choice(catalogue), when)
    _visits(rng)
    db.session.commit()
    _credit_completed()
    return ORDERS


def _credit_completed() -> None:
    """What the order_completed signal does in the app: completed orders credit their
    shops' ledgers, so the demo's balances and payout list are not empty."""
    from marketplace.payments import ledger

    completed = db.session.scalars(
        select(Order).join(CheckoutGroup).where(CheckoutGroup.number.like(f"{PREFIX}%"),
                                                Order.status == S.COMPLETED))
    for order in list(completed):
        ledger.credit(order)


def _buyers() -> list[tuple[User, Region]]:
    from marketplace.demo.services import DEMO_PASSWORD

    out = []
    for email, name, regency in BUYERS:
        village = db.session.scalar(select(Region).where(
            Region.level == VILLAGE, Region.code.like(f"{regency}.%")).order_by(Region.code)
            .limit(1))
        if village is None:
            continue
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role=Role.BUYER,
                        password_hash=hash_password(DEMO_PASSWORD))
            db.session.add(user)
            db.session.flush()
        out.append((user, village))
    return out


def _catalogue() -> list[tuple[Producer, list[Variant]]]:
    """Verified producers with their published products' variants."""
    out = []
    for producer in db.session.scalars(select(Producer).where(
            Producer.status == ProducerStatus.VERIFIED).order_by(Producer.id)):
        variants = list(db.session.scalars(select(Variant).join(Product).where(
            Product.producer_id == producer.id, Product.status == ProductStatus.PUBLISHED)
            .order_by(Variant.id)))
        if variants:
            out.append((producer, variants))
    return out


def _place(rng: random.Random, n: int, buyer: User, village: Region,
           shop: tuple[Producer, list[Variant]], when: dt.datetime) -> None:
    producer, variants = shop
    picked = rng.sample(variants, k=min(len(variants), rng.choice((1, 1, 1, 2, 3))))
    lines = [OrderLine(product_id=v.product_id, variant_id=v.id, product_name=v.product.name,
                       variant_name=v.name, sku=v.sku,
                       processing_level=v.product.processing_level,
                       unit_price_idr=v.price_idr, quantity=(q := rng.choice((1, 1, 2, 3, 5))),
                       line_total_idr=v.price_idr * q, weight_grams=v.product.weight_grams)
             for v in picked]
    items = sum(line.line_total_idr for line in lines)
    local = village.code.startswith(producer.regency_code or "-")
    kind = ShippingKind.PICKUP if local and rng.random() < 0.3 else (
        ShippingKind.FLAT if local else ShippingKind.COURIER)
    shipping = {ShippingKind.PICKUP: 0, ShippingKind.FLAT: 15_000}.get(
        kind, 30_000 + 12_000 * max(1, sum(line.weight_grams * line.quantity
                                           for line in lines) // 1000))
    group = CheckoutGroup(
        number=f"{PREFIX}{n:04d}", buyer_id=buyer.id, idempotency_key=f"demo-order-{n}",
        recipient_name=buyer.name, phone="+6281234500000", street="Jl. Contoh No. 1",
        region_code=village.code, postal_code=village.postal_code or "75111",
        region_text=village.name, payment_method="bank_transfer", items_total_idr=items,
        shipping_total_idr=shipping, total_idr=items + shipping,
        expires_at=when + dt.timedelta(hours=24), created_at=when)
    order = Order(
        number=f"{group.number}-1", group=group, producer_id=producer.id, buyer_id=buyer.id,
        producer_name=producer.name, destination_regency_code=village.code[:5],
        shipping_kind=kind, shipping_method_name={
            ShippingKind.PICKUP: "Ambil di tempat", ShippingKind.FLAT: "Kirim dalam kota"}.get(
            kind, "JNE Reguler"), chargeable_weight_kg=1, items_total_idr=items,
        shipping_idr=shipping, total_idr=items + shipping, lines=lines, created_at=when,
        status=S.AWAITING_PAYMENT, payment_status=P.UNPAID, shipment_status=H.NOT_STARTED)
    db.session.add(group)
    _move(order, rng.choices([o for _, o in OUTCOMES], [w for w, _ in OUTCOMES])[0], when)


def _move(order: Order, outcome: str, when: dt.datetime) -> None:
    """Walk the order through the workflow to ``outcome``, then date its events."""
    steps: list[tuple[str, object]] = []
    if outcome == "unpaid":
        pass
    elif outcome == "cancelled":
        steps = [("status", S.CANCELLED), ("payment", P.VOID), ("shipment", H.NOT_SHIPPED)]
    else:
        steps = [("payment", P.PAID), ("status", S.PROCESSING)]
        if outcome == "refunded":
            steps += [("status", S.CANCELLED), ("shipment", H.NOT_SHIPPED),
                      ("payment", P.REFUNDED), ("status", S.REFUNDED)]
        elif outcome in ("shipped", "completed"):
            ready = H.READY_FOR_PICKUP if order.shipping_kind is ShippingKind.PICKUP \
                else H.SHIPPED
            steps += [("shipment", H.PACKING), ("shipment", ready), ("status", S.SHIPPED)]
            if outcome == "completed":
                steps += [("shipment", H.RECEIVED), ("status", S.COMPLETED)]
    change = {"status": workflow.set_status, "payment": workflow.set_payment_status,
              "shipment": workflow.set_shipment_status}
    for field, to in steps:
        reason = "Dibatalkan pembeli" if to is S.CANCELLED else ""
        change[field](order, to, None, reason)  # type: ignore[operator]
    _date(order, when)


def _date(order: Order, when: dt.datetime) -> None:
    """The story's times: each step some hours after the one before."""
    for index, event in enumerate(order.events, start=1):
        event.created_at = when + dt.timedelta(hours=6 * index)
        if event.field == "payment" and event.to_value == P.PAID.value:
            order.paid_at = event.created_at
        if event.field == "status" and event.to_value in (S.SHIPPED, S.COMPLETED, S.CANCELLED):
            setattr(order, {S.SHIPPED: "shipped_at", S.COMPLETED: "completed_at",
                            S.CANCELLED: "cancelled_at"}[S(event.to_value)], event.created_at)
    if order.status is S.SHIPPED or order.status is S.COMPLETED:
        order.courier = "" if order.shipping_kind is ShippingKind.PICKUP else "JNE"
        order.tracking_number = "" if not order.courier else f"JNE{order.number[-6:]}"


def _visits(rng: random.Random) -> None:
    staff = db.session.scalar(select(User).where(User.email == "staf@demo.test"))
    if staff is None:
        return
    for grant in db.session.scalars(select(Grant).join(Producer).where(
            Producer.status == ProducerStatus.VERIFIED).order_by(Grant.id)):
        start = grant.handover_date or (utcnow().date() - dt.timedelta(days=365))
        workers = grant.producer.workers_total or 3
        base = rng.randrange(15, 40) * 100_000
        db.session.add(MonitoringVisit(
            grant_id=grant.id, visit_date=start, officer_id=staff.id,
            equipment_use=EquipmentUse.IN_USE, turnover_idr=base, workers_total=workers,
            workers_paid=max(0, workers - 1), workers_women=min(workers, 2),
            production_volume=rng.randrange(20, 80), production_unit="unit",
            notes="Serah terima alat; data awal usaha.", is_baseline=True))
        db.session.add(MonitoringVisit(
            grant_id=grant.id, visit_date=utcnow().date() - dt.timedelta(days=60),
            officer_id=staff.id, equipment_use=EquipmentUse.IN_USE,
            turnover_idr=base * rng.randrange(14, 25) // 10, workers_total=workers + 2,
            workers_paid=workers + 1, workers_women=min(workers + 2, 3),
            production_volume=rng.randrange(80, 200), production_unit="unit",
            notes="Alat dipakai setiap hari; penjualan daring berjalan."))
