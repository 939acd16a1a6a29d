"""The demo's orders tell a true story: the dashboard's figures on them equal figures computed
here from the orders themselves."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.agency import dashboard, filters
from marketplace.agency.models import MonitoringVisit
from marketplace.catalogue.models import ProcessingLevel
from marketplace.extensions import db as _db
from marketplace.orders.models import Order, OrderStatus, PaymentStatus


def test_demo_orders_and_the_dashboard_agree(app, ctx, tmp_path, monkeypatch):
    from marketplace.demo import catalogue as demo
    from marketplace.demo.orders import load_orders
    from marketplace.demo.services import load_demo

    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path / "media"))
    monkeypatch.setattr(demo, "PHOTO_SIZE", (400, 300))
    assert load_demo(("64", "31"))["orders"] > 100
    assert load_orders() == 0  # idempotent
    orders = list(_db.session.scalars(select(Order)))
    assert {o.status for o in orders} >= {OrderStatus.COMPLETED, OrderStatus.CANCELLED,
                                          OrderStatus.AWAITING_PAYMENT}
    assert {o.destination_regency_code[:2] for o in orders} == {"64", "31"}
    for order in orders:  # every status change is on the timeline
        statuses = [e.to_value for e in order.events if e.field == "status"]
        assert (statuses[-1] if statuses else "menunggu_pembayaran") == order.status.value
        payments = [e.to_value for e in order.events if e.field == "payment"]
        assert (payments[-1] if payments else "belum_dibayar") == order.payment_status.value

    start, end = filters.default_range(filters.today_wita())
    low, high = filters.Filters(start, end).bounds_utc()
    sold = [o for o in orders if o.payment_status is PaymentStatus.PAID
            and low <= o.created_at < high]
    figures = dashboard.compute(filters.Filters(start, end))
    total = sum(line.line_total_idr for o in sold for line in o.lines)
    assert figures.orders == len(sold) and figures.sales_idr == total > 0
    outside = [o for o in sold if o.destination_regency_code != o.producer.regency_code]
    assert figures.outside_share == round(100 * sum(o.items_total_idr for o in outside)
                                          / total, 1) > 0
    assert figures.outside_buyers == len({o.buyer_id for o in outside})
    downstream = sum(line.line_total_idr for o in sold for line in o.lines
                     if line.processing_level in (ProcessingLevel.FINISHED,
                                                  ProcessingLevel.BRANDED))
    assert figures.downstream_share == round(100 * downstream / total, 1)
    assert sum(1 for _, _, value in figures.levels if value) >= 3
    groups: dict[int, set[int]] = {}
    for order in sold:
        groups.setdefault(order.buyer_id, set()).add(order.group_id)
    assert figures.repeat_buyers == sum(1 for g in groups.values() if len(g) >= 2) > 0
    assert _db.session.scalars(select(MonitoringVisit).where(
        MonitoringVisit.is_baseline.is_(True))).first() is not None
    # Completed demo orders credited their shops, once each (the ledger's own rule).
    from marketplace.payments.models import LedgerEntry, LedgerKind

    completed = {o.id: o.total_idr for o in orders if o.status is OrderStatus.COMPLETED}
    credits = _db.session.execute(select(LedgerEntry.order_id, LedgerEntry.amount_idr).where(
        LedgerEntry.kind == LedgerKind.CREDIT)).all()
    assert dict(credits) == completed and len(credits) == len(completed) > 0
