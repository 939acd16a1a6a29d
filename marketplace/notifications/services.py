"""Telling people what happened: dashboard notices and emails.

Emails are queued on the database session and sent only after it commits, so a rolled-back
change never announces itself. Each email is rendered in its recipient's language.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.formatting import long_date
from marketplace.notifications.mail import render_mail, send_mail
from marketplace.notifications.models import Notice
from marketplace.producers.models import Producer, ProducerMember
from marketplace.verification.rules import document_label

log = logging.getLogger(__name__)

_PENDING = "pending_mail"


@dataclass
class PendingMail:
    to: str
    template: str
    locale: str
    context: dict[str, object] = field(default_factory=dict)


def queue_mail(user: User, template: str, **context: object) -> None:
    """Send ``templates/emails/<template>.txt`` to ``user`` once the session commits."""
    db.session.info.setdefault(_PENDING, []).append(
        PendingMail(user.email, template, user.locale, {"user_name": user.name, **context}))


def queue_mail_to(email: str, locale: str, template: str, **context: object) -> None:
    """Like queue_mail, for an address that may have no account yet (e.g. an invitation).
    The template gets only ``context`` (no ``user_name``)."""
    db.session.info.setdefault(_PENDING, []).append(
        PendingMail(email, template, locale, dict(context)))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    pending: list[PendingMail] = session.info.pop(_PENDING, [])
    for mail in pending:
        try:
            subject, body = render_mail(mail.template, mail.locale, **mail.context)
            send_mail(mail.to, subject, body)
        except Exception:  # a mail server problem must not undo a committed change
            log.exception("Could not send %s email to a user", mail.template)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- producer notices --------------------------------------------------------------------

#: What each notice kind says; rendered in the reader's language with the notice's params.
NOTICE_TEXTS = {
    # verification: one kind per decision, so that each reads well in both languages
    "verification_verified": _l("Your profile is verified: your shop can now appear to "
                                "buyers."),
    "verification_changes_needed": _l("The agency asks for changes to your profile: "
                                      "%(reason)s"),
    "verification_rejected": _l("The agency did not accept your profile: %(reason)s"),
    "verification_suspended": _l("Your shop has been suspended by the agency: %(reason)s"),
    "verification_reinstated": _l("Your shop has been reinstated by the agency: %(reason)s"),
    "verification_document_rejected": _l("The agency did not accept one of your documents: "
                                         "%(reason)s"),
    "verification_document_expiring": _l("One of your documents expires on %(expires_on)s: "
                                         "%(document)s. Upload the renewed document."),
    "verification_document_expired": _l("One of your documents expired on %(expires_on)s: "
                                        "%(document)s. Upload the renewed document."),
    "product_unpublished": _l("The agency unpublished a product: %(product)s."),
    "member_joined": _l("%(name)s joined your team on Pasar Binaan."),
}


def _document_expiry_params(params: dict[str, object]) -> dict[str, object]:
    """Stored as an ISO date and a document type code; shown in the reader's language."""
    shown = dict(params)
    with suppress(KeyError, ValueError):
        shown["expires_on"] = long_date(dt.date.fromisoformat(str(params["expires_on"])),
                                        str(get_locale() or "id"))
    with suppress(KeyError, ValueError):
        shown["document"] = document_label(str(params["document"]))
    return shown


#: Notice kinds whose params hold codes or dates: how to show them (at display time, so in
#: the reader's language). Other kinds' params are shown as stored.
NOTICE_PARAMS: dict[str, Callable[[dict[str, object]], dict[str, object]]] = {
    "verification_document_expiring": _document_expiry_params,
    "verification_document_expired": _document_expiry_params,
}


def notice_text(notice: Notice) -> str:
    text = NOTICE_TEXTS.get(notice.kind)
    if text is None:
        return notice.kind
    params = dict(notice.params or {})
    if notice.kind in NOTICE_PARAMS:
        params = NOTICE_PARAMS[notice.kind](params)
    params = {k: str(v) for k, v in params.items()}
    try:
        return str(text) % params if params else str(text)
    except (KeyError, TypeError, ValueError):
        return str(text)


def notify_producer(producer: Producer, kind: str, *, email_template: str | None = None,
                    **params: object) -> Notice:
    """Add a dashboard notice and queue an email to every member. The caller commits."""
    notice = Notice(producer_id=producer.id, kind=kind, params=params)
    db.session.add(notice)
    if email_template:
        members = db.session.scalars(select(User).join(
            ProducerMember, ProducerMember.user_id == User.id).where(
            ProducerMember.producer_id == producer.id, User.active.is_(True)))
        for member in members:
            queue_mail(member, email_template, producer_name=producer.name, **params)
    return notice


def notices_for(producer: Producer, limit: int = 20) -> list[Notice]:
    return list(db.session.scalars(select(Notice).where(Notice.producer_id == producer.id)
                                   .order_by(Notice.id.desc()).limit(limit)))
