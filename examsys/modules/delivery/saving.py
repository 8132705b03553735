"""Autosave: the client's numbered changes applied idempotently; nothing after the deadline.

Every change carries the attempt's sequence number (the client counts up and never reuses
one). A change is applied when its number is higher than the one stored for that item, so a
replay after a reload or a retry after a lost acknowledgement changes nothing, and an old
change arriving late never overwrites a newer one. The answer is acknowledged with the highest
number seen, and the client drops its copies up to it. Saves from a browser that another login
replaced, after submission, while paused, or after the deadline are refused and the client
keeps its copy (the last case is recorded as an integrity event).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from psycopg.rows import namedtuple_row

from examsys.core.db import db, in_session_transaction, plain, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.modules.delivery import clock, events, util
from examsys.modules.delivery.models import Answer, Attempt, AttemptEvent, AttemptStatus, EventKind

MAX_CHANGES = 500


@dataclass(frozen=True)
class Change:
    paper_item_id: int
    choice: tuple[str, ...]
    flagged: bool
    seq: int


class SaveRefused(DomainError):
    """409: the client must keep its changes; ``reason`` says why (superseded, submitted, paused, deadline)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message, status=409)
        self.reason = reason


def parse_changes(body: object) -> list[Change]:
    """The page's ``{"changes": [{"item", "choice", "flagged", "seq"}, ...]}``; DomainError if malformed."""
    try:
        raw = body.get("changes", []) if isinstance(body, dict) else None
        if not isinstance(raw, list):
            raise TypeError
        return [_change(c) for c in raw]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DomainError(_("答案格式有误"), [Problem(_("应为改动列表"), field="changes")], status=400) from exc


def _change(raw: dict) -> Change:
    choice = raw.get("choice") or []
    if not isinstance(choice, list):
        raise TypeError("choice")
    return Change(int(raw["item"]), tuple(str(x) for x in choice), bool(raw.get("flagged")), int(raw["seq"]))


def check_client(attempt: Attempt | clock.Timing, token: str) -> None:
    if not token or token != attempt.client_token:
        raise SaveRefused(_("本场考试已在另一台机器或浏览器登录，此页面不能再保存"), "superseded")


def save(attempt: Attempt | int, token: str, changes: list[Change], now: datetime | None = None) -> int:
    """Apply ``changes``; returns the acknowledged sequence number (every change up to it is stored).

    Plain statements, no ORM objects: autosave is the hottest write of a sitting. The usual save
    is two statements, both guarded by everything that may refuse it - the browser's token, the
    status, the stored deadline (``deadline_at``: NULL while paused or not open, kept current by
    the clock service) and the paper - so a refused save writes nothing: the upsert, and the
    update of the attempt, which returns what the console's seat event needs. The paper the
    changes are checked against is cached per attempt once it is open (it never changes
    afterwards). When the guard refuses, the attempt's clock decides, as it always did: it says
    why (taken over, handed in, not open, paused, late - a late save is recorded), and if it
    accepts what the stored deadline did not, the save is applied under the clock's rule.

    On SQLite the caller takes the write lock first (``db.lock_for_write``).
    """
    now = now or utcnow()
    attempt_id = attempt if isinstance(attempt, int) else attempt.id
    if len(changes) > MAX_CHANGES:
        raise DomainError(_("一次最多保存 %(n)d 项改动", n=MAX_CHANGES))
    paper = util.open_paper_of(attempt_id, token)
    if paper is not None:
        row, committed = _save_in_time(paper, token, changes, now)
        if row is not None:
            return _saved(attempt, row, now, committed=committed)
        util.forget_open_paper(attempt_id, token)
    timing = clock.timing_of(attempt_id)
    _refuse_unless_open(timing, token, changes, now)
    items = util.sealed_items(timing)
    _validate(items, changes)
    connection = plain()
    rows = _rows(timing, items, changes, now)
    if rows:
        connection.execute(_UPSERT, rows)
    row = connection.execute(_TOUCH, _touch_values(timing, token, changes, now)).one_or_none()
    if row is None:  # handed in or taken over since the read above (another request, the deadline job)
        db.session.rollback()
        raise SaveRefused(_("已交卷或已在其他地方登录，答案未保存"), "superseded")
    return _saved(attempt, row, now)


