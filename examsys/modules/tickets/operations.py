"""Issuing, releasing, reprinting and verifying admission tickets; the centre's ticket layout.

Tickets are issued once the province has approved the plan: every placed candidate gets a
number (see :mod:`numbering`) that never changes. A candidate who leaves the plan has their
ticket withdrawn, never renumbered. After a seat move the printed ticket is stale; a reprint
raises its version, which voids the old paper's QR code (logged in the audit trail).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from examsys.core import audit, media
from examsys.core.db import db, lock_for_write, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.core.timezone import local_date
from examsys.modules.scheduling.models import ExamPlan, PlanStatus
from examsys.modules.tickets import numbering, sheet, signing, util
from examsys.modules.tickets.models import PageSize, Ticket, TicketLayout, TicketRelease, TicketStatus

SEAL_MAX_BYTES = 2 * 1024 * 1024
LAYOUT_FIELDS = ("page_size", "number_format", "mask_id_number", "seal_path", "rules")


@dataclass(frozen=True)
class IssueResult:
    issued: int
    kept: int
    withdrawn: int
    stale: int


def issue(plan: ExamPlan) -> IssueResult:
    """Number every placed candidate of an approved plan who has no ticket yet; withdraw the rest."""
    if plan.status is not PlanStatus.APPROVED:
        raise DomainError(_("考试计划获批后才能生成准考证"), status=409)
    lock_for_write(db.session)
    layout = util.layout()
    index = util.plan_index(plan)
    existing = {t.application_id: t for t in util.plan_tickets(plan, include_withdrawn=True)}
    placed = sorted(index.placements, key=index.sort_key)
    new = [a for a in placed if a not in existing]
    numbers = numbering.assign(layout.number_format, [(a, _slot(plan, index, a, n)) for n, a in
                                                      enumerate(new, start=len(existing) + 1)], _taken())  # fmt: skip
    for application_id, number in numbers.items():
        db.session.add(Ticket(plan_id=plan.id, application_id=application_id, number=number))
    db.session.flush()
    withdrawn = 0
    for application_id, ticket in existing.items():
        if application_id not in index.placements and ticket.status is TicketStatus.ISSUED:
            ticket.status = TicketStatus.WITHDRAWN
            audit.record("ticket.withdraw", ticket, after={"number": ticket.number, "version": ticket.version})
            withdrawn += 1
        elif application_id in index.placements and ticket.status is TicketStatus.WITHDRAWN:
            ticket.status = TicketStatus.ISSUED  # back in the plan: the same number again
    stale = 0
    for ticket in util.plan_tickets(plan):
        current = sheet.fingerprint(sheet.ticket_fields(ticket, index, layout))
        if not ticket.fingerprint:
            ticket.fingerprint = current
        elif ticket.fingerprint != current:
            stale += 1
    result = IssueResult(len(numbers), len(existing) - withdrawn, withdrawn, stale)
    audit.record("ticket.issue", plan, after={**result.__dict__, "numbers": sorted(numbers.values())[:1] +
                                              sorted(numbers.values())[-1:]})  # fmt: skip
    return result


def _slot(plan: ExamPlan, index: util.PlanIndex, application_id: int, seq: int) -> numbering.Slot:
    home = index.home(application_id)
    batch = home.application.batch
    first = plan.first_session_date or local_date(utcnow())
    return numbering.Slot(
        year=first.year, plan=plan.id, batch=batch.id, level=batch.level, room=index.room_no[home.room_id],
        seat=index.place_no[(home.room_id, home.seat_id or home.station_id)], seq=seq,
    )  # fmt: skip


def _taken() -> set[str]:
    return set(db.session.scalars(sa.select(Ticket.number)))


def stale_tickets(
    plan: ExamPlan, index: util.PlanIndex | None = None, tickets: list[Ticket] | None = None
) -> list[Ticket]:
    """Issued tickets whose printed content (session, room, seat, photo, ...) has changed since."""
    layout, index = util.layout(), index or util.plan_index(plan)
    return [t for t in (util.plan_tickets(plan) if tickets is None else tickets)
            if t.fingerprint != sheet.fingerprint(sheet.ticket_fields(t, index, layout))]  # fmt: skip


def reprint(ticket: Ticket, reason: str) -> Ticket:
    """A new version of one ticket: the old paper copy's QR code no longer verifies."""
    if ticket.status is not TicketStatus.ISSUED:
        raise DomainError(_("准考证 %(number)s 已作废，不能补打", number=ticket.number), status=409)
    if not reason.strip():
        raise DomainError(_("请填写补打原因"), [Problem(_("请填写补打原因"), field="reason")])
    lock_for_write(db.session)
    old = ticket.version
    fields = sheet.ticket_fields(ticket, util.plan_index(ticket.plan, [ticket.application_id]), util.layout())
    ticket.version, ticket.fingerprint = old + 1, sheet.fingerprint(fields)
    audit.record("ticket.void", ticket, before={"number": ticket.number, "version": old},
                 after={"reason": reason.strip()})  # fmt: skip
    audit.record("ticket.reprint", ticket, after={"number": ticket.number, "version": ticket.version,
                                                  "reason": reason.strip()})  # fmt: skip
    return ticket


