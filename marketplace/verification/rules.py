"""What the agency asks of a producer: which documents, what their numbers look like, which
dates they carry, and when a document counts as expiring.

The one rule for required documents is :func:`required_documents`; every page and service
asks it, so changing a requirement changes the checklist, the submit check and the decision
check together.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from lokal import parse_nik

from marketplace.exceptions import ServiceError
from marketplace.producers import validation
from marketplace.producers.models import Producer, ProducerType, Sector
from marketplace.verification.models import DocumentStatus, DocumentType, ProducerDocument

#: A document that expires within this many days is flagged "expiring".
EXPIRY_WARNING_DAYS = 30

DOCUMENT_LABELS = {
    DocumentType.KTP: _l("Owner's identity card (KTP)"),
    DocumentType.NIB: _l("Business identification number (NIB)"),
    DocumentType.AHU: _l("Cooperative legal entity decree (AHU) or cooperative number"),
    DocumentType.GROUP_DECREE: _l("Producer group decree (SK KUB)"),
    DocumentType.PIRT: _l("Home-industry food permit (P-IRT)"),
    DocumentType.HALAL: _l("Halal certificate"),
}
NUMBER_LABELS = {
    DocumentType.KTP: _l("NIK (16 digits)"),
    DocumentType.NIB: _l("NIB (13 digits)"),
    DocumentType.AHU: _l("Decree or legal entity number"),
    DocumentType.GROUP_DECREE: _l("Decree number"),
    DocumentType.PIRT: _l("P-IRT number (15 digits)"),
    DocumentType.HALAL: _l("Certificate number"),
}
NUMBER_HINTS = {
    DocumentType.KTP: _l("As printed on the KTP. It is stored encrypted and shown only "
                         "masked."),
    DocumentType.NIB: _l("From the OSS printout, e.g. 9120001234567."),
    DocumentType.AHU: _l("e.g. AHU-0001234.AH.01.26.TAHUN 2019, or an older cooperative "
                         "legal number such as 518/BH/XVII/2010."),
    DocumentType.GROUP_DECREE: _l("e.g. 141/12/KPTS/2020."),
    DocumentType.PIRT: _l("e.g. 2063471010148-25 (dashes and spaces are fine)."),
    DocumentType.HALAL: _l("As issued by BPJPH, e.g. ID64110012345670624."),
}
STATUS_LABELS = {
    DocumentStatus.PENDING: _l("Waiting for review"),
    DocumentStatus.ACCEPTED: _l("Accepted"),
    DocumentStatus.REJECTED: _l("Rejected"),
}

#: A KTP-el is valid for life (UU 24/2013): it has no expiry date, and one is refused.
NO_EXPIRY = frozenset({DocumentType.KTP})
#: A P-IRT is valid for five years and is renewed: its expiry date is required.
EXPIRY_REQUIRED = frozenset({DocumentType.PIRT})


def required_documents(producer: Producer) -> list[DocumentType]:
    """The documents the agency needs from this producer, in the order they are shown.

    Everyone: the owner's (or chair's) KTP and the NIB. A cooperative: its AHU decree or
    cooperative number. A KUB: the decree that formed the group. Processed food: a P-IRT,
    and a halal certificate when the producer claims halal.
    """
    required = [DocumentType.KTP, DocumentType.NIB]
    if producer.type is ProducerType.COOPERATIVE:
        required.append(DocumentType.AHU)
    if producer.type is ProducerType.GROUP:
        required.append(DocumentType.GROUP_DECREE)
    if producer.sector is Sector.FOOD:
        required.append(DocumentType.PIRT)
        if producer.halal_claimed:
            required.append(DocumentType.HALAL)
    return required


# --- document numbers -------------------------------------------------------------------------

#: Kemenkumham's decree for a cooperative legal entity: AHU-0001234.AH.01.26.TAHUN 2019
#: (4 to 7 digits, ".AH.", two 2-digit groups, "TAHUN" and the year).
_AHU = re.compile(r"AHU-\d{4,7}\.AH\.\d{2}\.\d{2}\.TAHUN \d{4}")
#: An older cooperative legal entity number from the cooperatives office, slash-separated with
#: a "BH" (badan hukum) part and ending in the year: 518/BH/XVII/2010, 12/BH/DISKOP/IV/1998.
_COOPERATIVE = re.compile(r"(?:[0-9A-Z.\-]+/)+BH(?:/[0-9A-Z.\-]+)*/\d{4}")
#: A decree (SK) number: letters, digits and / . - and spaces, with at least one digit.
_DECREE = re.compile(r"(?=.*\d)[0-9A-Z][0-9A-Z/.\- ]{2,99}")
#: BPJPH's certificate number: "ID", then 14 to 20 digits (ID64110012345670624).
_HALAL = re.compile(r"ID\d{14,20}")
#: Separators people type inside numbers.
_SEPARATORS = re.compile(r"[\s.\-]")


def clean_number(doc_type: DocumentType, value: str | None, field: str = "number") -> str:
    """The document's number, checked for its type and normalised; ServiceError if not."""
    text = " ".join((value or "").split()).upper()
    if not text:
        raise ServiceError(_l("Enter the document number."), field)
    if doc_type is DocumentType.KTP:
        return clean_nik(text, field)
    if doc_type is DocumentType.NIB:
        return validation.clean_nib(text, field) or ""
    if doc_type is DocumentType.PIRT:
        digits = _SEPARATORS.sub("", text)
        if not re.fullmatch(r"\d{15}", digits):
            raise ServiceError(_l("A P-IRT number has 15 digits, e.g. 2063471010148-25."),
                               field)
        return digits
    if doc_type is DocumentType.HALAL:
        compact = re.sub(r"[\s\-]", "", text)
        if not _HALAL.fullmatch(compact):
            raise ServiceError(_l("A halal certificate number starts with ID followed by "
                                  "digits, e.g. ID64110012345670624."), field)
        return compact
    if doc_type is DocumentType.AHU:
        compact = re.sub(r"\s*([./\-])\s*", r"\1", text)
        if not (_AHU.fullmatch(compact) or _COOPERATIVE.fullmatch(compact)):
            raise ServiceError(_l("Enter the decree number as printed, e.g. "
                                  "AHU-0001234.AH.01.26.TAHUN 2019, or a cooperative legal "
                                  "number such as 518/BH/XVII/2010."), field)
        return compact
    if not _DECREE.fullmatch(text):
        raise ServiceError(_l("Enter the decree number as printed, e.g. 141/12/KPTS/2020."),
                           field)
    return text


