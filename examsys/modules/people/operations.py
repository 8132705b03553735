"""People writes: create and update a person with a validated identity document."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, Forbidden, Problem
from examsys.core.ids import DocumentType, IdDocumentError, validate_document
from examsys.modules.catalog.models import College, Major, StudyLevel
from examsys.modules.people.models import Gender, IdentityDocument, Person, PersonKind

PERSON_FIELDS = (
    "kind", "name", "gender", "birth_date", "ethnicity", "political_status", "education", "phone", "email",
    "college_id", "major_id", "student_no", "grade", "class_name", "study_level", "expected_graduation",
    "staff_no", "department",
)  # fmt: skip


@dataclass
class PersonData:
    """Validated-at-the-edge input for a person; the operation checks the rules."""

    kind: PersonKind
    name: str
    doc_type: DocumentType
    doc_number: str
    gender: Gender | None = None
    birth_date: date | None = None
    ethnicity: str = ""
    political_status: str = ""
    education: str = ""
    phone: str = ""
    email: str = ""
    college: College | None = None
    major: Major | None = None
    student_no: str | None = None
    grade: str = ""
    class_name: str = ""
    study_level: StudyLevel | None = None
    expected_graduation: date | None = None
    staff_no: str | None = None
    department: str = ""
    warnings: list[str] = field(default_factory=list)


def check_person(data: PersonData, existing: Person | None = None) -> list[Problem]:
    """Every problem with ``data`` (fills gender/birth date from the ID where missing)."""
    problems: list[Problem] = []
    if not data.name.strip():
        problems.append(Problem(_("姓名不能为空"), field="name"))
    problems += _check_document(data, existing)
    if data.kind is PersonKind.STUDENT:
        if data.college is None:
            problems.append(Problem(_("学生必须填写学院"), field="college"))
        if not data.student_no:
            problems.append(Problem(_("学生必须填写学号"), field="student_no"))
    if data.major is not None and data.college is not None and data.major.college_id != data.college.id:
        problems.append(Problem(_("专业「%(major)s」不属于该学院", major=data.major.name), field="major"))
    if data.kind is not PersonKind.STUDENT and data.student_no:
        problems.append(Problem(_("只有学生可以填写学号"), field="student_no"))
    problems += _check_unique(Person.student_no, data.student_no, existing, "student_no", _("学号"))
    problems += _check_unique(Person.staff_no, data.staff_no, existing, "staff_no", _("工号"))
    return problems


def _check_document(data: PersonData, existing: Person | None) -> list[Problem]:
    try:
        result = validate_document(data.doc_type, data.doc_number)
    except IdDocumentError as error:
        return [Problem(str(error), field="doc_number")]
    data.doc_number = result.number
    data.warnings = [str(w) for w in result.warnings]
    problems = []
    if result.gender:
        id_gender = Gender(result.gender)
        if data.gender is not None and data.gender is not id_gender:
            problems.append(Problem(_("性别与证件号码不符（证件为%(g)s）", g=id_gender.title), field="gender"))
        data.gender = id_gender
    if result.birth_date:
        if data.birth_date is not None and data.birth_date != result.birth_date:
            problems.append(Problem(_("出生日期与证件号码不符"), field="birth_date"))
        data.birth_date = result.birth_date
    if data.gender is None:
        problems.append(Problem(_("请填写性别"), field="gender"))
    holder = db.session.scalar(
        sa.select(IdentityDocument).where(
            IdentityDocument.doc_type == data.doc_type, IdentityDocument.number == result.number
        )
    )
    if holder is not None and holder.person is not existing:
        problems.append(
            Problem(_("证件号码 %(n)s 已属于 %(name)s", n=result.number, name=holder.person.name), field="doc_number")
        )
    return problems


def _check_unique(column, value, existing, field_name: str, label: str) -> list[Problem]:
    if not value:
        return []
    other = db.session.scalar(sa.select(Person).where(column == value))
    if other is not None and other is not existing:
        return [Problem(_("%(label)s %(value)s 已被使用", label=label, value=value), field=field_name)]
    return []


def _apply(person: Person, data: PersonData) -> None:
    for f in fields(PersonData):
        if f.name in {"doc_type", "doc_number", "warnings"}:
            continue
        value = getattr(data, f.name)
        setattr(person, f.name, value.strip() if type(value) is str else value)  # enums are str too
    person.student_no = data.student_no or None
    person.staff_no = data.staff_no or None
    primary = person.primary_document
    if primary is None:
        person.documents.append(IdentityDocument(doc_type=data.doc_type, number=data.doc_number, is_primary=True))
    else:
        primary.doc_type, primary.number = data.doc_type, data.doc_number


def _state(person: Person) -> dict:
    state = audit.snapshot(person, PERSON_FIELDS)
    doc = person.primary_document
    state["document"] = f"{doc.doc_type.value}:{doc.number}" if doc else None
    return state


def create_person(data: PersonData, *, scope: int | None = None) -> Person:
    """Create a person; a coordinator (``scope``) may only create in their own college."""
    _check_scope(data, scope)
    problems = check_person(data)
    if problems:
        raise DomainError(_("人员信息有误"), problems)
    person = Person()
    _apply(person, data)
    db.session.add(person)
    audit.record("person.create", person, after=_state(person))
    return person


def update_person(person: Person, data: PersonData, *, scope: int | None = None) -> Person:
    _check_scope(data, scope)
    problems = check_person(data, existing=person)
    if problems:
        raise DomainError(_("人员信息有误"), problems)
    before = _state(person)
    _apply(person, data)
    db.session.flush()
    audit.record("person.update", person, before=before, after=_state(person))
    return person


def _check_scope(data: PersonData, scope: int | None) -> None:
    if scope is not None and (data.college is None or data.college.id != scope):
        raise Forbidden(_("只能登记本学院的人员"))
