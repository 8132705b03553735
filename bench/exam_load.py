"""Load test of the machine test: N candidates log in at once, autosave steadily, submit at the deadline.

    .venv/bin/python bench/exam_load.py --db sqlite --candidates 600 --cadence 5 --duration 60
    .venv/bin/python bench/exam_load.py --db postgresql --server granian --candidates 6000 --cadence 10 \
        --beat 10 --duration 120 --threads 4

Issue #7 point 9. The exam is the one bench/exam_fault.py builds (one running theory sitting,
20 items per paper, N seated candidates with prepared attempts). The server is a real separate
process started as examsys.serve starts it: ``--server gunicorn`` (make serve: one gthread
worker on SQLite, ``--workers`` on PostgreSQL) or ``--server granian`` (make serve-exam, the
machine-test tier: ``--workers`` processes, publish-only); on PostgreSQL with
``EXAMSYS_REDIS_URL``, so events and heartbeats go through Redis. The server's heartbeat setting
follows ``--beat``. The candidates are simulated by ONE other process with asyncio streams on
uvloop (bench/http_lite.py), each with its own cookies and exam token, the way
static/js/exam.js talks to the server:

1. login: every candidate already has the exam page with its login form open; at one instant
   all of them post it as the page's script does (``Accept: application/json``), and the answer
   carries the paper. Measured: time until every candidate has the paper, per-candidate p50/p99.
2. saving: for ``--duration`` seconds each candidate beats ``GET /exam/beat`` every ``--beat``
   seconds (the exam page's default, 5 s; skipped when a save was answered within the interval,
   as the page does: a save counts as a heartbeat) and changes an answer every ``--cadence``
   seconds (random phase; sequence numbers counting up; a change stays queued until
   acknowledged and is replayed after an error) and posts ``/exam/save``. Measured: save
   latency p50/p95/p99/max, errors, rate, and a timeline of p50/p99 per ``--window`` (default ``--cadence``)
   (a tail confined to the first window is the synchronised start, not the steady state). The
   phase starts ``LEAD_IN_S`` after the candidates' tasks are set up, so setting 12,000 tasks
   up does not stall the first timed requests.
3. deadline: ``--deadline submit`` (default) - every candidate posts ``/exam/submit`` at the
   same instant, each answer scoring the attempt; ``--deadline job`` - the deadline is moved
   to now and the scheduler's job (``submission.submit_overdue``) hands everyone in, in this
   process. Measured: time until all are submitted and scored.
4. verification: every acknowledged change (attempt, item, seq, choice) is in the answers
   table with that sequence number and choice (or a later one), and every attempt is scored.

PostgreSQL runs in a database of its own (``bench_exam_load``, created and dropped here), so
the test database ``test`` is left alone. Results, with machine info and pass/fail against the
issue's targets, go to bench/results/exam_load-<backend>.json. ``--profile`` profiles every
request with pyinstrument (``pip install pyinstrument``; bench/exam_load_profile.py) and writes
bench/results/exam_load-<backend>-profile.html. ``EXAM_LOAD_ACCESS_LOG=1`` keeps gunicorn's
access log with the server-side time of each request (next to the server log, in the work dir).
Needs gunicorn and granian (requirements.txt) and uvloop (requirements-dev.txt); PostgreSQL at
127.0.0.1:5432 (user postgres) and Redis at 127.0.0.1:6379 for the PostgreSQL run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import re
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import gunicorn
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import LEAD_IN_S, cpu_probe_ms, run_loop, watch_loop  # noqa: E402
from bench.exam_fault import SECRET, build, free_port, stored_answers  # noqa: E402
from bench.http_lite import NETWORK_ERRORS, Pool  # noqa: E402
from examsys import create_app, serve  # noqa: E402
from examsys.core.db import db, utcnow  # noqa: E402
from examsys.modules.delivery import submission  # noqa: E402
from examsys.modules.delivery.models import Attempt  # noqa: E402
from examsys.modules.scheduling.models import ExamSession  # noqa: E402

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_DATABASE = "bench_exam_load"
REDIS_URL = "redis://127.0.0.1:6379/0"
TARGETS = {  # issue #7 point 9
    "sqlite": {"save_p99_ms": 100, "login_all_s": 5, "submit_all_s": 5},
    "postgresql": {"save_p99_ms": 250, "login_all_s": 5, "submit_all_s": 5},
}
TARGET_LOGIN_SUBMIT_CANDIDATES = 600  # the 5 s login and deadline targets are stated for 600


# --------------------------------------------------------------------------- database


def pg_url() -> str:
    return sa.make_url(PG_ADMIN_URL).set(database=PG_DATABASE).render_as_string(hide_password=False)


def pg_recreate(drop_only: bool = False) -> None:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        if not drop_only:
            conn.exec_driver_sql(f"CREATE DATABASE {PG_DATABASE}")
    engine.dispose()


def scalar(url: str, query: str):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(sa.text(query)).scalar()
    engine.dispose()
    return value


# --------------------------------------------------------------------------- the server


def start_server(url: str, port: int, instance: Path, args, log: Path, profile: Path | None):
    workers, threads = args.workers or (1 if url.startswith("sqlite") else 2), args.threads
    env = {
        **os.environ,
        "EXAMSYS_DATABASE_URL": url,
        "EXAMSYS_SECRET_KEY": SECRET,
        "EXAMSYS_INSTANCE_DIR": str(instance),
        "EXAMSYS_EARLIEST_SUBMIT_MINUTES": "0",  # the bench hands in a minute after the start
    }
    env.pop("EXAMSYS_REDIS_URL", None)
    if url.startswith("postgresql"):
        env["EXAMSYS_REDIS_URL"] = REDIS_URL
    app = "bench.exam_load_profile:app" if profile is not None else "examsys.wsgi:app"
    if profile is not None:  # every request profiled, combined into one report when the worker stops
        env["EXAM_LOAD_PROFILE"] = str(profile)
    if args.beat:  # the exam page beats as the server tells it; a seat is offline after three missed beats
        env["EXAMSYS_EXAM_HEARTBEAT_SECONDS"], env["EXAMSYS_EXAM_OFFLINE_SECONDS"] = str(args.beat), str(3 * args.beat)
    tier = "web" if args.server == "gunicorn" else "exam"
    line = serve.command(tier, "127.0.0.1", port, workers, threads, app)
    if os.environ.get("EXAM_LOAD_ACCESS_LOG") and tier == "web":  # path, status and server-side microseconds
        line[-1:-1] = ["--access-logfile", str(log.with_name("access.log")), "--access-logformat",
                       "%(t)s %(m)s %(U)s %(s)s %(D)s"]  # fmt: skip
    env = serve.environment(tier, env)
    server = subprocess.Popen(line, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited; see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/exam/login", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the gunicorn workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1] is the parent's id
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --------------------------------------------------------------------------- the candidates


@dataclass
class Candidate:
    n: int
    id_number: str
    cookies: dict = field(default_factory=dict)
    form_token: str = ""
    csrf: str = ""
    attempt_id: int = 0
    items: list = field(default_factory=list)
    seq: int = 0
    pending: dict = field(default_factory=dict)  # item id -> the latest unacknowledged change
    acked: dict = field(default_factory=dict)  # item id -> (seq, choice) acknowledged
    in_flight: bool = False
    last_contact: float = float("-inf")  # perf_counter of the last answered save or beat


class Load:
    def __init__(self, http: Pool):
        self.http = http
        self.save_ms: list[float] = []
        self.save_started: list[float] = []  # perf_counter of each timed save, for the timeline
        self.save_errors: dict[str, int] = {}
        self.saves_in_window = 0
        self.beats = 0
        self.beats_covered = 0  # beats a save stood in for
        self.beat_ms: list[float] = []
        self.last_heard: dict[int, float] = {}  # attempt -> wall time of its last answered beat or save

    async def request(self, c: Candidate, method: str, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if c.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
        if c.csrf:
            headers["X-CSRFToken"] = c.csrf
        response = await self.http.request(method, path, headers, **kwargs)
        c.cookies.update(response.cookies())
        return response.status, response.body

    async def login_page(self, c: Candidate) -> None:
        _status, body = await self.request(c, "GET", "/exam/login")
        c.form_token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
        c.csrf = re.search(rb'name="csrf-token" content="([^"]+)"', body).group(1).decode()

    async def login(self, c: Candidate, t0: float) -> dict:
        """Post the form as the exam page's script does; its answer carries the paper. Times from
        the common start."""
        out = {"ok": False}
        try:
            status, body = await self.request(c, "POST", "/exam/login", headers={"Accept": "application/json"},
                                              data={"csrf_token": c.form_token, "ticket_no": "1", "id_number": c.id_number})  # fmt: skip
            if status != 200:
                out["error"] = f"login {status}"
                return out
            answer = json.loads(body)
            c.attempt_id, state = answer["attempt"], answer["state"]
            c.items, c.seq = state.get("items", []), state["last_seq"]
            if not c.items:
                out["error"] = "paper not open"
                return out
            out["ok"], out["paper_s"] = True, time.perf_counter() - t0
        except (*NETWORK_ERRORS, AttributeError) as exc:
            out["error"] = type(exc).__name__
        return out

    def change(self, c: Candidate, rng: random.Random) -> None:
        item = rng.choice(c.items)
        labels = [o["label"] for o in item["options"]]
        choice = sorted(rng.sample(labels, 2)) if item["qtype"] == "multiple" else [rng.choice(labels)]
        c.seq += 1
        c.pending[item["id"]] = {"item": item["id"], "choice": choice, "flagged": rng.random() < 0.1, "seq": c.seq}

    async def flush(self, c: Candidate, record: bool) -> None:
        if not c.pending or c.in_flight:
            return
        c.in_flight = True
        changes = list(c.pending.values())
        started = time.perf_counter()
        try:
            status, body = await self.request(c, "POST", "/exam/save", json={"changes": changes})
        except NETWORK_ERRORS as exc:
            status, body = type(exc).__name__, b""
        finally:
            c.in_flight = False
        elapsed = (time.perf_counter() - started) * 1000
        if record:
            self.save_ms.append(elapsed)
            self.save_started.append(started)
        if status != 200:
            key = str(status)
            self.save_errors[key] = self.save_errors.get(key, 0) + 1
            return
        c.last_contact = time.perf_counter()  # a save is also a heartbeat (see static/js/exam.js)
        self.last_heard[c.attempt_id] = time.time()
        ack = json.loads(body)["ack"]
        for change in changes:
            if change["seq"] <= ack:
                c.acked[change["item"]] = (change["seq"], change["choice"])
                if c.pending.get(change["item"]) is change:
                    del c.pending[change["item"]]

    async def candidate_saving(self, c: Candidate, start: float, stop: float, cadence: float, seed: int) -> None:
        rng = random.Random(seed)
        tick = start + rng.uniform(0, cadence)
        while True:
            now = time.perf_counter()
            if tick >= stop:
                return
            if tick > now:
                await asyncio.sleep(tick - now)
            self.change(c, rng)
            await self.flush(c, record=True)
            tick += cadence

    async def heartbeats(self, c: Candidate, start: float, stop: float, every: float, rng: random.Random) -> None:
        """GET /exam/beat every ``every`` seconds until ``stop``, like static/js/exam.js: a beat is
        skipped when a save was answered less than ``every`` - 0.5 s ago (the save stood in)."""
        tick = start + rng.uniform(0, every)
        while tick < stop:
            if (wait := tick - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            started = time.perf_counter()
            if started - c.last_contact < every - 0.5:
                self.beats_covered += 1
                tick += every
                continue
            try:
                status, _ = await self.request(c, "GET", "/exam/beat")
            except NETWORK_ERRORS:
                status = 0
            if status == 200:
                c.last_contact = time.perf_counter()
                self.beats += 1
                self.last_heard[c.attempt_id] = time.time()
                self.beat_ms.append((time.perf_counter() - started) * 1000)
            tick += every * max(1, -(-(time.perf_counter() - tick) // every))  # skip beats missed meanwhile

    async def submit(self, c: Candidate, t0: float) -> dict:
        try:
            status, body = await self.request(c, "POST", "/exam/submit")
        except NETWORK_ERRORS as exc:
            return {"ok": False, "error": type(exc).__name__}
        done = time.perf_counter() - t0
        if status != 200 or json.loads(body).get("status") != "submitted":
            return {"ok": False, "error": f"submit {status}", "s": done}
        return {"ok": True, "s": done}


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def summary_ms(values: list[float], digits: int = 1) -> dict:
    return {
        "count": len(values),
        "p50_ms": round(pct(values, 50), digits),
        "p95_ms": round(pct(values, 95), digits),
        "p99_ms": round(pct(values, 99), digits),
        "max_ms": round(max(values, default=0), digits),
        "mean_ms": round(statistics.fmean(values), digits) if values else 0.0,
    }


def timeline(started: list[float], ms: list[float], start: float, window: float) -> list[dict]:
    """Save latency per window of the saving phase (by when the save was sent): shows whether a
    tail is a transient (the synchronised start) or steady."""
    windows: dict[int, list[float]] = {}
    for at, value in zip(started, ms, strict=True):
        windows.setdefault(int((at - start) // window), []).append(value)
    return [
        {"from_s": round(n * window, 1), "count": len(v), "p50_ms": round(pct(v, 50), 1),
         "p99_ms": round(pct(v, 99), 1), "max_ms": round(max(v), 1)}
        for n, v in sorted(windows.items())
    ]  # fmt: skip


def errors_of(results: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in results:
        if not r["ok"]:
            counts[r.get("error", "?")] = counts.get(r.get("error", "?"), 0) + 1
    return counts


async def drive(base: str, ids: list[str], args, server_pid: int, url: str) -> tuple[dict, list[Candidate]]:
    candidates = [Candidate(n, number) for n, number in enumerate(ids)]
    report: dict = {}
    http = Pool(base, args.connections, timeout=300)
    try:
        load = Load(http)
        gate = asyncio.Semaphore(50)

        async def open_form(c: Candidate) -> None:
            async with gate:
                await load.login_page(c)

        await asyncio.gather(*(open_form(c) for c in candidates))  # the login form is on screen

        # 1. everyone logs in at the same instant
        cpu0, t0 = cpu_seconds(server_pid), time.perf_counter()
        logins = await asyncio.gather(*(load.login(c, t0) for c in candidates))
        served = [r["paper_s"] for r in logins if r["ok"]]
        report["login"] = {
            "candidates": len(candidates),
            "ok": len(served),
            "errors": errors_of(logins),
            "all_served_s": round(max(served, default=float("nan")), 3),
            "p50_s": round(pct(served, 50), 3),
            "p99_s": round(pct(served, 99), 3),
            "server_cpu_s": round(cpu_seconds(server_pid) - cpu0, 1),
            "what": "from one common instant: POST /exam/login from the exam page, whose answer carries the paper",
        }
        active = [c for c, r in zip(candidates, logins, strict=True) if r["ok"]]

        # 2. steady saving
        cpu0, client0 = cpu_seconds(server_pid), resource.getrusage(resource.RUSAGE_SELF)
        opened0, resent0 = http.opened, http.resent
        lag: list[float] = []
        start = time.perf_counter() + LEAD_IN_S
        stop = start + args.duration
        # to line a profile or the server's log up with the timeline
        print(f"saving from {time.time() + LEAD_IN_S:.3f} (unix time)", file=sys.stderr, flush=True)
        beating = (
            [load.heartbeats(c, start, stop, args.beat, random.Random(args.seed - c.n)) for c in active]
            if args.beat
            else []
        )
        await asyncio.gather(
            watch_loop(lag, start, stop),
            *(load.candidate_saving(c, start, stop, args.cadence, args.seed + c.n) for c in active),
            *beating,
        )
        elapsed = time.perf_counter() - start
        client1 = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu = cpu_seconds(server_pid) - cpu0
        saves = list(load.save_ms)
        for _ in range(10):  # replay whatever an error left queued (not timed)
            await asyncio.gather(*(load.flush(c, record=False) for c in active if c.pending))
        report["saving"] = {
            "candidates": len(active),
            "cadence_s": args.cadence,
            "duration_s": round(elapsed, 1),
            "offered_rate_per_s": round(len(active) / args.cadence, 1),
            "rate_per_s": round(len(saves) / elapsed, 1),
            **summary_ms(saves),
            "errors": dict(load.save_errors),
            "error_count": sum(load.save_errors.values()),
            "left_unacknowledged": sum(len(c.pending) for c in active),
            "server_cpu_s": round(server_cpu, 1),
            "server_cpu_share_of_machine": round(server_cpu / elapsed / os.cpu_count(), 3),
            "client_cpu_s": round(client1.ru_utime + client1.ru_stime - client0.ru_utime - client0.ru_stime, 1),
            "client_loop_lag_p99_ms": round(pct(lag, 99), 1),
            "client_loop_lag_max_ms": round(max(lag, default=0), 1),
            "client_connections": {
                "open_at_start": opened0,
                "open_at_end": http.opened,
                "requests_resent_after_an_idle_close": http.resent - resent0,
            },
            "timeline": timeline(load.save_started, saves, start, args.window or args.cadence),
            "heartbeats": {
                "every_s": args.beat,
                "rate_per_s": round(load.beats / elapsed, 1),
                "covered_by_a_save": load.beats_covered,
                **summary_ms(load.beat_ms),
            },
        }

        # 3. the deadline
        cpu0, t0 = cpu_seconds(server_pid), time.perf_counter()
        if args.deadline == "submit":
            submits = await asyncio.gather(*(load.submit(c, t0) for c in active))
            done = [r["s"] for r in submits if r["ok"]]
            report["deadline"] = {
                "mode": "every candidate posts /exam/submit at one instant (each answer scores the attempt)",
                "submitted": len(done),
                "errors": errors_of(submits),
                "all_scored_s": round(max(done, default=float("nan")), 3),
                "p50_s": round(pct(done, 50), 3),
                "p99_s": round(pct(done, 99), 3),
                "server_cpu_s": round(cpu_seconds(server_pid) - cpu0, 1),
            }
    finally:
        http.close()
    if args.deadline == "job":
        report["deadline"] = deadline_job(url)
    return report, candidates


def deadline_job(url: str) -> dict:
    """Move the deadline to now and run the scheduler's job once, the way the scheduler process does."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "INSTANCE_DIR": tempfile.mkdtemp()})
    with app.app_context():
        now = utcnow()
        for session in db.session.scalars(sa.select(ExamSession)):
            session.starts_at = now - timedelta(minutes=session.duration_minutes, seconds=1)
        db.session.execute(sa.update(Attempt).values(deadline_at=now - timedelta(seconds=1)))
        db.session.commit()
        started = time.perf_counter()
        handed_in = submission.submit_overdue(utcnow())
        db.session.commit()
        seconds = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return {
        "mode": "deadline moved to now; submission.submit_overdue run once (the scheduler's job)",
        "submitted": handed_in,
        "errors": {},
        "all_scored_s": round(seconds, 3),
    }


