"""The registration roster and the occupation summary (申报职业汇总表), as xlsx and PDF.

Rows are sorted by major, occupation, level, then student number, the order seed 001
requires for materials and score sheets.
"""

from __future__ import annotations

import io
from collections import Counter

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import selectinload

from examsys.core.db import db
from examsys.core.pdf import render_pdf
from examsys.modules.catalog.models import LEVEL_NAMES, Job
from examsys.modules.people.models import Person
from examsys.modules.registration.models import Application, ApplicationStatus, Batch


def _level(n: int) -> str:
    return "/".join(LEVEL_NAMES[n][:2])


def applications(scope: int | None, batch_id: int | None = None) -> list[Application]:
    stmt = (
        sa.select(Application)
        .join(Person, Application.person_id == Person.id)
        .join(Batch, Application.batch_id == Batch.id)
        .options(
            selectinload(Application.person).selectinload(Person.major),
            selectinload(Application.batch).selectinload(Batch.job).selectinload(Job.occupation),
        )
    )
    if scope is not None:
        stmt = stmt.where(Person.college_id == scope)
    if batch_id is not None:
        stmt = stmt.where(Application.batch_id == batch_id)
    rows = list(db.session.scalars(stmt))
    return sorted(
        rows,
        key=lambda a: (
            a.person.major.name if a.person.major else "",
            a.batch.job.label,
            -a.batch.level,
            a.person.student_no or "",
            a.person.id,
        ),
    )


def roster_rows(apps: list[Application]) -> tuple[list[str], list[list]]:
    header = [
        _("序号"),
        _("学号"),
        _("姓名"),
        _("性别"),
        _("证件号码"),
        _("学院"),
        _("专业"),
        _("班级"),
        _("申报职业"),
        _("工种"),
        _("等级"),
        _("状态"),
    ]
    rows = []
    for n, a in enumerate(apps, start=1):
        person, batch = a.person, a.batch
        document = person.primary_document
        rows.append(
            [
                n,
                person.student_no or "",
                person.name,
                person.gender.title,
                document.number if document else "",
                person.college.name if person.college else "",
                person.major.name if person.major else "",
                person.class_name,
                batch.job.occupation.name,
                batch.job.name,
                _level(batch.level),
                a.status.title,
            ]
        )
    return header, rows


def summary_rows(apps: list[Application]) -> tuple[list[str], list[list]]:
    """One row per occupation, job, level and college: applications by review status."""
    header = [
        _("申报职业"),
        _("工种"),
        _("等级"),
        _("学院"),
        _("报名人数"),
        _("审核通过"),
        _("待审核"),
        _("未通过/退回"),
    ]
    counts: dict[tuple, Counter] = {}
    for a in apps:
        key = (
            a.batch.job.occupation.name,
            a.batch.job.name,
            a.batch.level,
            a.person.college.name if a.person.college else _("社会人员"),
        )
        counter = counts.setdefault(key, Counter())
        counter["all"] += 1
        if a.status is ApplicationStatus.APPROVED:
            counter["approved"] += 1
        elif a.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.COLLEGE_APPROVED):
            counter["pending"] += 1
        else:
            counter["refused"] += 1
    rows = [
        [occ, job, _level(level), college, c["all"], c["approved"], c["pending"], c["refused"]]
        for (occ, job, level, college), c in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[0][2]))
    ]
    totals = [sum(r[i] for r in rows) for i in range(4, 8)]
    rows.append([_("合计"), "", "", "", *totals])
    return header, rows


def to_xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_pdf(title: str, header: list[str], rows: list[list], subtitle: str = "") -> bytes:
    return render_pdf(
        "pdf/registration/table.html", {"title": title, "subtitle": subtitle, "header": header, "rows": rows}
    )
