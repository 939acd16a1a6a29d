"""Choosing a region without JavaScript: select lists built from the region data.

Used by every form that picks a place: the producer profile and the buyer's address book
(kabupaten/kota, then "Show villages", then the kelurahan/desa grouped by kecamatan) and the
producers' shipping zones (a province or a kabupaten/kota). Kalimantan Timur comes first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, select

from marketplace.extensions import db
from marketplace.regions.models import DISTRICT, KALTIM, PROVINCE, REGENCY, VILLAGE, Region


@dataclass
class ProvinceGroup:
    """A province and its kabupaten/kota, as (code, name) pairs."""

    code: str
    name: str
    regencies: list[tuple[str, str]] = field(default_factory=list)


def regencies_by_province() -> list[ProvinceGroup]:
    """Every province with its kabupaten/kota, Kalimantan Timur first, then by name: one
    query."""
    province = Region.__table__.alias("province")
    rows = db.session.execute(
        select(province.c.code, province.c.name, Region.code, Region.name)
        .join(province, Region.parent_code == province.c.code)
        .where(Region.level == REGENCY, province.c.level == PROVINCE)
        .order_by(case((province.c.code == KALTIM, 0), else_=1), province.c.name, Region.code))
    groups: dict[str, ProvinceGroup] = {}
    for province_code, province_name, code, name in rows:
        group = groups.setdefault(province_code, ProvinceGroup(province_code, province_name))
        group.regencies.append((code, name))
    return list(groups.values())


def regency_choices(current: str | None = None) -> list[tuple[str, str]]:
    """Kaltim's kabupaten/kota, plus ``current`` if it lies in another province."""
    query = select(Region.code, Region.name).where(Region.level == REGENCY)
    if current and not current.startswith(KALTIM + "."):
        query = query.where((Region.parent_code == KALTIM) | (Region.code == current))
    else:
        query = query.where(Region.parent_code == KALTIM)
    return [(code, name) for code, name in db.session.execute(query.order_by(Region.code))]


def is_regency(code: str | None) -> bool:
    region = db.session.get(Region, code) if code else None
    return region is not None and region.level == REGENCY


def chosen_regency(*candidates: str | None) -> str | None:
    """The first candidate that is a kabupaten/kota code. A village code counts as its
    kabupaten/kota, so a saved address or profile opens on its own list of villages."""
    for code in candidates:
        regency = ".".join(str(code or "").split(".")[:2])
        if regency and is_regency(regency):
            return regency
    return None


def village_choices(regency: str | None) -> list[tuple[str, str, str]]:
    """(kecamatan name, village code, village name) for every village of ``regency``."""
    if not regency:
        return []
    district = Region.__table__.alias("district")
    rows = db.session.execute(
        select(district.c.name, Region.code, Region.name)
        .join(district, Region.parent_code == district.c.code)
        .where(Region.level == VILLAGE, district.c.level == DISTRICT,
               district.c.parent_code == regency)
        .order_by(district.c.name, district.c.code, Region.name))
    return [(group, code, name) for group, code, name in rows]


def village_postal_code(code: str | None) -> str:
    region = db.session.get(Region, code) if code else None
    return (region.postal_code or "") if region is not None and region.level == VILLAGE else ""


def region_path(code: str | None) -> list[Region]:
    """The village, its kecamatan and its kabupaten/kota (in that order)."""
    path: list[Region] = []
    region = db.session.get(Region, code) if code else None
    while region is not None and region.level >= REGENCY:
        path.append(region)
        region = db.session.get(Region, region.parent_code) if region.parent_code else None
    return path
