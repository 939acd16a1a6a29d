"""The migrations and the models agree: autogenerate finds nothing to add, on each backend;
and a data migration does what it says, both ways."""

from __future__ import annotations

import uuid

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, select, text

from marketplace.catalogue.models import Product
from marketplace.catalogue.search import include_in_autogenerate
from marketplace.extensions import db as _db
from tests import conftest
from tests.factories import make_producer
from tests.test_catalogue import BIDUK_BIDUK, make_category, make_product


def test_models_and_migrations_agree(app, db):
    with app.app_context():
        connection = _db.engine if hasattr(_db.engine, "execute") else _db.engine.connect()
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True,
                              "include_name": include_in_autogenerate},
        )
        diff = compare_metadata(context, _db.metadata)
    assert diff == [], f"Models differ from migrations; run `flask db migrate`: {diff}"


def test_constraints_have_conventional_names(app, db):
    with app.app_context():
        inspector = inspect(_db.engine)
        assert inspector.get_pk_constraint("users")["name"] in ("pk_users", None)
        unique = {c["name"] for c in inspector.get_unique_constraints("users")}
        assert "uq_users_email" in unique


def test_the_region_word_migration_adds_and_removes_the_word(make_app, tmp_path):
    """3e5d1c7b9a42 gives the products there are their producer's kabupaten/kota word (and
    the FTS table follows through its triggers); downgrading takes it away again."""
    extra = make_app(conftest.test_config(tmp_path, f"sqlite:///{tmp_path / 'words.sqlite3'}"))
    with extra.app_context():
        conftest.prepare_database(extra)
        berau = make_producer(region_code=BIDUK_BIDUK)
        unplaced = make_producer(region_code=None)
        placed = make_product(berau, make_category("Tas"), "Tas Anyam Rotan")
        other = make_product(unplaced, make_category("Tikar"), "Tikar Lampit")
        before = {placed.id: placed.search_text, other.id: other.search_text}

        def words() -> dict[int, str]:
            rows = _db.session.execute(select(Product.id, Product.search_text)).all()
            _db.session.rollback()
            return {row.id: row.search_text for row in rows}

        def found() -> list[int]:
            ids = list(_db.session.scalars(text(
                "SELECT rowid FROM products_fts WHERE products_fts MATCH 'kab6403'")))
            _db.session.rollback()
            return ids

        assert before[placed.id].endswith(" kab6403") and found() == [placed.id]
        _db.session.commit()
        flask_migrate.downgrade(revision="b7a3337d32ad")
        assert words() == {placed.id: before[placed.id].removesuffix(" kab6403"),
                           other.id: before[other.id]}
        assert found() == []
        flask_migrate.upgrade()
        assert words() == before and found() == [placed.id]


def test_the_search_words_migration_lists_the_words_there_are(make_app, tmp_path):
    """9d2f6a1c4b80 (PostgreSQL only) lists the words of the products there are, and its
    trigger those of products added later; downgrading drops the list and the trigger."""
    if not conftest.TEST_DATABASE_URL:
        pytest.skip("PostgreSQL only: TEST_DATABASE_URL is not set")
    name = f"test_words_{uuid.uuid4().hex[:8]}"
    admin = create_engine(conftest.TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(conftest.TEST_DATABASE_URL).set(database=name)
    try:
        extra = make_app(conftest.test_config(tmp_path, url.render_as_string(False)))
        with extra.app_context():
            conftest.prepare_database(extra)
            flask_migrate.downgrade(revision="3e5d1c7b9a42")
            assert not inspect(_db.engine).has_table("search_words")
            make_product(make_producer(region_code=BIDUK_BIDUK), make_category("Tas"),
                         "Tas Anyam Rotan")
            _db.session.commit()
            flask_migrate.upgrade()

            def words() -> set[str]:
                found = set(_db.session.scalars(text("SELECT word FROM search_words")))
                _db.session.rollback()
                return found

            assert {"tas", "anyam", "rotan", "kab6403"} <= words()
            make_product(make_producer(), make_category("Kue"), "Amplang Pipih")
            _db.session.commit()
            assert {"amplang", "pipih"} <= words()
            flask_migrate.downgrade(revision="3e5d1c7b9a42")
            assert not inspect(_db.engine).has_table("search_words")
            _db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
