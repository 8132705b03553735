"""The exam page in Chromium, as a candidate uses it: the lobby until the proctor opens the room,
the rules, the paper by keyboard alone, flags and the navigation grid, both layouts, large font
and high contrast, a countdown on the server's clock, and the integrity signals the proctor sees.

The module has a school of its own: its sitting waits for the proctor, unlike test_exam.py's.
"""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa

from examsys.core.audit import acting_as
from examsys.core.db import db
from examsys.modules.delivery import clock
from examsys.modules.delivery.models import Answer, AttemptEvent, AttemptStatus, EventKind
from examsys.modules.scheduling.models import ExamSession, Room
from tests.browser.conftest import serve_demo
from tests.browser.sittings import attempt_of, seat_one_candidate, wait_saved

# The lab PC's clock, years off: the page must not use it. (Playwright's page.clock would also
# empty the navigation timing entries the page reads to report a reload.)
WRONG_MACHINE_CLOCK = """(() => {
    const Real = Date, skew = Real.UTC(2031, 5, 1, 8) - Real.now();
    class Skewed extends Real {
        constructor(...args) { if (args.length) super(...args); else super(Real.now() + skew); }
        static now() { return Real.now() + skew; }
    }
    window.Date = Skewed;
})();"""


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    with serve_demo(tmp_path_factory.mktemp("live-paper")) as server:
        yield server


@pytest.fixture(scope="module")
def sitting(live_server):
    return seat_one_candidate(live_server.app, start_by_proctor=True)


def open_room(live_server, sitting):
    """What the proctor's 开考 button does."""
    with live_server.app.app_context(), acting_as("proctor-test"):
        session = db.session.get(ExamSession, sitting["session"])
        clock.open_room(session, db.session.get(Room, sitting["room"]))
        db.session.commit()
        db.session.remove()


def grid_button(page, number):
    return page.locator("#grid button").nth(number - 1)


SERVER_COUNTDOWN = "/^1:(29:[0-5]\\d|30:00)/.test(document.getElementById('clock').textContent)"


def log_in_and_wait_in_the_lobby(page, live_server, sitting):
    page.goto("/exam/login")
    page.get_by_label("准考证号").fill("2026000001")
    page.get_by_label("证件号码").fill(sitting["id_number"])
    page.keyboard.press("Enter")
    # The room is not open: no paper and no clock yet.
    page.locator("#lobby-wait").wait_for(state="visible")
    assert sitting["name"] in page.locator("#lobby-info").inner_text()
    assert page.locator("#begin").is_hidden() and page.locator("#paper").is_hidden()
    assert page.locator("#clock").inner_text() == "--:--"

    open_room(live_server, sitting)
    begin = page.get_by_role("button", name="我已阅读考场规则，开始答题")
    begin.wait_for(state="visible", timeout=12_000)  # the lobby asks every 5-7 s
    begin.focus()
    page.keyboard.press("Enter")
    page.locator("#paper").wait_for(state="visible")


def answer_two_by_keyboard(page):
    """1 picks the first option shown, → moves on, B picks the second, F flags."""
    page.keyboard.press("1")
    page.keyboard.press("ArrowRight")
    assert "here" in grid_button(page, 2).get_attribute("class")
    page.keyboard.press("b")
    page.keyboard.press("f")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    assert page.locator("#items .item").get_attribute("class") == "item flagged"
    assert page.locator("#items .item input:checked").count() == 1
    assert page.locator("#items .option").nth(1).locator("input").is_checked()
    assert grid_button(page, 1).get_attribute("class") == "answered"
    assert grid_button(page, 2).get_attribute("class") == "answered flagged here"
    assert grid_button(page, 2).get_attribute("aria-label") == "第 2 题，已答，已标记"
    assert grid_button(page, 3).get_attribute("aria-label") == "第 3 题，未答"
    wait_saved(page)


def switch_layout_font_and_contrast(page, total):
    page.get_by_role("button", name="切换：逐题/整卷").click()
    assert page.locator("#items .item").count() == total and page.locator("#prev").is_hidden()
    page.get_by_role("button", name="切换：逐题/整卷").click()
    assert page.locator("#items .item").count() == 1
    size_before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("button", name="大字").click()
    page.get_by_role("button", name="高对比度").click()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > size_before
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"


def copy_paste_hide_leave_and_reload(page):
    page.keyboard.press("Control+a")
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    page.evaluate("""() => {
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
        document.dispatchEvent(new Event('visibilitychange'));
        delete document.hidden;
    }""")  # headless Chromium never hides a page by itself
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setFocusEmulationEnabled", {"enabled": False})  # real focus, so another window takes it
    other = page.context.new_page()
    other.bring_to_front()
    other.close()
    page.bring_to_front()
    page.reload()
    page.locator("#paper").wait_for(state="visible")


def signals_of(live_server, sitting, expected: set[EventKind]) -> set[EventKind]:
    """The attempt's recorded event kinds, once they include ``expected`` (or after 5 s)."""
    with live_server.app.app_context():
        deadline = time.monotonic() + 5
        while True:
            attempt = attempt_of(sitting)
            kinds = set(db.session.scalars(sa.select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt.id)))
            db.session.remove()
            if expected <= kinds or time.monotonic() > deadline:
                return kinds
            time.sleep(0.2)


def test_lobby_then_a_paper_worked_by_keyboard_on_the_servers_clock_with_signals_to_the_proctor(
    page, live_server, sitting
):
    page.add_init_script(WRONG_MACHINE_CLOCK)
    log_in_and_wait_in_the_lobby(page, live_server, sitting)
    assert page.evaluate("new Date().getFullYear()") == 2031
    page.wait_for_function(SERVER_COUNTDOWN)  # 90 minutes from the opening, by the server's clock

    answer_two_by_keyboard(page)
    total = page.locator("#grid button").count()
    switch_layout_font_and_contrast(page, total)
    copy_paste_hide_leave_and_reload(page)

    # After the reload: the display options, the answers and flags and the server's countdown.
    assert page.evaluate("document.body.classList.contains('large') && document.body.classList.contains('contrast')")
    assert grid_button(page, 2).get_attribute("class").split()[:2] == ["answered", "flagged"]
    page.wait_for_function(SERVER_COUNTDOWN)
    signals = {EventKind.COPY, EventKind.PASTE, EventKind.HIDDEN, EventKind.BLUR, EventKind.RELOAD}
    assert signals <= signals_of(live_server, sitting, signals)
    with live_server.app.app_context():
        # Saved as shown: the first option of item 1; the second of item 2, flagged.
        attempt = attempt_of(sitting)
        shown = dict(attempt.item_order)
        first, second = (item_id for item_id, _ in attempt.item_order[:2])
        saved = {
            a.paper_item_id: a for a in db.session.scalars(sa.select(Answer).where(Answer.attempt_id == attempt.id))
        }
        assert saved.keys() == {first, second}
        assert saved[first].choice == [shown[first][0]] and not saved[first].flagged
        assert saved[second].choice == [shown[second][1]] and saved[second].flagged
        db.session.remove()

    # Hand-in by keyboard: the summary counts the unanswered and flagged items.
    page.get_by_role("button", name="交卷").first.focus()
    page.keyboard.press("Enter")
    summary = page.locator("#summary-text").inner_text()
    assert re.search(rf"共 {total} 题，未答 {total - 2} 题，标记 1 题", summary), summary
    page.get_by_role("button", name="确认交卷").focus()
    page.keyboard.press("Enter")
    page.locator("#done").wait_for(state="visible")
    with live_server.app.app_context():
        assert attempt_of(sitting).status is AttemptStatus.SUBMITTED
        db.session.remove()
