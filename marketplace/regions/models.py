from __future__ import annotations

from sqlalchemy import ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db

PROVINCE, REGENCY, DISTRICT, VILLAGE = 1, 2, 3, 4
KALTIM = "64"


class Region(db.Model):
    """One Kemendagri region. ``code`` is dotted: "64", "64.03", "64.03.08", "64.03.08.2001"."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    #: 1 province, 2 kabupaten/kota, 3 kecamatan, 4 kelurahan/desa.
    level: Mapped[int] = mapped_column(SmallInteger)
    #: provinsi, kabupaten, kota, kecamatan, distrik, kelurahan, desa, desa_adat.
    kind: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("regions.code"), index=True, default=None
    )
    postal_code: Mapped[str | None] = mapped_column(String(5), default=None)

    @property
    def regency_code(self) -> str:
        """The kabupaten/kota this region lies in (its own code at level 2)."""
        return ".".join(self.code.split(".")[:2])

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"
