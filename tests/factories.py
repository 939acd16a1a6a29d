"""Factories: plain functions with overridable keywords."""

from __future__ import annotations

import datetime as dt
import itertools

from werkzeug.security import generate_password_hash

from marketplace.accounts.models import Role, User
from marketplace.accounts.passwords import hash_password
from marketplace.catalogue.models import ProcessingLevel, Product, ProductStatus, Variant
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.orders.models import (
    CheckoutGroup,
    Order,
    OrderLine,
    OrderStatus,
    PaymentStatus,
)
from marketplace.producers.models import (
    MemberRole,
    Producer,
    ProducerMember,
    ProducerStatus,
    ProducerType,
    Sector,
)
from marketplace.programs.models import AidProgram, FundingSource
from marketplace.shipping.models import ShippingKind
from tests.conftest import FAST_HASH

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = generate_password_hash(PASSWORD, method=FAST_HASH)
_counter = itertools.count(1)


def make_user(role: Role = Role.BUYER, email: str | None = None, name: str | None = None,
              password: str | None = None, **fields: object) -> User:
    n = next(_counter)
    user = User(
        email=(email or f"user{n}@example.test").lower(),
        name=name or f"Pengguna {n}",
        role=role,
        password_hash=hash_password(password) if password else _PASSWORD_HASH,
        **fields,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_producer(owner: User | None = None, *, status: ProducerStatus = ProducerStatus.VERIFIED,
                  name: str | None = None, sector: Sector = Sector.RATTAN,
                  type: ProducerType = ProducerType.INDIVIDUAL,
                  region_code: str = "64.03.08.2001", **fields: object) -> Producer:
    """A producer (verified by default) with ``owner`` as its owner member, if given."""
    n = next(_counter)
    producer = Producer(
        slug=f"produsen-{n}", name=name or f"Produsen {n}", type=type, sector=sector,
        region_code=region_code, owner_name=owner.name if owner else f"Pemilik {n}",
        status=status, **fields,
    )
    db.session.add(producer)
    db.session.flush()
    if owner is not None:
        db.session.add(ProducerMember(producer_id=producer.id, user_id=owner.id,
                                      role=MemberRole.OWNER))
    db.session.commit()
    return producer


def make_program(**fields: object) -> AidProgram:
    values = {"name": "Bantuan Alat Mesin Jahit 2024", "fiscal_year": 2024,
              "funding_source": FundingSource.APBD, "legal_basis": "SK 500/123/2024",
              "budget_idr": 750_000_000, **fields}
    program = AidProgram(**values)
    db.session.add(program)
    db.session.commit()
    return program


# --- catalogue and orders ----------------------------------------------------------------------

def make_product(producer: Producer, name: str = "Tas Anyam Rotan", *,
                 variants: tuple[tuple[str, int, int], ...] = (("", 350_000, 10),),
                 processing_level: ProcessingLevel = ProcessingLevel.FINISHED,
                 status: ProductStatus = ProductStatus.PUBLISHED,
                 category_slug: str = "tas-anyaman",
                 **fields: object) -> Product:
    """A product as the catalogue services leave it: variants (name, price, stock) and the
    derived columns. Needs the default categories (loaded here if missing)."""
    from marketplace.catalogue import services
    from marketplace.catalogue.categories import by_slug, ensure_default_categories

    ensure_default_categories()
    values: dict[str, object] = {"weight_grams": 500, "length_cm": 30, "width_cm": 20,
                                 "height_cm": 10, **fields}
    product = Product(producer_id=producer.id, category_id=by_slug(category_slug).id, name=name,
                      slug="produk", processing_level=processing_level, status=status,
                      published_at=utcnow() if status is ProductStatus.PUBLISHED else None,
                      **values)
    product.variants = [Variant(name=v, price_idr=p, stock=s, position=i)
                        for i, (v, p, s) in enumerate(variants)]
    db.session.add(product)
    db.session.flush()
    services.refresh(product)
    db.session.commit()
    return product


def make_order(buyer: User, items: list[tuple[Variant, int]], *,
               status: OrderStatus = OrderStatus.AWAITING_PAYMENT,
               payment_status: PaymentStatus = PaymentStatus.UNPAID,
               shipping_idr: int = 20_000, destination: str = "64.72.01.1001",
               payment_method: str = "bank_transfer", created_at: dt.datetime | None = None,
               group: CheckoutGroup | None = None) -> Order:
    """One order for the producer of the given variants, in a new checkout group (or
    ``group``), straight into the database: no stock is reserved and no event written."""
    producer = items[0][0].product.producer
    when = created_at or utcnow()
    if group is None:
        n = next(_counter)
        group = CheckoutGroup(
            number=f"PB-TEST-{n:06d}", buyer_id=buyer.id, idempotency_key=f"test-{n}",
            recipient_name=buyer.name, phone="+6281234567890", street="Jl. Uji No. 1",
            region_code=destination, postal_code="75111", region_text="Samarinda",
            payment_method=payment_method, items_total_idr=0, shipping_total_idr=0,
            total_idr=0, expires_at=when + dt.timedelta(hours=24), created_at=when)
        db.session.add(group)
    lines = [OrderLine(product_id=v.product_id, variant_id=v.id, product_name=v.product.name,
                       variant_name=v.name, sku=v.sku,
                       processing_level=v.product.processing_level, unit_price_idr=v.price_idr,
                       quantity=q, line_total_idr=v.price_idr * q,
                       weight_grams=v.product.weight_grams) for v, q in items]
    items_total = sum(line.line_total_idr for line in lines)
    order = Order(
        number=f"{group.number}-{len(group.orders) + 1}", group=group, producer_id=producer.id,
        buyer_id=buyer.id, status=status, payment_status=payment_status,
        producer_name=producer.name, destination_regency_code=destination[:5],
        shipping_kind=ShippingKind.FLAT, shipping_method_name="Kirim dalam kota",
        chargeable_weight_kg=1, items_total_idr=items_total, shipping_idr=shipping_idr,
        total_idr=items_total + shipping_idr, lines=lines, created_at=when,
        paid_at=when if payment_status is PaymentStatus.PAID else None)
    db.session.add(order)
    group.items_total_idr += items_total
    group.shipping_total_idr += shipping_idr
    group.total_idr += items_total + shipping_idr
    db.session.commit()
    return order
