"""``make bench``: seed the benchmark databases when missing, measure, write results.json.

SQLite always (bench/bench.sqlite3); PostgreSQL too when TEST_DATABASE_URL is set (in a
database of its own, ``pasarbinaan_bench`` on the same server, created when missing, so the
test suite's database is never touched). Figures are server times measured in-process
(Flask test client or direct calls), statement counts from an SQLAlchemy event, and
throughput under gunicorn measured by wrk (or a threaded Python client when wrk is absent);
then placing a two-producer order (bench/checkout.py, key "checkout") and, once the database
holds 200,000 order lines over two years, the staff impact dashboard (bench/dashboard.py,
key "dashboard").
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import flask_migrate
from sqlalchemy import create_engine, func, make_url, select, text

from bench import measure, mix
from bench.checkout import measure_checkout
from bench.dashboard import ensure_orders, measure_dashboard
from marketplace import create_app
from marketplace.extensions import db

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
#: Requests in each replayed sequence (bench/mix.py); the threads start at different places
#: (the second half-way through).
MIX_LENGTH = 90_000
WARMUP_SECONDS = 4
#: Where the measured warm run starts in each sequence: past what the warm-up replayed, so
#: its once-only searches are new again.
WARM_OFFSET = 6_000
#: Warm catalogue runs, each beside a run of the trivial route; the figures are the median
#: pair's (this machine's speed moves by 10-20 % from one run to the next).
REPEATS = 3
#: How far apart in the sequence those runs start: more than a thread replays in one run, so
#: every run's once-only searches are new (3 x 12,000 from 6,000 ends before half-way).
WINDOW = 12_000

#: gunicorn workers for the throughput runs: as the README's deployment example (two per
#: core). A sync worker waits for every database and Redis round trip; with one per core,
#: 18-20 % of the 2 cores sat idle during the catalogue mix (measured).
WORKERS = os.environ.get("BENCH_WORKERS", "4")
#: BENCH_ONLY=catalogue: search, pages and throughput only; the checkout and dashboard
#: figures already in results.json stay (seeding 200,000 order lines takes many minutes).
CATALOGUE_ONLY = os.environ.get("BENCH_ONLY") == "catalogue"

#: Realistic searches: (label, query string for /produk).
SEARCHES = [
    ("anyaman rotan", {"q": "anyaman rotan"}),
    ("sarung tenun samarinda", {"q": "sarung tenun samarinda"}),
    ("madu kelulut", {"q": "madu kelulut"}),
    ("amplang", {"q": "amplang"}),
    ("tas (broad)", {"q": "tas"}),
    ("kaltim (very broad)", {"q": "kaltim"}),
    ("rotan + Berau + price", {"q": "rotan", "kab": "64.03", "min": "50000",
                               "max": "500000"}),
    ("barang jadi bermerek, cheapest", {"level": "barang_jadi_bermerek", "sort": "price"}),
]


def database_urls() -> dict[str, str]:
    urls = {"sqlite": f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}"}
    test_url = os.environ.get("TEST_DATABASE_URL")
    if test_url:
        urls["postgresql"] = make_url(test_url).set(database="pasarbinaan_bench") \
            .render_as_string(hide_password=False)
        _create_pg_database(test_url, "pasarbinaan_bench")
    return urls


def _create_pg_database(test_url: str, name: str) -> None:
    engine = create_engine(test_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                   {"n": name})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def bench_app(url: str) -> Any:
    instance = ROOT / "bench" / "instance"
    os.environ.setdefault("INSTANCE_PATH", str(instance))
    # In-process timings are of the uncached pages; throughput runs the cache (gunicorn).
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                       "PAGE_CACHE_SECONDS": 0,
                       "MEDIA_ROOT": str(instance / "media"),
                       "PUBLIC_BASE_URL": "http://127.0.0.1"})


def ensure_seeded(app: Any) -> None:
    from marketplace.catalogue.categories import ensure_default_categories
    from marketplace.catalogue.models import Product, ProductPhoto
    from marketplace.demo.bench import seed
    from marketplace.regions.services import load_regions

    with app.app_context():
        flask_migrate.upgrade()
        have = db.session.scalar(select(func.count()).select_from(Product)) or 0
        photos = db.session.scalar(select(func.count()).select_from(ProductPhoto)) or 0
        if have >= PRODUCTS and photos >= have:
            _analyze()
            return
        print(f"  seeding {PRODUCTS - have} products ...", flush=True)
        load_regions(("64", "31"))
        ensure_default_categories()
        start = time.perf_counter()
        seed(PRODUCTS)
        print(f"  seeded in {time.perf_counter() - start:.0f} s", flush=True)
        _analyze()


def _analyze() -> None:
    """Planner statistics and a clean GIN index, as a production database has them soon
    after a bulk load (autovacuum runs VACUUM and ANALYZE on its own): without statistics a
    search took 7 s, and a GIN index whose pending list was never merged is read linearly
    by every search."""
    if db.engine.dialect.name == "postgresql":
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))


def sample_targets(app: Any) -> dict[str, str]:
    from marketplace.catalogue.models import Product
    from marketplace.producers.models import Producer

    with app.app_context():
        product = db.session.execute(select(Product.id, Product.slug).order_by(
            Product.id.desc()).limit(1)).one()
        producer = db.session.scalar(select(Producer.slug).where(
            Producer.slug.like("bench-%")).order_by(Producer.id).limit(1))
    return {"catalogue": "/produk", "product": f"/produk/{product.id}/{product.slug}",
            "home": "/", "storefront": f"/toko/{producer}"}


def measure_searches(app: Any) -> list[dict[str, Any]]:
    from marketplace.catalogue import search as catalogue_search

    client = app.test_client()
    results = []
    for label, params in SEARCHES:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        timing = measure.time_it(lambda q=query: _ok(client.get(f"/produk?{q}")), RUNS)
        with app.test_request_context(f"/produk?{query}"):
            matches = catalogue_search.count_matches_for_bench(params)
        results.append({"query": label, "matches": matches, **timing.as_dict()})
        print(f"  search {label!r}: {matches} matches, p95 {timing.p95_ms:.1f} ms, "
              f"{timing.queries} queries", flush=True)
    return results


def measure_pages(app: Any, targets: dict[str, str]) -> dict[str, Any]:
    client = app.test_client()
    pages = {}
    for name, path in targets.items():
        timing = measure.time_it(lambda p=path: _ok(client.get(p)), RUNS)
        pages[name] = timing.as_dict()
        print(f"  page {name}: p95 {timing.p95_ms:.1f} ms, {timing.queries} queries",
              flush=True)
    return pages


def _ok(response: Any) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.path}: HTTP {response.status_code}")
    response.get_data()


def measure_weight(app: Any, targets: dict[str, str]) -> dict[str, Any]:
    """Bytes a first visit transfers for home and catalogue, without product photos."""
    import gzip
    import re

    client = app.test_client()
    weights = {}
    for name in ("home", "catalogue"):
        html = client.get(targets[name]).get_data()
        assets = set(re.findall(rb'(?:href|src)="(/static/[^"]+)"', html))
        total, gz, js = len(html), len(gzip.compress(html)), 0
        for asset in assets:
            body = client.get(asset.decode()).get_data()
            total += len(body)
            gz += len(gzip.compress(body))
            if asset.split(b"?")[0].endswith(b".js"):
                js += len(body)
        weights[name] = {"bytes": total, "gzip_bytes": gz, "js_bytes": js}
    return weights


def measure_thumbnails(app: Any) -> dict[str, Any]:
    """Size of the 320 px listing rendition for phone-like photos (noisy, 4:3 and 3:4)."""
    import io
    import random

    from PIL import Image

    from marketplace.media.photos import store_photo
    from marketplace.media.storage import get_storage

    rng = random.Random(7)  # noqa: S311 - test images, not secrets
    sizes = []
    with app.test_request_context():
        for width, height in ((4000, 3000), (3000, 4000), (1600, 1200)):
            noise = bytes(rng.getrandbits(8) for _ in range(width * height // 16 * 3))
            small = Image.frombytes("RGB", (width // 4, height // 4), noise)
            image = small.resize((width, height), Image.Resampling.BICUBIC)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=92)
            stored = store_photo(out.getvalue(), "bench")
            sizes.append(len(get_storage().read(f"{stored.key_prefix}-320.webp")))
    return {"thumbnail_320_bytes_max": max(sizes), "thumbnail_320_bytes": sizes}


@contextmanager
def gunicorn(url: str, cache_seconds: int) -> Any:
    """The app under gunicorn (WORKERS), with the page cache on or off. The cache is in
    Redis when REDIS_URL is set (as in production), else in each worker's memory."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "RATELIMIT_ENABLED": "0",
           "INSTANCE_PATH": str(ROOT / "bench" / "instance"), "LOG_LEVEL": "WARNING",
           "PAGE_CACHE_SECONDS": str(cache_seconds)}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-w", WORKERS, "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "marketplace:create_app()"], cwd=ROOT, env=env)
    try:
        _wait_for(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def write_mixes(app: Any) -> dict[str, Path]:
    """The request sequences (bench/mix.py) for this database's categories and products."""
    from marketplace.catalogue import queries
    from marketplace.catalogue.models import Product

    with app.test_request_context():
        categories = [c.slug for node in queries.category_tree()
                      for c in (node.category, *node.children)]
        regencies = list(queries.regencies())
        products = db.session.execute(
            queries.public_products().with_only_columns(Product.id, Product.slug)
            .order_by(Product.id)).tuples().all()
    sequences = {"catalogue": mix.catalogue_sequence(categories, regencies,
                                                     [p for _, p in SEARCHES], MIX_LENGTH),
                 "product": mix.product_sequence(products, MIX_LENGTH)}
    files = {}
    for name, paths in sequences.items():
        files[name] = ROOT / "bench" / "instance" / f"mix-{name}.txt"
        files[name].parent.mkdir(parents=True, exist_ok=True)
        files[name].write_text("\n".join(paths) + "\n")
    return files


def _replay(base: str, files: dict[str, Path], name: str, offset: int = 0) -> Any:
    result, _tool = measure.replay(base, files[name], offset=offset)
    if result.bad:
        raise RuntimeError(f"{name} mix: {result.bad} answers were not 200")
    return result


def measure_throughput(app: Any, url: str) -> dict[str, Any]:
    """Trivial route, then the catalogue and product mixes: cold (page cache off), and warm
    (cache on); each after a warm-up replaying another part of the sequence (a running
    site's state: workers past their first requests, popular pages cached).
    catalogue_rps / product_rps are the warm figures, with the trivial route measured by
    the same gunicorn: REPEATS pairs of a trivial and a catalogue run, the median pair
    reported (every run is kept in the result)."""
    from marketplace import page_cache

    files = write_mixes(app)
    with gunicorn(url, cache_seconds=0) as base:
        cold = {}
        for name in files:  # the warm-up takes each worker's first, slow request too
            measure.replay(base, files[name], seconds=WARMUP_SECONDS)
            cold[name] = _replay(base, files, name, offset=WARM_OFFSET)
    with app.app_context():
        page_cache.clear()
    with gunicorn(url, cache_seconds=60) as base:
        # gunicorn answers before every worker has loaded the app: warm the baseline too.
        measure.throughput(f"{base}/livez", seconds=WARMUP_SECONDS)
        measure.replay(base, files["catalogue"], seconds=WARMUP_SECONDS)
        pairs = []
        for number in range(REPEATS):
            trivial, tool = measure.throughput(f"{base}/livez")
            pairs.append((trivial, _replay(base, files, "catalogue",
                                           offset=WARM_OFFSET + number * WINDOW)))
        measure.replay(base, files["product"], seconds=WARMUP_SECONDS)
        product = _replay(base, files, "product", offset=WARM_OFFSET)
    shares = [catalogue.rps / trivial for trivial, catalogue in pairs]
    trivial, catalogue = pairs[sorted(range(REPEATS), key=shares.__getitem__)[REPEATS // 2]]
    result = {"trivial_rps": round(trivial, 1), "catalogue_rps": round(catalogue.rps, 1),
              "product_rps": round(product.rps, 1), "tool": tool,
              "catalogue_share_of_trivial": round(catalogue.rps / trivial, 3),
              "runs": [{"trivial_rps": round(t, 1), "catalogue_rps": round(c.rps, 1),
                        "catalogue_share_of_trivial": round(c.rps / t, 3)} for t, c in pairs],
              "page_cache": "redis" if os.environ.get("REDIS_URL") else "in-process",
              "gunicorn_workers": int(WORKERS),
              "page_cache_seconds": 60,
              "catalogue_cold_rps": round(cold["catalogue"].rps, 1),
              "product_cold_rps": round(cold["product"].rps, 1),
              "catalogue_cache_hit_ratio": round(catalogue.hit_ratio, 3),
              "product_cache_hit_ratio": round(product.hit_ratio, 3),
              "mix": {"catalogue": mix.SHARES, "product": "zipf s=1 over every public product",
                      "requests_per_sequence": MIX_LENGTH, "warmup_seconds": WARMUP_SECONDS}}
    runs = ", ".join(f"{share:.1%}" for share in shares)
    print(f"  throughput ({tool}): trivial {trivial:.0f}/s; catalogue mix "
          f"{catalogue.rps:.0f}/s warm ({catalogue.hit_ratio:.0%} hits; share of trivial in "
          f"{REPEATS} runs: {runs}), {cold['catalogue'].rps:.0f}/s cold; product mix "
          f"{product.rps:.0f}/s warm ({product.hit_ratio:.0%} hits), "
          f"{cold['product'].rps:.0f}/s cold", flush=True)
    return result


def run_backend(name: str, url: str) -> dict[str, Any]:
    print(f"[{name}]", flush=True)
    app = bench_app(url)
    ensure_seeded(app)
    targets = sample_targets(app)
    load_before = os.getloadavg()[0]
    result = {
        "products": PRODUCTS,
        "search": measure_searches(app),
        "pages": measure_pages(app, targets),
        "weight": {**measure_weight(app, targets), **measure_thumbnails(app)},
        "throughput": measure_throughput(app, url),
    }
    # Figures an earlier run measured (perhaps on another machine) are marked as such.
    result["kept_from_an_earlier_run"] = ["checkout", "dashboard"] if CATALOGUE_ONLY else []
    if not CATALOGUE_ONLY:
        result["checkout"] = measure_checkout(app)
        ensure_orders(app)
        result["dashboard"] = measure_dashboard(app)
    # Other processes on the same 2 cores change every figure: say how busy the machine was.
    result["load_average"] = {"before": round(load_before, 2),
                              "after": round(os.getloadavg()[0], 2)}
    with app.app_context():
        db.engine.dispose()
    return result


def main() -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name, url in database_urls().items():
        results[name] = {**results.get(name, {}), **run_backend(name, url)}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
