"""The supervision report (督导情况反馈表): filled by a supervisor per session, editable until submitted, as PDF."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from examsys.core.audit import AuditEntry
from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.core.permissions import Role
from examsys.core.timezone import to_local
from examsys.modules.proctoring import reports
from examsys.modules.proctoring.models import Assessment, SupervisionReport
from tests.conftest import PASSWORD


def _client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def form(lab, **extra):
    data = {"assessment": "fair", "assessment_note": "秩序总体良好", f"visit_{lab.id}_from": "09:10",
            f"visit_{lab.id}_to": "09:25", f"visit_{lab.id}_note": "监考员到位", "problems": "2 号机卡顿",
            "suggestions": "考前检查机器", "signed_name": "李督导", "signed_on": "2026-12-10"}  # fmt: skip
    return {**data, **extra}


def test_the_form_is_validated_as_a_whole(exam):
    session, lab = exam["session"], exam["lab"]
    with pytest.raises(DomainError) as refused:
        reports.data_from_form(session, form(lab, assessment="great", signed_on="10/12", **{
            f"visit_{lab.id}_to": "09:00"}))  # fmt: skip
    fields = {p.field for p in refused.value.problems}
    assert fields == {"assessment", "signed_on", f"visit_{lab.id}_from"}
    data = reports.data_from_form(session, form(lab))
    (visit,) = data.visits
    assert f"{to_local(visit.started_at):%Y-%m-%d %H:%M}" == "2026-12-10 09:10" and visit.note == "监考员到位"
    assert data.assessment is Assessment.FAIR and data.signed_on == date(2026, 12, 10)
    assert (
        reports.data_from_form(session, form(lab, **{f"visit_{lab.id}_from": "", f"visit_{lab.id}_to": ""})).visits
        == []
    )


def test_a_report_is_saved_again_until_submitted_then_read_only(exam, make_user):
    session, lab = exam["session"], exam["lab"]
    supervisor = make_user(Role.SUPERVISOR)
    report = reports.save_report(session, supervisor, reports.data_from_form(session, form(lab, signed_name="")))
    with pytest.raises(DomainError) as refused:
        reports.submit_report(report)
    assert [p.field for p in refused.value.problems] == ["signed_name"]
    again = reports.save_report(session, supervisor, reports.data_from_form(session, form(lab, problems="无")))
    assert again is report and report.problems == "无" and len(report.visits) == 1
    reports.submit_report(report)
    assert report.submitted_at is not None
    with pytest.raises(DomainError):
        reports.save_report(session, supervisor, reports.data_from_form(session, form(lab)))
    with pytest.raises(DomainError):
        reports.submit_report(report)
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "supervision_reports"))
    assert list(actions) == ["supervision.save", "supervision.save", "supervision.submit"]
    # Another supervisor of the same session has a report of their own.
    other = reports.save_report(session, make_user(Role.SUPERVISOR), reports.data_from_form(session, form(lab)))
    assert other.id != report.id and len(reports.session_reports(session)) == 2


def test_supervisors_fill_it_in_on_the_overview_and_everyone_on_duty_reads_the_pdf(app, exam, make_user):
    session, lab = exam["session"], exam["lab"]
    supervisor = _client(app, make_user(Role.SUPERVISOR))
    overview = supervisor.get(f"/proctoring/sessions/{session.id}").get_data(as_text=True)
    assert f"/proctoring/sessions/{session.id}/supervision" in overview
    url = f"/proctoring/sessions/{session.id}/supervision"
    assert lab.code in supervisor.get(url).get_data(as_text=True)
    assert supervisor.post(url, data=form(lab)).status_code == 302
    report = db.session.scalars(sa.select(SupervisionReport)).one()
    assert report.submitted_at is None and "09:10" in supervisor.get(url).get_data(as_text=True)
    assert supervisor.post(url, data=form(lab, submit="1")).status_code == 302
    db.session.refresh(report)
    assert report.submitted_at is not None
    refused = supervisor.post(url, data=form(lab), headers={"Referer": url}, follow_redirects=True)
    assert "不能再修改" in refused.get_data(as_text=True)

    proctor = _client(app, make_user(Role.PROCTOR))
    assert proctor.get(url).status_code == 403 and proctor.post(url, data=form(lab)).status_code == 403
    pdf = proctor.get(f"/proctoring/supervision/{report.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("督导情况反馈表", session.name, lab.code, "09:10", "监考员到位", "2 号机卡顿", "考前检查机器",
                     "李督导", "2026-12-10", "一般"):  # fmt: skip
        assert expected in text, expected
    assert "草稿" not in text
