"""Read queries for registration, with the coordinator's college scope applied."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from examsys.core.db import db
from examsys.core.errors import Forbidden, NotFound
from examsys.modules.people.models import Person
from examsys.modules.registration.models import Application, ApplicationStatus, Batch, OccupationGrant


def batches(scope: int | None) -> list[Batch]:
    stmt = sa.select(Batch).order_by(Batch.opens_at.desc(), Batch.id.desc())
    if scope is not None:
        stmt = stmt.where(Batch.college_id == scope)
    return list(db.session.scalars(stmt))


def open_batches(now: datetime) -> list[Batch]:
    stmt = sa.select(Batch).where(Batch.opens_at <= now, Batch.closes_at >= now).order_by(Batch.closes_at)
    return list(db.session.scalars(stmt))


def get_batch(batch_id: int, scope: int | None) -> Batch:
    batch = db.session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(_l("认定批次不存在"))
    if scope is not None and batch.college_id != scope:
        raise Forbidden(_l("只能查看本学院的认定批次"))
    return batch


def applications(batch: Batch, scope: int | None, status: ApplicationStatus | None = None) -> list[Application]:
    stmt = (
        sa.select(Application)
        .join(Person)
        .where(Application.batch_id == batch.id)
        .options(selectinload(Application.person).selectinload(Person.major))
        .order_by(Person.major_id, Person.student_no, Person.id)
    )
    if scope is not None:
        stmt = stmt.where(Person.college_id == scope)
    if status is not None:
        stmt = stmt.where(Application.status == status)
    return list(db.session.scalars(stmt))


def get_application(application_id: int, scope: int | None) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound(_l("报名记录不存在"))
    if scope is not None and application.person.college_id != scope:
        raise Forbidden(_l("只能查看本学院的报名"))
    return application


def applications_of(person: Person) -> list[Application]:
    stmt = sa.select(Application).where(Application.person_id == person.id).order_by(Application.submitted_at.desc())
    return list(db.session.scalars(stmt))


def grants() -> list[OccupationGrant]:
    return list(db.session.scalars(sa.select(OccupationGrant)))
