"""Counts shown on the staff dashboard."""

import sqlalchemy as sa

from examsys.core.db import db
from examsys.modules.catalog.models import College, Job, Major, Occupation
from examsys.modules.people.models import Person, PersonKind


def dashboard_counts(scope: int | None) -> dict[str, int]:
    people = sa.select(sa.func.count()).select_from(Person)
    students = people.where(Person.kind == PersonKind.STUDENT)
    photos = people.where(Person.photo_path.is_not(None))
    if scope is not None:
        people, students, photos = (s.where(Person.college_id == scope) for s in (people, students, photos))
    count = db.session.scalar
    return {
        "colleges": count(sa.select(sa.func.count()).select_from(College)),
        "majors": count(sa.select(sa.func.count()).select_from(Major)),
        "occupations": count(sa.select(sa.func.count()).select_from(Occupation)),
        "jobs": count(sa.select(sa.func.count()).select_from(Job)),
        "people": count(people),
        "students": count(students),
        "photos": count(photos),
    }
