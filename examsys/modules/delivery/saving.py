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

from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.modules.banks.models import PaperItem
from examsys.modules.delivery import clock, events
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


def check_client(attempt: Attempt, token: str) -> None:
    if not token or token != attempt.client_token:
        raise SaveRefused(_("本场考试已在另一台机器或浏览器登录，此页面不能再保存"), "superseded")


def save(attempt: Attempt, token: str, changes: list[Change], now: datetime | None = None) -> int:
    """Apply ``changes``; returns the acknowledged sequence number (every change up to it is stored)."""
    now = now or utcnow()
    check_client(attempt, token)
    if attempt.status is AttemptStatus.SUBMITTED:
        raise SaveRefused(_("已交卷，答案不能再修改"), "submitted")
    room = clock.clock_of(attempt)
    deadline = clock.effective_deadline(attempt, room, now)  # None exactly while the paper is not open
    if deadline is None or attempt.started_at is None:
        raise SaveRefused(_("考试尚未开始"), "not_started")
    if clock.is_paused(attempt, room):
        raise SaveRefused(_("考试已暂停，恢复后自动保存"), "paused")
    if now > deadline:
        db.session.add(AttemptEvent(attempt_id=attempt.id, kind=EventKind.LATE_SAVE, at=now,
                                    detail=_("%(n)d 项改动在截止后到达", n=len(changes))))  # fmt: skip
        raise SaveRefused(_("考试时间已到，答案不能再修改"), "deadline")
    _validate(attempt, changes)
    _apply(attempt, changes, now)
    attempt.last_seq = max([attempt.last_seq, *(c.seq for c in changes)])
    attempt.last_seen_at = now
    events.seat_changed(attempt, now)
    return attempt.last_seq


def _validate(attempt: Attempt, changes: list[Change]) -> None:
    if len(changes) > MAX_CHANGES:
        raise DomainError(_("一次最多保存 %(n)d 项改动", n=MAX_CHANGES))
    shown = {item_id: labels for item_id, labels in attempt.item_order}
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


def _apply(attempt: Attempt, changes: list[Change], now: datetime) -> None:
    latest: dict[int, Change] = {}
    for change in changes:  # within one request too, the highest number per item wins
        if change.paper_item_id not in latest or change.seq > latest[change.paper_item_id].seq:
            latest[change.paper_item_id] = change
    # Plain rows and statements, no ORM objects: autosave is the hottest write of a sitting.
    stored = dict(
        db.session.execute(
            sa.select(Answer.paper_item_id, Answer.seq).where(
                Answer.attempt_id == attempt.id, Answer.paper_item_id.in_(latest)
            )
        )
        .tuples()
        .all()
    )
    items = {
        item_id: (qtype, revision_id)
        for item_id, qtype, revision_id in db.session.execute(
            sa.select(PaperItem.id, PaperItem.qtype, PaperItem.revision_id).where(PaperItem.id.in_(latest))
        )
    }
    inserts, updates = [], []
    for item_id, change in latest.items():
        choice = list(change.choice)
        qtype, revision_id = items[item_id]
        if qtype != "multiple" and len(choice) > 1:
            raise DomainError(
                _("第 %(id)s 题只能选一个答案", id=item_id), [Problem(_("只能选一个答案"), field="choice")]
            )
        if item_id not in stored:
            inserts.append({"attempt_id": attempt.id, "paper_item_id": item_id, "revision_id": revision_id,
                            "choice": choice, "flagged": change.flagged, "seq": change.seq, "saved_at": now})  # fmt: skip
        elif change.seq > stored[item_id]:
            updates.append({"item": item_id, "choice": choice, "flagged": change.flagged, "seq": change.seq})
    if inserts:
        db.session.execute(sa.insert(Answer), inserts)
    if updates:
        table = Answer.__table__
        db.session.execute(
            sa.update(table)
            .where(table.c.attempt_id == attempt.id, table.c.paper_item_id == sa.bindparam("item"),
                   table.c.seq < sa.bindparam("seq"))
            .values(choice=sa.bindparam("choice"), flagged=sa.bindparam("flagged"), seq=sa.bindparam("seq"),
                    saved_at=now),
            updates,
        )  # fmt: skip
