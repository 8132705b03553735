"""Item statistics from submitted attempts, and a key correction that re-scores every attempt (#3 point 9)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

import pytest
import sqlalchemy as sa

from examsys.core.audit import AuditEntry
from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.modules.banks.models import PaperItem
from examsys.modules.delivery import analysis, saving, submission
from examsys.modules.delivery.models import Attempt, AttemptStatus, SubmittedBy
from tests.delivery.conftest import at


def always_right(attempt) -> int:
    """The item everyone gets right: the paper's first item, wherever each candidate saw it."""
    return min(item_id for item_id, _labels in attempt.item_order)


@pytest.fixture
def sat(exam):
    """Every candidate answers: the stronger ones get more items right (one item always right)."""
    attempts = db.session.scalars(sa.select(Attempt).order_by(Attempt.id)).all()
    for strength, attempt in enumerate(attempts, start=1):
        attempt.status, attempt.started_at, attempt.client_token = AttemptStatus.IN_PROGRESS, at(0), "t"
        changes = []
        for n, (item_id, labels) in enumerate(attempt.item_order):
            key = db.session.get(PaperItem, item_id).revision.key
            wrong = [label for label in labels if label not in key][:1] or labels[:1]
            right = item_id == always_right(attempt) or n % len(attempts) < strength
            changes.append(saving.Change(item_id, tuple(key if right else wrong), False, n + 1))
        saving.save(attempt, "t", changes, at(10))
        submission.submit(attempt, SubmittedBy.CANDIDATE, at(40))
    return attempts


def test_form_statistics_give_facility_discrimination_and_flags(sat):
    counts = Counter(a.paper_id for a in sat)
    paper = next(a.paper for a in sat if a.paper_id == counts.most_common(1)[0][0])
    lonely = next((a.paper for a in sat if counts[a.paper_id] == 1), None)
    if lonely is not None:
        assert analysis.form_statistics(lonely) == (None, [])  # one attempt: nothing to say yet
    form, rows = analysis.form_statistics(paper)
    same_form = [a for a in sat if a.paper_id == paper.id]
    assert len(same_form) >= 2 and form.attempts == len(same_form) and len(rows) == len(paper.items)
    easy = next(r for r in rows if r.paper_item.id == always_right(same_form[0]))
    assert easy.facility == 1.0 and "too_easy" in easy.flags


def test_item_statistics_pool_every_form(sat):
    papers = {a.paper for a in sat}
    pooled = analysis.item_statistics(list(papers))
    revision = db.session.get(PaperItem, always_right(sat[0])).revision_id
    assert pooled[revision]["facility"] == 1.0 and pooled[revision]["attempts"] >= 1


def test_a_key_correction_rescores_every_attempt_and_is_audited(sat):
    item = db.session.get(PaperItem, always_right(sat[0]))
    before = {a.id: a.score for a in sat}
    wrong = [o["label"] for o in item.revision.options if o["label"] not in item.revision.key][:1]
    result = analysis.correct_key(item, wrong, "原答案有误，经专家复核更正")
    affected = [a for a in sat if any(i == item.id for i, _ in a.item_order)]
    assert result["rescored"] >= len(affected)
    for attempt in affected:
        assert attempt.score == before[attempt.id] - Decimal(item.points)  # everyone had the old key
        assert str(attempt.id) in {str(k) for k in result["changed"]}
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "item.key_correct")).one()
    assert json.loads(entry.after)["key"] == wrong and json.loads(entry.before)["key"] == item.revision.key
    # The sealed paper is untouched: its content hash still verifies.
    from examsys.modules.banks.assembly import seal_intact

    assert seal_intact(item.paper)


def test_a_key_correction_must_be_valid_and_explained(sat):
    item = db.session.get(PaperItem, sat[0].item_order[0][0])
    with pytest.raises(DomainError) as refused:
        analysis.correct_key(item, ["Z"], "x")
    assert refused.value.problems[0].field == "key"
    with pytest.raises(DomainError):
        analysis.correct_key(item, list(item.revision.key), "同一答案")
    with pytest.raises(DomainError):
        analysis.correct_key(
            item, [o["label"] for o in item.revision.options if o["label"] not in item.revision.key][:1], " "
        )


def test_statistics_page_and_key_correction_through_the_web(app, sat, make_user):
    from examsys.core.permissions import Role
    from tests.conftest import PASSWORD

    def client_for(role):
        client = app.test_client()
        user = make_user(role)
        assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
        return client

    counts = Counter(a.paper_id for a in sat)
    paper_id = counts.most_common(1)[0][0]
    office = client_for(Role.EXAM_OFFICE)
    page = office.get(f"/exam-admin/papers/{paper_id}/stats").get_data(as_text=True)
    assert "KR-20" in page and "过易" in page
    item = db.session.get(PaperItem, next(a for a in sat if a.paper_id == paper_id).item_order[0][0])
    wrong = [o["label"] for o in item.revision.options if o["label"] not in item.revision.key][:1]
    response = office.post(f"/exam-admin/papers/{paper_id}/correct-key",
                           data={"paper_item_id": item.id, "key": wrong, "reason": "更正"}, follow_redirects=True)  # fmt: skip
    assert "重新评分" in response.get_data(as_text=True)
    assert client_for(Role.PROCTOR).get(f"/exam-admin/papers/{paper_id}/stats").status_code == 403
