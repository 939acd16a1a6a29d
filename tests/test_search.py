"""Search: Indonesian word forms on the database's own full-text engine (SQLite FTS5 or
PostgreSQL), filters, sorting, pagination, and who is never found."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import inspect, text, update

from marketplace.accounts.models import Role
from marketplace.catalogue import search
from marketplace.catalogue.models import Category, ProcessingLevel, Product, ProductStatus
from marketplace.catalogue.search import Filters, Sort
from marketplace.catalogue.search_params import read_params
from marketplace.catalogue.services import search_text_for
from marketplace.catalogue.text import regency_word, stem_text
from marketplace.db import utcnow
from marketplace.extensions import db as _db
from marketplace.producers import services as producer_services
from marketplace.producers.models import ProducerStatus
from marketplace.producers.services import ProfileData
from tests.factories import make_producer, make_user
from tests.test_catalogue import BIDUK_BIDUK, PASER, SAMARINDA, make_category, make_product


@pytest.fixture
def goods(ctx) -> dict[str, object]:
    """Producers in Berau, Samarinda and Paser; a two-level category tree; five products."""
    berau = make_producer(name="Anyaman Biduk", region_code=BIDUK_BIDUK)
    samarinda = make_producer(name="Tenun Seberang", region_code=SAMARINDA)
    paser = make_producer(name="Amplang Tanah Grogot", region_code=PASER)
    crafts = make_category("Kerajinan Rotan & Anyaman", name_en="Rattan & Woven Crafts")
    mats = make_category("Tikar Rotan", parent=crafts, name_en="Rattan Mats")
    bags = make_category("Tas & Aksesori", name_en="Bags & Accessories")
    fabric = make_category("Kain & Tenun", name_en="Fabrics & Woven Cloth")
    snacks = make_category("Camilan & Oleh-oleh", name_en="Snacks & Souvenirs")
    now = utcnow()
    products = {
        "tas": make_product(berau, bags, "Tas Anyam Rotan", price=350_000,
                            published_at=now - dt.timedelta(days=3)),
        "tikar": make_product(berau, mats, "Tikar Lampit", price=900_000,
                              description="Lampit dari rotan pilihan, dianyam rapat.",
                              published_at=now - dt.timedelta(days=2),
                              processing_level=ProcessingLevel.BRANDED),
        "sarung": make_product(samarinda, fabric, "Sarung Tenun Samarinda", price=275_000,
                               description="Ditenun dengan alat tenun bukan mesin.",
                               published_at=now - dt.timedelta(days=1)),
        "amplang": make_product(paser, snacks, "Amplang Ikan Pipih 250 g", price=30_000,
                                processing_level=ProcessingLevel.SEMI, published_at=now),
        "kursi": make_product(berau, crafts, "Kursi Rotan Teras", price=1_250_000,
                              published_at=now - dt.timedelta(days=5)),
    }
    return {"ids": {key: p.id for key, p in products.items()}, "crafts": crafts, "mats": mats,
            "bags": bags, "berau": berau, "paser": paser, "samarinda": samarinda}


def names(page: search.SearchPage) -> list[str]:
    return [p.name for p in page.items]


# --- words -----------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["anyaman rotan", "Anyaman Rotan", "menganyam rotan",
                                   "tas anyam", "anyam rot", "TAS"])
def test_indonesian_word_forms_find_the_bag(goods, query):
    assert "Tas Anyam Rotan" in names(search.search(query))


def test_every_word_must_match(goods):
    assert names(search.search("lampit rotan")) == ["Tikar Lampit"]
    assert names(search.search("tas anyaman rotan")) == ["Tas Anyam Rotan"]
    assert search.search("tas amplang").total == 0


def test_descriptions_categories_and_producer_names_are_searched(goods):
    assert "Tikar Lampit" in names(search.search("dianyam rapat"))  # description
    assert "Kursi Rotan Teras" in names(search.search("kerajinan"))  # category (Indonesian)
    assert "Tikar Lampit" in names(search.search("rattan mats"))  # subcategory (English)
    assert "Tikar Lampit" in names(search.search("kerajinan anyaman"))  # parent category
    assert "Amplang Ikan Pipih 250 g" in names(search.search("tanah grogot"))  # producer


def test_the_last_word_may_be_unfinished(goods):
    assert names(search.search("sarung ten")) == ["Sarung Tenun Samarinda"]
    assert search.search("sarung tenx").total == 0


def test_the_last_word_finds_every_word_it_begins_even_new_ones(goods):
    """PostgreSQL spells out the words a last word begins (search._last_word) from its list
    of the catalogue's words, which a trigger keeps: a word that arrives with a new or
    renamed product is found at once."""
    roti = make_product(goods["paser"], goods["bags"], "Roti Gambang", price=20_000)
    assert set(names(search.search("rot"))) == {
        "Tas Anyam Rotan", "Tikar Lampit", "Kursi Rotan Teras", "Roti Gambang"}
    roti.name = "Rotiboy Gambang"
    roti.search_text = search_text_for(roti)
    _db.session.commit()
    assert names(search.search("gambang rotib")) == ["Rotiboy Gambang"]
    assert search.search("rotiz").total == 0


def test_a_last_word_that_begins_many_words_is_matched_as_a_prefix(goods, monkeypatch):
    monkeypatch.setattr(search, "MAX_FORMS", 1)  # "rot": rotan and roti
    make_product(goods["paser"], goods["bags"], "Roti Gambang", price=20_000)
    assert set(names(search.search("rot"))) == {
        "Tas Anyam Rotan", "Tikar Lampit", "Kursi Rotan Teras", "Roti Gambang"}
    assert names(search.search("sarung tenu")) == ["Sarung Tenun Samarinda"]


def test_every_word_of_every_product_is_in_postgresqls_word_list(app, goods):
    """The trigger's invariant (nothing to check on SQLite, whose FTS5 index has prefixes
    of its own)."""
    from sqlalchemy import text

    connection = _db.session.connection()
    if connection.dialect.name != "postgresql":
        assert not inspect(connection).has_table("search_words")
        return
    missing = connection.scalar(text(
        "SELECT count(*) FROM products, unnest(tsvector_to_array(search_vector)) AS w(word) "
        "WHERE w.word NOT IN (SELECT word FROM search_words)"))
    assert missing == 0
    assert connection.scalar(text("SELECT count(*) FROM search_words WHERE word = 'rotan'"))
    connection.execute(text("DELETE FROM search_words WHERE word = 'lampit'"))
    # "lampi" now begins no known word: the prefix match still finds the product.
    assert names(search.search("tikar lampi")) == ["Tikar Lampit"]
    search.reindex_all()  # puts back what is missing
    assert connection.scalar(text("SELECT count(*) FROM search_words WHERE word = 'lampit'"))


def test_relevance_puts_closer_matches_first(goods):
    make_product(goods["paser"], goods["bags"], "Keranjang Pandan", description=(
        "Wadah besar dari daun pandan pilihan yang dijemur, diwarnai dengan pewarna "
        "alami, lalu dianyam oleh ibu-ibu di desa; pegangannya dililit rotan."),
        published_at=utcnow())
    make_product(goods["berau"], goods["bags"], "Keranjang Rotan",
                 description="Rotan asli, anyaman rotan rapat.",
                 published_at=utcnow() - dt.timedelta(days=9))
    found = names(search.search("keranjang rotan"))
    assert found == ["Keranjang Rotan", "Keranjang Pandan"]


@pytest.mark.parametrize("query", ['"', "NEAR(tas", "*", "tas OR x", "tas AND NOT kursi",
                                   "rotan:*", "'; DROP TABLE products; --", "\x00", "!!!",
                                   "a" * 300, "tas & | !", "^tas", "tas-rotan"])
def test_query_syntax_cannot_be_injected(goods, query):
    page = search.search(query)  # no error, whatever the engine's own syntax
    assert page.total >= 0


def test_no_words_means_browsing(goods):
    page = search.search("  !!  ")
    assert page.total == 5
    assert names(page)[0] == "Amplang Ikan Pipih 250 g"  # newest first


def test_index_follows_changes_to_the_products(goods):
    tas = _db.session.get(Product, goods["ids"]["tas"])
    tas.name = "Tas Purun"
    tas.search_text = stem_text("Tas Purun", "Tas & Aksesori", "Anyaman Biduk")
    _db.session.commit()
    assert "Tas Purun" in names(search.search("purun"))
    assert search.search("tas anyaman rotan").total == 0
    _db.session.delete(_db.session.get(Product, goods["ids"]["tikar"]))
    _db.session.commit()
    assert search.search("lampit").total == 0


# --- who is never found ---------------------------------------------------------------------

@pytest.mark.parametrize("status", [ProducerStatus.SUSPENDED, ProducerStatus.SUBMITTED,
                                    ProducerStatus.DRAFT, ProducerStatus.CHANGES_NEEDED,
                                    ProducerStatus.REJECTED])
def test_products_of_producers_that_are_not_public_are_never_found(goods, status):
    goods["berau"].status = status
    _db.session.commit()
    for query in ("rotan", "tas", ""):
        assert not {"Tas Anyam Rotan", "Tikar Lampit"} & set(names(search.search(query)))
    assert search.search("rotan").total == 0


@pytest.mark.parametrize("status", [ProductStatus.DRAFT, ProductStatus.ARCHIVED])
def test_unpublished_products_are_never_found(goods, status):
    _db.session.execute(update(Product).where(Product.id == goods["ids"]["tas"])
                        .values(status=status))
    _db.session.commit()
    assert "Tas Anyam Rotan" not in names(search.search("tas"))
    assert "Tas Anyam Rotan" not in names(search.search(""))


# --- filters and sorting ---------------------------------------------------------------------

def test_a_top_category_includes_its_subcategories(goods):
    crafts = goods["crafts"]
    ids = (crafts.id, goods["mats"].id)
    assert set(names(search.search("", Filters(category_ids=ids)))) == {
        "Tikar Lampit", "Kursi Rotan Teras"}
    assert names(search.search("", Filters(category_ids=(goods["mats"].id,)))) == [
        "Tikar Lampit"]
    params = read_params({"category": crafts.slug})
    assert set(params.filters.category_ids) == set(ids) and params.category.id == crafts.id


def test_region_filter_is_the_producers_kabupaten(goods):
    assert set(names(search.search("", Filters(regency="64.03")))) == {
        "Tas Anyam Rotan", "Tikar Lampit", "Kursi Rotan Teras"}
    assert names(search.search("rotan", Filters(regency="64.72"))) == []
    assert names(search.search("", Filters(regency="64.01"))) == ["Amplang Ikan Pipih 250 g"]


def test_a_search_in_a_region_uses_the_region_word(goods):
    """With words, the region filter is a word of the search text (one full-text lookup):
    every product carries its producer's, and a word alone never stands for a region."""
    tikar = _db.session.get(Product, goods["ids"]["tikar"])
    assert tikar.search_text.split()[-1] == regency_word("64.03") == "kab6403"
    assert set(names(search.search("rotan", Filters(regency="64.03")))) == {
        "Tas Anyam Rotan", "Tikar Lampit", "Kursi Rotan Teras"}
    assert names(search.search("tenun", Filters(regency="64.72"))) == ["Sarung Tenun Samarinda"]
    assert names(search.search("tenun", Filters(regency="64.03"))) == []
    # The last word typed is a prefix; the region word is matched whole.
    assert names(search.search("amplang ik", Filters(regency="64.01"))) == [
        "Amplang Ikan Pipih 250 g"]
    assert search.exact_count("rotan", Filters(regency="64.03")) == 3


