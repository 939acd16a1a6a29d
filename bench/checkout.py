"""Checkout benchmark: server time and SQL statements of placing a two-producer order.

``measure_checkout(app_or_url)`` signs a benchmark buyer in, and for every run fills the cart
with one product of each of two producers and opens the checkout page (neither is timed),
then times the POST that places the order (in-process, through the test client, as
bench/run.py's page timings do). Afterwards it removes what it placed and puts the stock
back, so the benchmark database keeps its state. bench/run.py can call it per database and
store the result under ``"checkout"``.

Run alone: ``PYTHONPATH=. python bench/checkout.py [DATABASE_URL ...]`` (default: the
databases bench/run.py uses, seeded as it seeds them).
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import delete, select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import measure  # noqa: E402
from marketplace.extensions import db  # noqa: E402

EMAIL = "bench-checkout@example.test"
PASSWORD = "bench-checkout-password"  # noqa: S105 - a benchmark account on a bench database
RUNS = 30
_INPUT = re.compile(r"<input\b[^>]*>")
_ATTR = re.compile(r'\b(name|value|type)="([^"]*)"')


def _app(app_or_url: Flask | str) -> Flask:
    if isinstance(app_or_url, Flask):
        return app_or_url
    from bench.run import bench_app

    return bench_app(app_or_url)


def _prepare(app: Flask) -> dict[str, Any]:
    """The buyer (with an address), two products of two public producers, and a flat rate
    to the buyer's province for each producer (added when a producer has no method)."""
    from marketplace.accounts.models import Role, User
    from marketplace.accounts.passwords import hash_password
    from marketplace.addresses.models import Address
    from marketplace.catalogue.models import Product
    from marketplace.catalogue.queries import public_products
    from marketplace.shipping.models import ShippingKind, ShippingMethod, ShippingRate

    with app.app_context():
        buyer = db.session.scalars(select(User).where(User.email == EMAIL)).first()
        if buyer is None:
            buyer = User(email=EMAIL, name="Pembeli Benchmark", role=Role.BUYER,
                         password_hash=hash_password(PASSWORD))
            db.session.add(buyer)
            db.session.flush()
            db.session.add(Address(user_id=buyer.id, recipient_name=buyer.name,
                                   phone="+6281234567890", street="Jl. Benchmark 1",
                                   region_code="64.72.01.1001", postal_code="75243",
                                   is_default=True))
        products: list[Product] = []
        for product in db.session.scalars(public_products().where(Product.in_stock.is_(True))
                                          .order_by(Product.id).limit(200)):
            if all(p.producer_id != product.producer_id for p in products):
                products.append(product)
            if len(products) == 2:
                break
        for product in products:
            has_method = db.session.scalar(select(ShippingMethod.id).where(
                ShippingMethod.producer_id == product.producer_id).limit(1))
            if has_method is None:
                method = ShippingMethod(producer_id=product.producer_id, kind=ShippingKind.FLAT,
                                        name="Kirim (benchmark)")
                method.rates = [ShippingRate(destination_code="64", first_kg_idr=30_000)]
                db.session.add(method)
        db.session.commit()
        variants = {p.variants[0].id: p.variants[0].stock for p in products}
        return {"buyer_id": buyer.id, "variants": variants}


def _fields(html: str) -> dict[str, str]:
    form = re.search(r'<form[^>]*id="checkout-form".*?</form>', html, re.S)
    if form is None:
        raise RuntimeError("no checkout form on the page")
    fields = {}
    for tag in _INPUT.findall(form.group(0)):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("type") == "hidden" or (attrs.get("type") == "radio" and " checked" in tag):
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def _fill_cart(app: Flask, buyer_id: int, variants: dict[int, int]) -> None:
    from marketplace.accounts.models import User
    from marketplace.cart import services as cart_services
    from marketplace.catalogue.models import Variant

    with app.app_context():
        buyer = db.session.get(User, buyer_id)
        for variant_id in variants:
            db.session.get(Variant, variant_id).stock = 1000
            db.session.commit()
            cart_services.add_item(buyer, None, variant_id, 1)


def _clean_up(app: Flask, prepared: dict[str, Any]) -> None:
    """Remove the benchmark's orders and cart, and give the variants their stock back."""
    from marketplace.cart.models import Cart, CartItem
    from marketplace.catalogue.models import Variant
    from marketplace.orders import workflow
    from marketplace.orders.models import CheckoutGroup, Order, OrderEvent, OrderLine
    from marketplace.payments.models import Payment

    buyer_id = prepared["buyer_id"]
    with app.app_context():
        orders = select(Order.id).where(Order.buyer_id == buyer_id)
        db.session.execute(delete(OrderEvent).where(OrderEvent.order_id.in_(orders)))
        db.session.execute(delete(OrderLine).where(OrderLine.order_id.in_(orders)))
        db.session.execute(delete(Order).where(Order.buyer_id == buyer_id))
        groups = select(CheckoutGroup.id).where(CheckoutGroup.buyer_id == buyer_id)
        db.session.execute(delete(Payment).where(Payment.group_id.in_(groups)))
        db.session.execute(delete(CheckoutGroup).where(CheckoutGroup.buyer_id == buyer_id))
        carts = select(Cart.id).where(Cart.user_id == buyer_id)
        db.session.execute(delete(CartItem).where(CartItem.cart_id.in_(carts)))
        for variant_id, stock in prepared["variants"].items():
            db.session.get(Variant, variant_id).stock = stock
        workflow.refresh_in_stock({db.session.get(Variant, v).product_id
                                   for v in prepared["variants"]})
        db.session.commit()


def _reads_or_writes(statement: str) -> bool:
    """Data statements only: BEGIN IMMEDIATE and SAVEPOINTs (SQLite's transaction control,
    three transactions in this request) are not queries."""
    return statement.lstrip().split(None, 1)[0].upper() in (
        "SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


def measure_checkout(app_or_url: Flask | str, runs: int = RUNS,
                     warmup: int = 3) -> dict[str, float | int]:
    """{"p50_ms", "p95_ms", "queries"} of placing a two-producer order."""
    app = _app(app_or_url)
    prepared = _prepare(app)
    if len(prepared["variants"]) < 2:
        raise RuntimeError("the benchmark database needs two public producers with stock")
    client = app.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    response = client.post("/masuk", data={"csrf_token": token.group(1) if token else "",
                                           "email": EMAIL, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError("the benchmark buyer could not sign in")
    samples: list[float] = []
    counts: list[int] = []
    try:
        for n in range(warmup + runs):
            _fill_cart(app, prepared["buyer_id"], prepared["variants"])
            form = {**_fields(client.get("/checkout").get_data(as_text=True)),
                    "action": "place"}
            with measure.count_queries() as statements:
                start = time.perf_counter()
                response = client.post("/checkout", data=form)
                elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 303:  # placed: off to the payment page
                raise RuntimeError(f"checkout refused: HTTP {response.status_code}")
            if n >= warmup:
                samples.append(elapsed)
                counts.append(sum(1 for s in statements if _reads_or_writes(s)))
    finally:
        _clean_up(app, prepared)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return measure.Timing(statistics.median(samples), p95, max(counts)).as_dict()


def main(urls: list[str]) -> None:
    from bench.run import bench_app, database_urls, ensure_seeded

    targets = {url.split(":", 1)[0]: url for url in urls} if urls else database_urls()
    for name, url in targets.items():
        app = bench_app(url)
        ensure_seeded(app)
        result = measure_checkout(app)
        print(f"[{name}] checkout: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
              f"{result['queries']} queries", flush=True)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
