"""Item statistics from the submitted attempts, and key corrections with a re-score of every attempt.

Facility (p-value) and discrimination (point-biserial against the rest of the test) come from
:mod:`examsys.modules.banks.stats`; here they are computed per form (one sealed paper) and per
item across every form that used it. A key found wrong after the exam is corrected once for
the item revision: every submitted attempt of every paper holding it is scored again, and the
correction with each changed score is audited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.modules.banks import stats
from examsys.modules.banks.models import Paper, PaperItem
from examsys.modules.banks.qtypes import get_type
from examsys.modules.delivery import submission
from examsys.modules.delivery.models import Answer, Attempt, AttemptStatus, KeyCorrection

FLAG_TITLES = {
    "too_hard": "过难",
    "too_easy": "过易",
    "negative_discrimination": "区分度为负（请核对答案）",
    "low_discrimination": "区分度偏低",
}


@dataclass(frozen=True)
class ItemRow:
    paper_item: PaperItem
    facility: float
    discrimination: float | None
    flags: list[str]


def _submitted(paper_ids: list[int]) -> list[Attempt]:
    return list(
        db.session.scalars(
            sa.select(Attempt).where(Attempt.paper_id.in_(paper_ids), Attempt.status == AttemptStatus.SUBMITTED)
        )
    )


def _matrix(attempts: list[Attempt], items: list[PaperItem]) -> list[list[float]]:
    """One row per attempt, one column per item: points earned / points available (0..1)."""
    points: dict[tuple[int, int], Decimal] = {
        (a, i): p or Decimal(0)
        for a, i, p in db.session.execute(
            sa.select(Answer.attempt_id, Answer.paper_item_id, Answer.points).where(
                Answer.attempt_id.in_([a.id for a in attempts])
            )
        )
    }
    return [[float(points.get((a.id, item.id), 0) / item.points) for item in items] for a in attempts]


def form_statistics(paper: Paper) -> tuple[stats.FormStat | None, list[ItemRow]]:
    """Statistics of one form from its submitted attempts (None with fewer than two)."""
    items = sorted(paper.items, key=lambda i: i.position)
    attempts = _submitted([paper.id])
    if len(attempts) < 2:
        return None, []
    form = stats.analyse(_matrix(attempts, items))
    return form, [ItemRow(items[s.column], s.facility, s.discrimination, s.flags) for s in form.items]


def item_statistics(papers: list[Paper]) -> dict[int, dict]:
    """Per item revision across forms: attempts, facility and discrimination pooled over the forms."""
    pooled: dict[int, list[tuple[float, float]]] = defaultdict(list)  # revision -> (score, rest-of-test)
    for paper in papers:
        items = sorted(paper.items, key=lambda i: i.position)
        attempts = _submitted([paper.id])
        for row in _matrix(attempts, items):
            total = sum(row)
            for item, score in zip(items, row, strict=True):
                pooled[item.revision_id].append((score, total - score))
    result = {}
    for revision_id, pairs in pooled.items():
        scores, rest = [p[0] for p in pairs], [p[1] for p in pairs]
        facility = sum(scores) / len(scores)
        discrimination = stats.point_biserial(scores, rest) if len(pairs) > 1 else None
        result[revision_id] = {"attempts": len(pairs), "facility": round(facility, 4),
                               "discrimination": None if discrimination is None else round(discrimination, 4),
                               "flags": stats.flags_for(facility, discrimination)}  # fmt: skip
    return result


def correct_key(paper_item: PaperItem, key: list[str], reason: str) -> dict:
    """Correct the key of the item's revision and re-score every submitted attempt that used it."""
    revision = paper_item.revision
    labels = [o["label"] for o in revision.options]
    problems = [Problem(p, field="key") for p in get_type(paper_item.qtype).check(labels, list(key))]
    if not reason.strip():
        problems.append(Problem(_("请填写更正原因"), field="reason"))
    previous = submission.corrected_keys([revision.id]).get(revision.id, revision.key)
    if sorted(previous) == sorted(key):
        problems.append(Problem(_("新答案与现行答案相同"), field="key"))
    if problems:
        raise DomainError(_("答案未更正"), problems)
    db.session.add(KeyCorrection(revision_id=revision.id, key=sorted(key), previous_key=previous, reason=reason.strip(),
                                 corrected_by_id=audit.current_actor()[0]))  # fmt: skip
    db.session.flush()
    papers = db.session.scalars(sa.select(PaperItem.paper_id).where(PaperItem.revision_id == revision.id)).all()
    changed = {}
    attempts = db.session.scalars(
        sa.select(Attempt).where(Attempt.paper_id.in_(papers), Attempt.status == AttemptStatus.SUBMITTED)
        .options(selectinload(Attempt.session))
    ).all()  # fmt: skip
    for attempt in attempts:
        before = attempt.score
        after = submission.score_attempt(attempt)
        if before != after:
            changed[attempt.id] = [str(before), str(after)]
    audit.record("item.key_correct", object_type="item_revisions", object_id=revision.id,
                 before={"key": previous}, after={"key": sorted(key), "reason": reason.strip(),
                                                  "rescored": len(attempts), "changed": changed})  # fmt: skip
    return {"rescored": len(attempts), "changed": changed}
