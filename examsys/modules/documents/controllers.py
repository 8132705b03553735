"""Document jobs: the progress a page polls, the list of recent jobs, and the download."""

from __future__ import annotations

from flask import jsonify, render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user

from examsys.core.errors import DomainError, Forbidden
from examsys.core.media import resolve
from examsys.core.permissions import OFFICE
from examsys.modules.documents import queue
from examsys.modules.documents.models import DocumentJob, JobStatus
from examsys.web.downloads import named


def _visible(job: DocumentJob) -> DocumentJob:
    """The office sees every job; anyone else only the jobs they queued."""
    if set(current_user.roles) & OFFICE or job.created_by_id == current_user.id:
        return job
    raise Forbidden(_("这是其他人的文档任务"))


def index():
    jobs = queue.recent_jobs(limit=50)
    if not set(current_user.roles) & OFFICE:
        jobs = [j for j in jobs if j.created_by_id == current_user.id]
    return render_template("documents/index.html", jobs=jobs)


def status(job_id: int):
    return jsonify(_visible(queue.get_job(job_id)).as_dict())


def download(job_id: int):
    job = _visible(queue.get_job(job_id))
    if job.status is not JobStatus.DONE or not job.result_path:
        raise DomainError(_("文档尚未生成完毕"), status=409)
    return named(send_file(resolve(job.result_path), mimetype="application/pdf", max_age=0), job.result_name)
