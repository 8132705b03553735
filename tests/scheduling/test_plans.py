"""Plan filing: the working-day deadline with 调休 days, approval, late override, change control."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from examsys.core.audit import AuditEntry
from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.core.timezone import from_local
from examsys.modules.registration.models import Path
from examsys.modules.scheduling import plans, sessions
from examsys.modules.scheduling.models import PlanStatus, SessionKind

# 2026-10-10 (a Saturday) is an official make-up working day (调休) after National Day.
FIRST_SESSION = datetime(2026, 10, 20, 8, 30)


@pytest.fixture
def plan(make_plan, make_lab):
    plan = make_plan()
    sessions.create_session(
        plan, sessions.SessionData(SessionKind.THEORY, "第1场", from_local(FIRST_SESSION), 90, [make_lab()])
    )
    return plan


def test_deadline_counts_official_working_days_including_make_up_saturday(plan):
    check = plans.filing_check(plan)
    assert check.first_session == date(2026, 10, 20)
    # Back 10 working days: 19, 16, 15, 14, 13, 12, 10 (Sat, 调休), 9, 8, then over the holiday to 30 Sep.
    assert check.deadline == date(2026, 9, 30)
    assert not check.provisional


def test_plan_filed_nine_working_days_ahead_across_a_make_up_weekend_is_late(plan):
    check = plans.file_plan(plan, date(2026, 10, 8))
    assert check.late and check.working_days_ahead == 9
    assert "2026-09-30" in check.message
    assert plan.status is PlanStatus.FILED


def test_mon_to_fri_counting_would_wrongly_accept_a_late_filing(plan):
    # Ten Monday-to-Friday days before 20 Oct ends on 6 Oct, inside the holiday: still late here.
    assert plans.filing_check(plan, date(2026, 10, 6)).late
    on_time = plans.filing_check(plan, date(2026, 9, 30))
    assert not on_time.late and on_time.working_days_ahead == 10


def test_lead_time_is_configurable_per_plan(plan):
    plan.lead_working_days = 5
    assert plans.filing_check(plan, date(2026, 10, 13)).working_days_ahead == 5
    assert not plans.filing_check(plan, date(2026, 10, 13)).late
    assert plans.filing_check(plan, date(2026, 10, 14)).late


def test_new_plans_take_the_lead_time_from_settings(app, make_plan):
    app.config["PLAN_LEAD_WORKING_DAYS"] = 12
    try:
        assert make_plan().lead_working_days == 12
    finally:
        app.config["PLAN_LEAD_WORKING_DAYS"] = 10


def test_late_plan_needs_the_centres_override_reason_to_be_approved(plan):
    plans.file_plan(plan, date(2026, 10, 8))
    with pytest.raises(DomainError) as refused:
        plans.approve_plan(plan, date(2026, 10, 12), "鲁职鉴〔2026〕18号")
    assert any(p.field == "late_override_reason" for p in refused.value.problems)
    assert plan.status is PlanStatus.FILED
    plans.approve_plan(plan, date(2026, 10, 12), "鲁职鉴〔2026〕18号", override_reason="省中心同意补报")
    assert plan.status is PlanStatus.APPROVED and plan.approval_ref == "鲁职鉴〔2026〕18号"
    assert plan.late_override_reason == "省中心同意补报"


def test_on_time_plan_is_approved_with_its_reference(plan):
    plans.file_plan(plan, date(2026, 9, 29))
    with pytest.raises(DomainError):
        plans.approve_plan(plan, date(2026, 10, 9), "  ")
    plans.approve_plan(plan, date(2026, 10, 9), "REF-1")
    assert plan.approved_on == date(2026, 10, 9) and plan.late_override_reason == ""


def test_approval_requires_a_filed_plan_and_a_date_after_filing(plan):
    with pytest.raises(DomainError):
        plans.approve_plan(plan, date(2026, 10, 9), "REF")
    plans.file_plan(plan, date(2026, 9, 29))
    with pytest.raises(DomainError) as refused:
        plans.approve_plan(plan, date(2026, 9, 1), "REF")
    assert any(p.field == "approved_on" for p in refused.value.problems)


def test_changes_after_approval_need_a_reason_and_are_audited(plan, make_lab):
    plans.file_plan(plan, date(2026, 9, 29))
    plans.approve_plan(plan, date(2026, 10, 9), "REF")
    data = sessions.SessionData(
        SessionKind.THEORY, "第2场", from_local(datetime(2026, 10, 20, 14, 0)), 90, [make_lab()]
    )
    with pytest.raises(DomainError) as refused:
        sessions.create_session(plan, data)
    assert refused.value.problems[0].field == "reason"
    created = sessions.create_session(plan, data, reason="增加补考场次")
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "session.create", AuditEntry.object_id == str(created.id))
    ).one()
    assert json.loads(entry.after)["reason"] == "增加补考场次"


def test_a_batch_sits_in_one_plan_only_and_must_be_an_exam_batch(make_plan, make_exam_batch):
    batch = make_exam_batch()
    make_plan(batches=[batch])
    with pytest.raises(DomainError) as refused:
        make_plan(batches=[batch])
    assert "已在另一个考试计划中" in refused.value.problems[0].message
    other = make_exam_batch()
    other.path = Path.DIRECT
    with pytest.raises(DomainError) as refused:
        make_plan(batches=[other])
    assert "不是考试考核批次" in refused.value.problems[0].message


def test_filing_needs_sessions_and_reopen_returns_to_draft(make_plan, plan):
    with pytest.raises(DomainError):
        plans.file_plan(make_plan(), date(2026, 9, 1))
    plans.file_plan(plan, date(2026, 9, 29))
    with pytest.raises(DomainError):
        plans.reopen_plan(plan, "")
    plans.reopen_plan(plan, "省中心退回修改")
    assert plan.status is PlanStatus.DRAFT and plan.filed_on is None
