"""Heartbeats and notices: which exam pages are alive, and which must fetch their state now.

The exam page beats every ``EXAM_HEARTBEAT_SECONDS`` (``GET /exam/beat``, answered by
delivery.front, in front of Flask). A beat is only a
timestamp, kept out of the database: in this process's memory, or in Redis when
``EXAMSYS_REDIS_URL`` is set so that every worker sees every beat. A watcher thread in each web
process compares the beats with ``EXAM_OFFLINE_SECONDS`` once a second and tells the room's
consoles when a seat goes offline or comes back (the ``presence`` event); with Redis one
watcher at a time does so (a short lease), so a transition is announced once.

The beat's answer carries a notice number per candidate (room notices plus their own). A
proctor's action that the candidate must see at once - a broadcast, a pause, extra time, a
move, the end - raises it after its transaction commits, and the page fetches its state on
the next beat instead of at its slow poll.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import weakref
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import redis
from flask import Flask, current_app

from examsys.core.extensions import socketio

log = logging.getLogger(__name__)
NAMESPACE = "/proctor"
SWEEP_SECONDS = 1.0


def heartbeat_seconds(app: Flask | None = None) -> float:
    return float((app or current_app).config.get("EXAM_HEARTBEAT_SECONDS", 5))


def offline_after(app: Flask | None = None) -> float:
    """Seconds without a heartbeat after which a seat counts as offline."""
    app = app or current_app
    return float(app.config.get("EXAM_OFFLINE_SECONDS", 3 * heartbeat_seconds(app)))


def beat(attempt_id: int, session_id: int, room_id: int, now: float | None = None, app: Flask | None = None) -> int:
    """The candidate's page is alive at its seat; returns the candidate's notice number."""
    app = app or current_app._get_current_object()
    store = _store(app)
    store.start_watcher(app)
    return store.beat(attempt_id, room_of(session_id, room_id), time.time() if now is None else now)


def beat_in_room(attempt_id: int, room_key: str, app: Flask | None = None) -> int | None:
    """:func:`beat` with the room as the exam session holds it ("session:room"); None if malformed."""
    try:
        session_id, room_id = (int(part) for part in room_key.split(":"))
    except ValueError:
        return None
    return beat(attempt_id, session_id, room_id, app=app)


def last_beats(attempt_ids: list[int]) -> dict[int, float]:
    """Epoch seconds of each attempt's last heartbeat; attempts that never beat are missing."""
    return _store().last_beats(attempt_ids)


def notice(session_id: int, room_id: int, attempt_id: int | None = None) -> None:
    """Raise the notice number of a room (every candidate in it) or of one candidate."""
    _store().bump(f"room:{room_of(session_id, room_id)}" if attempt_id is None else f"attempt:{attempt_id}")


def sweep(now: float | None = None) -> list[dict]:
    """One watcher pass: announce seats that went offline or came back; returns the events sent."""
    return _store().sweep(time.time() if now is None else now, offline_after())


def room_of(session_id: int, room_id: int) -> str:
    """A room of a sitting, as the presence store and the candidate's exam session hold it."""
    return f"{session_id}:{room_id}"


def room_channel(key: str) -> str:
    """The Socket.IO room of a sitting's room (delivery.events.room_channel builds it here too)."""
    return f"exam:{key}"


# --------------------------------------------------------------------------- the stores


def _store(app: Flask | None = None) -> _Store:
    app = app or current_app
    store = app.extensions.get("examsys_presence")
    if store is None:
        url = app.config.get("REDIS_URL")
        store = app.extensions["examsys_presence"] = _RedisStore(url, _prefix(app)) if url else _MemoryStore()
    return store


def _prefix(app: Flask) -> str:
    # Two apps sharing one Redis (a test run beside the demo) must not see each other's seats.
    database = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    return f"examsys:presence:{hashlib.sha1(database.encode()).hexdigest()[:10]}:"


