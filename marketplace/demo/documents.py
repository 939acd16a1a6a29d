"""Verification documents and claim codes for the demo producers, made through the same
services people use: uploads are checked and stored privately, NIKs encrypted."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.extensions import db
from marketplace.producers import claims
from marketplace.producers.models import MemberRole, Producer, ProducerMember, ProducerStatus
from marketplace.verification import rules, services
from marketplace.verification.models import DocumentStatus, DocumentType

#: Made-up but well-formed numbers (a NIK from the producer's regency, a 15-digit P-IRT...).
NUMBERS = {
    DocumentType.AHU: "AHU-0001234.AH.01.26.TAHUN 2019",
    DocumentType.GROUP_DECREE: "SK 518/045/KUB/2012",
    DocumentType.PIRT: "2066401010012-27",
    DocumentType.HALAL: "ID64110012345670624",
}
ISSUED = dt.date(2023, 3, 14)


def scan_image(title: str) -> bytes:
    """A plain grey 'scan' with a title bar: enough for the demo review page."""
    image = Image.new("RGB", (900, 600), (236, 234, 228))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 860, 110), fill=(11, 107, 79))
    draw.text((60, 60), title, fill=(255, 255, 255))
    for y in range(160, 540, 40):
        draw.line((60, y, 840, y), fill=(160, 160, 150), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def _nik(producer: Producer, index: int) -> str:
    regency = producer.region_code.replace(".", "")[:6] if producer.region_code else "647201"
    return f"{regency}4507{85 + index % 10:02d}{index:04d}"[:16]


def _number(producer: Producer, doc_type: DocumentType, index: int) -> str:
    if doc_type is DocumentType.KTP:
        return _nik(producer, index)
    if doc_type is DocumentType.NIB:
        return producer.nib or ""
    return NUMBERS[doc_type]


def add_documents(producer: Producer, owner: User, index: int, staff: User | None) -> None:
    """Upload every required document; accept them for verified producers, reject the KTP
    of a producer asked for changes."""
    for doc_type in rules.required_documents(producer):
        expires = None if doc_type is DocumentType.KTP else ISSUED + dt.timedelta(days=5 * 365)
        if doc_type is DocumentType.PIRT:
            expires = ISSUED + dt.timedelta(days=5 * 365)
        upload = services.DocumentUpload(
            doc_type=doc_type.value, number=_number(producer, doc_type, index),
            issued_on=ISSUED, expires_on=expires, filename=f"{doc_type.value}.jpg",
            data=scan_image(f"{doc_type.value.upper()} - {producer.name}"))
        document = services.upload_document(owner, producer, upload)
        _mark_reviewed(producer, document, staff)
    db.session.commit()


def _mark_reviewed(producer, document, staff) -> None:  # type: ignore[no-untyped-def]
    if producer.status in (ProducerStatus.VERIFIED, ProducerStatus.SUSPENDED):
        document.status = DocumentStatus.ACCEPTED
    elif producer.status is ProducerStatus.CHANGES_NEEDED and \
            document.doc_type is DocumentType.KTP:
        document.status = DocumentStatus.REJECTED
        document.review_reason = "Foto KTP buram, mohon unggah ulang."
    else:
        return
    document.reviewed_by_id = staff.id if staff else None
    document.reviewed_at = utcnow()


def owner_of(producer: Producer) -> User | None:
    return db.session.scalar(select(User).join(ProducerMember, ProducerMember.user_id == User.id)
                             .where(ProducerMember.producer_id == producer.id,
                                    ProducerMember.role == MemberRole.OWNER))


def ensure_claim_code(producer: Producer, staff: User | None) -> None:
    if claims.active_code(producer) is None and not claims.has_owner(producer):
        claims.add_code(producer, staff)
