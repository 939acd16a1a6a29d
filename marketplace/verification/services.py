"""The producer's side of verification: the document checklist, uploads, downloads and
submitting the profile for the agency's review.

Staff decisions live in decisions.py; the staff queue in queries.py.

Choice: a verified producer does not re-submit its whole profile (the status table would
allow VERIFIED -> SUBMITTED, which hides the shop from buyers until staff decide). A renewed
document uploaded by a verified producer waits for review on its own while the shop stays
open; staff find such producers under the queue's "documents waiting" filter. A change of
legal identity still sends a verified producer back to review (producers.update_profile).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace import crypto
from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.formatting import WITA
from marketplace.media.storage import get_storage, new_key
from marketplace.producers.models import Producer, ProducerStatus
from marketplace.producers.services import (
    AccessDenied,
    change_status,
    record_event,
    require_member,
)
from marketplace.verification import files, rules
from marketplace.verification.models import (
    DocumentType,
    DocumentView,
    ProducerDocument,
)

#: Statuses from which members may submit the profile for review.
SUBMITTABLE = frozenset({ProducerStatus.DRAFT, ProducerStatus.CHANGES_NEEDED,
                         ProducerStatus.REJECTED})
#: What a profile needs before review: field -> label.
PROFILE_REQUIRED = {
    "name": _l("Business name"),
    "type": _l("Business type"),
    "sector": _l("Sector"),
    "region_code": _l("Kelurahan/desa"),
    "phone": _l("Phone number"),
    "owner_name": _l("Owner or chair's name"),
    "nib": _l("NIB"),
}


def today() -> dt.date:
    """Today in Kaltim (WITA): the date documents expire by."""
    return utcnow().astimezone(WITA).date()


# --- reading -------------------------------------------------------------------------------

def current_documents(producer: Producer) -> dict[DocumentType, ProducerDocument]:
    """The latest upload of each type (older ones are kept, marked replaced)."""
    documents = db.session.scalars(select(ProducerDocument).where(
        ProducerDocument.producer_id == producer.id, ProducerDocument.replaced.is_(False))
        .order_by(ProducerDocument.id))
    return {document.doc_type: document for document in documents}


def all_documents(producer: Producer) -> list[ProducerDocument]:
    """Every upload, newest first, replaced ones included (the staff's history)."""
    return list(db.session.scalars(select(ProducerDocument).where(
        ProducerDocument.producer_id == producer.id).order_by(ProducerDocument.id.desc())))


@dataclass(frozen=True)
class ChecklistItem:
    doc_type: DocumentType
    document: ProducerDocument | None
    #: "missing", "pending", "accepted" or "rejected".
    state: str
    #: None, "expiring" or "expired".
    expiry: str | None


def checklist(producer: Producer, on: dt.date | None = None) -> list[ChecklistItem]:
    """Each required document with its state, in the order of rules.required_documents."""
    on = on or today()
    current = current_documents(producer)
    items = []
    for doc_type in rules.required_documents(producer):
        document = current.get(doc_type)
        state = document.status.value if document else "missing"
        expiry = rules.expiry_state(document, on) if document else None
        items.append(ChecklistItem(doc_type, document, state, expiry))
    return items


def shown_number(document: ProducerDocument) -> str:
    """The number as people may see it: a KTP's NIK only masked (6472••••••••0001)."""
    if document.doc_type is DocumentType.KTP:
        plain = crypto.decrypt(document.number_encrypted) if document.number_encrypted else None
        return crypto.mask_nik(plain)
    return document.number


def missing_profile_fields(producer: Producer) -> list[str]:
    return [name for name in PROFILE_REQUIRED if not getattr(producer, name)]


def submission_problems(producer: Producer, on: dt.date | None = None) -> list[str]:
    """Why the profile cannot be submitted yet (empty when it can)."""
    problems = []
    missing = missing_profile_fields(producer)
    if missing:
        names = ", ".join(str(PROFILE_REQUIRED[name]) for name in missing)
        problems.append(str(_l("Complete your profile first: %(fields)s.", fields=names)))
    for item in checklist(producer, on):
        label = rules.document_label(item.doc_type)
        if item.state == "missing":
            problems.append(str(_l("Upload: %(document)s.", document=label)))
        elif item.state == "rejected":
            problems.append(str(_l("Upload a new %(document)s: the agency did not accept "
                                   "the last one.", document=label)))
        elif item.expiry == "expired":
            problems.append(str(_l("Upload a renewed %(document)s: it has expired.",
                                   document=label)))
    return problems


# --- producer actions ----------------------------------------------------------------------

@dataclass
class DocumentUpload:
    """What the upload form sends, before checking."""

    doc_type: str
    number: str
    issued_on: dt.date | None
    expires_on: dt.date | None
    filename: str | None
    data: bytes


def upload_document(actor: User, producer: Producer, upload: DocumentUpload) -> ProducerDocument:
    """A member uploads one of the producer's required documents. A previous upload of the
    same type is marked replaced (and kept). The file goes to private storage."""
    require_member(actor, producer)
    doc_type = _required_type(producer, upload.doc_type)
    number = rules.clean_number(doc_type, upload.number)
    if doc_type is DocumentType.NIB and producer.nib and number != producer.nib:
        raise ServiceError(_l("This NIB is not the one in your profile: correct one of "
                              "them."), "number")
    rules.check_dates(doc_type, upload.issued_on, upload.expires_on, today())
    checked = files.check_file(upload.filename, upload.data)
    key = new_key("private", "documents", checked.extension)
    storage = get_storage()
    storage.save(key, checked.data, checked.content_type)
    try:
        document = _store(actor, producer, doc_type, number, upload, checked, key)
    except Exception:
        db.session.rollback()
        storage.delete(key)
        raise
    return document


def _required_type(producer: Producer, value: str) -> DocumentType:
    try:
        doc_type = DocumentType(value)
    except ValueError:
        doc_type = None
    if doc_type not in rules.required_documents(producer):
        raise ServiceError(_l("This document is not needed for your profile."), "doc_type")
    return doc_type


def _store(actor: User, producer: Producer, doc_type: DocumentType, number: str,
           upload: DocumentUpload, checked: files.CheckedFile, key: str) -> ProducerDocument:
    previous = current_documents(producer).get(doc_type)
    if previous is not None:
        previous.replaced = True
    secret = doc_type is DocumentType.KTP
    document = ProducerDocument(
        producer_id=producer.id, doc_type=doc_type, number="" if secret else number,
        number_encrypted=crypto.encrypt(number) if secret else None,
        issued_on=upload.issued_on, expires_on=upload.expires_on, file_key=key,
        file_name=checked.name, content_type=checked.content_type,
        size_bytes=len(checked.data), uploaded_by_id=actor.id)
    db.session.add(document)
    db.session.flush()
    # Never the NIK: the audit trail names the document, not its number.
    record_event(producer, actor, "document_upload", changes={
        "document": doc_type.value, "document_id": document.id,
        "replaces": previous.id if previous else None})
    db.session.commit()
    return document


def submit_for_review(actor: User, producer: Producer) -> None:
    """A member sends the profile to the agency: DRAFT, CHANGES_NEEDED or REJECTED ->
    SUBMITTED, when the profile is complete and every required document is uploaded,
    not rejected and not expired."""
    require_member(actor, producer)
    if producer.status is ProducerStatus.SUBMITTED:
        raise ServiceError(_l("Your profile is already waiting for the agency's review."))
    if producer.status is ProducerStatus.VERIFIED:
        raise ServiceError(_l("Your profile is already verified. New documents are reviewed "
                              "while your shop stays open."))
    if producer.status not in SUBMITTABLE:
        raise ServiceError(_l("Your shop is suspended: contact the agency."))
    problems = submission_problems(producer)
    if problems:
        raise ServiceError(" ".join(problems))
    change_status(producer, ProducerStatus.SUBMITTED, actor)
    db.session.commit()


# --- files ---------------------------------------------------------------------------------

def read_document(actor: User, document: ProducerDocument) -> bytes:
    """The file, for the producer's members and for staff. Every staff view is logged."""
    if not actor.is_authenticated:
        raise AccessDenied(_l("Sign in to open documents."))
    if not actor.is_staff:
        require_member(actor, document.producer)
    data = get_storage().read(document.file_key)
    if actor.is_staff:
        db.session.add(DocumentView(document_id=document.id, user_id=actor.id))
        db.session.commit()
    return data


def get_document(document_id: int) -> ProducerDocument | None:
    return db.session.get(ProducerDocument, document_id)


def document_views(producer: Producer, limit: int = 100) -> list[DocumentView]:
    """Who opened which of the producer's documents, newest first (UU PDP: staff access to
    personal data is accountable)."""
    return list(db.session.scalars(
        select(DocumentView).join(DocumentView.document)
        .where(ProducerDocument.producer_id == producer.id)
        .options(joinedload(DocumentView.document), joinedload(DocumentView.user))
        .order_by(DocumentView.id.desc()).limit(limit)))
