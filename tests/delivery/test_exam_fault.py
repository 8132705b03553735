"""SIGKILL the exam server mid-run and restart it: no acknowledged answer is lost (bench/exam_fault.py)."""

from __future__ import annotations

import os

import pytest

from bench.exam_fault import run


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("tier", ["web", "exam"])  # make serve (gunicorn) and make serve-exam (granian)
def test_killing_the_server_mid_run_loses_no_acknowledged_answer(tier):
    result = run(candidates=40, seconds=6, interval=0.5, tier=tier)
    assert result["saves_failed_while_down"] > 0  # the kill really happened mid-run
    assert result["answers_acknowledged"] > 40
    assert result["acknowledged_but_lost"] == 0 and result["acknowledged_but_different"] == 0
    assert result["left_unsent"] == 0  # every client replayed its queue after the restart
    assert result["deadlines_changed"] == 0 and result["errors"] == 0
