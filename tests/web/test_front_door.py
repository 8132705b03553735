"""The checks made in front of Flask's pipeline (web.front_door): what a seat's repeated signed
strings cost, and how long a checked one is trusted."""

from __future__ import annotations

from examsys.web.front_door import _Verified


def test_a_checked_string_is_trusted_for_at_most_the_recheck_time_and_seats_are_rechecked_spread_out():
    now = [0.0]
    verified = _Verified(clock=lambda: now[0])
    checks: list[str] = []

    def check(key: str):
        def run():
            checks.append(key)
            return {"seat": key}

        return run

    keys = [f"cookie-{n}" for n in range(1000)]  # a sitting's seats, all first seen at once
    assert all(verified.get(("secret", k), check(k)) == {"seat": k} for k in keys)
    assert len(checks) == 1000

    def rechecked_at(moment: float) -> int:
        now[0] = moment
        before = len(checks)
        for k in keys:
            verified.get(("secret", k), check(k))
        return len(checks) - before

    assert rechecked_at(29.9) == 0  # none before half the time
    spread = rechecked_at(45.0)
    assert 300 < spread < 700  # about half by three quarters of it: not all in one second
    assert rechecked_at(60.0) == 1000 - spread  # and every one by the recheck time
    assert rechecked_at(60.0) == 0  # each is trusted again after its check


def test_an_entry_is_kept_per_secret():
    verified = _Verified(clock=lambda: 0.0)
    assert verified.get(("one", "cookie"), lambda: "a") == "a"
    assert verified.get(("two", "cookie"), lambda: "b") == "b"
    assert verified.get(("one", "cookie"), lambda: "changed") == "a"