def test_a_producer_that_moves_is_found_in_its_new_kabupaten(goods):
    staff = make_user(Role.STAFF)
    berau = goods["berau"]
    data = ProfileData(name=berau.name, type=berau.type.value, sector=berau.sector.value,
                       owner_name=berau.owner_name, region_code=SAMARINDA,
                       whatsapp=berau.whatsapp or "")
    producer_services.update_profile(staff, berau, data)
    assert set(names(search.search("rotan", Filters(regency="64.72")))) == {
        "Tas Anyam Rotan", "Tikar Lampit", "Kursi Rotan Teras"}
    assert names(search.search("rotan", Filters(regency="64.03"))) == []
    assert set(names(search.search("", Filters(regency="64.72")))) == {
        "Tas Anyam Rotan", "Tikar Lampit", "Kursi Rotan Teras", "Sarung Tenun Samarinda"}


def test_price_range_and_processing_level(goods):
    page = search.search("", Filters(price_min=100_000, price_max=400_000))
    assert set(names(page)) == {"Tas Anyam Rotan", "Sarung Tenun Samarinda"}
    assert names(search.search("", Filters(level=ProcessingLevel.SEMI))) == [
        "Amplang Ikan Pipih 250 g"]
    assert names(search.search("rotan", Filters(level=ProcessingLevel.BRANDED))) == [
        "Tikar Lampit"]