@dataclass
class _Store(ABC):
    watcher: threading.Thread | None = field(default=None, init=False)

    def start_watcher(self, app: Flask) -> None:
        if self.watcher is None or not self.watcher.is_alive():
            self.watcher = threading.Thread(target=_watch, args=(weakref.ref(app), weakref.ref(self)),
                                            name="presence-watcher", daemon=True)  # fmt: skip
            self.watcher.start()

    def sweep(self, now: float, limit: float) -> list[dict]:
        changes = self.transitions(now, limit)
        if changes is None:
            return []  # another process's watcher holds the lease
        events = []
        for attempt_id, came_back, at, room_key in sorted(changes):
            data = {"attempt": attempt_id, "online": came_back, "at": at if came_back else at + limit}
            events.append(data)
            try:
                socketio.emit("presence", data, namespace=NAMESPACE, to=room_channel(room_key))
            except Exception:  # a console that misses one catches up on its next reload
                log.exception("presence event failed")
        return events

    @abstractmethod
    def transitions(self, now: float, limit: float) -> list[tuple[int, bool, float, str]] | None:
        """The seats that came online or went offline since the last sweep, as (attempt, came
        back, last beat, "session:room"), and remember them so; None if another process sweeps."""


@dataclass
class _MemoryStore(_Store):
    beats: dict[int, tuple[float, str]] = field(default_factory=dict)
    notices: dict[str, int] = field(default_factory=dict)
    online: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def beat(self, attempt_id: int, room_key: str, now: float) -> int:
        with self.lock:
            self.beats[attempt_id] = (now, room_key)
            return self.notices.get(f"room:{room_key}", 0) + self.notices.get(f"attempt:{attempt_id}", 0)

    def last_beats(self, attempt_ids: list[int]) -> dict[int, float]:
        with self.lock:
            return {a: self.beats[a][0] for a in attempt_ids if a in self.beats}

    def bump(self, key: str) -> None:
        with self.lock:
            self.notices[key] = self.notices.get(key, 0) + 1

    def transitions(self, now: float, limit: float) -> list[tuple[int, bool, float, str]]:
        with self.lock:
            online = {a for a, (at, _) in self.beats.items() if now - at < limit}
            changed = [(a, a in online, *self.beats[a]) for a in online ^ self.online]
            self.online = online
        return changed


@dataclass
class _RedisStore(_Store):
    """Beats shared through Redis by every web process.

    A beat is recorded in this process and written to Redis by a flusher thread every
    ``FLUSH_SECONDS``, many beats in one command; the notice numbers a beat answers with are read
    by the same thread in the same round trip (and a bump made here is seen here at once). A
    seat's beat or save then costs no Redis round trip of its own: at a sitting of 6,000 that
    was over a thousand a second. The console learns of a seat going offline after
    ``EXAM_OFFLINE_SECONDS`` (15 s by default), so a quarter second more changes nothing.
    """

    url: str = ""
    prefix: str = ""
    FLUSH_SECONDS = 0.25

    def __post_init__(self) -> None:
        self.redis = redis.Redis.from_url(self.url, socket_timeout=2)
        self.token = f"{id(self)}:{time.time()}"
        self.lock = threading.Lock()
        self.pending: dict[int, str] = {}  # attempt -> "epoch|session:room", not yet in Redis
        self.notices: dict[str, int] | None = None  # the last read of the notice numbers
        self.flusher: threading.Thread | None = None
        self._transitions = self.redis.register_script(_TRANSITIONS_LUA)

    def beat(self, attempt_id: int, room_key: str, now: float) -> int:
        if self.flusher is None or not self.flusher.is_alive():
            self._start_flusher()
        if self.notices is None:
            self.flush()  # the first beat of this process: read the notices now
        with self.lock:
            self.pending[attempt_id] = f"{now}|{room_key}"
            notices = self.notices or {}
        return notices.get(f"room:{room_key}", 0) + notices.get(f"attempt:{attempt_id}", 0)

    def flush(self) -> None:
        """Write the beats recorded since the last flush and read the notice numbers, in one round trip."""
        with self.lock:
            pending, self.pending = self.pending, {}
        pipe = self.redis.pipeline(transaction=False)
        if pending:
            pipe.hset(self.prefix + "beats", mapping=pending)
            # The latest beat wins even when another process flushes an older one after it.
            pipe.zadd(self.prefix + "beat_at", {a: float(v.split("|", 1)[0]) for a, v in pending.items()}, gt=True)
            pipe.sadd(self.prefix + "fresh", *pending)
        pipe.hgetall(self.prefix + "notices")
        try:
            notices = pipe.execute()[-1]
        except redis.RedisError:
            with self.lock:  # keep them for the next flush, unless newer beats came meanwhile
                self.pending = {**pending, **self.pending}
            raise
        self.notices = {key.decode(): int(value) for key, value in notices.items()}

    def _start_flusher(self) -> None:
        with self.lock:
            if self.flusher is None or not self.flusher.is_alive():
                self.flusher = threading.Thread(target=_flush_beats, args=(weakref.ref(self),),
                                                name="presence-flusher", daemon=True)  # fmt: skip
                self.flusher.start()

    def last_beats(self, attempt_ids: list[int]) -> dict[int, float]:
        if not attempt_ids:
            return {}
        values = self.redis.zmscore(self.prefix + "beat_at", attempt_ids)  # the latest, whoever flushed last
        found = {a: float(v) for a, v in zip(attempt_ids, values, strict=True) if v is not None}
        with self.lock:  # this process's beats not yet flushed
            for a in attempt_ids:
                if a in self.pending:
                    found[a] = max(found.get(a, 0.0), float(self.pending[a].split("|", 1)[0]))
        return found

    def bump(self, key: str) -> None:
        value = self.redis.hincrby(self.prefix + "notices", key, 1)
        with self.lock:
            if self.notices is not None:
                self.notices = {**self.notices, key: int(value)}

    def transitions(self, now: float, limit: float) -> list[tuple[int, bool, float, str]] | None:
        # One watcher across the workers: the lease outlives a sweep, the holder renews it.
        lease = self.prefix + "watcher"
        if not self.redis.set(lease, self.token, nx=True, px=3000) and self.redis.get(lease) != self.token.encode():
            return None
        self.redis.pexpire(lease, 3000)
        self.flush()
        keys = [self.prefix + name for name in ("beat_at", "beats", "online", "fresh", "swept")]
        changed = []
        for attempt, came_back, at, beat in self._transitions(keys=keys, args=[repr(now - limit)]):
            if beat:  # "epoch|session:room": the room is the last beat's, the time the latest one
                changed.append((int(attempt), bool(came_back), float(at), beat.decode().split("|", 1)[1]))
        return changed


