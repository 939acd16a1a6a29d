"""Payment pages: the buyer's payment page (bank transfer details and receipt upload, or
Stripe Checkout), the confirmation page for staff and the group's producers, receipt photos,
and Stripe's webhook (the one view without CSRF protection: Stripe signs it instead)."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from marketplace.accounts.models import User
from marketplace.db import utcnow
from marketplace.exceptions import ServiceError
from marketplace.extensions import csrf
from marketplace.forms import show_error
from marketplace.orders.models import CheckoutGroup
from marketplace.payments import bank, methods, services, stripe_gateway, stripe_payments
from marketplace.payments.forms import ActionForm, ReceiptForm, RejectForm, ResolveFlagForm
from marketplace.payments.models import MethodKey, Payment
from marketplace.payments.stripe_gateway import GatewayError

bp = Blueprint("payments", __name__)
log = logging.getLogger(__name__)


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


def _buyers_group(number: str) -> CheckoutGroup:
    """The group, for its buyer only: anyone else gets 404 (they may not know it exists)."""
    group = services.get_group(number)
    if group is None or group.buyer_id != _user().id:
        abort(404)
    return group


def _reviewable(number: str) -> tuple[CheckoutGroup, Payment]:
    group = services.get_group(number)
    if group is None or not bank.may_review(_user(), group):
        abort(404)
    payment = services.payment_of(group)
    if payment is None:
        abort(404)
    return group, payment


@bp.get("/bayar/<number>")
@login_required
def pay(number: str) -> ResponseReturnValue:
    """The checkout starts the payment (methods.get(key).start) and sends the buyer here;
    a group whose payment was not started yet gets a button that starts it (POST)."""
    group = _buyers_group(number)
    return _render_pay(group, services.payment_of(group), ReceiptForm())


def _render_pay(group: CheckoutGroup, payment: Payment | None, form: ReceiptForm,
                status: int = 200) -> tuple[str, int]:
    stripe_on = methods.get(MethodKey.STRIPE.value) is not None
    return render_template(
        "payments/pay.html", group=group, payment=payment, form=form,
        action_form=ActionForm(), account=bank.bank_account(), stripe_on=stripe_on,
        is_open=_is_open(payment) if payment else _group_open(group),
        is_open_group=_group_open(group)), status


def _group_open(group: CheckoutGroup) -> bool:
    return bool(services.open_orders(group)) and group.expires_at > utcnow()


def _is_open(payment: Payment | None) -> bool:
    if payment is None:
        return False
    try:
        services.require_open(payment)
    except ServiceError:
        return False
    return True


@bp.post("/bayar/<number>/mulai")
@login_required
def start(number: str) -> BaseResponse:
    """Start (or resume) the group's payment with its method; Stripe: off to Checkout."""
    group = _buyers_group(number)
    if not ActionForm().validate_on_submit():
        abort(400)
    return begin_payment(group)


def begin_payment(group: CheckoutGroup) -> BaseResponse:
    """Start (or resume) paying ``group`` with its method and send the buyer there: the
    transfer instructions, or Stripe Checkout. When the method cannot start now, the pay
    page, which says why and offers to try again. Checkout calls this after placing."""
    method = methods.get(group.payment_method) or methods.METHODS[MethodKey.BANK_TRANSFER]
    try:
        target = method.start(group)
    except ServiceError as error:
        flash(str(error.message), "error")
        return redirect(url_for("payments.pay", number=group.number))
    except GatewayError:
        log.exception("Stripe Checkout for group %s failed", group.id)
        flash(_("The card payment service cannot be reached. Please try again shortly."),
              "error")
        return redirect(url_for("payments.pay", number=group.number))
    return redirect(target, code=303)


