from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import created_at, intpk, utcnow
from marketplace.extensions import db
from marketplace.regions.models import Region


class Address(db.Model):
    """A buyer's delivery address in Indonesia's structure. The kelurahan/desa is chosen from
    the region data (``region_code``, level 4); kecamatan, kabupaten/kota and province follow
    from its code, and the postal code comes from the region data."""

    __tablename__ = "addresses"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: e.g. "Rumah", "Kantor".
    label: Mapped[str] = mapped_column(String(40), default="")
    recipient_name: Mapped[str] = mapped_column(String(100))
    #: E.164, e.g. +6281234567890.
    phone: Mapped[str] = mapped_column(String(16))
    street: Mapped[str] = mapped_column(String(200))
    rt: Mapped[str] = mapped_column(String(3), default="")
    rw: Mapped[str] = mapped_column(String(3), default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    postal_code: Mapped[str] = mapped_column(String(5))
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship()

    @property
    def regency_code(self) -> str:
        return ".".join(self.region_code.split(".")[:2])

    @property
    def province_code(self) -> str:
        return self.region_code.split(".")[0]
