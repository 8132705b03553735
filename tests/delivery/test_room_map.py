"""The proctor's live seat map: each seat's state and their precedence, the flag, the room totals, the page.

Times are passed explicitly. The ``exam`` fixture sits a week ahead, so heartbeats (stamped
with the real clock) never count there: contact comes only from logins and saves. Tests of
heartbeats use a sitting that started 20 minutes ago.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from examsys.core.db import db, utcnow
from examsys.core.permissions import Role
from examsys.modules.delivery import clock, login, monitor, presence, saving, submission
from examsys.modules.delivery.models import Attempt, EventKind, SubmittedBy
from examsys.modules.delivery.monitor import SeatState, spare_seats
from examsys.modules.proctoring import operations as proctoring
from examsys.modules.proctoring.models import IncidentKind
from tests.conftest import PASSWORD
from tests.delivery.conftest import at
from tests.delivery.test_delivery import change, id_number, placement_of


def view(exam, now):
    return monitor.room_view(exam["session"], exam["lab"], now)


def seat_of(exam, app_, now) -> dict:
    placement = placement_of(app_)
    return next(s for s in view(exam, now)["seats"] if s["placement"] == placement.id)


def state(exam, now, app_=None) -> SeatState:
    return seat_of(exam, app_ or exam["app"], now)["state"]


def log_in(exam, now, ip="10.0.0.1"):
    return login.login(placement_of(exam["app"]), id_number(exam["person"]), ip, now)


def answer(attempt, token, index, seq, now):
    saving.save(attempt, token, [change(attempt, index, [attempt.item_order[index][1][0]], seq)], now)


def offline_gap() -> timedelta:
    return timedelta(seconds=presence.offline_after())


@pytest.fixture
def running(make_exam):
    return make_exam(utcnow() - timedelta(minutes=20))


def test_a_seat_goes_from_absent_to_checked_in_to_answering_to_submitted(exam):
    others = [a for a in exam["apps"] if a is not exam["app"]]
    assert {s["state"] for s in view(exam, at(-40))["seats"]} == {SeatState.ABSENT}

    proctoring.check_in(placement_of(others[0]), None, at(-20))  # at the door, not yet at the machine
    assert state(exam, at(-20), others[0]) is SeatState.CHECKED_IN
    attempt, token = log_in(exam, at(0))  # at the machine without a door check-in: also in
    assert state(exam, at(0)) is SeatState.CHECKED_IN

    assert login.begin(attempt, at(0))
    assert state(exam, at(0)) is SeatState.IN_PROGRESS
    answer(attempt, token, 0, 1, at(3))
    seat = seat_of(exam, exam["app"], at(3))
    assert seat["state"] is SeatState.IN_PROGRESS and seat["answered"] == 1 and seat["last_activity"] == at(3)

    proctoring.mark_absent(exam["session"], at(16))  # the late-entry cut-off passed for the third
    assert state(exam, at(16), others[1]) is SeatState.ABSENT
    assert seat_of(exam, others[1], at(16))["present"] is False
    submission.submit(attempt, SubmittedBy.CANDIDATE, at(40))
    assert state(exam, at(41)) is SeatState.SUBMITTED
    assert state(exam, at(500)) is SeatState.SUBMITTED  # no contact for hours: still just handed in


def test_offline_when_no_contact_for_the_offline_limit_since_the_login_or_the_last_save(exam):
    attempt, token = log_in(exam, at(-1))
    assert login.begin(attempt, at(0))
    # Never beat since the login: online until the limit has passed since the login.
    assert state(exam, at(-1) + offline_gap() - timedelta(seconds=1)) is SeatState.IN_PROGRESS
    assert state(exam, at(-1) + offline_gap()) is SeatState.OFFLINE
    answer(attempt, token, 0, 1, at(2))  # a save is contact
    assert state(exam, at(2) + timedelta(seconds=1)) is SeatState.IN_PROGRESS
    assert not seat_of(exam, exam["app"], at(2) + offline_gap())["online"]
    assert state(exam, at(2) + offline_gap()) is SeatState.OFFLINE


def test_heartbeats_keep_a_seat_online_and_idle_follows_the_last_saved_answer(app, running, monkeypatch):
    start = running["session"].starts_at
    placement = placement_of(running["app"])
    attempt, token = login.login(placement, id_number(running["person"]), "10.0.0.1", start - timedelta(minutes=5))
    assert login.begin(attempt, start + timedelta(minutes=1))
    answer(attempt, token, 0, 1, start + timedelta(minutes=2))  # 18 minutes ago
    presence.beat(attempt.id, running["session"].id, running["lab"].id)
    now = utcnow()
    seat = seat_of(running, running["app"], now)
    assert seat["online"] and seat["state"] is SeatState.IDLE  # online, but nothing saved for 18 minutes
    # Offline outranks idle: once the beats stop, the cause shown is the lost machine.
    assert state(running, now + offline_gap() + timedelta(hours=1), running["app"]) is SeatState.OFFLINE

    monkeypatch.setitem(app.config, "EXAM_IDLE_MINUTES", 30)  # the threshold is the centre's setting
    assert state(running, now, running["app"]) is SeatState.IN_PROGRESS
    monkeypatch.setitem(app.config, "EXAM_IDLE_MINUTES", 10)
    answer(attempt, token, 1, 2, utcnow())  # answering again
    assert state(running, utcnow(), running["app"]) is SeatState.IN_PROGRESS


def test_idle_counts_from_the_start_when_nothing_was_saved(app, running, monkeypatch):
    start = running["session"].starts_at
    placement = placement_of(running["app"])
    attempt, _token = login.login(placement, id_number(running["person"]), "10.0.0.1", start - timedelta(minutes=5))
    assert login.begin(attempt, utcnow() - timedelta(minutes=11))
    presence.beat(attempt.id, running["session"].id, running["lab"].id)
    now = utcnow()
    assert seat_of(running, running["app"], now)["last_activity"] == attempt.started_at
    assert state(running, now, running["app"]) is SeatState.IDLE  # 11 minutes since the paper opened
    monkeypatch.setitem(app.config, "EXAM_IDLE_MINUTES", 12)
    assert state(running, now, running["app"]) is SeatState.IN_PROGRESS


def test_paused_outranks_offline_and_idle_and_a_room_pause_pauses_every_answering_seat(exam):
    attempt, token = log_in(exam, at(-5))
    assert login.begin(attempt, at(0))
    clock.pause_attempt(attempt, "更换鼠标", at(1))
    assert state(exam, at(60)) is SeatState.PAUSED  # no contact and no answer for an hour: paused says why
    clock.resume_attempt(attempt, at(61))
    assert state(exam, at(61)) is SeatState.OFFLINE
    answer(attempt, token, 0, 1, at(62))
    assert state(exam, at(62)) is SeatState.IN_PROGRESS

    clock.pause_room(exam["session"], exam["lab"], "停电", at(63))
    seats = view(exam, at(63))["seats"]
    assert seat_of(exam, exam["app"], at(63))["state"] is SeatState.PAUSED
    assert {s["state"] for s in seats if s["placement"] != attempt.placement_id} == {SeatState.ABSENT}
    submission.submit(attempt, SubmittedBy.PROCTOR, at(64))
    assert state(exam, at(64)) is SeatState.SUBMITTED  # handed in outranks paused


def test_the_precedence_rule_by_itself():
    now = at(100)
    base = monitor.SeatFacts(status=monitor.AttemptStatus.IN_PROGRESS, paused=False, logged_in=True, present=True,
                             last_activity=at(0), last_contact=at(0))  # fmt: skip
    rule = lambda **kw: monitor.seat_state(  # noqa: E731
        monitor.SeatFacts(**{**base.__dict__, **kw}), now, timedelta(minutes=10), timedelta(seconds=45)
    )
    assert rule() is SeatState.OFFLINE  # offline before idle
    assert rule(last_contact=now) is SeatState.IDLE
    assert rule(last_contact=now, last_activity=now) is SeatState.IN_PROGRESS
    assert rule(paused=True) is SeatState.PAUSED
    assert rule(status=monitor.AttemptStatus.SUBMITTED, paused=True) is SeatState.SUBMITTED
    prepared = monitor.AttemptStatus.PREPARED
    assert rule(status=prepared, paused=True) is SeatState.CHECKED_IN  # paused applies to answering seats
    assert rule(status=prepared, logged_in=False, present=None) is SeatState.ABSENT
    assert rule(status=prepared, logged_in=False, present=False) is SeatState.ABSENT
    assert rule(status=prepared, logged_in=True, present=False) is SeatState.CHECKED_IN  # came in late after all


def test_flagged_by_an_integrity_signal_or_an_incident_not_by_a_login(exam, make_user):
    others = [a for a in exam["apps"] if a is not exam["app"]]
    attempt, token = log_in(exam, at(-5))
    assert not seat_of(exam, exam["app"], at(-5))["flagged"]  # a login is not a signal
    login.record_signal(attempt, token, EventKind.PASTE, "Ctrl+V", at(-4))
    seat = seat_of(exam, exam["app"], at(-4))
    assert seat["flagged"] and seat["state"] is SeatState.CHECKED_IN  # a marker on top of the state

    proctoring.record_incident(exam["session"], exam["lab"], IncidentKind.DISTURBANCE, "大声喧哗",
                               by=make_user(Role.PROCTOR), placement=placement_of(others[0]))  # fmt: skip
    assert seat_of(exam, others[0], at(-4))["flagged"]
    assert not seat_of(exam, others[1], at(-4))["flagged"]
    assert view(exam, at(-4))["totals"]["flagged"] == 2


def test_room_totals_count_every_state_and_average_the_answered(exam):
    others = [a for a in exam["apps"] if a is not exam["app"]]
    attempt, token = log_in(exam, at(-5))
    proctoring.check_in(placement_of(others[0]), None, at(-10))
    assert view(exam, at(-5))["totals"]["answered_avg"] is None  # nobody started
    assert login.begin(attempt, at(0))
    for i in range(3):
        answer(attempt, token, i, i + 1, at(1))
    totals = view(exam, at(1))["totals"]
    assert totals["seats"] == 3 and totals["flagged"] == 0
    assert list(totals["states"]) == list(monitor.DISPLAY_ORDER)  # every state, zeros included
    assert totals["states"] == {
        SeatState.ABSENT: 1, SeatState.CHECKED_IN: 1, SeatState.IN_PROGRESS: 1, SeatState.IDLE: 0,
        SeatState.OFFLINE: 0, SeatState.PAUSED: 0, SeatState.SUBMITTED: 0,
    }  # fmt: skip
    assert totals["answered_avg"] == 3.0  # over the seats that started


def test_the_seat_map_lays_every_seat_of_the_lab_out_by_row_and_column(exam):
    lab = exam["lab"]
    grid = view(exam, at(-40))["map"]
    assert (grid["rows"], grid["cols"]) == (3, 4) and len(grid["cells"]) == len(lab.seats)
    placed = {placement_of(a).seat_id for a in exam["apps"]}
    for cell in grid["cells"]:
        seat = next(s for s in lab.seats if s.id == cell["id"])
        assert (cell["row"], cell["col"], cell["label"]) == (seat.row, seat.col, seat.label)
        assert (cell["candidate"] is not None) == (seat.id in placed)


def _client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _cell(html: str, attempt_id: int) -> str:
    start = html.index(f'data-cell="{attempt_id}"')
    return html[html.rindex("<a ", 0, start) : html.index("</a>", start)]


def test_the_console_page_shows_the_map_with_states_flags_and_totals(app, make_user, running):
    session, lab = running["session"], running["lab"]
    start = session.starts_at
    attempt, token = login.login(placement_of(running["app"]), id_number(running["person"]), "10.0.0.1",
                                 start - timedelta(minutes=5))  # fmt: skip
    assert login.begin(attempt, start + timedelta(minutes=1))
    for i in range(12):
        answer(attempt, token, i, i + 1, utcnow())
    login.record_signal(attempt, token, EventKind.BLUR, "", utcnow())
    presence.beat(attempt.id, session.id, lab.id)
    db.session.flush()

    proctor = _client(app, make_user(Role.PROCTOR))
    html = proctor.get(f"/exam-admin/sessions/{session.id}/rooms/{lab.id}").get_data(as_text=True)
    assert 'id="seatmap"' in html and html.index('id="seatmap"') < html.index('id="seat-table"')
    cell = _cell(html, attempt.id)
    seat = placement_of(running["app"]).seat
    assert f"grid-row: {seat.row}; grid-column: {seat.col};" in cell
    assert (
        "seat-state-in_progress" in cell and 'data-state="in_progress"' in cell and "作答中" in cell
    )  # words, not colour
    assert running["person"].name in cell and seat.label in cell and f"12/{len(attempt.item_order)}" in cell
    assert re.search(r'class="left">\d+:\d\d<', cell)  # time left
    assert "flagged" in cell and "有异常" in cell and '<span class="flag" hidden' not in cell
    assert f'href="#attempt-{attempt.id}"' in cell and f'id="attempt-{attempt.id}"' in html  # to the actions

    others = [a for a in running["apps"] if a is not running["app"]]
    absent = db.session.scalar(sa.select(Attempt.id).where(Attempt.placement_id == placement_of(others[0]).id))
    assert "未到场" in _cell(html, absent) and 'class="flag" hidden' in _cell(html, absent)
    totals = html[html.index('id="room-totals"') : html.index("</p>", html.index('id="room-totals"'))]
    assert re.search(r'作答中 <b data-total="in_progress">1</b>', totals)
    assert re.search(r'未到场 <b data-total="absent">2</b>', totals)
    assert '<b data-total="flagged">1</b>' in totals and '<b data-total="seats">3</b>' in totals
    assert '<b data-total="answered_avg">12.0</b>' in totals
    legend = html[html.index('class="seat-legend"') :]
    for title in ("未到场", "已签到", "作答中", "长时间未作答", "离线", "已暂停", "已交卷"):
        assert title in legend[: legend.index("</ul>")]
        assert f'data-state_{next(s for s in SeatState if s.title == title).value}="{title}"' in html
    # Every candidate action is still there, below the map.
    assert 'name="action" value="pause"' in html and 'name="seat_id"' in html


# ----------------------------------------------------------------- the live page, in a browser

CHROMIUM = Path("/usr/bin/chromium")
# Stands in for socket.io: the test calls the page's handlers the way the /proctor channel would.
FAKE_IO = """window.__on = {};
window.io = () => ({ on: (name, fn) => { window.__on[name] = fn; }, emit: (name, data, ack) => ack && ack({ ok: true }) });"""


class LiveConsole:
    """The console page in Chromium, with the channel's events delivered by hand."""

    def __init__(self, page, attempt_id: int):
        self.page, self.attempt_id = page, attempt_id
        self.cell = f'#seatmap [data-cell="{attempt_id}"]'

    def seat(self, **changes) -> None:
        data = {"attempt": self.attempt_id, "seat": "", "status": "in_progress", "answered": 2, "seq": 2,
                "paused": False, "last_seen": utcnow().isoformat(), **changes}  # fmt: skip
        self.on("seat", data)

    def on(self, event: str, data: dict) -> None:
        self.page.evaluate(f"d => __on[{json.dumps(event)}](d)", data)

    def state(self) -> str:
        return self.page.get_attribute(self.cell, "data-state")

    def text(self, part: str = "") -> str:
        return self.page.inner_text(f"{self.cell} {part}".strip())

    def total(self, key: str) -> str:
        return self.page.inner_text(f'#room-totals [data-total="{key}"]')


