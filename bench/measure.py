"""Small measuring tools: server time percentiles, SQL statement counts, load generation."""

from __future__ import annotations

import contextlib
import http.client
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    queries: int

    def as_dict(self) -> dict[str, float | int]:
        return {"p50_ms": round(self.p50_ms, 2), "p95_ms": round(self.p95_ms, 2),
                "queries": self.queries}


@contextlib.contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect every SQL statement any engine executes inside the block."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", before)


def time_it(action: Callable[[], object], runs: int = 30, warmup: int = 3) -> Timing:
    """Run ``action`` repeatedly; percentiles of wall time, statements of the last run."""
    for _ in range(warmup):
        action()
    samples = []
    counts = []
    for _ in range(runs):
        with count_queries() as statements:
            start = time.perf_counter()
            action()
            samples.append((time.perf_counter() - start) * 1000)
        counts.append(len(statements))
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return Timing(statistics.median(samples), p95, max(counts))


def throughput(url: str, seconds: float = 8.0, connections: int = 8) -> tuple[float, str]:
    """Requests per second against ``url``: wrk when installed, else a threaded client."""
    if shutil.which("wrk"):
        out = subprocess.run(  # noqa: S603
            ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", url],  # noqa: S607
            capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Requests/sec:"):
                return float(line.split()[1]), "wrk"
        raise RuntimeError(f"wrk gave no rate:\n{out}")
    return _python_load(url, seconds, connections), "python-threads"


def _python_load(url: str, seconds: float, connections: int) -> float:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + seconds
    counts = [0] * connections

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.perf_counter() < deadline:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                counts[index] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - start)
