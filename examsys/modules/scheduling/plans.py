"""The exam plan (认定实施计划): its batches, filing with the province, approval, change control.

Filing rule (seed 002): the plan reaches the provincial guidance centre at least
``lead_working_days`` working days (default 10) before the first session, counted on the
official calendar with its 调休 make-up days. The last on-time filing day is the first session
date shifted back that many working days. A late plan cannot be approved unless the centre
records an override reason. Once approved, every change to the timetable needs a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.calendar import shift_working_days, working_days_between
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.modules.registration.models import Batch, Path
from examsys.modules.scheduling.models import ExamPlan, PlanStatus, plan_batches

DEFAULT_LEAD_WORKING_DAYS = 10
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class FilingCheck:
    first_session: date | None
    deadline: date | None  # the last on-time filing day
    filed_on: date | None
    working_days_ahead: int | None  # working days from the filing day up to the first session
    late: bool
    provisional: bool  # the calendar had to guess (a year the official calendar does not cover)
    working_days_needed: int = DEFAULT_LEAD_WORKING_DAYS

    @property
    def message(self) -> str:
        if self.first_session is None:
            return _("尚未安排场次，无法计算报备期限")
        if self.filed_on is None:
            return _("报备截止日 %(deadline)s（首场 %(first)s 前 %(n)s 个工作日）", deadline=self.deadline,
                     first=self.first_session, n=self.working_days_needed)  # fmt: skip
        if self.late:
            return _("报备迟于截止日 %(deadline)s：报备日距首场仅 %(ahead)s 个工作日", deadline=self.deadline,
                     ahead=self.working_days_ahead)  # fmt: skip
        return _("按期报备：距首场 %(ahead)s 个工作日", ahead=self.working_days_ahead)


def default_lead_days() -> int:
    if has_app_context():
        return int(current_app.config.get("PLAN_LEAD_WORKING_DAYS", DEFAULT_LEAD_WORKING_DAYS))
    return DEFAULT_LEAD_WORKING_DAYS


def filing_check(plan: ExamPlan, filed_on: date | None = None) -> FilingCheck:
    """Whether ``filed_on`` (default: the recorded filing date) is early enough for the plan."""
    filed_on = filed_on or plan.filed_on
    first = plan.first_session_date
    lead = plan.lead_working_days
    if first is None:
        return FilingCheck(None, None, filed_on, None, False, False, lead)
    deadline = shift_working_days(first, -lead)
    if filed_on is None:
        return FilingCheck(first, deadline.day, None, None, False, deadline.provisional, lead)
    # Working days from the filing day (inclusive) to the first session (exclusive); the deadline
    # itself is the lead-th working day before the session, so ``late`` is ``ahead < lead``.
    ahead, guessed = working_days_between(filed_on - ONE_DAY, first - ONE_DAY)
    late = filed_on > deadline.day
    return FilingCheck(first, deadline.day, filed_on, ahead, late, deadline.provisional or guessed, lead)


def create_plan(name: str, batches: list[Batch], *, spare_seats: int = 2, forms: int = 2,
                lead_days: int | None = None, note: str = "") -> ExamPlan:  # fmt: skip
    """A draft plan over ``batches`` (exam-path batches not in another plan)."""
    name = name.strip()
    problems = []
    if not name:
        problems.append(Problem(_("请填写计划名称"), field="name"))
    if spare_seats < 0:
        problems.append(Problem(_("备用座位数不能为负"), field="spare_seats_per_lab"))
    if not 1 <= forms <= 8:
        problems.append(Problem(_("试卷套数应为 1–8"), field="form_count"))
    problems += _batch_problems(None, batches)
    if problems:
        raise DomainError(_("考试计划未保存"), problems)
    plan = ExamPlan(name=name, spare_seats_per_lab=spare_seats, form_count=forms, note=note,
                    lead_working_days=default_lead_days() if lead_days is None else lead_days)  # fmt: skip
    plan.batches = list(batches)
    db.session.add(plan)
    audit.record("plan.create", plan, after=_snapshot(plan))
    return plan


def _batch_problems(plan: ExamPlan | None, batches: list[Batch]) -> list[Problem]:
    problems = []
    if not batches:
        problems.append(Problem(_("至少选择一个批次"), field="batches"))
    taken = dict(
        db.session.execute(
            sa.select(plan_batches.c.batch_id, plan_batches.c.plan_id).where(
                plan_batches.c.batch_id.in_([b.id for b in batches])
            )
        ).all()
    )
    for batch in batches:
        if batch.path is not Path.EXAM:
            problems.append(Problem(_("批次“%(name)s”不是考试考核批次", name=batch.name), field="batches"))
        other = taken.get(batch.id)
        if other is not None and (plan is None or other != plan.id):
            problems.append(Problem(_("批次“%(name)s”已在另一个考试计划中", name=batch.name), field="batches"))
    return problems


def update_plan(plan: ExamPlan, *, name: str, batches: list[Batch], spare_seats: int, forms: int, lead_days: int,
                note: str = "", reason: str = "") -> None:  # fmt: skip
    require_change_reason(plan, reason)
    before = _snapshot(plan)
    problems = _batch_problems(plan, batches)
    if not name.strip():
        problems.append(Problem(_("请填写计划名称"), field="name"))
    if spare_seats < 0:
        problems.append(Problem(_("备用座位数不能为负"), field="spare_seats_per_lab"))
    if not 1 <= forms <= 8:
        problems.append(Problem(_("试卷套数应为 1–8"), field="form_count"))
    if lead_days < 0:
        problems.append(Problem(_("报备提前工作日不能为负"), field="lead_working_days"))
    if problems:
        raise DomainError(_("考试计划未保存"), problems)
    plan.name, plan.spare_seats_per_lab, plan.form_count = name.strip(), spare_seats, forms
    plan.lead_working_days, plan.note, plan.batches = lead_days, note, list(batches)
    audit.record("plan.update", plan, before=before, after={**_snapshot(plan), "reason": reason})


def require_change_reason(plan: ExamPlan, reason: str) -> None:
    """After the province approved the plan, every timetable change must say why."""
    if plan.status is PlanStatus.APPROVED and not (reason or "").strip():
        raise DomainError(
            _("计划已获批准，修改须填写原因"), [Problem(_("计划已获批准，修改须填写原因"), field="reason")]
        )


def file_plan(plan: ExamPlan, filed_on: date) -> FilingCheck:
    """Record the day the plan went to the province; returns the lateness check (late plans may still be filed)."""
    if plan.status is PlanStatus.APPROVED:
        raise DomainError(_("计划已获批准，不能重新报备"))
    if not plan.sessions:
        raise DomainError(_("计划还没有场次，不能报备"))
    before = _snapshot(plan)
    plan.filed_on, plan.status = filed_on, PlanStatus.FILED
    check = filing_check(plan)
    audit.record("plan.file", plan, before=before, after={**_snapshot(plan), "late": check.late})
    return check


def approve_plan(plan: ExamPlan, approved_on: date, reference: str, override_reason: str = "") -> None:
    """Record the province's approval; a late filing needs the centre's override reason."""
    if plan.status is not PlanStatus.FILED:
        raise DomainError(_("只有已报备的计划才能登记批准"))
    reference = reference.strip()
    problems = []
    if not reference:
        problems.append(Problem(_("请填写批准文号"), field="approval_ref"))
    if plan.filed_on and approved_on < plan.filed_on:
        problems.append(Problem(_("批准日期早于报备日期"), field="approved_on"))
    check = filing_check(plan)
    if check.late and not override_reason.strip():
        problems.append(Problem(_("报备逾期：%(msg)s。如需批准请填写中心特批原因", msg=check.message),
                                field="late_override_reason"))  # fmt: skip
    if problems:
        raise DomainError(_("未能登记批准"), problems)
    before = _snapshot(plan)
    plan.status, plan.approved_on, plan.approval_ref = PlanStatus.APPROVED, approved_on, reference
    plan.late_override_reason = override_reason.strip() if check.late else ""
    audit.record("plan.approve", plan, before=before, after=_snapshot(plan))


def reopen_plan(plan: ExamPlan, reason: str) -> None:
    """Back to draft (e.g. the province returned the plan); the reason is kept in the audit log."""
    if not reason.strip():
        raise DomainError(_("请填写撤回原因"), [Problem(_("请填写撤回原因"), field="reason")])
    before = _snapshot(plan)
    plan.status, plan.filed_on, plan.approved_on, plan.approval_ref = PlanStatus.DRAFT, None, None, ""
    plan.late_override_reason = ""
    audit.record("plan.reopen", plan, before=before, after={**_snapshot(plan), "reason": reason.strip()})


def _snapshot(plan: ExamPlan) -> dict:
    return {
        "name": plan.name,
        "status": plan.status.value if plan.status else None,
        "batches": [b.id for b in plan.batches],
        "spare_seats_per_lab": plan.spare_seats_per_lab,
        "form_count": plan.form_count,
        "lead_working_days": plan.lead_working_days,
        "filed_on": plan.filed_on.isoformat() if plan.filed_on else None,
        "approved_on": plan.approved_on.isoformat() if plan.approved_on else None,
        "approval_ref": plan.approval_ref,
        "late_override_reason": plan.late_override_reason,
    }
