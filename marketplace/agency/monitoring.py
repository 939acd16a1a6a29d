"""Recording monitoring visits: one function per unit of work, each commits once.

Photos go through media.images (decoded safely, re-encoded without EXIF or GPS) and are
stored as WebP under ``private/monitoring/``: they show producers' homes and workers, so
only staff see them, through agency.views.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.agency.models import EquipmentUse, MonitoringPhoto, MonitoringVisit
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.media.images import ImageRejected, webp_renditions
from marketplace.media.storage import get_storage
from marketplace.programs.models import Grant
from marketplace.programs.rules import clean_text, parse_rupiah

USE_LABELS = {
    EquipmentUse.IN_USE: _l("In use"),
    EquipmentUse.DAMAGED: _l("Damaged"),
    EquipmentUse.NOT_USED: _l("Not used"),
    EquipmentUse.NOT_RECEIVED: _l("Not received"),
}
PHOTO_WIDTHS = (320, 1280)
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_TURNOVER = 100_000_000_000
MAX_COUNT = 100_000


@dataclass
class VisitData:
    visit_date: dt.date | None
    equipment_use: str
    turnover: str | int
    workers_total: int | None
    workers_paid: int | None
    workers_women: int | None
    production_volume: int | None = 0
    production_unit: str = ""
    notes: str = ""
    is_baseline: bool = False
    #: (file name, bytes) of new photos.
    photos: list[tuple[str, bytes]] = field(default_factory=list)


def _require_staff(actor: User) -> None:
    if not actor.is_staff:
        raise ServiceError(_l("Only agency staff may record monitoring visits."))


def visits_of(grant: Grant) -> list[MonitoringVisit]:
    return list(db.session.scalars(select(MonitoringVisit).where(
        MonitoringVisit.grant_id == grant.id).order_by(MonitoringVisit.visit_date,
                                                       MonitoringVisit.id)))


def _clean(grant: Grant, data: VisitData, visit: MonitoringVisit | None) -> dict[str, object]:
    if data.visit_date is None:
        raise ServiceError(_l("Enter the date of the visit."), "visit_date")
    if data.visit_date > dt.date.today() + dt.timedelta(days=1):
        raise ServiceError(_l("The visit date cannot be in the future."), "visit_date")
    if data.visit_date.year < 2015:
        raise ServiceError(_l("Check the visit date: it is too far in the past."), "visit_date")
    try:
        use = EquipmentUse(data.equipment_use)
    except ValueError as error:
        raise ServiceError(_l("Choose how the equipment is used."), "equipment_use") from error
    counts = {name: _count(getattr(data, name), name) for name in (
        "workers_total", "workers_paid", "workers_women", "production_volume")}
    if counts["workers_paid"] > counts["workers_total"]:
        raise ServiceError(_l("Paid workers cannot be more than all workers."), "workers_paid")
    if counts["workers_women"] > counts["workers_total"]:
        raise ServiceError(_l("Women workers cannot be more than all workers."),
                           "workers_women")
    if data.is_baseline and _other_baseline(grant, visit):
        raise ServiceError(_l("This grant already has a baseline visit: untick it there "
                              "first."), "is_baseline")
    return {"visit_date": data.visit_date, "equipment_use": use,
            "turnover_idr": parse_rupiah(data.turnover, "turnover", MAX_TURNOVER), **counts,
            "production_unit": clean_text(data.production_unit, 30),
            "notes": (data.notes or "").replace("\r\n", "\n").strip()[:4000],
            "is_baseline": bool(data.is_baseline)}


def _count(value: int | None, field_name: str) -> int:
    if value is None:
        return 0
    if not isinstance(value, int) or value < 0 or value > MAX_COUNT:
        raise ServiceError(_l("Enter a whole number from 0 to 100,000."), field_name)
    return value


def _other_baseline(grant: Grant, visit: MonitoringVisit | None) -> bool:
    query = select(MonitoringVisit.id).where(MonitoringVisit.grant_id == grant.id,
                                             MonitoringVisit.is_baseline.is_(True))
    if visit is not None:
        query = query.where(MonitoringVisit.id != visit.id)
    return db.session.scalar(query.limit(1)) is not None


def record_visit(actor: User, grant: Grant, data: VisitData) -> MonitoringVisit:
    _require_staff(actor)
    values = _clean(grant, data, None)
    visit = MonitoringVisit(grant_id=grant.id, officer_id=actor.id, **values)
    _save_with_photos(visit, data.photos)
    return visit


def update_visit(actor: User, visit: MonitoringVisit, data: VisitData) -> MonitoringVisit:
    _require_staff(actor)
    values = _clean(visit.grant, data, visit)
    if len(visit.photos) + len(data.photos) > MAX_PHOTOS:
        raise ServiceError(_l("At most %(n)d photos per visit.", n=MAX_PHOTOS), "photos")
    for name, value in values.items():
        setattr(visit, name, value)
    _save_with_photos(visit, data.photos)
    return visit


def _save_with_photos(visit: MonitoringVisit, photos: list[tuple[str, bytes]]) -> None:
    """Store the photos, then commit; on any failure nothing is left behind."""
    if len(photos) > MAX_PHOTOS:
        raise ServiceError(_l("At most %(n)d photos per visit.", n=MAX_PHOTOS), "photos")
    stored: list[MonitoringPhoto] = []
    try:
        for _, data in photos:
            if data:
                stored.append(_store_photo(data))
        visit.photos.extend(stored)
        db.session.add(visit)
        db.session.commit()
    except Exception:
        db.session.rollback()
        for photo in stored:
            _delete_files(photo)
        raise


def _store_photo(data: bytes) -> MonitoringPhoto:
    if len(data) > MAX_PHOTO_BYTES:
        raise ServiceError(_l("A photo may be at most 10 MB."), "photos")
    try:
        renditions = webp_renditions(data, PHOTO_WIDTHS)
    except ImageRejected as error:
        raise ServiceError(_l("A photo could not be read: upload JPEG, PNG, WebP or HEIC "
                              "photos."), "photos") from error
    prefix = f"private/monitoring/{uuid.uuid4().hex}"
    storage = get_storage()
    for rendition in renditions:
        storage.save(photo_key(prefix, rendition.width), rendition.data, "image/webp")
    largest = renditions[-1]
    return MonitoringPhoto(key_prefix=prefix, widths=[r.width for r in renditions],
                           width=largest.width, height=largest.height)


def photo_key(prefix: str, width: int) -> str:
    return f"{prefix}-{int(width)}.webp"


def _delete_files(photo: MonitoringPhoto) -> None:
    storage = get_storage()
    for width in photo.widths:
        storage.delete(photo_key(photo.key_prefix, width))


def delete_photo(actor: User, photo: MonitoringPhoto) -> None:
    _require_staff(actor)
    db.session.delete(photo)
    db.session.commit()
    _delete_files(photo)
