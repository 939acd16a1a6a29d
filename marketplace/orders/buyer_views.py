"""The buyer's orders: "Pesanan Saya" (/pesanan), each order's page, cancelling before the
shop ships and "Pesanan Diterima". Someone else's order number is a 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from marketplace.accounts.access import signed_in_user
from marketplace.exceptions import ServiceError
from marketplace.forms import show_error
from marketplace.orders import queries, services
from marketplace.orders.blueprint import bp
from marketplace.orders.forms import ActionForm, CancelForm
from marketplace.orders.models import Order
from marketplace.orders.timeline import buyer_actions, timeline
from marketplace.producers.validation import whatsapp_link


def _order(number: str) -> Order:
    order = queries.for_buyer(signed_in_user(), number)
    if order is None:
        abort(404)
    return order


@bp.get("/pesanan")
@login_required
def my_orders():
    page = request.args.get("page", "")
    return render_template("orders/my_orders.html", page=queries.buyer_orders(
        signed_in_user(), int(page) if page.isdigit() and len(page) < 6 else 1))


def _whatsapp(order: Order) -> str:
    number = order.producer.whatsapp or order.producer.phone
    if not number:
        return ""
    return whatsapp_link(number, _("Hello %(shop)s, I am writing about my order %(number)s "
                                   "on Pasar Binaan.", shop=order.producer_name,
                                   number=order.number))


def _render(order: Order, cancel_form: CancelForm | None = None, status: int = 200):
    return render_template(
        "orders/buyer_order.html", order=order, events=timeline(order),
        actions=buyer_actions(order), whatsapp=_whatsapp(order),
        action_form=ActionForm(prefix="act"),
        cancel_form=cancel_form or CancelForm(prefix="cancel")), status


@bp.get("/pesanan/<number>")
@login_required
def buyer_order(number: str):
    return _render(_order(number))


@bp.post("/pesanan/<number>/batal")
@login_required
def buyer_cancel(number: str):
    order = _order(number)
    form = CancelForm(prefix="cancel")
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("orders.buyer_order", number=order.number))
    try:
        services.cancel_by_buyer(signed_in_user(), order, form.reason.data)
    except ServiceError as error:
        show_error(form, error)
        return _render(_order(number), form, 400)
    flash(_("Your order has been cancelled."), "success")
    return redirect(url_for("orders.buyer_order", number=order.number))


@bp.post("/pesanan/<number>/diterima")
@login_required
def buyer_confirm(number: str):
    order = _order(number)
    if not ActionForm(prefix="act").validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("orders.buyer_order", number=order.number))
    try:
        services.confirm_receipt(signed_in_user(), order)
    except ServiceError as error:
        flash(str(error.message), "error")
        return _render(_order(number), status=400)
    flash(_("Thank you: the order is completed."), "success")
    return redirect(url_for("orders.buyer_order", number=order.number))
