"""Orders: one checkout group per checkout, holding one order per producer.

Each order keeps three statuses apart: what the order is (``status``), where its money is
(``payment_status``) and where its parcel is (``shipment_status``). Every change of any of
them writes an :class:`OrderEvent` (who, when, from, to, why): the timeline buyers, producers
and staff see. The allowed changes are the tables in :mod:`marketplace.orders.workflow`.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalogue.models import ProcessingLevel
from marketplace.db import created_at, intpk, str_enum, utcnow
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.shipping.models import ShippingKind


class OrderStatus(enum.StrEnum):
    AWAITING_PAYMENT = "menunggu_pembayaran"
    PROCESSING = "diproses"
    SHIPPED = "dikirim"
    COMPLETED = "selesai"
    CANCELLED = "dibatalkan"
    REFUNDED = "dikembalikan"


class PaymentStatus(enum.StrEnum):
    UNPAID = "belum_dibayar"
    #: A transfer receipt or an asynchronous payment waits for confirmation.
    PENDING = "menunggu_konfirmasi"
    PAID = "dibayar"
    FAILED = "gagal"
    #: Unpaid and closed (expired or cancelled before payment): nothing to refund.
    VOID = "batal"
    REFUND_PENDING = "refund_diproses"
    REFUNDED = "direfund"


class ShipmentStatus(enum.StrEnum):
    NOT_STARTED = "belum_diproses"
    PACKING = "dikemas"
    SHIPPED = "dikirim"
    READY_FOR_PICKUP = "siap_diambil"
    RECEIVED = "diterima"
    NOT_SHIPPED = "tidak_dikirim"  # cancelled before it left


class CheckoutGroup(db.Model):
    """What one checkout placed: the delivery address (copied), the payment method and the
    totals over its orders. Payment is per group; fulfilment is per order."""

    __tablename__ = "checkout_groups"

    id: Mapped[intpk]
    #: Public, e.g. "PB-261129-K7M3QX".
    number: Mapped[str] = mapped_column(String(24), unique=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: From the checkout form: a resubmitted or double-clicked checkout places nothing twice.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: The address as it was at checkout.
    recipient_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(16))
    street: Mapped[str] = mapped_column(String(200))
    rt: Mapped[str] = mapped_column(String(3), default="")
    rw: Mapped[str] = mapped_column(String(3), default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    postal_code: Mapped[str] = mapped_column(String(5))
    #: Kelurahan, kecamatan, kabupaten/kota and province names, as printed on a label.
    region_text: Mapped[str] = mapped_column(String(300))
    #: e.g. "bank_transfer", "stripe" (the payments package's method keys).
    payment_method: Mapped[str] = mapped_column(String(20))
    items_total_idr: Mapped[int] = mapped_column(BigInteger)
    shipping_total_idr: Mapped[int] = mapped_column(BigInteger)
    total_idr: Mapped[int] = mapped_column(BigInteger)
    #: Unpaid orders are cancelled and their stock returned after this.
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    created_at: Mapped[created_at]

    buyer: Mapped[User] = relationship()
    orders: Mapped[list[Order]] = relationship(back_populates="group", order_by="Order.id")


class Order(db.Model):
    """One producer's part of a checkout group."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_producer_status", "producer_id", "status"),
        Index("ix_orders_producer_created", "producer_id", "created_at"),
        CheckConstraint("items_total_idr >= 0 AND shipping_idr >= 0", name="totals_not_negative"),
    )

    id: Mapped[intpk]
    #: Public: the group's number and a suffix, e.g. "PB-261129-K7M3QX-1".
    number: Mapped[str] = mapped_column(String(28), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("checkout_groups.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(
        str_enum(OrderStatus, "order_status"), default=OrderStatus.AWAITING_PAYMENT, index=True)
    payment_status: Mapped[PaymentStatus] = mapped_column(
        str_enum(PaymentStatus, "order_payment_status"), default=PaymentStatus.UNPAID)
    shipment_status: Mapped[ShipmentStatus] = mapped_column(
        str_enum(ShipmentStatus, "order_shipment_status"), default=ShipmentStatus.NOT_STARTED)
    #: Copied at checkout.
    producer_name: Mapped[str] = mapped_column(String(120))
    #: The buyer's kabupaten/kota ("64.72"): market reach compares it with the producer's.
    destination_regency_code: Mapped[str] = mapped_column(String(5), index=True)
    shipping_method_id: Mapped[int | None] = mapped_column(ForeignKey("shipping_methods.id"))
    shipping_kind: Mapped[ShippingKind] = mapped_column(
        str_enum(ShippingKind, "order_shipping_kind", length=10))
    shipping_method_name: Mapped[str] = mapped_column(String(80))
    #: Chargeable weight: max(real, length x width x height / 6000), rounded up to whole kg.
    chargeable_weight_kg: Mapped[int] = mapped_column(default=0)
    items_total_idr: Mapped[int] = mapped_column(BigInteger)
    shipping_idr: Mapped[int] = mapped_column(BigInteger)
    total_idr: Mapped[int] = mapped_column(BigInteger)
    #: The buyer's note to this producer.
    note: Mapped[str] = mapped_column(Text, default="")
    #: Set when shipped: the courier actually used and its tracking number (nomor resi).
    courier: Mapped[str] = mapped_column(String(40), default="")
    tracking_number: Mapped[str] = mapped_column(String(60), default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]
    paid_at: Mapped[dt.datetime | None]
    shipped_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    group: Mapped[CheckoutGroup] = relationship(back_populates="orders")
    producer: Mapped[Producer] = relationship()
    buyer: Mapped[User] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id")
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id")


class OrderLine(db.Model):
    """What was bought, copied at the moment of purchase: later edits to the product change
    nothing here."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_idr > 0", name="price_positive"),
    )

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("product_variants.id"))
    product_name: Mapped[str] = mapped_column(String(120))
    variant_name: Mapped[str] = mapped_column(String(80), default="")
    sku: Mapped[str] = mapped_column(String(40), default="")
    #: The agency measures hilirisasi with it, so it is copied too.
    processing_level: Mapped[ProcessingLevel] = mapped_column(
        str_enum(ProcessingLevel, "line_processing_level"))
    unit_price_idr: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int]
    line_total_idr: Mapped[int] = mapped_column(BigInteger)
    #: Per unit, for the packing slip and the chargeable weight.
    weight_grams: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderEvent(db.Model):
    """One change on an order's timeline: a status, payment or shipment change, a refund
    or a note."""

    __tablename__ = "order_events"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    #: None for the system (expiry, auto-completion, a payment provider's webhook).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: "status", "payment", "shipment", "refund" or "note".
    field: Mapped[str] = mapped_column(String(20))
    from_value: Mapped[str | None] = mapped_column(String(32))
    to_value: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
