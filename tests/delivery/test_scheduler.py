"""The scheduler: a start-up sweep submits attempts whose deadline passed while it was down."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from examsys.core import scheduler
from examsys.core.db import db, utcnow
from examsys.jobs import JOBS
from examsys.modules.delivery import login
from examsys.modules.delivery.models import Attempt, AttemptStatus, SubmittedBy


def test_sweep_at_start_submits_attempts_past_their_deadline(app, make_exam):
    exam = make_exam(utcnow() - timedelta(minutes=120))  # a 90-minute sitting that ended half an hour ago
    attempt = db.session.scalars(sa.select(Attempt)).first()
    attempt.client_token = "t"
    login.begin(attempt, utcnow() - timedelta(minutes=100))
    assert attempt.deadline_at is not None and attempt.deadline_at < utcnow()
    done = scheduler.sweep(app, JOBS)
    assert done["delivery.submit_overdue"] == 1
    assert done["proctoring.mark_absent"] == 3  # nobody checked in: absent after the cut-off
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.SUBMITTED and attempt.submitted_by is SubmittedBy.DEADLINE
    assert exam["session"].id == attempt.session_id


def test_a_failing_job_is_rolled_back_and_reported_as_zero(app):
    def broken(now):
        raise RuntimeError("boom")

    with app.app_context():
        assert scheduler.run_job(scheduler.Job("broken", 1, broken)) == 0


def test_serve_runs_jobs_at_their_interval_until_stopped(app):
    calls = []
    job = scheduler.Job("count", 0.01, lambda now: calls.append(now) or 1)
    rounds = iter(range(3))
    scheduler.serve(app, [job], stop=lambda: next(rounds, None) is None, tick=0.02)
    assert len(calls) >= 3  # the start-up sweep plus one per round
