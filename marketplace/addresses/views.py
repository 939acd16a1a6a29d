"""A signed-in user's address book (/akun/alamat...): list, add, edit, delete, set default.

Who may open what: only the user's own addresses; another user's address in the URL is 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from marketplace.accounts.access import signed_in_user
from marketplace.addresses import services
from marketplace.addresses.forms import AddressForm
from marketplace.addresses.models import Address
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.forms import show_error
from marketplace.regions.choices import chosen_regency, village_postal_code
from marketplace.regions.forms import CHOOSE_REGION
from marketplace.security import safe_next_url

bp = Blueprint("addresses", __name__)


@bp.app_template_filter("region_text")
def _region_text(code: str) -> str:
    return services.region_text(code)



def _address(address_id: int) -> Address:
    address = services.get_address(signed_in_user(), address_id)
    if address is None:
        abort(404)
    return address


@bp.get("/akun/alamat")
@login_required
def index():
    return render_template("addresses/index.html",
                           addresses=services.addresses_of(signed_in_user()))


@bp.route("/akun/alamat/baru", methods=["GET", "POST"])
@login_required
def new():
    form = AddressForm()
    _prepare(form)
    if _saving(form):
        try:
            services.create_address(signed_in_user(), _data(form))
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("The address has been saved."), "success")
            # Checkout sends buyers here and takes them back (only ever to this site).
            return redirect(safe_next_url(request.args.get("next")) or url_for(".index"))
    return render_template("addresses/edit.html", form=form, address=None)


@bp.route("/akun/alamat/<int:address_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(address_id: int):
    address = _address(address_id)
    form = AddressForm(obj=None if request.method == "POST" else address)
    _prepare(form)
    if _saving(form):
        try:
            services.update_address(signed_in_user(), address, _data(form))
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("The address has been saved."), "success")
            return redirect(url_for(".index"))
    return render_template("addresses/edit.html", form=form, address=address)


def _prepare(form: AddressForm) -> None:
    """The kabupaten/kota whose villages the form lists: the one just chosen ("Show
    villages"), else the chosen village's; the postal code from the village when known."""
    regency = chosen_regency(request.form.get("kabupaten") if request.method == "POST" else None,
                             request.args.get("kab"), form.region_code.data)
    form.fill_regions(regency, all_provinces=True)
    form.postal_code.data = village_postal_code(form.region_code.data) or form.postal_code.data


def _saving(form: AddressForm) -> bool:
    """A POST that saves (not the "Show villages" step) and passes the form's own checks."""
    return request.form.get("action") != CHOOSE_REGION and form.validate_on_submit()


def _data(form: AddressForm) -> services.AddressData:
    return services.AddressData(
        label=form.label.data or "", recipient_name=form.recipient_name.data or "",
        phone=form.phone.data or "", street=form.street.data or "", rt=form.rt.data or "",
        rw=form.rw.data or "", region_code=form.region_code.data or "",
        postal_code=form.postal_code.data or "")


@bp.route("/akun/alamat/<int:address_id>/hapus", methods=["GET", "POST"])
@login_required
def delete(address_id: int):
    address = _address(address_id)
    if request.method == "POST":
        services.delete_address(signed_in_user(), address)
        flash(_("The address has been deleted."), "success")
        return redirect(url_for(".index"))
    return render_template("addresses/delete.html", address=address)


@bp.post("/akun/alamat/<int:address_id>/utama")
@login_required
def make_default(address_id: int):
    address = _address(address_id)
    services.set_default(signed_in_user(), address)
    flash(_("This is now your main address."), "success")
    return redirect(url_for(".index"))