def verify(url: str, candidates: list[Candidate]) -> dict:
    stored = stored_answers(url)
    acked = lost = different = 0
    for c in candidates:
        for item, (seq, choice) in c.acked.items():
            acked += 1
            held_seq, held_choice = stored.get((c.attempt_id, item), (0, None))
            lost += held_seq < seq
            different += held_seq == seq and held_choice != choice
    scored = scalar(url, "SELECT count(*) FROM attempts WHERE status = 'submitted' AND score IS NOT NULL")
    return {
        "acknowledged_answers": acked,
        "acknowledged_but_lost": lost,
        "acknowledged_but_different": different,
        "answers_rows": len(stored),
        "attempts_submitted_and_scored": scored,
    }


def machine(url: str) -> dict:
    info = {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
    }
    info["gunicorn"] = gunicorn.__version__
    if url.startswith("postgresql"):
        info["postgresql"] = scalar(url, "SHOW server_version")
    return info


def judge(backend: str, n: int, report: dict) -> dict:
    targets = TARGETS[backend]
    checks = {
        "save_p99": {"target_ms": targets["save_p99_ms"], "measured_ms": report["saving"]["p99_ms"],
                     "pass": report["saving"]["p99_ms"] < targets["save_p99_ms"]},
        "save_errors": {"target": 0, "measured": report["saving"]["error_count"],
                        "pass": report["saving"]["error_count"] == 0},
        "login_all_served": {"target_s": targets["login_all_s"], "measured_s": report["login"]["all_served_s"],
                             "pass": report["login"]["ok"] == n and report["login"]["all_served_s"] < targets["login_all_s"]},
        "deadline_all_scored": {"target_s": targets["submit_all_s"], "measured_s": report["deadline"]["all_scored_s"],
                                "pass": report["verification"]["attempts_submitted_and_scored"] == n
                                and report["deadline"]["all_scored_s"] < targets["submit_all_s"]},
        "acknowledged_all_stored": {"target": 0,
                                    "measured": report["verification"]["acknowledged_but_lost"]
                                    + report["verification"]["acknowledged_but_different"],
                                    "pass": report["verification"]["acknowledged_but_lost"] == 0
                                    and report["verification"]["acknowledged_but_different"] == 0},
    }  # fmt: skip
    if n != TARGET_LOGIN_SUBMIT_CANDIDATES:
        # measured and shown, but not judged: the issue sets these 5 s only for 600 candidates
        for name in ("login_all_served", "deadline_all_scored"):
            checks[name]["applies"] = False
            checks[name]["note"] = f"the issue states this target for {TARGET_LOGIN_SUBMIT_CANDIDATES} candidates"
    return checks


