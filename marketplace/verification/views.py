"""Verification pages: the producer's documents, document files, the staff queue and the
staff review page with its decisions."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm

from marketplace.accounts.access import role_required, signed_in_user
from marketplace.accounts.models import Role, User
from marketplace.exceptions import ServiceError
from marketplace.forms import show_error
from marketplace.producers import services as producer_services
from marketplace.producers.models import Producer
from marketplace.producers.services import AccessDenied
from marketplace.verification import decisions, files, queries, rules, services
from marketplace.verification.forms import (
    DecisionForm,
    DocumentForm,
    DocumentReviewForm,
    SubmitForm,
    SuspensionForm,
)
from marketplace.verification.models import DocumentType, ProducerDocument

bp = Blueprint("verification", __name__)
log = logging.getLogger(__name__)

#: Audit trail actions, as staff read them: every action that record_event is given anywhere
#: (an unknown one is shown as recorded).
EVENT_LABELS = {
    "created": _l("Profile created"),
    "demo_loaded": _l("Demo data loaded"),
    "status": _l("Status changed"),
    "profile_edit": _l("Profile edited"),
    "logo_changed": _l("Logo changed"),
    "banner_changed": _l("Banner changed"),
    "holiday": _l("Shop holiday changed"),
    "document_upload": _l("Document uploaded"),
    "document_review": _l("Document reviewed"),
    "document_expiry": _l("Document expiry flagged"),
    "grant_added": _l("Aid grant recorded"),
    "claim_issued": _l("Claim code issued"),
    "claim_revoked": _l("Claim code revoked"),
    "claimed": _l("Profile claimed with a claim code"),
    "invitation_sent": _l("Invitation sent"),
    "invitation_revoked": _l("Invitation cancelled"),
    "member_added": _l("Member joined"),
    "member_removed": _l("Member removed"),
    "member_role_changed": _l("Member's role changed"),
    "product_unpublished": _l("Product unpublished by the agency"),
    "product_republished": _l("Unpublished product published again"),
}

#: Reasons that the code records (not typed by a person), as staff read them.
REASON_LABELS = {"import": _l("Imported from the aid recipient list")}
#: producers.services.update_profile: "identity changed: name, nib".
_IDENTITY_CHANGED = "identity changed: "


def reason_text(reason: str | None) -> str:
    """A stored reason in the reader's language: codes are translated, a person's words
    are shown as written."""
    reason = reason or ""
    if reason in REASON_LABELS:
        return str(REASON_LABELS[reason])
    if reason.startswith(_IDENTITY_CHANGED):
        fields = [name.strip() for name in reason[len(_IDENTITY_CHANGED):].split(",")]
        labels = ", ".join(str(producer_services.FIELD_LABELS.get(name, name))
                           for name in fields if name)
        return _("Business identity changed: %(fields)s", fields=labels)
    return reason


@bp.app_context_processor
def _labels() -> dict[str, object]:
    """Labels the verification templates and emails use, under one name that no other
    blueprint's context can shadow (emails map a stored type value to its name)."""
    return {"vlabels": SimpleNamespace(
        document=_by_value(rules.DOCUMENT_LABELS),
        document_status=_by_value(rules.STATUS_LABELS),
        producer_status=_by_value(producer_services.STATUS_LABELS),
        sector=_by_value(producer_services.SECTOR_LABELS),
        type=_by_value(producer_services.TYPE_LABELS),
        event=EVENT_LABELS, field=producer_services.FIELD_LABELS, reason=reason_text)}


def _by_value(labels: Mapping[Any, object]) -> dict[str, object]:
    """Keyed by the enum's string value, so a stored string (an audit row) finds its label."""
    return {str(key.value): label for key, label in labels.items()}


@bp.app_template_filter("document_number")
def _document_number(document: ProducerDocument) -> str:
    return services.shown_number(document)


@bp.app_template_filter("iso_date")
def _iso_date(value: str) -> dt.date | None:
    """A date stored as text (notice and email parameters) back to a date."""
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None



def _producer_or_404(producer_id: int) -> Producer:
    producer = producer_services.get_producer(producer_id)
    if producer is None:
        abort(404)
    return producer


def _sent(form: FlaskForm, name: str) -> bool:
    """For pages with several forms: was this one sent, and is it valid?"""
    return request.form.get("form_name") == name and form.validate_on_submit()


# --- producer ------------------------------------------------------------------------------

@bp.route("/produsen/<int:producer_id>/dokumen", methods=["GET", "POST"])
@login_required
def documents(producer_id: int):
    producer = _producer_or_404(producer_id)
    user = signed_in_user()
    if producer_services.membership(user, producer) is None:
        abort(403)
    items = services.checklist(producer)
    forms = {item.doc_type: DocumentForm(item.doc_type) for item in items}
    submit_form = SubmitForm(prefix="submit")
    if request.method == "POST" and _documents_post(user, producer, forms, submit_form):
        return redirect(url_for(".documents", producer_id=producer.id))
    if DocumentType.KTP in forms:  # a NIK is never sent back, not even the one just typed
        forms[DocumentType.KTP].number.data = ""
    return render_template("verification/documents.html", producer=producer, items=items,
                           forms=forms, submit_form=submit_form,
                           problems=services.submission_problems(producer),
                           can_submit=producer.status in services.SUBMITTABLE)


