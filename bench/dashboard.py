"""The impact dashboard's benchmark: server time and SQL statements of ``GET /dinas/dampak``.

``measure_dashboard(app)`` signs a staff account in (created when missing), requests the
dashboard for the default range (the last twelve months) and for a filtered view, and
returns ``{"p50_ms", "p95_ms", "queries"}`` of the default view plus the filtered view's
figures under ``"filtered"``. ``ensure_orders(app)`` tops the database up to the benchmark's
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
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        return added


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


def measure_dashboard(app: Any, runs: int = RUNS) -> dict[str, Any]:
    """p50/p95 server time (ms) and SQL statements of the staff dashboard."""
    client = app.test_client()
    user_id = _staff_id(app)
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
        session["seen"] = int(time.time())

    def get(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")

    default = measure.time_it(lambda: get("/dinas/dampak"), runs)
    filtered = measure.time_it(lambda: get("/dinas/dampak?wilayah=64.72&sektor=tekstil"), runs)
    return {**default.as_dict(), "filtered": filtered.as_dict()}


def main() -> None:
    from bench.run import bench_app

    url = sys.argv[1] if len(sys.argv) > 1 else "sqlite:////tmp/impact-bench.sqlite3"
    app = bench_app(url)
    ensure_orders(app)
    print(measure_dashboard(app))


if __name__ == "__main__":
    main()
