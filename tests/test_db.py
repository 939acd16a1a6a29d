"""The database rules from marketplace/db.py."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import create_engine, text

from marketplace.db import configure_sqlite, utcnow
from tests.factories import make_user


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'rules.sqlite3'}")
    configure_sqlite(engine)
    yield engine
    engine.dispose()


def test_sqlite_pragmas(sqlite_engine):
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000


def test_sqlite_write_transactions_begin_immediately(sqlite_engine):
    """A second writer waits at BEGIN (busy timeout) instead of failing on a lock upgrade."""
    with sqlite_engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    first = sqlite_engine.connect()
    first.begin()
    first.execute(text("SELECT count(*) FROM t"))  # a read, yet it holds the write lock
    order: list[str] = []

    def second_writer() -> None:
        with sqlite_engine.begin() as connection:
            order.append("second began")
            connection.execute(text("INSERT INTO t VALUES (2)"))

    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(timeout=0.5)
    order.append("first commits")
    first.execute(text("INSERT INTO t VALUES (1)"))
    first.commit()
    first.close()
    thread.join(timeout=10)
    assert order == ["first commits", "second began"]
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 2


def test_timestamps_are_utc_aware(app, db):
    with app.app_context():
        user = make_user()
        db.session.expire_all()
        assert user.created_at.tzinfo is not None
        assert user.created_at.utcoffset() == dt.timedelta(0)
        assert abs(utcnow() - user.created_at) < dt.timedelta(minutes=1)