@pytest.mark.parametrize("low, high, expected", [
    (300_000, 1_000_000, ["Tikar Lampit", "Tas Anyam Rotan"]),  # wide: the words drive
    (300_000, 600_000, ["Tas Anyam Rotan"]),  # narrow: the price index may
    (None, 400_000, ["Tas Anyam Rotan"]),
    (1_000_000, None, ["Kursi Rotan Teras"]),
])
def test_a_price_range_narrow_or_wide_with_a_search(goods, low, high, expected):
    filters = Filters(price_min=low, price_max=high)
    assert filters.narrow_price is (high == 600_000)
    assert names(search.search("rotan", filters, Sort.PRICE_DESC)) == expected


def test_filters_combine_with_a_search(goods):
    page = search.search("rotan", Filters(category_ids=(goods["crafts"].id, goods["mats"].id),
                                          regency="64.03", price_max=1_000_000))
    assert names(page) == ["Tikar Lampit"]


@pytest.mark.parametrize("sort, expected", [
    (Sort.NEWEST, ["Amplang Ikan Pipih 250 g", "Sarung Tenun Samarinda", "Tikar Lampit",
                   "Tas Anyam Rotan", "Kursi Rotan Teras"]),
    (Sort.PRICE_ASC, ["Amplang Ikan Pipih 250 g", "Sarung Tenun Samarinda", "Tas Anyam Rotan",
                      "Tikar Lampit", "Kursi Rotan Teras"]),
    (Sort.PRICE_DESC, ["Kursi Rotan Teras", "Tikar Lampit", "Tas Anyam Rotan",
                       "Sarung Tenun Samarinda", "Amplang Ikan Pipih 250 g"]),
])
def test_sort_orders(goods, sort, expected):
    assert names(search.search("", sort=sort)) == expected
    with_words = [n for n in expected if n in ("Tas Anyam Rotan", "Tikar Lampit",
                                               "Kursi Rotan Teras")]
    assert names(search.search("rotan", sort=sort)) == with_words


