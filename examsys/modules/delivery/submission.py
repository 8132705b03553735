"""Submitting and scoring: explicit hand-in, the deadline job, and the start-up sweep.

A submitted attempt never changes again; submitting twice is harmless. Scoring goes through
the question-type registry (multiple choice all-or-nothing unless the session allows partial
credit) and is kept per knowledge area as well as in total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, plain, utcnow
from examsys.core.errors import DomainError, NotFound
from examsys.modules.banks.models import ItemRevision, KnowledgeArea, PaperItem
from examsys.modules.banks.qtypes import Scoring, get_type
from examsys.modules.delivery import clock, events, saving, util
from examsys.modules.delivery.models import Answer, Attempt, AttemptStatus, KeyCorrection, SubmittedBy


def submit(attempt: Attempt | int, by: SubmittedBy, now: datetime | None = None, token: str | None = None
           ) -> AttemptStatus:  # fmt: skip
    """Hand in and score; a candidate may not hand in before the earliest hand-in time.

    ``token`` is the candidate's browser's: a browser another login replaced cannot hand in.

    Plain statements (every candidate of a sitting hands in at the same deadline): the attempt
    is claimed with one guarded update, so a double submit (two tabs, a retry, the deadline job
    racing the candidate) changes nothing the second time. A loaded ``attempt`` is refreshed.
    """
    now = now or utcnow()
    attempt_id = attempt if isinstance(attempt, int) else attempt.id
    timing = clock.timing_of(attempt_id)
    if timing is None:
        raise NotFound(_("考试记录不存在"))
    if token is not None:
        saving.check_client(timing, token)
    if timing.status is AttemptStatus.PREPARED:
        raise DomainError(_("考生尚未开始作答"), status=409)
    if timing.status is AttemptStatus.SUBMITTED:
        return timing.status
    if by is SubmittedBy.CANDIDATE and now < timing.start + timedelta(minutes=timing.earliest_submit_minutes):
        raise DomainError(_("开考 %(n)d 分钟后才能交卷", n=timing.earliest_submit_minutes), status=409)
    connection = plain()
    if connection.execute(_CLAIM, {"attempt_id": attempt_id, "now": now, "by": by}).first() is None:
        return AttemptStatus.SUBMITTED  # handed in by another request since the read above
    scored = _score(connection, timing)
    audit.record("attempt.submit", object_type="attempts", object_id=attempt_id,
                 after={"by": by.value, "score": scored.total, "at": now})  # fmt: skip
    if not isinstance(attempt, int):
        db.session.expire(attempt, _HANDED_IN_FIELDS)
    events.seat_submitted(timing, scored.answered, scored.saved_at, now)
    if by is not SubmittedBy.CANDIDATE:  # the proctor or the deadline ended it: the page shows so at once
        events.notify_candidates(timing.session_id, timing.room_id, attempt_id)
    return AttemptStatus.SUBMITTED


def score_attempt(attempt: Attempt) -> Decimal:
    """Score (again) from the stored answers against the paper's keys, corrections included."""
    scored = _score(plain(), clock.timing_of(attempt.id))
    db.session.expire(attempt, ["score", "area_scores"])
    return scored.total


@dataclass(frozen=True)
class _Scored:
    total: Decimal
    answered: int
    saved_at: datetime | None


def _score(connection: sa.Connection, timing: clock.Timing) -> _Scored:
    """Total and per-area points, written to the answers and the attempt: plain rows in, one
    batched update out."""
    items = _paper_keys(connection, timing.paper_id, timing.paper_hash)
    answers = {row.paper_item_id: row for row in connection.execute(_CHOICES, {"attempt_id": timing.attempt_id})}
    scoring = Scoring(partial_credit=timing.partial_credit)
    keys = corrected_keys([item.revision_id for item in items])
    by_area: dict[str, Decimal] = defaultdict(Decimal)
    total, points_of = Decimal(0), []
    for item in items:
        answer = answers.get(item.id)
        choice = answer.choice if answer is not None else None
        points = get_type(item.qtype).score(keys.get(item.revision_id, item.key), choice or [], item.points, scoring)
        if answer is not None:
            points_of.append({"attempt": timing.attempt_id, "item": item.id, "points": points})
        total += points
        by_area[item.area or "—"] += points
    if points_of:
        connection.execute(_SET_POINTS, points_of)
        for loaded in [o for o in db.session.identity_map.values() if isinstance(o, Answer)]:
            if loaded.attempt_id == timing.attempt_id:  # an answer this session holds must not show old points
                db.session.expire(loaded, ["points"])
    area_scores = {name: str(value) for name, value in sorted(by_area.items())}
    connection.execute(_SET_SCORE, {"attempt_id": timing.attempt_id, "score": total, "area_scores": area_scores})
    return _Scored(
        total,
        answered=sum(1 for a in answers.values() if a.choice),
        saved_at=max((a.saved_at for a in answers.values()), default=None),
    )


