"""Login at the seat: the candidate's identity, the right machine, one browser at a time.

The attempt is bound to the candidate's seat. With seat binding on (the centre's setting), the
request must come from the seat machine's IP address; from any other machine the candidate is
refused with the room and seat they must go to. A second login elsewhere takes over: the first
browser's saves are refused from then on, and the proctor sees a second-login alert.

Every candidate of a room logs in within the same minute, so the usual login reads one row
(:data:`_LOGIN_ROW`, which also names the candidate, room and sitting for the exam page) and
writes with plain statements; the rare paths (wrong seat, second
login) load ORM objects for the proctor's alert.
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, plain, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.core.ids import normalize_number
from examsys.core.timezone import to_local
from examsys.modules.delivery import clock, events, util
from examsys.modules.delivery.models import Attempt, AttemptEvent, AttemptStatus, EventKind
from examsys.modules.people.models import IdentityDocument, Person
from examsys.modules.registration.models import Application
from examsys.modules.scheduling.models import ExamSession, Placement, Room, Seat, SessionKind
from examsys.modules.tickets import util as tickets_util
from examsys.modules.tickets.models import Ticket

LOGIN_OPENS_BEFORE = timedelta(minutes=30)
LOGIN_WINDOW_AFTER = timedelta(hours=4)  # a sitting found by ID number: started at most this long ago
# A login from another machine, or from the same one while the first browser is still active,
# is a second login; logging in again on the same machine after a crash is not.
RECENT = timedelta(minutes=2)


class SeatRefused(DomainError):
    """403 at the wrong machine; the refusal is also an integrity signal, kept although refused."""

    def __init__(self, message: str):
        super().__init__(message, [Problem(message, field="seat")], status=403)


@dataclasses.dataclass(frozen=True)
class SignedIn:
    attempt_id: int
    token: str
    session_id: int
    room_id: int
    state: dict | None  # what the exam page shows next, when asked for (paper included)


def seat_binding() -> bool:
    return bool(has_app_context() and current_app.config.get("EXAM_SEAT_BINDING"))


def sign_in(ticket_no: str, id_number: str, client_ip: str, now: datetime | None = None,
            with_state: bool = False) -> SignedIn:  # fmt: skip
    """The login form: find the candidate's sitting by ID number, check the ticket, bind the seat.

    With ``with_state`` the answer carries the exam page's state with the paper (opened here
    when its time has come), so the page needs no second request at the synchronised start.
    """
    now = now or utcnow()
    rows = plain().execute(_BY_TIME, {"id_number": _normal(id_number), "earliest": now - LOGIN_WINDOW_AFTER,
                                      "latest": now + LOGIN_OPENS_BEFORE}).all()  # fmt: skip
    if not rows:
        message = _("没有找到你此时段的理论考试，请核对证件号码或咨询监考员")
        raise DomainError(message, [Problem(message, field="id_number")])
    row = rows[0]
    if not ticket_no.strip():
        raise DomainError(_("请填写准考证号"), [Problem(_("请填写准考证号"), field="ticket_no")])
    if tickets_util.ticket_accepts(row.ticket, row.ticket_status, ticket_no) is False:
        raise DomainError(_("准考证号或证件号码不正确"), [Problem(_("准考证号或证件号码不正确"), field="ticket_no")])
    token = _bind(row, client_ip, now)
    state = None
    if with_state:
        timing = open_paper(clock.timing_of(row.attempt_id), now)
        state = util.state(row.attempt_id, now, with_paper=True, timing=timing, who=row)
    _audit(row, client_ip)  # last: see _audit
    return SignedIn(row.attempt_id, token, row.session_id, row.room_id, state)


def login(placement: Placement, id_number: str, client_ip: str, now: datetime | None = None) -> tuple[Attempt, str]:
    """Log in to a known placement (the same checks as :func:`sign_in`, no ticket); returns the
    attempt and the new browser's token."""
    now = now or utcnow()
    row = plain().execute(_BY_PLACEMENT, {"id_number": _normal(id_number), "placement_id": placement.id}).first()
    if row is None:
        raise DomainError(_("准考证号或证件号码不正确"), [Problem(_("准考证号或证件号码不正确"), field="id_number")])
    token = _bind(row, client_ip, now)
    _audit(row, client_ip)
    return db.session.get(Attempt, row.attempt_id, populate_existing=True), token


def _bind(row: sa.Row, client_ip: str, now: datetime) -> str:
    """Check seat, time and state; bind the attempt to this browser. Returns its token."""
    if row.attempt_id is None:
        raise DomainError(_("本场试卷尚未准备好，请联系监考员"), status=409)
    if (problem := _seat_problem(row, client_ip)) is not None:
        _signal(row.attempt_id, EventKind.SEAT_CHANGE, _("在 %(ip)s 尝试登录", ip=client_ip), now)
        raise SeatRefused(problem)
    if now < row.starts_at - LOGIN_OPENS_BEFORE:
        raise DomainError(_("本场考试 %(t)s 开始，开考前 30 分钟可登录", t=_local(row.starts_at)), status=409)
    if AttemptStatus(row.status) is AttemptStatus.SUBMITTED:
        raise DomainError(_("你已交卷"), status=409)
    recent = row.last_seen_at is not None and now - row.last_seen_at < RECENT
    if row.client_token and (client_ip != row.client_ip or recent):
        detail = _("原登录 %(old)s，新登录 %(new)s", old=row.client_ip, new=client_ip)
        _signal(row.attempt_id, EventKind.SECOND_LOGIN, detail, now)
    token = secrets.token_urlsafe(24)
    connection = plain()
    connection.execute(_BIND, {"attempt_id": row.attempt_id, "token": token, "ip": client_ip, "now": now})
    connection.execute(_LOGGED, {"attempt_id": row.attempt_id, "kind": EventKind.LOGIN, "detail": client_ip, "at": now})
    events.seat_logged_in(row, now)
    return token


