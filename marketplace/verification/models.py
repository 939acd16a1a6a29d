from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.db import created_at, intpk, str_enum
from marketplace.extensions import db
from marketplace.producers.models import Producer


class DocumentType(enum.StrEnum):
    KTP = "ktp"  # owner's identity card: its number is a NIK (personal data, encrypted)
    NIB = "nib"  # Nomor Induk Berusaha
    AHU = "ahu"  # cooperative legal entity decree (AHU-...) or cooperative number
    GROUP_DECREE = "sk_kelompok"  # decree establishing a KUB
    PIRT = "pirt"  # home-industry food permit
    HALAL = "halal"  # halal certificate


class DocumentStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ProducerDocument(db.Model):
    """An uploaded document. The file lives in private storage, never under static/."""

    __tablename__ = "producer_documents"

    id: Mapped[intpk]
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    doc_type: Mapped[DocumentType] = mapped_column(str_enum(DocumentType, "document_type"))
    #: The document number, except for a KTP (see number_encrypted).
    number: Mapped[str] = mapped_column(String(100), default="")
    #: A KTP's NIK, encrypted (Fernet); shown only masked.
    number_encrypted: Mapped[str | None] = mapped_column(Text)
    issued_on: Mapped[dt.date | None]
    expires_on: Mapped[dt.date | None]
    file_key: Mapped[str] = mapped_column(String(200))
    #: The name the uploader's file had (cleaned), shown to people; never used as a path.
    file_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int]
    status: Mapped[DocumentStatus] = mapped_column(
        str_enum(DocumentStatus, "document_status"), default=DocumentStatus.PENDING
    )
    review_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: A newer upload of the same type replaces this one (kept for the audit).
    replaced: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]

    producer: Mapped[Producer] = relationship()


class DocumentView(db.Model):
    """Every time a staff member opens a document's file."""

    __tablename__ = "document_views"

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("producer_documents.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]

    document: Mapped[ProducerDocument] = relationship()
    user: Mapped[User] = relationship()
