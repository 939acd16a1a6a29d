"""Monitoring visits: what an officer saw at a grant recipient's workshop on a given day.

The visit at handover is the baseline; later visits show what changed (turnover, jobs,
whether the equipment is in use).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.db import created_at, intpk, str_enum, utcnow
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine
from marketplace.programs.models import Grant


class EquipmentUse(enum.StrEnum):
    IN_USE = "dipakai"
    DAMAGED = "rusak"
    NOT_USED = "tidak_dipakai"
    NOT_RECEIVED = "belum_diterima"


class MonitoringVisit(db.Model):
    __tablename__ = "monitoring_visits"
    __table_args__ = (
        CheckConstraint("turnover_idr >= 0", name="turnover_not_negative"),
        CheckConstraint("workers_paid >= 0 AND workers_women >= 0 AND production_volume >= 0",
                        name="counts_not_negative"),
        CheckConstraint("workers_paid <= workers_total AND workers_women <= workers_total",
                        name="workers_within_total"),
    )

    id: Mapped[intpk]
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    visit_date: Mapped[dt.date]
    #: The staff member who made the visit.
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    equipment_use: Mapped[EquipmentUse] = mapped_column(
        str_enum(EquipmentUse, "equipment_use", length=20))
    #: Monthly turnover (omzet) in whole Rupiah, as the producer reports it.
    turnover_idr: Mapped[int] = mapped_column(BigInteger, default=0)
    workers_total: Mapped[int] = mapped_column(default=0)
    workers_paid: Mapped[int] = mapped_column(default=0)
    workers_women: Mapped[int] = mapped_column(default=0)
    #: Monthly production: a whole number and its unit ("120" "lembar", "40" "kg").
    production_volume: Mapped[int] = mapped_column(default=0)
    production_unit: Mapped[str] = mapped_column(String(30), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The visit at handover: the "before" of every before-and-after figure.
    is_baseline: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    grant: Mapped[Grant] = relationship()
    officer: Mapped[User] = relationship()
    photos: Mapped[list[MonitoringPhoto]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="MonitoringPhoto.id")


class MonitoringPhoto(db.Model):
    """A photo taken on a visit: WebP renditions under ``private/monitoring/``, shown to
    staff only (through agency.views, never /media)."""

    __tablename__ = "monitoring_photos"

    id: Mapped[intpk]
    visit_id: Mapped[int] = mapped_column(ForeignKey("monitoring_visits.id"), index=True)
    key_prefix: Mapped[str] = mapped_column(String(200))
    widths: Mapped[list[int]] = mapped_column(JSON)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[created_at]

    visit: Mapped[MonitoringVisit] = relationship(back_populates="photos")


#: The impact dashboard reads sales (paid orders in a date range) from this index alone, and
#: order lines' levels and values from the next one, without touching the tables' rows.
#: Declared here, next to the queries' owner, rather than in the orders foundation.
Index("ix_orders_sales", Order.payment_status, Order.created_at, Order.producer_id,
      Order.buyer_id, Order.group_id, Order.items_total_idr, Order.destination_regency_code)
Index("ix_order_lines_levels", OrderLine.order_id, OrderLine.processing_level,
      OrderLine.quantity, OrderLine.line_total_idr)
