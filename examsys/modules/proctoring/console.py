"""The proctor console's candidate and room actions beyond the clock: a spare seat, a re-login, a broadcast.

Each is audited (the room record lists it, see util.room_actions) and the console hears of it
on the room's /proctor channel after the commit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.modules.accounts.models import User
from examsys.modules.delivery import events
from examsys.modules.delivery.models import Attempt, AttemptStatus
from examsys.modules.proctoring.models import RoomMessage
from examsys.modules.scheduling.models import ExamSession, Placement, Room, Seat

MESSAGE_LENGTH = 300


def _need(reason: str) -> str:
    if not (reason or "").strip():
        raise DomainError(_("请填写原因"), [Problem(_("请填写原因"), field="reason")])
    return reason.strip()


def _running(attempt: Attempt) -> None:
    if attempt.status is AttemptStatus.SUBMITTED:
        raise DomainError(_("该考生已交卷"), status=409)


def _seat_refusal(placement: Placement, seat: Seat) -> str | None:
    """Why ``seat`` cannot take this candidate now (the same hard checks as scheduling's move)."""
    if seat.room_id != placement.room_id:
        return _("只能调到本考场的座位")
    if seat.id == placement.seat_id:
        return _("考生已在 %(seat)s 号座位", seat=seat.label)
    if not seat.in_service:
        return _("座位 %(seat)s 已停用", seat=seat.label)
    taken = db.session.scalar(
        sa.select(Placement.id).where(Placement.session_id == placement.session_id, Placement.seat_id == seat.id)
    )
    if taken is not None:
        return _("座位 %(seat)s 已有考生", seat=seat.label)
    return None


def move_to_spare_seat(attempt: Attempt, seat: Seat, reason: str, now: datetime | None = None) -> Seat | None:
    """Move a candidate whose machine failed to a free seat of the same room, mid-exam.

    The attempt (answers, clock, paper form) stays with the placement, so nothing is lost and
    the remaining time carries over; seat binding follows the new seat's machine. The old
    seat is taken out of service (faulty) and the browser token cleared, so the candidate
    logs in at the new machine without a second-login alert. Returns the old seat.
    """
    now = now or utcnow()
    reason = _need(reason)
    _running(attempt)
    placement = attempt.placement
    if (refusal := _seat_refusal(placement, seat)) is not None:
        raise DomainError(refusal, [Problem(refusal, field="seat_id")])
    old = placement.seat
    # The form stays: the paper was fixed when the attempt was prepared (unlike scheduling's move).
    placement.seat_id, placement.manual = seat.id, True
    attempt.client_token = ""
    if old is not None:
        old.in_service = False
        audit.record("seat.out_of_service", old, before={"in_service": True},
                     after={"in_service": False, "reason": reason, "attempt": attempt.id})  # fmt: skip
    db.session.flush()
    db.session.refresh(placement)
    audit.record("placement.move", placement, before={"seat": old.label if old else None},
                 after={"from": old.label if old else "", "seat": seat.label, "faulty": old.label if old else "",
                        "reason": reason, "attempt": attempt.id})  # fmt: skip
    events.seat_changed(attempt, now)
    events.notify_candidates(attempt.session_id, placement.room_id, attempt.id)  # the old screen stops at once
    return old


def allow_relogin(attempt: Attempt, reason: str, now: datetime | None = None) -> None:
    """Let the candidate log in again (another browser or machine) without the second-login alert.

    The current browser's token is cleared: it stops saving, and the next login is a first one.
    """
    reason = _need(reason)
    _running(attempt)
    attempt.client_token = ""
    audit.record("attempt.relogin", attempt, after={"reason": reason, "ip": attempt.client_ip})
    events.seat_changed(attempt, now or utcnow())
    events.notify_candidates(attempt.session_id, attempt.placement.room_id, attempt.id)


def broadcast(session: ExamSession, room: Room, body: str, by: User | None, now: datetime | None = None) -> RoomMessage:
    """A message to every candidate of the room, shown on their exam page."""
    text = (body or "").strip()
    if not text or len(text) > MESSAGE_LENGTH:
        message = _("请填写广播内容（不超过 %(n)d 字）", n=MESSAGE_LENGTH)
        raise DomainError(message, [Problem(message, field="message")])
    if room not in session.rooms:
        raise DomainError(_("该考场不在此场次中"), status=404)
    row = RoomMessage(session_id=session.id, room_id=room.id, body=text, sent_at=now or utcnow(),
                      sent_by_id=by.id if by else None)  # fmt: skip
    db.session.add(row)
    audit.record("room.broadcast", row, after={"session": session.id, "room": room.id, "body": text})
    events.room_event(session.id, room.id, "broadcast", {"id": row.id, "body": text, "at": row.sent_at.isoformat()})
    events.notify_candidates(session.id, room.id)  # on every exam page of the room within a heartbeat
    return row
