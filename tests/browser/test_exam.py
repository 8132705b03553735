"""A whole machine test in Chromium: a 30-second network cut and a reload lose no answer, then hand-in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from examsys.core.db import db
from examsys.modules.delivery.models import Answer, AttemptStatus
from tests.browser.sittings import attempt_of, seat_one_candidate, wait_saved

ANSWERED = 12  # items answered in the browser: 5 online, 5 offline, 2 after the reload


@pytest.fixture(scope="module")
def sitting(live_server):
    return seat_one_candidate(live_server.app)


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
    wait_saved(page)

    page.context.set_offline(True)
    answer(page, 5)
    page.wait_for_timeout(30_000)  # 30 s without a network: the page keeps retrying
    assert page.locator("#save-state").get_attribute("data-pending") == "5"
    page.context.set_offline(False)
    page.reload()  # at once, before the retry: the unsent changes must come back from localStorage
    wait_saved(page, timeout=15_000)
    page.locator("#grid button").nth(10).click()
    answer(page, 2)
    wait_saved(page)
    assert page.locator("#grid button.answered").count() == ANSWERED
    page.get_by_role("button", name="交卷").first.click()
    assert f"未答 {100 - ANSWERED} 题" in page.locator("#summary-text").inner_text()
    page.get_by_role("button", name="确认交卷").click()
    page.locator("#done").wait_for(state="visible")

    with live_server.app.app_context():
        attempt = attempt_of(sitting)
        saved = db.session.scalars(sa.select(Answer).where(Answer.attempt_id == attempt.id)).all()
        shown_first = {item_id: labels[0] for item_id, labels in attempt.item_order}
        assert len(saved) == ANSWERED
        assert all(a.choice == [shown_first[a.paper_item_id]] for a in saved)
        assert attempt.status is AttemptStatus.SUBMITTED and attempt.score is not None
        db.session.remove()
