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
from sqlalchemy.sql.elements import ColumnElement

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
    _months(filters, figures)
    _places(filters, figures)
    _buyers(filters, figures)
    figures.levels = levels(filters)
    return figures


def _orders_where(filters: Filters) -> list[ColumnElement[bool]]:
    """Sales in the range, of the filtered producers: conditions on orders alone, so most
    queries need no join (the covering index ix_orders_sales answers them)."""
    start, end = filters.bounds_utc()
    where = [sold(), Order.created_at >= start, Order.created_at < end]
    conditions = producer_conditions(filters)
    if conditions:
        where.append(Order.producer_id.in_(select(Producer.id).where(*conditions)))
    return where


def _months(filters: Filters, figures: Figures) -> None:
    month = month_of(Order.created_at)
    rows = {m: (n, int(v or 0)) for m, n, v in db.session.execute(
        select(month, func.count(), func.sum(Order.items_total_idr))
        .where(*_orders_where(filters)).group_by(month))}
    first, last = filters.start.isoformat()[:7], filters.end.isoformat()[:7]
    figures.months = [(m, *rows.get(m, (0, 0))) for m in months_between(first, last)]
    figures.orders = sum(n for n, _ in rows.values())
    figures.sales_idr = sum(v for _, v in rows.values())


def _places(filters: Filters, figures: Figures) -> None:
    """Sales by the producers' kabupaten/kota and sector, what went to other kabupaten/kota,
    and how many producers sold: orders are summed per (producer, destination) first, and
    only those few thousand rows are joined to producers."""
    per_producer = (
        select(Order.producer_id, Order.destination_regency_code.label("dest"),
               func.count().label("n"), func.sum(Order.items_total_idr).label("v"))
        .where(*_orders_where(filters))
        .group_by(Order.producer_id, Order.destination_regency_code)).subquery()
    regency = producer_regency()
    away = per_producer.c.dest != regency
    rows = db.session.execute(
        select(regency, Producer.sector, func.sum(per_producer.c.n), func.sum(per_producer.c.v),
               func.sum(case((away, per_producer.c.n), else_=0)),
               func.sum(case((away, per_producer.c.v), else_=0)),
               func.count(Producer.id.distinct()))
        .join(Producer, Producer.id == per_producer.c.producer_id)
        .group_by(regency, Producer.sector)).all()
    by_regency: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_sector: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r, s, count, total, out_count, out_total, producers in rows:
        for bucket, key in ((by_regency, r or ""), (by_sector, str(s))):
            bucket[key][0] += int(count or 0)
            bucket[key][1] += int(total or 0)
        figures.outside_orders += int(out_count or 0)
        figures.outside_sales_idr += int(out_total or 0)
        figures.selling_producers += producers  # a producer has one regency and one sector
    names = dict(db.session.execute(select(Region.code, Region.name).where(
        Region.code.in_([code for code in by_regency if code]))).all()) if by_regency else {}
    figures.regencies = sorted(((code, names.get(code, code or "—"), n, v)
                                for code, (n, v) in by_regency.items()), key=lambda r: -r[3])
    figures.sectors = sorted(((s, n, v) for s, (n, v) in by_sector.items()),
                             key=lambda r: -r[2])


def _buyers(filters: Filters, figures: Figures) -> None:
    """Distinct buyers, those who came back (bought in two checkouts or more: their
    smallest and largest checkout differ) and those who bought from a producer outside
    their own kabupaten/kota."""
    per_buyer = (
        select(Order.buyer_id,
               case((func.max(Order.group_id) > func.min(Order.group_id), 1),
                    else_=0).label("repeat"),
               func.max(case((outside(), 1), else_=0)).label("outside"))
        .join(Producer, Producer.id == Order.producer_id)
        .where(*_orders_where(filters))
        .group_by(Order.buyer_id)).subquery()
    row = db.session.execute(select(
        func.count(), func.sum(per_buyer.c.repeat), func.sum(per_buyer.c.outside))).one()
    figures.buyers, figures.repeat_buyers, figures.outside_buyers = (
        row[0] or 0, int(row[1] or 0), int(row[2] or 0))


def levels(filters: Filters) -> list[tuple[ProcessingLevel, int, int]]:
    """Units and value sold per processing level (the lines' own copy of it)."""
    rows = {level: (int(units or 0), int(value or 0)) for level, units, value in
            db.session.execute(
                select(OrderLine.processing_level, func.sum(OrderLine.quantity),
                       func.sum(OrderLine.line_total_idr))
                .join(Order, Order.id == OrderLine.order_id)
                .where(*_orders_where(filters))
                .group_by(OrderLine.processing_level))}
    return [(level, *rows.get(level, (0, 0))) for level in ProcessingLevel]
