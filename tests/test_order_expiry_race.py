"""The expiry job and a payment at the same moment, for real: two threads, two database
connections, committed data. The payment takes the order's row first; the expiry must wait
for it and then leave the paid order alone (and return no stock).

Committed data would leak into the other tests, so this runs on a database of its own: a
fresh SQLite file, and on PostgreSQL (when TEST_DATABASE_URL is set) a schema of its own.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterator

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import text

from marketplace.db import utcnow
from marketplace.extensions import db as _db
from marketplace.orders import jobs, workflow
from marketplace.orders.models import Order, OrderStatus, PaymentStatus
from marketplace.regions.services import load_regions
from tests import conftest
from tests.conftest import TEST_DATABASE_URL
from tests.order_fixtures import make_shop, stock_of, unpaid_order

DATABASES = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]


@pytest.fixture(params=DATABASES)
def race_app(request: pytest.FixtureRequest, tmp_path,
             make_app: Callable[[dict[str, object]], Flask]) -> Iterator[Flask]:
    if request.param == "sqlite":
        yield make_app(conftest.test_config(tmp_path, f"sqlite:///{tmp_path / 'race.sqlite3'}"))
        return
    schema = f"race_{uuid.uuid4().hex[:8]}"
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    url = f"{TEST_DATABASE_URL}{separator}options=-csearch_path%3D{schema}"
    app = make_app(conftest.test_config(tmp_path, url))
    with app.app_context(), _db.engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield app
    finally:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
            with _db.engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def test_a_payment_holding_the_row_wins_over_the_expiry(race_app: Flask) -> None:
    app = race_app
    now = utcnow()
    with app.app_context():
        flask_migrate.upgrade()
        load_regions(("64",))
        shop = make_shop()
        order_id = unpaid_order(shop, quantity=3, created_at=now - dt.timedelta(days=2)).id
        variant_id = shop.variant.id
        _db.session.remove()

    payment_has_the_row = threading.Event()
    expiry_started = threading.Event()
    results: dict[str, object] = {}

    def pay() -> None:
        with app.app_context():
            order = workflow.lock_order(order_id)
            payment_has_the_row.set()
            expiry_started.wait(5)
            workflow.set_payment_status(order, PaymentStatus.PAID, None, "Transfer diterima")
            workflow.set_status(order, OrderStatus.PROCESSING, None)
            _db.session.commit()
            results["paid"] = True

    def expire() -> None:
        with app.app_context():
            payment_has_the_row.wait(5)
            expiry_started.set()
            results["expired"] = jobs.expire_one(order_id, now)

    threads = [threading.Thread(target=pay), threading.Thread(target=expire)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == {"paid": True, "expired": False}
    with app.app_context():
        order = _db.session.get(Order, order_id)
        assert (order.status, order.payment_status) == (OrderStatus.PROCESSING,
                                                        PaymentStatus.PAID)
        assert [e.field for e in order.events] == ["payment", "status"]
        assert stock_of(variant_id) == 10
        _db.session.remove()
