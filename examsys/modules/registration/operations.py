"""Registration writes: batches and their rules, applications, and the two-level review."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError, Forbidden, Problem
from examsys.modules.catalog.models import College, Job
from examsys.modules.people.models import Person
from examsys.modules.people.util import find_by_document
from examsys.modules.registration import eligibility
from examsys.modules.registration.models import (
    Application,
    ApplicationStatus,
    Batch,
    Decision,
    OccupationGrant,
    Path,
    ReviewDecision,
    ReviewLevel,
)

BATCH_FIELDS = (
    "name",
    "job_id",
    "level",
    "path",
    "college_id",
    "opens_at",
    "closes_at",
    "exam_date",
    "fee",
    "planned_headcount",
    "rules",
)


def may_certify(college: College, job: Job) -> bool:
    """谁申报谁受益: the owning college, or one the centre granted the occupation to."""
    occupation = job.occupation
    if occupation.owner_college_id in (None, college.id):
        return True
    grant = db.session.get(OccupationGrant, (occupation.id, college.id))
    return grant is not None


def grant_occupation(occupation_id: int, college: College) -> OccupationGrant:
    grant = db.session.get(OccupationGrant, (occupation_id, college.id))
    if grant is None:
        grant = OccupationGrant(occupation_id=occupation_id, college_id=college.id)
        db.session.add(grant)
        audit.record(
            "occupation.grant",
            object_type="occupation_grants",
            object_id=f"{occupation_id}:{college.id}",
            after={"occupation_id": occupation_id, "college_id": college.id},
        )
    return grant


@dataclass
class BatchData:
    name: str
    job: Job
    level: int
    path: Path
    college: College
    opens_at: datetime
    closes_at: datetime
    exam_date: date | None = None
    fee: Decimal | None = None
    planned_headcount: int = 0
    rules: list[dict[str, Any]] = field(default_factory=list)


def save_batch(batch: Batch | None, data: BatchData, *, scope: int | None = None) -> Batch:
    """Create or update a batch; a coordinator (``scope``) may only act for their college."""
    if scope is not None and data.college.id != scope:
        raise Forbidden(_("只能为本学院开设认定批次"))
    problems = []
    if not data.name.strip():
        problems.append(Problem(_("批次名称不能为空"), field="name"))
    if data.level not in data.job.level_numbers:
        problems.append(
            Problem(_("%(job)s 不能认定 %(level)d 级", job=data.job.label, level=data.level), field="level")
        )
    if data.closes_at <= data.opens_at:
        problems.append(Problem(_("报名截止时间必须晚于开始时间"), field="closes_at"))
    if data.fee is not None and data.fee < 0:
        problems.append(Problem(_("费用不能为负数"), field="fee"))
    if not may_certify(data.college, data.job):
        owner = data.job.occupation.owner_college
        problems.append(
            Problem(
                _(
                    "%(occ)s 由%(owner)s申报，其他学院开设批次需经认定中心批准",
                    occ=data.job.occupation.name,
                    owner=owner.name if owner else "—",
                ),
                field="college",
            )
        )
    if problems:
        raise DomainError(_("认定批次信息有误"), problems)
    rules = eligibility.clean_rules(data.rules)
    before = audit.snapshot(batch, BATCH_FIELDS) if batch else None
    if batch is None:
        batch = Batch()
        db.session.add(batch)
    batch.name, batch.job, batch.level, batch.path = data.name.strip(), data.job, data.level, data.path
    batch.college, batch.opens_at, batch.closes_at, batch.exam_date = (
        data.college,
        data.opens_at,
        data.closes_at,
        data.exam_date,
    )
    batch.fee, batch.planned_headcount, batch.rules = data.fee, data.planned_headcount, rules
    db.session.flush()
    audit.record("batch.save", batch, before=before, after=audit.snapshot(batch, BATCH_FIELDS))
    return batch


def set_rules(batch: Batch, rules: list[dict[str, Any]]) -> None:
    before = batch.rules
    batch.rules = eligibility.clean_rules(rules)
    audit.record("batch.rules", batch, before={"rules": before}, after={"rules": batch.rules})


def _check_window(batch: Batch, now: datetime) -> None:
    if not batch.opens_at <= now <= batch.closes_at:
        raise DomainError(
            _(
                "不在报名时间内（%(a)s 至 %(b)s）",
                a=batch.opens_at.strftime("%Y-%m-%d %H:%M"),
                b=batch.closes_at.strftime("%Y-%m-%d %H:%M"),
            )
        )


def apply(
    batch: Batch, person: Person, *, training_hours: int = 0, now: datetime | None = None, scope: int | None = None
) -> Application:
    """Apply ``person`` to ``batch``; refused with every failed eligibility rule listed."""
    now = now or utcnow()
    if scope is not None and person.college_id != scope:
        raise Forbidden(_("只能为本学院学生报名"))
    _check_window(batch, now)
    existing = db.session.scalar(
        sa.select(Application).where(Application.batch_id == batch.id, Application.person_id == person.id)
    )
    if existing is not None:
        raise DomainError(_("%(name)s 已报名该批次（%(s)s）", name=person.name, s=existing.status.title))
    verdicts = eligibility.evaluate(batch, person, training_hours)
    failed = [v for v in verdicts if not v.passed]
    if failed:
        raise DomainError(_("%(name)s 不符合报名条件", name=person.name), [Problem(v.explanation) for v in failed])
    application = Application(
        batch=batch,
        person=person,
        submitted_at=now,
        training_hours=training_hours,
        submitted_by_id=audit.current_actor()[0],
        eligibility=[v.as_dict() for v in verdicts],
    )
    db.session.add(application)
    audit.record(
        "application.submit",
        application,
        after={"batch": batch.id, "person": person.id, "eligibility": application.eligibility},
    )
    return application


@dataclass
class BulkResult:
    applied: list[Application] = field(default_factory=list)
    blocked: list[tuple[Person, list[str]]] = field(default_factory=list)


def apply_many(
    batch: Batch, people: Iterable[Person], *, scope: int | None = None, now: datetime | None = None
) -> BulkResult:
    """A college registers many at once: eligible people are applied, the rest come back with reasons."""
    result = BulkResult()
    for person in people:
        try:
            with db.session.begin_nested():
                result.applied.append(apply(batch, person, scope=scope, now=now))
        except DomainError as error:
            result.blocked.append((person, [str(p) for p in error.problems] or [str(error)]))
    return result


def resubmit(application: Application, *, training_hours: int | None = None, now: datetime | None = None) -> None:
    """A returned application goes back to the college after its rules are checked again."""
    if application.status is not ApplicationStatus.RETURNED:
        raise DomainError(_("只有退回修改的报名可以重新提交"))
    hours = application.training_hours if training_hours is None else training_hours
    verdicts = eligibility.evaluate(application.batch, application.person, hours)
    failed = [v for v in verdicts if not v.passed]
    if failed:
        raise DomainError(_("仍不符合报名条件"), [Problem(v.explanation) for v in failed])
    application.training_hours, application.eligibility = hours, [v.as_dict() for v in verdicts]
    application.status, application.submitted_at = ApplicationStatus.SUBMITTED, now or utcnow()
    audit.record("application.resubmit", application, after={"eligibility": application.eligibility})


TRANSITIONS = {
    (ReviewLevel.COLLEGE, ApplicationStatus.SUBMITTED): {
        Decision.APPROVE: ApplicationStatus.COLLEGE_APPROVED,
        Decision.REJECT: ApplicationStatus.REJECTED,
        Decision.RETURN: ApplicationStatus.RETURNED,
    },
    (ReviewLevel.CENTRE, ApplicationStatus.COLLEGE_APPROVED): {
        Decision.APPROVE: ApplicationStatus.APPROVED,
        Decision.REJECT: ApplicationStatus.REJECTED,
        Decision.RETURN: ApplicationStatus.RETURNED,
    },
}


def check_review(
    application: Application, level: ReviewLevel, decision: Decision, reason: str = "", *, scope: int | None = None
) -> ApplicationStatus:
    """The status ``decision`` would lead to; raises when it may not be taken."""
    if scope is not None and (level is not ReviewLevel.COLLEGE or application.person.college_id != scope):
        raise Forbidden(_("学院联络员只能初审本学院的报名"))
    targets = TRANSITIONS.get((level, application.status))
    if targets is None:
        level_name = _("学院") if level is ReviewLevel.COLLEGE else _("中心")
        raise DomainError(
            _(
                "%(name)s 的报名当前为「%(s)s」，不能进行%(level)s审核",
                name=application.person.name,
                s=application.status.title,
                level=level_name,
            )
        )
    if decision is not Decision.APPROVE and not reason.strip():
        raise DomainError(_("不通过或退回必须填写原因"), [Problem(_("请填写原因"), field="reason")])
    return targets[decision]


def review(
    application: Application, level: ReviewLevel, decision: Decision, reason: str = "", *, scope: int | None = None
) -> None:
    """One review decision. Rejecting or returning needs a reason; coordinators review only
    their own college's applications, and only at the college level."""
    target = check_review(application, level, decision, reason, scope=scope)
    before = application.status
    application.status, application.last_reason = target, reason.strip()
    application.decisions.append(
        ReviewDecision(
            level=level,
            decision=decision,
            reason=reason.strip(),
            reviewer_id=audit.current_actor()[0],
            decided_at=utcnow(),
        )
    )
    audit.record(
        "application.review",
        application,
        before={"status": before.value},
        after={
            "status": target.value,
            "level": level.value,
            "decision": decision.value,
            "reason": application.last_reason,
        },
    )


