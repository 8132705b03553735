"""The office's machine-test settings: per session, and per batch what candidates see after hand-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from examsys.core.audit import AuditEntry
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError
from examsys.core.permissions import Role
from examsys.modules.delivery import clock, login, options, submission, util
from examsys.modules.delivery.models import Attempt, ResultVisibility, SubmittedBy


@pytest.fixture
def submitted(make_exam):
    exam = make_exam(utcnow() - timedelta(minutes=40))
    attempt = db.session.scalars(sa.select(Attempt).where(Attempt.placement.has(application_id=exam["app"].id))).one()
    attempt.client_token = "t"
    login.begin(attempt, utcnow() - timedelta(minutes=39))
    submission.submit(attempt, SubmittedBy.CANDIDATE)
    return exam, attempt


def test_by_default_a_candidate_sees_no_score_after_hand_in(submitted):
    _exam, attempt = submitted
    state = util.state(attempt, utcnow(), with_paper=False)
    assert state["status"] == "submitted" and "score" not in state and "area_scores" not in state


@pytest.mark.parametrize(("shown", "keys"), [(ResultVisibility.SCORE, {"score"}),
                                             (ResultVisibility.AREAS, {"score", "area_scores"})])  # fmt: skip
def test_a_batch_may_show_the_score_or_the_split_by_area(submitted, shown, keys):
    exam, attempt = submitted
    options.set_visibility(exam["app"].batch, shown)
    state = util.state(attempt, utcnow(), with_paper=False)
    assert keys <= set(state) and state["score"] == str(attempt.score)
    if shown is ResultVisibility.AREAS:
        assert state["area_scores"] == attempt.area_scores and state["area_scores"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "batch.result_visibility"))
    assert shown.value in entry.after


def test_session_options_are_saved_through_the_session_page(client, login, make_user, exam):
    login(make_user(Role.EXAM_OFFICE))
    session = exam["session"]
    page = client.get(f"/scheduling/sessions/{session.id}").get_data(as_text=True)
    assert "机考设置" in page and f"visibility_{exam['app'].batch_id}" in page
    response = client.post(f"/exam-admin/sessions/{session.id}/options", data={
        "start_by_proctor": "1", "earliest_submit_minutes": "45", f"visibility_{exam['app'].batch_id}": "score",
    }, follow_redirects=True)  # fmt: skip
    assert "机考设置已保存" in response.get_data(as_text=True)
    saved = clock.options(session)
    assert saved.start_by_proctor and saved.earliest_submit_minutes == 45 and not saved.partial_credit
    assert options.visibility(exam["app"].batch_id) is ResultVisibility.SCORE
    bad = client.post(f"/exam-admin/sessions/{session.id}/options", data={"earliest_submit_minutes": "500"},
                      headers={"Referer": "/"}, follow_redirects=True)  # fmt: skip
    assert "最早交卷时间应在 0 到 90 分钟之间" in bad.get_data(as_text=True)


def test_a_proctor_cannot_change_the_settings(client, login, make_user, exam):
    login(make_user(Role.PROCTOR))
    response = client.post(f"/exam-admin/sessions/{exam['session'].id}/options", data={"earliest_submit_minutes": "0"})
    assert response.status_code == 403


def test_the_earliest_hand_in_must_fall_inside_the_session(app, exam):
    with app.test_request_context(), pytest.raises(DomainError, match="最早交卷"):
        options.set_session_options(exam["session"], start_by_proctor=False, earliest_submit_minutes=-1,
                                    partial_credit=False)  # fmt: skip
