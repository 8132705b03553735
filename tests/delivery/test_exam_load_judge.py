"""The load benchmark judges a run against issue #7's targets for the scale the issue states them."""

from __future__ import annotations

from bench.exam_load import all_met, judge


def report(*, save_p99_ms: float, login_s: float, submit_s: float, n: int, lost: int = 0) -> dict:
    return {
        "saving": {"p99_ms": save_p99_ms, "error_count": 0},
        "login": {"ok": n, "all_served_s": login_s},
        "deadline": {"all_scored_s": submit_s},
        "verification": {
            "attempts_submitted_and_scored": n,
            "acknowledged_but_lost": lost,
            "acknowledged_but_different": 0,
        },
    }


def test_at_600_candidates_slow_logins_or_hand_ins_fail_the_run():
    ok = judge("sqlite", 600, report(save_p99_ms=20, login_s=4.9, submit_s=4.9, n=600))
    assert all_met(ok)
    slow_login = judge("sqlite", 600, report(save_p99_ms=20, login_s=5.2, submit_s=4.9, n=600))
    assert not slow_login["login_all_served"]["pass"] and not all_met(slow_login)
    slow_hand_in = judge("sqlite", 600, report(save_p99_ms=20, login_s=4.9, submit_s=5.1, n=600))
    assert not all_met(slow_hand_in)


def test_at_6000_candidates_the_600_candidate_targets_are_shown_but_not_judged():
    checks = judge("postgresql", 6000, report(save_p99_ms=200, login_s=21, submit_s=20, n=6000))
    assert checks["login_all_served"]["applies"] is False
    assert checks["login_all_served"]["measured_s"] == 21
    assert "600" in checks["deadline_all_scored"]["note"]
    assert all_met(checks)


def test_the_save_tail_and_lost_answers_are_judged_at_every_scale():
    assert not all_met(judge("postgresql", 6000, report(save_p99_ms=251, login_s=21, submit_s=20, n=6000)))
    assert not all_met(judge("postgresql", 6000, report(save_p99_ms=12, login_s=21, submit_s=20, n=6000, lost=1)))
    assert not all_met(judge("sqlite", 600, report(save_p99_ms=100, login_s=1, submit_s=1, n=600)))
