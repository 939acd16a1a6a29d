"""Checkout (signed-in buyers only; guests sign in and come back with their cart) and the
confirmation page of a placed checkout."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from marketplace.accounts.access import signed_in_user
from marketplace.checkout import services
from marketplace.checkout.forms import CheckoutForm
from marketplace.checkout.quote import Choice, Quote, build_quote
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.payments import methods
from marketplace.payments.views import begin_payment

bp = Blueprint("checkout", __name__, url_prefix="/checkout")

def _per_producer(data: MultiDict[str, str], prefix: str) -> dict[int, str]:
    return {int(key[len(prefix):]): value for key, value in data.items()
            if key.startswith(prefix) and key[len(prefix):].isdigit()
            and len(key) < len(prefix) + 10}


def _choice(data: MultiDict[str, str]) -> Choice:
    return Choice(address_id=data.get("address_id"), shipping=_per_producer(data, "ship-"),
                  notes=_per_producer(data, "note-"),
                  payment_method=data.get("payment_method", ""),
                  idempotency_key=data.get("idempotency_key", ""),
                  expected_total=data.get("expected_total"))


def _render(form: CheckoutForm, quote: Quote, status: int = 200):
    return render_template(
        "checkout/index.html", form=form, quote=quote,
        new_address_url=url_for("addresses.new", next=url_for("checkout.index")),
        payment_methods=methods.available()), status


@bp.get("")
@login_required
def index():
    quote = build_quote(signed_in_user(), Choice())
    if quote.summary.empty:
        flash(_("Your cart is empty."), "info")
        return redirect(url_for("cart.index"))
    return _render(CheckoutForm(idempotency_key=services.new_idempotency_key()), quote)


@bp.post("")
@login_required
def submit():
    form = CheckoutForm()
    if not form.validate_on_submit():
        abort(400)
    choice = _choice(request.form)
    if request.form.get("action") == "place":
        try:
            group = services.place(signed_in_user(), choice)
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            return begin_payment(group)
    quote = build_quote(signed_in_user(), choice)
    if quote.summary.empty:
        return redirect(url_for("cart.index"))
    return _render(form, quote, status=200 if request.form.get("action") != "place" else 409)