def _save_in_time(paper: util.AttemptPaper, token: str, changes: list[Change], now: datetime):
    """The usual save against the cached paper: (the attempt's row, whether it is committed
    already), or (None, False) - with nothing written - for the clock to decide (the guard
    refused, or the cached paper does not fit). One statement on PostgreSQL, two on SQLite
    (which has no UPDATE inside WITH)."""
    try:
        items = util.sealed_items(paper)
        _validate(items, changes)
        rows = _rows(paper, items, changes, now)
    except DomainError:
        return None, False
    guard = {"token": token, "form": paper.paper_id, "opened": paper.started_at}
    if db.engine.dialect.name == "postgresql":
        rows_json = json.dumps([{k: r[k] for k in _PG_ROW} for r in rows])
        return _save_in_time_pg({**_touch_values(paper, token, changes, now), **guard, "rows": rows_json})
    connection = plain()
    written = connection.execute(_UPSERT_IN_TIME, [{**r, **guard} for r in rows]).rowcount if rows else 0
    row = connection.execute(_TOUCH_IN_TIME, _touch_values(paper, token, changes, now) | guard).one_or_none()
    if row is None and written:  # the attempt changed between the two statements: undo the answers
        db.session.rollback()
    return row, False


def _save_in_time_pg(values: dict):
    """PostgreSQL's usual save: one statement, atomic by itself, so outside a transaction of
    the session it runs alone on a pooled connection in autocommit - one round trip, no BEGIN
    or COMMIT, and no session made for it - and is committed when it returns. Inside one (the
    session has read, or is bound to a connection), it joins it. Returns (row, committed)."""
    if in_session_transaction():
        return plain().execute(_SAVE_IN_TIME_PG, values).one_or_none(), False
    pooled = db.engine.raw_connection()
    try:
        driver = pooled.driver_connection
        driver.autocommit = True
        try:
            return driver.cursor(row_factory=namedtuple_row).execute(_SAVE_IN_TIME_PG_DRIVER, values).fetchone(), True
        finally:
            driver.autocommit = False
    finally:
        pooled.close()


def _refuse_unless_open(timing: clock.Timing | None, token: str, changes: list[Change], now: datetime) -> None:
    """The clock's rule: SaveRefused saying why, unless the attempt takes answers at ``now``."""
    if timing is None:
        raise SaveRefused(_("考试记录不存在"), "missing")
    check_client(timing, token)
    if timing.status is AttemptStatus.SUBMITTED:
        raise SaveRefused(_("已交卷，答案不能再修改"), "submitted")
    deadline = timing.deadline(now)  # None exactly while the paper is not open
    if deadline is None or timing.started_at is None:
        raise SaveRefused(_("考试尚未开始"), "not_started")
    if timing.paused:
        raise SaveRefused(_("考试已暂停，恢复后自动保存"), "paused")
    if now > deadline:
        db.session.add(AttemptEvent(attempt_id=timing.attempt_id, kind=EventKind.LATE_SAVE, at=now,
                                    detail=_("%(n)d 项改动在截止后到达", n=len(changes))))  # fmt: skip
        raise SaveRefused(_("考试时间已到，答案不能再修改"), "deadline")


def _touch_values(paper, token: str, changes: list[Change], now: datetime) -> dict:
    seq = max((c.seq for c in changes), default=0)
    return {"attempt_id": paper.attempt_id, "token": token, "seq": seq, "now": now}


def _saved(attempt: Attempt | int, row, now: datetime, *, committed: bool = False) -> int:
    if not isinstance(attempt, int):
        db.session.expire(attempt, ["last_seq", "last_seen_at"])
    events.seat_saved(row, now, committed=committed)
    return row.last_seq


