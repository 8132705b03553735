"""The supervision report (督导情况反馈表): what a supervisor saw in one session, editable until submitted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from examsys.core import audit
from examsys.core.db import db, get_or_404, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.core.timezone import from_local, to_local
from examsys.modules.accounts.models import User
from examsys.modules.proctoring.models import Assessment, SupervisionReport, SupervisionVisit
from examsys.modules.scheduling.models import ExamSession, Room

TEXT_LENGTH = 4000


@dataclass(frozen=True)
class VisitData:
    room: Room
    started_at: datetime
    ended_at: datetime
    note: str = ""


@dataclass(frozen=True)
class ReportData:
    assessment: Assessment
    assessment_note: str = ""
    problems: str = ""
    suggestions: str = ""
    signed_name: str = ""
    signed_on: date | None = None
    visits: list[VisitData] = field(default_factory=list)


def get_report(report_id: int) -> SupervisionReport:
    return get_or_404(SupervisionReport, report_id, _("督导情况反馈表不存在"))


def report_of(session: ExamSession, supervisor: User) -> SupervisionReport | None:
    return db.session.scalar(
        sa.select(SupervisionReport).where(
            SupervisionReport.session_id == session.id, SupervisionReport.supervisor_id == supervisor.id
        )
    )


def session_reports(session: ExamSession) -> list[SupervisionReport]:
    return list(db.session.scalars(
        sa.select(SupervisionReport).where(SupervisionReport.session_id == session.id)
        .options(selectinload(SupervisionReport.supervisor)).order_by(SupervisionReport.id)
    ))  # fmt: skip


def data_from_form(session: ExamSession, form: Mapping[str, str]) -> ReportData:
    """Validate the posted form; every problem at once. Visit times are HH:MM on the session's day."""
    problems: list[Problem] = []
    try:
        assessment = Assessment(form.get("assessment", ""))
    except ValueError:
        assessment = Assessment.GOOD
        problems.append(Problem(_("请选择总体评价"), field="assessment"))
    visits = []
    for room in session.rooms:
        start, end = (form.get(f"visit_{room.id}_{part}", "").strip() for part in ("from", "to"))
        if not start and not end:
            continue
        started, ended = _time(session, start), _time(session, end)
        if started is None or ended is None or ended < started:
            problems.append(Problem(_("%(room)s 的巡视时间应为 HH:MM 至 HH:MM", room=room.code),
                                    field=f"visit_{room.id}_from"))  # fmt: skip
            continue
        visits.append(VisitData(room, started, ended, form.get(f"visit_{room.id}_note", "").strip()[:300]))
    signed_on = None
    if form.get("signed_on", "").strip():
        try:
            signed_on = date.fromisoformat(form["signed_on"].strip())
        except ValueError:
            problems.append(Problem(_("日期格式应为 YYYY-MM-DD"), field="signed_on"))
    texts = {name: form.get(name, "").strip() for name in ("assessment_note", "problems", "suggestions")}
    problems += [Problem(_("内容过长"), field=name) for name, text in texts.items() if len(text) > TEXT_LENGTH]
    if problems:
        raise DomainError(_("督导情况反馈表未保存"), problems)
    return ReportData(assessment, **texts, signed_name=form.get("signed_name", "").strip()[:60], signed_on=signed_on,
                      visits=visits)  # fmt: skip


def _time(session: ExamSession, text: str) -> datetime | None:
    try:
        return from_local(datetime.strptime(f"{to_local(session.starts_at):%Y-%m-%d} {text}", "%Y-%m-%d %H:%M"))
    except ValueError:
        return None


def save_report(session: ExamSession, supervisor: User, data: ReportData) -> SupervisionReport:
    """Create or update the supervisor's report for the session; refused once submitted."""
    report = report_of(session, supervisor)
    if report is None:
        report = SupervisionReport(session_id=session.id, supervisor_id=supervisor.id)
        db.session.add(report)
    elif report.submitted_at is not None:
        raise DomainError(_("督导情况反馈表已提交，不能再修改"), status=409)
    report.assessment, report.assessment_note = data.assessment, data.assessment_note
    report.problems, report.suggestions = data.problems, data.suggestions
    report.signed_name, report.signed_on = data.signed_name, data.signed_on
    report.visits = [SupervisionVisit(room_id=v.room.id, started_at=v.started_at, ended_at=v.ended_at, note=v.note)
                     for v in data.visits]  # fmt: skip
    audit.record("supervision.save", report, after={
        "session": session.id, "assessment": data.assessment.value, "visits": [v.room.id for v in data.visits],
        "problems": data.problems, "suggestions": data.suggestions,
    })  # fmt: skip
    return report


def submit_report(report: SupervisionReport, now: datetime | None = None) -> None:
    """Hand the report in: signed and dated, and from then on read-only."""
    if report.submitted_at is not None:
        raise DomainError(_("督导情况反馈表已提交"), status=409)
    problems = []
    if not report.signed_name:
        problems.append(Problem(_("请填写签名"), field="signed_name"))
    if report.signed_on is None:
        problems.append(Problem(_("请填写日期"), field="signed_on"))
    if problems:
        raise DomainError(_("督导情况反馈表未提交"), problems)
    report.submitted_at = now or utcnow()
    audit.record("supervision.submit", report, after={"session": report.session_id, "at": report.submitted_at})
