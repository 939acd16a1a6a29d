"""What buyers may see, as SQL: every public page starts from these queries.

The rule itself is :attr:`marketplace.producers.models.Producer.is_public` (verified by the
agency and not suspended); :func:`public_producer` is the same rule written for SQL. Keep the
two in step: never write ``Producer.status == ...`` for buyers' pages anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Result,
    Select,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.sql.visitors import InternalTraversal

from marketplace import page_cache
from marketplace.catalogue.models import Category, Product, ProductPhoto, ProductStatus
from marketplace.db import built_once
from marketplace.extensions import db
from marketplace.producers.models import Producer, ProducerStatus
from marketplace.programs.models import Grant
from marketplace.regions.models import KALTIM, REGENCY, Region

RELATED_LIMIT = 8


def public_producer(unindexed: bool = False) -> ColumnElement[bool]:
    """SQL for Producer.is_public (see there: verified and not suspended)."""
    return _column(Producer.status, unindexed) == _constant(Producer.status,
                                                            ProducerStatus.VERIFIED)


def public_producers() -> Select[tuple[Producer]]:
    """Producers whose storefront buyers may see."""
    return select(Producer).where(public_producer())


def public_product(unindexed: bool = False) -> ColumnElement[bool]:
    """SQL for "buyers may see this product": published, by a public producer (the query
    must join Product.producer). ``unindexed``: see :func:`unindexed`."""
    return and_(published(unindexed), public_producer(unindexed))


def published(unindexed: bool = False) -> ColumnElement[bool]:
    """The product's own half of :func:`public_product`."""
    return _column(Product.status, unindexed) == _constant(Product.status,
                                                           ProductStatus.PUBLISHED)


def by_public_producer() -> ColumnElement[bool]:
    """:func:`public_producer` without joining the producer: Product.producer_id is not one
    of the producers that are not public. PostgreSQL reads those once (from the status
    index) into a hashed set, where a join reads every producer to build its hash table."""
    hidden = [_constant(Producer.status, status) for status in ProducerStatus
              if status is not ProducerStatus.VERIFIED]
    return Product.producer_id.not_in(select(Producer.id).where(Producer.status.in_(hidden)))


def _constant(column: ColumnElement[Any], value: Any) -> ColumnElement[Any]:
    """``value`` written into the SQL, not sent as a parameter: these rules never change,
    and PostgreSQL can then plan a prepared statement once for all its executions (a
    generic plan) as well as for one (with a parameter it guessed that every producer
    might be hidden, and read them all)."""
    return literal(value, column.type, literal_execute=True)


class Unindexed(ColumnElement[Any]):
    """A column that SQLite's planner may not start a query from: see :func:`unindexed`."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(Unindexed)
def _plain(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(Unindexed, "sqlite")
def _plus(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return "(+" + compiler.process(element.column, **kw) + ")"


def unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``+column`` on SQLite (the column itself elsewhere): SQLite's documented way to keep
    its planner from starting a query from that column's index. Without statistics (no
    ANALYZE) SQLite would start from the status index and read every product (or, for a
    search, run the FTS MATCH once per product); PostgreSQL plans from its statistics."""
    return Unindexed(column)


def _column(column: ColumnElement[Any], plus: bool) -> ColumnElement[Any]:
    return unindexed(column) if plus else column


def public_products() -> Select[tuple[Product]]:
    """Published products of public producers, with the producer joined (and loaded).
    The status indexes are never the way in: nearly every product is published."""
    return (select(Product).join(Product.producer)
            .options(contains_eager(Product.producer)).where(public_product(unindexed=True)))


def count_public_products(*conditions: ColumnElement[bool]) -> int:
    """How many public products meet ``conditions`` (one query)."""
    return db.session.scalar(select(func.count(Product.id)).join(Product.producer)
                             .where(public_product(), *conditions)) or 0


def newest_first() -> list[ColumnElement[Any]]:
    """Newest published first. SQLite's published_at index ends with the rowid, so it gives
    (published_at, id) order by itself; PostgreSQL's does not, and ordering by id as well
    would sort every row, so there equal timestamps stay in index order."""
    if db.session.get_bind().dialect.name == "postgresql":
        return [Product.published_at.desc()]
    return [Product.published_at.desc(), Product.id.desc()]


# --- categories and regions ----------------------------------------------------------------

@dataclass(frozen=True)
class CategoryInfo:
    """A category as buyers' pages use it: plain values, shareable between requests."""

    id: int
    slug: str
    name_id: str
    name_en: str
    parent_id: int | None

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id


class CategoryNode(NamedTuple):
    category: CategoryInfo
    children: list[CategoryInfo]


