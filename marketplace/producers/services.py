"""Producer rules shared by every part of the app: who acts for which producer, status
changes with their audit trail, profile edits.

Other modules (members, claims, verification, programmes) build on these functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.producers import validation
from marketplace.producers.models import (
    TRANSITIONS,
    MemberRole,
    Producer,
    ProducerEvent,
    ProducerMember,
    ProducerStatus,
    ProducerType,
    Sector,
)


class AccessDenied(ServiceError):
    """The acting user may not do this to this producer (views answer 403 or 404)."""


# --- who may act -----------------------------------------------------------------------------

def membership(user: User | None, producer: Producer) -> ProducerMember | None:
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(select(ProducerMember).where(
        ProducerMember.producer_id == producer.id, ProducerMember.user_id == user.id))


def producers_of(user: User) -> list[Producer]:
    """The producers this user acts for (a user sees only these)."""
    return list(db.session.scalars(
        select(Producer).join(ProducerMember).where(ProducerMember.user_id == user.id)
        .order_by(Producer.name)))


def require_member(user: User, producer: Producer, *, owner: bool = False) -> ProducerMember:
    """The user's membership, or AccessDenied. ``owner=True`` requires the owner role."""
    member = membership(user, producer)
    if member is None or (owner and member.role is not MemberRole.OWNER):
        raise AccessDenied(_l("You do not act for this producer."))
    return member


def require_staff(user: User) -> None:
    if not user.is_authenticated or not user.is_staff:
        raise AccessDenied(_l("Only agency staff may do this."))


def can_view(user: User | None, producer: Producer) -> bool:
    """Members and staff see every producer's profile; others only public ones."""
    if producer.is_public:
        return True
    return bool(user and user.is_authenticated and (user.is_staff or membership(user, producer)))


# --- audit trail and status ------------------------------------------------------------------

def record_event(producer: Producer, actor: User | None, action: str, *, reason: str = "",
                 from_status: str | None = None, to_status: str | None = None,
                 changes: dict[str, object] | None = None) -> ProducerEvent:
    """Add an audit event to the session (the caller commits, once)."""
    event = ProducerEvent(producer_id=producer.id, actor_id=actor.id if actor else None,
                          action=action, reason=reason, from_status=from_status,
                          to_status=to_status, changes=changes or {})
    db.session.add(event)
    return event


def change_status(producer: Producer, to: ProducerStatus, actor: User | None,
                  reason: str = "") -> ProducerEvent:
    """Move a producer along TRANSITIONS and record it. Does not commit."""
    if to not in TRANSITIONS[producer.status]:
        raise ServiceError(_l("This change is not possible while the profile is %(status)s.",
                              status=status_label(producer.status)))
    before = producer.status
    producer.status = to
    producer.status_reason = reason
    now = utcnow()
    if to is ProducerStatus.SUBMITTED:
        producer.submitted_at = now
    if to is ProducerStatus.VERIFIED and before is not ProducerStatus.SUSPENDED:
        producer.verified_at = now
    return record_event(producer, actor, "status", reason=reason, from_status=before.value,
                        to_status=to.value)


def events(producer: Producer) -> list[ProducerEvent]:
    return list(db.session.scalars(select(ProducerEvent).where(
        ProducerEvent.producer_id == producer.id).order_by(ProducerEvent.id.desc())))


STATUS_LABELS = {
    ProducerStatus.DRAFT: _l("Draft"),
    ProducerStatus.SUBMITTED: _l("Waiting for review"),
    ProducerStatus.CHANGES_NEEDED: _l("Changes needed"),
    ProducerStatus.VERIFIED: _l("Verified"),
    ProducerStatus.REJECTED: _l("Rejected"),
    ProducerStatus.SUSPENDED: _l("Suspended"),
}
TYPE_LABELS = {
    ProducerType.INDIVIDUAL: _l("Individual micro business"),
    ProducerType.GROUP: _l("Producer group (KUB)"),
    ProducerType.COOPERATIVE: _l("Cooperative"),
    ProducerType.JOINT: _l("Joint business (usaha bersama)"),
}
SECTOR_LABELS = {
    Sector.TEXTILE: _l("Textiles and sewing"),
    Sector.RATTAN: _l("Rattan and woven crafts"),
    Sector.WOOD: _l("Wood crafts"),
    Sector.FOOD: _l("Processed food"),
    Sector.OTHER: _l("Other"),
}


