"""The batch plan (认定实施计划) as the PDF filed with the provincial centre and as an xlsx workbook.

Both are built from :func:`examsys.modules.scheduling.plan_report.plan_sheet`, so the two always
agree. The PDF is A4 landscape (the room plan is wide); the workbook has one sheet per section.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from examsys.core.pdf import render_pdf
from examsys.modules.scheduling.models import ExamPlan
from examsys.modules.scheduling.plan_report import plan_sheet

__all__ = ["SHEET_TITLES", "plan_pdf", "plan_pdf_from_sheet", "plan_xlsx", "plan_xlsx_from_sheet"]

PDF_TEMPLATE = "pdf/scheduling/plan.html"
SHEET_TITLES = ("考试日程", "考场安排", "职业等级人数", "考务人员")
DATE_FORMAT = "yyyy-mm-dd"
ROOM_PLAN_HEADER = [
    "日期", "开始", "结束", "场次", "类别", "考场编号", "考场名称", "楼宇", "座位/工位数", "考生人数",
    "座位/工位号", "备用", "职业（工种）及等级", "监考员", "考评员",
]  # fmt: skip


def plan_pdf(plan: ExamPlan) -> bytes:
    """The plan as filed: title, centre, the four sections, page numbers, seal and date block."""
    return plan_pdf_from_sheet(plan_sheet(plan))


def plan_pdf_from_sheet(sheet: dict) -> bytes:
    return render_pdf(PDF_TEMPLATE, {"sheet": sheet})


def plan_xlsx(plan: ExamPlan) -> bytes:
    """The plan as a workbook: sheets 考试日程, 考场安排, 职业等级人数, 考务人员."""
    return plan_xlsx_from_sheet(plan_sheet(plan))


def _groups(groups: list[dict]) -> str:
    return "\n".join(f"{g['label']} {g['candidates']}人" for g in groups)


def _names(names: list[str]) -> str:
    return "、".join(names)


def plan_xlsx_from_sheet(sheet: dict) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = f"{sheet['centre_name']} {sheet['plan_name']} 职业技能等级认定实施计划".strip()

    schedule = [
        [
            n,
            s["date"],
            s["weekday"],
            s["start"],
            s["end"],
            s["duration_minutes"],
            s["name"],
            s["kind_title"],
            "、".join(s["rooms"]),
            _groups(s["groups"]),
            s["candidates"],
            _names(s["supervisors"]),
        ]
        for n, s in enumerate(sheet["schedule"], start=1)
    ]
    _add_sheet(
        workbook,
        SHEET_TITLES[0],
        [
            "序号",
            "日期",
            "星期",
            "开始",
            "结束",
            "时长（分钟）",
            "场次",
            "类别",
            "考场",
            "职业（工种）及等级",
            "人数",
            "督导员",
        ],
        schedule,
        total=["合计", "", "", "", "", "", "", "", "", "", sum(s["candidates"] for s in sheet["schedule"]), ""],
    )

    rooms = [
        [
            r["date"],
            r["start"],
            r["end"],
            r["session_name"],
            r["kind_title"],
            r["room_code"],
            r["room_name"],
            r["building"],
            r["capacity"],
            r["candidates"],
            r["places"],
            r["spare"],
            _groups(r["groups"]),
            _names(r["proctors"]),
            _names(r["examiners"]),
        ]
        for r in sheet["room_plan"]
    ]
    totals = sheet["totals"]
    _add_sheet(
        workbook,
        SHEET_TITLES[1],
        ROOM_PLAN_HEADER,
        rooms,
        total=[
            "合计",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            totals["capacity"],
            totals["placements"],
            "",
            totals["spare"],
            "",
            "",
            "",
        ],
    )

    headcount = [
        [
            n,
            r["occupation_code"],
            r["occupation"],
            r["job"],
            r["level_title"],
            r["college"],
            r["approved"],
            r["placed_theory"],
            r["placed_practical"],
        ]
        for n, r in enumerate(sheet["headcount"], start=1)
    ]
    _add_sheet(
        workbook,
        SHEET_TITLES[2],
        [
            "序号",
            "职业编码",
            "职业名称",
            "工种/职业方向",
            "等级",
            "学院",
            "审核通过人数",
            "理论考试安排人数",
            "技能操作安排人数",
        ],
        headcount,
        total=["合计", "", "", "", "", "", totals["approved"], totals["placed_theory"], totals["placed_practical"]],
    )

    staff = [
        [
            n,
            p["name"],
            p["role_title"],
            len(p["duties"]),
            "\n".join(
                f"{d['date']:%Y-%m-%d} {d['start']}–{d['end']} {d['session_name']} {d['room_code'] or '全场'}"
                for d in p["duties"]
            ),
            "\n".join(c["number"] for c in p["cards"]),
            "\n".join(f"{c['issued_on']:%Y-%m-%d} 至 {c['valid_until']:%Y-%m-%d}" for c in p["cards"]),
        ]
        for n, p in enumerate(sheet["staff"], start=1)
    ]
    _add_sheet(
        workbook,
        SHEET_TITLES[3],
        ["序号", "姓名", "岗位", "场次数", "场次及考场", "考评员证号", "证书有效期"],
        staff,
        total=[
            "合计",
            f"{totals['staff']}人",
            f"监考员{totals['proctors']} 考评员{totals['examiners']} 督导员{totals['supervisors']}",
            sum(len(p["duties"]) for p in sheet["staff"]),
            "",
            "",
            "",
        ],
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _width(value) -> int:
    """Display width of the longest line: CJK characters count double."""
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    lines = str(value).split("\n")
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines)


def _add_sheet(workbook: Workbook, title: str, header: list[str], rows: list[list], total: list | None = None) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(row)
    if total is not None:
        sheet.append(total)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    wrap = Alignment(vertical="top", wrap_text=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            if isinstance(cell.value, str) and "\n" in cell.value:
                cell.alignment = wrap
    for index, name in enumerate(header, start=1):
        widest = max([_width(name), *(_width(r[index - 1]) for r in rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, 6), 60)
    sheet.freeze_panes = "A2"
