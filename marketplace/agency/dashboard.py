"""The staff impact dashboard's figures, computed in the database in a handful of queries.

Sales are orders whose payment status is in ``workflow.SOLD_PAYMENT_STATUSES`` (paid and not
given back), counted by the day the order was placed (WITA), valued at their goods total
(``items_total_idr``: shipping goes to the courier, not the producer). The processing-level
shares come from the order lines' own copy of the level at the moment of purchase.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from marketplace.agency.filters import Filters
from marketplace.agency.sql import (
    month_of,
    months_between,
    outside,
    producer_conditions,
    producer_regency,
    sold,
)
from marketplace.catalogue.models import ProcessingLevel
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine
from marketplace.producers.models import Producer, ProducerStatus
from marketplace.regions.models import Region

#: The levels that count as hilirisasi: goods sold finished rather than raw.
DOWNSTREAM = (ProcessingLevel.FINISHED, ProcessingLevel.BRANDED)


@dataclass
class Figures:
    verified_producers: int = 0
    selling_producers: int = 0
    orders: int = 0
    sales_idr: int = 0
    buyers: int = 0
    repeat_buyers: int = 0
    outside_buyers: int = 0
    outside_orders: int = 0
    outside_sales_idr: int = 0
    #: [(month "YYYY-MM", orders, sales)] for every month of the range.
    months: list[tuple[str, int, int]] = field(default_factory=list)
    #: [(regency code, name, orders, sales)], largest sales first.
    regencies: list[tuple[str, str, int, int]] = field(default_factory=list)
    #: [(sector, orders, sales)], largest sales first.
    sectors: list[tuple[str, int, int]] = field(default_factory=list)
    #: [(level, units, sales)] in processing order, every level present.
    levels: list[tuple[ProcessingLevel, int, int]] = field(default_factory=list)

    @property
    def average_order_idr(self) -> int:
        return round(self.sales_idr / self.orders) if self.orders else 0

    @property
    def outside_share(self) -> float:
        """Percent of the sales value bought from another kabupaten/kota."""
        return _percent(self.outside_sales_idr, self.sales_idr)

    @property
    def downstream_share(self) -> float:
        """Percent of the value sold as finished or branded goods: the hilirisasi share."""
        total = sum(sales for _, _, sales in self.levels)
        return _percent(sum(s for level, _, s in self.levels if level in DOWNSTREAM), total)

    def level_share(self, level: ProcessingLevel) -> float:
        total = sum(sales for _, _, sales in self.levels)
        return _percent(sum(s for lv, _, s in self.levels if lv is level), total)


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def compute(filters: Filters) -> Figures:
    """Every figure of the dashboard for these filters (six SELECTs)."""
    figures = Figures()
    figures.verified_producers = db.session.scalar(
        select(func.count()).select_from(Producer).where(
            Producer.status == ProducerStatus.VERIFIED, *producer_conditions(filters))) or 0
    _cube(filters, figures)
    _buyers(filters, figures)
    figures.levels = levels(filters)
    return figures


def _orders_where(filters: Filters) -> list[object]:
    start, end = filters.bounds_utc()
    return [sold(), Order.created_at >= start, Order.created_at < end,
            *producer_conditions(filters)]


def _cube(filters: Filters, figures: Figures) -> None:
    """One GROUP BY over (month, kabupaten/kota, sector): the totals and three charts are
    sums over its few hundred rows at most."""
    month, regency = month_of(Order.created_at), producer_regency()
    rows = db.session.execute(
        select(month, regency, Producer.sector, func.count(Order.id),
               func.sum(Order.items_total_idr),
               func.sum(case((outside(), 1), else_=0)),
               func.sum(case((outside(), Order.items_total_idr), else_=0)))
        .join(Producer, Producer.id == Order.producer_id)
        .where(*_orders_where(filters))
        .group_by(month, regency, Producer.sector)).all()
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_regency: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_sector: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m, r, s, count, total, out_count, out_total in rows:
        for bucket, key in ((by_month, m), (by_regency, r or ""), (by_sector, str(s))):
            bucket[key][0] += count
            bucket[key][1] += int(total or 0)
        figures.orders += count
        figures.sales_idr += int(total or 0)
        figures.outside_orders += int(out_count or 0)
        figures.outside_sales_idr += int(out_total or 0)
    first, last = filters.start.isoformat()[:7], filters.end.isoformat()[:7]
    figures.months = [(m, *by_month.get(m, (0, 0))) for m in months_between(first, last)]
    names = dict(db.session.execute(select(Region.code, Region.name).where(
        Region.code.in_([code for code in by_regency if code]))).all()) if by_regency else {}
    figures.regencies = sorted(((code, names.get(code, code or "—"), n, v)
                                for code, (n, v) in by_regency.items()), key=lambda r: -r[3])
    figures.sectors = sorted(((s, n, v) for s, (n, v) in by_sector.items()),
                             key=lambda r: -r[2])


def _buyers(filters: Filters, figures: Figures) -> None:
    """Distinct buyers, those who came back (bought in two checkouts or more) and those
    who bought from a producer outside their own kabupaten/kota; producers who sold."""
    per_buyer = (
        select(Order.buyer_id,
               func.count(Order.group_id.distinct()).label("checkouts"),
               func.max(case((outside(), 1), else_=0)).label("outside"))
        .join(Producer, Producer.id == Order.producer_id)
        .where(*_orders_where(filters))
        .group_by(Order.buyer_id)).subquery()
    row = db.session.execute(select(
        func.count(), func.sum(case((per_buyer.c.checkouts >= 2, 1), else_=0)),
        func.sum(per_buyer.c.outside))).one()
    figures.buyers, figures.repeat_buyers, figures.outside_buyers = (
        row[0] or 0, int(row[1] or 0), int(row[2] or 0))
    figures.selling_producers = db.session.scalar(
        select(func.count(Order.producer_id.distinct()))
        .join(Producer, Producer.id == Order.producer_id)
        .where(*_orders_where(filters))) or 0


def levels(filters: Filters) -> list[tuple[ProcessingLevel, int, int]]:
    """Units and value sold per processing level (the lines' own copy of it)."""
    rows = dict((level, (int(units or 0), int(value or 0))) for level, units, value in
                db.session.execute(
                    select(OrderLine.processing_level, func.sum(OrderLine.quantity),
                           func.sum(OrderLine.line_total_idr))
                    .join(Order, Order.id == OrderLine.order_id)
                    .join(Producer, Producer.id == Order.producer_id)
                    .where(*_orders_where(filters))
                    .group_by(OrderLine.processing_level)))
    return [(level, *rows.get(level, (0, 0))) for level in ProcessingLevel]
