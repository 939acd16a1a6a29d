"""Checkout (signed-in buyers only; guests sign in and come back with their cart) and the
confirmation page of a placed checkout."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from marketplace.checkout import services
from marketplace.checkout.addresses import create_address
from marketplace.checkout.forms import AddressForm, CheckoutForm
from marketplace.checkout.quote import Choice, Quote, build_quote, payment_methods
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.forms import show_error

bp = Blueprint("checkout", __name__, url_prefix="/checkout")

PAYMENT_LABELS = {"bank_transfer": _l("Bank transfer"),
                  "stripe": _l("Card or e-wallet (Stripe)")}


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


def _address_book() -> dict[str, str]:
    """Links to the address book when it is there."""
    views = current_app.view_functions
    return {name: url_for(f"addresses.{name}") for name in ("index", "new")
            if f"addresses.{name}" in views}


def _render(form: CheckoutForm, quote: Quote, address_form: AddressForm | None = None,
            status: int = 200):
    if address_form is None and (not quote.addresses or request.args.get("alamat") == "baru"):
        address_form = AddressForm(formdata=None)
        address_form.fill_regions(None)
    return render_template(
        "checkout/index.html", form=form, quote=quote, address_form=address_form,
        address_book=_address_book(), payment_methods=payment_methods(),
        payment_labels=PAYMENT_LABELS), status


def _user():  # type: ignore[no-untyped-def]
    return current_user._get_current_object()


@bp.get("")
@login_required
def index():
    quote = build_quote(_user(), Choice())
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
            group = services.place(_user(), choice)
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            return redirect(url_for("checkout.placed", number=group.number))
    quote = build_quote(_user(), choice)
    if quote.summary.empty:
        return redirect(url_for("cart.index"))
    return _render(form, quote, status=200 if request.form.get("action") != "place" else 409)


@bp.post("/alamat")
@login_required
def new_address():
    """The short address form (buyers without an address book entry yet)."""
    address_form = AddressForm()
    if not address_form.validate_on_submit():
        abort(400)
    address_form.fill_regions(address_form.kabupaten.data)
    if request.form.get("action") == "save":
        try:
            create_address(_user(), {name: str(field.data or "")
                                     for name, field in address_form._fields.items()})
        except ServiceError as error:
            db.session.rollback()
            show_error(address_form, error)
        else:
            flash(_("The address was saved."), "success")
            return redirect(url_for("checkout.index"))
    quote = build_quote(_user(), Choice())
    form = CheckoutForm(idempotency_key=services.new_idempotency_key())
    return _render(form, quote, address_form)


@bp.get("/selesai/<number>")
@login_required
def placed(number: str):
    group = services.group_for(_user(), number[:40])
    if group is None:
        abort(404)
    return render_template("checkout/placed.html", group=group,
                           payment_labels=PAYMENT_LABELS)
