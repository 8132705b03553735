"""Server-side time: when an attempt's paper opens, when it must end, and the proctor's clock actions.

Deadline = start + duration + extra time (approved extensions and credited outages)
           + completed pauses (the room's and the candidate's) + the pause in progress.
The start is the scheduled start, or the moment the proctor opened the room when the session
says so. While the room or the candidate is paused the clock stands still: the deadline is
not fixed (``Attempt.deadline_at`` is NULL, so the deadline job leaves the attempt alone) and
the remaining time is frozen. A candidate pause during a room pause counts both; proctors end
one before starting the other (the console does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, plain, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.modules.banks.models import Paper
from examsys.modules.delivery import events
from examsys.modules.delivery.models import Attempt, AttemptStatus, RoomClock, SessionOptions
from examsys.modules.scheduling.models import ExamSession, Placement, Room, Seat


def options(session: ExamSession) -> SessionOptions:
    """The session's options, or an unsaved row with the defaults (column defaults apply only on insert)."""
    found = db.session.get(SessionOptions, session.id)
    if found is not None:
        return found
    return SessionOptions(session_id=session.id, start_by_proctor=False, partial_credit=False,
                          earliest_submit_minutes=earliest_submit_default())  # fmt: skip


def earliest_submit_default() -> int:
    return int(current_app.config.get("EARLIEST_SUBMIT_MINUTES", 30)) if has_app_context() else 30


def room_clock(session: ExamSession, room_id: int) -> RoomClock:
    clock = db.session.get(RoomClock, (session.id, room_id))
    if clock is None:
        clock = RoomClock(session_id=session.id, room_id=room_id, paused_seconds=0)
        db.session.add(clock)
    return clock


def start_of(session: ExamSession, clock: RoomClock | None) -> datetime | None:
    """When the paper opens for this room: None while a proctor-started room is not open yet."""
    if options(session).start_by_proctor:
        return clock.opened_at if clock else None
    return session.starts_at


def _paused(since: datetime | None, now: datetime) -> float:
    return (now - since).total_seconds() if since else 0.0


def effective_deadline(attempt: Attempt, clock: RoomClock | None, now: datetime) -> datetime | None:
    """The deadline as if every running pause ended now; None before the paper opens."""
    return deadline_from(
        start_of(attempt.session, clock), attempt.session.duration_minutes, attempt.extra_seconds,
        (attempt.paused_seconds, attempt.paused_at), (clock.paused_seconds, clock.paused_at) if clock else (0, None),
        now,
    )  # fmt: skip


def deadline_from(start: datetime | None, duration_minutes: int, extra_seconds: int,
                  attempt_pauses: tuple[int, datetime | None], room_pauses: tuple[int, datetime | None],
                  now: datetime) -> datetime | None:  # fmt: skip
    """The one deadline formula: start + duration + extra time + every pause (a running one up to now)."""
    if start is None:
        return None
    stopped = sum(seconds + _paused(since, now) for seconds, since in (attempt_pauses, room_pauses))
    return start + timedelta(seconds=duration_minutes * 60 + extra_seconds + stopped)


@dataclass(frozen=True)
class Timing:
    """An attempt's clock as plain values, read in one query (the autosave's hot path)."""

    attempt_id: int
    placement_id: int
    paper_id: int
    paper_hash: str
    session_id: int
    room_id: int
    seat: str
    status: AttemptStatus
    client_token: str
    item_order: list
    last_seq: int
    started_at: datetime | None
    start: datetime | None
    duration_minutes: int
    earliest_submit_minutes: int
    partial_credit: bool
    extra_seconds: int
    attempt_pauses: tuple[int, datetime | None]
    room_pauses: tuple[int, datetime | None]

    @property
    def paused(self) -> bool:
        return self.attempt_pauses[1] is not None or self.room_pauses[1] is not None

    def deadline(self, now: datetime) -> datetime | None:
        return deadline_from(self.start, self.duration_minutes, self.extra_seconds, self.attempt_pauses,
                             self.room_pauses, now)  # fmt: skip


