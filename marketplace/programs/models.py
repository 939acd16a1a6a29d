from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import created_at, intpk, str_enum
from marketplace.extensions import db
from marketplace.producers.models import Producer


class FundingSource(enum.StrEnum):
    APBD = "apbd"
    DID = "did"
    APBN = "apbn"
    OTHER = "other"


class AidProgram(db.Model):
    __tablename__ = "aid_programs"
    __table_args__ = (CheckConstraint("budget_idr >= 0", name="budget_not_negative"),)

    id: Mapped[intpk]
    #: e.g. "Bantuan Alat Mesin Jahit 2024".
    name: Mapped[str] = mapped_column(String(160))
    fiscal_year: Mapped[int]
    funding_source: Mapped[FundingSource] = mapped_column(str_enum(FundingSource, "funding"))
    #: The decree it rests on, e.g. "SK Kepala Dinas No. 500/123/DPPKUKM/2024".
    legal_basis: Mapped[str] = mapped_column(String(200), default="")
    #: Whole Rupiah.
    budget_idr: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Sector values (producers.Sector) the programme targets.
    target_sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Kabupaten/kota codes (level 2) the programme targets.
    target_regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]

    grants: Mapped[list[Grant]] = relationship(back_populates="program")


class Grant(db.Model):
    """What one producer received in one programme."""

    __tablename__ = "grants"
    __table_args__ = (UniqueConstraint("program_id", "producer_id", name="one_grant"),)

    id: Mapped[intpk]
    program_id: Mapped[int] = mapped_column(ForeignKey("aid_programs.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    handover_date: Mapped[dt.date | None]
    handover_place: Mapped[str] = mapped_column(String(160), default="")
    #: Berita Acara Serah Terima number.
    bast_number: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[created_at]

    program: Mapped[AidProgram] = relationship(back_populates="grants")
    producer: Mapped[Producer] = relationship()
    items: Mapped[list[GrantItem]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="GrantItem.id"
    )

    @property
    def total_value_idr(self) -> int:
        return sum(item.quantity * item.unit_value_idr for item in self.items)


class GrantItem(db.Model):
    """One kind of equipment in a grant."""

    __tablename__ = "grant_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_value_idr >= 0", name="value_not_negative"),
    )

    id: Mapped[intpk]
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    #: e.g. "Mesin jahit portable".
    name: Mapped[str] = mapped_column(String(160))
    #: e.g. "Mesin jahit", "Alat anyam rotan", "Mesin pengolahan pangan".
    category: Mapped[str] = mapped_column(String(80))
    quantity: Mapped[int]
    unit_value_idr: Mapped[int] = mapped_column(BigInteger)
    serial_number: Mapped[str] = mapped_column(String(100), default="")

    grant: Mapped[Grant] = relationship(back_populates="items")


class RecipientImport(db.Model):
    """A confirmed import of a programme's recipient list (for the audit and re-import)."""

    __tablename__ = "recipient_imports"

    id: Mapped[intpk]
    program_id: Mapped[int] = mapped_column(ForeignKey("aid_programs.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the file's bytes.
    sha256: Mapped[str] = mapped_column(String(64))
    rows_total: Mapped[int]
    producers_created: Mapped[int]
    grants_created: Mapped[int]
    rows_skipped: Mapped[int]
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]
