"""A whole machine test in Chromium: a 30-second network cut and a reload lose no answer, then hand-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from examsys.core.audit import acting_as
from examsys.core.db import db, utcnow
from examsys.modules.banks import assembly
from examsys.modules.banks import util as bank_util
from examsys.modules.delivery import preparation
from examsys.modules.delivery.models import Answer, Attempt, AttemptStatus, SessionOptions
from examsys.modules.registration import operations as registration
from examsys.modules.registration.models import Application, Batch, Decision, ReviewLevel
from examsys.modules.scheduling import plans, seating, sessions
from examsys.modules.scheduling.models import Room, SessionKind

ANSWERED = 12  # items answered in the browser: 5 online, 5 offline, 2 after the reload


@pytest.fixture(scope="module")
def sitting(live_server):
    """One approved candidate of the demo's open 网商 batch, seated in a sitting that began a minute ago."""
    with live_server.app.app_context(), acting_as("test"):
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
        session = sessions.create_session(plan, sessions.SessionData(SessionKind.THEORY, "机考", start, 90, [lab]))
        seating.allocate_theory(plan)
        db.session.add(SessionOptions(session_id=session.id, earliest_submit_minutes=0))
        preparation.assign_papers(session)
        preparation.prepare_attempts(session)
        db.session.commit()
        person = application.person
        result = {"id_number": person.documents[0].number, "name": person.name, "application": application.id}
        db.session.remove()
    return result


def answer(page, count):
    """Pick the first option of the current item and move on, ``count`` times."""
    for _ in range(count):
        page.locator("#items .option").first.click()
        page.get_by_role("button", name="下一题 →").click()


def test_full_exam_survives_a_network_cut_and_a_reload(page, live_server, sitting):
    page.goto("/exam/login")
    page.get_by_label("准考证号").fill("2026000001")
    page.get_by_label("证件号码").fill(sitting["id_number"])
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="我已阅读考场规则，开始答题").click()
    assert sitting["name"] in page.locator("#who").inner_text()
    answer(page, 5)
    page.wait_for_function("document.getElementById('save-state').dataset.pending === '0'")

    page.context.set_offline(True)
    answer(page, 5)
    page.wait_for_timeout(30_000)  # 30 s without a network: the page keeps retrying
    assert page.locator("#save-state").get_attribute("data-pending") == "5"
    page.context.set_offline(False)
    page.reload()  # at once, before the retry: the unsent changes must come back from localStorage
    page.wait_for_function("document.getElementById('save-state').dataset.pending === '0'", timeout=15_000)
    page.locator("#grid button").nth(10).click()
    answer(page, 2)
    page.wait_for_function("document.getElementById('save-state').dataset.pending === '0'")
    assert page.locator("#grid button.answered").count() == ANSWERED
    page.get_by_role("button", name="交卷").first.click()
    assert f"未答 {100 - ANSWERED} 题" in page.locator("#summary-text").inner_text()
    page.get_by_role("button", name="确认交卷").click()
    page.locator("#done").wait_for(state="visible")

    with live_server.app.app_context():
        attempt = db.session.scalars(sa.select(Attempt).join(Attempt.placement).where(
            sa.text("placements.application_id = :a")).params(a=sitting["application"])).one()  # fmt: skip
        saved = db.session.scalars(sa.select(Answer).where(Answer.attempt_id == attempt.id)).all()
        shown_first = {item_id: labels[0] for item_id, labels in attempt.item_order}
        assert len(saved) == ANSWERED
        assert all(a.choice == [shown_first[a.paper_item_id]] for a in saved)
        assert attempt.status is AttemptStatus.SUBMITTED and attempt.score is not None
        db.session.remove()
