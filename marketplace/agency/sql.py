"""SQL pieces the impact figures share, portable between SQLite and PostgreSQL.

``month_of(column)`` is the one place where the two databases differ: the calendar month
(in WITA, the province's time zone) of a UTC timestamp, as "YYYY-MM".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from marketplace.orders.models import Order
from marketplace.orders.workflow import SOLD_PAYMENT_STATUSES
from marketplace.producers.models import Producer
from marketplace.programs.models import Grant


class month_of(FunctionElement[str]):  # noqa: N801 - reads like the SQL function it is
    """The WITA calendar month of a UTC timestamp column, as "YYYY-MM"."""

    type = String()
    name = "month_of"
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    # SQLite stores UTC as "YYYY-MM-DD HH:MM:SS[.ffffff]"; WITA is UTC+8 all year.
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"strftime('%Y-%m', {column}, '+8 hours')"


@compiles(month_of, "postgresql")
def _month_postgresql(element: month_of, compiler: Any, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"to_char({column} AT TIME ZONE 'Asia/Makassar', 'YYYY-MM')"


def producer_regency() -> ColumnElement[str]:
    """The kabupaten/kota ("64.72") of the producer's village code ("64.72.02.1010")."""
    return func.substr(Producer.region_code, 1, 5)


def outside(order: type[Order] = Order) -> ColumnElement[bool]:
    """The order goes to another kabupaten/kota than the producer's own: market reach."""
    return order.destination_regency_code != producer_regency()


def sold() -> ColumnElement[bool]:
    return Order.payment_status.in_(SOLD_PAYMENT_STATUSES)


def producer_conditions(filters: Any) -> list[ColumnElement[bool]]:
    """Conditions on Producer for the dashboard's programme, region, sector and type."""
    conditions: list[ColumnElement[bool]] = []
    if filters.program_id is not None:
        conditions.append(Producer.id.in_(
            select(Grant.producer_id).where(Grant.program_id == filters.program_id)))
    if filters.regency:
        conditions.append(Producer.region_code.like(f"{filters.regency}.%"))
    if filters.sector is not None:
        conditions.append(Producer.sector == filters.sector)
    if filters.producer_type is not None:
        conditions.append(Producer.type == filters.producer_type)
    return conditions


def months_between(first: str, last: str) -> list[str]:
    """Every "YYYY-MM" from ``first`` to ``last`` inclusive (empty months get a zero)."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
