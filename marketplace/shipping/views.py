"""A producer's shipping settings (/produsen/<id>/pengiriman...): its methods and their rate
tables, edited one row at a time without JavaScript.

Who may open what: these pages are for the producer's members only; anyone else gets 404 (as
for the product pages), and a method or rate of another producer in the URL is a 404 too.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from marketplace.accounts.access import signed_in_user
from marketplace.exceptions import ServiceError
from marketplace.extensions import db
from marketplace.forms import show_error
from marketplace.producers.access import member_producer_or_404
from marketplace.producers.models import Producer
from marketplace.shipping import services
from marketplace.shipping.forms import MethodForm, RateForm
from marketplace.shipping.models import ShippingKind, ShippingMethod

bp = Blueprint("shipping", __name__)


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {"shipping_kind_labels": services.KIND_LABELS}



def _method(producer: Producer, method_id: int) -> ShippingMethod:
    method = services.get_method(producer, method_id)
    if method is None:
        abort(404)
    return method


def _method_data(form: MethodForm, kind: str = "") -> services.MethodData:
    return services.MethodData(name=form.name.data or "", kind=kind,
                               courier=form.courier_name(), note=form.note.data or "")


@bp.get("/produsen/<int:producer_id>/pengiriman")
@login_required
def methods(producer_id: int):
    producer = member_producer_or_404(producer_id)
    items = services.methods_of(producer)
    return render_template("shipping/methods.html", producer=producer, methods=items,
                           zones=services.zone_names(
                               r.destination_code for m in items for r in m.rates))


@bp.route("/produsen/<int:producer_id>/pengiriman/baru", methods=["GET", "POST"])
@login_required
def new_method(producer_id: int):
    producer = member_producer_or_404(producer_id)
    form = MethodForm()
    if request.method == "GET":
        form.kind.data = request.args.get("jenis", ShippingKind.PICKUP.value)
    if form.validate_on_submit():
        try:
            method = services.create_method(signed_in_user(), producer,
                                            _method_data(form, form.kind.data or ""))
        except ServiceError as error:
            show_error(form, error)
        else:
            if method.kind is ShippingKind.PICKUP:
                flash(_("The shipping method has been added."), "success")
                return redirect(url_for(".methods", producer_id=producer.id))
            flash(_("The shipping method has been added. Now add its prices."), "success")
            return redirect(url_for(".method", producer_id=producer.id, method_id=method.id,
                                    _anchor="rates"))
    return render_template("shipping/method.html", producer=producer, method=None, form=form)


@bp.route("/produsen/<int:producer_id>/pengiriman/<int:method_id>", methods=["GET", "POST"])
@login_required
def method(producer_id: int, method_id: int):
    producer = member_producer_or_404(producer_id)
    method = _method(producer, method_id)
    form = MethodForm(obj=None if request.method == "POST" else method)
    if request.method == "GET":
        form.show_courier(method)
    if form.validate_on_submit():
        try:
            services.update_method(signed_in_user(), method, _method_data(form))
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("The shipping method has been saved."), "success")
            return redirect(url_for(".method", producer_id=producer.id, method_id=method.id))
    return _method_page(producer, method, form, _rate_form(method))


def _rate_form(method: ShippingMethod) -> RateForm:
    form = RateForm(prefix="rate")
    form.fill_zones()
    if method.kind is ShippingKind.COURIER:
        form.first_kg.label.text = _("Price for the first kg")
    return form


def _method_page(producer: Producer, method: ShippingMethod, form: MethodForm,
                 rate_form: RateForm):
    return render_template(
        "shipping/method.html", producer=producer, method=method, form=form,
        rate_form=rate_form,
        zones=services.zone_names(r.destination_code for r in method.rates))


@bp.post("/produsen/<int:producer_id>/pengiriman/<int:method_id>/tarif")
@login_required
def add_rate(producer_id: int, method_id: int):
    """Add a price for one zone (or replace the zone's price)."""
    producer = member_producer_or_404(producer_id)
    method = _method(producer, method_id)
    rate_form = _rate_form(method)
    if rate_form.validate_on_submit():
        try:
            services.set_rate(signed_in_user(), method, rate_form.zone.data or "",
                              rate_form.first_kg.data, rate_form.next_kg.data)
        except ServiceError as error:
            db.session.rollback()
            show_error(rate_form, error)
        else:
            flash(_("The price has been saved."), "success")
            return redirect(url_for(".method", producer_id=producer.id, method_id=method.id,
                                    _anchor="rates"))
    form = MethodForm(formdata=None, obj=method)
    form.show_courier(method)
    return _method_page(producer, method, form, rate_form)


@bp.post("/produsen/<int:producer_id>/pengiriman/<int:method_id>/tarif/<int:rate_id>/hapus")
@login_required
def remove_rate(producer_id: int, method_id: int, rate_id: int):
    producer = member_producer_or_404(producer_id)
    method = _method(producer, method_id)
    if not any(rate.id == rate_id for rate in method.rates):
        abort(404)
    services.remove_rate(signed_in_user(), method, rate_id)  # a member: checked by _producer
    flash(_("The price has been removed."), "success")
    return redirect(url_for(".method", producer_id=producer.id, method_id=method.id,
                            _anchor="rates"))


@bp.post("/produsen/<int:producer_id>/pengiriman/<int:method_id>/"
         "<any(aktifkan, nonaktifkan):action>")
@login_required
def toggle(producer_id: int, method_id: int, action: str):
    producer = member_producer_or_404(producer_id)
    method = _method(producer, method_id)
    services.set_active(signed_in_user(), method, action == "aktifkan")
    flash(_("Buyers can choose %(name)s again.", name=method.name) if method.active else
          _("%(name)s is no longer offered to buyers.", name=method.name), "success")
    return redirect(url_for(".methods", producer_id=producer.id,
                            _anchor=f"method-{method.id}"))
