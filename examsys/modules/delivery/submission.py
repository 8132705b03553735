"""Submitting and scoring: explicit hand-in, the deadline job, and the start-up sweep.

A submitted attempt never changes again; submitting twice is harmless. Scoring goes through
the question-type registry (multiple choice all-or-nothing unless the session allows partial
credit) and is kept per knowledge area as well as in total.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError
from examsys.modules.banks.models import ItemRevision, KnowledgeArea, PaperItem
from examsys.modules.banks.qtypes import Scoring, get_type
from examsys.modules.delivery import clock, events
from examsys.modules.delivery.models import Answer, Attempt, AttemptStatus, KeyCorrection, SubmittedBy


def submit(attempt: Attempt, by: SubmittedBy, now: datetime | None = None) -> Attempt:
    """Hand in and score; a candidate may not hand in before the earliest hand-in time."""
    now = now or utcnow()
    if attempt.status is AttemptStatus.SUBMITTED:
        return attempt  # a double submit (two tabs, a retry, the job racing the candidate) is harmless
    if attempt.status is AttemptStatus.PREPARED:
        raise DomainError(_("考生尚未开始作答"), status=409)
    if by is SubmittedBy.CANDIDATE:
        timing = clock.timing_of(attempt.id)  # one read of the start and the setting
        if now < timing.start + timedelta(minutes=timing.earliest_submit_minutes):
            raise DomainError(_("开考 %(n)d 分钟后才能交卷", n=timing.earliest_submit_minutes), status=409)
    score_attempt(attempt)
    attempt.status, attempt.submitted_at, attempt.submitted_by = AttemptStatus.SUBMITTED, now, by
    attempt.deadline_at = None
    audit.record("attempt.submit", attempt, after={"by": by.value, "score": attempt.score, "at": now})
    events.seat_changed(attempt, now)
    if by is not SubmittedBy.CANDIDATE:  # the proctor or the deadline ended it: the page shows so at once
        events.notify_candidates(attempt.session_id, attempt.placement.room_id, attempt.id)
    return attempt


def score_attempt(attempt: Attempt) -> Decimal:
    """Total and per-area points from the stored answers against the paper's keys.

    Plain rows in and one batched update out: every candidate is scored at the same deadline.
    """
    items = db.session.execute(_PAPER_KEYS, {"paper_id": attempt.paper_id}).all()
    answers = dict(db.session.execute(_CHOICES, {"attempt_id": attempt.id}).tuples().all())
    scoring = Scoring(partial_credit=clock.options(attempt.session).partial_credit)
    keys = corrected_keys([item.revision_id for item in items])
    by_area: dict[str, Decimal] = defaultdict(Decimal)
    total, points_of = Decimal(0), []
    for item in items:
        choice = answers.get(item.id)
        points = get_type(item.qtype).score(keys.get(item.revision_id, item.key), choice or [], item.points, scoring)
        if choice is not None:
            points_of.append({"item": item.id, "points": points})
        total += points
        by_area[item.area or "—"] += points
    if points_of:
        db.session.execute(_SET_POINTS.where(Answer.attempt_id == attempt.id), points_of)
        for loaded in [o for o in db.session.identity_map.values() if isinstance(o, Answer)]:
            if loaded.attempt_id == attempt.id:  # an answer this session holds must not show old points
                db.session.expire(loaded, ["points"])
    attempt.score = total
    attempt.area_scores = {name: str(value) for name, value in sorted(by_area.items())}
    return total


_PAPER_KEYS = (
    sa.select(PaperItem.id, PaperItem.revision_id, PaperItem.qtype, PaperItem.points, ItemRevision.key,
              KnowledgeArea.name.label("area"))
    .join(ItemRevision, ItemRevision.id == PaperItem.revision_id)
    .outerjoin(KnowledgeArea, KnowledgeArea.id == PaperItem.area_id)
    .where(PaperItem.paper_id == sa.bindparam("paper_id"))
    .order_by(PaperItem.position)
)  # fmt: skip
_CHOICES = sa.select(Answer.paper_item_id, Answer.choice).where(Answer.attempt_id == sa.bindparam("attempt_id"))
_SET_POINTS = (
    sa.update(Answer.__table__)
    .where(Answer.__table__.c.paper_item_id == sa.bindparam("item"))
    .values(points=sa.bindparam("points"))
)


def corrected_keys(revision_ids: list[int]) -> dict[int, list[str]]:
    """The newest corrected key of each revision that has one."""
    keys: dict[int, list[str]] = {}
    rows = db.session.scalars(
        sa.select(KeyCorrection).where(KeyCorrection.revision_id.in_(revision_ids)).order_by(KeyCorrection.id)
    )
    for row in rows:
        keys[row.revision_id] = row.key
    return keys


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
