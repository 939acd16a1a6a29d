from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.db import created_at, intpk, str_enum, utcnow
from marketplace.extensions import db


class ProducerType(enum.StrEnum):
    INDIVIDUAL = "usaha_perorangan"  # individual micro business
    GROUP = "kub"  # kelompok usaha bersama
    COOPERATIVE = "koperasi"
    JOINT = "usaha_bersama"


class Sector(enum.StrEnum):
    TEXTILE = "tekstil"  # textiles and sewing
    RATTAN = "rotan_anyaman"  # rattan and woven crafts
    WOOD = "kerajinan_kayu"  # wood crafts
    FOOD = "olahan_pangan"  # processed food
    OTHER = "lainnya"


class ProducerStatus(enum.StrEnum):
    DRAFT = "draft"  # being completed (or not yet claimed)
    SUBMITTED = "submitted"  # waiting for the agency's review
    CHANGES_NEEDED = "changes_needed"  # perlu perbaikan
    VERIFIED = "verified"  # terverifikasi
    REJECTED = "rejected"
    SUSPENDED = "suspended"


#: Which status may follow which. Every change writes a ProducerEvent.
TRANSITIONS: dict[ProducerStatus, frozenset[ProducerStatus]] = {
    ProducerStatus.DRAFT: frozenset({ProducerStatus.SUBMITTED}),
    ProducerStatus.SUBMITTED: frozenset({ProducerStatus.VERIFIED, ProducerStatus.CHANGES_NEEDED,
                                         ProducerStatus.REJECTED}),
    ProducerStatus.CHANGES_NEEDED: frozenset({ProducerStatus.SUBMITTED}),
    ProducerStatus.VERIFIED: frozenset({ProducerStatus.SUSPENDED, ProducerStatus.SUBMITTED}),
    ProducerStatus.SUSPENDED: frozenset({ProducerStatus.VERIFIED}),
    ProducerStatus.REJECTED: frozenset({ProducerStatus.SUBMITTED}),
}


class MemberRole(enum.StrEnum):
    OWNER = "owner"
    STAFF = "staff"


class Producer(db.Model):
    """A business that sells here: never a person, though it may be a one-person business."""

    __tablename__ = "producers"
    __table_args__ = (
        CheckConstraint("workers_total >= 0 AND workers_women >= 0", name="workers_not_negative"),
        CheckConstraint("workers_women <= workers_total", name="women_within_total"),
    )

    id: Mapped[intpk]
    #: The storefront's address: /toko/<slug>.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    type: Mapped[ProducerType] = mapped_column(str_enum(ProducerType, "producer_type"))
    #: Owner, or the chair of a group or cooperative.
    owner_name: Mapped[str] = mapped_column(String(100), default="")
    story: Mapped[str] = mapped_column(Text, default="")
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "producer_sector"))
    #: Kelurahan/desa (level 4) Kemendagri code.
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    street_address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(5), default="")
    #: E.164, e.g. +6281234567890.
    phone: Mapped[str] = mapped_column(String(16), default="")
    whatsapp: Mapped[str] = mapped_column(String(16), default="")
    #: Nomor Induk Berusaha: 13 digits.
    nib: Mapped[str | None] = mapped_column(String(13), unique=True)
    #: NPWP: 16 digits (15 accepted for old numbers), digits only.
    npwp: Mapped[str | None] = mapped_column(String(16))
    year_started: Mapped[int | None]
    workers_total: Mapped[int] = mapped_column(default=0)
    workers_women: Mapped[int] = mapped_column(default=0)
    #: Storage key of the logo image, if any.
    logo_key: Mapped[str | None] = mapped_column(String(200))
    #: Storefront banner (storage key prefix of its WebP renditions), if any.
    banner_key: Mapped[str | None] = mapped_column(String(200))
    #: The banner's rendition widths stored, e.g. [320, 640, 1280] (the largest may be the
    #: image's own width): what the storefront's srcset lists and what is deleted with it.
    banner_widths: Mapped[list[int] | None] = mapped_column(JSON)
    #: The shop is closed for a holiday between these dates (inclusive), with a note.
    holiday_from: Mapped[dt.date | None]
    holiday_until: Mapped[dt.date | None]
    holiday_note: Mapped[str] = mapped_column(String(200), default="")
    #: A processed-food producer that claims halal must show its certificate.
    halal_claimed: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ProducerStatus] = mapped_column(
        str_enum(ProducerStatus, "producer_status"), default=ProducerStatus.DRAFT, index=True
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime | None]
    verified_at: Mapped[dt.datetime | None]
    #: Created by staff from an aid list (and then claimed), rather than by self sign-up.
    created_by_agency: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    members: Mapped[list[ProducerMember]] = relationship(
        back_populates="producer", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        """The one rule for who appears to buyers and may publish products:
        verified by the agency and not suspended."""
        return self.status is ProducerStatus.VERIFIED

    @property
    def regency_code(self) -> str | None:
        return ".".join(self.region_code.split(".")[:2]) if self.region_code else None

    def __repr__(self) -> str:
        return f"<Producer {self.id} {self.slug} {self.status.value}>"


class ProducerMember(db.Model):
    """A user who acts for a producer: its owner(s) and staff."""

    __tablename__ = "producer_members"
    __table_args__ = (UniqueConstraint("producer_id", "user_id", name="one_membership"),)

    id: Mapped[intpk]
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, "member_role", length=10))
    created_at: Mapped[created_at]

    producer: Mapped[Producer] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class Invitation(db.Model):
    """An emailed link that makes its recipient a member of a producer."""

    __tablename__ = "invitations"

    id: Mapped[intpk]
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, "invitation_role", length=10))
    #: SHA-256 of the token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class ClaimCode(db.Model):
    """Lets the recipient of an agency-created producer take it over. Single use,
    expiring, revocable."""

    __tablename__ = "claim_codes"

    id: Mapped[intpk]
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    #: Human-friendly, e.g. "K7M3-9QX2": typed from a printed list or opened from WhatsApp.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None]

    producer: Mapped[Producer] = relationship()


class ProducerEvent(db.Model):
    """The audit trail: every decision and every staff change to a producer."""

    __tablename__ = "producer_events"

    id: Mapped[intpk]
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    #: None for the system (e.g. an import or an expiry check).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: What happened, e.g. "status", "profile_edit", "document_review", "member_added".
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    #: {field: [before, after]} for edits; other details for other actions.
    changes: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[created_at]

    actor: Mapped[User | None] = relationship()
