"""Fixtures: one app per database backend, a database rolled back after every test,
a test client, and login helpers.

The suite runs on SQLite always, and on PostgreSQL as well when TEST_DATABASE_URL is set:
every test that uses the ``app`` fixture runs once per backend.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db as _db
from marketplace.extensions import limiter
from marketplace.regions.services import load_regions
from tests import helpers

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
BACKENDS = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]
#: The regions the tests need: Kalimantan Timur and, for buyers elsewhere, DKI Jakarta.
TEST_PROVINCES = ("64", "31")
FAST_HASH = "scrypt:1024:8:1"
#: One prefix per test run: the limiter is a process-wide extension shared by every test app.
RATELIMIT_KEY_PREFIX = f"test-{uuid.uuid4().hex[:8]}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def test_config(base: Path, database_url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_DIR": str(base),
        "MAIL_BACKEND": "outbox",
        "MAIL_OUTBOX_DIR": str(base / "outbox"),
        "MEDIA_ROOT": str(base / "media"),
        "RATELIMIT_STORAGE_URI": REDIS_URL or "memory://",
        "RATELIMIT_KEY_PREFIX": RATELIMIT_KEY_PREFIX,
        # Emails are sent inline; tests of the RQ queue set REDIS_URL themselves.
        "REDIS_URL": "",
        "SERVER_NAME": None,
        "PUBLIC_BASE_URL": "http://localhost",
        # Cheap scrypt for speed; production keeps werkzeug's N=32768 (tested).
        "PASSWORD_HASH_METHOD": FAST_HASH,
        # Off, as rolled-back test data would outlive its pages; tests/test_page_cache.py
        # turns it on.
        "PAGE_CACHE_SECONDS": 0,
        "CACHE_TYPE": "SimpleCache",
    }


def prepare_database(app: Flask) -> None:
    """An empty database, the migrations applied, and the test regions loaded."""
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        load_regions(TEST_PROVINCES)


@pytest.fixture(scope="session")
def app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    base = tmp_path_factory.mktemp(backend)
    url = TEST_DATABASE_URL if backend == "postgresql" else f"sqlite:///{base / 'test.sqlite3'}"
    app = create_app(test_config(base, url))
    prepare_database(app)
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[object]:
    """Every test runs inside a transaction that is rolled back at its end.

    The app's engine is swapped for one connection holding an open transaction; sessions
    join it with SAVEPOINTs, so a service's commit() is real to the code under test and
    still undone afterwards.
    """
    engines = _db._app_engines[app]
    engine = engines[None]
    connection = engine.connect()
    transaction = connection.begin()
    engines[None] = connection  # type: ignore[assignment]
    original_session = _db.session
    _db.session = _db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
    try:
        yield _db
    finally:
        # Sessions close with their app context; the scoped registry is simply dropped.
        _db.session = original_session
        engines[None] = engine
        transaction.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _reset_rate_limits(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        with app.app_context():
            limiter.reset()


@pytest.fixture
def client(app: Flask, db: object) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def ctx(app: Flask, db: object) -> Iterator[None]:
    """A request context, for calling services directly."""
    with app.test_request_context():
        yield


@pytest.fixture
def make_app() -> Iterator[Callable[[dict[str, object]], Flask]]:
    """Build extra apps (other configurations); their connections are closed afterwards."""
    apps: list[Flask] = []

    def factory(config: dict[str, object]) -> Flask:
        extra = create_app(config)
        apps.append(extra)
        return extra

    yield factory
    for extra in apps:
        with extra.app_context():
            _db.engine.dispose()


@pytest.fixture
def outbox(app: Flask) -> helpers.Outbox:
    box = helpers.Outbox(Path(app.config["MAIL_OUTBOX_DIR"]))
    box.clear()
    return box
