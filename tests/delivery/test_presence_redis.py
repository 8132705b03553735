"""Presence and real-time events through a real Redis, as several web processes share them.

Beats are written by a flusher thread, many per round trip, and the notice numbers read back in
the same trip; Socket.IO events are published in batches, in order, and a publish-only process
(the machine-test tier) does not subscribe. Skipped where Redis is not reachable.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest
import redis

from examsys.core.realtime import CHANNEL, BatchedRedisManager, message_queue
from examsys.modules.delivery import presence

REDIS_URL = os.environ.get("EXAMSYS_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


@pytest.fixture
def server():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError):
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return client


@pytest.fixture
def two_processes(server):
    """Two stores with one prefix: two web processes of one examsys."""
    prefix = f"examsys:test:{uuid.uuid4().hex[:8]}:"
    stores = presence._RedisStore(REDIS_URL, prefix), presence._RedisStore(REDIS_URL, prefix)
    yield stores
    for key in server.scan_iter(prefix + "*"):
        server.delete(key)


def test_a_beat_is_seen_here_at_once_and_by_the_other_process_after_a_flush(two_processes):
    a, b = two_processes
    now = time.time()
    a.beat(7, "3:4", now)
    assert a.last_beats([7]) == {7: pytest.approx(now)}  # this process, before any flush
    assert b.last_beats([7]) == {}
    a.flush()
    assert b.last_beats([7, 8]) == {7: pytest.approx(now)}
    assert b.transitions(now + 1, 15.0) == [(7, True, pytest.approx(now), "3:4")]


def test_the_sweep_reports_each_transition_once_from_what_changed(two_processes):
    a, b = two_processes
    now, limit = 1_000_000.0, 15.0
    a.beat(7, "3:4", now)
    a.beat(8, "3:5", now + 5)
    a.flush()
    assert b.transitions(now + 1, limit) == [(7, True, now, "3:4"), (8, True, now + 5, "3:5")]
    assert b.transitions(now + 2, limit) == []  # still online: nothing new to say
    assert a.transitions(now + 3, limit) is None  # the other process holds the lease
    # 7 falls behind the cutoff first; 8 beats on from another process, flushed late and out of
    # order: the older beat flushed last must not make it look stale.
    a.beat(8, "3:5", now + 14)
    b.beat(8, "3:5", now + 10)
    a.flush()
    b.flush()
    assert b.transitions(now + limit, limit) == [(7, False, now, "3:4")]
    assert b.transitions(now + limit + 1, limit) == []  # said once
    assert b.transitions(now + limit + 14, limit) == [(8, False, now + 14, "3:5")]
    a.beat(7, "3:6", now + 40)  # back, at another seat's room
    a.flush()
    assert b.transitions(now + 41, limit) == [(7, True, now + 40, "3:6")]
    assert b.last_beats([7, 8]) == {7: now + 40, 8: now + 14}


def test_a_sweep_in_the_app_announces_the_transitions(app, two_processes):
    a, _b = two_processes
    now = 2_000_000.0
    a.beat(7, "3:4", now)
    with app.app_context():
        assert a.sweep(now + 1, 15.0) == [{"attempt": 7, "online": True, "at": now}]
        assert a.sweep(now + 16, 15.0) == [{"attempt": 7, "online": False, "at": now + 15.0}]


def test_a_notice_raised_in_one_process_reaches_the_others_beats(two_processes):
    a, b = two_processes
    assert a.beat(7, "3:4", time.time()) == 0
    b.bump("room:3:4")
    b.bump("attempt:7")
    assert b.beat(7, "3:4", time.time()) == 2  # the raising process sees it at once
    assert a.beat(7, "3:4", time.time()) == 0  # the other at its next flush ...
    a.flush()
    assert a.beat(7, "3:4", time.time()) == 2
    assert a.beat(8, "3:4", time.time()) == 1  # ... a room notice counts for every seat of the room


def test_the_flusher_thread_writes_beats_without_being_asked(two_processes):
    a, b = two_processes
    a.beat(9, "1:2", time.time())
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not b.last_beats([9]):
        time.sleep(0.05)
    assert 9 in b.last_beats([9])


def test_events_are_published_in_batches_in_order(server):
    listener = server.pubsub()
    listener.subscribe(CHANNEL)
    assert listener.get_message(timeout=1)["type"] == "subscribe"
    manager = message_queue({"REDIS_URL": REDIS_URL, "REALTIME_PUBLISH_ONLY": True})
    assert isinstance(manager, BatchedRedisManager) and manager.write_only
    for n in range(50):
        manager._publish({"method": "emit", "event": "seat", "data": [n]})
    got = []
    deadline = time.monotonic() + 2
    while len(got) < 50 and time.monotonic() < deadline:
        message = listener.get_message(timeout=0.2)
        if message and message["type"] == "message":
            got.append(manager.json.loads(message["data"])["data"][0])
    listener.close()
    assert got == list(range(50))


def test_a_serving_process_subscribes_and_a_publish_only_one_does_not(server):
    assert not message_queue({"REDIS_URL": REDIS_URL}).write_only
    assert message_queue({"REDIS_URL": REDIS_URL, "REALTIME_PUBLISH_ONLY": True}).write_only
    assert message_queue({"REDIS_URL": None}) is None