def release(plan: ExamPlan, user_id: int | None) -> TicketRelease:
    """Let candidates download their tickets in the portal."""
    if not util.plan_tickets(plan):
        raise DomainError(_("请先生成准考证，再向考生发布"), status=409)
    existing = util.release_of(plan)
    if existing is not None:
        return existing
    row = TicketRelease(plan_id=plan.id, released_by_id=user_id)
    db.session.add(row)
    audit.record("ticket.release", plan, after={"plan": plan.name})
    return row


def withdraw_release(plan: ExamPlan) -> None:
    row = util.release_of(plan)
    if row is not None:
        db.session.delete(row)
        audit.record("ticket.unrelease", plan, before={"released_at": row.released_at})


@dataclass(frozen=True)
class Verified:
    ticket: Ticket
    page: dict  # what the desk shows: photo, name, ID, sessions with room and seat


def verify(code: str, now: datetime | None = None) -> Verified:
    """Check a scanned ticket code; refuses forged, altered, superseded and withdrawn codes."""
    parsed = signing.unsign(code or "")
    if parsed is None:
        raise DomainError(_("二维码无效：不是本中心签发的准考证，或内容被改动"), status=422)
    ticket_id, number, version = parsed
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.number != number:
        raise DomainError(_("二维码无效：查无此准考证"), status=404)
    if ticket.status is not TicketStatus.ISSUED:
        raise DomainError(_("准考证 %(number)s 已作废", number=number), status=409)
    if version != ticket.version:
        raise DomainError(
            _("这是准考证 %(number)s 的旧版本（第 %(old)d 版，现为第 %(new)d 版），已作废，请使用补打的新证",
              number=number, old=version, new=ticket.version), status=409)  # fmt: skip
    layout = util.layout()
    fields = sheet.ticket_fields(ticket, util.plan_index(ticket.plan, [ticket.application_id]), layout)
    return Verified(ticket, {**fields, "id_number": sheet.id_line(ticket.application.person, True)[1]})


def update_layout(*, page_size: str, number_format: str, mask_id_number: bool, rules: str) -> TicketLayout:
    try:
        size = PageSize(page_size)
    except ValueError as exc:
        raise DomainError(_("纸张只能是 A4 或 A5"), [Problem(_("纸张只能是 A4 或 A5"), field="page_size")]) from exc
    numbering.check_format(number_format.strip())
    layout = util.layout()
    before = audit.snapshot(layout, LAYOUT_FIELDS)
    layout.page_size, layout.number_format = size, number_format.strip()
    layout.mask_id_number, layout.rules = mask_id_number, rules.strip()
    audit.record("ticket.layout", layout, before=before, after=audit.snapshot(layout, LAYOUT_FIELDS))
    return layout


def set_seal(data: bytes) -> TicketLayout:
    """Store the centre's seal image (PNG, ideally red on transparent), printed over the photo."""
    problem = _seal_problem(data)
    if problem:
        raise DomainError(problem, [Problem(problem, field="seal")])
    layout = util.layout()
    before = audit.snapshot(layout, ("seal_path",))
    layout.seal_path = media.store_bytes("seals", data, ".png")
    audit.record("ticket.seal", layout, before=before, after={"seal_path": layout.seal_path})
    return layout


def _seal_problem(data: bytes) -> str | None:
    if not data:
        return _("请选择印章图片")
    if len(data) > SEAL_MAX_BYTES:
        return _("印章图片过大（%(kb)d KB），不能超过 2 MB", kb=len(data) // 1024)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                return _("印章须为 PNG 图片（透明背景），收到的是 %(fmt)s", fmt=image.format or "?")
            if min(image.size) < 200:
                return _("印章图片太小（%(w)d×%(h)d 像素），至少 200×200", w=image.size[0], h=image.size[1])
    except (UnidentifiedImageError, OSError):
        return _("无法识别的图片文件")
    return None
