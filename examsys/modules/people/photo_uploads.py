"""Storing candidate photos: each checked, stored once, with normalised copies for documents.

A photo that fails a check is not stored; the person keeps any earlier accepted photo and
the refusal reason is recorded, so the photo report can list who is missing or rejected.
Bulk (zip) uploads treat every photo on its own: one bad photo does not block the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, Forbidden, Problem
from examsys.core.media import store_bytes
from examsys.modules.people.models import Person
from examsys.modules.people.photos import check_photo, normalise, photos_from_zip
from examsys.modules.people.util import people_by_document_numbers


def _check_scope(person: Person, scope: int | None) -> None:
    if scope is not None and person.college_id != scope:
        raise Forbidden(_("只能上传本学院人员的照片"))


def accept_photo(person: Person, data: bytes, *, scope: int | None = None) -> list[str]:
    """Check and store ``data`` as ``person``'s photo; returns the reasons when refused."""
    _check_scope(person, scope)
    result = check_photo(data)
    if not result.ok:
        person.photo_rejection = "；".join(result.reasons)
        audit.record("person.photo_rejected", person, after={"reasons": result.reasons})
        return result.reasons
    before = person.photo_path
    person.photo_path = store_bytes("photos", data, ".jpg")
    person.photo_variants = {
        kind: store_bytes(f"photos/{kind}", copy, ".jpg") for kind, copy in normalise(data).items()
    }
    person.photo_rejection = ""
    audit.record("person.photo", person, before={"photo": before}, after={"photo": person.photo_path})
    return []


def upload_photo(person: Person, data: bytes, *, scope: int | None = None) -> None:
    """A single upload: refused with every failed check listed."""
    reasons = accept_photo(person, data, scope=scope)
    if reasons:
        raise DomainError(_("照片不合格：%(name)s", name=person.name), [Problem(r, field="photo") for r in reasons])


@dataclass
class ZipReport:
    accepted: list[str] = field(default_factory=list)  # file names
    rejected: list[tuple[str, list[str]]] = field(default_factory=list)  # file name, reasons


def upload_zip(data: bytes, *, scope: int | None = None) -> ZipReport:
    """Photos named 姓名-证件号码.jpg matched to people; each accepted or refused with reasons."""
    photos, problems = photos_from_zip(data)
    report = ZipReport(rejected=[("", [p]) for p in problems])
    people = people_by_document_numbers([photo.id_number for photo in photos])
    for photo in photos:
        person = people.get(photo.id_number)
        if person is None:
            report.rejected.append((photo.filename, [_("证件号码 %(n)s 不在人员名单中", n=photo.id_number)]))
        elif person.name != photo.person_name:
            report.rejected.append((photo.filename, [_("姓名与证件号码不符（登记姓名为 %(n)s）", n=person.name)]))
        elif scope is not None and person.college_id != scope:
            report.rejected.append((photo.filename, [_("不是本学院人员")]))
        else:
            reasons = accept_photo(person, photo.data, scope=scope)
            if reasons:
                report.rejected.append((photo.filename, reasons))
            else:
                report.accepted.append(photo.filename)
    return report


def photo_report(scope: int | None) -> list[Person]:
    """Students without an accepted photo, or whose last upload was refused."""
    stmt = (
        sa.select(Person)
        .where(sa.or_(Person.photo_path.is_(None), Person.photo_rejection != ""))
        .order_by(Person.college_id, Person.grade, Person.class_name, Person.student_no)
    )
    if scope is not None:
        stmt = stmt.where(Person.college_id == scope)
    return list(db.session.scalars(stmt))
