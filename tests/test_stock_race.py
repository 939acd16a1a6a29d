"""The stock race, for real: 50 buyers, each signed in with their own session and cart,
press "Bayar" at the same moment for a variant with 10 left, against an app served over HTTP
by a threaded server, on SQLite (a file database in WAL mode) and on PostgreSQL (its own
database next to the test database, so the rolled-back test transaction is not involved).

Exactly 10 checkouts succeed, 40 buyers see "stok habis", and the stock ends at 0.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from marketplace import create_app
from marketplace.cart.models import CartItem
from marketplace.catalogue.models import Variant
from marketplace.extensions import db
from marketplace.orders.models import CheckoutGroup, Order
from tests import conftest
from tests.checkout_factories import make_address, make_method
from tests.factories import make_producer, make_product, make_user

BUYERS = 50
STOCK = 10


class Browser:
    """One buyer's browser: a cookie jar and plain HTTP (no redirects followed)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, object] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                "Origin": f"http://127.0.0.1:{self.port}", **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            html = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), html
        finally:
            connection.close()

    def get(self, path: str) -> str:
        status, _headers, html = self.request("GET", path)
        assert status == 200, (path, status)
        return html

    def post(self, path: str, form: dict[str, object]) -> tuple[int, dict[str, str], str]:
        return self.request("POST", path, form)


def _fields(html: str, form_id: str) -> dict[str, str]:
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)
    assert form, html[:2000]
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", form.group(0)):
        attrs = dict(re.findall(r'\b(name|value|type)="([^"]*)"', tag))
        if attrs.get("type") == "hidden" or (attrs.get("type") == "radio" and " checked" in tag):
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def _database_url(which: str, base) -> str:  # type: ignore[no-untyped-def]
    if which == "sqlite":
        return f"sqlite:///{base / 'race.sqlite3'}"
    url = make_url(conftest.TEST_DATABASE_URL)
    name = f"{url.database}_race"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                 {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=conftest.BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Flask, int]]:
    base = tmp_path_factory.mktemp(f"race-{request.param}")
    config = {**conftest.test_config(base, _database_url(request.param, base)),
              "RATELIMIT_ENABLED": False}
    app = create_app(config)
    conftest.prepare_database(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, server.port
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            db.engine.dispose()


def _prepare(app: Flask) -> tuple[int, list[str]]:
    with app.app_context():
        producer = make_producer(make_user(), name="Anyaman Biduk")
        product = make_product(producer, "Tas Anyam Rotan", variants=(("", 150_000, STOCK),))
        make_method(producer, name="Kirim dalam kota", rates={"64": (25_000, 0)})
        emails = []
        for n in range(BUYERS):
            buyer = make_user(email=f"pembeli{n}@example.test")
            make_address(buyer)
            emails.append(buyer.email)
        return product.variants[0].id, emails


def _ready_buyer(port: int, email: str, variant_id: int) -> tuple[Browser, dict[str, str]]:
    """Sign in, put one unit in the cart, open the checkout: the form ready to send."""
    browser = Browser(port)
    html = browser.get("/masuk")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    status, _h, _b = browser.post("/masuk", {"csrf_token": token, "email": email,
                                             "password": "correct-horse-battery"})
    assert status == 302, "sign-in failed"
    status, _h, _b = browser.post("/keranjang/tambah", {"variant_id": variant_id,
                                                        "quantity": 1})
    assert status == 302
    return browser, {**_fields(browser.get("/checkout"), "checkout-form"), "action": "place"}


def test_fifty_buyers_ten_units_exactly_ten_orders(served: tuple[Flask, int]) -> None:
    app, port = served
    variant_id, emails = _prepare(app)
    with ThreadPoolExecutor(8) as pool:
        ready = list(pool.map(lambda e: _ready_buyer(port, e, variant_id), emails))
    barrier = threading.Barrier(BUYERS)

    def press_pay(buyer: tuple[Browser, dict[str, str]]) -> tuple[int, str]:
        browser, form = buyer
        barrier.wait()
        status, _headers, html = browser.post("/checkout", form)
        return status, html

    with ThreadPoolExecutor(BUYERS) as pool:
        results = list(pool.map(press_pay, ready))
    placed = [html for status, html in results if status == 303]
    refused = [html for status, html in results if status == 409]
    assert len(placed) == STOCK, [status for status, _html in results]
    assert len(refused) == BUYERS - STOCK
    assert all("stok habis" in html.lower() and "Tas Anyam Rotan" in html for html in refused)
    with app.app_context():
        assert db.session.scalar(select(Variant.stock).where(Variant.id == variant_id)) == 0
        assert db.session.scalar(select(func.count(CheckoutGroup.id))) == STOCK
        assert db.session.scalar(select(func.count(Order.id))) == STOCK
        # The losers keep their carts; the winners' carts are empty.
        assert db.session.scalar(select(func.count(CartItem.id))) == BUYERS - STOCK
