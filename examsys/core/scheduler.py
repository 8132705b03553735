"""The scheduler: one process runs a declared table of periodic jobs (never one per web worker).

Each job has a fixed id, an interval and a function of ``now``. Every run is one transaction
under the ``scheduler`` audit actor; a failing job is rolled back, logged and tried again at
its next turn. At start every job runs once straight away: that is the sweep that catches
whatever fell due while the process was down (e.g. attempts whose deadline passed).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, has_app_context

from examsys.core.audit import acting_as
from examsys.core.db import db, lock_for_write, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    every_seconds: float
    run: Callable[[datetime], int]  # returns how many things it did
    description: str = ""
    # Long work (rendering documents) runs in its own thread and its own short transactions,
    # so the deadline hand-in never waits behind it and the write lock is never held for long.
    background: bool = False


def run_job(job: Job, now: datetime | None = None) -> int:
    """One transaction of ``job`` (inside an app context)."""
    try:
        with acting_as("scheduler"):
            lock_for_write(db.session)
            done = job.run(now or utcnow())
            db.session.commit()
            return done
    except Exception:
        db.session.rollback()
        log.exception("scheduled job %s failed", job.id)
        return 0


def run_background(job: Job, now: datetime | None = None) -> int:
    """A background job: it commits its own steps, so no lock or transaction is wrapped round it."""
    try:
        with acting_as("scheduler"):
            return job.run(now or utcnow())
    except Exception:
        db.session.rollback()
        log.exception("background job %s failed", job.id)
        return 0
    finally:
        db.session.remove()


def sweep(app: Flask, jobs: Sequence[Job]) -> dict[str, int]:
    """Run every (foreground) job once now (at start-up); background jobs start with the loop."""
    with _context(app):
        return {job.id: run_job(job) for job in jobs if not job.background}


def _start_background(app: Flask, job: Job) -> threading.Thread:
    def work() -> None:
        with app.app_context():
            run_background(job)

    thread = threading.Thread(target=work, name=f"job-{job.id}", daemon=True)
    thread.start()
    return thread


def _context(app: Flask):
    """The app's context: the current one when already inside it (a CLI command, a test)."""
    if has_app_context() and current_app._get_current_object() is app:
        return nullcontext()
    return app.app_context()


def serve(app: Flask, jobs: Sequence[Job], stop: Callable[[], bool] = lambda: False, tick: float = 0.5) -> None:
    """Sweep, then run each job whenever its interval has passed, until ``stop()``."""
    sweep(app, jobs)
    due = {job.id: time.monotonic() + (0 if job.background else job.every_seconds) for job in jobs}
    threads: dict[str, threading.Thread] = {}
    while not stop():
        for job in jobs:
            if time.monotonic() < due[job.id]:
                continue
            if job.background:
                if job.id not in threads or not threads[job.id].is_alive():
                    threads[job.id] = _start_background(app, job)
            else:
                with _context(app):
                    run_job(job)
            due[job.id] = time.monotonic() + job.every_seconds
        time.sleep(tick)
