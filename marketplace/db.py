"""Declarative base, column aliases and the SQLite connection rules.

Every model inherits from :class:`Base` (through ``db.Model``). The naming convention
gives constraints stable names, so Alembic can alter and drop them on every database.
"""

from __future__ import annotations

import datetime as dt
import enum
import sqlite3
from collections.abc import Callable, Hashable
from typing import Annotated, TypeVar

from flask import has_request_context, request
from sqlalchemy import DateTime, Engine, Enum, MetaData, TypeDecorator, event
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC (what every timestamp column stores)."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every database.

    PostgreSQL keeps it as timestamptz. SQLite keeps no zone: values are stored as UTC and
    marked UTC again when read, so Python code only ever sees aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use marketplace.db.utcnow() or an aware value")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


def str_enum(enum_class: type[enum.StrEnum], name: str, length: int = 32) -> Enum:
    """A portable enum column: stored as its string values, guarded by a named CHECK.
    The column is wider than today's values so a new value needs no column change."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


T = TypeVar("T")
_STATEMENTS: dict[Hashable, object] = {}


def built_once(key: Hashable, build: Callable[[], T]) -> T:
    """The statement ``build()`` makes, built once per process for ``key``.

    SQLAlchemy keeps each statement's compiled SQL, but finds it by the statement's cache
    key, which it computes afresh for every new statement object. For a catalogue search,
    building the statement and its key cost more of the app's time than running it (2.3 of
    3.2 ms, with 500 rows). A statement whose changing values are bind parameters, given at
    execution (``session.execute(stmt, values)``), can be built once for each shape instead:
    its cache key is then computed once too. ``key`` must name everything the statement's
    SQL depends on (the values never do).
    """
    try:
        return _STATEMENTS[key]  # type: ignore[return-value]
    except KeyError:
        statement = _STATEMENTS[key] = build()
        return statement


def reads_only(session: Session) -> None:
    """From here to the end of ``session``'s work, run its statements on PostgreSQL without
    a transaction (autocommit): no BEGIN and no ROLLBACK, two round trips to the database
    that an uncached catalogue page would otherwise add to its one or two statements. Only
    for requests that only read (the @public_page views): each statement still reads one
    consistent snapshot; two statements may read different ones. Does nothing once the
    session has begun, when it is bound to a connection of its own (the tests' outer
    transaction), and on SQLite (no round trips to save)."""
    bind = session.get_bind()
    if session.in_transaction() or not isinstance(bind, Engine) \
            or bind.dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow)]


_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_begin_mode() -> str:
    """Requests that cannot change state read in a deferred transaction; everything else
    (POSTs, CLI commands, jobs, tests) takes the write lock at BEGIN, so two writers never
    deadlock on a lock upgrade and the busy timeout does its job."""
    if has_request_context() and request.method in _READ_ONLY_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and transactions that SQLAlchemy begins itself.

    pysqlite's own transaction handling is switched off (``isolation_level=None``) so that
    SQLAlchemy emits BEGIN: this is SQLAlchemy's documented recipe, and what makes
    SAVEPOINTs and BEGIN IMMEDIATE work.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA mmap_size = 268435456")  # 256 MB: about halves row reads
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql(_sqlite_begin_mode())


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    """Attach the SQLite rules to the app's SQLite engines (PostgreSQL needs none)."""
    from marketplace.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                configure_sqlite(engine)
