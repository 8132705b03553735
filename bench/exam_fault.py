"""Fault test: SIGKILL the exam server in the middle of a run, restart it, lose nothing.

    .venv/bin/python bench/exam_fault.py [--candidates 600] [--seconds 20] [--tier web|exam]

A fresh SQLite file holds one theory sitting (started a minute ago) with N seated candidates.
The server is the production one, a real separate process started as examsys.serve starts it
(``--tier web``: gunicorn, as make serve; ``--tier exam``: granian, as make serve-exam). Every
simulated candidate logs in, then changes an answer every ``--interval`` seconds the way
static/js/exam.js does: each change gets the next sequence number and stays in the client's
queue until acknowledged; a failed request (the server is gone) is retried, replaying the whole
queue. Halfway through, the server and its workers are killed with SIGKILL (its process group)
and started again on the same port. At the end:

- every acknowledged change is in the database (the item holds that change or a later one);
- every client's queue drained after the restart (they replayed what was never acknowledged);
- every attempt's deadline is what it was before the kill.

Results go to bench/results/exam_fault.json (exam_fault-exam.json for the exam tier);
tests/delivery/test_exam_fault.py runs it small, on both tiers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from examsys import create_app, serve  # noqa: E402
from examsys.core.audit import acting_as  # noqa: E402
from examsys.core.db import db, utcnow  # noqa: E402
from examsys.core.ids import DocumentType, make_resident_id  # noqa: E402
from examsys.modules.banks import assembly, blueprints, imports  # noqa: E402
from examsys.modules.banks.blueprints import PartSpec  # noqa: E402
from examsys.modules.banks.formats.base import Location, ParsedBank, ParsedElement, ParsedItem, ParsedOption  # noqa: E402
from examsys.modules.catalog import operations as catalog  # noqa: E402
from examsys.modules.catalog.models import StudyLevel  # noqa: E402
from examsys.modules.delivery import preparation  # noqa: E402
from examsys.modules.people.models import Gender, IdentityDocument, Person, PersonKind  # noqa: E402
from examsys.modules.registration import operations as registration  # noqa: E402
from examsys.modules.registration.models import Application, ApplicationStatus  # noqa: E402
from examsys.modules.registration.models import Path as CertPath  # noqa: E402
from examsys.modules.scheduling import operations as rooms  # noqa: E402
from examsys.modules.scheduling import plans, seating, sessions  # noqa: E402
from examsys.modules.scheduling.models import SessionKind  # noqa: E402

SECRET = "exam-fault-secret"  # fixed, so the browsers' sessions survive the restart


# --------------------------------------------------------------------------- the exam


def _bank() -> ParsedBank:
    elements = [ParsedElement("theory", "1", "基础知识", 100, "1.1", "单元", "1.1.1", "要素", "X", Location("要素", 2))]
    items = []
    for n in range(60):
        qtype = ("single", "multiple", "true_false")[n % 3]
        if qtype == "true_false":
            options = [ParsedOption("T", "正确", n % 2 == 0), ParsedOption("F", "错误", n % 2 == 1)]
        else:
            right = {"A"} if qtype == "single" else {"A", "C"}
            options = [ParsedOption(x, f"选项{x}{n}", x in right) for x in "ABCD"]
        stem = f"第{n}题：关于操作规范{n * 7919 % 1000:03d}号的说法，哪项正确？"
        items.append(ParsedItem(qtype, stem, options, Location("试题", n + 2), element_code="1.1.1", difficulty=3))
    return ParsedBank(items=items, elements=elements, tasks=[])


def build(url: str, candidates: int, instance: Path) -> list[str]:
    """A migrated database with one running sitting; returns the candidates' ID numbers."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "INSTANCE_DIR": str(instance)})
    ids = []
    with app.app_context(), acting_as("bench"):
        upgrade()
        college = catalog.save_college(None, code="F1", name="故障测试学院")
        major = catalog.save_major(None, college=college, name="测试专业", study_level=StudyLevel.HIGHER_VOCATIONAL)
        occupation = catalog.save_occupation(None, name="故障测试职业", code="9-99-99-99", owner_college=college)
        job = catalog.save_job(occupation.jobs[0], occupation=occupation, name="", levels=[4], majors=[major])
        imports.import_bank(_bank(), job, 4)
        parts = [PartSpec("single", 10, Decimal(5)), PartSpec("multiple", 5, Decimal(6)),
                 PartSpec("true_false", 5, Decimal(4))]  # fmt: skip
        assembly.assemble(blueprints.save_blueprint(None, job=job, level=4, name="理论", parts=parts), 2, seed=5)
        batch = registration.save_batch(None, registration.BatchData(
            name="故障测试批次", job=job, level=4, path=CertPath.EXAM, college=college,
            opens_at=utcnow() - timedelta(days=30), closes_at=utcnow() - timedelta(days=1)))  # fmt: skip
        for n in range(candidates):
            number = make_resident_id(birth=date(2000, 1, 1) + timedelta(days=n // 1000), sequence=n % 1000)
            person = Person(kind=PersonKind.STUDENT, name=f"考生{n:04d}", gender=Gender.MALE, college=college,
                            major=major, student_no=f"F{n:06d}", grade="2024", class_name=f"{n % 20}班")  # fmt: skip
            person.documents.append(IdentityDocument(doc_type=DocumentType.resident_id, number=number))
            db.session.add(Application(batch=batch, person=person, status=ApplicationStatus.APPROVED,
                                       submitted_at=utcnow()))  # fmt: skip
            ids.append(number)
        labs = [rooms.create_lab(f"F{i:02d}", f"故障机房{i}", "东楼", 6, 10, subnet=f"10.40.{i}")
                for i in range(candidates // 56 + 1)]  # fmt: skip
        plan = plans.create_plan("故障测试计划", [batch], spare_seats=2)
        session = sessions.create_session(plan, sessions.SessionData(
            SessionKind.THEORY, "故障测试场", utcnow() - timedelta(minutes=1), 90, labs))  # fmt: skip
        seating.allocate_theory(plan)
        preparation.assign_papers(session)
        preparation.prepare_attempts(session)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return ids


def deadlines(url: str) -> dict[int, str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, deadline_at FROM attempts WHERE deadline_at IS NOT NULL")).all()
    engine.dispose()
    return {row[0]: str(row[1]) for row in rows}


def stored_answers(url: str) -> dict[tuple[int, int], tuple[int, list[str]]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT attempt_id, paper_item_id, seq, choice FROM answers")).all()
    engine.dispose()
    return {(a, i): (s, json.loads(c) if isinstance(c, str) else c) for a, i, s, c in rows}


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, instance: Path, tier: str = "web") -> subprocess.Popen:
    """The production server of ``tier`` (examsys.serve: gunicorn for web, granian for exam), one
    process, in a process group of its own so that a kill takes its workers too."""
    env = {
        **os.environ,
        "EXAMSYS_DATABASE_URL": url,
        "EXAMSYS_SECRET_KEY": SECRET,
        "EXAMSYS_INSTANCE_DIR": str(instance),
    }
    env.pop("EXAMSYS_REDIS_URL", None)
    line = serve.command(tier, "127.0.0.1", port, workers=1, threads=40 if tier == "web" else 8)
    server = subprocess.Popen(line, cwd=ROOT, env=serve.environment(tier, env), start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"the {tier} server exited with {server.returncode}")
        try:
            requests.get(f"http://127.0.0.1:{port}/exam/login", timeout=1)
            return server
        except requests.RequestException:  # not listening yet, or listening before its worker is up
            time.sleep(0.05)
    kill(server)
    raise RuntimeError("the server did not start")


def kill(server: subprocess.Popen) -> None:
    """SIGKILL the server and its workers at once: no chance to finish a request or clean up."""
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


# --------------------------------------------------------------------------- the candidates


@dataclass
class Client:
    base: str
    id_number: str
    http: requests.Session = field(default_factory=requests.Session)
    attempt_id: int = 0
    items: list = field(default_factory=list)
    seq: int = 0
    pending: dict = field(default_factory=dict)  # item id -> change
    acked: dict = field(default_factory=dict)  # item id -> (seq, choice) acknowledged
    failures: int = 0
    errors: list = field(default_factory=list)

    def login(self) -> None:
        page = self.http.get(f"{self.base}/exam/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.http.post(f"{self.base}/exam/login", timeout=10, allow_redirects=False,
                                  data={"csrf_token": token, "ticket_no": "1", "id_number": self.id_number})  # fmt: skip
        if response.status_code != 302:
            raise RuntimeError(f"login refused: {response.status_code}")
        exam = self.http.get(f"{self.base}/exam/", timeout=10).text
        self.http.headers["X-CSRFToken"] = re.search(r'name="csrf-token" content="([^"]+)"', exam).group(1)
        self.attempt_id = int(re.search(r'data-attempt="(\d+)"', exam).group(1))
        state = self.http.get(f"{self.base}/exam/state?paper=1", timeout=10).json()
        self.items = state["items"]
        self.seq = state["last_seq"]

    def change(self, rng: random.Random) -> None:
        item = rng.choice(self.items)
        self.seq += 1
        self.pending[item["id"]] = {"item": item["id"], "choice": [rng.choice(item["options"])["label"]],
                                    "flagged": False, "seq": self.seq}  # fmt: skip

    def flush(self) -> None:
        if not self.pending:
            return
        changes = list(self.pending.values())
        try:
            response = self.http.post(f"{self.base}/exam/save", json={"changes": changes}, timeout=5)
        except requests.RequestException:
            self.failures += 1  # the server is down: keep the queue, replay it next time
            return
        if response.status_code != 200:
            self.errors.append(response.status_code)
            return
        ack = response.json()["ack"]
        for change in changes:
            if change["seq"] <= ack:
                self.acked[change["item"]] = (change["seq"], change["choice"])
                if self.pending.get(change["item"]) is change:
                    del self.pending[change["item"]]


def run(candidates: int, seconds: float, interval: float = 1.0, seed: int = 2026, tier: str = "web") -> dict:
    work = Path(tempfile.mkdtemp(prefix="exam-fault-"))
    url = f"sqlite:///{work / 'fault.sqlite3'}"
    ids = build(url, candidates, work / "instance")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(url, port, work / "instance", tier)
    clients = [Client(base, number) for number in ids]
    try:
        for client in clients:
            client.login()
        before = deadlines(url)
        stop, killed = threading.Event(), threading.Event()

        def candidate(client: Client, rng: random.Random) -> None:
            while not stop.is_set():
                client.change(rng)
                client.flush()
                stop.wait(interval * (0.5 + rng.random()))

        threads = [threading.Thread(target=candidate, args=(c, random.Random(seed + i))) for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        time.sleep(seconds / 2)
        kill(server)  # mid-run
        killed.set()
        time.sleep(1.0)  # clients fail and keep their queues meanwhile
        restarted_at = time.monotonic()
        server = start_server(url, port, work / "instance", tier)
        restart_seconds = time.monotonic() - restarted_at
        time.sleep(seconds / 2)
        stop.set()
        for thread in threads:
            thread.join()
        for client in clients:  # a final replay of anything still queued
            for _ in range(10):
                if not client.pending:
                    break
                client.flush()
        after = deadlines(url)
        stored = stored_answers(url)
    finally:
        kill(server)
    lost, different = 0, 0
    for c in clients:
        for item, (seq, choice) in c.acked.items():
            held_seq, held_choice = stored.get((c.attempt_id, item), (0, None))
            lost += held_seq < seq
            different += held_seq == seq and held_choice != choice
    return {
        "server": f"{serve.command(tier, '127.0.0.1', port, 1, 1)[2]}, one process (python -m examsys.serve {tier})",
        "candidates": candidates,
        "seconds": seconds,
        "answers_acknowledged": sum(len(c.acked) for c in clients),
        "saves_failed_while_down": sum(c.failures for c in clients),
        "errors": sum(len(c.errors) for c in clients),
        "acknowledged_but_lost": lost,
        "acknowledged_but_different": different,
        "left_unsent": sum(len(c.pending) for c in clients),
        "deadlines_changed": sum(1 for k, v in before.items() if after.get(k) != v),
        "restart_seconds": round(restart_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument(
        "--tier",
        choices=serve.TIERS,
        default="web",
        help="the server killed: web (make serve, gunicorn) or exam (make serve-exam, granian)",
    )
    args = parser.parse_args()
    result = run(args.candidates, args.seconds, args.interval, tier=args.tier)
    suffix = "" if args.tier == "web" else f"-{args.tier}"
    out = ROOT / "bench" / "results" / f"exam_fault{suffix}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
