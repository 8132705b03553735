"""Delivery reads: finding the candidate's sitting at login, and the exam state the browser renders."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from examsys.core.db import db
from examsys.core.errors import DomainError, NotFound, Problem
from examsys.modules.banks.models import ItemRevision, PaperItem
from examsys.modules.delivery import clock, options
from examsys.modules.delivery.models import Answer, Attempt, AttemptStatus
from examsys.modules.people.models import IdentityDocument, Person
from examsys.modules.proctoring import util as proctoring_util
from examsys.modules.registration.models import Application
from examsys.modules.scheduling.models import ExamSession, Placement, Room, SessionKind

WINDOW_BEFORE, WINDOW_AFTER = timedelta(minutes=30), timedelta(hours=4)


def get_attempt(attempt_id: int) -> Attempt:
    """The attempt with its placement, seat and session in the same query (every exam call uses them)."""
    attempt = db.session.get(Attempt, attempt_id, options=_WITH_SEAT)
    if attempt is None:
        raise NotFound(_("考试记录不存在"))
    return attempt


_WITH_SEAT = (
    joinedload(Attempt.placement).joinedload(Placement.seat),
    joinedload(Attempt.session),
)


def placement_for_login(id_number: str, now: datetime) -> Placement:
    """The theory placement of the person with this ID in a session that is about to start or running."""
    wanted = id_number.strip().upper()
    rows = db.session.scalars(
        sa.select(Placement)
        .join(Application, Application.id == Placement.application_id)
        .join(IdentityDocument, IdentityDocument.person_id == Application.person_id)
        .join(ExamSession, ExamSession.id == Placement.session_id)
        .where(sa.func.upper(IdentityDocument.number) == wanted, ExamSession.kind == SessionKind.THEORY,
               ExamSession.starts_at <= now + WINDOW_BEFORE, ExamSession.starts_at >= now - WINDOW_AFTER)
        .order_by(ExamSession.starts_at)
    ).all()  # fmt: skip
    if not rows:
        message = _("没有找到你此时段的理论考试，请核对证件号码或咨询监考员")
        raise DomainError(message, [Problem(message, field="id_number")])
    return rows[0]


def state(attempt: Attempt, now: datetime, with_paper: bool) -> dict:
    """Everything the exam page needs, as plain JSON (never the keys). Plain-row reads: every
    candidate asks for it at the synchronised start."""
    timing = clock.timing_of(attempt.id)
    who = db.session.execute(_WHO, {"placement_id": attempt.placement_id}).one()
    deadline = timing.deadline(now)
    data = {
        "now": now.isoformat(),
        "status": attempt.status.value,
        "open": attempt.status is AttemptStatus.IN_PROGRESS,
        "paused": timing.paused,
        "remaining": None if deadline is None else max(0, int((deadline - now).total_seconds())),
        "starts_at": (timing.start or who.starts_at).isoformat(),
        "duration_minutes": timing.duration_minutes,
        "earliest_submit_minutes": timing.earliest_submit_minutes,
        "last_seq": attempt.last_seq,
        "candidate": {"name": who.name, "room": who.room, "seat": timing.seat, "session": who.session},
    }  # fmt: skip
    data["messages"] = [{"id": m.id, "body": m.body, "at": m.sent_at.isoformat()}  # the proctor's broadcasts
                        for m in proctoring_util.room_messages(timing.session_id, timing.room_id, limit=3)]  # fmt: skip
    if with_paper and attempt.status is AttemptStatus.IN_PROGRESS:
        data["items"] = _items(timing.item_order)
        data["answers"] = {
            str(item_id): {"choice": choice, "flagged": flagged, "seq": seq}
            for item_id, choice, flagged, seq in db.session.execute(_ANSWERS, {"attempt_id": attempt.id})
        }
    if attempt.status is AttemptStatus.SUBMITTED:
        data.update(options.result_view(attempt))
    return data


def _items(item_order: list) -> list[dict]:
    """The paper as this candidate sees it: their item order and option order (no keys)."""
    rows = {row.id: row for row in db.session.execute(_PAPER, {"ids": [item_id for item_id, _ in item_order]})}
    items = []
    for number, (item_id, labels) in enumerate(item_order, start=1):
        row = rows[item_id]
        text = {o["label"]: o.get("text", "") for o in row.options}
        items.append({"id": item_id, "number": number, "qtype": row.qtype, "points": str(row.points),
                      "stem": row.stem, "options": [{"label": lb, "text": text[lb]} for lb in labels]})  # fmt: skip
    return items


_WHO = (
    sa.select(Person.name, Room.name.label("room"), ExamSession.name.label("session"), ExamSession.starts_at)
    .select_from(Placement)
    .join(Application, Application.id == Placement.application_id)
    .join(Person, Person.id == Application.person_id)
    .join(Room, Room.id == Placement.room_id)
    .join(ExamSession, ExamSession.id == Placement.session_id)
    .where(Placement.id == sa.bindparam("placement_id"))
)
_PAPER = (
    sa.select(PaperItem.id, PaperItem.qtype, PaperItem.points, ItemRevision.stem, ItemRevision.options)
    .join(ItemRevision, ItemRevision.id == PaperItem.revision_id)
    .where(PaperItem.id.in_(sa.bindparam("ids", expanding=True)))
)
_ANSWERS = sa.select(Answer.paper_item_id, Answer.choice, Answer.flagged, Answer.seq).where(
    Answer.attempt_id == sa.bindparam("attempt_id")
)
