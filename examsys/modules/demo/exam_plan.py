"""The demo school's first exam window: batches with approved candidates, a plan, sittings and seats.

Like seed 002's first batch: every student whose major relates to a level-4 job is registered
(one job each), reviewed by the college and the centre, and seated across the 14 labs in as
many sittings as it takes, starting three weeks from today so the filing deadline is ahead.
Staff on duty: proctors, examiners with cards and supervisors, with accounts of their own.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from examsys.core.calendar import is_working_day
from examsys.core.db import db, utcnow
from examsys.core.timezone import from_local, local_date
from examsys.modules.accounts import operations as accounts
from examsys.modules.accounts.models import User
from examsys.modules.catalog.models import CertifiableLevel, Job
from examsys.modules.demo import school
from examsys.modules.demo.identities import generate_people
from examsys.modules.demo.tickets import ticket_the_plan
from examsys.modules.people.models import Person, PersonKind
from examsys.modules.registration import operations as registration
from examsys.modules.registration.models import Application, Batch, Decision, Path, ReviewLevel
from examsys.modules.scheduling import plans, practical_seating, seating, sessions, staffing, util
from examsys.modules.scheduling.models import ExamPlan, Room, RoomKind, SessionKind

PLAN_NAME = "2026 年冬季第一批职业技能等级认定实施计划"
SITTING_TIMES = (time(8, 30), time(10, 30), time(14, 0), time(16, 0))
PRACTICAL_TIMES = (time(8, 30), time(14, 0))
LEVEL = 4


def load_exam_plan() -> dict[str, int]:
    """Create the plan once (matched by name); returns what was added."""
    if db.session.scalar(sa.select(ExamPlan.id).where(ExamPlan.name == PLAN_NAME)) is not None:
        return {}
    added: dict[str, int] = {}
    added["staff accounts"] = _staff_accounts()
    batches = _batches()
    added["plan batches"] = len(batches)
    added["approved applications"] = _register_and_approve(batches)
    plan = plans.create_plan(PLAN_NAME, batches, spare_seats=2, forms=2)
    labs = list(db.session.scalars(sa.select(Room).where(Room.kind == RoomKind.THEORY_LAB).order_by(Room.code)))
    sittings = seating.plan_sittings(plan, _first_day(), list(SITTING_TIMES), 90, labs)
    added["theory sittings"] = len(sittings)
    added["theory seats"] = seating.allocate_theory(plan).placed
    added["practical slots"] = len(_practical_slots(plan, sittings[-1].starts_at))
    added["practical stations"] = practical_seating.allocate_practical(plan).placed
    _examiner_cards(batches)
    added["staff duties"], _shortages = staffing.auto_assign(plan)
    added["admission tickets"] = ticket_the_plan(plan)
    return added


def _practical_slots(plan: ExamPlan, after) -> list:
    """Enough practical slots, on the working days after the theory sittings, for the busiest venue."""
    occupations = {b.job.occupation_id for b in plan.batches}
    venues = [v for v in db.session.scalars(sa.select(Room).where(Room.kind != RoomKind.THEORY_LAB).order_by(Room.code))
              if v.capacity and occupations & {o.id for o in v.occupations}]  # fmt: skip
    if not venues:
        return []
    heads: dict[int, int] = {}
    for app in util.approved_applications(plan):
        heads[app.batch.job.occupation_id] = heads.get(app.batch.job.occupation_id, 0) + 1
    needed = max(math.ceil(sum(heads.get(o.id, 0) for o in v.occupations) / v.capacity) for v in venues)
    created, day = [], local_date(after) + timedelta(days=1)
    while len(created) < needed:
        if is_working_day(day)[0]:
            for start in PRACTICAL_TIMES[: needed - len(created)]:
                data = sessions.SessionData(SessionKind.PRACTICAL, f"第{len(created) + 1}场技能操作",
                                            from_local(datetime.combine(day, start)), 120, venues)  # fmt: skip
                created.append(sessions.create_session(plan, data))
        day += timedelta(days=1)
    return created


def _first_day() -> date:
    day = utcnow().date() + timedelta(days=21)
    while not is_working_day(day)[0]:
        day += timedelta(days=1)
    return day


def _batches() -> list[Batch]:
    """One level-4 exam batch per job that has students in related majors (not the open demo batch's job)."""
    taken_jobs = set(db.session.scalars(sa.select(Batch.job_id)))
    jobs = db.session.scalars(
        sa.select(Job).join(CertifiableLevel, CertifiableLevel.job_id == Job.id).where(CertifiableLevel.level == LEVEL)
        .order_by(Job.id)
    ).all()  # fmt: skip
    now = utcnow()
    batches = []
    for job in jobs:
        if job.id in taken_jobs or not job.majors or job.occupation.owner_college is None:
            continue
        batches.append(
            registration.save_batch(
                None,
                registration.BatchData(
                    name=f"2026 冬季第一批 {job.label} 四级",
                    job=job,
                    level=LEVEL,
                    path=Path.EXAM,
                    college=job.occupation.owner_college,
                    opens_at=now - timedelta(days=30),
                    closes_at=now + timedelta(days=5),
                    exam_date=_first_day(),
                    rules=[{"rule": "major_related"}, {"rule": "minimum_age", "params": {"years": 16}}],
                ),
            )
        )
    return batches


def _register_and_approve(batches: list[Batch]) -> int:
    """Each student registers for the first batch whose job relates to their major; both reviews approve."""
    applied = set(db.session.scalars(sa.select(Application.person_id)))
    batch_of_major = {}
    for batch in batches:
        for major in batch.job.majors:
            batch_of_major.setdefault(major.id, batch)
    students = db.session.scalars(
        sa.select(Person).where(Person.kind == PersonKind.STUDENT).order_by(Person.id)
    ).all()  # fmt: skip
    by_batch: dict[int, list[Person]] = {}
    for person in students:
        batch = batch_of_major.get(person.major_id)
        if batch is not None and person.id not in applied:
            by_batch.setdefault(batch.id, []).append(person)
    count = 0
    for batch in batches:
        result = registration.apply_many(batch, by_batch.get(batch.id, []))
        registration.review_many(result.applied, ReviewLevel.COLLEGE, Decision.APPROVE)
        registration.review_many(result.applied, ReviewLevel.CENTRE, Decision.APPROVE)
        count += len(result.applied)
    return count


def _staff_accounts() -> int:
    """Proctors, examiners and supervisors enough for 14 labs per sitting."""
    taken = set(db.session.scalars(sa.select(User.username)))
    fakes = generate_people(len(school.DUTY_STAFF), seed=77, birth_years=(1970, 1995))
    created = 0
    hashed = accounts.hash_password(school.DEMO_PASSWORD)  # one argon2 hash for all, not 78
    for (username, title, roles), fake in zip(school.DUTY_STAFF, fakes, strict=True):
        if username not in taken:
            accounts.create_user(username, school.DEMO_PASSWORD, roles, display_name=f"{title} {fake.name}",
                                 password_hash=hashed)  # fmt: skip
            created += 1
    return created


def _examiner_cards(batches: list[Batch]) -> None:
    """Every examiner holds cards for the plan's practical occupations (one has let a card lapse, for the demo)."""
    examiners = db.session.scalars(
        sa.select(User).where(User.username.like("examiner%")).order_by(User.username)
    ).all()  # fmt: skip
    practical = {
        o.id for v in db.session.scalars(sa.select(Room).where(Room.kind != RoomKind.THEORY_LAB)) for o in v.occupations
    }
    occupations = sorted({b.job.occupation for b in batches if b.job.occupation_id in practical}, key=lambda o: o.id)
    issued = utcnow().date() - timedelta(days=400)
    for n, user in enumerate(examiners, start=1):
        for occupation in occupations:
            lapsed = n == 1 and occupation is occupations[0]
            staffing.add_card(
                user, f"KPY{occupation.id:03d}{n:04d}", occupation, 3,
                issued - timedelta(days=3 * 366) if lapsed else issued,
            )  # fmt: skip