def timing_of(attempt_id: int) -> Timing | None:
    row = plain().execute(_TIMING, {"attempt_id": attempt_id}).one_or_none()
    if row is None:
        return None
    by_proctor = bool(row.start_by_proctor)
    return Timing(
        attempt_id=attempt_id, placement_id=row.placement_id, paper_id=row.paper_id, paper_hash=row.content_hash, session_id=row.session_id, room_id=row.room_id, seat=row.seat or "",
        status=AttemptStatus(row.status), client_token=row.client_token, item_order=row.item_order,
        last_seq=row.last_seq, started_at=row.started_at,
        start=row.opened_at if by_proctor else row.starts_at, duration_minutes=row.duration_minutes,
        earliest_submit_minutes=earliest_submit_default() if row.earliest_submit_minutes is None
        else row.earliest_submit_minutes, partial_credit=bool(row.partial_credit),
        extra_seconds=row.extra_seconds, attempt_pauses=(row.paused_seconds, row.paused_at),
        room_pauses=(row.room_paused_seconds or 0, row.room_paused_at),
    )  # fmt: skip


_TIMING = (
    sa.select(
        Attempt.placement_id,
        Attempt.paper_id,
        Paper.content_hash,
        Attempt.session_id,
        Placement.room_id,
        Seat.label.label("seat"),
        Attempt.status,
        Attempt.client_token,
        Attempt.item_order,
        Attempt.last_seq,
        Attempt.started_at,
        Attempt.extra_seconds,
        Attempt.paused_seconds,
        Attempt.paused_at,
        ExamSession.starts_at,
        ExamSession.duration_minutes,
        SessionOptions.start_by_proctor,
        SessionOptions.earliest_submit_minutes,
        SessionOptions.partial_credit,
        RoomClock.opened_at,
        RoomClock.paused_seconds.label("room_paused_seconds"),
        RoomClock.paused_at.label("room_paused_at"),
    )
    .select_from(Attempt)
    .join(Placement, Placement.id == Attempt.placement_id)
    .join(ExamSession, ExamSession.id == Attempt.session_id)
    .join(Paper, Paper.id == Attempt.paper_id)
    .outerjoin(Seat, Seat.id == Placement.seat_id)
    .outerjoin(SessionOptions, SessionOptions.session_id == Attempt.session_id)
    .outerjoin(RoomClock, sa.and_(RoomClock.session_id == Attempt.session_id, RoomClock.room_id == Placement.room_id))
    .where(Attempt.id == sa.bindparam("attempt_id"))
)


def is_paused(attempt: Attempt, clock: RoomClock | None) -> bool:
    return attempt.paused_at is not None or (clock is not None and clock.paused_at is not None)


def remaining_seconds(attempt: Attempt, clock: RoomClock | None, now: datetime) -> int | None:
    deadline = effective_deadline(attempt, clock, now)
    return None if deadline is None else max(0, int((deadline - now).total_seconds()))


def refresh_deadline(attempt: Attempt, clock: RoomClock | None, now: datetime | None = None) -> None:
    """Store the fixed deadline (NULL while paused or not open) for the deadline job's query."""
    now = now or utcnow()
    attempt.deadline_at = None if is_paused(attempt, clock) else effective_deadline(attempt, clock, now)


def _room_attempts(session: ExamSession, room: Room) -> list[Attempt]:
    return list(
        db.session.scalars(
            sa.select(Attempt).join(Placement, Placement.id == Attempt.placement_id)
            .where(Attempt.session_id == session.id, Placement.room_id == room.id)
        )
    )  # fmt: skip


def _refresh_room(session: ExamSession, room: Room, clock: RoomClock, now: datetime) -> None:
    for attempt in _room_attempts(session, room):
        if attempt.status is not AttemptStatus.SUBMITTED:
            refresh_deadline(attempt, clock, now)


def open_room(session: ExamSession, room: Room, now: datetime | None = None) -> RoomClock:
    """The proctor opens the room: the paper starts for everyone seated there."""
    now = now or utcnow()
    clock = room_clock(session, room.id)
    if clock.opened_at is not None:
        raise DomainError(_("%(room)s 已开考", room=room.name))
    clock.opened_at = now
    _refresh_room(session, room, clock, now)
    audit.record("room.open", object_type="room_clocks", object_id=f"{session.id}:{room.id}", after={"at": now})
    events.notify_candidates(session.id, room.id)
    return clock