def _documents_post(user: User, producer: Producer, forms: dict[DocumentType, DocumentForm],
                    submit_form: SubmitForm) -> bool:
    """Handle whichever form of the documents page was sent; True when it succeeded."""
    sent = request.form.get("form_name", "")
    if _sent(submit_form, "submit"):
        try:
            services.submit_for_review(user, producer)
        except ServiceError as error:
            flash(str(error.message), "error")
            return False
        flash(_("Your profile has been sent to the agency for review."), "success")
        return True
    for doc_type, form in forms.items():
        if sent == f"upload-{doc_type.value}":
            return form.validate_on_submit() and _upload(user, producer, form)
    if sent != "submit":
        flash(_("This document is not needed for your profile."), "error")
    return False


def _upload(user: User, producer: Producer, form: DocumentForm) -> bool:
    storage = form.file.data
    data = storage.stream.read(files.max_bytes() + 1) if storage else b""
    expires = form.expires_on.data if "expires_on" in form else None
    upload = services.DocumentUpload(
        doc_type=form.doc_type.value, number=form.number.data or "",
        issued_on=form.issued_on.data, expires_on=expires,
        filename=storage.filename if storage else None, data=data)
    try:
        services.upload_document(user, producer, upload)
    except ServiceError as error:
        show_error(form, error)
        return False
    flash(_("Document saved: %(document)s. The agency will review it.",
            document=rules.document_label(form.doc_type)), "success")
    return True


@bp.get("/dokumen/<int:document_id>/berkas")
@login_required
def document_file(document_id: int):
    """The file itself: that producer's members and staff only (staff views are logged)."""
    document = services.get_document(document_id)
    if document is None:
        abort(404)
    try:
        data = services.read_document(signed_in_user(), document)
    except AccessDenied:
        abort(403)
    except FileNotFoundError:
        log.error("Document %s: file missing from storage", document.id)
        abort(404)
    response = Response(data, mimetype=document.content_type)
    disposition = "attachment" if document.content_type == "application/pdf" else "inline"
    response.headers.set("Content-Disposition", disposition, filename=document.file_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- staff ---------------------------------------------------------------------------------

@bp.get("/dinas/verifikasi")
@role_required(Role.STAFF)
def queue():
    filters = queries.parse_filters(request.args)
    page = queries.queue(filters)
    ids = [producer.id for producer in page.items]
    args = {"status": filters.status, "program": filters.program_id,
            "regency": filters.regency, "sector": filters.sector}
    return render_template(
        "verification/queue.html", filters=filters, page=page,
        args={k: v for k, v in args.items() if v},
        flags=queries.document_flags(ids, services.today()),
        programs_of=queries.programs_by_producer(ids),
        places=queries.region_names([p.region_code for p in page.items]),
        programs=queries.programs(), regencies=queries.regencies(),
        statuses=queries.status_choices())


@bp.get("/dinas/verifikasi/<int:producer_id>")
@role_required(Role.STAFF)
def review(producer_id: int):
    return _render_review(_producer_or_404(producer_id))


def _render_review(producer: Producer, *, document_form: DocumentReviewForm | None = None,
                   document_id: int | None = None, decision_form: DecisionForm | None = None,
                   suspension_form: SuspensionForm | None = None):
    on = services.today()
    current = services.current_documents(producer)
    review_forms = {document.id: DocumentReviewForm(prefix=f"doc{document.id}", formdata=None)
                    for document in current.values()}
    if document_form is not None and document_id is not None:
        review_forms[document_id] = document_form
    return render_template(
        "verification/review.html", producer=producer, on=on,
        items=services.checklist(producer, on), current=current,
        history=[d for d in services.all_documents(producer) if d.replaced],
        review_forms=review_forms, expiry_state=rules.expiry_state,
        decision_form=decision_form or DecisionForm(formdata=None),
        suspension_form=suspension_form or SuspensionForm(prefix="suspension", formdata=None),
        grants=queries.grants_of(producer), events=queries.audit_trail(producer),
        document_views=services.document_views(producer),
        place=queries.region_names([producer.region_code]).get(producer.region_code or ""),
        problems=services.submission_problems(producer, on))


def _back_to_review(producer: Producer, anchor: str):
    return redirect(url_for(".review", producer_id=producer.id, _anchor=anchor))


@bp.post("/dinas/verifikasi/dokumen/<int:document_id>")
@role_required(Role.STAFF)
def review_document(document_id: int):
    document = services.get_document(document_id)
    if document is None:
        abort(404)
    form = DocumentReviewForm(prefix=f"doc{document.id}")
    if form.validate_on_submit():
        try:
            decisions.review_document(signed_in_user(), document, form.verdict.data == "accept",
                                      form.reason.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("Document reviewed: %(document)s.",
                    document=rules.document_label(document.doc_type)), "success")
            return _back_to_review(document.producer, f"dok-{document.id}")
    return _render_review(document.producer, document_form=form, document_id=document.id)


@bp.post("/dinas/verifikasi/<int:producer_id>/keputusan")
@role_required(Role.STAFF)
def decide(producer_id: int):
    producer = _producer_or_404(producer_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decisions.decide(signed_in_user(), producer, form.decision.data, form.reason.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("Decision saved. The producer has been told."), "success")
            return _back_to_review(producer, "keputusan")
    return _render_review(producer, decision_form=form)


@bp.post("/dinas/verifikasi/<int:producer_id>/penangguhan")
@role_required(Role.STAFF)
def suspension(producer_id: int):
    producer = _producer_or_404(producer_id)
    form = SuspensionForm(prefix="suspension")
    if form.validate_on_submit():
        action = {"suspend": decisions.suspend, "reinstate": decisions.reinstate}.get(
            form.action.data or "")
        try:
            if action is None:
                raise ServiceError(_("Choose to suspend or to reinstate."), "reason")
            action(signed_in_user(), producer, form.reason.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("Saved. The producer has been told."), "success")
            return _back_to_review(producer, "keputusan")
    return _render_review(producer, suspension_form=form)
