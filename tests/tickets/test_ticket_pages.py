"""Ticket pages over HTTP for each role: the office, a college coordinator, a proctor at the door, a candidate."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from examsys.core.db import db, utcnow
from examsys.core.pdf import cjk_font_available
from examsys.core.permissions import Role
from examsys.modules.accounts.operations import issue_api_token
from examsys.modules.documents import queue
from examsys.modules.tickets import operations, signing, util
from examsys.modules.tickets.models import Ticket

needs_cjk = pytest.mark.skipif(not cjk_font_available(), reason="no CJK font installed (make system-deps)")


@pytest.fixture
def issued(ticket_plan):
    operations.issue(ticket_plan["plan"])
    return ticket_plan


def test_the_office_issues_and_queues_a_batch_pdf_and_follows_its_progress(client, login, make_user, ticket_plan):
    login(make_user(Role.EXAM_OFFICE))
    plan = ticket_plan["plan"]
    page = client.get(f"/tickets/plans/{plan.id}").get_data(as_text=True)
    assert "尚未生成准考证" in page
    response = client.post(f"/tickets/plans/{plan.id}/issue", follow_redirects=True)
    assert "新发准考证 12 张" in response.get_data(as_text=True)
    response = client.post(f"/tickets/plans/{plan.id}/generate", data={}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "已提交生成任务" in body and "data-job-url" in body and "jobs.js" in body
    job = queue.recent_jobs("tickets")[0]
    status = client.get(f"/documents/{job.id}").json
    assert status["status"] == "queued" and status["percent"] == 0
    assert client.get(f"/documents/{job.id}/download").status_code == 409


@needs_cjk
def test_the_finished_job_downloads_as_a_pdf(client, login, make_user, issued):
    user = make_user(Role.EXAM_OFFICE)
    login(user)
    job = queue.enqueue("tickets", {"plan_id": issued["plan"].id}, "准考证", user.id)
    queue.run_pending()
    assert client.get(f"/documents/{job.id}").json["ready"] is True
    response = client.get(f"/documents/{job.id}/download")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]


def test_a_coordinator_sees_and_prints_only_their_college(client, login, make_user, issued, make_college):
    other = make_college(name="机电学院")
    coordinator = make_user(Role.COORDINATOR, college=other)
    login(coordinator)
    page = client.get(f"/tickets/plans/{issued['plan'].id}").get_data(as_text=True)
    assert "考生0" not in page  # none of the plan's candidates is in this college
    response = client.post(f"/tickets/plans/{issued['plan'].id}/generate",
                           data={"college_id": issued["batch"].college_id})  # fmt: skip
    assert response.status_code == 403
    assert client.post(f"/tickets/plans/{issued['plan'].id}/issue").status_code == 403
    job = queue.enqueue("tickets", {"plan_id": issued["plan"].id}, "别人的任务")
    assert client.get(f"/documents/{job.id}").status_code == 403


def test_the_door_scanner_shows_the_candidate_and_refuses_a_forgery(client, login, make_user, issued):
    login(make_user(Role.PROCTOR))
    ticket = util.plan_tickets(issued["plan"])[0]
    code = signing.sign(ticket.id, ticket.number, ticket.version)
    assert client.get("/tickets/verify").status_code == 200
    response = client.post("/tickets/verify", data={"code": code})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "准考证有效" in body and ticket.application.person.name in body
    assert f"/tickets/{ticket.id}/photo.jpg" in body
    assert client.get(f"/tickets/{ticket.id}/photo.jpg").mimetype == "image/jpeg"
    answer = client.post("/tickets/verify", data={"code": code}, headers={"Accept": "application/json"}).json
    assert answer["ok"] and answer["ticket"]["number"] == ticket.number
    forged = client.post("/tickets/verify", data={"code": code[:-2] + "xx"}, headers={"Accept": "application/json"})
    assert forged.status_code == 422 and "二维码无效" in forged.json["message"]
    assert client.post(f"/tickets/plans/{issued['plan'].id}/issue").status_code == 403


def bearer(user) -> dict[str, str]:
    _token, plain = issue_api_token(user, "tickets api test")
    return {"Authorization": f"Bearer {plain}"}


def test_the_api_verifies_and_reprints(client, make_user, issued):
    office, proctor = bearer(make_user(Role.EXAM_OFFICE)), bearer(make_user(Role.PROCTOR))
    ticket = util.plan_tickets(issued["plan"])[0]
    listed = client.get(f"/api/v1/plans/{issued['plan'].id}/tickets", headers=office).json
    assert len(listed) == 12 and listed[0]["number"] == ticket.number
    old = signing.sign(ticket.id, ticket.number, 1)
    reprinted = client.post(f"/api/v1/tickets/{ticket.id}/reprint", json={"reason": "座位调整"}, headers=office)
    assert reprinted.json["version"] == 2
    refused = client.post("/api/v1/tickets/verify", json={"code": old}, headers=proctor)
    assert refused.status_code == 409 and "旧版本" in refused.json["message"]
    code = signing.sign(ticket.id, ticket.number, 2)
    ok = client.post("/api/v1/tickets/verify", json={"code": code}, headers=proctor)
    assert ok.status_code == 200 and ok.json["name"] == ticket.application.person.name
    assert client.post(f"/api/v1/tickets/{ticket.id}/reprint", json={"reason": "x"}, headers=proctor).status_code == 403
    queued = client.post(f"/api/v1/plans/{issued['plan'].id}/tickets/jobs", json={}, headers=office)
    assert queued.status_code == 202 and queued.json["status"] == "queued"


@needs_cjk
def test_a_candidate_downloads_their_own_ticket_only_after_release(client, login, make_user, issued):
    mine, theirs = util.plan_tickets(issued["plan"])[:2]
    candidate = make_user(Role.CANDIDATE, person=mine.application.person)
    office = make_user(Role.EXAM_OFFICE)
    login(candidate)
    assert client.get(f"/portal/tickets/{mine.id}.pdf").status_code == 404
    assert "下载准考证" not in client.get("/portal/").get_data(as_text=True)
    operations.release(issued["plan"], office.id)
    assert "下载准考证" in client.get("/portal/").get_data(as_text=True)
    response = client.get(f"/portal/tickets/{mine.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(f"/portal/tickets/{theirs.id}.pdf").status_code == 404
    assert client.get("/tickets/verify").status_code == 403
    assert client.get(f"/tickets/{mine.id}.pdf").status_code == 403


@needs_cjk
def test_room_papers_and_a_single_label_reprint(client, login, make_user, issued):
    login(make_user(Role.EXAM_OFFICE))
    session, lab = issued["theory"], issued["lab"]
    page = client.get(f"/tickets/sessions/{session.id}").get_data(as_text=True)
    for paper in ("door", "labels", "signin", "plan", "all"):
        assert f"/tickets/sessions/{session.id}/rooms/{lab.id}/{paper}.pdf" in page
    response = client.get(f"/tickets/sessions/{session.id}/rooms/{lab.id}/door.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(f"/tickets/sessions/{session.id}/rooms/{lab.id}/menu.pdf").status_code == 404
    assert client.get(f"/tickets/sessions/{session.id}/rooms/{issued['venue'].id}/door.pdf").status_code == 404
    ticket = util.plan_tickets(issued["plan"])[0]
    label = client.get(f"/tickets/{ticket.id}/sessions/{session.id}/label.pdf")
    assert label.status_code == 200 and label.data.startswith(b"%PDF")
    response = client.post(f"/tickets/sessions/{session.id}", data={"paper": ["door", "signin"]}, follow_redirects=True)
    assert "已提交生成任务" in response.get_data(as_text=True)
    job = queue.recent_jobs("room_papers")[0]
    assert job.params == {"session_id": session.id, "papers": ["door", "signin"]}


def test_settings_validate_the_number_format_and_the_seal(client, login, make_user, db_session):
    login(make_user(Role.EXAM_OFFICE))
    form = {"page_size": "A4", "number_format": "{year}{desk}", "rules": ""}
    response = client.post("/tickets/settings", data=form, follow_redirects=True)
    assert "未知字段" in response.get_data(as_text=True)
    form["number_format"] = "{year}{plan:03d}{seq:05d}"
    response = client.post("/tickets/settings", data=form, follow_redirects=True)
    assert "准考证设置已保存" in response.get_data(as_text=True)
    assert util.layout().number_format == "{year}{plan:03d}{seq:05d}" and util.layout().page_size.value == "A4"


def test_the_machine_test_login_checks_the_ticket_number(client, make_exam):
    exam = make_exam(utcnow() - timedelta(minutes=40))
    db.session.add(Ticket(plan_id=exam["plan"].id, application_id=exam["app"].id, number="20260019901"))
    db.session.commit()
    id_number = exam["person"].documents[0].number
    wrong = client.post("/exam/login", data={"ticket_no": "20260019902", "id_number": id_number},
                        headers={"Referer": "/exam/login"}, follow_redirects=True)  # fmt: skip
    assert "准考证号或证件号码不正确" in wrong.get_data(as_text=True)
    right = client.post("/exam/login", data={"ticket_no": "20260019901", "id_number": id_number})
    assert right.status_code == 302 and right.headers["Location"].endswith("/exam/")


def test_a_proctor_checks_in_by_scanning_the_ticket_and_a_wrong_room_is_named(client, login, make_user, issued):
    from examsys.modules.proctoring.models import CheckIn
    from examsys.modules.scheduling import operations as rooms

    login(make_user(Role.PROCTOR))
    session, lab = issued["theory"], issued["lab"]
    session.starts_at = utcnow() + timedelta(minutes=10)  # the door opens 30 minutes before the start
    ticket = util.plan_tickets(issued["plan"])[0]
    code = signing.sign(ticket.id, ticket.number, ticket.version)
    response = client.post(f"/proctoring/sessions/{session.id}/rooms/{lab.id}/checkin", data={"code": code},
                           follow_redirects=True)  # fmt: skip
    assert f"{ticket.application.person.name} 已签到" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(CheckIn)).one().present
    other = rooms.create_lab("J999", "备用机房", "东楼", 2, 2, subnet="10.9.250")
    session.rooms.append(other)
    db.session.commit()
    response = client.post(f"/proctoring/sessions/{session.id}/rooms/{other.id}/checkin", data={"code": code},
                           headers={"Referer": "/"}, follow_redirects=True)  # fmt: skip
    assert "的考场是 J101" in response.get_data(as_text=True)
    forged = client.post(f"/proctoring/sessions/{session.id}/rooms/{lab.id}/checkin", data={"code": code + "x"},
                         headers={"Referer": "/"}, follow_redirects=True)  # fmt: skip
    assert "二维码无效" in forged.get_data(as_text=True)


def test_the_office_reprints_by_the_number_on_the_paper(client, login, make_user, issued):
    login(make_user(Role.EXAM_OFFICE))
    plan = issued["plan"]
    ticket = util.plan_tickets(plan)[0]
    response = client.post(f"/tickets/plans/{plan.id}/reprint", data={"number": ticket.number, "reason": "遗失"},
                           follow_redirects=True)  # fmt: skip
    assert "已补打为第 2 版" in response.get_data(as_text=True) and ticket.version == 2
    missing = client.post(f"/tickets/plans/{plan.id}/reprint", data={"number": "nope", "reason": "遗失"},
                          headers={"Referer": "/"}, follow_redirects=True)  # fmt: skip
    assert "本计划没有有效的准考证 nope" in missing.get_data(as_text=True)
    assert "12" in client.get("/tickets/").get_data(as_text=True)
