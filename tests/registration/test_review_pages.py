"""The review flow through the web: a coordinator's college review, then the centre's."""

import os

import pytest

from examsys.core.permissions import Role
from examsys.modules.registration import operations
from examsys.modules.registration.models import ApplicationStatus, Decision, ReviewLevel
from tests.conftest import PASSWORD
from tests.registration.conftest import DURING


@pytest.fixture
def applied(setup, make_batch, make_person):
    batch = make_batch(level=4, rules=[{"rule": "major_related"}])
    apps = [operations.apply(batch, make_person(major=setup["major"]), now=DURING) for _ in range(3)]
    return batch, apps


def _client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def test_coordinator_then_centre_review(app, setup, applied, make_user):
    batch, apps = applied
    coordinator = _client(app, make_user(Role.COORDINATOR, college=setup["college"]))
    page = coordinator.get(f"/registration/batches/{batch.id}").get_data(as_text=True)
    assert apps[0].person.name in page
    response = coordinator.post(
        f"/registration/batches/{batch.id}/review",
        data={"application_id": [apps[0].id, apps[1].id], "decision": "approve"},
    )
    assert response.status_code == 302
    reject = coordinator.post(f"/registration/applications/{apps[2].id}/review", data={"decision": "reject"})
    assert reject.status_code in (302, 422)
    assert apps[2].status is ApplicationStatus.SUBMITTED  # no reason: refused
    coordinator.post(
        f"/registration/applications/{apps[2].id}/review", data={"decision": "reject", "reason": "证件照不清晰"}
    )
    assert [a.status for a in apps] == [ApplicationStatus.COLLEGE_APPROVED] * 2 + [ApplicationStatus.REJECTED]
    office = _client(app, make_user(Role.EXAM_OFFICE))
    office.post(
        f"/registration/batches/{batch.id}/review",
        data={"application_id": [apps[0].id], "decision": "approve", "level": "centre"},
    )
    office.post(
        f"/registration/applications/{apps[1].id}/review",
        data={"decision": "return", "reason": "请补交身份证复印件", "level": "centre"},
    )
    assert apps[0].status is ApplicationStatus.APPROVED and apps[1].status is ApplicationStatus.RETURNED


def test_coordinators_of_other_colleges_see_nothing(app, applied, make_user):
    batch, apps = applied
    stranger = _client(app, make_user(Role.COORDINATOR))
    assert stranger.get(f"/registration/batches/{batch.id}").status_code == 403
    assert stranger.get(f"/registration/applications/{apps[0].id}").status_code == 403


def test_candidate_applies_and_sees_status_and_reason(app, setup, make_batch, make_person, make_user):
    from datetime import UTC, datetime, timedelta

    batch = make_batch(level=4)
    batch.opens_at, batch.closes_at = datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(days=5)
    person = make_person(name="申请人", major=setup["major"])
    candidate = _client(app, make_user(Role.CANDIDATE, person=person))
    page = candidate.get("/portal/").get_data(as_text=True)
    assert batch.name in page
    assert candidate.post(f"/portal/apply/{batch.id}").status_code == 302
    (application,) = batch_apps(batch)
    assert application.person is person
    operations.review(application, ReviewLevel.COLLEGE, Decision.RETURN, "照片背景不是白色")
    page = candidate.get("/portal/").get_data(as_text=True)
    assert "退回修改" in page and "照片背景不是白色" in page


def batch_apps(batch):
    from examsys.modules.registration.util import applications

    return applications(batch, None)


def test_record_form_pdf_shows_chinese_text_and_the_photo(app, setup, applied, make_user):
    import io

    from pypdf import PdfReader

    from examsys.core.media import store_bytes
    from examsys.core.pdf import cjk_font_available
    from examsys.modules.demo.portraits import render_portrait

    if not cjk_font_available():
        # CI installs the font (make system-deps), so there a missing font is a failure, not a skip.
        if os.environ.get("CI"):
            pytest.fail("no CJK font installed: make system-deps should have installed fonts-noto-cjk")
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    batch, apps = applied
    apps[0].person.photo_path = store_bytes("photos", render_portrait(3, "F"), ".jpg")
    office = _client(app, make_user(Role.EXAM_OFFICE))
    response = office.get(f"/registration/applications/{apps[0].id}/record_form.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2  # 一式两份
    text = reader.pages[0].extract_text()
    assert apps[0].person.name in text and "电子商务师" in text and "四级/中级工" in text
    assert apps[0].person.primary_document.number in text
    images = [image for page in reader.pages for image in page.images]
    assert images and images[0].image.width >= 300
    whole = office.get(f"/registration/batches/{batch.id}/record_forms.pdf")
    assert len(PdfReader(io.BytesIO(whole.data)).pages) == 6


def test_roster_and_summary_reports_sorted_by_major_occupation_level_student(
    app, setup, applied, make_user, make_major
):
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from examsys.core.pdf import cjk_font_available

    batch, apps = applied
    office = _client(app, make_user(Role.EXAM_OFFICE))
    sheet = load_workbook(io.BytesIO(office.get("/registration/reports/roster.xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "学号", "姓名")
    student_numbers = [r[1] for r in rows[1:]]
    assert student_numbers == sorted(student_numbers) and len(student_numbers) == 3
    summary = list(
        load_workbook(io.BytesIO(office.get("/registration/reports/summary.xlsx").data)).active.iter_rows(
            values_only=True
        )
    )
    assert (
        summary[1][:5] == ("电子商务师", "网商", "四级/中级工", setup["college"].name, 3) and summary[-1][0] == "合计"
    )
    if cjk_font_available():
        pdf = PdfReader(io.BytesIO(office.get(f"/registration/reports/roster.pdf?batch={batch.id}").data))
        text = pdf.pages[0].extract_text()
        assert "认定报名花名册" in text and apps[0].person.name in text


def test_admin_grants_an_occupation_to_another_college(app, setup, make_user, make_college):
    from examsys.core.db import db
    from examsys.modules.registration.models import OccupationGrant

    other = make_college(name="授权学院")
    admin = _client(app, make_user(Role.ADMIN))
    assert "跨学院认定授权" in admin.get("/registration/").get_data(as_text=True)
    response = admin.post(
        "/registration/grants", data={"occupation_id": setup["occupation"].id, "college_id": other.id}
    )
    assert response.status_code == 302
    assert db.session.get(OccupationGrant, (setup["occupation"].id, other.id)) is not None