def pause_room(session: ExamSession, room: Room, reason: str, now: datetime | None = None) -> RoomClock:
    now = now or utcnow()
    _need(reason)
    clock = room_clock(session, room.id)
    if clock.paused_at is not None:
        raise DomainError(_("%(room)s 已暂停", room=room.name))
    clock.paused_at = now
    _refresh_room(session, room, clock, now)
    audit.record("room.pause", object_type="room_clocks", object_id=f"{session.id}:{room.id}",
                 after={"at": now, "reason": reason})  # fmt: skip
    events.notify_candidates(session.id, room.id)
    return clock


def resume_room(session: ExamSession, room: Room, now: datetime | None = None) -> RoomClock:
    now = now or utcnow()
    clock = room_clock(session, room.id)
    if clock.paused_at is None:
        raise DomainError(_("%(room)s 没有暂停", room=room.name))
    clock.paused_seconds += round((now - clock.paused_at).total_seconds())
    clock.paused_at = None
    _refresh_room(session, room, clock, now)
    audit.record("room.resume", object_type="room_clocks", object_id=f"{session.id}:{room.id}",
                 after={"at": now, "paused_seconds": clock.paused_seconds})  # fmt: skip
    events.notify_candidates(session.id, room.id)
    return clock


def clock_of(attempt: Attempt) -> RoomClock | None:
    return db.session.get(RoomClock, (attempt.session_id, attempt.placement.room_id))


def pause_attempt(attempt: Attempt, reason: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    _need(reason)
    _open(attempt)
    if attempt.paused_at is not None:
        raise DomainError(_("该考生已暂停"))
    attempt.paused_at = now
    refresh_deadline(attempt, clock_of(attempt), now)
    audit.record("attempt.pause", attempt, after={"at": now, "reason": reason})
    events.seat_changed(attempt, now)
    events.notify_candidates(attempt.session_id, attempt.placement.room_id, attempt.id)


def resume_attempt(attempt: Attempt, now: datetime | None = None) -> None:
    now = now or utcnow()
    if attempt.paused_at is None:
        raise DomainError(_("该考生没有暂停"))
    attempt.paused_seconds += round((now - attempt.paused_at).total_seconds())
    attempt.paused_at = None
    refresh_deadline(attempt, clock_of(attempt), now)
    audit.record("attempt.resume", attempt, after={"at": now, "paused_seconds": attempt.paused_seconds})
    events.seat_changed(attempt, now)
    events.notify_candidates(attempt.session_id, attempt.placement.room_id, attempt.id)


def extend_attempt(attempt: Attempt, minutes: int, reason: str, now: datetime | None = None) -> None:
    """Approved extra time for one candidate (e.g. a special arrangement)."""
    _add_time(attempt, minutes * 60, reason, "attempt.extend", now)


def credit_outage(attempt: Attempt, seconds: int, reason: str, now: datetime | None = None) -> None:
    """Time lost to a machine failure, given back."""
    _add_time(attempt, seconds, reason, "attempt.credit", now)


def _add_time(attempt: Attempt, seconds: int, reason: str, action: str, now: datetime | None) -> None:
    now = now or utcnow()
    _need(reason)
    _open(attempt)
    if not 0 < seconds <= 4 * 3600:
        raise DomainError(_("补时应在 1 秒到 4 小时之间"), [Problem(_("补时应在 1 秒到 4 小时之间"), field="minutes")])
    attempt.extra_seconds += seconds
    refresh_deadline(attempt, clock_of(attempt), now)
    audit.record(action, attempt, after={"seconds": seconds, "extra_seconds": attempt.extra_seconds, "reason": reason})
    events.notify_candidates(attempt.session_id, attempt.placement.room_id, attempt.id)


def _open(attempt: Attempt) -> None:
    if attempt.status is AttemptStatus.SUBMITTED:
        raise DomainError(_("该考生已交卷"), status=409)


def _need(reason: str) -> None:
    if not (reason or "").strip():
        raise DomainError(_("请填写原因"), [Problem(_("请填写原因"), field="reason")])
