"""The proctor console's actions beyond the clock: a spare seat, a re-login, a broadcast; the integrity feed."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from examsys.core.audit import AuditEntry
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError
from examsys.core.permissions import Role
from examsys.core.realtime import _KEY as PENDING_EMITS
from examsys.modules.delivery import clock, login, saving, submission
from examsys.modules.delivery.models import Answer, Attempt, AttemptEvent, EventKind, SubmittedBy
from examsys.modules.delivery.monitor import spare_seats
from examsys.modules.proctoring import console, documents
from examsys.modules.proctoring.models import RoomMessage
from tests.conftest import PASSWORD
from tests.delivery.conftest import at
from tests.delivery.test_delivery import change, id_number, placement_of


def emitted(event: str) -> list[dict]:
    return [data for name, data, _ns, _room in db.session().info.get(PENDING_EMITS, []) if name == event]


def audit_actions(object_type: str, object_id) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id)).order_by(AuditEntry.seq)))  # fmt: skip


def in_progress(exam, ip="10.0.0.1"):
    placement = placement_of(exam["app"])
    attempt, token = login.login(placement, id_number(exam["person"]), ip, at(-5))
    assert login.begin(attempt, at(1))
    return attempt, token


def test_moving_a_candidate_keeps_every_answer_and_the_time_and_retires_the_old_seat(app, exam):
    attempt, token = in_progress(exam)
    saving.save(attempt, token, [change(attempt, i, [attempt.item_order[i][1][0]], i + 1) for i in range(12)], at(10))
    clock.extend_attempt(attempt, 5, "特殊安排", at(11))
    before = {(a.paper_item_id, tuple(a.choice), a.seq) for a in db.session.scalars(
        sa.select(Answer).where(Answer.attempt_id == attempt.id))}  # fmt: skip
    remaining = clock.remaining_seconds(attempt, clock.clock_of(attempt), at(20))
    old = attempt.placement.seat
    spare = spare_seats(exam["session"], exam["lab"])[0]
    form = attempt.placement.form

    assert console.move_to_spare_seat(attempt, spare, "3 号机蓝屏", at(20)) is old
    db.session.expire_all()
    assert attempt.placement.seat_id == spare.id and attempt.placement.form == form  # the paper stays
    assert not old.in_service and spare not in spare_seats(exam["session"], exam["lab"])
    after = {(a.paper_item_id, tuple(a.choice), a.seq) for a in db.session.scalars(
        sa.select(Answer).where(Answer.attempt_id == attempt.id))}  # fmt: skip
    assert after == before and len(after) == 12
    assert clock.remaining_seconds(attempt, clock.clock_of(attempt), at(20)) == remaining
    assert audit_actions("seats", old.id) == ["seat.out_of_service"]
    assert "placement.move" in audit_actions("placements", attempt.placement_id)
    assert emitted("seat")[-1]["seat"] == spare.label  # the console hears it

    # Seat binding follows the new seat; the candidate logs in there without a second-login alert.
    app.config["EXAM_SEAT_BINDING"] = True
    try:
        with pytest.raises(DomainError):
            login.login(attempt.placement, id_number(exam["person"]), old.ip, at(21))
        again, new_token = login.login(attempt.placement, id_number(exam["person"]), spare.ip, at(21))
    finally:
        app.config["EXAM_SEAT_BINDING"] = False
    kinds = db.session.scalars(sa.select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt.id)).all()
    assert EventKind.SECOND_LOGIN not in kinds
    with pytest.raises(saving.SaveRefused):  # the old machine's browser no longer saves
        saving.save(attempt, token, [change(attempt, 0, [attempt.item_order[0][1][-1]], 50)], at(22))
    assert saving.save(again, new_token, [change(attempt, 0, [attempt.item_order[0][1][-1]], 50)], at(22)) == 50

    sheet = documents.room_record_sheet(exam["session"], exam["lab"])
    move = next(a for a in sheet["actions"] if a["action"] == "调换座位")
    assert f"{old.label} → {spare.label}" in move["detail"] and "3 号机蓝屏" in move["detail"]


def test_a_move_is_refused_to_a_taken_retired_or_foreign_seat_without_a_reason_or_after_hand_in(exam, make_lab):
    attempt, _token = in_progress(exam)
    spare = spare_seats(exam["session"], exam["lab"])[0]
    taken = next(placement_of(a).seat for a in exam["apps"] if a.id != exam["app"].id)
    foreign = make_lab(rows=1, cols=2).seats[0]
    for seat, reason in ((spare, " "), (taken, "x"), (foreign, "x"), (attempt.placement.seat, "x")):
        with pytest.raises(DomainError):
            console.move_to_spare_seat(attempt, seat, reason, at(5))
    spare.in_service = False
    with pytest.raises(DomainError):
        console.move_to_spare_seat(attempt, spare, "x", at(5))
    submission.submit(attempt, SubmittedBy.PROCTOR, at(30))
    with pytest.raises(DomainError):
        console.move_to_spare_seat(attempt, spare_seats(exam["session"], exam["lab"])[0], "x", at(31))


def test_allowing_a_re_login_avoids_the_second_login_alert(exam):
    attempt, token = in_progress(exam)
    with pytest.raises(DomainError):
        console.allow_relogin(attempt, "")
    console.allow_relogin(attempt, "浏览器崩溃，换机器", at(5))
    assert attempt.client_token == "" and audit_actions("attempts", attempt.id)[-1] == "attempt.relogin"
    with pytest.raises(saving.SaveRefused):
        saving.save(attempt, token, [change(attempt, 0, ["A"], 1)], at(6))
    login.login(attempt.placement, id_number(exam["person"]), "10.0.0.77", at(6))  # another machine, at once
    kinds = db.session.scalars(sa.select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt.id)).all()
    assert EventKind.SECOND_LOGIN not in kinds
    # Without the proctor's permission the same thing is a second login.
    login.login(attempt.placement, id_number(exam["person"]), "10.0.0.78", at(7))
    kinds = db.session.scalars(sa.select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt.id)).all()
    assert EventKind.SECOND_LOGIN in kinds


def test_a_broadcast_is_stored_audited_and_heard_by_the_console(exam, make_user, make_lab):
    proctor = make_user(Role.PROCTOR)
    for text in ("", "长" * 301):
        with pytest.raises(DomainError):
            console.broadcast(exam["session"], exam["lab"], text, proctor)
    with pytest.raises(DomainError):
        console.broadcast(exam["session"], make_lab(rows=1, cols=1), "x", proctor)
    message = console.broadcast(exam["session"], exam["lab"], " 请检查姓名和准考证号 ", proctor, at(3))
    assert message.body == "请检查姓名和准考证号" and message.sent_by_id == proctor.id
    assert emitted("broadcast")[-1]["body"] == message.body


def _client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def test_console_buttons_broadcast_to_the_exam_page_and_into_the_room_record(app, make_exam, make_user):
    exam = make_exam(utcnow() - timedelta(minutes=5))
    session, lab = exam["session"], exam["lab"]
    proctor = _client(app, make_user(Role.PROCTOR))
    url = f"/exam-admin/sessions/{session.id}/rooms/{lab.id}"
    refused = proctor.post(f"{url}/room", data={"action": "broadcast", "message": " "}, headers={"Referer": url},
                           follow_redirects=True)  # fmt: skip
    assert "请填写广播内容" in refused.get_data(as_text=True)
    assert proctor.post(f"{url}/room", data={"action": "broadcast", "message": "还有 15 分钟"}).status_code == 302
    message = db.session.scalars(sa.select(RoomMessage)).one()
    assert message.body == "还有 15 分钟" and audit_actions("room_messages", message.id) == ["room.broadcast"]
    assert "还有 15 分钟" in proctor.get(url).get_data(as_text=True)

    # The candidate's exam page polls /exam/state: the broadcast is in it.
    candidate = app.test_client()
    form = {"id_number": id_number(exam["person"]), "ticket_no": "1"}
    assert candidate.post("/exam/login", data=form).status_code == 302
    state = candidate.get("/exam/state").get_json()
    assert [m["body"] for m in state["messages"]] == ["还有 15 分钟"]

    attempt_id = db.session.scalar(sa.select(Attempt.id).where(Attempt.placement_id == placement_of(exam["app"]).id))
    spare = spare_seats(session, lab)[0]
    assert proctor.post(f"{url}/candidate", data={"attempt_id": attempt_id, "action": "relogin",
                                                  "reason": "换浏览器"}).status_code == 302  # fmt: skip
    assert candidate.get("/exam/state").status_code == 409  # that browser is done
    assert proctor.post(f"{url}/candidate", data={"attempt_id": attempt_id, "action": "move", "seat_id": spare.id,
                                                  "reason": "键盘损坏"}).status_code == 302  # fmt: skip
    assert placement_of(exam["app"]).seat_id == spare.id
    supervisor = _client(app, make_user(Role.SUPERVISOR))
    assert supervisor.post(f"{url}/room", data={"action": "broadcast", "message": "x"}).status_code == 403
    pdf = supervisor.get(f"/proctoring/sessions/{session.id}/rooms/{lab.id}/record.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("考场广播", "还有 15 分钟", "允许重新登录", "换浏览器", "调换座位", "键盘损坏"):
        assert expected in text, expected


def test_integrity_signals_show_on_the_seat_and_in_the_room_feed(app, make_exam, make_user):
    exam = make_exam(utcnow() - timedelta(minutes=5))
    session, lab = exam["session"], exam["lab"]
    placement = placement_of(exam["app"])
    attempt, token = login.login(placement, id_number(exam["person"]), "10.0.0.1", utcnow())
    login.record_signal(attempt, token, EventKind.PASTE, "Ctrl+V")
    login.record_signal(attempt, token, EventKind.BLUR)
    signal = emitted("signal")[-1]
    assert signal["name"] == exam["person"].name and signal["seat"] == placement.seat.label
    page = _client(app, make_user(Role.PROCTOR)).get(f"/exam-admin/sessions/{session.id}/rooms/{lab.id}")
    html = page.get_data(as_text=True)
    row = html[html.index(f'data-attempt="{attempt.id}"') :]
    row = row[: row.index("</tr>")]
    assert '<span class="signals">2</span>' in row and "离开考试窗口" in row  # logins are not signals
    feed = html[html.index('id="signal-feed"') :]
    assert "尝试粘贴" in feed and placement.seat.label in feed and exam["person"].name in feed