def all_met(checks: dict) -> bool:
    return all(check["pass"] for check in checks.values() if check.get("applies", True))


def run(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="exam-load-"))
    if args.db == "sqlite":
        url = f"sqlite:///{work / 'load.sqlite3'}"
    else:
        pg_recreate()
        url = pg_url()
    workers = args.workers or (1 if args.db == "sqlite" else 2)
    if args.db == "sqlite" and workers != 1:
        print("note: SQLite with more than one process is not the issue's setup", file=sys.stderr)
    probe_before = cpu_probe_ms()
    started = time.perf_counter()
    ids = build(url, args.candidates, work / "instance")
    build_s = time.perf_counter() - started
    print(f"built {args.candidates} candidates in {build_s:.1f} s", file=sys.stderr)
    port = free_port()
    log = work / "server.log"
    profile = ROOT / "bench" / "results" / f"exam_load-{args.db}-profile.html" if args.profile else None
    server = start_server(url, port, work / "instance", args, log, profile)
    try:
        # The load generator's own full collections stalled its event loop by up to 275 ms, which
        # showed up as server latency: it collects nothing while it measures.
        gc.collect()
        gc.freeze()
        gc.disable()
        try:
            report, candidates = run_loop(drive(f"http://127.0.0.1:{port}", ids, args, server.pid, url))
        finally:
            gc.enable()
    finally:
        server.send_signal(signal.SIGINT if profile else signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    report["verification"] = verify(url, candidates)
    result = {
        "backend": args.db,
        "machine": {**machine(url), "cpu_probe_ms": {"before": probe_before, "after": cpu_probe_ms()}},
        "parameters": {
            "candidates": args.candidates,
            "cadence_s": args.cadence,
            "duration_s": args.duration,
            "deadline": args.deadline,
            "server": (
                f"gunicorn gthread, {workers} worker(s) x {args.threads} threads"
                if args.server == "gunicorn"
                else f"granian wsgi, {workers} worker(s) x {args.threads} blocking threads"
            )
            + f", heartbeat every {args.beat:g} s (offline after {3 * args.beat:g} s)"
            + (", EXAMSYS_REDIS_URL (Socket.IO via Redis)" if args.db == "postgresql" else ""),
            "client": f"one process, asyncio streams (bench/http_lite.py), at most {args.connections} connections",
            "items_per_paper": 20,
            "seed": args.seed,
            "build_s": round(build_s, 1),
        },
        **report,
    }
    result["targets"] = judge(args.db, args.candidates, result)
    result["all_targets_met"] = all_met(result["targets"])
    if args.db == "postgresql" and not args.keep:
        pg_recreate(drop_only=True)
    print(f"server log: {log}", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--candidates", type=int, default=600)
    parser.add_argument("--cadence", type=float, default=5.0, help="seconds between one candidate's saves")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of steady saving")
    parser.add_argument("--workers", type=int, default=0, help="server processes (default 1 SQLite, 2 PostgreSQL)")
    parser.add_argument("--threads", type=int, default=40, help="threads per server process (make serve's WEB_THREADS)")
    parser.add_argument("--connections", type=int, default=1000, help="the load generator's connection limit")
    parser.add_argument("--deadline", choices=("submit", "job"), default="submit")
    parser.add_argument(
        "--beat",
        type=float,
        default=5.0,
        help="seconds between one candidate's heartbeats while saving, as the exam page does (0: none)",
    )
    parser.add_argument(
        "--server",
        choices=("gunicorn", "granian"),
        default="gunicorn",
        help="the HTTP server in front of the app (make serve: gunicorn; make serve-exam: granian)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--window", type=float, default=0, help="seconds per timeline window (default --cadence)")
    parser.add_argument("--profile", action="store_true", help="run the server under pyinstrument (one worker)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--out", default=None, help="result file (default bench/results/exam_load-<db>.json)")
    args = parser.parse_args()
    result = run(args)
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"exam_load-{args.db}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
