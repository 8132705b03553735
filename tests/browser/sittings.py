"""A machine-test sitting in the live server's demo school for the exam page's browser tests, and
what they read back: the candidate's attempt, and the page once every change is saved."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Flask

from examsys.core.audit import acting_as
from examsys.core.db import db, utcnow
from examsys.modules.banks import assembly
from examsys.modules.banks import util as bank_util
from examsys.modules.delivery import preparation
from examsys.modules.delivery.models import Attempt, SessionOptions
from examsys.modules.registration import operations as registration
from examsys.modules.registration.models import Application, Batch, Decision, ReviewLevel
from examsys.modules.scheduling import plans, seating, sessions
from examsys.modules.scheduling.models import Room, SessionKind

if TYPE_CHECKING:  # playwright may be missing: the browser tests then skip (conftest)
    from playwright.sync_api import Page

DURATION_MINUTES = 90


def seat_one_candidate(app: Flask, *, start_by_proctor: bool = False) -> dict:
    """One approved candidate of the demo's open 网商 batch, seated in E301 in a 90-minute
    sitting that began a minute ago (waiting for the proctor when ``start_by_proctor``)."""
    with app.app_context(), acting_as("test"):
        batch = db.session.scalars(sa.select(Batch).order_by(Batch.id)).first()
        application = db.session.scalars(sa.select(Application).where(Application.batch_id == batch.id)).first()
        registration.review(application, ReviewLevel.COLLEGE, Decision.APPROVE)
        registration.review(application, ReviewLevel.CENTRE, Decision.APPROVE)
        blueprint = bank_util.blueprints(batch.job_id, batch.level)[0]
        if not bank_util.papers_of(blueprint):
            assembly.assemble(blueprint, 2, seed=11)
        plan = plans.create_plan("浏览器机考", [batch])
        lab = db.session.scalars(sa.select(Room).where(Room.code == "E301")).one()
        start = utcnow() - timedelta(minutes=1)
        data = sessions.SessionData(SessionKind.THEORY, "机考", start, DURATION_MINUTES, [lab])
        session = sessions.create_session(plan, data)
        seating.allocate_theory(plan)
        db.session.add(SessionOptions(session_id=session.id, earliest_submit_minutes=0,
                                      start_by_proctor=start_by_proctor))  # fmt: skip
        preparation.assign_papers(session)
        preparation.prepare_attempts(session)
        db.session.commit()
        person = application.person
        result = {"id_number": person.documents[0].number, "name": person.name, "application": application.id,
                  "session": session.id, "room": lab.id}  # fmt: skip
        db.session.remove()
    return result


def attempt_of(sitting: dict) -> Attempt:
    """The seated candidate's attempt (inside an app context)."""
    return db.session.scalars(sa.select(Attempt).join(Attempt.placement).where(
        sa.text("placements.application_id = :a")).params(a=sitting["application"])).one()  # fmt: skip


def wait_saved(page: Page, timeout: float | None = None) -> None:
    """Until the page holds no unacknowledged change."""
    page.wait_for_function("document.getElementById('save-state').dataset.pending === '0'", timeout=timeout)
