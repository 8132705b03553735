"""The server's CPU per autosave and per heartbeat, in this process, without HTTP or a load generator.

    .venv/bin/python bench/save_cpu.py [--db postgresql|sqlite] [--candidates 200] [--saves 6000]
                                       [--profile]

bench/exam_load.py measures what a candidate sees at a whole sitting; on the shared 2-core
machine that mixes the server's work with the load generator's and PostgreSQL's, and with how
fast the machine happens to be that minute. This measures one thing: the CPU time (the thread's
own, ``time.thread_time``) the application spends answering ``POST /exam/save`` and
``GET /exam/beat`` - the WSGI call as granian or gunicorn makes it, with the signed session
cookie and the CSRF header a seat sends, after the seat's first request (the usual case: its
cookie already checked, its room's papers cached). Each save changes one answer of a random
seat, as the exam page does. The database is the benchmark's own (bench/exam_load.py's
PostgreSQL database, or a file), built as bench/exam_fault.py builds its sitting.

``--profile`` adds the functions with the most cumulative time (cProfile) to the result.
Results: bench/results/save_cpu-<backend>.json, with the machine's CPU probe (bench/common.py).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import re
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import cpu_probe_ms, save_result  # noqa: E402
from bench.exam_fault import SECRET, build  # noqa: E402
from bench.exam_load import REDIS_URL, machine, pg_recreate, pg_url, summary_ms  # noqa: E402
from examsys import create_app  # noqa: E402
from examsys.core.db import db  # noqa: E402


class Seat:
    def __init__(self, cookie: str, csrf: str, items: list[dict]):
        self.cookie, self.csrf, self.items, self.seq = cookie, csrf, items, 0


def log_in(app, id_number: str) -> Seat:
    """The exam page's login, through Flask (not timed): the seat's cookie, CSRF token and paper."""
    client = app.test_client()
    page = client.get("/exam/login").get_data()
    form_token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    csrf = re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()
    answer = client.post("/exam/login", data={"csrf_token": form_token, "ticket_no": "1", "id_number": id_number},
                         headers={"Accept": "application/json"})  # fmt: skip
    if answer.status_code != 200 or not answer.json["state"].get("items"):
        raise RuntimeError(f"login of {id_number} failed: {answer.status_code} {answer.get_data(as_text=True)[:200]}")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    return Seat(cookie, csrf, answer.json["state"]["items"])


def request(app, seat: Seat, method: str, path: str, body: dict | None = None) -> tuple[float, int]:
    """(thread CPU seconds, status) of one request through the app's WSGI callable."""
    headers = {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={seat.cookie}", "X-CSRFToken": seat.csrf}
    environ = EnvironBuilder(path=path, method=method, json=body, headers=headers).get_environ()
    status: list[str] = []
    started = time.thread_time()
    for _chunk in app.wsgi_app(environ, lambda s, _h, _e=None: status.append(s)):
        pass
    return time.thread_time() - started, int(status[0].split()[0])


def save_body(seat: Seat, rng: random.Random) -> dict:
    item = rng.choice(seat.items)
    labels = [o["label"] for o in item["options"]]
    choice = rng.sample(labels, 2) if item["qtype"] == "multiple" else [rng.choice(labels)]
    seat.seq += 1
    return {"changes": [{"item": item["id"], "choice": choice, "flagged": False, "seq": seat.seq}]}


def measure(app, seats: list[Seat], saves: int, rng: random.Random, profiler: cProfile.Profile | None) -> dict:
    for seat in seats:  # each seat's first requests: its cookie checked, its room's papers cached
        request(app, seat, "POST", "/exam/save", save_body(seat, rng))
        request(app, seat, "GET", "/exam/beat")
    save_ms, beat_ms = [], []
    if profiler:
        profiler.enable()
    for n in range(saves):
        seat = seats[n % len(seats)]
        spent, status = request(app, seat, "POST", "/exam/save", save_body(seat, rng))
        if status != 200:
            raise RuntimeError(f"save answered {status}")
        save_ms.append(spent * 1000)
        if n % 10 == 0:
            spent, status = request(app, seat, "GET", "/exam/beat")
            if status != 200:
                raise RuntimeError(f"beat answered {status}")
            beat_ms.append(spent * 1000)
    if profiler:
        profiler.disable()
    return {"save_cpu": summary_ms(save_ms, digits=3), "beat_cpu": summary_ms(beat_ms, digits=3)}


def run(args) -> dict:
    if args.db == "postgresql":
        pg_recreate()
        url = pg_url()
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/save_cpu.sqlite3"
    instance = Path(tempfile.mkdtemp())
    probe_before = cpu_probe_ms()
    ids = build(url, args.candidates, instance)
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "INSTANCE_DIR": str(instance)}
    if args.db == "postgresql":  # as the exam tier runs at a large sitting (bench/exam_load.py)
        config.update(
            REDIS_URL=REDIS_URL, REALTIME_PUBLISH_ONLY=True, EXAM_HEARTBEAT_SECONDS=10, EXAM_OFFLINE_SECONDS=30
        )
    app = create_app(config)
    about = machine(url)
    try:
        seats = [log_in(app, number) for number in ids]
        profiler = cProfile.Profile(time.thread_time) if args.profile else None  # CPU, not waiting
        report = measure(app, seats, args.saves, random.Random(args.seed), profiler)
    finally:
        if args.db == "postgresql":
            with app.app_context():
                db.engine.dispose()
            pg_recreate(drop_only=True)
    report = {
        "what": "thread CPU of the app's WSGI call per POST /exam/save (one changed answer) and GET /exam/beat,"
        " after each seat's first request; no HTTP server, no load generator",
        "candidates": args.candidates,
        **report,
        "machine": {**about, "cpu_probe_ms": {"before": probe_before, "after": cpu_probe_ms()}},
    }
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        report["profile_top_cumulative"] = out.getvalue().splitlines()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--saves", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--out", default=None, help="result file (default bench/results/save_cpu-<backend>.json)")
    args = parser.parse_args()
    report = run(args)
    if args.out:
        Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        print(json.dumps({k: v for k, v in report.items() if k != "profile_top_cumulative"}, indent=2))
    else:
        save_result("save_cpu", pg_url() if args.db == "postgresql" else "sqlite://", report)


if __name__ == "__main__":
    main()
