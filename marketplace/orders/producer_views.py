"""A producer's orders: the inbox (/produsen/<id>/pesanan), the order page with its
actions, and the printable packing slip.

Who may open what: only members of the producer; anyone else (staff included: they have
/dinas/pesanan) gets 404, and an order of another producer in the URL is a 404 as well.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from marketplace.accounts.access import signed_in_user
from marketplace.exceptions import ServiceError
from marketplace.forms import show_error
from marketplace.orders import queries, services
from marketplace.orders.blueprint import bp
from marketplace.orders.forms import ActionForm, CancelForm, ShipForm
from marketplace.orders.models import Order
from marketplace.orders.timeline import producer_actions, timeline
from marketplace.producers.access import member_producer_or_404
from marketplace.producers.models import Producer


def _order(producer: Producer, number: str) -> Order:
    order = queries.for_producer(producer, number)
    if order is None:
        abort(404)
    return order


def _int_arg(name: str) -> int:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 6 else 1


@bp.get("/produsen/<int:producer_id>/pesanan")
@login_required
def producer_inbox(producer_id: int):
    producer = member_producer_or_404(producer_id)
    status = queries.parse_status(request.args.get("status"))
    return render_template(
        "orders/producer_inbox.html", producer=producer, status=status,
        page=queries.producer_orders(producer, status, _int_arg("page")),
        counts=queries.status_counts([producer.id])[producer.id])


@bp.get("/produsen/<int:producer_id>/pesanan/<number>")
@login_required
def producer_order(producer_id: int, number: str):
    producer = member_producer_or_404(producer_id)
    return _render(producer, _order(producer, number))


def _render(producer: Producer, order: Order, *, ship_form: ShipForm | None = None,
            cancel_form: CancelForm | None = None, status: int = 200):
    return render_template(
        "orders/producer_order.html", producer=producer, order=order,
        events=timeline(order), actions=producer_actions(order),
        action_form=ActionForm(prefix="act"), ship_form=ship_form or ShipForm(prefix="ship"),
        cancel_form=cancel_form or CancelForm(prefix="cancel")), status


@bp.post("/produsen/<int:producer_id>/pesanan/<number>/<action>")
@login_required
def producer_act(producer_id: int, number: str, action: str):
    producer = member_producer_or_404(producer_id)
    order = _order(producer, number)
    forms = {"proses": ActionForm(prefix="act"), "siap-diambil": ActionForm(prefix="act"),
             "kirim": ShipForm(prefix="ship"), "batal": CancelForm(prefix="cancel")}
    form = forms.get(action)
    if form is None:
        abort(404)
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("orders.producer_order", producer_id=producer.id,
                                number=order.number))
    try:
        _apply(action, order, form)
    except ServiceError as error:
        show_error(form, error)
        kwargs = {"ship_form": form} if action == "kirim" else (
            {"cancel_form": form} if action == "batal" else {})
        return _render(producer, queries.for_producer(producer, number) or order,
                       status=400, **kwargs)
    flash(_DONE[action](), "success")
    return redirect(url_for("orders.producer_order", producer_id=producer.id,
                            number=order.number))


_DONE = {
    "proses": lambda: _("The order is being packed."),
    "siap-diambil": lambda: _("The buyer has been told the order is ready for pickup."),
    "kirim": lambda: _("The order has been shipped. The buyer has been told."),
    "batal": lambda: _("The order has been cancelled."),
}


def _apply(action: str, order: Order, form: object) -> None:
    user = signed_in_user()
    if action == "proses":
        services.mark_processing(user, order)
    elif action == "siap-diambil":
        services.ready_for_pickup(user, order)
    elif action == "kirim":
        services.ship(user, order, form.courier.data, form.tracking_number.data)  # type: ignore[attr-defined]
    else:
        services.cancel_by_producer(user, order, form.reason.data)  # type: ignore[attr-defined]


@bp.get("/produsen/<int:producer_id>/pesanan/<number>/slip")
@login_required
def packing_slip(producer_id: int, number: str):
    producer = member_producer_or_404(producer_id)
    order = _order(producer, number)
    return render_template("orders/packing_slip.html", producer=producer, order=order,
                           total_grams=sum(line.weight_grams * line.quantity
                                           for line in order.lines))
