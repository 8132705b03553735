"""Benchmark: the audit log's append rate and chain verification speed.

Every state change appends one entry through a single head row, so this is a
serialisation point for the whole system; it has to stay far above the rate of real
state changes (exam-day peaks are a few per second, answer autosaves are not audited).

    .venv/bin/python bench/audit_append.py [--url URL] [--entries N] [--threads T]

Writes bench/results/audit_append-<backend>.json.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import threading
import time

import sqlalchemy as sa
from common import default_url, fresh_app, save_result

from examsys.core import audit
from examsys.core.db import db, lock_for_write


def _append(app, n: int, latencies: list[float]) -> None:
    with app.app_context(), audit.acting_as("bench"):
        for i in range(n):
            start = time.perf_counter()
            lock_for_write(db.session)
            audit.record("bench.append", object_type="bench", object_id=i, after={"i": i, "text": "职业技能等级认定"})
            db.session.commit()
            latencies.append(time.perf_counter() - start)
        db.session.remove()


def run(url: str, entries: int, threads: int) -> dict:
    app = fresh_app(url)
    results = {}
    for label, workers in (("1 thread", 1), (f"{threads} threads", threads)):
        latencies: list[float] = []
        per = entries // workers
        pool = [threading.Thread(target=_append, args=(app, per, latencies)) for _ in range(workers)]
        start = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - start
        latencies.sort()
        results[label] = {
            "entries": per * workers,
            "per_second": round(per * workers / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        }
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(audit.AuditEntry))
        start = time.perf_counter()
        problem = audit.verify_chain()
        results["verify"] = {
            "entries": total,
            "seconds": round(time.perf_counter() - start, 3),
            "intact": problem is None,
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    url = args.url or default_url()
    results = run(url, args.entries, args.threads)
    save_result("audit_append", url, {"machine": f"{platform.machine()} {platform.python_version()}", **results})


if __name__ == "__main__":
    main()