def category_tree() -> list[CategoryNode]:
    """The two-level tree in buyers' order. Every catalogue page needs it: kept per process
    for PAGE_CACHE_SECONDS (when the page cache is on), and read again at once after this
    process commits a change to categories (other processes: within that time)."""
    return page_cache.remembered("category_tree", _read_category_tree)


def _read_category_tree() -> list[CategoryNode]:
    rows = db.session.execute(
        select(Category.id, Category.slug, Category.name_id, Category.name_en,
               Category.parent_id).order_by(Category.position, Category.id)).all()
    nodes = {r.id: CategoryNode(CategoryInfo(*r), []) for r in rows if r.parent_id is None}
    for row in rows:
        if row.parent_id in nodes:
            nodes[row.parent_id].children.append(CategoryInfo(*row))
    return list(nodes.values())


def regencies() -> dict[str, str]:
    """Kaltim's kabupaten/kota, {code: name} in code order.

    Reference data that changes only when regions are loaded: read once per app (and not
    remembered while the table is still empty).
    """
    cache = current_app.extensions.setdefault("catalogue_regencies", {})
    if not cache:
        cache.update(db.session.execute(
            select(Region.code, Region.name)
            .where(Region.parent_code == KALTIM, Region.level == REGENCY)
            .order_by(Region.code)).tuples().all())
    return cache


def region_names(code: str | None) -> list[str]:
    """Names of a village's desa/kelurahan, kecamatan and kabupaten/kota, in that order."""
    if not code:
        return []
    cache = current_app.extensions.setdefault("catalogue_region_names", {})
    if code in cache:  # reference data, like regencies(): a storefront needs one query less
        return cache[code]
    parts = code.split(".")
    codes = [".".join(parts[:n]) for n in range(len(parts), 1, -1)]
    names = dict(db.session.execute(
        select(Region.code, Region.name).where(Region.code.in_(codes))).tuples().all())
    found = [names[c] for c in codes if c in names]
    if len(found) == len(codes) and len(cache) < 10_000:
        cache[code] = found
    return found


# --- products ------------------------------------------------------------------------------

def product_page(product_id: int) -> Product | None:
    """A public product with its producer, category (and parent) and variants: one query;
    the photos follow in a second."""
    return db.session.scalars(
        public_products().where(Product.id == product_id)
        .options(joinedload(Product.category).joinedload(Category.parent),
                 joinedload(Product.variants), selectinload(Product.photos))
    ).unique().first()


def related_products(product: Product, limit: int = RELATED_LIMIT) -> list[Card]:
    """Other public products of the same category, other producers' first, newest first."""
    own = (Product.producer_id == product.producer_id)
    return cards(public_cards()
                 .where(Product.category_id == product.category_id, Product.id != product.id)
                 .order_by(own.asc(), *newest_first()).limit(limit))


def newest_products(limit: int = 8) -> list[Card]:
    return cards(public_cards().order_by(*newest_first()).limit(limit))


# --- listing cards -------------------------------------------------------------------------

class CardPhoto(NamedTuple):
    """A product's first photo, as a card shows it (see macros/images.html)."""

    key_prefix: str
    widths: list[int]
    width: int
    height: int
    alt_text: str


class Card(NamedTuple):
    """A product as every listing shows it (catalogue, home, storefront, related products):
    plain values read by two light statements instead of ORM objects, which cost more to
    build than the rest of a listing page."""

    id: int
    slug: str
    name: str
    price_min_idr: int
    in_stock: bool
    producer_name: str
    #: The producer's kabupaten/kota code ("64.72"), or None.
    regency_code: str | None
    photo: CardPhoto | None


def card_columns() -> Select[Any]:
    """What a card needs: the product, its producer's name and region, and its first photo
    (an outer join to the photo a correlated subquery picks). Join the producer and say
    who may see it (as :func:`public_cards` does), then give it to :func:`cards`."""
    first = (select(ProductPhoto.id).where(ProductPhoto.product_id == Product.id)
             .order_by(ProductPhoto.position, ProductPhoto.id).limit(1)
             .correlate(Product).scalar_subquery())
    return (select(Product.id, Product.slug, Product.name, Product.price_min_idr,
                   Product.in_stock, Producer.name.label("producer_name"), Producer.region_code,
                   ProductPhoto.key_prefix, ProductPhoto.widths, ProductPhoto.width,
                   ProductPhoto.height, ProductPhoto.alt_text)
            .select_from(Product).outerjoin(ProductPhoto, ProductPhoto.id == first))


def public_cards() -> Select[Any]:
    """Cards of public products (like :func:`public_products`), in one statement."""
    return (card_columns().join_from(Product, Producer, Product.producer_id == Producer.id)
            .where(public_product(unindexed=True)))


def cards(stmt: Select[Any], values: dict[str, Any] | None = None) -> list[Card]:
    """The cards of ``stmt`` (a :func:`public_cards` select; ``values``: its bind
    parameters), in its order."""
    return [card(row) for row in read(stmt, values)]


