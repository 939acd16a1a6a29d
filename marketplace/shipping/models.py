from __future__ import annotations

import enum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import created_at, intpk, str_enum
from marketplace.extensions import db


class ShippingKind(enum.StrEnum):
    PICKUP = "pickup"  # ambil di tempat: free, collected at the shop
    FLAT = "flat"  # one price per destination, whatever the weight
    COURIER = "courier"  # first kilogram + each further kilogram, by destination zone


class ShippingMethod(db.Model):
    """One way a producer delivers, e.g. "Ambil di tempat", "Kirim dalam kota", "JNE REG"."""

    __tablename__ = "shipping_methods"

    id: Mapped[intpk]
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    kind: Mapped[ShippingKind] = mapped_column(str_enum(ShippingKind, "shipping_kind", length=10))
    name: Mapped[str] = mapped_column(String(80))
    #: The courier for COURIER methods: JNE, J&T, SiCepat, POS Indonesia or any name.
    courier: Mapped[str] = mapped_column(String(40), default="")
    #: Shown to the buyer, e.g. pickup hours or the estimated delivery time.
    note: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[created_at]

    rates: Mapped[list[ShippingRate]] = relationship(
        back_populates="method", cascade="all, delete-orphan",
        order_by="ShippingRate.destination_code")


class ShippingRate(db.Model):
    """The price to one destination zone: a kabupaten/kota ("64.72") or a whole province
    ("64"). The most specific zone that contains the buyer's address wins. FLAT methods use
    ``first_kg_idr`` as the price and ignore the weight."""

    __tablename__ = "shipping_rates"
    __table_args__ = (
        UniqueConstraint("method_id", "destination_code", name="one_rate_per_zone"),
        CheckConstraint("first_kg_idr >= 0 AND next_kg_idr >= 0", name="rates_not_negative"),
    )

    id: Mapped[intpk]
    method_id: Mapped[int] = mapped_column(ForeignKey("shipping_methods.id"), index=True)
    destination_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    first_kg_idr: Mapped[int] = mapped_column(BigInteger)
    next_kg_idr: Mapped[int] = mapped_column(BigInteger, default=0)

    method: Mapped[ShippingMethod] = relationship(back_populates="rates")