def _audit(row: sa.Row, client_ip: str) -> None:
    # Last in the transaction: the audit chain's head row stays locked until commit, and every
    # login takes it.
    audit.record("attempt.login", object_type="attempts", object_id=row.attempt_id,
                 after={"ip": client_ip, "logins": row.logins + 1})  # fmt: skip


def _seat_problem(row: sa.Row, client_ip: str) -> str | None:
    if row.seat is None or not seat_binding() or row.seat_ip == client_ip:
        return None
    here = db.session.scalar(sa.select(Seat).where(Seat.ip == client_ip))
    where = _("（当前机器：%(room)s %(seat)s）", room=here.room.name, seat=here.label) if here else ""
    return _("请到 %(room)s %(seat)s 号座位登录%(where)s", room=row.room, seat=row.seat, where=where)


def _normal(id_number: str) -> str:
    return normalize_number(id_number)  # full-width digits typed at the seat match too


_LOGIN_ROW = (
    sa.select(
        Placement.id.label("placement_id"), Placement.session_id, Placement.room_id, Room.name.label("room"),
        Seat.label.label("seat"), Seat.ip.label("seat_ip"), ExamSession.starts_at, Person.name,
        ExamSession.name.label("session"),
        Attempt.id.label("attempt_id"), Attempt.status, Attempt.client_token, Attempt.client_ip, Attempt.logins,
        Attempt.last_seen_at, Attempt.last_seq, Attempt.paused_at,
        events.answered_count(Attempt.id).label("answered"), events.last_saved(Attempt.id).label("saved_at"),
        Ticket.number.label("ticket"), Ticket.status.label("ticket_status"),
    )
    .select_from(Placement)
    .join(Application, Application.id == Placement.application_id)
    .join(IdentityDocument, IdentityDocument.person_id == Application.person_id)
    .join(Person, Person.id == Application.person_id)
    .join(ExamSession, ExamSession.id == Placement.session_id)
    .join(Room, Room.id == Placement.room_id)
    .outerjoin(Seat, Seat.id == Placement.seat_id)
    .outerjoin(Attempt, Attempt.placement_id == Placement.id)
    .outerjoin(Ticket, Ticket.application_id == Placement.application_id)
    .where(sa.func.upper(IdentityDocument.number) == sa.bindparam("id_number"))
)  # fmt: skip
_BY_TIME = (  # the theory sitting about to start or running; the earliest if several
    _LOGIN_ROW.where(ExamSession.kind == SessionKind.THEORY, ExamSession.starts_at >= sa.bindparam("earliest"),
                     ExamSession.starts_at <= sa.bindparam("latest"))
    .order_by(ExamSession.starts_at)
)  # fmt: skip
_BY_PLACEMENT = _LOGIN_ROW.where(Placement.id == sa.bindparam("placement_id"))
_BIND = (
    sa.update(Attempt.__table__)
    .where(Attempt.__table__.c.id == sa.bindparam("attempt_id"))
    .values(client_token=sa.bindparam("token"), client_ip=sa.bindparam("ip"),
            logins=Attempt.__table__.c.logins + 1, last_seen_at=sa.bindparam("now"))
)  # fmt: skip
_LOGGED = sa.insert(AttemptEvent.__table__)


def begin(attempt: Attempt, now: datetime | None = None, timing: clock.Timing | None = None) -> bool:
    """Open the paper once the room is open (or the scheduled start has come); True when it is open."""
    timing = open_paper(timing or clock.timing_of(attempt.id), now or utcnow())
    db.session.expire(attempt, ["status", "started_at", "deadline_at"])
    return timing.status is AttemptStatus.IN_PROGRESS


def open_paper(timing: clock.Timing, now: datetime) -> clock.Timing:
    """Start a prepared attempt whose paper is open; returns its clock as it now stands.

    One guarded statement: every candidate's first poll at the synchronised start comes here.
    """
    if timing.status is not AttemptStatus.PREPARED or timing.start is None or now < timing.start:
        return timing
    deadline = None if timing.paused else timing.deadline(now)
    plain().execute(_START, {"attempt_id": timing.attempt_id, "now": now, "deadline": deadline})
    events.seat_started(timing, now)
    return dataclasses.replace(timing, status=AttemptStatus.IN_PROGRESS, started_at=now)


_START = (
    sa.update(Attempt)
    .where(Attempt.id == sa.bindparam("attempt_id"), Attempt.status == AttemptStatus.PREPARED)
    .values(status=AttemptStatus.IN_PROGRESS, started_at=sa.bindparam("now"), deadline_at=sa.bindparam("deadline"))
)


def record_signal(attempt: Attempt, token: str, kind: EventKind, detail: str = "", now: datetime | None = None) -> None:
    """An integrity signal from the candidate's browser (blur, paste, reload, ...)."""
    if token != attempt.client_token:
        return  # a replaced browser's noise is not this candidate's behaviour now
    _event(attempt, kind, detail[:300], now or utcnow())


def _signal(attempt_id: int, kind: EventKind, detail: str, now: datetime) -> None:
    """A seat change or second login: recorded, and shown on the console with the candidate's name."""
    _event(util.get_attempt(attempt_id), kind, detail, now)


def _event(attempt: Attempt, kind: EventKind, detail: str, now: datetime) -> None:
    event = AttemptEvent(attempt_id=attempt.id, kind=kind, detail=detail, at=now)
    db.session.add(event)
    events.signal_raised(attempt, event)


def _local(moment: datetime) -> str:
    return f"{to_local(moment):%m-%d %H:%M}"
