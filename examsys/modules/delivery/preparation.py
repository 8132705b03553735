"""Papers prepared before the session: each seat's paper, item order and option order stored ahead.

The synchronised start then only reads. A session's candidates of one batch sit the newest
sealed assembly of their job and level's blueprint, the form printed on their seat (A/B/...).
Preparing again after a seat move re-deals a not-yet-started attempt to its new form; an
attempt already started keeps its paper (its answers follow the candidate).
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from examsys.core import audit
from examsys.core.db import db, refresh_statistics
from examsys.core.errors import DomainError, Problem
from examsys.modules.banks import util as bank_util
from examsys.modules.banks.assembly import candidate_order
from examsys.modules.banks.models import Paper
from examsys.modules.delivery.models import Attempt, AttemptStatus, SessionPaper
from examsys.modules.registration.models import Application, Batch
from examsys.modules.scheduling.models import ExamSession, Placement, SessionKind


def _placements(session: ExamSession) -> list[Placement]:
    return list(
        db.session.scalars(
            sa.select(Placement)
            .where(Placement.session_id == session.id)
            .options(selectinload(Placement.application).selectinload(Application.batch).selectinload(Batch.job))
        )
    )


def _newest_forms(batch: Batch) -> dict[str, Paper]:
    """Form letter -> paper of the newest sealed assembly of the batch's blueprint."""
    for blueprint in bank_util.blueprints(batch.job_id, batch.level):
        papers = bank_util.papers_of(blueprint)
        if papers:
            newest = papers[0].batch_label
            return {p.form: p for p in papers if p.batch_label == newest}
    return {}


def assign_papers(session: ExamSession) -> list[SessionPaper]:
    """Choose the paper for every (batch, form) seated in the session; the papers open at its start."""
    if session.kind is not SessionKind.THEORY:
        raise DomainError(_("只有理论考试场次使用机考试卷"))
    needed: dict[Batch, set[str]] = defaultdict(set)
    for p in _placements(session):
        needed[p.application.batch].add(p.form)
    problems, rows = [], []
    for batch, forms in sorted(needed.items(), key=lambda kv: kv[0].id):
        available = _newest_forms(batch)
        for form in sorted(forms):
            paper = available.get(form)
            if paper is None:
                problems.append(Problem(_("%(batch)s 没有已封存的 %(form)s 卷，请先组卷", batch=batch.name, form=form),
                                        field="papers"))  # fmt: skip
                continue
            row = db.session.get(SessionPaper, (session.id, batch.id, form))
            if row is None:
                row = SessionPaper(session_id=session.id, batch_id=batch.id, form=form, paper_id=paper.id)
                db.session.add(row)
            row.paper_id = paper.id
            # Sealed until the first session that uses the paper begins.
            if paper.opens_at is None or paper.opens_at > session.starts_at:
                paper.opens_at = session.starts_at
            rows.append(row)
    if problems:
        raise DomainError(_("试卷未能分配"), problems)
    audit.record("session.papers", session, after={"papers": [[r.batch_id, r.form, r.paper_id] for r in rows]})
    return rows


def prepare_attempts(session: ExamSession) -> int:
    """Create (or re-deal, if not started) every seated candidate's attempt; returns how many changed."""
    papers = {(r.batch_id, r.form): r.paper for r in db.session.scalars(
        sa.select(SessionPaper).where(SessionPaper.session_id == session.id).options(selectinload(SessionPaper.paper))
    )}  # fmt: skip
    existing = {
        a.placement_id: a for a in db.session.scalars(sa.select(Attempt).where(Attempt.session_id == session.id))
    }
    changed = 0
    for placement in _placements(session):
        paper = papers.get((placement.application.batch_id, placement.form))
        if paper is None:
            raise DomainError(
                _("请先为场次分配试卷"), [Problem(_("缺少 %(form)s 卷", form=placement.form), field="papers")]
            )
        attempt = existing.get(placement.id)
        if attempt is not None and (attempt.status is not AttemptStatus.PREPARED or attempt.paper_id == paper.id):
            continue
        order = [[d.paper_item_id, d.option_order] for d in candidate_order(paper, str(placement.application_id))]
        if attempt is None:
            db.session.add(
                Attempt(placement_id=placement.id, session_id=session.id, paper_id=paper.id, item_order=order)
            )
        else:
            attempt.paper_id, attempt.item_order = paper.id, order
        changed += 1
    db.session.flush()
    # The synchronised start's lookups (login by ID number, the room's open papers) are planned
    # on these tables' statistics: fresh ones, not whatever autovacuum has seen yet.
    refresh_statistics("attempts", "placements", "applications", "identity_documents", "people", "tickets")
    audit.record("session.prepare", session, after={"attempts": changed})
    return changed
