"""Read queries for people, with each user's college scope applied."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from examsys.core.db import db
from examsys.core.errors import Forbidden, NotFound
from examsys.core.ids import normalize_number
from examsys.modules.catalog.models import StudyLevel
from examsys.modules.people.models import IdentityDocument, Person, PersonKind


@dataclass
class PeopleFilter:
    q: str = ""
    kind: PersonKind | None = None
    college_id: int | None = None
    major_id: int | None = None
    grade: str = ""
    class_name: str = ""
    study_level: StudyLevel | None = None


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def scope_college(user) -> int | None:
    """The college a user is limited to (coordinators), or None for the whole school."""
    return getattr(user, "scoped_college_id", None)


def _filtered(flt: PeopleFilter, scope: int | None) -> sa.Select:
    stmt = sa.select(Person)
    if scope is not None:
        stmt = stmt.where(Person.college_id == scope)
    if flt.q:
        number = normalize_number(flt.q)
        like = f"%{flt.q}%"
        stmt = stmt.where(
            sa.or_(
                Person.name.like(like),
                Person.student_no == flt.q,
                Person.phone == flt.q,
                Person.documents.any(IdentityDocument.number == number),
            )
        )
    for column, value in (
        (Person.kind, flt.kind),
        (Person.college_id, flt.college_id),
        (Person.major_id, flt.major_id),
        (Person.study_level, flt.study_level),
    ):
        if value:
            stmt = stmt.where(column == value)
    if flt.grade:
        stmt = stmt.where(Person.grade == flt.grade)
    if flt.class_name:
        stmt = stmt.where(Person.class_name.like(f"%{flt.class_name}%"))
    return stmt


def search_people(flt: PeopleFilter, *, scope: int | None, page: int = 1, per_page: int = 50) -> Page:
    stmt = _filtered(flt, scope)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    rows = db.session.scalars(
        stmt.options(selectinload(Person.documents), selectinload(Person.college), selectinload(Person.major))
        .order_by(Person.college_id, Person.grade, Person.class_name, Person.student_no, Person.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(list(rows), total, page, per_page)


def get_person(person_id: int, *, scope: int | None) -> Person:
    """Load a person; a coordinator asking for someone outside their college is refused."""
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound(_l("人员不存在"))
    if scope is not None and person.college_id != scope:
        raise Forbidden(_l("只能查看本学院的人员"))
    return person


def find_by_document(number: str) -> Person | None:
    number = normalize_number(number)
    return db.session.scalar(sa.select(Person).join(IdentityDocument).where(IdentityDocument.number == number).limit(1))


def distinct_grades(scope: int | None) -> list[str]:
    stmt = sa.select(Person.grade).where(Person.grade != "").distinct().order_by(Person.grade)
    if scope is not None:
        stmt = stmt.where(Person.college_id == scope)
    return list(db.session.scalars(stmt))


def people_by_document_numbers(numbers: list[str], chunk: int = 900) -> dict[str, Person]:
    """ID number -> person for many numbers at once (chunked under SQLite's parameter limit)."""
    found: dict[str, Person] = {}
    for start in range(0, len(numbers), chunk):
        stmt = (
            sa.select(IdentityDocument.number, Person)
            .join(Person, IdentityDocument.person_id == Person.id)
            .where(IdentityDocument.number.in_(numbers[start : start + chunk]))
        )
        found.update({number: person for number, person in db.session.execute(stmt)})
    return found