def test_relevance_without_words_falls_back_to_newest(goods):
    assert names(search.search("", sort=Sort.RELEVANCE))[0] == "Amplang Ikan Pipih 250 g"


@pytest.mark.parametrize("plans", ["force_custom_plan", "force_generic_plan"])
def test_searches_answer_the_same_however_postgresql_plans_them(goods, plans):
    """psycopg prepares a statement run five times on one connection, and PostgreSQL may
    then plan it once for every search (a generic plan, made without the words or filter
    values): the answers must not change. (SQLite plans every statement afresh.)"""
    connection = _db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SET LOCAL plan_cache_mode = {plans}"))
    for _ in range(7):
        assert names(search.search("rotan", sort=Sort.PRICE_ASC)) == [
            "Tas Anyam Rotan", "Tikar Lampit", "Kursi Rotan Teras"]
        assert names(search.search("tas anyam rot")) == ["Tas Anyam Rotan"]
        assert names(search.search("rotan", Filters(price_min=300_000,
                                                    price_max=1_000_000))) == [
            "Tikar Lampit", "Tas Anyam Rotan"]
        assert names(search.search("tenun", Filters(regency="64.72"))) == [
            "Sarung Tenun Samarinda"]
        assert search.search("rotan kaltim").total == 0


def test_the_public_rules_are_written_into_the_sql(ctx):
    """Who buyers may see never changes between executions: the statuses are constants in
    the SQL, not parameters, so a generic plan knows them (a parameter left PostgreSQL
    reading every producer to find the few hidden ones)."""
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from marketplace.catalogue import queries

    stmt = select(Product.id).where(queries.public_product(), queries.by_public_producer())
    for dialect in (postgresql.dialect(), _db.engine.dialect):
        compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        sql = str(compiled)
        assert "'published'" in sql and "'verified'" in sql and "'suspended'" in sql
        assert not compiled.params


