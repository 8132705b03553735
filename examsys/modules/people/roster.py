"""The student roster (实名制花名册): parse an xlsx/CSV file into typed rows and problems.

Pure: no database, no Flask request. :func:`parse_roster` never raises on bad input; it
checks every row and collects every :class:`~examsys.core.errors.Problem` with its Excel
row number (the header is row 1 in a plain file), column header and a Chinese reason.
Only rows without any problem are returned; an import refuses the file when there are
problems. :func:`write_roster_template` writes the downloadable template.

Reading reuses the question-bank formats' helpers: cell text and header normalisation,
the workbook opener (rejects old .xls) and the CSV reader (UTF-8 with/without BOM,
UTF-16 with BOM, GB18030; delimiter sniffed).
"""

from __future__ import annotations

import calendar
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from examsys.core.errors import Problem
from examsys.core.ids import (
    DocumentType,
    IdCheckResult,
    IdDocumentError,
    normalize_number,
    validate_document,
)
from examsys.core.spreadsheets import OLD_EXCEL, add_choice, open_workbook, read_csv_records
from examsys.modules.banks.formats.base import Location
from examsys.modules.banks.formats.common import Row, cell_text, header_key
from examsys.modules.catalog.models import STUDY_LEVEL_TITLES, StudyLevel
from examsys.modules.people.models import Gender

__all__ = [
    "HEADERS",
    "REQUIRED",
    "RosterRow",
    "parse_graduation_date",
    "parse_roster",
    "write_roster_template",
]

STUDENT_NO = "学号"
NAME = "姓名"
GENDER = "性别"
DOC_TYPE = "证件类型"
ID_NUMBER = "证件号码"
ETHNICITY = "民族"
POLITICAL = "政治面貌"
EDUCATION = "文化程度"
COLLEGE = "学院"
MAJOR = "专业"
GRADE = "年级"
CLASS = "班级"
LEVEL = "层次"
GRADUATION = "预计毕业时间"
PHONE = "联系电话"

HEADERS = (
    STUDENT_NO, NAME, GENDER, DOC_TYPE, ID_NUMBER, ETHNICITY, POLITICAL, EDUCATION,
    COLLEGE, MAJOR, GRADE, CLASS, LEVEL, GRADUATION, PHONE,
)  # fmt: skip
REQUIRED = (STUDENT_NO, NAME, ID_NUMBER, COLLEGE, MAJOR)
# Other names schools commonly give these columns (after normalisation).
HEADER_ALIASES = {
    "身份证号": ID_NUMBER,
    "身份证号码": ID_NUMBER,
    "证件号": ID_NUMBER,
    "院系": COLLEGE,
    "二级学院": COLLEGE,
    "所在学院": COLLEGE,
    "专业名称": MAJOR,
    "班级名称": CLASS,
    "培养层次": LEVEL,
    "办学层次": LEVEL,
    "预计毕业日期": GRADUATION,
    "毕业时间": GRADUATION,
    "手机": PHONE,
    "手机号": PHONE,
    "手机号码": PHONE,
    "电话": PHONE,
}
HEADER_SEARCH_ROWS = 10  # a title row or two may sit above the header
GENDER_WORDS = "男、女"
DOC_TYPE_WORDS = "、".join(str(t.title) for t in DocumentType)
LEVEL_WORDS = "本科、专科(高职)、中职"
EARLIEST_GRADUATION, LATEST_GRADUATION = 1950, 2100
CHINA = ZoneInfo("Asia/Shanghai")
EXCEL_NUMBER_DIGITS = 1e15  # an ID stored as an Excel number has lost its last digits

_HEADER_NOTE = re.compile(r"[(\[【].*$")  # 层次(本科/专科(高职)/中职) -> 层次
_SPACES = re.compile(r"\s+")
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月\s*)?(?:[-/.]?\s*(\d{1,2})\s*日?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})?")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{9,10}")  # area code 0xx/0xxx + 7 or 8 digits


@dataclass
class RosterRow:
    """One student, typed; ``row`` is the Excel row number the data came from."""

    row: int
    student_no: str
    name: str
    gender: Gender
    doc_type: DocumentType
    id_number: str
    birth_date: date | None
    ethnicity: str
    political_status: str
    education: str
    college: str
    major: str
    grade: str
    class_name: str
    study_level: StudyLevel | None
    expected_graduation: date | None
    phone: str


