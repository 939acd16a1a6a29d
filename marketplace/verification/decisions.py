"""The agency's side of verification: reviewing documents, deciding on a submitted profile,
suspending and reinstating, and flagging documents that expire.

Every decision is an audit event (producers.change_status or record_event) and the producer
is told: a dashboard notice and an email to each member, in their language.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.links import external_url
from marketplace.notifications.services import notify_producer
from marketplace.producers.models import Producer, ProducerEvent, ProducerStatus
from marketplace.producers.services import change_status, record_event, require_staff
from marketplace.verification import rules
from marketplace.verification.models import DocumentStatus, ProducerDocument
from marketplace.verification.services import checklist, today

MAX_REASON = 2000
#: Decision value (as the form sends it) -> the status it leads to.
DECISIONS = {
    "verified": ProducerStatus.VERIFIED,
    "changes_needed": ProducerStatus.CHANGES_NEEDED,
    "rejected": ProducerStatus.REJECTED,
}
#: Decisions staff must explain (what to fix, or why not).
REASON_REQUIRED = frozenset({"changes_needed", "rejected"})


def _clean_reason(reason: str | None, required: bool, message: object) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise ServiceError(message, "reason")
    if len(text) > MAX_REASON:
        raise ServiceError(_l("Keep the reason under %(n)d characters.", n=MAX_REASON),
                           "reason")
    return text


def _documents_link(producer: Producer) -> str:
    return external_url("verification.documents", producer_id=producer.id)


# --- documents -----------------------------------------------------------------------------

def review_document(actor: User, document: ProducerDocument, accept: bool,
                    reason: str = "") -> ProducerDocument:
    """Staff accept or reject one current document; rejecting requires a reason.

    The producer sees a rejection on its dashboard. While the profile is under review the
    email waits for the profile decision (one email, not one per document); otherwise (a
    renewed document of a verified producer) the rejection is emailed at once.
    """
    require_staff(actor)
    if document.replaced:
        raise ServiceError(_l("A newer upload has replaced this document: review that one."))
    text = _clean_reason(reason, not accept,
                         _l("Say why the document is not accepted, so the producer can fix "
                            "it."))
    before = document.status
    document.status = DocumentStatus.ACCEPTED if accept else DocumentStatus.REJECTED
    document.review_reason = text
    document.reviewed_by_id = actor.id
    document.reviewed_at = utcnow()
    producer = document.producer
    record_event(producer, actor, "document_review", reason=text, changes={
        "document": document.doc_type.value, "document_id": document.id,
        "status": [before.value, document.status.value]})
    if not accept:
        email = None if producer.status is ProducerStatus.SUBMITTED else "verification_document"
        notify_producer(producer, "verification_document_rejected", email_template=email,
                        document=document.doc_type.value, reason=text,
                        link=_documents_link(producer))
    db.session.commit()
    return document


# --- the profile ---------------------------------------------------------------------------

def decide(actor: User, producer: Producer, decision: str, reason: str = "") -> None:
    """Staff decide on a SUBMITTED profile: verified, changes needed (say what to fix) or
    rejected (say why). Verifying needs every required document accepted and in date."""
    require_staff(actor)
    if decision not in DECISIONS:
        raise ServiceError(_l("Choose a decision."), "decision")
    if producer.status is not ProducerStatus.SUBMITTED:
        raise ServiceError(_l("This profile was not submitted for review: there is nothing "
                              "to decide."), "decision")
    text = _clean_reason(reason, decision in REASON_REQUIRED,
                         _l("Say what the producer must fix, or why the profile is "
                            "rejected."))
    if decision == "verified":
        _check_verifiable(producer)
    change_status(producer, DECISIONS[decision], actor, text)
    notify_producer(producer, f"verification_{decision}",
                    email_template="verification_decision", decision=decision, reason=text,
                    link=_documents_link(producer))
    db.session.commit()


def _check_verifiable(producer: Producer) -> None:
    for item in checklist(producer, today()):
        if item.state != "accepted" or item.expiry == "expired":
            raise ServiceError(_l("Accept every required document (in date) before you "
                                  "verify: %(document)s is not.",
                                  document=rules.document_label(item.doc_type)), "decision")


def suspend(actor: User, producer: Producer, reason: str) -> None:
    """Take a verified producer's shop offline, with a reason."""
    _suspension(actor, producer, ProducerStatus.VERIFIED, ProducerStatus.SUSPENDED, reason)


def reinstate(actor: User, producer: Producer, reason: str) -> None:
    """Bring a suspended producer back, with a reason."""
    _suspension(actor, producer, ProducerStatus.SUSPENDED, ProducerStatus.VERIFIED, reason)


def _suspension(actor: User, producer: Producer, source: ProducerStatus,
                target: ProducerStatus, reason: str) -> None:
    require_staff(actor)
    if producer.status is not source:
        message = (_l("Only a verified producer can be suspended.")
                   if target is ProducerStatus.SUSPENDED
                   else _l("Only a suspended producer can be reinstated."))
        raise ServiceError(message, "reason")
    text = _clean_reason(reason, True, _l("Give the reason: the producer will read it."))
    change_status(producer, target, actor, text)
    action = "suspended" if target is ProducerStatus.SUSPENDED else "reinstated"
    notify_producer(producer, f"verification_{action}", email_template="verification_suspension",
                    action=action, reason=text, link=_documents_link(producer))
    db.session.commit()


# --- expiring documents --------------------------------------------------------------------

def flag_expiring(on: dt.date | None = None) -> int:
    """Tell producers about accepted documents that expire within EXPIRY_WARNING_DAYS or
    have expired. Each document is flagged once per stage ("expiring", then "expired"),
    remembered as a "document_expiry" audit event; running the check again repeats nothing.
    Returns how many documents were flagged. Needs a request context (for the links)."""
    on = on or today()
    limit = on + dt.timedelta(days=rules.EXPIRY_WARNING_DAYS)
    documents = list(db.session.scalars(select(ProducerDocument).where(
        ProducerDocument.replaced.is_(False),
        ProducerDocument.status == DocumentStatus.ACCEPTED,
        ProducerDocument.expires_on.is_not(None), ProducerDocument.expires_on <= limit)
        .order_by(ProducerDocument.id)))
    done = _flagged({document.producer_id for document in documents})
    flagged = 0
    for document in documents:
        stage = rules.expiry_state(document, on)
        if stage is None or document.expires_on is None or (document.id, stage) in done:
            continue
        producer = document.producer
        record_event(producer, None, "document_expiry", changes={
            "document": document.doc_type.value, "document_id": document.id, "stage": stage,
            "expires_on": document.expires_on.isoformat()})
        notify_producer(producer, f"verification_document_{stage}",
                        email_template="verification_expiry", stage=stage,
                        document=document.doc_type.value,
                        expires_on=document.expires_on.isoformat(),
                        link=_documents_link(producer))
        flagged += 1
    db.session.commit()
    return flagged


def _flagged(producer_ids: set[int]) -> set[tuple[object, object]]:
    if not producer_ids:
        return set()
    events = db.session.scalars(select(ProducerEvent).where(
        ProducerEvent.action == "document_expiry", ProducerEvent.producer_id.in_(producer_ids)))
    return {(event.changes.get("document_id"), event.changes.get("stage")) for event in events}