@bp.post("/bayar/<number>/bukti")
@login_required
def upload_receipt(number: str) -> ResponseReturnValue:
    group = _buyers_group(number)
    payment = services.payment_of(group)
    if payment is None or payment.method is not MethodKey.BANK_TRANSFER:
        abort(404)
    form = ReceiptForm()
    if form.validate_on_submit():
        upload = form.receipt.data
        data = upload.stream.read(bank.RECEIPT_MAX_BYTES + 1) if upload else b""
        try:
            bank.upload_receipt(_user(), payment, data)
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("Thank you. The receipt will be checked and you will see the order "
                    "move to Diproses."), "success")
            return redirect(url_for(".pay", number=number))
    return _render_pay(group, services.payment_of(group), form, 400)


@bp.get("/bayar/<number>/selesai")
@login_required
def stripe_return(number: str) -> ResponseReturnValue:
    """Stripe's success page: ask Stripe how the session stands (the webhook may not have
    arrived yet) and apply it; the same idempotent reconciliation as the webhook's."""
    group = _buyers_group(number)
    payment = services.payment_of(group)
    if payment is None or payment.method is not MethodKey.STRIPE:
        abort(404)
    stripe_payments.success(payment)
    return redirect(url_for(".pay", number=number))


@bp.get("/bukti-transfer/<int:receipt_id>")
@login_required
def receipt_file(receipt_id: int) -> BaseResponse:
    receipt = bank.get_receipt(receipt_id)
    if receipt is None:
        abort(404)
    try:
        data = bank.read_receipt(_user(), receipt)
    except bank.AccessDenied:
        abort(404)
    except FileNotFoundError:
        log.error("Receipt %s: file missing from storage", receipt.id)
        abort(404)
    response = Response(data, mimetype=receipt.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- confirmation by staff or the group's producers ------------------------------------------

@bp.get("/pembayaran/<number>")
@login_required
def review(number: str) -> ResponseReturnValue:
    group, payment = _reviewable(number)
    return _render_review(group, payment, RejectForm())


def _render_review(group: CheckoutGroup, payment: Payment, reject_form: RejectForm,
                   status: int = 200,
                   resolve_form: ResolveFlagForm | None = None) -> tuple[str, int]:
    return render_template("payments/review.html", group=group, payment=payment,
                           confirm_form=ActionForm(), reject_form=reject_form,
                           resolve_form=resolve_form or ResolveFlagForm()), status


@bp.post("/pembayaran/<number>/konfirmasi")
@login_required
def confirm(number: str) -> BaseResponse:
    group, payment = _reviewable(number)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        bank.confirm(_user(), payment)
    except ServiceError as error:
        flash(str(error.message), "error")
    else:
        flash(_("Payment confirmed: the orders are now Diproses."), "success")
    return redirect(url_for(".review", number=number))


@bp.post("/pembayaran/<number>/tolak")
@login_required
def reject(number: str) -> ResponseReturnValue:
    group, payment = _reviewable(number)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_review(group, payment, form, 400)
    try:
        bank.reject(_user(), payment, form.reason.data or "")
    except ServiceError as error:
        show_error(form, error)
        return _render_review(group, payment, form, 400)
    flash(_("Receipt rejected. The buyer can upload another one."), "success")
    return redirect(url_for(".review", number=number))


# --- Stripe webhook --------------------------------------------------------------------------

@bp.post("/stripe/webhook")
@csrf.exempt
def stripe_webhook() -> tuple[str, int]:
    """Signed by Stripe (checked on the raw body, 300 s tolerance): 400 if forged or stale.
    A repeated event is answered 200 and changes nothing."""
    if not current_app.config.get("STRIPE_WEBHOOK_SECRET"):
        abort(404)
    try:
        event = stripe_gateway.parse_webhook(request.get_data(cache=False),
                                             request.headers.get("Stripe-Signature"))
    except stripe_gateway.BadSignature:
        return "invalid signature", 400
    try:
        result = methods.METHODS[MethodKey.STRIPE.value].handle_event(event)
    except GatewayError:
        log.exception("Stripe event %s: Stripe could not be reached", event.get("id"))
        return "retry later", 503  # Stripe delivers it again
    return result, 200
