"""Product search behind one interface, on the database's own full-text engine.

``Product.search_text`` holds Indonesian stems (:func:`marketplace.catalogue.text.stem_text`),
so "anyaman rotan" and "Tas Anyam Rotan" meet as "anyam rotan". SQLite searches them with the
FTS5 table ``products_fts`` (bm25 ranking), PostgreSQL with the GIN-indexed generated column
``products.search_vector`` = to_tsvector('simple', search_text) (ts_rank); both made by the
migration ``7c4e2d9a1f30``. The last word typed also matches as a prefix: "anyam rot" finds
"rotan".

Speed at 100,000 products: counts stop at COUNT_LIMIT ("1.000+ produk"); a search first
reads up to COUNT_LIMIT + 1 matches, sorted by the database, which for a narrow search is
its count and page order in one statement; a kabupaten/kota filter joins the words
(_region_as_word); relevance is computed for at most RANK_LIMIT matches; and SQLite is told
where each query starts (see _SQLiteEngine). Pages list queries.Card values.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import NamedTuple

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    table,
    true,
)
from sqlalchemy import column as sql_column

from marketplace import page_cache
from marketplace.catalogue import queries
from marketplace.catalogue.models import ProcessingLevel, Product
from marketplace.catalogue.search_index import (  # noqa: F401 - also imported from here
    FULL_TEXT_OBJECTS,
    include_in_autogenerate,
    reindex_all,
)
from marketplace.catalogue.text import regency_word, stems
from marketplace.db import built_once
from marketplace.extensions import db
from marketplace.producers.models import Producer

PER_PAGE = 24
QUERY_MAX = 100
MAX_TERMS = 8
#: Counts are exact up to this many products; beyond, a page says "1.000+" and offers the
#: first pages only (narrower words or filters find the rest). Counting every one of 100,000
#: matches would cost more than the rest of the page.
COUNT_LIMIT = 1000
#: Relevance (bm25, about 3 us a match) is computed for every full-text match: on SQLite,
#: only when there are at most this many (PostgreSQL: COUNT_LIMIT). Broader searches list
#: the newest first.
RANK_LIMIT = 2_000
#: Prices above this are not a product's price but a typing accident.
PRICE_LIMIT = 10_000_000_000


class Sort(enum.StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    PRICE_ASC = "price"
    PRICE_DESC = "price_desc"


SORT_LABELS = {
    Sort.RELEVANCE: _l("Most relevant"),
    Sort.NEWEST: _l("Newest"),
    Sort.PRICE_ASC: _l("Price: low to high"),
    Sort.PRICE_DESC: _l("Price: high to low"),
}


@dataclass(frozen=True)
class Filters:
    #: A top category stands for itself and its subcategories.
    category_ids: tuple[int, ...] = ()
    #: A Kaltim kabupaten/kota code, e.g. "64.03".
    regency: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    level: ProcessingLevel | None = None

    @property
    def shape(self) -> tuple[bool, ...]:
        """Which filters are set: all the SQL depends on (the values are parameters)."""
        return (bool(self.category_ids), bool(self.regency), self.price_min is not None,
                self.price_max is not None, self.level is not None)

    @property
    def narrow_price(self) -> bool:
        """A price range at most a factor of two wide (Rp100.000 to Rp200.000): few
        products, so worth starting from the price index even with search words."""
        return (self.price_min is not None and self.price_max is not None
                and self.price_max <= 2 * self.price_min)

    @property
    def active(self) -> bool:
        return bool(self.category_ids or self.regency or self.level
                    or self.price_min is not None or self.price_max is not None)


@dataclass
class SearchPage:
    items: list[queries.Card]
    #: Exact up to COUNT_LIMIT; when ``more``, at least this many.
    total: int
    page: int
    pages: int
    per_page: int = PER_PAGE
    more: bool = False

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.items) - 1 if self.items else 0


# --- the search ----------------------------------------------------------------------------

def search(query: str, filters: Filters | None = None, sort: Sort | None = None,
           page: int = 1, per_page: int = PER_PAGE) -> SearchPage:
    """One page of public products matching ``query`` and ``filters``.

    At most two statements whatever the page size: the matches (up to COUNT_LIMIT + 1,
    sorted: their count and the page order) and the page's cards, which PostgreSQL reads in
    the same statement (_PostgreSQLEngine.candidates); on PostgreSQL, one more to spell out
    a last word no recent search ended in (_last_word). With more matches than that, the
    counts and then the page read the sort order's index instead (on SQLite after the first
    look at the matches). A page past the end gives the last page.

    Each statement is built once per shape of search (which filters, which order: see
    db.built_once); the words, filter values and page are bind parameters (_Engine.values).
    """
    filters = filters or Filters()
    terms = query_terms(query)
    if sort is None or (sort is Sort.RELEVANCE and not terms):
        sort = Sort.RELEVANCE if terms else Sort.NEWEST
    terms, filters = _region_as_word(terms, filters)
    engine = _engine()
    values = engine.values(terms, filters)
    found = engine.candidates(bool(terms), filters, sort, values, page, per_page)
    more = found.total > COUNT_LIMIT
    total = min(found.total, COUNT_LIMIT)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    if not total:
        return SearchPage([], 0, 1, 1, per_page)
    if found.cards is not None:
        return SearchPage(found.cards(page), total, page, pages, per_page, more)
    stmt = engine.page(bool(terms), filters, sort,
                       broad=found.text_matches > engine.rank_limit, small=not more)
    items = queries.cards(stmt, {**values, "offset": (page - 1) * per_page, "limit": per_page})
    return SearchPage(items, total, page, pages, per_page, more)


def _region_as_word(terms: list[str], filters: Filters) -> tuple[list[str], Filters]:
    """With words to match, a kabupaten/kota filter becomes one more word: every product's
    search text holds its producer's (text.regency_word), so the full-text index finds
    "rotan" in Berau at once instead of testing every Berau product for "rotan"."""
    if not terms or not filters.regency:
        return terms, filters
    return [regency_word(filters.regency), *terms], replace(filters, regency=None)


def query_terms(query: str) -> list[str]:
    """The stems to look for, in order, without repeats (the last one typed stays last)."""
    found = stems((query or "")[:QUERY_MAX])
    if not found:
        return []
    last = found[-1]
    others = [t for t in dict.fromkeys(found[:-1]) if t != last]
    return [*others[:MAX_TERMS - 1], last]


def _counts(words: bool, filters: Filters, values: dict[str, object]) -> tuple[int, int]:
    """(public products matching, up to COUNT_LIMIT + 1; full-text matches, up to the
    engine's rank_limit + 1), in one statement. Where counting full-text matches is not
    cheaper than counting public ones, the second number is the first."""
    engine = _engine()

    def build() -> Select:
        public = engine.counted(words, filters).limit(_MATCHES)
        columns = [select(func.count()).select_from(public.subquery()).scalar_subquery()]
        if words and engine.rank_limit > COUNT_LIMIT:
            matches = engine.text_matches().limit(_TEXT_MATCHES)
            columns.append(select(func.count()).select_from(matches.subquery())
                           .scalar_subquery())
        return select(*columns)

    stmt = built_once((type(engine), "counts", words, filters.shape), build)
    row = queries.read(stmt, values).one()
    return row[0], (row[-1] if words else 0)


def exact_count(query: str, filters: Filters | None = None) -> int:
    """Every public product matching (for the benchmark's table; pages use _counts)."""
    terms, filters = _region_as_word(query_terms(query), filters or Filters())
    hints = _SQLiteEngine.FULL_TEXT if terms else _PLAIN
    engine = _engine()
    stmt = engine.filtered(select(func.count(Product.id)), bool(terms), filters, hints)
    return db.session.scalar(stmt, engine.values(terms, filters)) or 0


def _engine() -> _Engine:
    return _POSTGRESQL if db.session.get_bind().dialect.name == "postgresql" else _SQLITE


Hint = Callable[[ColumnElement], ColumnElement]


def _as_is(column: ColumnElement) -> ColumnElement:
    return column


_PLUS = queries.unindexed


@dataclass(frozen=True)
class _Hints:
    """Which indexes a query may start from (SQLite; PostgreSQL plans from statistics)."""

    status: Hint = _as_is
    category: Hint = _as_is
    regency: Hint = _as_is
    price: Hint = _as_is
    level: Hint = _as_is


_PLAIN = _Hints()
#: The search words, as the engine's full-text syntax wants them (_Engine.values).
_WORDS_PARAM = bindparam("words", type_=String)
#: How many matches a search reads at most: COUNT_LIMIT + 1 (and rank_limit + 1).
_MATCHES = bindparam("matches", type_=Integer)
_TEXT_MATCHES = bindparam("text_matches", type_=Integer)


class _Found(NamedTuple):
    """What :meth:`_Engine.candidates` found."""

    #: Public matches, up to COUNT_LIMIT + 1.
    total: int
    #: Full-text matches (up to the engine's rank_limit + 1), or ``total``.
    text_matches: int
    #: When the engine found every match at once: the cards of a page (by number, within
    #: the pages there are); else None, and :meth:`_Engine.page` reads the page.
    cards: Callable[[int], list[queries.Card]] | None


class _Engine:
    """How one database matches stems, counts and orders a page."""

    #: Relevance is computed when there are at most this many full-text matches.
    rank_limit = COUNT_LIMIT

    def values(self, terms: list[str], filters: Filters) -> dict[str, object]:
        """The bind parameters of this search's statements (see :meth:`filtered`)."""
        values: dict[str, object] = {"matches": COUNT_LIMIT + 1,
                                     "text_matches": self.rank_limit + 1}
        if terms:
            values["words"] = self.words(terms)
        if filters.category_ids:
            values["category_ids"] = list(filters.category_ids)
        if filters.regency:
            values["regency"] = _like_escaped(filters.regency) + ".%"
        if filters.price_min is not None:
            values["price_min"] = filters.price_min
        if filters.price_max is not None:
            values["price_max"] = filters.price_max
        if filters.level is not None:
            values["level"] = filters.level
        return values

    def filtered(self, stmt: Select, words: bool, filters: Filters,
                 hints: _Hints = _PLAIN, text_as_set: bool = False,
                 joined: bool = True) -> Select:
        """``stmt`` joined to the producer (without ``joined``: not joined, its status
        checked by id, queries.by_public_producer), limited to public products matching
        ``filters`` and, with ``words``, the search words (a join to the full-text index, or
        with ``text_as_set``, a set of ids). Only which filters are set shapes the SQL:
        their values are bind parameters (:meth:`values`)."""
        if joined:
            stmt = stmt.join_from(Product, Producer, Product.producer_id == Producer.id).where(
                queries.public_product(unindexed=hints.status is _PLUS))
        else:
            stmt = stmt.where(queries.published(unindexed=hints.status is _PLUS),
                              queries.by_public_producer())
        if filters.category_ids:
            stmt = stmt.where(hints.category(Product.category_id).in_(
                bindparam("category_ids", expanding=True)))
        if filters.regency:
            stmt = stmt.where(hints.regency(Product.producer_id).in_(
                select(Producer.id).where(Producer.region_code.like(bindparam("regency"),
                                                                   escape="\\"))))
        if filters.price_min is not None:
            stmt = stmt.where(hints.price(Product.price_min_idr) >= bindparam("price_min"))
        if filters.price_max is not None:
            stmt = stmt.where(hints.price(Product.price_min_idr) <= bindparam("price_max"))
        if filters.level is not None:
            stmt = stmt.where(hints.level(Product.processing_level) == bindparam("level"))
        if not words:
            return stmt
        if text_as_set:
            return stmt.where(_PLUS(Product.id).in_(self.text_matches()))
        return self.match(stmt)

    def counted(self, words: bool, filters: Filters) -> Select:
        return self.filtered(select(literal(1)), words, filters)

    def candidates(self, words: bool, filters: Filters, sort: Sort,
                   values: dict[str, object], page: int, per_page: int) -> _Found:
        """The public matches' count, and when the engine found them all at once, their
        cards by page (``page`` is the one asked for)."""
        return _Found(*_counts(words, filters, values), None)

    def words(self, terms: list[str]) -> str:
        raise NotImplementedError

    def match(self, stmt: Select) -> Select:
        raise NotImplementedError

    def text_matches(self) -> Select:
        raise NotImplementedError

    def page(self, words: bool, filters: Filters, sort: Sort, broad: bool,
             small: bool) -> Select:
        """Cards (queries.card_columns) of one page, from bind parameters "offset" and
        "limit" and the search's values."""
        raise NotImplementedError


def _like_escaped(text: str) -> str:
    """``text`` matched literally in a LIKE pattern with escape character backslash."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order(sort: Sort, hint: Hint = _as_is) -> list[ColumnElement]:
    column = hint(Product.published_at if sort is Sort.NEWEST else Product.price_min_idr)
    return [column.asc() if sort is Sort.PRICE_ASC else column.desc(), hint(Product.id).desc()]


def _paged(stmt: Select) -> Select:
    return stmt.offset(bindparam("offset", type_=Integer)).limit(bindparam("limit",
                                                                          type_=Integer))


_FTS = table("products_fts", sql_column("rowid"), sql_column("rank"))


class _SQLiteEngine(_Engine):
    """FTS5, and plans that do not depend on ANALYZE having been run.

    Without statistics SQLite would happily start from the status index and evaluate the
    MATCH once per product (minutes at 100,000 products). So every query says where to
    start, by hiding the other indexes (queries.unindexed, a unary +):
    - a search's page starts from the FTS table, which streams in rank (or rowid) order;
    - a count starts from a category or kabupaten/kota filter when there is one (each holds
      a few per cent of the products), the search words then being a set of ids; else from
      the FTS table;
    - browsing, and sorting a broad search by date or price, read the sort column's index in
      order and stop after one page; unless the count found few products (at most
      COUNT_LIMIT), which are then read from the filters' indexes and sorted.
    The status indexes never help here: nearly every product is published.
    """

    #: FTS5 counts its matches from the index alone, and ranks them cheaply.
    rank_limit = RANK_LIMIT
    #: The FTS table drives: every other index hidden.
    FULL_TEXT = _Hints(status=_PLUS, category=_PLUS, regency=_PLUS, price=_PLUS, level=_PLUS)

    def words(self, terms: list[str]) -> str:
        # Stems are [0-9a-z]+ and quoted: FTS5's query syntax cannot be injected.
        return " ".join(f'"{t}"' for t in terms) + "*"

    @staticmethod
    def _condition() -> ColumnElement[bool]:
        return literal_column("products_fts").op("MATCH")(_WORDS_PARAM)

    def match(self, stmt: Select) -> Select:
        return stmt.join(_FTS, _FTS.c.rowid == Product.id).where(self._condition())

    def text_matches(self) -> Select:
        return select(_FTS.c.rowid).where(self._condition())

    def candidates(self, words: bool, filters: Filters, sort: Sort,
                   values: dict[str, object], page: int, per_page: int) -> _Found:
        """With words and no category or kabupaten/kota filter, first up to COUNT_LIMIT + 1
        matches, driven by the FTS table (FTS5 streams them, with bm25 only for the rows
        returned): when there are at most COUNT_LIMIT, that is the page order and the count
        in one statement, and a page's cards are read by id. Otherwise (and with those
        filters), counts as the other engines."""
        if not words or filters.category_ids or filters.regency:
            return super().candidates(words, filters, sort, values, page, per_page)

        def build() -> Select:
            rank = -_FTS.c.rank  # bm25: lower is better
            found = self.filtered(select(Product.id, _sort_key(sort, rank)), words, filters,
                                  self.FULL_TEXT).limit(_MATCHES)
            return _in_order(found, sort)

        stmt = built_once((_SQLiteEngine, "candidates", filters.shape, sort), build)
        ids = queries.read(stmt, values).scalars().all()
        if len(ids) > COUNT_LIMIT:
            return super().candidates(words, filters, sort, values, page, per_page)
        return _Found(len(ids), len(ids), lambda number: queries.cards_by_id(
            ids[(number - 1) * per_page:number * per_page]))

    def counted(self, words: bool, filters: Filters) -> Select:
        stmt = select(literal(1))
        if words and not (filters.category_ids or filters.regency):
            return self.filtered(stmt, words, filters, self.FULL_TEXT)
        hints = _Hints(status=_PLUS, price=_PLUS if words else _as_is,
                       level=_PLUS if words else _as_is)
        return self.filtered(stmt, words, filters, hints, text_as_set=True)

    def page(self, words: bool, filters: Filters, sort: Sort, broad: bool,
             small: bool) -> Select:
        return built_once((_SQLiteEngine, "page", words, filters.shape, sort, broad, small),
                          lambda: _paged(self._page(words, filters, sort, broad, small)))

    def _page(self, words: bool, filters: Filters, sort: Sort, broad: bool,
              small: bool) -> Select:
        stmt = queries.card_columns()
        if words and sort is Sort.RELEVANCE:
            stmt = self.filtered(stmt, words, filters, self.FULL_TEXT)
            return stmt.order_by(_FTS.c.rowid.desc() if broad else _FTS.c.rank)
        if words and not broad:
            stmt = self.filtered(stmt, words, filters, self.FULL_TEXT)
            return stmt.order_by(*_order(sort, _PLUS))
        if small:  # at most COUNT_LIMIT products: start from the filters, then sort them
            hints = _Hints(status=_PLUS)
        else:  # many: read the sort index in order until the page is full
            by_price = sort in (Sort.PRICE_ASC, Sort.PRICE_DESC)
            hints = _Hints(status=_PLUS, category=_PLUS, regency=_PLUS, level=_PLUS,
                           price=_as_is if by_price else _PLUS)
        return self.filtered(stmt, words, filters, hints, text_as_set=True).order_by(
            *_order(sort))


_SIMPLE = literal_column("'simple'::regconfig")
_VECTOR = literal_column("products.search_vector")


def _plus_zero(column: ColumnElement) -> ColumnElement:
    """``column + 0``: PostgreSQL's planner cannot start from the column's index."""
    return column + literal_column("0")


class _PostgreSQLEngine(_Engine):
    """products.search_vector: to_tsvector('simple', search_text), stored and GIN-indexed
    (the stems are already computed: 'simple' only splits them). Every match costs a heap
    read here, so relevance is computed for at most COUNT_LIMIT of them.

    One statement finds the matches and reads a page of them (:meth:`candidates`): up to
    COUNT_LIMIT + 1 matches, each with its sort key, their count, and the cards of the
    page asked for, so that when there are few the filters run once, not once to count and
    again for the page, and the database is asked once. The last word is looked for as the
    catalogue's words it begins (_last_word), not as a GIN prefix match, which costs
    several times as much."""

    def words(self, terms: list[str]) -> str:
        return " & ".join([*terms[:-1], _last_word(terms[-1])])

    @staticmethod
    def _query() -> ColumnElement:
        """The search words as a tsquery, made once per statement: a subquery (an InitPlan)
        rather than a bare to_tsquery('simple', :words), which in a prepared statement's
        generic plan is not folded into a constant but made again for every row the index
        returns (PostgreSQL CPU per one-off search 2.0 -> 1.3 ms, with the constant status
        rules of queries). psycopg prepares a statement run five times on a connection,
        and PostgreSQL then soon settles on a generic plan."""
        return select(func.to_tsquery(_SIMPLE, _WORDS_PARAM)).scalar_subquery()

    def match(self, stmt: Select) -> Select:
        return stmt.where(_VECTOR.op("@@")(self._query()))

    def text_matches(self) -> Select:
        return select(Product.id).where(_VECTOR.op("@@")(self._query()))

    def candidates(self, words: bool, filters: Filters, sort: Sort,
                   values: dict[str, object], page: int, per_page: int) -> _Found:
        """Up to COUNT_LIMIT + 1 matches, their count, and the cards of page ``page``, in
        one statement (_found_page). With more matches than that, the page is read by
        :meth:`page` instead; with a page past the end, the same statement reads the last
        page."""
        # With words, the full-text index finds the matches and the price range filters
        # them: a bitmap of the products in a range of prices costs more to read (1.7 ms
        # for a quarter of 100,000) than the matches it saves testing, unless the range
        # is narrow (Filters.narrow_price). The planner cannot tell: it counts page reads.
        by_words = words and not filters.narrow_price
        stmt = built_once((_PostgreSQLEngine, "candidates", words, filters.shape, sort,
                           by_words), lambda: self._found_page(words, filters, sort, by_words))

        def read(number: int) -> tuple[int, list[queries.Card]]:
            rows = queries.read(stmt, {**values, "offset": (number - 1) * per_page,
                                       "limit": per_page}).all()
            total = rows[0].total
            if total > COUNT_LIMIT:  # not the page: any COUNT_LIMIT + 1 of the matches
                return total, []
            return total, [queries.card(row) for row in rows if row.id is not None]

        total, cards = read(page)
        if total > COUNT_LIMIT:
            return _Found(total, total, None)
        return _Found(total, total,
                      lambda number: cards if number == page else read(number)[1])

    def _found_page(self, words: bool, filters: Filters, sort: Sort, by_words: bool) -> Select:
        """One row per card of the page (bind parameters "offset" and "limit") among the
        first COUNT_LIMIT + 1 matches, each with their count ("total"); one row of NULL
        cards with the count when the page is past the end."""
        rank = func.ts_rank(_VECTOR, self._query()) if words else None
        hints = _Hints(price=_plus_zero) if by_words else _PLAIN
        found = self.filtered(select(Product.id, _sort_key(sort, rank)), words, filters,
                              hints, joined=False).limit(_MATCHES).cte("found")
        counted = select(func.count().label("total")).select_from(found).cte("counted")
        paged = _paged(select(found.c.id, found.c.key)
                       .order_by(*_by_key(sort, found.c.key, found.c.id))).subquery("paged")
        cards = (queries.card_columns().add_columns(paged.c.key)
                 .join(paged, paged.c.id == Product.id)
                 .join(Producer, Producer.id == Product.producer_id)).subquery("cards")
        return (select(counted.c.total, cards).select_from(counted)
                .outerjoin(cards, true())
                .order_by(*_by_key(sort, cards.c.key, cards.c.id)))

    def page(self, words: bool, filters: Filters, sort: Sort, broad: bool,
             small: bool) -> Select:
        return built_once((_PostgreSQLEngine, "page", words, filters.shape, sort, broad),
                          lambda: _paged(self._page(words, filters, sort, broad)))

    def _page(self, words: bool, filters: Filters, sort: Sort, broad: bool) -> Select:
        stmt = queries.card_columns()
        if words and broad:
            # Many matches: read the sort column's index in order and test each row's stored
            # vector until the page is full. "IS TRUE" keeps the planner off the GIN index,
            # whose estimate for prefix queries is far too low (it would read every match).
            stmt = self.filtered(stmt, False, filters).where(
                _VECTOR.op("@@")(self._query()).is_(True))
        else:
            stmt = self.filtered(stmt, words, filters)
        if sort is Sort.RELEVANCE and not broad:
            return stmt.order_by(func.ts_rank(_VECTOR, self._query()).desc(),
                                 Product.id.desc())
        if sort in (Sort.RELEVANCE, Sort.NEWEST):
            return stmt.order_by(*queries.newest_first())
        return stmt.order_by(*_order(sort))


#: PostgreSQL: every word in any product's search_vector, kept by a trigger (migration
#: 9d2f6a1c4b80).
_WORDS = table("search_words", sql_column("word"))
#: A last word beginning more catalogue words than this is matched as a prefix.
MAX_FORMS = 32
_LEXEME = re.compile(r"[0-9a-z]+")


def _last_word(stem: str) -> str:
    """The last word typed, as PostgreSQL looks for it: the catalogue's words it begins, as
    an OR of exact words ("(rotan | rotanku)"). A GIN prefix match ("rotan:*") cannot skip
    through the other words' matches and costs 3 to 5 times as much for the same rows. When
    the stem begins no known word or too many, the prefix match it is. Looked up once a
    request, and kept with the cached pages (page_cache.per_generation)."""
    memo = g.setdefault("search_last_words", {})
    if stem not in memo:
        memo[stem] = page_cache.per_generation("search_last_word", stem,
                                               lambda: _spelled_out(stem))
    return memo[stem]


def _spelled_out(stem: str) -> str:
    stmt = built_once("search_words", lambda: (
        select(_WORDS.c.word).where(_WORDS.c.word >= bindparam("low", type_=String),
                                    _WORDS.c.word < bindparam("high", type_=String))
        .order_by(_WORDS.c.word).limit(MAX_FORMS + 1)))
    words = queries.read(stmt, {"low": stem, "high": stem + "\uffff"}).scalars().all()
    forms = [w for w in words if w.startswith(stem) and _LEXEME.fullmatch(w)]
    return f"({' | '.join(forms)})" if forms and len(words) <= MAX_FORMS else f"{stem}:*"


def _sort_key(sort: Sort, rank: ColumnElement | None) -> ColumnElement:
    """What a page is ordered by before Product.id (see _by_key), labelled "key": the
    relevance ``rank`` (higher is better), the price, or the publication date."""
    if sort is Sort.RELEVANCE and rank is not None:
        return rank.label("key")
    if sort in (Sort.PRICE_ASC, Sort.PRICE_DESC):
        return Product.price_min_idr.label("key")
    return Product.published_at.label("key")


def _by_key(sort: Sort, key: ColumnElement, ids: ColumnElement) -> list[ColumnElement]:
    return [key.asc() if sort is Sort.PRICE_ASC else key.desc(), ids.desc()]


def _in_order(found: Select, sort: Sort) -> Select:
    """The ids of ``found`` (id, key; with a LIMIT) in page order. The limit applies first,
    so the database stops reading matches there and sorts only those."""
    rows = found.subquery("found")
    return select(rows.c.id).order_by(*_by_key(sort, rows.c.key, rows.c.id))


_SQLITE = _SQLiteEngine()
_POSTGRESQL = _PostgreSQLEngine()


def count_matches_for_bench(args: Mapping[str, str]) -> int:
    """How many public products a catalogue request matches (for the benchmark's table)."""
    from marketplace.catalogue.search_params import read_params

    params = read_params(args)
    return exact_count(params.query, params.filters)
