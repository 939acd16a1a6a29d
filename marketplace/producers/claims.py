"""Claim codes: how the recipient of a producer the agency created takes it over.

A code such as "K7M3-9QX2" is printed on a list or sent by WhatsApp. It is single use,
expires (CLAIM_CODE_DAYS), and staff can revoke it or issue a new one (which revokes the
old). Whoever claims it with a signed-in account becomes the producer's owner; the profile
and the grant the agency recorded are already there.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lokal import parse_phone
from sqlalchemy import select, update

from marketplace.accounts.models import Role, User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.formatting import long_date
from marketplace.links import external_url
from marketplace.producers.models import ClaimCode, MemberRole, Producer, ProducerMember
from marketplace.producers.services import AccessDenied, record_event, require_staff
from marketplace.producers.validation import whatsapp_link

#: No 0/O and no 1/I: a code read aloud or copied from paper cannot be mistyped into another.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CLAIM_CODE_DAYS = 60
_CODE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")


class ClaimRefused(ServiceError):
    """The code cannot be used. ``reason`` is one of: unknown, used, expired, revoked, owned."""

    def __init__(self, message: object, reason: str) -> None:
        super().__init__(message, "code")
        self.reason = reason


def generate_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(text: str | None) -> str | None:
    """'k7m3 9qx2' -> 'K7M3-9QX2'; None when it cannot be a code."""
    raw = re.sub(r"[\s-]", "", (text or "").upper())
    if not _CODE.fullmatch(raw):
        return None
    return f"{raw[:4]}-{raw[4:]}"


def has_owner(producer: Producer) -> bool:
    return db.session.scalar(select(ProducerMember.id).where(
        ProducerMember.producer_id == producer.id,
        ProducerMember.role == MemberRole.OWNER).limit(1)) is not None


def active_code(producer: Producer) -> ClaimCode | None:
    """The code that can still be used, if any."""
    return db.session.scalar(select(ClaimCode).where(
        ClaimCode.producer_id == producer.id, ClaimCode.used_at.is_(None),
        ClaimCode.revoked_at.is_(None), ClaimCode.expires_at > utcnow())
        .order_by(ClaimCode.id.desc()).limit(1))


def _revoke_active(producer: Producer) -> int:
    result = db.session.execute(update(ClaimCode).where(
        ClaimCode.producer_id == producer.id, ClaimCode.used_at.is_(None),
        ClaimCode.revoked_at.is_(None)).values(revoked_at=utcnow()))
    return result.rowcount or 0


def add_code(producer: Producer, actor: User | None, days: int = CLAIM_CODE_DAYS) -> ClaimCode:
    """A fresh code for an agency-created producer, revoking any older one. Does not commit
    (the recipient import calls this inside its own transaction)."""
    _revoke_active(producer)
    code = generate_code()
    while db.session.scalar(select(ClaimCode.id).where(ClaimCode.code == code)):
        code = generate_code()  # pragma: no cover - 32^8 codes make a clash very unlikely
    row = ClaimCode(producer_id=producer.id, code=code,
                    created_by_id=actor.id if actor else None,
                    expires_at=utcnow() + dt.timedelta(days=days))
    db.session.add(row)
    record_event(producer, actor, "claim_issued",
                 changes={"expires_at": row.expires_at.isoformat()})
    return row


def issue_code(actor: User, producer: Producer) -> ClaimCode:
    """Staff issue a new code (the old one stops working)."""
    require_staff(actor)
    if not producer.created_by_agency:
        raise ServiceError(_l("Only producers created from the agency's lists have claim "
                              "codes."))
    if has_owner(producer):
        raise ServiceError(_l("This producer has already been claimed."))
    row = add_code(producer, actor)
    db.session.commit()
    return row


def revoke_code(actor: User, producer: Producer) -> None:
    require_staff(actor)
    if not _revoke_active(producer):
        raise ServiceError(_l("This producer has no claim code that could be revoked."))
    record_event(producer, actor, "claim_revoked")
    db.session.commit()


def check_code(text: str | None) -> ClaimCode:
    """The usable ClaimCode for ``text``, or ClaimRefused saying why not. Changes nothing."""
    code = normalize_code(text)
    row = db.session.scalar(select(ClaimCode).where(ClaimCode.code == code)) if code else None
    if row is None:
        raise ClaimRefused(_l("This claim code does not exist. Check it against the letter "
                              "or message from the agency."), "unknown")
    if row.used_at is not None:
        raise ClaimRefused(_l("This claim code has already been used."), "used")
    if row.revoked_at is not None:
        raise ClaimRefused(_l("This claim code has been revoked. Ask the agency for a new "
                              "one."), "revoked")
    if row.expires_at <= utcnow():
        raise ClaimRefused(_l("This claim code has expired. Ask the agency for a new one."),
                           "expired")
    if has_owner(row.producer):
        raise ClaimRefused(_l("This producer has already been claimed."), "owned")
    return row


def claim_producer(user: User, text: str) -> Producer:
    """``user`` becomes the owner of the code's producer. Single use even under a race:
    the code is marked used by a conditional UPDATE that only one request can win."""
    if not user.is_authenticated:
        raise AccessDenied(_l("Sign in to claim a producer."))
    if user.is_staff:
        raise AccessDenied(_l("Agency staff cannot claim a producer. Sign in with the "
                              "producer's own account."))
    found = check_code(text)
    producer, now = found.producer, utcnow()
    won = db.session.execute(update(ClaimCode).where(
        ClaimCode.id == found.id, ClaimCode.used_at.is_(None), ClaimCode.revoked_at.is_(None),
        ClaimCode.expires_at > now).values(used_at=now, used_by_id=user.id)).rowcount
    if won != 1:
        db.session.rollback()
        raise ClaimRefused(_l("This claim code has already been used."), "used")
    _make_owner(user, producer)
    record_event(producer, user, "claimed", changes={"code_id": found.id})
    db.session.commit()
    return producer


def _make_owner(user: User, producer: Producer) -> None:
    member = db.session.scalar(select(ProducerMember).where(
        ProducerMember.producer_id == producer.id, ProducerMember.user_id == user.id))
    if member is None:
        db.session.add(ProducerMember(producer_id=producer.id, user_id=user.id,
                                      role=MemberRole.OWNER))
    else:
        member.role = MemberRole.OWNER
    if user.role is Role.BUYER:
        user.role = Role.PRODUCER


def claim_url(row: ClaimCode) -> str:
    return external_url("programs.claim", code=row.code)


def whatsapp_message(row: ClaimCode) -> str:
    """The prefilled message, always in Indonesian: it goes to the recipient, not to staff."""
    producer = row.producer
    with force_locale("id"):
        return _("Hello %(owner)s, %(producer)s is registered on Pasar Binaan by the agency "
                 "(Disperindagkop dan UMK Kaltim). Open %(url)s to claim your shop and sell "
                 "online. Claim code: %(code)s, valid until %(date)s.",
                 owner=producer.owner_name or producer.name, producer=producer.name,
                 url=claim_url(row), code=row.code,
                 date=long_date(row.expires_at, "id"))


def whatsapp_url(row: ClaimCode) -> str | None:
    """A wa.me link with the message, to the WhatsApp number (or a mobile phone number)."""
    producer = row.producer
    number = producer.whatsapp or (producer.phone if producer.phone.startswith("+628") else "")
    if not number:
        return None
    return whatsapp_link(number, whatsapp_message(row))


@dataclass
class ClaimLine:
    """One line of a programme's printed claim list."""

    producer: Producer
    code: ClaimCode | None
    claimed: bool
    url: str | None
    whatsapp: str | None
    #: As people write it: 0812-5432-1098.
    phone: str


def claim_sheet(producers: list[Producer]) -> list[ClaimLine]:
    lines = []
    for producer in producers:
        claimed = has_owner(producer)
        row = None if claimed else active_code(producer)
        number = producer.phone or producer.whatsapp
        phone = (parse_phone(number).national or number) if number else ""
        lines.append(ClaimLine(producer, row, claimed, claim_url(row) if row else None,
                               whatsapp_url(row) if row else None, phone))
    return lines