def status_label(status: ProducerStatus) -> str:
    return str(STATUS_LABELS[status])


#: A recorded change's field (audit trail ``changes`` keys), as staff read it: the labels of
#: the review page and the profile form. Fields not listed are shown by their name.
FIELD_LABELS = {
    "name": _l("Business name"), "type": _l("Business type"),
    "owner_name": _l("Owner or chair"), "story": _l("Story"), "sector": _l("Sector"),
    "region_code": _l("Region code"), "street_address": _l("Street address"),
    "postal_code": _l("Postal code"), "phone": _l("Phone"), "whatsapp": _l("WhatsApp"),
    "nib": _l("NIB"), "npwp": _l("NPWP"), "year_started": _l("Year started"),
    "workers_total": _l("Number of workers"), "workers_women": _l("Women workers"),
    "halal_claimed": _l("Halal claimed"), "logo_key": _l("Logo"), "banner_key": _l("Banner"),
    "holiday": _l("Shop holiday"), "role": _l("Role"),
}


# --- profile -------------------------------------------------------------------------------

PROFILE_FIELDS = ("name", "type", "owner_name", "story", "sector", "region_code",
                  "street_address", "postal_code", "phone", "whatsapp", "nib", "npwp",
                  "year_started", "workers_total", "workers_women", "halal_claimed")


@dataclass
class ProfileData:
    """What a profile form sends, before cleaning."""

    name: str
    type: str
    sector: str
    owner_name: str = ""
    story: str = ""
    region_code: str | None = None
    street_address: str = ""
    postal_code: str = ""
    phone: str = ""
    whatsapp: str = ""
    nib: str | None = None
    npwp: str | None = None
    year_started: int | None = None
    workers_total: int = 0
    workers_women: int = 0
    halal_claimed: bool = False


def clean_profile(data: ProfileData, producer_id: int | None = None) -> dict[str, object]:
    """Checked, normalised values for a Producer; ServiceError names the first bad field."""
    name = data.name.strip()
    if not name or len(name) > 120:
        raise ServiceError(_l("Enter the business name (at most 120 characters)."), "name")
    try:
        kind, sector = ProducerType(data.type), Sector(data.sector)
    except ValueError as error:
        raise ServiceError(_l("Choose a business type and sector from the list."),
                           "type") from error
    nib = validation.clean_nib(data.nib)
    if nib and db.session.scalar(select(Producer.id).where(
            Producer.nib == nib, Producer.id != (producer_id or 0))):
        raise ServiceError(_l("Another producer is already registered with this NIB."), "nib")
    region = validation.village(data.region_code) if data.region_code else None
    postal = validation.clean_postal_code(data.postal_code)
    if region is not None and not postal:
        postal = region.postal_code or ""
    this_year = utcnow().year
    if data.year_started is not None and not 1900 <= data.year_started <= this_year:
        raise ServiceError(_l("Enter a year between 1900 and %(year)d.", year=this_year),
                           "year_started")
    if not 0 <= data.workers_total <= 100000:
        raise ServiceError(_l("Enter the number of workers (0 or more)."), "workers_total")
    if not 0 <= data.workers_women <= data.workers_total:
        raise ServiceError(_l("Women workers cannot be more than all workers."),
                           "workers_women")
    return {
        "name": name, "type": kind, "sector": sector, "owner_name": data.owner_name.strip()[:100],
        "story": data.story.strip()[:5000], "region_code": region.code if region else None,
        "street_address": data.street_address.strip()[:200], "postal_code": postal,
        "phone": validation.clean_phone(data.phone, "phone"),
        "whatsapp": validation.clean_phone(data.whatsapp, "whatsapp"),
        "nib": nib, "npwp": validation.clean_npwp(data.npwp),
        "year_started": data.year_started, "workers_total": data.workers_total,
        "workers_women": data.workers_women,
        "halal_claimed": bool(data.halal_claimed) and sector is Sector.FOOD,
    }


