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
        .options(joinedload(Placement.seat), joinedload(Placement.session))  # the login reads both
    ).all()  # fmt: skip
    if not rows:
        message = _("没有找到你此时段的理论考试，请核对证件号码或咨询监考员")
        raise DomainError(message, [Problem(message, field="id_number")])
    return rows[0]


def state(attempt: Attempt | int, now: datetime, with_paper: bool, timing: clock.Timing | None = None) -> dict:
    """Everything the exam page needs, as plain JSON (never the keys). Plain-row reads: every
    candidate asks for it at the synchronised start."""
    attempt_id = attempt if isinstance(attempt, int) else attempt.id
    timing = timing or clock.timing_of(attempt_id)
    who = db.session.execute(_WHO, {"placement_id": timing.placement_id}).one()
    deadline = timing.deadline(now)
    data = {
        "now": now.isoformat(),
        "status": timing.status.value,
        "open": timing.status is AttemptStatus.IN_PROGRESS,
        "paused": timing.paused,
        "remaining": None if deadline is None else max(0, int((deadline - now).total_seconds())),
        "starts_at": (timing.start or who.starts_at).isoformat(),
        "duration_minutes": timing.duration_minutes,
        "earliest_submit_minutes": timing.earliest_submit_minutes,
        "last_seq": timing.last_seq,
        "candidate": {"name": who.name, "room": who.room, "seat": timing.seat, "session": who.session},
    }  # fmt: skip
    data["messages"] = [{"id": m.id, "body": m.body, "at": m.sent_at.isoformat()}  # the proctor's broadcasts
                        for m in proctoring_util.room_messages(timing.session_id, timing.room_id, limit=3)]  # fmt: skip
    if with_paper and timing.status is AttemptStatus.IN_PROGRESS:
        data["items"] = _items(timing)
        data["answers"] = {
            str(item_id): {"choice": choice, "flagged": flagged, "seq": seq}
            for item_id, choice, flagged, seq in db.session.execute(_ANSWERS, {"attempt_id": attempt_id})
        }
    if timing.status is AttemptStatus.SUBMITTED:
        data.update(options.result_view(get_attempt(attempt_id) if isinstance(attempt, int) else attempt))
    return data


def _items(timing: clock.Timing) -> list[dict]:
    """The paper as this candidate sees it: their item order and option order (no keys)."""
    content = _paper_content(timing.paper_hash, tuple(sorted(item_id for item_id, _ in timing.item_order)))
    items = []
    for number, (item_id, labels) in enumerate(timing.item_order, start=1):
        qtype, points, stem, text = content[item_id]
        items.append({"id": item_id, "number": number, "qtype": qtype, "points": points, "stem": stem,
                      "options": [{"label": lb, "text": text[lb]} for lb in labels]})  # fmt: skip
    return items


_CONTENT: dict[tuple[str, tuple[int, ...]], dict] = {}


def _paper_content(paper_hash: str, item_ids: tuple[int, ...]) -> dict[int, tuple]:
    """A sealed paper's items, read once per process: every candidate of a form shows the same.

    Keyed by the paper's content hash (the seal) and its item ids, so a different paper - or
    the same ids in another database - never matches; the seal means the content cannot change.
    """
    key = (paper_hash, item_ids)
    found = _CONTENT.get(key)
    if found is None:
        found = {
            row.id: (row.qtype, str(row.points), row.stem, {o["label"]: o.get("text", "") for o in row.options})
            for row in db.session.execute(_PAPER, {"ids": list(item_ids)})
        }
        if len(_CONTENT) >= 256:  # forms of the sittings running now; older ones drop out
            _CONTENT.clear()
        _CONTENT[key] = found
    return found


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
