"""Shared set-up for benchmarks: a fresh, migrated app on the given database URL."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
import timeit
from pathlib import Path

import sqlalchemy as sa
import uvloop
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from examsys import create_app  # noqa: E402
from examsys.core.db import db  # noqa: E402


def cpu_probe_ms() -> float:
    """Milliseconds for a fixed pure-Python loop (best of three): how fast this machine is now.

    The shared 2-core machines vary by half from one minute to the next; results that depend on
    CPU speed carry this figure beside them (lower is faster).
    """
    return round(min(timeit.repeat("sum(range(1000))", number=20_000, repeat=3)) * 1000, 1)


def run_loop(main):
    """Run a load generator's coroutine on uvloop (requirements-dev.txt): the generator shares
    the machine with the server it measures, and uvloop's event loop costs less per request."""
    return uvloop.run(main)


# Seconds between setting a timed phase up and its start: starting 6,000 simulated candidates
# (a saver and a heartbeat each) takes the generator a tenth of a second, which would otherwise
# stall - and inflate - the first requests it times.
LEAD_IN_S = 1.0


async def watch_loop(lag: list[float], start: float, stop: float) -> None:
    """Append the event loop's own delays (ms) between ``start`` and ``stop`` (perf_counter):
    the load generator's stalls, which would show as server latency."""
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    while time.perf_counter() < stop:
        before = time.perf_counter()
        await asyncio.sleep(0.05)
        lag.append((time.perf_counter() - before - 0.05) * 1000)


def default_url() -> str:
    return f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"


def fresh_app(url: str):
    """An app on ``url`` with every table dropped and the migrations applied again."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "INSTANCE_DIR": tempfile.mkdtemp()})
    with app.app_context():
        meta = sa.MetaData()
        meta.reflect(db.engine)
        meta.drop_all(db.engine)
        upgrade()
    return app


def save_result(name: str, url: str, report: dict) -> None:
    """Write bench/results/<name>-<backend>.json and print it."""
    backend = sa.make_url(url).get_backend_name()
    report = {"backend": backend, **report}
    out = ROOT / "bench" / "results" / f"{name}-{backend}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2))
