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
    if clock.start_of(attempt.session, room) is None or (attempt.started_at is None):
        raise SaveRefused(_("考试尚未开始"), "not_started")
    if clock.is_paused(attempt, room):
        raise SaveRefused(_("考试已暂停，恢复后自动保存"), "paused")
    deadline = clock.effective_deadline(attempt, room, now)
    if deadline is not None and now > deadline:
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
    stored = {
        a.paper_item_id: a
        for a in db.session.scalars(
            sa.select(Answer).where(Answer.attempt_id == attempt.id, Answer.paper_item_id.in_(latest))
        )
    }
    qtypes = dict(
        db.session.execute(sa.select(PaperItem.id, PaperItem.qtype).where(PaperItem.id.in_(latest))).tuples().all()
    )
    revisions = dict(
        db.session.execute(sa.select(PaperItem.id, PaperItem.revision_id).where(PaperItem.id.in_(latest)))
        .tuples()
        .all()
    )
    for item_id, change in latest.items():
        choice = list(change.choice)
        if qtypes[item_id] != "multiple" and len(choice) > 1:
            raise DomainError(
                _("第 %(id)s 题只能选一个答案", id=item_id), [Problem(_("只能选一个答案"), field="choice")]
            )
        answer = stored.get(item_id)
        if answer is None:
            db.session.add(Answer(attempt_id=attempt.id, paper_item_id=item_id, revision_id=revisions[item_id],
                                  choice=choice, flagged=change.flagged, seq=change.seq, saved_at=now))  # fmt: skip
        elif change.seq > answer.seq:
            answer.choice, answer.flagged, answer.seq, answer.saved_at = choice, change.flagged, change.seq, now
