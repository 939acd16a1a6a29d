"""Staff pages (transfers to confirm, flagged payments, refunds, balances and payouts, the
platform fee) and the producer's own balance page with Stripe Connect onboarding."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from marketplace.accounts.access import role_required
from marketplace.accounts.models import Role
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.forms import show_error
from marketplace.links import external_url
from marketplace.payments import bank, ledger, refunds, services
from marketplace.payments.forms import (
    ActionForm,
    FeeForm,
    PayoutForm,
    RefundCompleteForm,
    RejectForm,
    ResolveFlagForm,
)
from marketplace.payments.models import ConnectAccount, Payment, Refund
from marketplace.payments.stripe_gateway import GatewayError
from marketplace.payments.views import _render_review, _reviewable, _user, bp
from marketplace.producers.access import member_producer_or_404
from marketplace.producers.models import Producer

PROOF_MAX_BYTES = bank.RECEIPT_MAX_BYTES


@bp.get("/dinas/pembayaran")
@role_required(Role.STAFF)
def staff_queue() -> ResponseReturnValue:
    return _render_queue({})


def _render_queue(forms: dict[int, RefundCompleteForm], status: int = 200) -> tuple[str, int]:
    """The queue: bank transfers to check, flagged payments (newest 50), open refunds."""
    flagged = list(db.session.scalars(select(Payment).where(Payment.flagged_for_staff)
                                      .order_by(Payment.id.desc()).limit(50)))
    open_refunds = refunds.open_refunds()
    for refund in open_refunds:
        forms.setdefault(refund.id, RefundCompleteForm(prefix=f"refund{refund.id}"))
    return render_template("payments/staff_queue.html", submitted=bank.submitted_payments(),
                           flagged=flagged, refunds=open_refunds, forms=forms,
                           action_form=ActionForm()), status


@bp.post("/pembayaran/<number>/selesai-diperiksa")
@role_required(Role.STAFF)
def resolve_flag(number: str) -> ResponseReturnValue:
    """Staff close a flagged payment's check with a note (buyers and shops: 403)."""
    group, payment = _reviewable(number)
    form = ResolveFlagForm()
    if form.validate_on_submit():
        try:
            services.resolve_flag(_user(), payment, form.note.data or "")
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("The payment check is closed; the note is on the orders' timelines."),
                  "success")
            return redirect(url_for(".review", number=number))
    return _render_review(group, payment, RejectForm(), 400, resolve_form=form)


def _refund_or_404(refund_id: int) -> Refund:
    refund = db.session.get(Refund, refund_id)
    if refund is None:
        abort(404)
    return refund


@bp.post("/dinas/refund/<int:refund_id>")
@role_required(Role.STAFF)
def complete_refund(refund_id: int) -> ResponseReturnValue:
    refund = _refund_or_404(refund_id)
    form = RefundCompleteForm(prefix=f"refund{refund.id}")
    if form.validate_on_submit():
        upload = form.proof.data
        data = upload.stream.read(PROOF_MAX_BYTES + 1) if upload else b""
        try:
            refunds.complete_manual(_user(), refund, form.reference.data or "", data)
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("Refund recorded: the order is now Dikembalikan."), "success")
            return redirect(url_for(".staff_queue"))
    return _render_queue({refund.id: form}, 400)


@bp.post("/dinas/refund/<int:refund_id>/ulang")
@role_required(Role.STAFF)
def retry_refund(refund_id: int) -> BaseResponse:
    refund = _refund_or_404(refund_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        refunds.retry(_user(), refund)
    except ServiceError as error:
        flash(str(error.message), "error")
    else:
        flash(_("The refund was sent to Stripe again."), "success")
    return redirect(url_for(".staff_queue"))


# --- balances and payouts --------------------------------------------------------------------

@bp.get("/dinas/saldo")
@role_required(Role.STAFF)
def balances() -> ResponseReturnValue:
    return _render_balances({}, FeeForm(percent=_percent()))


def _percent() -> str:
    points = ledger.fee_basis_points()
    return f"{points // 100}" if points % 100 == 0 else f"{points / 100:g}"


def _render_balances(forms: dict[int, PayoutForm], fee_form: FeeForm,
                     status: int = 200) -> tuple[str, int]:
    rows = ledger.balances()
    for row in rows:
        forms.setdefault(row.producer.id, PayoutForm(prefix=f"payout{row.producer.id}"))
    return render_template("payments/balances.html", balances=rows, payouts=ledger.payouts(),
                           payout_forms=forms, fee_form=fee_form, fee=_percent()), status


@bp.get("/dinas/saldo.csv")
@role_required(Role.STAFF)
def balances_csv() -> Response:
    response = Response(ledger.payout_csv(), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename="daftar-pembayaran.csv")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/dinas/saldo/<int:producer_id>/pembayaran")
@role_required(Role.STAFF)
def record_payout(producer_id: int) -> ResponseReturnValue:
    producer = db.session.get(Producer, producer_id)
    if producer is None:
        abort(404)
    form = PayoutForm(prefix=f"payout{producer.id}")
    if form.validate_on_submit():
        try:
            ledger.record_payout(_user(), producer, form.amount.data or 0,
                                 form.reference.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("Payout recorded."), "success")
            return redirect(url_for(".balances"))
    return _render_balances({producer.id: form}, FeeForm(percent=_percent()), 400)


@bp.post("/dinas/saldo/biaya")
@role_required(Role.ADMIN)
def set_fee() -> ResponseReturnValue:
    form = FeeForm()
    if form.validate_on_submit():
        try:
            ledger.set_fee(_user(), form.percent.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("Platform fee saved."), "success")
            return redirect(url_for(".balances"))
    return _render_balances({}, form, 400)


# --- the producer's own balance ----------------------------------------------------------------

@bp.get("/produsen/<int:producer_id>/saldo")
@login_required
def producer_balance(producer_id: int) -> ResponseReturnValue:
    producer = member_producer_or_404(producer_id, staff_too=True)
    if request.args.get("stripe") == "kembali" and ledger.connect_enabled():
        try:
            ledger.refresh_account(producer)
        except GatewayError:
            flash(_("Stripe cannot be reached right now. Please try again shortly."), "error")
    return render_template("payments/producer_balance.html", producer=producer,
                           balance=ledger.balance(producer), entries=ledger.entries(producer),
                           payouts=ledger.payouts(producer), action_form=ActionForm(),
                           connect=ledger.connect_enabled(),
                           account=db.session.get(ConnectAccount, producer.id))


@bp.get("/produsen/<int:producer_id>/pembayaran")
@login_required
def producer_transfers(producer_id: int) -> ResponseReturnValue:
    """Transfers for this producer's orders waiting for confirmation (members only)."""
    producer = member_producer_or_404(producer_id)
    return render_template("payments/producer_transfers.html", producer=producer,
                           submitted=bank.submitted_payments(producer.id))


@bp.post("/produsen/<int:producer_id>/stripe-connect")
@login_required
def connect_onboarding(producer_id: int) -> BaseResponse:
    producer = member_producer_or_404(producer_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    back = external_url("payments.producer_balance", producer_id=producer.id)
    try:
        url = ledger.onboarding_url(_user(), producer, refresh_url=back,
                                    return_url=back + "?stripe=kembali")
    except ServiceError as error:
        flash(str(error.message), "error")
        return redirect(back)
    except GatewayError:
        flash(_("Stripe cannot be reached right now. Please try again shortly."), "error")
        return redirect(back)
    return redirect(url, code=303)
