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

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core.db import db, plain, utcnow
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


def check_client(attempt: Attempt | clock.Timing, token: str) -> None:
    if not token or token != attempt.client_token:
        raise SaveRefused(_("本场考试已在另一台机器或浏览器登录，此页面不能再保存"), "superseded")


def save(attempt: Attempt | int, token: str, changes: list[Change], now: datetime | None = None,
         timing: clock.Timing | None = None) -> int:  # fmt: skip
    """Apply ``changes``; returns the acknowledged sequence number (every change up to it is stored).

    Plain statements, no ORM objects: autosave is the hottest write of a sitting (one read of
    the attempt's clock, unless the caller read it just before, one upsert, one guarded
    update). The guarded update re-checks the token and the status, so a clock read a moment
    earlier can never let a save into a handed-in or taken-over attempt.
    """
    now = now or utcnow()
    attempt_id = attempt if isinstance(attempt, int) else attempt.id
    timing = timing or clock.timing_of(attempt_id)
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
        db.session.add(AttemptEvent(attempt_id=attempt_id, kind=EventKind.LATE_SAVE, at=now,
                                    detail=_("%(n)d 项改动在截止后到达", n=len(changes))))  # fmt: skip
        raise SaveRefused(_("考试时间已到，答案不能再修改"), "deadline")
    _validate(timing, changes)
    connection = plain()
    _apply(connection, timing, changes, now)
    seq = max(c.seq for c in changes) if changes else 0
    row = connection.execute(_TOUCH, {"attempt_id": attempt_id, "token": token, "seq": seq, "now": now}).one_or_none()
    if row is None:  # handed in or taken over since the read above (another request, the deadline job)
        db.session.rollback()
        raise SaveRefused(_("已交卷或已在其他地方登录，答案未保存"), "superseded")
    if not isinstance(attempt, int):
        db.session.expire(attempt, ["last_seq", "last_seen_at"])
    events.seat_saved(timing, row.last_seq, row.answered, now)
    return row.last_seq


_TOUCH = (
    sa.update(Attempt)
    .where(Attempt.id == sa.bindparam("attempt_id"), Attempt.client_token == sa.bindparam("token"),
           Attempt.status == AttemptStatus.IN_PROGRESS)
    .values(last_seq=sa.case((Attempt.last_seq < sa.bindparam("seq"), sa.bindparam("seq")), else_=Attempt.last_seq),
            last_seen_at=sa.bindparam("now"))
    .returning(Attempt.last_seq, events.answered_count(sa.bindparam("attempt_id")).label("answered"))
)  # fmt: skip


def _validate(timing: clock.Timing, changes: list[Change]) -> None:
    if len(changes) > MAX_CHANGES:
        raise DomainError(_("一次最多保存 %(n)d 项改动", n=MAX_CHANGES))
    shown = {item_id: labels for item_id, labels in timing.item_order}
    problems = []
    for change in changes:
        labels = shown.get(change.paper_item_id)
        if labels is None:
            problems.append(Problem(_("第 %(id)s 题不在本试卷中", id=change.paper_item_id), field="paper_item_id"))
        elif any(label not in labels for label in change.choice) or len(set(change.choice)) != len(change.choice):
            problems.append(Problem(_("第 %(id)s 题的选项无效", id=change.paper_item_id), field="choice"))
        if change.seq < 1:
            problems.append(Problem(_("序号无效"), field="seq"))
    if problems:
        raise DomainError(_("答案格式有误"), problems)


def _apply(connection: sa.Connection, timing: clock.Timing, changes: list[Change], now: datetime) -> None:
    latest: dict[int, Change] = {}
    for change in changes:  # within one request too, the highest number per item wins
        if change.paper_item_id not in latest or change.seq > latest[change.paper_item_id].seq:
            latest[change.paper_item_id] = change
    if not latest:
        return
    items = util.sealed_items(timing)
    rows = []
    for item_id, change in latest.items():
        qtype, revision_id = items[item_id].qtype, items[item_id].revision_id
        if qtype != "multiple" and len(change.choice) > 1:
            raise DomainError(
                _("第 %(id)s 题只能选一个答案", id=item_id), [Problem(_("只能选一个答案"), field="choice")]
            )
        rows.append({"attempt_id": timing.attempt_id, "paper_item_id": item_id, "revision_id": revision_id,
                     "choice": list(change.choice), "flagged": change.flagged, "seq": change.seq, "saved_at": now})  # fmt: skip
    connection.execute(_UPSERT, rows)


_COLUMNS = Answer.__table__.c
# One statement: a new answer is inserted, a stored one replaced only by a higher number.
# Text because SQLite and PostgreSQL spell it alike, and because SQLAlchemy 2.0 cannot cache
# insert().on_conflict_do_update() ("no key"): compiling it on every save cost more than running it.
_UPSERT = sa.text(
    "INSERT INTO answers (attempt_id, paper_item_id, revision_id, choice, flagged, seq, saved_at)"
    " VALUES (:attempt_id, :paper_item_id, :revision_id, :choice, :flagged, :seq, :saved_at)"
    " ON CONFLICT (attempt_id, paper_item_id) DO UPDATE SET choice = excluded.choice,"
    " flagged = excluded.flagged, seq = excluded.seq, saved_at = excluded.saved_at"
    " WHERE answers.seq < excluded.seq"
).bindparams(*(sa.bindparam(name, type_=_COLUMNS[name].type) for name in ("choice", "flagged", "saved_at")))
