"""Small measuring tools: server time percentiles, SQL statement counts, load generation."""

from __future__ import annotations

import contextlib
import http.client
import re
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
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


REPLAY_SCRIPT = Path(__file__).with_name("replay.lua")


@dataclass
class Replay:
    rps: float
    hits: int
    misses: int
    #: Answers without X-Cache (the cache off, or a page it may not keep).
    other: int
    #: Answers other than 200 (none expected: every address of a mix is a page).
    bad: int

    @property
    def hit_ratio(self) -> float:
        total = self.hits + self.misses + self.other
        return self.hits / total if total else 0.0


def replay(base: str, paths_file: Path, seconds: float = 8.0, offset: int = 0,
           connections: int = 8) -> tuple[Replay, str]:
    """Requests per second replaying the paths in ``paths_file`` (each wrk thread from its
    own place, starting ``offset`` lines in), with the page cache's hits and misses."""
    if shutil.which("wrk"):
        out = subprocess.run(  # noqa: S603
            ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s",  # noqa: S607
             "-s", str(REPLAY_SCRIPT), base, "--", str(paths_file), "2", str(offset)],
            capture_output=True, text=True, check=True).stdout
        rate = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.MULTILINE)
        counts = re.search(r"replay: hits=(\d+) misses=(\d+) other=(\d+) bad=(\d+)", out)
        if not rate or not counts:
            raise RuntimeError(f"wrk gave no rate:\n{out}")
        return Replay(float(rate.group(1)), *map(int, counts.groups())), "wrk"
    paths = paths_file.read_text().splitlines()
    return _python_replay(base, paths, seconds, offset, connections), "python-threads"


def _python_replay(base: str, paths: list[str], seconds: float, offset: int,
                   connections: int) -> Replay:
    parts = urlsplit(base)
    deadline = time.perf_counter() + seconds
    tallies = [[0, 0, 0, 0] for _ in range(connections)]  # hits, misses, other, bad

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        position = offset + index * len(paths) // connections
        while time.perf_counter() < deadline:
            conn.request("GET", paths[position % len(paths)])
            position += 1
            response = conn.getresponse()
            response.read()
            state = response.headers.get("X-Cache")
            tallies[index][0 if state == "HIT" else 1 if state == "MISS" else 2] += 1
            tallies[index][3] += response.status != 200
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    hits, misses, other, bad = (sum(t[i] for t in tallies) for i in range(4))
    return Replay((hits + misses + other) / (time.perf_counter() - start), hits, misses, other,
                  bad)


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