def _console_html(app, make_user, running) -> tuple[str, Attempt]:
    """The page for a seat answering with a heartbeat, its last save 9 min 50 s ago (idle in 10 s)."""
    session, lab = running["session"], running["lab"]
    start = session.starts_at
    attempt, token = login.login(placement_of(running["app"]), id_number(running["person"]), "10.0.0.1",
                                 start - timedelta(minutes=5))  # fmt: skip
    assert login.begin(attempt, start + timedelta(minutes=1))
    answer(attempt, token, 0, 1, utcnow() - timedelta(minutes=9, seconds=50))
    presence.beat(attempt.id, session.id, lab.id)
    db.session.flush()
    proctor = _client(app, make_user(Role.PROCTOR))
    return proctor.get(f"/exam-admin/sessions/{session.id}/rooms/{lab.id}").get_data(as_text=True), attempt


def in_own_thread(action) -> None:
    """Run ``action`` in a fresh thread and re-raise its failure here.

    Sync Playwright refuses to run where an asyncio loop is current (an earlier socket test can
    leave one in this thread).
    """
    failure: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the browser did not finish"
    if failure:
        raise failure[0]


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")
def test_the_live_console_recomputes_states_and_totals_from_channel_events(app, make_user, running):
    sync_api = pytest.importorskip("playwright.sync_api")
    html, attempt = _console_html(app, make_user, running)
    spare = spare_seats(running["session"], running["lab"])[0].label
    other = placement_of(next(a for a in running["apps"] if a is not running["app"]))

    def serve(route):
        path = route.request.url.split("/static/", 1)[1]
        if path.endswith("socket.io.min.js"):
            return route.fulfill(body=FAKE_IO, content_type="text/javascript")
        return route.fulfill(path=str(Path(app.static_folder) / path))

    def drive() -> None:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("**/static/**", serve)
            page.route("http://console.test/", lambda r: r.fulfill(body=html, content_type="text/html"))
            page.clock.install()
            page.goto("http://console.test/")
            live = LiveConsole(page, attempt.id)

            assert live.state() == "in_progress" and "作答中" in live.text()
            page.clock.run_for(20_000)  # the 15 s re-evaluation finds no save for 10 minutes
            assert live.state() == "idle" and "长时间未作答" in live.text()
            assert live.total("idle") == "1" and live.total("in_progress") == "0"
            live.seat(saved_at=utcnow().isoformat())  # a save is activity
            assert live.state() == "in_progress" and live.text(".answered").startswith("2/")
            live.on("presence", {"attempt": attempt.id, "online": False, "at": utcnow().isoformat()})
            assert live.state() == "offline" and live.total("offline") == "1"
            live.seat(paused=True)
            assert live.state() == "paused"  # paused outranks offline
            frozen = live.text(".left")
            page.clock.run_for(3_000)
            assert live.text(".left") == frozen  # the clock stands still while paused
            live.seat(paused=False)
            live.on("presence", {"attempt": attempt.id, "online": True, "at": utcnow().isoformat()})
            page.clock.run_for(3_000)
            assert live.state() == "in_progress" and live.text(".left") != frozen
            live.on("signal", {"attempt": attempt.id, "seat": "", "name": "", "title": "尝试粘贴", "detail": "",
                               "at": utcnow().isoformat()})  # fmt: skip
            assert (
                page.is_visible(live.cell + " .flag") and live.total("flagged") == "1" and live.state() == "in_progress"
            )
            live.seat(seat=spare)  # moved to a spare seat: the cell goes with the candidate
            assert live.text(".label") == spare
            live.seat(seat=spare, status="submitted")
            assert live.state() == "submitted" and live.text(".left") == "" and live.total("submitted") == "1"
            live.on("checkin", {"placement": other.id, "present": True})
            assert (
                live.total("checked_in") == "1" and live.total("absent") == "1" and live.total("answered_avg") == "2.0"
            )
            assert errors == []
            browser.close()

    in_own_thread(drive)