_KEYS: dict[tuple[int, str], list] = {}


def _paper_keys(connection: sa.Connection, paper_id: int, paper_hash: str) -> list:
    """A sealed paper's items with their keys and areas, read once per process."""

    def read() -> list:
        return connection.execute(_PAPER_KEYS, {"paper_id": paper_id}).all()

    return util.once_per_seal(_KEYS, (paper_id, paper_hash), read)


_HANDED_IN_FIELDS = ["status", "submitted_at", "submitted_by", "deadline_at", "score", "area_scores"]
_ATTEMPTS = Attempt.__table__.c
_CLAIM = (
    sa.update(Attempt.__table__)
    .where(_ATTEMPTS.id == sa.bindparam("attempt_id"), _ATTEMPTS.status == AttemptStatus.IN_PROGRESS.value)
    .values(status=AttemptStatus.SUBMITTED.value, submitted_at=sa.bindparam("now"),
            submitted_by=sa.bindparam("by"), deadline_at=None)
    .returning(_ATTEMPTS.id)
)  # fmt: skip
_SET_SCORE = (
    sa.update(Attempt.__table__)
    .where(_ATTEMPTS.id == sa.bindparam("attempt_id"))
    .values(score=sa.bindparam("score"), area_scores=sa.bindparam("area_scores"))
)
_PAPER_KEYS = (
    sa.select(PaperItem.id, PaperItem.revision_id, PaperItem.qtype, PaperItem.points, ItemRevision.key,
              KnowledgeArea.name.label("area"))
    .join(ItemRevision, ItemRevision.id == PaperItem.revision_id)
    .outerjoin(KnowledgeArea, KnowledgeArea.id == PaperItem.area_id)
    .where(PaperItem.paper_id == sa.bindparam("paper_id"))
    .order_by(PaperItem.position)
)  # fmt: skip
_CHOICES = sa.select(Answer.paper_item_id, Answer.choice, Answer.saved_at).where(
    Answer.attempt_id == sa.bindparam("attempt_id")
)
_SET_POINTS = (
    sa.update(Answer.__table__)
    .where(Answer.__table__.c.attempt_id == sa.bindparam("attempt"),
           Answer.__table__.c.paper_item_id == sa.bindparam("item"))
    .values(points=sa.bindparam("points"))
)  # fmt: skip


def corrected_keys(revision_ids: list[int]) -> dict[int, list[str]]:
    """The newest corrected key of each revision that has one."""
    rows = plain().execute(_CORRECTIONS, {"ids": revision_ids})
    return {revision_id: key for revision_id, key in rows}  # ordered by id: the newest wins


_CORRECTIONS = (
    sa.select(KeyCorrection.revision_id, KeyCorrection.key)
    .where(KeyCorrection.revision_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(KeyCorrection.id)
)


def submit_overdue(now: datetime | None = None) -> int:
    """The deadline job (and the start-up sweep): submit every open attempt whose deadline has passed."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Attempt)
        .where(Attempt.status == AttemptStatus.IN_PROGRESS, Attempt.deadline_at.is_not(None), Attempt.deadline_at <= now)
        .order_by(Attempt.id)
        .with_for_update(skip_locked=True)
    ).all()  # fmt: skip
    for attempt in due:
        # The stored deadline may be stale by a moment (an extension committed meanwhile): recheck.
        deadline = clock.effective_deadline(attempt, clock.clock_of(attempt), now)
        if deadline is not None and deadline <= now and not clock.is_paused(attempt, clock.clock_of(attempt)):
            submit(attempt, SubmittedBy.DEADLINE, now)
    return len(due)
