"""Sealed papers: only bank roles read them, every view and export is audited and watermarked."""

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from examsys.core.audit import AuditEntry
from examsys.core.db import db
from examsys.core.permissions import Role
from examsys.modules.banks import assembly, blueprints, imports
from tests.banks.conftest import make_bank
from tests.banks.test_blueprints_and_assembly import PARTS


@pytest.fixture
def paper(job):
    imports.import_bank(make_bank(per_cell=12), job, 4)
    bp = blueprints.save_blueprint(None, job=job, level=4, name="正式卷", parts=PARTS)
    return assembly.assemble(bp, 1, seed=11)[0]


@pytest.mark.parametrize("role", [Role.PROCTOR, Role.EXAMINER, Role.CANDIDATE, Role.SUPERVISOR, Role.COORDINATOR])
def test_other_roles_cannot_read_a_sealed_paper(app, paper, make_user, role):
    client = app.test_client()
    user = make_user(role)
    assert client.post("/login", data={"username": user.username, "password": "secret123"}).status_code == 302
    stem = paper.items[0].revision.stem
    for url in (
        f"/banks/papers/{paper.id}",
        f"/banks/papers/{paper.id}/export",
        f"/banks/blueprints/{paper.blueprint_id}",
        f"/banks/{paper.blueprint.job_id}/4",
    ):
        response = client.get(url)
        assert response.status_code == 403, (role, url)
        assert stem not in response.get_data(as_text=True)


def test_no_candidate_route_serves_paper_content(app, paper, make_user, make_person):
    person = make_person()
    user = make_user(Role.CANDIDATE, person=person)
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": "secret123"})
    stem = paper.items[0].revision.stem
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        body = client.get(rule.rule).get_data(as_text=True)
        assert stem not in body, rule.rule


def test_office_views_and_exports_with_audit_and_watermark(client, login, paper, make_user):
    office = make_user(Role.EXAM_OFFICE, username="kaowu")
    login(office)
    page = client.get(f"/banks/papers/{paper.id}").get_data(as_text=True)
    assert "封存完整" in page and "机密 kaowu" in page
    response = client.get(f"/banks/papers/{paper.id}/export")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data))["单选题"]
    rows = list(sheet.iter_rows(values_only=True))
    stem_column = rows[0].index("题干")
    stems = [row[stem_column] for row in rows[1:] if row[stem_column]]
    assert len(stems) == 10 and all("机密 kaowu" in stem for stem in stems)
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "papers")))
    assert {"paper.seal", "paper.view", "paper.export"} <= actions


def test_a_paper_opens_to_candidates_only_when_its_session_opens(paper):
    from datetime import UTC, datetime, timedelta

    from examsys.modules.banks.util import open_to_candidates

    now = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    assert not open_to_candidates(paper, now)  # no session has claimed it
    paper.opens_at = now + timedelta(minutes=30)
    assert not open_to_candidates(paper, now)
    assert open_to_candidates(paper, now + timedelta(minutes=30))