def clean_nik(value: str, field: str = "number") -> str:
    """A NIK: 16 digits with a known province, a real birth date and a serial (lokal-id).
    The message never repeats the number (it is personal data)."""
    info = parse_nik(value.strip())
    if not info.valid or not info.nik:
        raise ServiceError(_l("This is not a valid NIK: it has 16 digits, as printed on "
                              "the KTP."), field)
    return info.nik


# --- dates ----------------------------------------------------------------------------------

def check_dates(doc_type: DocumentType, issued_on: dt.date | None,
                expires_on: dt.date | None, today: dt.date) -> None:
    """Issue date not in the future; expiry after issue and not past; KTP without expiry;
    P-IRT with one."""
    if issued_on is not None and issued_on > today:
        raise ServiceError(_l("The issue date cannot be in the future."), "issued_on")
    if doc_type in NO_EXPIRY and expires_on is not None:
        raise ServiceError(_l("A KTP-el is valid for life: leave the expiry date empty."),
                           "expires_on")
    if doc_type in EXPIRY_REQUIRED and expires_on is None:
        raise ServiceError(_l("Enter the date this document expires."), "expires_on")
    if expires_on is None:
        return
    if issued_on is not None and expires_on <= issued_on:
        raise ServiceError(_l("The expiry date must be after the issue date."), "expires_on")
    if expires_on < today:
        raise ServiceError(_l("This document has expired: upload the renewed one."),
                           "expires_on")


def expiry_state(document: ProducerDocument, today: dt.date) -> str | None:
    """"expired", "expiring" (within EXPIRY_WARNING_DAYS) or None."""
    if document.expires_on is None:
        return None
    if document.expires_on < today:
        return "expired"
    if document.expires_on <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
        return "expiring"
    return None


def document_label(doc_type: DocumentType | str) -> str:
    return str(DOCUMENT_LABELS[DocumentType(doc_type)])
