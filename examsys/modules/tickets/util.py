"""Reads for tickets: the centre's layout, a plan's placements by candidate, tickets by number."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from examsys.core.db import db, get_or_404
from examsys.modules.catalog.models import Job
from examsys.modules.people.models import Person
from examsys.modules.registration.models import Application, Batch
from examsys.modules.scheduling.models import ExamPlan, ExamSession, Placement, Room, RoomKind, SessionKind
from examsys.modules.tickets.models import Ticket, TicketLayout, TicketRelease, TicketStatus


def layout() -> TicketLayout:
    """The centre's ticket settings (the row is created with defaults on first use)."""
    row = db.session.get(TicketLayout, 1)
    if row is None:
        row = TicketLayout(id=1)
        db.session.add(row)
        db.session.flush()
    return row


@dataclass
class PlanIndex:
    """A plan's placements by application, with room and seat ordinals for numbering and sorting."""

    plan: ExamPlan
    placements: dict[int, list[Placement]] = field(default_factory=lambda: defaultdict(list))
    room_no: dict[int, int] = field(default_factory=dict)
    place_no: dict[tuple[int, int], int] = field(default_factory=dict)  # (room id, seat/station id) -> 1..

    def home(self, application_id: int) -> Placement | None:
        """The placement that gives the candidate's room and seat: the first theory one, else practical."""
        mine = self.placements.get(application_id, [])
        theory = [p for p in mine if p.seat_id is not None]
        return (theory or mine or [None])[0]

    def sort_key(self, application_id: int) -> tuple:
        p = self.home(application_id)
        if p is None:
            return (10**6, 0, application_id)
        return (self.room_no[p.room_id], self.place_no[(p.room_id, p.seat_id or p.station_id)], application_id)


def plan_index(plan: ExamPlan, application_ids: list[int] | None = None) -> PlanIndex:
    """The plan's placements by candidate. Narrowed to ``application_ids`` (one ticket at the door,
    a reprint) it loads only theirs; room and seat ordinals then cover only their rooms, so
    numbering always uses the whole plan's index."""
    query = (
        sa.select(Placement)
        .join(ExamSession, ExamSession.id == Placement.session_id)
        .where(ExamSession.plan_id == plan.id)
    )
    if application_ids is not None:
        query = query.where(Placement.application_id.in_(application_ids))
    placements = list(db.session.scalars(
        query.options(
            selectinload(Placement.session), selectinload(Placement.seat), selectinload(Placement.station),
            selectinload(Placement.room).selectinload(Room.seats),
            selectinload(Placement.room).selectinload(Room.stations),
            selectinload(Placement.application).selectinload(Application.person).selectinload(Person.documents),
            selectinload(Placement.application).selectinload(Application.batch).selectinload(Batch.job)
            .selectinload(Job.occupation),
        )
    ))  # fmt: skip
    index = PlanIndex(plan)
    for p in sorted(placements, key=lambda p: (p.session.starts_at, p.session_id)):
        index.placements[p.application_id].append(p)
    rooms = {p.room_id: p.room for p in placements}
    ordered = sorted(rooms.values(), key=lambda r: (r.kind is not RoomKind.THEORY_LAB, r.code))
    for number, room in enumerate(ordered, start=1):
        index.room_no[room.id] = number
        places = room.seats if room.kind is RoomKind.THEORY_LAB else room.stations
        for place_number, place in enumerate(places, start=1):
            index.place_no[(room.id, place.id)] = place_number
    return index


def plan_tickets(plan: ExamPlan, *, include_withdrawn: bool = False) -> list[Ticket]:
    query = (
        sa.select(Ticket)
        .where(Ticket.plan_id == plan.id)
        .options(selectinload(Ticket.application).selectinload(Application.person))
        .order_by(Ticket.number)
    )
    if not include_withdrawn:
        query = query.where(Ticket.status == TicketStatus.ISSUED)
    return list(db.session.scalars(query))


def issued_counts() -> dict[int, int]:
    """Valid tickets per plan id."""
    rows = db.session.execute(
        sa.select(Ticket.plan_id, sa.func.count()).where(Ticket.status == TicketStatus.ISSUED).group_by(Ticket.plan_id)
    )
    return dict(rows.tuples().all())


def get_ticket(ticket_id: int) -> Ticket:
    return get_or_404(Ticket, ticket_id, _("没有这张准考证"))


def find_ticket(number: str) -> Ticket | None:
    """The valid ticket with this number (the machine-test login and the check-in desk look it up)."""
    return db.session.scalar(
        sa.select(Ticket).where(Ticket.number == number.strip(), Ticket.status == TicketStatus.ISSUED)
    )


def ticket_accepts(issued_number: str | None, status: TicketStatus | None, given: str) -> bool | None:
    """Whether ``given`` is the valid ticket issued as ``issued_number``; None when none was issued.

    Plain values: the exam login reads them in its one query.
    """
    if issued_number is None:
        return None
    return status is TicketStatus.ISSUED and issued_number == given.strip()


def ticket_of(application: Application) -> Ticket | None:
    return db.session.scalar(sa.select(Ticket).where(Ticket.application_id == application.id))


def released_tickets_of(person: Person | None) -> list[Ticket]:
    """A candidate's valid tickets in plans whose tickets the centre has released."""
    if person is None:
        return []
    return list(db.session.scalars(
        sa.select(Ticket).join(Application, Application.id == Ticket.application_id)
        .join(TicketRelease, TicketRelease.plan_id == Ticket.plan_id)
        .where(Application.person_id == person.id, Ticket.status == TicketStatus.ISSUED)
        .order_by(Ticket.id)
    ))  # fmt: skip


def release_of(plan: ExamPlan) -> TicketRelease | None:
    return db.session.get(TicketRelease, plan.id)


def sessions_of_kind(plan: ExamPlan, kind: SessionKind) -> list[ExamSession]:
    return [s for s in plan.sessions if s.kind is kind]
