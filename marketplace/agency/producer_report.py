"""One producer's figures: for staff (impact page) and for the producer's own members.

Every query here is bound to one ``producer_id``: nothing can reach another producer's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from marketplace.agency.models import MonitoringVisit
from marketplace.agency.sql import month_of, months_between, outside, sold
from marketplace.catalogue.models import ProcessingLevel, Product, ProductStatus
from marketplace.extensions import db
from marketplace.formatting import WITA
from marketplace.orders.models import Order, OrderLine, OrderStatus
from marketplace.producers.models import Producer
from marketplace.programs.models import Grant


@dataclass
class ProducerFigures:
    start: dt.date
    end: dt.date
    months: list[tuple[str, int, int]] = field(default_factory=list)
    orders: int = 0
    sales_idr: int = 0
    buyers: int = 0
    repeat_buyers: int = 0
    outside_orders: int = 0
    #: [(level, products listed, units sold, value sold)]
    levels: list[tuple[ProcessingLevel, int, int, int]] = field(default_factory=list)
    #: [(product name, units, value)], best first.
    best: list[tuple[str, int, int]] = field(default_factory=list)
    #: [(status, orders)] for every status.
    statuses: list[tuple[OrderStatus, int]] = field(default_factory=list)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = dt.datetime.combine(start, dt.time(), WITA).astimezone(dt.UTC)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), WITA).astimezone(dt.UTC)
    return first, last


def _sold_where(producer_id: int, start: dt.date, end: dt.date) -> list[object]:
    first, last = _bounds(start, end)
    return [Order.producer_id == producer_id, sold(), Order.created_at >= first,
            Order.created_at < last]


def figures(producer: Producer, start: dt.date, end: dt.date, *, staff: bool) -> ProducerFigures:
    """Sales by month, orders and buyers, levels, best products and orders by status."""
    out = ProducerFigures(start, end)
    where = _sold_where(producer.id, start, end)
    month = month_of(Order.created_at)
    rows = dict((m, (n, int(v or 0))) for m, n, v in db.session.execute(
        select(month, func.count(), func.sum(Order.items_total_idr)).where(*where)
        .group_by(month)))
    out.months = [(m, *rows.get(m, (0, 0))) for m in months_between(
        start.isoformat()[:7], end.isoformat()[:7])]
    out.orders = sum(n for _, n, _ in out.months)
    out.sales_idr = sum(v for _, _, v in out.months)
    _buyers(out, where)
    if staff:
        out.outside_orders = db.session.scalar(
            select(func.count()).select_from(Order).join(Producer, Producer.id ==
                                                          Order.producer_id)
            .where(*where, outside())) or 0
    _levels(out, producer.id, where)
    out.best = [(name, int(units), int(value)) for name, units, value in db.session.execute(
        select(OrderLine.product_name, func.sum(OrderLine.quantity),
               func.sum(OrderLine.line_total_idr).label("value"))
        .join(Order, Order.id == OrderLine.order_id).where(*where)
        .group_by(OrderLine.product_name).order_by(func.sum(OrderLine.line_total_idr).desc(),
                                                   OrderLine.product_name).limit(10))]
    counts = dict(db.session.execute(select(Order.status, func.count()).where(
        Order.producer_id == producer.id).group_by(Order.status)).all())
    out.statuses = [(status, counts.get(status, 0)) for status in OrderStatus]
    return out


def _buyers(out: ProducerFigures, where: list[object]) -> None:
    per_buyer = (select(Order.buyer_id, func.count(Order.group_id.distinct()).label("n"))
                 .where(*where).group_by(Order.buyer_id)).subquery()
    row = db.session.execute(select(func.count(), func.sum(
        case((per_buyer.c.n >= 2, 1), else_=0)))).one()
    out.buyers, out.repeat_buyers = row[0] or 0, int(row[1] or 0)


def _levels(out: ProducerFigures, producer_id: int, where: list[object]) -> None:
    listed = dict(db.session.execute(
        select(Product.processing_level, func.count()).where(
            Product.producer_id == producer_id, Product.status == ProductStatus.PUBLISHED)
        .group_by(Product.processing_level)).all())
    sold_rows = {level: (int(u or 0), int(v or 0)) for level, u, v in db.session.execute(
        select(OrderLine.processing_level, func.sum(OrderLine.quantity),
               func.sum(OrderLine.line_total_idr))
        .join(Order, Order.id == OrderLine.order_id).where(*where)
        .group_by(OrderLine.processing_level))}
    out.levels = [(level, listed.get(level, 0), *sold_rows.get(level, (0, 0)))
                  for level in ProcessingLevel]


def grants_of(producer: Producer) -> list[Grant]:
    return list(db.session.scalars(select(Grant).where(Grant.producer_id == producer.id)
                                   .order_by(Grant.handover_date, Grant.id)))


def visits_of(producer: Producer) -> list[MonitoringVisit]:
    return list(db.session.scalars(
        select(MonitoringVisit).join(Grant, Grant.id == MonitoringVisit.grant_id)
        .where(Grant.producer_id == producer.id)
        .order_by(MonitoringVisit.visit_date, MonitoringVisit.id)))


def since_grant(producer: Producer, today: dt.date) -> dt.date:
    """The first day of the month of the earliest handover, or twelve months back; at most
    five years back, so the monthly table stays readable."""
    dates = [g.handover_date for g in grants_of(producer) if g.handover_date]
    start = min(dates) if dates else dt.date(today.year - 1, today.month, 1)
    start = max(start, dt.date(today.year - 5, 1, 1))
    return start.replace(day=1)