# --- pages -----------------------------------------------------------------------------------

def test_pages_and_a_page_past_the_end(goods):
    first = search.search("", page=1, per_page=2)
    assert (first.total, first.pages, first.page, len(first.items)) == (5, 3, 1, 2)
    last = search.search("", page=3, per_page=2)
    assert len(last.items) == 1 and (last.first_index, last.last_index) == (5, 5)
    beyond = search.search("", page=99, per_page=2)
    assert beyond.page == 3 and names(beyond) == names(last)
    seen = [n for p in (1, 2, 3) for n in names(search.search("", page=p, per_page=2))]
    assert sorted(seen) == sorted(names(search.search("")))  # no product twice or missing


@pytest.mark.parametrize("sort", list(Sort))
def test_pages_of_a_search_and_a_page_past_its_end(goods, sort):
    pages = [search.search("rotan", sort=sort, page=p, per_page=2) for p in (1, 2)]
    assert [(p.total, p.pages, p.page) for p in pages] == [(3, 2, 1), (3, 2, 2)]
    seen = [n for p in pages for n in names(p)]
    assert seen == names(search.search("rotan", sort=sort))
    assert sorted(seen) == ["Kursi Rotan Teras", "Tas Anyam Rotan", "Tikar Lampit"]
    beyond = search.search("rotan", sort=sort, page=7, per_page=2)
    assert (beyond.page, names(beyond)) == (2, names(pages[1]))


def test_counts_stop_at_the_limit(goods, monkeypatch):
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    page = search.search("", per_page=2)
    assert page.more and page.total == 3 and page.pages == 2
    page = search.search("rotan", per_page=2, page=2)
    assert page.more is False or page.total == 3
    assert search.exact_count("") == 5


@pytest.mark.parametrize("query", ["rotan", "rot"])
def test_counts_stop_at_the_limit_for_whole_and_partial_last_words(goods, monkeypatch, query):
    monkeypatch.setattr(search, "COUNT_LIMIT", 2)
    page = search.search(query)
    assert page.more and page.total == 2 and len(page.items) >= 2
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    page = search.search(query, sort=Sort.PRICE_ASC)
    assert not page.more and page.total == 3
    assert names(page) == ["Tas Anyam Rotan", "Tikar Lampit", "Kursi Rotan Teras"]
    newest = search.search(query, sort=Sort.NEWEST, per_page=2, page=2)
    assert names(newest) == ["Kursi Rotan Teras"] and newest.pages == 2


def test_broad_searches_are_listed_newest_first(goods, monkeypatch):
    monkeypatch.setattr(search, "COUNT_LIMIT", 1)
    monkeypatch.setattr(search, "RANK_LIMIT", 1)
    monkeypatch.setattr(search._SQLiteEngine, "rank_limit", 1)
    page = search.search("rotan", per_page=3)
    assert set(names(page)) == {"Tas Anyam Rotan", "Tikar Lampit", "Kursi Rotan Teras"}
    assert page.more and page.pages == 1


# --- reading the request ---------------------------------------------------------------------

def test_read_params_understands_rupiah_and_keeps_good_values(goods):
    params = read_params({"q": " tas ", "min": "Rp150.000", "max": "1.000.000",
                          "kab": "64.03", "level": "barang_jadi", "sort": "price",
                          "page": "2"})
    assert params.errors == []
    assert params.query == "tas" and params.page == 2 and params.sort is Sort.PRICE_ASC
    assert params.filters == Filters((), "64.03", 150_000, 1_000_000, ProcessingLevel.FINISHED)
    assert params.values == {"q": "tas", "min": "150000", "max": "1000000", "kab": "64.03",
                             "level": "barang_jadi", "sort": "price"}


@pytest.mark.parametrize("args", [{"category": "tidak-ada"}, {"kab": "31.71"},
                                  {"kab": "64.03.08"}, {"min": "-5"}, {"max": "1e9"},
                                  {"min": "99999999999999"}, {"level": "emas"},
                                  {"sort": "acak"}])