def _validate(items: Mapping[int, util.SealedItem], changes: list[Change]) -> None:
    """Each change names an item of the paper and options of that item, once each."""
    problems = []
    for change in changes:
        item = items.get(change.paper_item_id)
        if item is None:
            problems.append(Problem(_("第 %(id)s 题不在本试卷中", id=change.paper_item_id), field="paper_item_id"))
        elif any(label not in item.texts for label in change.choice) or len(set(change.choice)) != len(change.choice):
            problems.append(Problem(_("第 %(id)s 题的选项无效", id=change.paper_item_id), field="choice"))
        if change.seq < 1:
            problems.append(Problem(_("序号无效"), field="seq"))
    if problems:
        raise DomainError(_("答案格式有误"), problems)


def _rows(paper: util.AttemptPaper | clock.Timing, items: Mapping[int, util.SealedItem], changes: list[Change],
          now: datetime) -> list[dict]:  # fmt: skip
    """One row per item changed (within one request too, the highest number per item wins)."""
    latest: dict[int, Change] = {}
    for change in changes:
        if change.paper_item_id not in latest or change.seq > latest[change.paper_item_id].seq:
            latest[change.paper_item_id] = change
    rows = []
    for item_id, change in latest.items():
        qtype, revision_id = items[item_id].qtype, items[item_id].revision_id
        if qtype != "multiple" and len(change.choice) > 1:
            raise DomainError(
                _("第 %(id)s 题只能选一个答案", id=item_id), [Problem(_("只能选一个答案"), field="choice")]
            )
        rows.append({"attempt_id": paper.attempt_id, "paper_item_id": item_id, "revision_id": revision_id,
                     "choice": list(change.choice), "flagged": change.flagged, "seq": change.seq, "saved_at": now})  # fmt: skip
    return rows


# Where the seat is now (a proctor may have moved the candidate): the seat event's room and label.
# Spelled out, because SQLAlchemy leaves column names unqualified in SQLite's RETURNING.
_PLACEMENT_ROOM = sa.literal_column("(SELECT p.room_id FROM placements AS p WHERE p.id = attempts.placement_id)")
_PLACEMENT_SEAT = sa.literal_column(
    "(SELECT s.label FROM placements AS p JOIN seats AS s ON s.id = p.seat_id WHERE p.id = attempts.placement_id)"
)


def _touch(*guards):
    """Update the attempt's last sequence number and contact, if ``guards`` allow; returns what
    the seat event needs (the answered count is counted after the upsert, in the same transaction)."""
    return (
        sa.update(Attempt)
        .where(Attempt.id == sa.bindparam("attempt_id"), Attempt.client_token == sa.bindparam("token"),
               Attempt.status == AttemptStatus.IN_PROGRESS, *guards)
        .values(last_seq=sa.case((Attempt.last_seq < sa.bindparam("seq"), sa.bindparam("seq")), else_=Attempt.last_seq),
                last_seen_at=sa.bindparam("now"))
        .returning(Attempt.id.label("attempt_id"), Attempt.session_id, Attempt.last_seq,
                   events.answered_count(sa.bindparam("attempt_id")).label("answered"),
                   _PLACEMENT_ROOM.label("room_id"), _PLACEMENT_SEAT.label("seat"))
    )  # fmt: skip


_TOUCH = _touch()
# The usual save: refused by the database unless the stored deadline is still ahead, and unless
# the cached paper is this attempt's (the same form, opened at the same moment). Spelled twice,
# as the touch's clauses and as text for the upsert and PostgreSQL's statement; the guard tests in
# tests/delivery/test_exam_front.py run on both databases and hold them alike.
_IN_TIME = (
    " client_token = :token AND status = 'in_progress' AND deadline_at IS NOT NULL AND deadline_at >= :now"
    " AND paper_id = :form AND started_at = :opened"
)
_TOUCH_IN_TIME = _touch(
    Attempt.deadline_at.is_not(None), Attempt.deadline_at >= sa.bindparam("now"),
    Attempt.paper_id == sa.bindparam("form"), Attempt.started_at == sa.bindparam("opened"),
)  # fmt: skip