def review_many(
    applications: list[Application],
    level: ReviewLevel,
    decision: Decision,
    reason: str = "",
    *,
    scope: int | None = None,
) -> int:
    """Bulk review: all or nothing, every application that cannot take the decision named."""
    problems = []
    for application in applications:
        try:
            check_review(application, level, decision, reason, scope=scope)
        except DomainError as error:
            problems.append(Problem(f"{application.person.name}：{error}"))
    if problems:
        raise DomainError(_("批量审核未执行：%(n)d 条报名不能处理", n=len(problems)), problems)
    for application in applications:
        review(application, level, decision, reason, scope=scope)
    return len(applications)


def set_fee_paid(applications: list[Application], paid: bool) -> int:
    """Mark applications' fees as paid or unpaid (a batch with no fee has nothing to pay)."""
    changed = 0
    for application in applications:
        if application.batch.fee is None:
            raise DomainError(_("该批次不收费"))
        if application.fee_paid != paid:
            application.fee_paid = paid
            audit.record("application.fee", application, after={"fee_paid": paid})
            changed += 1
    return changed


def apply_listed(
    batch: Batch, numbers: list[str], *, scope: int | None = None, now: datetime | None = None
) -> BulkResult:
    """Register people listed by ID number or student number (a college's own list)."""
    result = BulkResult()
    people = []
    for number in numbers:
        person = db.session.scalar(sa.select(Person).where(Person.student_no == number)) or find_by_document(number)
        if person is None:
            result.blocked.append((Person(name=number), [_("学号或证件号码 %(n)s 不在人员名单中", n=number)]))
        else:
            people.append(person)
    listed = apply_many(batch, people, scope=scope, now=now)
    listed.blocked = result.blocked + listed.blocked
    return listed
