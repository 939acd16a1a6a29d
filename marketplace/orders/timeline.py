"""What the order pages show of an order: its timeline and the actions open to each side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from marketplace.orders.jobs import SYSTEM_REASONS
from marketplace.orders.labels import FIELD_LABELS, value_label
from marketplace.orders.models import Order, OrderStatus, PaymentStatus, ShipmentStatus
from marketplace.orders.services import CANCELLABLE
from marketplace.shipping.models import ShippingKind

S, H = OrderStatus, ShipmentStatus
_SIDES = {"system": _l("System"), "buyer": _l("Buyer"), "shop": _l("Shop"),
          "agency": _l("Agency")}


@dataclass
class Entry:
    when: dt.datetime
    what: str
    before: str
    after: str
    who: str
    reason: str


def timeline(order: Order) -> list[Entry]:
    """Every change, oldest first. People are named by their side (buyer, shop, agency),
    never by name: the buyer need not know which staff member or shop worker acted."""
    entries = []
    for event in order.events:
        if event.actor_id is None:
            who, reason = "system", str(SYSTEM_REASONS.get(event.reason, event.reason))
        else:
            who = ("buyer" if event.actor_id == order.buyer_id else
                   "agency" if event.actor is not None and event.actor.is_staff else "shop")
            reason = event.reason
        entries.append(Entry(event.created_at, str(FIELD_LABELS.get(event.field, event.field)),
                             value_label(event.field, event.from_value),
                             value_label(event.field, event.to_value), str(_SIDES[who]),
                             reason))
    return entries


def can_cancel(order: Order, *, staff: bool = False) -> bool:
    """Staff may cancel while a payment is being checked; the buyer and the shop may not."""
    return (order.status in CANCELLABLE and order.shipment_status in (H.NOT_STARTED, H.PACKING)
            and (staff or order.payment_status is not PaymentStatus.PENDING))


def producer_actions(order: Order) -> dict[str, bool]:
    paid_open = order.status is S.PROCESSING
    pickup = order.shipping_kind is ShippingKind.PICKUP
    return {"process": paid_open and order.shipment_status is H.NOT_STARTED,
            "ship": paid_open and not pickup, "pickup": paid_open and pickup,
            "cancel": can_cancel(order)}


def buyer_actions(order: Order) -> dict[str, bool]:
    return {"cancel": can_cancel(order), "confirm": order.status is S.SHIPPED}


def cancel_reason_text(order: Order) -> str:
    """The reason typed by whoever cancelled, or the system's reason in the reader's
    language."""
    return str(SYSTEM_REASONS.get(order.cancel_reason, order.cancel_reason))