def card(row: Any) -> Card:
    """The card of a row with :func:`card_columns`' columns."""
    return Card(row.id, row.slug, row.name, row.price_min_idr, row.in_stock,
                row.producer_name, _regency(row.region_code),
                CardPhoto(row.key_prefix, row.widths, row.width, row.height, row.alt_text)
                if row.key_prefix else None)


def read(stmt: Select[Any], values: dict[str, Any] | None = None) -> Result[Any]:
    """The rows of ``stmt`` (columns, not ORM objects), run on the session's connection
    without the ORM's result machinery: for a search's 500 ids, that is about a third of
    the app's time for the statement. Pending changes are flushed first, as the ORM would."""
    db.session.flush()
    return db.session.connection().execute(stmt, values)


def cards_by_id(ids: list[int]) -> list[Card]:
    """The public products among ``ids``, as cards in that order (SQLite's search pages;
    PostgreSQL reads a page's cards with its matches)."""
    if not ids:
        return []
    stmt = built_once("cards_by_id", lambda: public_cards().where(
        Product.id.in_(bindparam("ids", expanding=True))))
    found = {card.id: card for card in cards(stmt, {"ids": ids})}
    return [found[i] for i in ids if i in found]


def _regency(region_code: str | None) -> str | None:
    """Producer.regency_code for a region code read as a plain value."""
    return ".".join(region_code.split(".")[:2]) if region_code else None


# --- producers -----------------------------------------------------------------------------

def storefront(slug: str) -> Producer | None:
    return db.session.scalar(public_producers().where(Producer.slug == slug))


def public_producer_by_id(producer_id: int) -> Producer | None:
    return db.session.scalar(public_producers().where(Producer.id == producer_id))


def regency_of() -> ColumnElement[str]:
    """SQL for Producer.regency_code: the first five characters of a Kaltim region code."""
    return func.substr(Producer.region_code, literal_column("1"), literal_column("5"))


def producers_by_regency() -> list[tuple[str, str, int]]:
    """(code, name, number of public producers) for each Kaltim kabupaten/kota that has any."""
    counts = dict(db.session.execute(
        select(regency_of(), func.count()).where(public_producer())
        .group_by(regency_of())).tuples().all())
    return [(code, name, counts[code]) for code, name in regencies().items() if counts.get(code)]


def _clamp(total: int, page: int, per_page: int) -> int:
    """The page number, within 1 and the last page."""
    return min(max(1, page), max(1, -(-total // per_page)))


def producers_page(regency: str | None, sector: str | None, page: int,
                   per_page: int) -> tuple[list[Producer], int, int]:
    """A page of public producers (by name), how many there are in all, and the page
    number actually shown (a page past the end shows the last page)."""
    conditions = [public_producer()]
    if regency:
        conditions.append(Producer.region_code.startswith(regency + ".", autoescape=True))
    if sector:
        conditions.append(Producer.sector == sector)
    total = db.session.scalar(select(func.count(Producer.id)).where(*conditions)) or 0
    page = _clamp(total, page, per_page)
    items = db.session.scalars(select(Producer).where(*conditions)
                               .order_by(Producer.name, Producer.id)
                               .offset((page - 1) * per_page).limit(per_page))
    return list(items), total, page


def producer_products(producer: Producer, page: int,
                      per_page: int) -> tuple[list[Card], int, int]:
    """A page of a producer's public products (newest first), their total, the page shown."""
    total = count_public_products(Product.producer_id == producer.id)
    page = _clamp(total, page, per_page)
    items = cards(public_cards().where(Product.producer_id == producer.id)
                  .order_by(*newest_first()).offset((page - 1) * per_page).limit(per_page))
    return items, total, page


def grants_of(producer: Producer) -> list[Grant]:
    """The aid this producer received (programme and equipment), newest first."""
    return list(db.session.scalars(
        select(Grant).where(Grant.producer_id == producer.id)
        .options(joinedload(Grant.items), joinedload(Grant.program))
        .order_by(Grant.handover_date.desc().nulls_last(), Grant.id.desc())).unique())


def sitemap_products(offset: int = 0, limit: int | None = None) -> list[tuple[int, str, object]]:
    """(id, slug, updated_at) of public products in id order, for sitemap.xml."""
    return list(db.session.execute(
        select(Product.id, Product.slug, Product.updated_at).join(Product.producer)
        .where(public_product()).order_by(Product.id).offset(offset).limit(limit)).tuples())


def sitemap_producers() -> list[tuple[str, object]]:
    return list(db.session.execute(
        select(Producer.slug, Producer.updated_at).where(public_producer())
        .order_by(Producer.id)).tuples())
