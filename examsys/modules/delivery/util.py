"""Delivery reads: finding the candidate's sitting at login, and the exam state the browser renders."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from examsys.core.db import db
from examsys.core.errors import DomainError, NotFound, Problem
from examsys.modules.banks.models import PaperItem
from examsys.modules.delivery import clock, options
from examsys.modules.delivery.models import Answer, Attempt, AttemptStatus
from examsys.modules.people.models import IdentityDocument
from examsys.modules.proctoring import util as proctoring_util
from examsys.modules.registration.models import Application
from examsys.modules.scheduling.models import ExamSession, Placement, SessionKind

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
    """Everything the exam page needs, as plain JSON (never the keys)."""
    room = clock.clock_of(attempt)
    placement = attempt.placement
    data = {
        "now": now.isoformat(),
        "status": attempt.status.value,
        "open": attempt.status is AttemptStatus.IN_PROGRESS,
        "paused": clock.is_paused(attempt, room),
        "remaining": clock.remaining_seconds(attempt, room, now),
        "starts_at": (clock.start_of(attempt.session, room) or attempt.session.starts_at).isoformat(),
        "duration_minutes": attempt.session.duration_minutes,
        "earliest_submit_minutes": clock.options(attempt.session).earliest_submit_minutes,
        "last_seq": attempt.last_seq,
        "candidate": {"name": placement.application.person.name, "room": placement.room.name,
                      "seat": placement.seat.label if placement.seat else "", "session": attempt.session.name},
    }  # fmt: skip
    data["messages"] = [{"id": m.id, "body": m.body, "at": m.sent_at.isoformat()}  # the proctor's broadcasts
                        for m in proctoring_util.room_messages(attempt.session_id, placement.room_id, limit=3)]  # fmt: skip
    if with_paper and attempt.status is AttemptStatus.IN_PROGRESS:
        data["items"] = _items(attempt)
        data["answers"] = {
            str(a.paper_item_id): {"choice": a.choice, "flagged": a.flagged, "seq": a.seq}
            for a in db.session.scalars(sa.select(Answer).where(Answer.attempt_id == attempt.id))
        }
    if attempt.status is AttemptStatus.SUBMITTED:
        data.update(options.result_view(attempt))
    return data


def _items(attempt: Attempt) -> list[dict]:
    ids = [item_id for item_id, _ in attempt.item_order]
    by_id = {
        p.id: p
        for p in db.session.scalars(
            sa.select(PaperItem).where(PaperItem.id.in_(ids)).options(selectinload(PaperItem.revision))
        )
    }
    items = []
    for number, (item_id, labels) in enumerate(attempt.item_order, start=1):
        item = by_id[item_id]
        text = {o["label"]: o.get("text", "") for o in item.revision.options}
        items.append({"id": item_id, "number": number, "qtype": item.qtype, "points": str(item.points),
                      "stem": item.revision.stem, "options": [{"label": lb, "text": text[lb]} for lb in labels]})  # fmt: skip
    return items
