"""How order statuses read to people: the words buyers know from Indonesian marketplaces
(Menunggu Pembayaran, Diproses, Dikirim, Selesai, Dibatalkan, Dikembalikan)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.orders.models import OrderStatus, PaymentStatus, ShipmentStatus

S, P, H = OrderStatus, PaymentStatus, ShipmentStatus

STATUS_LABELS = {
    S.AWAITING_PAYMENT: _l("Awaiting payment"),
    S.PROCESSING: _l("Processing"),
    S.SHIPPED: _l("Shipped"),
    S.COMPLETED: _l("Completed"),
    S.CANCELLED: _l("Cancelled"),
    S.REFUNDED: _l("Refunded"),
}

PAYMENT_LABELS = {
    P.UNPAID: _l("Unpaid"),
    P.PENDING: _l("Payment being checked"),
    P.PAID: _l("Paid"),
    P.FAILED: _l("Payment failed"),
    P.VOID: _l("Void"),
    P.REFUND_PENDING: _l("Refund in progress"),
    P.REFUNDED: _l("Refunded"),
}

SHIPMENT_LABELS = {
    H.NOT_STARTED: _l("Not processed yet"),
    H.PACKING: _l("Being packed"),
    H.SHIPPED: _l("Shipped"),
    H.READY_FOR_PICKUP: _l("Ready for pickup"),
    H.RECEIVED: _l("Received"),
    H.NOT_SHIPPED: _l("Not shipped"),
}

FIELD_LABELS = {
    "status": _l("Order"),
    "payment": _l("Payment"),
    "shipment": _l("Shipment"),
    "refund": _l("Refund"),
    "note": _l("Note"),
    "payment_check": _l("Payment check closed"),
}

_BY_FIELD = {"status": (S, STATUS_LABELS), "payment": (P, PAYMENT_LABELS),
             "shipment": (H, SHIPMENT_LABELS)}


def value_label(field: str, value: str | None) -> str:
    """The label of a stored status value on the timeline ("dikirim" -> "Shipped")."""
    if not value:
        return ""
    enum_class, labels = _BY_FIELD.get(field, (None, {}))
    if enum_class is None:
        return value
    try:
        return str(labels[enum_class(value)])
    except ValueError:
        return value
