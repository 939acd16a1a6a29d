"""seed-bench's orders: bulk rows the dashboard counts like real ones."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.agency import dashboard, filters
from marketplace.demo import bench_orders
from marketplace.extensions import db as _db
from marketplace.orders.models import Order, OrderLine, PaymentStatus
from tests.factories import make_producer, make_product


def test_seed_orders_tops_up_to_the_wanted_lines(app, ctx, monkeypatch):
    monkeypatch.setattr(bench_orders, "BATCH", 40)
    monkeypatch.setattr(bench_orders, "BUYERS", 15)
    for n in range(3):
        producer = make_producer(region_code=("64.72.02.1010", "64.03.08.2001")[n % 2])
        for m in range(5):
            make_product(producer, f"Produk {n}-{m}", variants=(("", 10_000 * (m + 1), 5),))
    added = bench_orders.seed_orders(150)
    lines = _db.session.scalar(select(func.count()).select_from(OrderLine))
    assert added == lines >= 150
    assert bench_orders.seed_orders(150) == 0
    start, end = filters.default_range(filters.today_wita())
    figures = dashboard.compute(filters.Filters(start, end))
    assert figures.orders > 0 and figures.outside_buyers > 0
    paid_total = _db.session.scalar(select(func.sum(Order.items_total_idr)).where(
        Order.payment_status == PaymentStatus.PAID,
        Order.created_at >= filters.Filters(start, end).bounds_utc()[0]))
    assert figures.sales_idr == paid_total
