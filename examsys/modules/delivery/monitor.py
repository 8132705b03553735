"""Reads for the proctor's room view: the lab's seat map with each seat's live state, the room
totals, one row per candidate (answered count, time left, signals) and the integrity feed.

Seat states, highest precedence first (the first that applies wins; ``static/js/room-live.js``
mirrors this order in ``stateOf`` so a live update lands on the same state as a reload):

1. ``submitted``   the attempt is handed in (by the candidate, the deadline or the proctor).
2. ``paused``      in progress and its clock stands still: the candidate or the whole room is paused.
3. ``offline``     in progress and no contact (heartbeat, login or answer save) for
                   ``presence.offline_after()`` seconds: the machine or the browser is gone.
4. ``idle``        in progress, online, and no answer saved for ``EXAM_IDLE_MINUTES`` (default 10)
                   since the last save or, before the first, since the paper opened.
5. ``in_progress`` answering.
6. ``checked_in``  not started yet, but checked in at the door or logged in at the seat.
7. ``absent``      not started, not logged in, and not checked in (or marked absent).

Paused outranks offline and idle: a paused candidate is not expected to answer or even be at
the machine. Offline outranks idle: a seat with no contact cannot save, so "idle" would hide
the cause. "Flagged" is not a state but a marker shown on top of any state: an integrity
signal other than a login, or an incident in the room record for this candidate.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from examsys.core.db import db
from examsys.modules.delivery import clock, presence
from examsys.modules.delivery.models import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptStatus,
    EventKind,
    RoomClock,
    SessionPaper,
)
from examsys.modules.people.models import Person
from examsys.modules.proctoring.models import CheckIn, Incident
from examsys.modules.registration.models import Application
from examsys.modules.scheduling.models import ExamSession, Placement, Room, Seat

IDLE_MINUTES = 10  # default of the EXAM_IDLE_MINUTES setting


class SeatState(enum.StrEnum):
    ABSENT = "absent"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    IDLE = "idle"
    OFFLINE = "offline"
    PAUSED = "paused"
    SUBMITTED = "submitted"

    @property
    def title(self) -> str:
        return str(SEAT_STATE_TITLES[self])


SEAT_STATE_TITLES = {
    SeatState.ABSENT: _l("未到场"),
    SeatState.CHECKED_IN: _l("已签到"),
    SeatState.IN_PROGRESS: _l("作答中"),
    SeatState.IDLE: _l("长时间未作答"),
    SeatState.OFFLINE: _l("离线"),
    SeatState.PAUSED: _l("已暂停"),
    SeatState.SUBMITTED: _l("已交卷"),
}
FLAGGED_TITLE = _l("有异常")
# The order of the legend and the totals bar: how a sitting moves along, troubles after.
DISPLAY_ORDER = (
    SeatState.ABSENT,
    SeatState.CHECKED_IN,
    SeatState.IN_PROGRESS,
    SeatState.IDLE,
    SeatState.OFFLINE,
    SeatState.PAUSED,
    SeatState.SUBMITTED,
)


def idle_after() -> timedelta:
    """How long without a saved answer before an answering candidate counts as idle."""
    minutes = current_app.config.get("EXAM_IDLE_MINUTES", IDLE_MINUTES) if has_app_context() else IDLE_MINUTES
    return timedelta(minutes=float(minutes))


@dataclass(frozen=True)
class SeatFacts:
    """What a seat's state is decided from (all times aware UTC)."""

    status: AttemptStatus
    paused: bool  # the candidate's own pause or the room's
    logged_in: bool
    present: bool | None  # the check-in: present, marked absent, or none yet
    last_activity: datetime | None  # the last saved answer, else when the paper opened
    last_contact: datetime | None  # the latest heartbeat, login or save


def is_online(facts: SeatFacts, now: datetime, offline_after: timedelta) -> bool:
    return facts.last_contact is not None and now - facts.last_contact < offline_after


def seat_state(facts: SeatFacts, now: datetime, idle: timedelta, offline_after: timedelta) -> SeatState:
    """The seat's state by the precedence in the module docstring."""
    if facts.status is AttemptStatus.SUBMITTED:
        return SeatState.SUBMITTED
    if facts.status is AttemptStatus.IN_PROGRESS:
        return _answering_state(facts, now, idle, offline_after)
    # Not started: a pause, the heartbeats and the saves do not matter yet.
    return SeatState.CHECKED_IN if facts.logged_in or facts.present else SeatState.ABSENT


