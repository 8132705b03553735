"""Load the fictitious demo school. Idempotent: running it again adds nothing twice."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from examsys.core.db import db, utcnow
from examsys.core.ids import DocumentType
from examsys.core.media import store_bytes
from examsys.core.permissions import Role
from examsys.modules.accounts import operations as accounts
from examsys.modules.accounts.models import User
from examsys.modules.catalog import operations as catalog
from examsys.modules.catalog import util as catalog_util
from examsys.modules.catalog.models import College, Major, Occupation, StudyLevel
from examsys.modules.catalog.util import find_job
from examsys.modules.demo import school
from examsys.modules.demo.banks import load_sample_banks
from examsys.modules.demo.exam_plan import load_exam_plan
from examsys.modules.demo.identities import FakePerson, generate_people
from examsys.modules.demo.portraits import render_portrait
from examsys.modules.people import operations as people
from examsys.modules.people.models import Gender, Person, PersonKind
from examsys.modules.people.util import find_by_document
from examsys.modules.registration import operations as registration
from examsys.modules.registration.models import Batch, Path
from examsys.modules.scheduling import operations as rooms

STUDY_YEARS = {
    StudyLevel.UNDERGRADUATE: 4,
    StudyLevel.HIGHER_VOCATIONAL: 3,
    StudyLevel.SECONDARY: 3,
}
GRADES = ("2023", "2024", "2025")
CLASS_SIZE = 40


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        if n:
            self.created[key] = self.created.get(key, 0) + n


def load_demo(candidates: int = 1200, public: int = 30, photos: bool = True, seed: int = 2026) -> DemoSummary:
    """Create (or complete) the demo school; returns what was newly created."""
    summary = DemoSummary()
    if catalog_util.certification_body() is None:
        catalog.save_certification_body(**school.BODY)
        summary.add("certification_body")
    majors = _colleges_and_majors(summary)
    summary.add(
        "occupations",
        catalog.import_occupations(catalog_util.read_occupations_csv())["occupations"],
    )
    _assign_owner_colleges()
    summary.add("rooms", rooms.load_rooms(school.LABS, school.VENUES))
    _students(majors, candidates, seed, photos, summary)
    _public(public, seed + 1, photos, summary)
    _accounts(summary)
    for key, count in load_sample_banks().items():
        summary.add(key, count)
    summary.add("batches", _batch())
    for key, count in load_exam_plan().items():
        summary.add(key, count)
    return summary


def _batch() -> int:
    """An open e-commerce batch with the first students of the related majors registered."""
    job = find_job("4-01-02-02", "网商")
    if job is None or db.session.scalar(sa.select(Batch.id).limit(1)) is not None:
        return 0
    now = utcnow()
    batch = registration.save_batch(
        None,
        registration.BatchData(
            name="2026 年冬季电子商务师（网商）四级认定",
            job=job,
            level=4,
            path=Path.EXAM,
            college=job.occupation.owner_college,
            opens_at=now - timedelta(days=7),
            closes_at=now + timedelta(days=21),
            exam_date=(now + timedelta(days=35)).date(),
            planned_headcount=200,
            rules=[{"rule": "major_related"}, {"rule": "minimum_age", "params": {"years": 16}}],
        ),
    )
    students = db.session.scalars(
        sa.select(Person).where(Person.major_id.in_([m.id for m in job.majors])).order_by(Person.id).limit(40)
    )
    registration.apply_many(batch, list(students), now=now)
    return 1


def _colleges_and_majors(summary: DemoSummary) -> list[Major]:
    majors = []
    existing = {c.code: c for c in catalog_util.list_colleges()}
    for code, name, major_defs in school.COLLEGES:
        college = existing.get(code)
        if college is None:
            college = catalog.save_college(None, code=code, name=name)
            summary.add("colleges")
        have = {(m.name, m.study_level): m for m in college.majors}
        for index, (major_name, level) in enumerate(major_defs, start=1):
            major = have.get((major_name, level))
            if major is None:
                major = catalog.save_major(
                    None, college=college, name=major_name, study_level=level, code=f"{code}{index:02d}"
                )
                summary.add("majors")
            majors.append(major)
    return majors


def _assign_owner_colleges() -> None:
    """谁申报谁受益: the college whose majors an occupation serves owns it."""
    for occupation in db.session.scalars(sa.select(Occupation).where(Occupation.owner_college_id.is_(None))):
        majors = [m for job in occupation.jobs for m in job.majors]
        if majors:
            catalog.save_occupation(
                occupation,
                name=occupation.name,
                code=occupation.code,
                standard=occupation.standard,
                owner_college=majors[0].college,
                active=occupation.active,
            )


def _photo(fake: FakePerson, index: int) -> str:
    return store_bytes("photos", render_portrait(index, fake.gender), ".jpg")


def _students(majors: list[Major], count: int, seed: int, photos: bool, summary: DemoSummary) -> None:
    fakes = generate_people(count, seed=seed, birth_years=(2003, 2009))
    slots = itertools.cycle(itertools.product(GRADES, majors))
    serial_by_class: dict[tuple[str, int], int] = {}
    for index, fake in enumerate(fakes):
        grade, major = next(slots)
        serial = serial_by_class.get((grade, major.id), 0) + 1
        serial_by_class[(grade, major.id)] = serial
        if find_by_document(fake.id_number) is not None:
            continue
        person = people.create_person(
            people.PersonData(
                kind=PersonKind.STUDENT,
                name=fake.name,
                doc_type=DocumentType.resident_id,
                doc_number=fake.id_number,
                gender=Gender(fake.gender),
                ethnicity=fake.ethnicity,
                political_status=fake.political_status,
                education=_education(major.study_level),
                phone=fake.phone,
                college=major.college,
                major=major,
                student_no=f"{grade}{major.code}{serial:03d}",
                grade=grade,
                class_name=f"{grade[2:]}级{major.name}{(serial - 1) // CLASS_SIZE + 1}班",
                study_level=major.study_level,
                expected_graduation=date(int(grade) + STUDY_YEARS[major.study_level], 6, 30),
            )
        )
        if photos:
            person.photo_path = _photo(fake, index)
        summary.add("students")


def _education(level: StudyLevel) -> str:
    return {
        StudyLevel.SECONDARY: "初中",
        StudyLevel.HIGHER_VOCATIONAL: "高中",
        StudyLevel.UNDERGRADUATE: "高中",
    }[level]


def _public(count: int, seed: int, photos: bool, summary: DemoSummary) -> None:
    for index, fake in enumerate(generate_people(count, seed=seed, birth_years=(1978, 2000))):
        if find_by_document(fake.id_number) is not None:
            continue
        person = people.create_person(
            people.PersonData(
                kind=PersonKind.PUBLIC,
                name=fake.name,
                doc_type=DocumentType.resident_id,
                doc_number=fake.id_number,
                gender=Gender(fake.gender),
                ethnicity=fake.ethnicity,
                political_status="群众",
                education="高中",
                phone=fake.phone,
            )
        )
        if photos:
            person.photo_path = _photo(fake, 100_000 + index)
        summary.add("public")


def _accounts(summary: DemoSummary) -> None:
    taken = set(db.session.scalars(sa.select(User.username)))
    colleges = {c.code: c for c in db.session.scalars(sa.select(College))}
    for username, display, roles, college_code in school.STAFF_ACCOUNTS:
        if username not in taken:
            accounts.create_user(
                username,
                school.DEMO_PASSWORD,
                roles,
                display_name=display,
                college=colleges.get(college_code) if college_code else None,
            )
            summary.add("accounts")
    if "candidate" not in taken:
        first = db.session.scalar(
            sa.select(Person).where(Person.kind == PersonKind.STUDENT).order_by(Person.id).limit(1)
        )
        if first is not None:
            accounts.create_user(
                "candidate", school.DEMO_PASSWORD, [Role.CANDIDATE], display_name=first.name, person=first
            )
            summary.add("accounts")