def test_read_params_leaves_out_what_it_does_not_understand(goods, args):
    params = read_params(args)
    assert len(params.errors) == 1
    assert params.filters == Filters() and params.sort is None


def test_read_params_swaps_a_reversed_price_range(goods):
    params = read_params({"min": "500000", "max": "1000"})
    assert (params.filters.price_min, params.filters.price_max) == (1000, 500000)
    assert len(params.errors) == 1


def test_catalogue_page_filters_by_every_parameter(client, app, goods):
    crafts = goods["crafts"].slug
    ids = goods["ids"]
    cases = {
        f"/produk?category={crafts}": {ids["tikar"], ids["kursi"]},
        "/produk?kab=64.01": {ids["amplang"]},
        "/produk?min=100000&max=400000": {ids["tas"], ids["sarung"]},
        "/produk?level=setengah_jadi": {ids["amplang"]},
        "/produk?q=tas+anyaman+rotan": {ids["tas"]},
    }
    for url, expected in cases.items():
        html = client.get(url).get_data(as_text=True)
        shown = {i for i in ids.values() if f"/produk/{i}/" in html}
        assert shown == expected, url


def test_catalogue_page_says_when_there_are_more_than_it_counts(client, goods, monkeypatch):
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    monkeypatch.setattr("marketplace.catalogue.views.PER_PAGE", 2)
    html = client.get("/produk").get_data(as_text=True)
    assert re.search(r'id="result-count">\s*3\+ ', html)
    assert 'id="more-results"' not in html and 'rel="next"' in html
    assert 'id="more-results"' in client.get("/produk?page=2").get_data(as_text=True)


def test_catalogue_page_sorts_and_paginates(client, goods, monkeypatch):
    monkeypatch.setattr("marketplace.catalogue.views.PER_PAGE", 2)
    html = client.get("/produk?sort=price_desc").get_data(as_text=True)
    kursi, tikar = goods["ids"]["kursi"], goods["ids"]["tikar"]
    assert html.index(f"/produk/{kursi}/") < html.index(f"/produk/{tikar}/")
    assert 'href="/produk?sort=price_desc&amp;page=2"' in html
    assert 'rel="next"' in html
    third = client.get("/produk?sort=price_desc&page=3").get_data(as_text=True)
    assert f"/produk/{goods['ids']['amplang']}/" in third and 'rel="prev"' in third


def test_a_category_rename_reaches_the_index_through_search_text(goods):
    """The index holds whatever search_text holds: the services rewrite it on renames."""
    category = _db.session.get(Category, goods["bags"].id)
    product = _db.session.get(Product, goods["ids"]["tas"])
    product.search_text = stem_text(product.name, "Tas & Dompet", "Anyaman Biduk")
    category.name_id = "Tas & Dompet"
    _db.session.commit()
    assert "Tas Anyam Rotan" in names(search.search("dompet"))


def test_reindex_all_rebuilds_the_words_and_the_index(goods):
    _db.session.execute(update(Product).values(search_text=""))
    _db.session.commit()
    assert search.search("lampit").total == 0
    assert search.reindex_all(batch=2) == 5
    assert names(search.search("lampit")) == ["Tikar Lampit"]
    assert "Tas Anyam Rotan" in names(search.search("anyaman biduk"))  # producer's name
    assert search.reindex_all() == 0


def test_the_full_text_objects_survive_every_migration(app, db):
    """A later migration that rebuilds the products table on SQLite (batch mode) drops the
    FTS triggers with the old table: it must recreate them (see migration 7c4e2d9a1f30)."""
    from sqlalchemy import inspect, text

    with app.app_context():
        connection = _db.session.connection()
        if connection.dialect.name == "sqlite":
            triggers = set(connection.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
            assert {"products_fts_insert", "products_fts_update",
                    "products_fts_delete"} <= triggers
            assert "products_fts" in inspect(connection).get_table_names()
        else:
            columns = {c["name"] for c in inspect(connection).get_columns("products")}
            indexes = {i["name"] for i in inspect(connection).get_indexes("products")}
            assert "search_vector" in columns and "ix_products_search_vector" in indexes