def _answering_state(facts: SeatFacts, now: datetime, idle: timedelta, offline_after: timedelta) -> SeatState:
    if facts.paused:
        return SeatState.PAUSED
    if not is_online(facts, now, offline_after):
        return SeatState.OFFLINE
    if facts.last_activity is not None and now - facts.last_activity >= idle:
        return SeatState.IDLE
    return SeatState.IN_PROGRESS


def room_view(session: ExamSession, room: Room, now: datetime) -> dict:
    """Plain dicts: the room clock, one entry per seated candidate in seat order, the seat map and totals."""
    attempts = _room_attempts(session, room)
    ids = [a.id for a in attempts]
    answered, (signals, last_signal) = _answered(ids), _signals(ids)
    saves, present = _last_saves(ids), _check_ins([a.placement_id for a in attempts])
    incidents = _incident_placements(session, room)
    beats = presence.last_beats(ids) if ids else {}
    room_clock = db.session.get(RoomClock, (session.id, room.id))
    room_paused = room_clock is not None and room_clock.paused_at is not None
    idle, offline_after = idle_after(), timedelta(seconds=presence.offline_after())
    seats = []
    for a in attempts:
        facts = _facts(a, room_paused, present.get(a.placement_id), saves.get(a.id), beats.get(a.id))
        seats.append({
            "attempt": a,
            "placement": a.placement_id,
            "name": a.placement.application.person.name,
            "seat": a.placement.seat.label if a.placement.seat else "",
            "seat_id": a.placement.seat_id,
            "form": a.placement.form,
            "status": a.status,
            "answered": answered.get(a.id, 0),
            "items": len(a.item_order),
            "remaining": clock.remaining_seconds(a, room_clock, now),
            "paused": a.paused_at is not None,
            "signals": signals.get(a.id, 0),
            "last_signal": last_signal[a.id].title if a.id in last_signal else "",
            "ip": a.client_ip,
            **_live(facts, now, idle, offline_after),
            "flagged": signals.get(a.id, 0) > 0 or a.placement_id in incidents,
            "seq": a.last_seq,
        })  # fmt: skip
    return {
        "clock": room_clock,
        "room_paused": room_paused,
        "start": clock.start_of(session, room_clock),
        "start_by_proctor": clock.options(session).start_by_proctor,
        "seats": seats,
        "spares": spare_seats(session, room),
        "map": seat_map(room, seats),
        "totals": room_totals(seats),
        "idle_minutes": idle.total_seconds() / 60,
        "now": now,
    }


def _room_attempts(session: ExamSession, room: Room) -> list[Attempt]:
    rows = db.session.scalars(
        sa.select(Attempt)
        .join(Placement, Placement.id == Attempt.placement_id)
        .where(Attempt.session_id == session.id, Placement.room_id == room.id)
        .options(selectinload(Attempt.placement).selectinload(Placement.application).selectinload(Application.person),
                 selectinload(Attempt.placement).selectinload(Placement.seat))
    ).all()  # fmt: skip
    return sorted(rows, key=lambda a: (a.placement.seat.row, a.placement.seat.col) if a.placement.seat else (0, 0))


def _answered(ids: list[int]) -> Counter:
    return Counter(
        attempt_id
        for attempt_id, choice in db.session.execute(
            sa.select(Answer.attempt_id, Answer.choice).where(Answer.attempt_id.in_(ids))
        )
        if choice
    )


def _signals(ids: list[int]) -> tuple[Counter, dict[int, EventKind]]:
    """Integrity signals per attempt (logins are not signals) and the latest one's kind."""
    signals, last_signal = Counter(), {}
    for attempt_id, kind in db.session.execute(
        sa.select(AttemptEvent.attempt_id, AttemptEvent.kind)
        .where(AttemptEvent.attempt_id.in_(ids), AttemptEvent.kind != EventKind.LOGIN)
        .order_by(AttemptEvent.at, AttemptEvent.id)
    ):
        signals[attempt_id] += 1
        last_signal[attempt_id] = kind
    return signals, last_signal


def _last_saves(ids: list[int]) -> dict[int, datetime]:
    rows = db.session.execute(
        sa.select(Answer.attempt_id, sa.func.max(Answer.saved_at))
        .where(Answer.attempt_id.in_(ids))
        .group_by(Answer.attempt_id)
    )
    return dict(rows.tuples().all())


def _check_ins(placement_ids: list[int]) -> dict[int, bool]:
    rows = db.session.execute(
        sa.select(CheckIn.placement_id, CheckIn.present).where(CheckIn.placement_id.in_(placement_ids))
    )
    return dict(rows.tuples().all())


