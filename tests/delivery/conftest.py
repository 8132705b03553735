"""Delivery fixtures: a plan with one theory sitting, sealed A/B papers, prepared attempts."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from examsys.core.timezone import from_local
from examsys.modules.banks import assembly, blueprints, imports
from examsys.modules.banks.blueprints import PartSpec
from examsys.modules.delivery import preparation
from examsys.modules.scheduling import seating, sessions
from examsys.modules.scheduling.models import SessionKind
from tests.banks.conftest import make_bank

# 10 single x 5 + 5 multiple x 6 + 5 true/false x 4 = 100 points.
PARTS = [PartSpec("single", 10, Decimal(5)), PartSpec("multiple", 5, Decimal(6)), PartSpec("true_false", 5, Decimal(4))]
START = from_local(datetime(2026, 12, 10, 9, 0))


@pytest.fixture
def exam(make_exam):
    return make_exam(START)


@pytest.fixture
def make_exam(school, make_plan, make_exam_batch, enrol, make_lab, make_person):
    return lambda start: _build(start, school, make_plan, make_exam_batch, enrol, make_lab, make_person)


def _build(start, school, make_plan, make_exam_batch, enrol, make_lab, make_person):
    job = school["job"]
    imports.import_bank(make_bank(per_cell=4), job, 4)
    blueprint = blueprints.save_blueprint(None, job=job, level=4, name="四级理论", parts=PARTS)
    assembly.assemble(blueprint, 2, seed=7)
    batch = make_exam_batch(level=4)
    apps = enrol(batch, {"1班": 2})
    # A candidate with an identity document, to log in with.
    person = make_person(name="王小明", major=school["major"])
    (app,) = enrol(batch, {"x": 1}, person=person)
    plan = make_plan(batches=[batch])
    lab = make_lab(rows=3, cols=4)
    session = sessions.create_session(plan, sessions.SessionData(SessionKind.THEORY, "第1场", start, 90, [lab]))
    seating.allocate_theory(plan)
    preparation.assign_papers(session)
    preparation.prepare_attempts(session)
    return {"session": session, "lab": lab, "app": app, "person": person, "apps": [*apps, app], "plan": plan}


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)
