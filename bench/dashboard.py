"""The impact dashboard's benchmark: server time and SQL statements of ``GET /dinas/dampak``.

``measure_dashboard(app)`` signs a staff account in (created when missing), requests the
dashboard (by default its default view: the last twelve months, every producer) and returns
``{"p50_ms", "p95_ms", "queries"}``, the shape ``bench/results.json`` keeps under
``"dashboard"``. ``ensure_orders(app)`` tops the database up to the benchmark's
order lines (``seed-bench`` does the same after its products).

Run alone: ``python -m bench.dashboard sqlite:////tmp/impact-bench.sqlite3``.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from sqlalchemy import func, select, text

from bench import measure
from marketplace.extensions import db

ORDER_LINES = int(os.environ.get("BENCH_ORDER_LINES", "200000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
STAFF_EMAIL = "bench-staff@bench.test"


def ensure_orders(app: Any, lines: int = ORDER_LINES) -> int:
    """Seed bench orders until the database holds ``lines`` order lines; returns added."""
    from marketplace.demo.bench_orders import seed_orders
    from marketplace.orders.models import OrderLine

    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(OrderLine)) or 0
        if have >= lines:
            return 0
        print(f"  seeding {lines - have} order lines ...", flush=True)
        start = time.perf_counter()
        added = seed_orders(lines)
        print(f"  seeded in {time.perf_counter() - start:.0f} s", flush=True)
        vacuum()
        return added


def vacuum() -> None:
    """PostgreSQL: what autovacuum does soon after a bulk load in production: planner
    statistics, and the visibility map that lets the dashboard's queries read the covering
    indexes alone (index-only scans)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("orders", "order_lines", "producers"):
            connection.execute(text(f"VACUUM ANALYZE {table}"))


def _staff_id(app: Any) -> str:
    from marketplace.accounts.models import Role, User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == STAFF_EMAIL))
        if user is None:
            user = User(email=STAFF_EMAIL, name="Bench Staff", role=Role.STAFF,
                        password_hash="!")  # noqa: S106 - "!" matches no password
            db.session.add(user)
            db.session.commit()
        return user.get_id()


def measure_dashboard(app: Any, runs: int = RUNS, query: str = "") -> dict[str, Any]:
    """p50/p95 server time (ms) and SQL statements of ``GET /dinas/dampak?<query>`` for a
    signed-in staff member: ``{"p50_ms", "p95_ms", "queries"}``. The default query is the
    default view (the last twelve months, every producer)."""
    client = app.test_client()
    user_id = _staff_id(app)
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
        session["seen"] = int(time.time())
    path = f"/dinas/dampak?{query}" if query else "/dinas/dampak"

    def get() -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")

    return measure.time_it(get, runs).as_dict()


def main() -> None:
    from bench.run import bench_app

    url = sys.argv[1] if len(sys.argv) > 1 else "sqlite:////tmp/impact-bench.sqlite3"
    app = bench_app(url)
    ensure_orders(app)
    print("default view:", measure_dashboard(app))
    print("Samarinda, textiles:", measure_dashboard(app, query="wilayah=64.72&sektor=tekstil"))


if __name__ == "__main__":
    main()