def _incident_placements(session: ExamSession, room: Room) -> set[int]:
    """Candidates of the room with an entry in the room record (any kind: the proctor wrote it down)."""
    return set(db.session.scalars(
        sa.select(Incident.placement_id)
        .where(Incident.session_id == session.id, Incident.room_id == room.id, Incident.placement_id.is_not(None))
    ))  # fmt: skip


def _facts(
    attempt: Attempt, room_paused: bool, present: bool | None, last_save: datetime | None, beat: float | None
) -> SeatFacts:
    contacts = [t for t in (attempt.last_seen_at, last_save) if t is not None]
    if beat is not None:
        contacts.append(datetime.fromtimestamp(beat, UTC))
    activity = [t for t in (last_save, attempt.started_at) if t is not None]
    return SeatFacts(
        status=attempt.status,
        paused=attempt.paused_at is not None or room_paused,
        logged_in=attempt.logins > 0 or attempt.last_seen_at is not None,
        present=present,
        last_activity=max(activity) if activity else None,
        last_contact=max(contacts) if contacts else None,
    )


def _live(facts: SeatFacts, now: datetime, idle: timedelta, offline_after: timedelta) -> dict:
    """The entry's live part: its state and what the console needs to recompute it."""
    return {
        "state": seat_state(facts, now, idle, offline_after),
        "logged_in": facts.logged_in,
        "present": facts.present,
        "online": is_online(facts, now, offline_after),
        "last_activity": facts.last_activity,
    }


def seat_map(room: Room, seats: list[dict]) -> dict:
    """The lab's grid (front row first): every seat with the candidate's entry of ``seats``, if any."""
    by_seat = {s["seat_id"]: s for s in seats if s["seat_id"] is not None}
    cells = [
        {"id": seat.id, "label": seat.label, "row": seat.row, "col": seat.col, "in_service": seat.in_service,
         "host": seat.hostname, "ip": seat.ip, "candidate": by_seat.get(seat.id)}
        for seat in room.seats
    ]  # fmt: skip
    rows = max([room.rows, *(c["row"] for c in cells)], default=0)
    cols = max([room.cols, *(c["col"] for c in cells)], default=0)
    unseated = [s for s in seats if s["seat_id"] is None]
    return {"rows": rows, "cols": cols, "cells": cells, "unseated": unseated}


def room_totals(seats: list[dict]) -> dict:
    """Seats per state (every state, zeros included, in display order), flagged seats, the answered average."""
    counts = Counter(s["state"] for s in seats)
    started = [s["answered"] for s in seats if s["status"] is not AttemptStatus.PREPARED]
    return {
        "states": {state: counts.get(state, 0) for state in DISPLAY_ORDER},
        "flagged": sum(1 for s in seats if s["flagged"]),
        "seats": len(seats),
        "answered_avg": round(sum(started) / len(started), 1) if started else None,
    }


def spare_seats(session: ExamSession, room: Room) -> list[Seat]:
    """In-service seats of the room nobody sits at in this session: where a candidate can move."""
    taken = sa.select(Placement.seat_id).where(Placement.session_id == session.id, Placement.seat_id.is_not(None))
    return list(db.session.scalars(
        sa.select(Seat).where(Seat.room_id == room.id, Seat.in_service, Seat.id.not_in(taken))
        .order_by(Seat.row, Seat.col)
    ))  # fmt: skip


def papers_of(session: ExamSession) -> list[SessionPaper]:
    return list(db.session.scalars(sa.select(SessionPaper).where(SessionPaper.session_id == session.id)))


def recent_events(session: ExamSession, room: Room | None = None, limit: int = 50) -> list[dict]:
    """The integrity feed, newest first: signal, seat and candidate (logins are not signals)."""
    query = (
        sa.select(AttemptEvent, Seat.label, Person.name)
        .join(Attempt, Attempt.id == AttemptEvent.attempt_id)
        .join(Placement, Placement.id == Attempt.placement_id)
        .join(Application, Application.id == Placement.application_id)
        .join(Person, Person.id == Application.person_id)
        .outerjoin(Seat, Seat.id == Placement.seat_id)
        .where(Attempt.session_id == session.id, AttemptEvent.kind != EventKind.LOGIN)
        .order_by(AttemptEvent.at.desc(), AttemptEvent.id.desc())
        .limit(limit)
    )
    if room is not None:
        query = query.where(Placement.room_id == room.id)
    return [{"at": e.at, "title": e.kind.title, "detail": e.detail, "seat": seat or "", "name": name}
            for e, seat, name in db.session.execute(query)]  # fmt: skip