# A sweep in Redis, so that it reads only what changed: the seats that beat since the last sweep
# ("fresh") and the seats whose last beat fell behind the cutoff since the last sweep (a range of
# "beat_at", from the last cutoff to this one). Reading every seat's beat once a second instead
# cost the sweeping web process ~90 ms of Python a second at 6,000 seats, stalling its requests.
# KEYS: beat_at (zset attempt -> epoch), beats (hash attempt -> "epoch|room"), online (set),
# fresh (set), swept (the last cutoff). ARGV: this cutoff (now - offline limit).
# Returns {attempt, 1 came back / 0 went offline, last beat's epoch, "epoch|room"} per transition.
_TRANSITIONS_LUA = """
local cutoff = tonumber(ARGV[1])
local last = redis.call('GET', KEYS[5])
local out = {}
if not last or tonumber(last) < cutoff then
  local lower = '-inf'
  if last then lower = '(' .. last end
  local stale = redis.call('ZRANGEBYSCORE', KEYS[1], lower, ARGV[1], 'WITHSCORES')
  for i = 1, #stale, 2 do
    if redis.call('SREM', KEYS[3], stale[i]) == 1 then
      table.insert(out, {stale[i], 0, stale[i + 1], redis.call('HGET', KEYS[2], stale[i]) or ''})
    end
  end
  redis.call('SET', KEYS[5], ARGV[1])
end
local fresh = redis.call('SMEMBERS', KEYS[4])
redis.call('DEL', KEYS[4])
for _, attempt in ipairs(fresh) do
  local at = redis.call('ZSCORE', KEYS[1], attempt)
  if at and tonumber(at) > cutoff and redis.call('SADD', KEYS[3], attempt) == 1 then
    table.insert(out, {attempt, 1, at, redis.call('HGET', KEYS[2], attempt) or ''})
  end
end
return out
"""


def _flush_beats(store_ref) -> None:
    """The flusher thread: write the beats and read the notices while the store lives."""
    while True:
        time.sleep(_RedisStore.FLUSH_SECONDS)
        store = store_ref()
        if store is None:
            return
        try:
            store.flush()
        except redis.RedisError:
            log.warning("presence: Redis unreachable, beats kept for the next try")
        del store


def _watch(app_ref, store_ref) -> None:
    """The watcher thread: sweep once a second while the app and its store live."""
    while True:
        time.sleep(SWEEP_SECONDS)
        app, store = app_ref(), store_ref()
        if app is None or store is None or app.extensions.get("examsys_presence") is not store:
            return
        try:
            with app.app_context():
                store.sweep(time.time(), offline_after())
        except Exception:
            log.exception("presence sweep failed")
        del app, store
