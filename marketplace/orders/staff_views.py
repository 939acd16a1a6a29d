"""Agency staff's view of every order (/dinas/pesanan): search, the order page and
cancelling with a reason."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.access import role_required
from marketplace.accounts.models import Role
from marketplace.exceptions import ServiceError
from marketplace.forms import show_error
from marketplace.orders import queries, services
from marketplace.orders.blueprint import bp
from marketplace.orders.forms import CancelForm, StaffSearchForm
from marketplace.orders.models import Order
from marketplace.orders.timeline import can_cancel, timeline


def _order(number: str) -> Order:
    order = queries.by_number(number)
    if order is None:
        abort(404)
    return order


@bp.get("/dinas/pesanan")
@role_required(Role.STAFF)
def staff_orders():
    form = StaffSearchForm(request.args)
    page = request.args.get("page", "")
    status = queries.parse_status(form.status.data)
    return render_template("orders/staff_orders.html", form=form, page=queries.staff_orders(
        form.q.data or "", status, int(page) if page.isdigit() and len(page) < 6 else 1))


def _render(order: Order, cancel_form: CancelForm | None = None, status: int = 200):
    return render_template(
        "orders/staff_order.html", order=order, events=timeline(order),
        can_cancel=can_cancel(order, staff=True),
        cancel_form=cancel_form or CancelForm(prefix="cancel")), status


@bp.get("/dinas/pesanan/<number>")
@role_required(Role.STAFF)
def staff_order(number: str):
    return _render(_order(number))


@bp.post("/dinas/pesanan/<number>/batal")
@role_required(Role.STAFF)
def staff_cancel(number: str):
    order = _order(number)
    form = CancelForm(prefix="cancel")
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("orders.staff_order", number=order.number))
    try:
        services.cancel_by_staff(current_user._get_current_object(), order, form.reason.data)
    except ServiceError as error:
        show_error(form, error)
        return _render(_order(number), form, 400)
    flash(_("The order has been cancelled."), "success")
    return redirect(url_for("orders.staff_order", number=order.number))
