"""The student roster (实名制花名册) parser and template: typed rows, every problem located."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import column_index_from_string

from examsys.core.ids import DocumentType, make_resident_id, mod11_2_check_digit
from examsys.modules.catalog.models import StudyLevel
from examsys.modules.people.models import Gender
from examsys.modules.people.roster import HEADERS, RosterRow, parse_graduation_date, parse_roster, write_roster_template

COLLEGES = {"信息工程学院": {"电子商务", "软件技术"}, "经济管理学院": {"会计", "市场营销"}}
MALE_ID = make_resident_id("410102", date(2004, 5, 6), 123)  # 17th digit odd: male
FEMALE_ID = make_resident_id("320106", date(2005, 11, 30), 246)  # 17th digit even: female


def student(**values) -> dict[str, object]:
    """A valid student as a header -> value mapping; keyword arguments override columns."""
    row: dict[str, object] = {
        "学号": "2024010001",
        "姓名": "张三",
        "性别": "",
        "证件类型": "",
        "证件号码": MALE_ID,
        "民族": "汉族",
        "政治面貌": "共青团员",
        "文化程度": "高中",
        "学院": "信息工程学院",
        "专业": "电子商务",
        "年级": "2024",
        "班级": "电商2401",
        "层次": "专科（高职）",
        "预计毕业时间": "2027-06",
        "联系电话": "138-1234-5678",
    }
    row.update(values)
    return row


def table(students: list[dict[str, object]], headers=HEADERS) -> list[list[object]]:
    return [list(headers), *([s.get(h) for h in headers] for s in students)]


def xlsx(rows: list[list[object]], title: str = "花名册", before: dict[str, list[list]] | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, other in (before or {}).items():
        sheet = workbook.create_sheet(name)
        for values in other:
            sheet.append(values)
    sheet = workbook.create_sheet(title)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([["" if v is None else v for v in values] for values in rows])
    return buffer.getvalue().encode(encoding)


def located(problems) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, str(p.message)) for p in problems]


def where(problems) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in problems]


def parse(students: list[dict[str, object]], colleges=COLLEGES):
    return parse_roster(xlsx(table(students)), "花名册.xlsx", colleges=colleges)


def bad_date_id(region: str = "410102", birth: str = "20040230", sequence: str = "123") -> str:
    first17 = region + birth + sequence
    return first17 + mod11_2_check_digit(first17)


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


# --- a clean file ------------------------------------------------------------------------------------


def test_clean_file_parses_every_field_typed():
    rows, problems = parse(
        [
            student(),
            student(
                学号="2024010002",
                姓名="李四",
                性别="女",
                证件类型="身份证",
                证件号码=FEMALE_ID.lower() if FEMALE_ID.endswith("X") else FEMALE_ID,
                学院="经济管理学院",
                专业="会计",
                层次="本科",
                预计毕业时间="2028/6/30",
                联系电话="010-12345678",
            ),
            student(
                学号="2024010003",
                姓名="Tom Smith",
                性别="男",
                证件类型="护照",
                证件号码="ab1234567",
                专业="软件技术",
                层次="中职",
                预计毕业时间="",
                联系电话="",
                民族="",
                年级=2024,
            ),
        ]
    )

    assert problems == []
    assert rows == [
        RosterRow(
            row=2,
            student_no="2024010001",
            name="张三",
            gender=Gender.MALE,
            doc_type=DocumentType.resident_id,
            id_number=MALE_ID,
            birth_date=date(2004, 5, 6),
            ethnicity="汉族",
            political_status="共青团员",
            education="高中",
            college="信息工程学院",
            major="电子商务",
            grade="2024",
            class_name="电商2401",
            study_level=StudyLevel.HIGHER_VOCATIONAL,
            expected_graduation=date(2027, 6, 30),  # a month means its last day
            phone="13812345678",
        ),
        RosterRow(
            row=3,
            student_no="2024010002",
            name="李四",
            gender=Gender.FEMALE,
            doc_type=DocumentType.resident_id,
            id_number=FEMALE_ID,
            birth_date=date(2005, 11, 30),
            ethnicity="汉族",
            political_status="共青团员",
            education="高中",
            college="经济管理学院",
            major="会计",
            grade="2024",
            class_name="电商2401",
            study_level=StudyLevel.UNDERGRADUATE,
            expected_graduation=date(2028, 6, 30),
            phone="01012345678",
        ),
        RosterRow(
            row=4,
            student_no="2024010003",
            name="Tom Smith",
            gender=Gender.MALE,
            doc_type=DocumentType.passport,
            id_number="AB1234567",
            birth_date=None,
            ethnicity="",
            political_status="共青团员",
            education="高中",
            college="信息工程学院",
            major="软件技术",
            grade="2024",
            class_name="电商2401",
            study_level=StudyLevel.SECONDARY,
            expected_graduation=None,
            phone="",
        ),
    ]
    assert isinstance(rows[0].gender, Gender) and rows[0].gender == "M"
    assert isinstance(rows[0].doc_type, DocumentType)


def test_gender_comes_from_the_id_when_empty():
    rows, problems = parse([student(证件号码=FEMALE_ID, 性别=None), student(学号="2", 证件号码=MALE_ID, 性别=" ")])

    assert problems == []
    assert [r.gender for r in rows] == [Gender.FEMALE, Gender.MALE]


def test_colleges_are_not_checked_without_a_list():
    rows, problems = parse([student(学院="不存在学院", 专业="随便")], colleges=None)

    assert problems == []
    assert (rows[0].college, rows[0].major) == ("不存在学院", "随便")


# --- the refusal case ------------------------------------------------------------------


def test_refusal_case_lists_exactly_the_four_problems():
    rows, problems = parse(
        [
            student(学号="S1", 证件号码=MALE_ID),
            student(学号="S2", 证件号码=wrong_check_digit(FEMALE_ID)),
            student(学号="S3", 证件号码=bad_date_id()),
            student(学号="S4", 证件号码=make_resident_id(sequence=321), 专业="会计"),
            student(学号="S5", 证件号码=MALE_ID),
        ]
    )

    assert where(problems) == [(3, "证件号码"), (4, "证件号码"), (5, "专业"), (6, "证件号码")]
    messages = [str(p.message) for p in problems]
    assert f"校验位应为 {FEMALE_ID[17]}" in messages[0]
    assert "出生日期 20040230 不是有效日期" in messages[1]
    assert messages[2] == "专业「会计」不属于「信息工程学院」"
    assert messages[3] == "与第 2 行证件号码重复"
    assert [r.row for r in rows] == [2]  # rows with problems are left out
    assert all(p.sheet == "花名册" for p in problems)


# --- headers -----------------------------------------------------------------------------------------


def test_missing_required_header_is_one_problem_naming_it():
    headers = tuple(h for h in HEADERS if h != "学院")
    rows, problems = parse_roster(xlsx(table([student()], headers)), "a.xlsx", colleges=COLLEGES)

    assert rows == []
    assert located(problems) == [(1, "学院", "缺少「学院」列")]


def test_several_missing_headers_each_named():
    headers = tuple(h for h in HEADERS if h not in ("学号", "专业"))
    _rows, problems = parse_roster(csv_bytes(table([student()], headers), "utf-8"), "a.csv")

    assert where(problems) == [(1, "学号"), (1, "专业")]


def test_header_order_shuffled_decorated_and_extra_columns_ignored():
    shuffled = list(reversed(HEADERS))
    decorated = {"姓名": " 姓名 ", "层次": "层次（本科/专科(高职)/中职）", "学号": "学号 *", "证件号码": "身份证号"}
    header_row = ["序号", *[decorated.get(h, h) for h in shuffled], "备注"]
    values = student()
    data_row = [1, *[values[h] for h in shuffled], "转专业"]
    rows, problems = parse_roster(xlsx([header_row, data_row]), "roster.xlsx", colleges=COLLEGES)

    assert problems == []
    expected, _ = parse([student()])
    assert rows == expected


def test_title_rows_above_the_header_and_the_first_sheet_with_the_headers():
    data = xlsx(
        [["2024级实名制花名册"], [], *table([student(), student(学号="2", 证件号码=FEMALE_ID, 性别="男")])],
        before={"说明": [["列名", "说明"], ["学号", "必填"]]},
    )
    rows, problems = parse_roster(data, "roster.xlsx")

    assert [r.row for r in rows] == [4]
    assert located(problems) == [(5, "性别", "性别「男」与证件号码不符（按证件号码应为女）")]


def test_duplicate_header_is_a_problem():
    rows, problems = parse_roster(xlsx([[*HEADERS, "姓名"], [*table([student()])[1], "重复"]]), "a.xlsx")

    assert where(problems) == [(1, "姓名")]
    assert "不止一次" in str(problems[0].message)
    assert len(rows) == 1


def test_no_header_anywhere():
    _rows, problems = parse_roster(xlsx([["随便", "写点"], ["什么", 1]]), "a.xlsx")

    assert len(problems) == 1
    assert "找不到表头" in str(problems[0].message)


# --- CSV ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_encodings(encoding):
    rows, problems = parse_roster(
        csv_bytes(table([student(), student(学号="2024010002", 姓名="欧阳娜", 证件号码=FEMALE_ID)]), encoding),
        "花名册.csv",
        colleges=COLLEGES,
    )

    assert problems == []
    assert [(r.row, r.name, r.college, r.major, r.study_level) for r in rows] == [
        (2, "张三", "信息工程学院", "电子商务", StudyLevel.HIGHER_VOCATIONAL),
        (3, "欧阳娜", "信息工程学院", "电子商务", StudyLevel.HIGHER_VOCATIONAL),
    ]
    assert rows[1].gender == Gender.FEMALE


def test_csv_problems_have_no_sheet():
    _rows, problems = parse_roster(csv_bytes(table([student(姓名="")]), "gb18030"), "a.csv")

    assert [(p.row, p.column, p.sheet) for p in problems] == [(2, "姓名", None)]


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", [datetime(2026, 6, 30), date(2026, 6, 30)])
def test_excel_date_cell_for_graduation(cell):
    rows, problems = parse([student(预计毕业时间=cell)])

    assert problems == []
    assert rows[0].expected_graduation == date(2026, 6, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06", date(2026, 6, 30)),
        ("2026-06-30", date(2026, 6, 30)),
        ("2026/6/30", date(2026, 6, 30)),
        ("2026.6", date(2026, 6, 30)),
        ("2026年6月", date(2026, 6, 30)),
        ("2026年6月15日", date(2026, 6, 15)),
        ("202606", date(2026, 6, 30)),
        (202602, date(2026, 2, 28)),
        ("2028-02", date(2028, 2, 29)),
        ("20260615", date(2026, 6, 15)),
        ("2026-06-30 00:00:00", date(2026, 6, 30)),
        ("", None),
        (None, None),
    ],
)
def test_graduation_date_formats(text, expected):
    assert parse_graduation_date(text) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13", "明年六月", "26-06", "2026"])
def test_bad_graduation_date(text):
    with pytest.raises(ValueError):
        parse_graduation_date(text)
    rows, problems = parse([student(预计毕业时间=text)])
    assert rows == []
    assert where(problems) == [(2, "预计毕业时间")]
    assert "不是有效日期" in str(problems[0].message)


# --- every kind of problem in one row -------------------------------------------------------------


def test_unknown_values_list_the_allowed_ones():
    _rows, problems = parse(
        [student(性别="未知", 证件类型="驾驶证", 层次="研究生", 联系电话="12345", 学院="外星学院", 专业="飞碟")]
    )

    assert where(problems) == [(2, "证件类型"), (2, "性别"), (2, "学院"), (2, "层次"), (2, "联系电话")]
    messages = [str(p.message) for p in problems]
    assert "居民身份证" in messages[0] and "护照" in messages[0]
    assert "男、女" in messages[1]
    assert messages[2] == "学院「外星学院」不存在"
    assert "本科、专科(高职)、中职" in messages[3]
    assert "手机号码" in messages[4]


def test_empty_required_cells():
    _rows, problems = parse([student(学号="", 姓名=None, 证件号码=" ", 学院="", 专业="")])

    assert located(problems) == [
        (2, "学号", "「学号」不能为空"),
        (2, "姓名", "「姓名」不能为空"),
        (2, "证件号码", "「证件号码」不能为空"),
        (2, "学院", "「学院」不能为空"),
        (2, "专业", "「专业」不能为空"),
    ]


def test_id_errors_from_core_ids():
    _rows, problems = parse(
        [
            student(学号="1", 证件号码="41010220040506123"),  # 17 characters
            student(学号="2", 证件号码="410102040506123"),  # first-generation 15 digits
            student(学号="3", 证件号码="M1234", 证件类型="回乡证", 性别="男"),
        ]
    )

    assert where(problems) == [(2, "证件号码"), (3, "证件号码"), (4, "证件号码")]
    assert "长度应为 18 位，实际为 17 位" in str(problems[0].message)
    assert "15 位" in str(problems[1].message)
    assert "8 位或 10 位" in str(problems[2].message)


def test_gender_required_when_the_document_has_none():
    _rows, problems = parse([student(证件类型="护照", 证件号码="E12345678", 性别="")])

    assert where(problems) == [(2, "性别")]


def test_duplicate_student_number():
    _rows, problems = parse([student(), student(证件号码=FEMALE_ID), student(学号="x", 证件号码="")])

    assert located(problems) == [
        (3, "学号", "与第 2 行学号重复"),
        (4, "证件号码", "「证件号码」不能为空"),
    ]


def test_id_stored_as_excel_number():
    _rows, problems = parse([student(证件号码=float(MALE_ID))])

    assert where(problems) == [(2, "证件号码")]
    assert "文本" in str(problems[0].message)


@pytest.mark.parametrize(
    ("phone", "digits"),
    [("13812345678", "13812345678"), (13812345678, "13812345678"), ("0571-8765432", "05718765432"),
     ("+86 138 1234 5678", "13812345678"), ("(020)12345678", "02012345678")],
)  # fmt: skip
def test_phone_numbers(phone, digits):
    rows, problems = parse([student(联系电话=phone)])

    assert problems == []
    assert rows[0].phone == digits


# --- empty files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "a.xlsx"),
        (b"", "a.csv"),
        (b"\xef\xbb\xbf\r\n", "a.csv"),
        (xlsx([]), "a.xlsx"),
    ],
)
def test_empty_file_is_one_problem(data, filename):
    rows, problems = parse_roster(data, filename)

    assert rows == []
    assert len(problems) == 1
    assert "空" in str(problems[0].message)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_header_only_is_one_problem(kind):
    rows_in = [list(HEADERS), [None] * len(HEADERS)]
    data = xlsx(rows_in) if kind == "xlsx" else csv_bytes(rows_in, "utf-8")
    rows, problems = parse_roster(data, f"a.{kind}")

    assert rows == []
    assert len(problems) == 1
    assert "没有学生数据" in str(problems[0].message)


def test_not_a_workbook_and_old_excel():
    _rows, problems = parse_roster(b"PK\x03\x04garbage", "a.xlsx")
    assert len(problems) == 1 and "xlsx" in str(problems[0].message)
    _rows, problems = parse_roster(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "a.xls")
    assert len(problems) == 1 and ".xls" in str(problems[0].message)


# --- size -------------------------------------------------------------------------------------------


def test_ten_thousand_rows():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(HEADERS)
    base = student()
    for i in range(10_000):
        number = make_resident_id("410102", date(1995, 1, 1) + timedelta(days=i % 5000), i // 5000)
        values = base | {"学号": f"2024{i:06d}", "证件号码": number, "联系电话": f"138{i:08d}"}
        sheet.append([values[h] for h in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)

    rows, problems = parse_roster(buffer.getvalue(), "big.xlsx", colleges=COLLEGES)

    assert problems == []
    assert len(rows) == 10_000


# --- template ---------------------------------------------------------------------------------------


def test_template():
    data = write_roster_template()
    workbook = load_workbook(io.BytesIO(data))

    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == list(HEADERS)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        first_cell = str(validation.sqref).split(":")[0]
        assert first_cell[1:] == "2"
        lists[HEADERS[column_index_from_string(first_cell[:-1]) - 1]] = validation.formula1.strip('"').split(",")
    assert lists == {
        "性别": ["男", "女"],
        "证件类型": [str(t.title) for t in DocumentType],
        "层次": ["本科", "专科(高职)", "中职"],
    }
    guide = workbook["说明"]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    for header in HEADERS:
        assert header in text
    assert "男、女" in text and "专科(高职)" in text and "居民身份证" in text

    rows, problems = parse_roster(data, "template.xlsx")  # the empty template: header only
    assert rows == []
    assert [str(p.message) for p in problems] == ["花名册中只有表头，没有学生数据"]


def test_workbook_recognised_by_content_whatever_the_name():
    rows, problems = parse_roster(xlsx(table([student()])), "花名册")

    assert problems == []
    assert [r.student_no for r in rows] == ["2024010001"]
