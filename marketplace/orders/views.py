"""The orders blueprint: the producer's inbox and order pages (producer_views), the buyer's
"Pesanan Saya" (buyer_views) and the agency's order list (staff_views)."""

from __future__ import annotations

from marketplace.orders import buyer_views, producer_views, staff_views  # noqa: F401 - routes
from marketplace.orders.blueprint import bp
from marketplace.orders.labels import PAYMENT_LABELS, SHIPMENT_LABELS, STATUS_LABELS
from marketplace.orders.timeline import cancel_reason_text

__all__ = ["bp"]


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {"order_status_labels": STATUS_LABELS, "payment_status_labels": PAYMENT_LABELS,
            "shipment_status_labels": SHIPMENT_LABELS, "cancel_reason_text": cancel_reason_text}