# --- values --------------------------------------------------------------------------------


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_graduation_date(value: object) -> date | None:
    """An Excel date cell or text such as 2026-06, 2026/6/30, 2026.6, 2026年6月, 202606.

    A month without a day is that month's last day. None when empty; ValueError when
    not a date (or outside 1950–2100).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", cell_text(value))).strip()
    if not text:
        return None
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        raise ValueError(text)
    year, month = int(match[1]), int(match[2])
    if not (EARLIEST_GRADUATION <= year <= LATEST_GRADUATION and 1 <= month <= 12):
        raise ValueError(text)
    return date(year, month, int(match[3])) if match[3] else _last_day(year, month)


def _canonical_header(value: object) -> str:
    key = header_key(value).strip("*")
    if key in HEADERS:
        return key
    key = _HEADER_NOTE.sub("", key).strip("*")
    return HEADER_ALIASES.get(key, key)


def _is_blank(values: Sequence) -> bool:
    return not any(cell_text(v) for v in values)


def _name_key(name: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", name))


# --- reading one row -------------------------------------------------------------------------


class _Reader:
    """Reads data rows of one table; remembers numbers seen for the duplicate checks."""

    def __init__(self, problems: list[Problem], colleges: dict[str, set[str]] | None):
        self.problems = problems
        self.today = datetime.now(CHINA).date()  # birth dates are Chinese calendar dates
        self.student_nos: dict[str, int] = {}
        self.id_numbers: dict[str, int] = {}
        self.levels: dict[str, StudyLevel | None] = {}
        self.colleges = (
            None
            if colleges is None
            else {_name_key(c): (c, {_name_key(m) for m in majors}) for c, majors in colleges.items()}
        )

    def read(self, row: Row) -> RosterRow | None:
        before = len(self.problems)
        student_no = row.required(STUDENT_NO)
        name = row.required(NAME)
        doc_type = self._doc_type(row)
        checked = self._id_number(row, doc_type)
        gender = self._gender(row, checked)
        college, major = row.required(COLLEGE), row.required(MAJOR)
        self._college(row, college, major)
        study_level = self._study_level(row)
        graduation = self._graduation(row)
        phone = self._phone(row)
        self._unique(row, STUDENT_NO, normalize_number(student_no), self.student_nos)
        if len(self.problems) > before or checked is None or gender is None or doc_type is None:
            return None
        return RosterRow(
            row=row.location.row,
            student_no=student_no,
            name=name,
            gender=gender,
            doc_type=doc_type,
            id_number=checked.number,
            birth_date=checked.birth_date,
            ethnicity=row.text(ETHNICITY),
            political_status=row.text(POLITICAL),
            education=row.text(EDUCATION),
            college=college,
            major=major,
            grade=row.text(GRADE),
            class_name=row.text(CLASS),
            study_level=study_level,
            expected_graduation=graduation,
            phone=phone,
        )

    def _unique(self, row: Row, column: str, key: str, seen: dict[str, int]) -> None:
        if not key:
            return
        first = seen.setdefault(key, row.location.row)
        if first != row.location.row:
            row.report(_l("与第 %(row)d 行%(column)s重复", row=first, column=column), column)

    def _doc_type(self, row: Row) -> DocumentType | None:
        text = row.text(DOC_TYPE)
        if not text:
            return DocumentType.resident_id
        try:
            return DocumentType.from_label(text)
        except IdDocumentError:
            row.report(
                _l("未知的证件类型「%(value)s」，应为：%(allowed)s", value=text, allowed=DOC_TYPE_WORDS), DOC_TYPE
            )
            return None

    def _id_number(self, row: Row, doc_type: DocumentType | None) -> IdCheckResult | None:
        raw = row.cells.get(ID_NUMBER)
        if isinstance(raw, float) and abs(raw) >= EXCEL_NUMBER_DIGITS:
            row.report(_l("证件号码被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后重新填写"), ID_NUMBER)
            return None
        text = row.required(ID_NUMBER)
        if not text:
            return None
        self._unique(row, ID_NUMBER, normalize_number(text), self.id_numbers)
        if doc_type is None:
            return None
        try:
            return validate_document(doc_type, text, today=self.today)
        except IdDocumentError as exc:
            row.report(_l("证件号码无效：%(reason)s", reason=exc.message), ID_NUMBER)
            return None

    def _gender(self, row: Row, checked: IdCheckResult | None) -> Gender | None:
        text = row.text(GENDER)
        from_id = Gender(checked.gender) if checked is not None and checked.gender else None
        if not text:
            if checked is not None and from_id is None:
                row.report(
                    _l("「性别」不能为空（该证件号码不含性别信息），应为：%(allowed)s", allowed=GENDER_WORDS), GENDER
                )
            return from_id
        try:
            gender = Gender.from_label(unicodedata.normalize("NFKC", text))
        except ValueError:
            row.report(_l("未知的性别「%(value)s」，应为：%(allowed)s", value=text, allowed=GENDER_WORDS), GENDER)
            return None
        if from_id is not None and gender is not from_id:
            row.report(
                _l("性别「%(value)s」与证件号码不符（按证件号码应为%(expected)s）", value=text, expected=from_id.title),
                GENDER,
            )
            return None
        return gender

    def _college(self, row: Row, college: str, major: str) -> None:
        if self.colleges is None or not college:
            return
        known = self.colleges.get(_name_key(college))
        if known is None:
            row.report(_l("学院「%(college)s」不存在", college=college), COLLEGE)
        elif major and _name_key(major) not in known[1]:
            row.report(_l("专业「%(major)s」不属于「%(college)s」", major=major, college=known[0]), MAJOR)

    def _study_level(self, row: Row) -> StudyLevel | None:
        text = row.text(LEVEL)
        if not text:
            return None
        if text not in self.levels:  # from_label renders its titles: too slow to call 10,000 times
            try:
                self.levels[text] = StudyLevel.from_label(_SPACES.sub("", text))
            except ValueError:
                self.levels[text] = None
        level = self.levels[text]
        if level is None:
            row.report(_l("未知的层次「%(value)s」，应为：%(allowed)s", value=text, allowed=LEVEL_WORDS), LEVEL)
        return level

    def _graduation(self, row: Row) -> date | None:
        value = row.cells.get(GRADUATION)
        try:
            return parse_graduation_date(value)
        except ValueError:
            row.report(
                _l(
                    "「%(column)s」不是有效日期：「%(value)s」，应写成 2026-06-30、2026/6/30、2026-06 或 2026年6月",
                    column=GRADUATION,
                    value=cell_text(value),
                ),
                GRADUATION,
            )
            return None

    def _phone(self, row: Row) -> str:
        text = row.text(PHONE)
        if not text:
            return ""
        digits = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
        for prefix in ("+86", "0086"):
            if digits.startswith(prefix) and len(digits) - len(prefix) >= 10:
                digits = digits[len(prefix) :]
        if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
            return digits
        row.report(
            _l("联系电话「%(value)s」不正确，应为 11 位手机号码或带区号的固定电话（如 010-12345678）", value=text),
            PHONE,
        )
        return ""


# --- tables ------------------------------------------------------------------------------------


@dataclass
class _Header:
    columns: dict[str, int]
    row: int
    problems: list[Problem]  # duplicate headers

    def missing(self) -> list[str]:
        return [h for h in REQUIRED if h not in self.columns]


def _find_header(rows: Iterator[Sequence], sheet: str | None) -> _Header | bool:
    """The first row (of the first few) naming a known column, consuming rows up to it;
    when there is none, whether those rows had anything in them."""
    content = False
    for number, values in enumerate(rows, start=1):
        keys = [_canonical_header(v) for v in values]
        if any(k in HEADERS for k in keys):
            columns: dict[str, int] = {}
            problems = []
            for index, key in enumerate(keys):
                if key not in HEADERS:
                    continue
                if key in columns:
                    message = _l("表头「%(column)s」出现了不止一次", column=key)
                    problems.append(Problem(message, row=number, column=key, sheet=sheet))
                else:
                    columns[key] = index
            return _Header(columns, number, problems)
        content = content or not _is_blank(values)
        if number >= HEADER_SEARCH_ROWS:
            break
    return content


def _read_table(
    header: _Header, rows: Iterable[Sequence], sheet: str | None, reader: _Reader
) -> tuple[list[RosterRow], bool]:
    """Rows after the header; also whether any non-empty data row was seen."""
    result: list[RosterRow] = []
    indexed = list(header.columns.items())
    problems = reader.problems
    any_data = False
    for number, values in enumerate(rows, start=header.row + 1):
        count = len(values)
        cells = {h: values[i] for h, i in indexed if i < count}
        if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in cells.values()):
            continue
        any_data = True
        parsed = reader.read(Row(cells, Location(sheet=sheet, row=number), problems))
        if parsed is not None:
            result.append(parsed)
    return result, any_data


def _missing_problems(header: _Header, sheet: str | None) -> list[Problem]:
    return [
        Problem(_l("缺少「%(column)s」列", column=h), row=header.row, column=h, sheet=sheet) for h in header.missing()
    ]


def _no_header(sheet: str | None) -> Problem:
    return Problem(
        _l(
            "前 %(n)d 行中找不到表头，表头应包含：%(columns)s",
            n=HEADER_SEARCH_ROWS,
            columns="、".join(REQUIRED),
        ),
        sheet=sheet,
    )


def _parse_tables(tables: Iterable[tuple[str | None, Iterator[Sequence]]], reader: _Reader) -> list[RosterRow]:
    """Read the first table whose header has every required column; else explain the best one."""
    problems = reader.problems
    best: tuple[_Header, str | None] | None = None
    first_sheet: str | None = None
    any_content = False
    for index, (sheet, rows) in enumerate(tables):
        if index == 0:
            first_sheet = sheet
        header = _find_header(rows, sheet)
        if not isinstance(header, _Header):
            any_content = any_content or header
            continue
        any_content = True
        if not header.missing():
            problems.extend(header.problems)
            result, any_data = _read_table(header, rows, sheet, reader)
            if not any_data:
                problems.append(Problem(_l("花名册中只有表头，没有学生数据"), sheet=sheet))
            return result
        if best is None or len(header.missing()) < len(best[0].missing()):
            best = (header, sheet)
    if best is not None:
        problems.extend(_missing_problems(*best))
    elif any_content:
        problems.append(_no_header(first_sheet))
    return []


def _xlsx_tables(workbook) -> Iterator[tuple[str, Iterator[Sequence]]]:
    for sheet in workbook.worksheets:
        if not hasattr(sheet, "iter_rows"):
            continue  # a chart sheet
        sheet.reset_dimensions()  # some writers record a wrong used range
        yield sheet.title, sheet.iter_rows(values_only=True)


def _parse_xlsx(data: bytes, reader: _Reader) -> list[RosterRow]:
    problems = reader.problems
    workbook = open_workbook(data, problems)
    if workbook is None:
        return []
    try:
        before = len(problems)
        rows = _parse_tables(_xlsx_tables(workbook), reader)
    except Exception as exc:  # a corrupt sheet part surfaces while iterating
        problems.append(Problem(_l("无法读取工作簿：%(error)s", error=str(exc) or type(exc).__name__)))
        return []
    finally:
        workbook.close()
    if not rows and len(problems) == before:
        problems.append(Problem(_l("文件是空的")))
    return rows


def _parse_csv(data: bytes, reader: _Reader) -> list[RosterRow]:
    problems = reader.problems
    records = read_csv_records(data, problems)
    if records is None:
        return []
    if all(_is_blank(record) for record in records):
        problems.append(Problem(_l("文件是空的")))
        return []
    return _parse_tables([(None, iter(records))], reader)


def _is_xlsx(data: bytes, filename: str) -> bool:
    """A workbook by its signature (zip or old .xls), else by its extension; otherwise CSV."""
    if data.startswith((b"PK\x03\x04", OLD_EXCEL)):
        return True
    name = posixpath.basename((filename or "").replace("\\", "/")).lower()
    return name.endswith((".xlsx", ".xlsm", ".xls"))


def parse_roster(
    data: bytes, filename: str, *, colleges: dict[str, set[str]] | None = None
) -> tuple[list[RosterRow], list[Problem]]:
    """The roster's students and every problem found; rows with a problem are left out.

    A zip (or old .xls) signature or an .xlsx/.xlsm/.xls ``filename`` means a workbook, else CSV. ``colleges``
    (college name -> its major names) also checks each row's 学院 and 专业.
    """
    problems: list[Problem] = []
    if not data or not data.strip():
        return [], [Problem(_l("文件是空的"))]
    reader = _Reader(problems, colleges)
    rows = _parse_xlsx(data, reader) if _is_xlsx(data, filename) else _parse_csv(data, reader)
    return rows, problems


# --- template ------------------------------------------------------------------------------------

GUIDE = (
    (STUDENT_NO, "必填", "本校学号，文件内不能重复。请把该列设为“文本”格式，以免前导 0 丢失。"),
    (NAME, "必填", "与证件上的姓名一致。"),
    (GENDER, "选填", f"可填：{GENDER_WORDS}。居民身份证和港澳台居民居住证可不填，按证件号码第 17 位确定；填了须与证件号码一致。"),
    (DOC_TYPE, "选填", f"可填：{DOC_TYPE_WORDS}。不填按居民身份证。"),
    (ID_NUMBER, "必填", "按证件类型检查位数、出生日期和校验位；文件内不能重复。请把该列设为“文本”格式，否则 Excel 会丢失末几位。"),
    (ETHNICITY, "选填", "如：汉族。"),
    (POLITICAL, "选填", "如：共青团员、中共党员、群众。"),
    (EDUCATION, "选填", "如：高中、中专、大专。"),
    (COLLEGE, "必填", "学院全称，须是系统中已有的学院。"),
    (MAJOR, "必填", "专业名称，须属于所填学院。"),
    (GRADE, "选填", "入学年级，如：2024。"),
    (CLASS, "选填", "如：电商2401。"),
    (LEVEL, "选填", f"可填：{LEVEL_WORDS}。"),
    (GRADUATION, "选填", "如 2027-06-30、2027/6/30、2027-06、2027年6月；只写年月时按该月最后一天。"),
    (PHONE, "选填", "11 位手机号码，或带区号的固定电话（如 010-12345678）。"),
)  # fmt: skip
TEXT_COLUMNS = (STUDENT_NO, ID_NUMBER, PHONE)


def _write_guide(workbook: Workbook) -> None:
    sheet = workbook.create_sheet("说明")
    sheet.append(("实名制花名册填写说明",))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(("列名", "是否必填", "说明"))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in GUIDE:
        sheet.append(row)
    sheet.append(())
    sheet.append(
        (
            "导入规则",
            "",
            "表头按名称识别，列的顺序不限，多出的列会被忽略。整个文件要么全部导入，要么全部不导入："
            "有任何一处错误都会列出行号、列名和原因，请修改后重新导入。也可另存为 CSV（UTF-8 或 GB18030 编码）导入。",
        )
    )
    for row in sheet.iter_rows(min_row=3):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in (("A", 16), ("B", 10), ("C", 90)):
        sheet.column_dimensions[letter].width = width


def write_roster_template() -> bytes:
    """The empty roster workbook users download: header row, 说明 sheet, drop-down lists."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(HEADERS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = {ID_NUMBER: 22, DOC_TYPE: 22, LEVEL: 12, GRADUATION: 14}.get(
            column, 14 if column in (STUDENT_NO, PHONE, COLLEGE, MAJOR, CLASS) else 8
        )
        if column in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"  # typed numbers stay text: no lost digits
    add_choice(sheet, HEADERS, GENDER, "男,女", f"性别应为：{GENDER_WORDS}")
    add_choice(
        sheet, HEADERS, DOC_TYPE, ",".join(str(t.title) for t in DocumentType), f"证件类型应为：{DOC_TYPE_WORDS}"
    )
    add_choice(sheet, HEADERS, LEVEL, ",".join(str(t) for t in STUDY_LEVEL_TITLES.values()), f"层次应为：{LEVEL_WORDS}")
    _write_guide(workbook)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
