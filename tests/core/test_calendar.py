"""Working days: official holidays, 调休 make-up days, overrides and the provisional fallback."""

from datetime import date

import pytest

from examsys.core.calendar import is_working_day, shift_working_days, working_days_between
from examsys.core.errors import DomainError
from examsys.core.permissions import Role
from examsys.modules.calendar.operations import delete_override, set_override


def test_national_day_and_its_make_up_saturday():
    assert is_working_day(date(2026, 10, 1), {}) == (False, False)  # National Day
    assert is_working_day(date(2026, 10, 10), {}) == (True, False)  # 调休: Saturday worked
    assert is_working_day(date(2026, 10, 11), {}) == (False, False)  # ordinary Sunday


def test_shift_counts_only_working_days_and_skips_the_start():
    # 2026-09-30 (Wed) + 1 working day: 10-01..10-07 are holidays, so 10-08.
    assert shift_working_days(date(2026, 9, 30), 1, {}).day == date(2026, 10, 8)
    # 10 working days before Monday 2026-10-19: 16,15,14,13,12, Sat 10 (调休), 9, 8, 9-30, 9-29.
    answer = shift_working_days(date(2026, 10, 19), -10, {})
    assert answer.day == date(2026, 9, 29) and not answer.provisional
    # Without the make-up Saturday it would be one day earlier: the 调休 day really counts.
    assert shift_working_days(date(2026, 10, 19), -10, {date(2026, 10, 10): False}).day == date(2026, 9, 28)
    assert shift_working_days(date(2026, 10, 19), 0, {}).day == date(2026, 10, 19)


def test_working_days_between_is_signed_and_counts_make_up_days():
    assert working_days_between(date(2026, 10, 9), date(2026, 10, 12), {}) == (2, False)  # Sat 10th + Mon 12th
    assert working_days_between(date(2026, 10, 12), date(2026, 10, 9), {}) == (-2, False)


def test_unknown_years_fall_back_to_weekdays_and_say_provisional():
    working, provisional = is_working_day(date(2031, 1, 1), {})
    assert working is True and provisional is True  # a Wednesday; real holiday unknown
    assert shift_working_days(date(2031, 1, 3), 1, {}).provisional


def test_override_wins_over_package_and_fallback(db_session):
    set_override(date(2031, 1, 1), False, "国办发明电〔2030〕X号（测试）")
    set_override(date(2031, 1, 4), True, "调休上班（测试）")
    assert is_working_day(date(2031, 1, 1)) == (False, False)
    assert is_working_day(date(2031, 1, 4)) == (True, False)  # a Saturday
    # From Wed 2030-12-31: 1-1 off (override), 1-2 Thu, 1-3 Fri, 1-4 Sat worked (override).
    assert shift_working_days(date(2030, 12, 31), 3).day == date(2031, 1, 4)
    delete_override(date(2031, 1, 4))
    assert is_working_day(date(2031, 1, 4)) == (False, True)


def test_override_needs_a_source(db_session):
    with pytest.raises(DomainError):
        set_override(date(2031, 2, 1), True, "  ")


def test_calendar_page_answers_and_office_can_add_an_override(client, login, make_user):
    login(make_user(Role.EXAM_OFFICE))
    page = client.get("/calendar/?start=2026-10-19&n=-10").get_data(as_text=True)
    assert "2026-09-29" in page
    response = client.post("/calendar/overrides", data={"day": "2032-02-14", "is_working_day": "y", "note": "测试依据"})
    assert response.status_code == 302
    assert is_working_day(date(2032, 2, 14)) == (True, False)


def test_calendar_cli(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["calendar", "shift", "2026-09-30", "1"])
    assert result.output.strip() == "2026-10-08"
    result = runner.invoke(args=["calendar", "set", "2033-01-03", "--rest", "--note", "测试"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["calendar", "day", "2033-01-03"]).output.strip() == "2033-01-03 rest"
