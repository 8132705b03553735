"""The format registry: titles and extensions, detection by extension and by content, parse_file."""

from __future__ import annotations

import io
import zipfile

import pytest

from examsys.modules.banks.formats import FORMATS, detect_format, parse_file, qti, xlsx
from examsys.modules.banks.formats.base import Location, ParsedBank, ParsedItem, ParsedOption

from .helpers import SAMPLES, good_sheets, messages, workbook


def test_registry_lists_every_format_with_a_chinese_title_and_extensions():
    assert list(FORMATS) == ["xlsx", "csv", "moodle_xml", "gift", "aiken", "qti"]
    for key, entry in FORMATS.items():
        assert entry.key == key
        assert str(entry.title)
        assert entry.extensions and all(ext.startswith(".") for ext in entry.extensions)
        assert callable(entry.parse)
    assert str(FORMATS["xlsx"].title) == "题库 Excel 模板（.xlsx）"


def qti_package() -> bytes:
    item = ParsedItem("single", "题干", [ParsedOption("A", "甲", True), ParsedOption("B", "乙")], Location())
    return qti.export_items([item])


def bare_zip_with_item() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("q.xml", (SAMPLES / "qti_item_single.xml").read_bytes())
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("bank.XLSX", b"", "xlsx"),  # by extension, whatever the content
        ("题库.csv", "题型,题干,答案\n".encode(), "csv"),
        ("quiz.gift", b"", "gift"),
        ("package.zip", b"", "qti"),
        ("upload", workbook(good_sheets()), "xlsx"),  # sniffed: a zip with xl/workbook.xml
        ("upload.bin", qti_package(), "qti"),  # a zip with imsmanifest.xml
        ("upload", bare_zip_with_item(), "qti"),  # a zip with an assessmentItem
        ("export.xml", (SAMPLES / "moodle_quiz.xml").read_bytes(), "moodle_xml"),
        ("item.xml", (SAMPLES / "qti_item_single.xml").read_bytes(), "qti"),
        ("questions.txt", (SAMPLES / "aiken.txt").read_bytes(), "aiken"),
        ("questions.txt", (SAMPLES / "electrician.gift").read_bytes(), "gift"),
        ("questions", "序号,题型,题干,答案\n1,判断,对吗,对\n".encode("gb18030"), "csv"),
        ("questions", "题型\t题干\t答案\n".encode("utf-16"), "csv"),
        ("questions", "序号,题型,题干,答案\n1,判断,对吗,对\n".encode(), "csv"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xlsx"),  # the workbook parser explains .xls
        ("notes.txt", "今天天气不错。".encode(), None),
        ("other.xml", b"<html><body/></html>", None),
        ("random", bytes(range(256)), None),
        ("", b"", None),
    ],
)
def test_detect_format(filename, data, expected):
    assert detect_format(filename, data) == expected


def test_parse_file_detects_and_parses():
    bank = parse_file("electrician.gift", (SAMPLES / "electrician.gift").read_bytes())
    assert bank.problems == []
    assert len(bank.items) == 5


def test_parse_file_with_an_explicit_format():
    data = (SAMPLES / "aiken.txt").read_bytes()
    assert len(parse_file("whatever.dat", data, fmt="aiken").items) == 3


def test_parse_file_unknown_content_and_unknown_format():
    assert messages(parse_file("notes.txt", "今天天气不错。".encode()).problems)[0].startswith(
        "无法识别文件「notes.txt」的格式，支持：题库 Excel 模板（.xlsx）、CSV 表格"
    )
    assert messages(parse_file("a.txt", b"x", fmt="docx").problems) == ["不支持的格式：docx"]


def test_parse_file_turns_a_parser_crash_into_a_problem(monkeypatch):
    def crash(data, filename=""):
        raise RuntimeError("boom")

    monkeypatch.setitem(FORMATS, "gift", FORMATS["gift"].__class__("gift", "GIFT", (".gift",), crash))

    bank = parse_file("a.gift", b"::t::q{=a ~b}")

    assert isinstance(bank, ParsedBank)
    assert messages(bank.problems) == ["读取文件时出错：boom"]


@pytest.mark.parametrize("key", list(FORMATS))
@pytest.mark.parametrize("data", [b"", b"\x00" * 10, bytes(range(256)) * 3])
def test_every_parser_answers_junk_with_a_problem_and_no_exception(key, data):
    bank = parse_file("junk", data, fmt=key)
    assert bank.problems
    assert bank.items == []


def test_parse_file_reads_a_workbook():
    bank = parse_file("bank.xlsx", xlsx.write_workbook(ParsedBank()))
    assert messages(bank.problems) == ["工作簿中没有可导入的数据"]