_COLUMNS = Answer.__table__.c
# One statement: a new answer is inserted, a stored one replaced only by a higher number.
# Text because SQLite and PostgreSQL spell it alike, and because SQLAlchemy 2.0 cannot cache
# insert().on_conflict_do_update() ("no key"): compiling it on every save cost more than running it.
_ON_CONFLICT = (
    " ON CONFLICT (attempt_id, paper_item_id) DO UPDATE SET choice = excluded.choice,"
    " flagged = excluded.flagged, seq = excluded.seq, saved_at = excluded.saved_at"
    " WHERE answers.seq < excluded.seq"
)
_ANSWER_TYPES = [sa.bindparam(name, type_=_COLUMNS[name].type) for name in ("choice", "flagged", "saved_at")]
_UPSERT = sa.text(
    "INSERT INTO answers (attempt_id, paper_item_id, revision_id, choice, flagged, seq, saved_at)"
    " VALUES (:attempt_id, :paper_item_id, :revision_id, :choice, :flagged, :seq, :saved_at)" + _ON_CONFLICT
).bindparams(*_ANSWER_TYPES)
# The same, writing nothing unless the attempt passes the guard of the usual save.
_UPSERT_IN_TIME = sa.text(
    "INSERT INTO answers (attempt_id, paper_item_id, revision_id, choice, flagged, seq, saved_at)"
    " SELECT :attempt_id, :paper_item_id, :revision_id, :choice, :flagged, :seq, :saved_at"
    " WHERE EXISTS (SELECT 1 FROM attempts WHERE id = :attempt_id AND"
    + _IN_TIME.replace(":now", ":saved_at")
    + ")"
    + _ON_CONFLICT
).bindparams(*_ANSWER_TYPES, sa.bindparam("opened", type_=Attempt.started_at.type))
_PG_ROW = ("paper_item_id", "revision_id", "choice", "flagged", "seq")
# The usual save on PostgreSQL in one statement: the guard row (locked, so a hand-in waits for
# it), the upsert and the touch. Sub-statements all read the answers as they were before the
# statement, so the answered count adds the rows it wrote to the ones it left alone.
# The guard's own clauses sit inside CASE, which no index can serve: the row is found by its id
# whatever the planner's statistics say. Statistics taken while a sitting's attempts were all
# prepared made the status index (since dropped) look cheaper than the primary key, and every
# save read every open attempt; the deadline's index, all unset then, could mislead the same way.
_SAVE_IN_TIME_PG = sa.text(
    "WITH guard AS (SELECT id FROM attempts WHERE id = :attempt_id AND CASE WHEN" + _IN_TIME + " THEN true END"
    " FOR UPDATE),"
    " v AS (SELECT * FROM json_to_recordset(CAST(:rows AS json))"
    "       AS v(paper_item_id int, revision_id int, choice json, flagged boolean, seq int)),"
    " up AS (INSERT INTO answers (attempt_id, paper_item_id, revision_id, choice, flagged, seq, saved_at)"
    "        SELECT guard.id, v.paper_item_id, v.revision_id, v.choice, v.flagged, v.seq, :now FROM guard, v"
    + _ON_CONFLICT
    + " RETURNING paper_item_id, choice),"
    " t AS (UPDATE attempts SET last_seq = GREATEST(last_seq, :seq), last_seen_at = :now"
    "       WHERE id IN (SELECT id FROM guard) RETURNING id, session_id, last_seq, placement_id)"
    " SELECT t.id AS attempt_id, t.session_id, t.last_seq, p.room_id, s.label AS seat,"
    " (SELECT count(*) FROM answers a WHERE a.attempt_id = t.id AND json_array_length(a.choice) > 0"
    "   AND a.paper_item_id NOT IN (SELECT paper_item_id FROM up))"
    " + (SELECT count(*) FROM up WHERE json_array_length(up.choice) > 0) AS answered"
    " FROM t JOIN placements p ON p.id = t.placement_id LEFT JOIN seats s ON s.id = p.seat_id"
).bindparams(sa.bindparam("now", type_=Attempt.deadline_at.type), sa.bindparam("opened", type_=Attempt.started_at.type))
# The same for the driver itself (psycopg's parameter style).
_SAVE_IN_TIME_PG_DRIVER = re.sub(r":(\w+)", r"%(\1)s", _SAVE_IN_TIME_PG.text)
