"""How a session's machine test runs, and what each batch's candidates see after handing in."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.modules.delivery import clock
from examsys.modules.delivery.models import Attempt, BatchResultOption, ResultVisibility, SessionOptions
from examsys.modules.registration.models import Batch
from examsys.modules.scheduling.models import ExamSession

SESSION_FIELDS = ("start_by_proctor", "earliest_submit_minutes", "partial_credit")


def set_session_options(
    session: ExamSession, *, start_by_proctor: bool, earliest_submit_minutes: int, partial_credit: bool
) -> SessionOptions:
    """Save the session's options; the hand-in time must fall inside the session."""
    if not 0 <= earliest_submit_minutes <= session.duration_minutes:
        message = _("最早交卷时间应在 0 到 %(n)d 分钟之间", n=session.duration_minutes)
        raise DomainError(message, [Problem(message, field="earliest_submit_minutes")])
    row = db.session.get(SessionOptions, session.id)
    before = audit.snapshot(row, SESSION_FIELDS) if row else None
    if row is None:
        row = SessionOptions(session_id=session.id)
        db.session.add(row)
    row.start_by_proctor, row.earliest_submit_minutes, row.partial_credit = (
        start_by_proctor, earliest_submit_minutes, partial_credit)  # fmt: skip
    audit.record("session.options", session, before=before, after=audit.snapshot(row, SESSION_FIELDS))
    return row


def current_options(session: ExamSession) -> SessionOptions:
    return clock.options(session)


def visibility(batch_id: int) -> ResultVisibility:
    row = db.session.get(BatchResultOption, batch_id)
    return row.after_submit if row else ResultVisibility.NOTHING


def visibilities(batches: list[Batch]) -> dict[int, ResultVisibility]:
    rows = db.session.scalars(
        sa.select(BatchResultOption).where(BatchResultOption.batch_id.in_([b.id for b in batches]))
    )
    found = {r.batch_id: r.after_submit for r in rows}
    return {b.id: found.get(b.id, ResultVisibility.NOTHING) for b in batches}


def set_visibility(batch: Batch, value: ResultVisibility) -> None:
    row = db.session.get(BatchResultOption, batch.id)
    before = {"after_submit": row.after_submit.value} if row else {"after_submit": ResultVisibility.NOTHING.value}
    if row is None:
        row = BatchResultOption(batch_id=batch.id)
        db.session.add(row)
    row.after_submit = value
    audit.record("batch.result_visibility", batch, before=before, after={"after_submit": value.value})


def result_view(attempt: Attempt) -> dict:
    """What the candidate's screen may show after hand-in, by their batch's setting."""
    shown = visibility(attempt.placement.application.batch_id)
    if shown is ResultVisibility.NOTHING or attempt.score is None:
        return {}
    view: dict = {"score": str(attempt.score)}
    if shown is ResultVisibility.AREAS:
        view["area_scores"] = dict(attempt.area_scores or {})
    return view
