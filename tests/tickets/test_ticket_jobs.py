"""Bulk ticket PDFs as background jobs: progress, the download, and pages reused when unchanged."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.core.media import resolve
from examsys.core.pdf import cjk_font_available
from examsys.jobs import JOBS
from examsys.modules.documents import queue
from examsys.modules.documents.models import DocumentJob, JobStatus
from examsys.modules.scheduling import seating
from examsys.modules.scheduling.models import Placement, Seat
from examsys.modules.tickets import operations

pytestmark = pytest.mark.skipif(not cjk_font_available(), reason="no CJK font installed (make system-deps)")


def result_pages(job: DocumentJob) -> int:
    return len(PdfReader(io.BytesIO(resolve(job.result_path).read_bytes())).pages)


def test_a_queued_job_renders_in_the_background_with_progress_and_reuses_unchanged_pages(ticket_plan, monkeypatch):
    plan = ticket_plan["plan"]
    operations.issue(plan)
    monkeypatch.setattr("examsys.modules.tickets.rendering.CHUNK", 5)  # 12 tickets in 3 chunks
    job = queue.enqueue("tickets", {"plan_id": plan.id}, "准考证")
    assert queue.enqueue("tickets", {"plan_id": plan.id}, "准考证") is job  # the same job is not queued twice
    assert job.status is JobStatus.QUEUED and job.percent == 0
    job_table = {j.id: j for j in JOBS}
    assert job_table["documents.render"].background
    assert job_table["documents.render"].run is queue.run_pending
    assert queue.run_pending() == 1
    db.session.refresh(job)
    assert job.status is JobStatus.DONE and (job.done, job.total, job.percent) == (12, 12, 100)
    assert job.reused == 0 and result_pages(job) == 12 and job.result_name.endswith(".pdf")

    # One candidate moves: only the chunk holding their page is laid out again.
    mover = ticket_plan["apps"][0]
    placement = db.session.scalar(sa.select(Placement).where(Placement.application_id == mover.id,
                                                             Placement.seat_id.is_not(None)))  # fmt: skip
    spare = db.session.scalar(sa.select(Seat).where(Seat.room_id == ticket_plan["lab"].id, Seat.label == "D05"))
    seating.move_to_seat(placement, ticket_plan["theory"], spare, reason="机器故障")
    again = queue.enqueue("tickets", {"plan_id": plan.id}, "准考证")
    assert again.id != job.id
    queue.run_pending()
    db.session.refresh(again)
    assert again.status is JobStatus.DONE and result_pages(again) == 12
    assert 0 < again.reused < 12  # the unchanged chunks came from the cache


def test_a_failing_job_says_why_and_the_worker_goes_on(ticket_plan):
    broken = queue.enqueue("tickets", {"plan_id": 999999}, "不存在的计划")
    good = queue.enqueue("tickets", {"plan_id": ticket_plan["plan"].id, "college_id": 999999}, "空")
    assert queue.run_pending() == 2
    db.session.refresh(broken)
    db.session.refresh(good)
    assert broken.status is JobStatus.FAILED and "考试计划" in broken.error
    assert good.status is JobStatus.DONE


def test_an_unknown_kind_is_refused(app, db_session):
    with app.test_request_context(), pytest.raises(DomainError, match="未知的文档类型"):
        queue.enqueue("diplomas", {}, "x")
