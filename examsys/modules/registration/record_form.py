"""The record form (职业技能等级认定审核备案表, 附件3): one A4 page per copy, handed in 一式两份.

The form is filled from a plain dict (built by the registration operations from a candidate's
person, application and batch); :func:`record_form_context` checks and normalises it, and
:func:`render_record_forms` lays out many candidates' forms as one PDF, ``copies`` pages each.
Resume and certificate rows are padded with empty lines so the candidate can complete them by
hand (the resume must be signed in ink, 不能网签).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from examsys.core.pdf import image_data_uri, render_document

__all__ = ["MAX_CERTIFICATES", "MAX_RESUME_LINES", "RecordFormError", "record_form_context", "render_record_forms"]

TEMPLATE = "pdf/registration/record_form.html"
TITLE = "职业技能等级认定审核备案表"
# One copy must stay on one page: enough lines for school, college and two trainings/jobs.
MIN_RESUME_LINES, MAX_RESUME_LINES = 5, 6
MIN_CERTIFICATES, MAX_CERTIFICATES = 3, 3
_REQUIRED = {"name": "姓名", "id_number": "证件号码", "occupation": "申报职业", "level_label": "申报等级"}
_TEXT_FIELDS = (
    "name", "gender", "education", "ethnicity", "political_status", "id_type", "id_number", "college", "major",
    "class_name", "phone", "occupation", "job", "level_label", "centre_name", "batch_name", "school_name",
    "assessment_method",
)  # fmt: skip
_GENDERS = {"M": "男", "F": "女", "男": "男", "女": "女", "1": "男", "2": "女"}


class RecordFormError(ValueError):
    """Every problem of one candidate's form, in Chinese, so a whole batch can be fixed at once."""

    def __init__(self, problems: list[str], who: str = ""):
        self.problems = problems
        prefix = f"{who}：" if who else ""
        super().__init__(prefix + "；".join(problems))


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _month(value: Any) -> str:
    """``2004.05`` from a date, "2004-05", "2004/5", "200405" or "2004.05"; "" for nothing."""
    if value in (None, ""):
        return ""
    if isinstance(value, date):
        return f"{value.year:04d}.{value.month:02d}"
    text = str(value).strip()
    for sep in (".", "-", "/", "年"):
        if sep in text:
            year, _, rest = text.partition(sep)
            month = rest.rstrip("月").split(sep)[0].split(".")[0]
            if year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
                return f"{int(year):04d}.{int(month):02d}"
            raise ValueError(text)
    if len(text) == 6 and text.isdigit() and 1 <= int(text[4:]) <= 12:
        return f"{text[:4]}.{text[4:]}"
    raise ValueError(text)


def _period(value: Any) -> str:
    if isinstance(value, (tuple, list)) and len(value) == 2:
        start, end = (_month(v) if v not in (None, "") else "" for v in value)
        return f"{start}—{end or '至今'}"
    return _text(value)


def _photo_uri(photo: Any, problems: list[str]) -> str | None:
    if not photo:
        return None
    if not isinstance(photo, (bytes, bytearray)):
        problems.append("照片须为 JPEG 或 PNG 图片数据")
        return None
    if photo[:3] == b"\xff\xd8\xff":
        return image_data_uri(bytes(photo), "image/jpeg")
    if photo[:8] == b"\x89PNG\r\n\x1a\n":
        return image_data_uri(bytes(photo), "image/png")
    problems.append("照片须为 JPEG 或 PNG 格式")
    return None


def _rows(items: Any, label: str, maximum: int, build, problems: list[str]) -> list[dict]:
    items = list(items or [])
    if len(items) > maximum:
        problems.append(f"{label}最多 {maximum} 行（现有 {len(items)} 行）")
        items = items[:maximum]
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(f"{label}第 {number} 行格式不正确")
            continue
        try:
            rows.append(build(item))
        except ValueError as exc:
            problems.append(f"{label}第 {number} 行日期“{exc}”无法识别（应为 2019.09 的形式）")
    return rows


def _resume_line(item: dict) -> dict:
    return {"period": _period(item.get("period")), "unit": _text(item.get("unit")), "role": _text(item.get("role"))}


def _certificate(item: dict) -> dict:
    return {
        "name": _text(item.get("name")),
        "level": _text(item.get("level")),
        "number": _text(item.get("number")),
        "date": _month(item.get("date")),
    }


def record_form_context(candidate: dict) -> dict:
    """Check and normalise one candidate's data for the record form template.

    Text fields are stripped (``None`` becomes ""), gender "M"/"F" becomes 男/女, months become
    ``2004.05``, the photo (JPEG/PNG bytes or ``None``) becomes a data URI, and the resume and
    certificate lists are padded with blank lines. Raises :class:`RecordFormError` listing every
    problem (missing name, ID number, occupation or level; unreadable dates; too many lines).
    """
    problems: list[str] = []
    ctx: dict[str, Any] = {key: _text(candidate.get(key)) for key in _TEXT_FIELDS}
    for key, label in _REQUIRED.items():
        if not ctx[key]:
            problems.append(f"缺少{label}")
    if ctx["gender"]:
        ctx["gender"] = _GENDERS.get(ctx["gender"].upper(), ctx["gender"])
    ctx["id_type"] = ctx["id_type"] or "居民身份证"
    ctx["id_number"] = ctx["id_number"].upper()
    try:
        ctx["birth_month"] = _month(candidate.get("birth_month"))
    except ValueError as exc:
        problems.append(f"出生年月“{exc}”无法识别（应为 2004.05 的形式）")
        ctx["birth_month"] = ""
    ctx["photo_uri"] = _photo_uri(candidate.get("photo"), problems)
    resume = _rows(candidate.get("resume"), "个人简历", MAX_RESUME_LINES, _resume_line, problems)
    certificates = _rows(candidate.get("certificates"), "已获证书", MAX_CERTIFICATES, _certificate, problems)
    if problems:
        raise RecordFormError(problems, who=ctx["name"] or ctx["id_number"])
    ctx["resume"] = resume + [None] * (MIN_RESUME_LINES - len(resume))
    ctx["certificates"] = certificates + [None] * (MIN_CERTIFICATES - len(certificates))
    ctx["title"] = f"{ctx['school_name']}{TITLE}"
    return ctx


def render_record_forms(candidates: list[dict], copies: int = 2) -> bytes:
    """One PDF with each candidate's record form ``copies`` times in a row, one page per copy.

    Needs an app context. Raises :class:`RecordFormError` naming every candidate whose data is
    incomplete (before anything is laid out), or if a form does not fit on one page.
    """
    if copies < 1:
        raise ValueError("copies must be at least 1")
    forms, errors = [], []
    for candidate in candidates:
        try:
            forms.append(record_form_context(candidate))
        except RecordFormError as exc:
            errors.append(str(exc))
    if errors:
        raise RecordFormError(errors)
    document = render_document(TEMPLATE, {"forms": forms, "copies": copies, "title": TITLE})
    if len(document.pages) != len(forms) * copies:
        raise RecordFormError(
            [f"备案表超过一页（{len(forms) * copies} 份排成了 {len(document.pages)} 页），请精简简历或证书内容"]
        )
    return document.write_pdf()
