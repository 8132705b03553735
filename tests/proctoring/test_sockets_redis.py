"""Two real server processes sharing Redis: what a candidate does on one reaches the console on the other.

The last test runs the two tiers of a large sitting: the consoles on ``make serve``, the lab
machines on ``make serve-exam`` (granian, publish-only); on the PostgreSQL run, on PostgreSQL,
where the usual save is one statement in autocommit.

Issue #8: "with the Redis message queue configured, an event raised in any process reaches it",
done when "a real python-socketio client sees seat states change within 1 s of a candidate's
action, including across two server processes through Redis". Both processes are gunicorn
(bench/console.py's server) on one SQLite file; skipped when Redis is not reachable.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis
import requests
import socketio
import sqlalchemy as sa

from bench.console import ROOT, prepare, spawn_server, staff_cookie, wait_ready
from bench.exam_fault import SECRET, Client, free_port
from examsys import serve

REDIS_URL = os.environ.get("EXAMSYS_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except (redis.RedisError, OSError):
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")


@pytest.fixture(scope="module")
def two_servers():
    _redis_or_skip()
    work = Path(tempfile.mkdtemp(prefix="console-redis-"))
    url = f"sqlite:///{work / 'console.sqlite3'}"
    setup = prepare(url, 3, 1, work / "instance")
    ports = [free_port(), free_port()]
    servers = [spawn_server(url, port, work / "instance", redis_url=REDIS_URL, threads=8, log=work / f"server-{port}.log")
               for port in ports]  # fmt: skip
    try:
        for server, port in zip(servers, ports, strict=True):
            wait_ready(server, port)
        yield {"a": f"http://127.0.0.1:{ports[0]}", "b": f"http://127.0.0.1:{ports[1]}", **setup}
    finally:
        for server in servers:
            server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        for server in servers:
            server.wait(timeout=30)


def _wait_for(received: list, test, seconds: float = 2.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = next(((data, at) for data, at in list(received) if test(data)), None)
        if found:
            return found
        time.sleep(0.01)
    raise AssertionError("no matching console event")


def watching_console(base: str, watch: dict) -> tuple[socketio.Client, list[tuple[dict, float]]]:
    """A proctor's console on ``base`` watching ``watch``'s room: (client, the seat events it heard)."""
    received: list[tuple[dict, float]] = []
    console = socketio.Client(reconnection=False)
    console.on("seat", lambda data: received.append((data, time.monotonic())), namespace="/proctor")
    console.connect(base, namespaces=["/proctor"], transports=["websocket"], headers={"Cookie": staff_cookie(base)})
    assert console.call("watch", watch, namespace="/proctor") == {"ok": True}
    return console, received


def test_a_save_on_one_process_reaches_the_console_on_the_other_within_a_second(two_servers):
    console, received = watching_console(two_servers["a"], two_servers["watch"][0])
    try:
        candidate = Client(two_servers["b"], two_servers["ids"][0])  # the candidate's machine talks to B
        candidate.login()
        _wait_for(received, lambda d: d["attempt"] == candidate.attempt_id and d["status"] == "in_progress")
        rng = random.Random(8)
        for answered in (1, 2):  # twice: the second after the connection is warm
            received.clear()
            while True:  # a new item each time, so the answered count moves
                candidate.change(rng)
                if len(set(candidate.pending) | set(candidate.acked)) == answered:
                    break
                candidate.pending.clear()
            sent = time.monotonic()
            candidate.flush()
            seat, at = _wait_for(received, lambda d: d["attempt"] == candidate.attempt_id and d["seq"] == candidate.seq)
            assert at - sent < 1.0
            assert seat["answered"] == answered and seat["status"] == "in_progress"

        # A proctor's action on B (a move to a spare seat) reaches the console on A as well.
        http = requests.Session()
        for pair in staff_cookie(two_servers["b"]).split("; "):
            http.cookies.set(*pair.split("=", 1))
        watch = two_servers["watch"][0]
        page = http.get(f"{two_servers['b']}/exam-admin/sessions/{watch['session']}/rooms/{watch['room']}").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        spare_id, spare_label = re.search(r'name="seat_id"[^>]*><option value="(\d+)">([^<]+)<', page).groups()
        received.clear()
        sent = time.monotonic()
        moved = http.post(f"{two_servers['b']}/exam-admin/sessions/{watch['session']}/rooms/{watch['room']}/candidate",
                          data={"csrf_token": csrf, "attempt_id": candidate.attempt_id, "action": "move",
                                "seat_id": spare_id, "reason": "显示器故障"}, allow_redirects=False)  # fmt: skip
        assert moved.status_code == 302
        seat, at = _wait_for(received, lambda d: d["attempt"] == candidate.attempt_id and d["seat"] == spare_label)
        assert at - sent < 1.0 and seat["answered"] == 2  # the answers moved with the candidate
    finally:
        console.disconnect()


def _tiers_database(work: Path) -> str:
    """SQLite, or on the PostgreSQL run a database of its own beside the test database (the servers
    are other processes: they must see committed data, which the tests' rolled-back one is not)."""
    test_url = os.environ.get("EXAMSYS_TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        return f"sqlite:///{work / 'tiers.sqlite3'}"
    url = sa.make_url(test_url).set(database="examsys_tiers_test")
    engine = sa.create_engine(test_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS examsys_tiers_test WITH (FORCE)")
        conn.exec_driver_sql("CREATE DATABASE examsys_tiers_test")
    engine.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def two_tiers():
    """``make serve`` (gunicorn, the consoles) and ``make serve-exam`` (granian, publish-only, the
    lab machines) on one database and one Redis, started the way the Makefile starts them."""
    _redis_or_skip()
    work = Path(tempfile.mkdtemp(prefix="exam-tier-"))
    url = _tiers_database(work)
    setup = prepare(url, 3, 1, work / "instance")
    env = {**os.environ, "EXAMSYS_DATABASE_URL": url, "EXAMSYS_SECRET_KEY": SECRET,
           "EXAMSYS_INSTANCE_DIR": str(work / "instance"), "EXAMSYS_REDIS_URL": REDIS_URL,
           "EXAMSYS_EARLIEST_SUBMIT_MINUTES": "0"}  # fmt: skip  # the sitting began a minute ago
    ports = {"web": free_port(), "exam": free_port()}
    servers = {
        tier: subprocess.Popen(serve.command(tier, "127.0.0.1", port, 1, 4), cwd=ROOT, env=serve.environment(tier, env),
                               stdout=(work / f"{tier}.log").open("ab"), stderr=subprocess.STDOUT)
        for tier, port in ports.items()
    }  # fmt: skip
    try:
        for tier, server in servers.items():
            wait_ready(server, ports[tier])
        yield {"web": f"http://127.0.0.1:{ports['web']}", "exam": f"http://127.0.0.1:{ports['exam']}", **setup}
    finally:
        for server in servers.values():
            server.send_signal(signal.SIGTERM)
        for server in servers.values():
            server.wait(timeout=30)


def test_the_exam_tier_serves_the_whole_test_and_the_console_on_the_web_tier_sees_it(two_tiers):
    console, received = watching_console(two_tiers["web"], two_tiers["watch"][0])
    try:
        candidate = Client(two_tiers["exam"], two_tiers["ids"][0])  # login page, login, the paper
        candidate.login()
        assert candidate.http.get(f"{two_tiers['exam']}/static/js/exam.js", timeout=10).status_code == 200
        rng = random.Random(3)
        # The first save reads the room's papers (in the session's transaction); the next ones
        # are the usual save: on PostgreSQL one statement in autocommit, committed on its own,
        # and no session made, so its seat event goes out at once rather than after a commit.
        for _save in range(3):
            candidate.change(rng)
            sent = time.monotonic()
            candidate.flush()
            assert not candidate.pending, "the save was acknowledged"
            seat, at = _wait_for(received, lambda d: d["attempt"] == candidate.attempt_id and d["seq"] == candidate.seq)
            assert at - sent < 1.0 and seat["answered"] == len(candidate.acked)
        beat = candidate.http.get(f"{two_tiers['exam']}/exam/beat", timeout=10)
        assert beat.status_code == 200 and "notice" in beat.json()
        submitted = candidate.http.post(f"{two_tiers['exam']}/exam/submit", json={}, timeout=10)
        assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
        _wait_for(received, lambda d: d["attempt"] == candidate.attempt_id and d["status"] == "submitted")
    finally:
        console.disconnect()
