"""Reading orders for the pages: each function is scoped to what its reader may see
(a buyer's own orders, one producer's orders, every order for staff)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.producers.models import Producer

PER_PAGE = 30


@dataclass
class Page:
    orders: list[Order]
    page: int
    has_next: bool


def _page(query: Select[tuple[Order]], page: int) -> Page:
    page = max(1, page)
    rows = list(db.session.scalars(
        query.order_by(Order.created_at.desc(), Order.id.desc())
        .options(selectinload(Order.lines), selectinload(Order.group),
                 selectinload(Order.buyer))
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return Page(rows[:PER_PAGE], page, len(rows) > PER_PAGE)


def parse_status(value: str | None) -> OrderStatus | None:
    """A status filter from the query string; anything unknown means "all"."""
    try:
        return OrderStatus(value) if value else None
    except ValueError:
        return None


def producer_orders(producer: Producer, status: OrderStatus | None = None,
                    page: int = 1) -> Page:
    """The producer's inbox, newest first."""
    query = select(Order).where(Order.producer_id == producer.id)
    if status is not None:
        query = query.where(Order.status == status)
    return _page(query, page)


def status_counts(producer_ids: list[int]) -> dict[int, dict[OrderStatus, int]]:
    """{producer_id: {status: number of orders}} for the producers given."""
    counts: dict[int, dict[OrderStatus, int]] = {pid: {} for pid in producer_ids}
    if not producer_ids:
        return counts
    rows = db.session.execute(
        select(Order.producer_id, Order.status, func.count())
        .where(Order.producer_id.in_(producer_ids))
        .group_by(Order.producer_id, Order.status))
    for producer_id, status, n in rows:
        counts[producer_id][status] = n
    return counts


def buyer_orders(user: User, page: int = 1) -> Page:
    return _page(select(Order).where(Order.buyer_id == user.id), page)


def staff_orders(text: str = "", status: OrderStatus | None = None, page: int = 1) -> Page:
    """Every order, searched by order number, buyer (name or email) or shop name."""
    query = select(Order)
    text = text.strip()[:100]
    if text:
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.join(User, User.id == Order.buyer_id).where(or_(*(
            func.lower(column).like(pattern, escape="\\")
            for column in (Order.number, Order.producer_name, User.email, User.name))))
    if status is not None:
        query = query.where(Order.status == status)
    return _page(query, page)


def by_number(number: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.number == number.strip()[:28]))


def for_buyer(user: User, number: str) -> Order | None:
    """The buyer's own order; None for anyone else's (the page answers 404)."""
    order = by_number(number)
    return order if order is not None and order.buyer_id == user.id else None


def for_producer(producer: Producer, number: str) -> Order | None:
    order = by_number(number)
    return order if order is not None and order.producer_id == producer.id else None
