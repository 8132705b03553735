"""Login at the seat: the candidate's identity, the right machine, one browser at a time.

The attempt is bound to the candidate's seat. With seat binding on (the centre's setting), the
request must come from the seat machine's IP address; from any other machine the candidate is
refused with the room and seat they must go to. A second login elsewhere takes over: the first
browser's saves are refused from then on, and the proctor sees a second-login alert.
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.core.timezone import to_local
from examsys.modules.delivery import clock, events
from examsys.modules.delivery.models import Attempt, AttemptEvent, AttemptStatus, EventKind
from examsys.modules.people.models import IdentityDocument
from examsys.modules.registration.models import Application
from examsys.modules.scheduling.models import Placement, Seat

LOGIN_OPENS_BEFORE = timedelta(minutes=30)
# A login from another machine, or from the same one while the first browser is still active,
# is a second login; logging in again on the same machine after a crash is not.
RECENT = timedelta(minutes=2)


def seat_binding() -> bool:
    return bool(has_app_context() and current_app.config.get("EXAM_SEAT_BINDING"))


def _id_matches(placement: Placement, id_number: str) -> bool:
    wanted = id_number.strip().upper()
    numbers = db.session.scalars(_NUMBERS, {"application_id": placement.application_id})
    return bool(wanted) and any(n.upper() == wanted for n in numbers)


_NUMBERS = (
    sa.select(IdentityDocument.number)
    .join(Application, Application.person_id == IdentityDocument.person_id)
    .where(Application.id == sa.bindparam("application_id"))
)


def _seat_problem(placement: Placement, client_ip: str) -> str | None:
    seat = placement.seat
    if seat is None or not seat_binding() or seat.ip == client_ip:
        return None
    here = db.session.scalar(sa.select(Seat).where(Seat.ip == client_ip))
    where = _("（当前机器：%(room)s %(seat)s）", room=here.room.name, seat=here.label) if here else ""
    return _("请到 %(room)s %(seat)s 号座位登录%(where)s", room=placement.room.name, seat=seat.label, where=where)


def login(placement: Placement, id_number: str, client_ip: str, now: datetime | None = None) -> tuple[Attempt, str]:
    """Check identity, seat and time; returns the attempt and the new browser's token."""
    now = now or utcnow()
    if not _id_matches(placement, id_number):
        raise DomainError(_("准考证号或证件号码不正确"), [Problem(_("准考证号或证件号码不正确"), field="id_number")])
    attempt = db.session.scalar(sa.select(Attempt).where(Attempt.placement_id == placement.id))
    if attempt is None:
        raise DomainError(_("本场试卷尚未准备好，请联系监考员"), status=409)
    if (problem := _seat_problem(placement, client_ip)) is not None:
        _event(attempt, EventKind.SEAT_CHANGE, _("在 %(ip)s 尝试登录", ip=client_ip), now)
        db.session.flush()
        raise DomainError(problem, [Problem(problem, field="seat")], status=403)
    session = placement.session
    if now < session.starts_at - LOGIN_OPENS_BEFORE:
        raise DomainError(_("本场考试 %(t)s 开始，开考前 30 分钟可登录", t=_local(session.starts_at)), status=409)
    if attempt.status is AttemptStatus.SUBMITTED:
        raise DomainError(_("你已交卷"), status=409)
    recent = attempt.last_seen_at is not None and now - attempt.last_seen_at < RECENT
    if attempt.client_token and (client_ip != attempt.client_ip or recent):
        _event(
            attempt,
            EventKind.SECOND_LOGIN,
            _("原登录 %(old)s，新登录 %(new)s", old=attempt.client_ip, new=client_ip),
            now,
        )
    token = secrets.token_urlsafe(24)
    attempt.client_token, attempt.client_ip, attempt.logins, attempt.last_seen_at = (
        token,
        client_ip,
        attempt.logins + 1,
        now,
    )
    _event(attempt, EventKind.LOGIN, client_ip, now)
    events.seat_changed(attempt, now)
    # Last: the audit chain's head row stays locked until commit, and every login takes it.
    audit.record("attempt.login", attempt, after={"ip": client_ip, "logins": attempt.logins})
    return attempt, token


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
    db.session.execute(_START, {"attempt_id": timing.attempt_id, "now": now, "deadline": deadline})
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


def _event(attempt: Attempt, kind: EventKind, detail: str, now: datetime) -> None:
    event = AttemptEvent(attempt_id=attempt.id, kind=kind, detail=detail, at=now)
    db.session.add(event)
    if kind is not EventKind.LOGIN:
        events.signal_raised(attempt, event)


def _local(moment: datetime) -> str:
    return f"{to_local(moment):%m-%d %H:%M}"