def unique_slug(name: str) -> str:
    base = slugify(name, max_length=60) or "toko"
    slug, n = base, 2
    while db.session.scalar(select(Producer.id).where(Producer.slug == slug)):
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_producer(actor: User, data: ProfileData) -> Producer:
    """A producer registering itself: the acting user becomes its owner."""
    if actor.role not in (Role.PRODUCER, Role.BUYER):
        raise AccessDenied(_l("Staff create producers from the aid lists."))
    values = clean_profile(data)
    producer = Producer(slug=unique_slug(str(values["name"])), **values)
    db.session.add(producer)
    db.session.flush()
    db.session.add(ProducerMember(producer_id=producer.id, user_id=actor.id,
                                  role=MemberRole.OWNER))
    if actor.role is Role.BUYER:
        actor.role = Role.PRODUCER
    record_event(producer, actor, "created")
    db.session.commit()
    return producer


def update_profile(actor: User, producer: Producer, data: ProfileData) -> Producer:
    """Members edit their own profile; staff may edit any (and every staff edit is audited).

    A verified producer that changes its legal identity (name, type, NIB, NPWP) goes back to
    review: the agency verified the old one.
    """
    if not actor.is_staff:
        require_member(actor, producer)
    values = clean_profile(data, producer.id)
    changes = {}
    for field, value in values.items():
        before = getattr(producer, field)
        if before != value:
            changes[field] = [_jsonable(before), _jsonable(value)]
            setattr(producer, field, value)
    if changes:
        record_event(producer, actor, "profile_edit", changes=changes)
        if {"name", "region_code"} & set(changes):
            # Products are found by their producer's name and kabupaten/kota too. Imported
            # here: the catalogue builds on producers, not the other way round.
            from marketplace.catalogue.services import refresh_producer_products

            refresh_producer_products(producer)
        identity = {"name", "type", "nib", "npwp"} & set(changes)
        if identity and producer.status is ProducerStatus.VERIFIED and not actor.is_staff:
            change_status(producer, ProducerStatus.SUBMITTED, actor,
                          reason="identity changed: " + ", ".join(sorted(identity)))
    db.session.commit()
    return producer


def _jsonable(value: object) -> object:
    return value.value if hasattr(value, "value") else value


def get_producer(producer_id: int) -> Producer | None:
    return db.session.get(Producer, producer_id)


def get_by_slug(slug: str) -> Producer | None:
    return db.session.scalar(select(Producer).where(Producer.slug == slug))


# --- logo and grants (used by the producer's own pages) -------------------------------------

#: A logo upload may be at most this large (bytes), before re-encoding.
LOGO_MAX_BYTES = 2 * 1024 * 1024


def prepare_logo(data: bytes) -> tuple[bytes, str]:
    """Check and re-encode an uploaded logo (no metadata). ServiceError on field "logo"."""
    from marketplace.media.images import ImageRejected, clean_copy

    if len(data) > LOGO_MAX_BYTES:
        raise ServiceError(_l("The logo is too large: at most 2 MB."), "logo")
    try:
        return clean_copy(data)
    except ImageRejected as error:
        raise ServiceError(_l("The logo must be a JPEG, PNG or WebP image."), "logo") from error


def set_logo(actor: User, producer: Producer, image: tuple[bytes, str]) -> str:
    """Store a prepared logo (see prepare_logo) and point the producer at it. Members and
    staff; audited. The previous file is deleted once the change is committed."""
    from marketplace.media.storage import get_storage, new_key

    if not actor.is_staff:
        require_member(actor, producer)
    data, content_type = image
    key = new_key("public", "logos", "jpg" if content_type == "image/jpeg" else "png")
    storage = get_storage()
    storage.save(key, data, content_type)
    before = producer.logo_key
    producer.logo_key = key
    record_event(producer, actor, "logo_changed", changes={"logo_key": [before, key]})
    try:
        db.session.commit()
    except Exception:
        storage.delete(key)
        raise
    if before:
        storage.delete(before)
    return key


def grants_received(producer: Producer) -> list[object]:
    """The aid grants this producer received, newest first, with their items."""
    from sqlalchemy.orm import selectinload

    from marketplace.programs.models import Grant

    return list(db.session.scalars(
        select(Grant).where(Grant.producer_id == producer.id)
        .options(selectinload(Grant.items), selectinload(Grant.program))
        .order_by(Grant.handover_date.desc().nulls_last(), Grant.id.desc())))
