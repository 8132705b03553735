"""Question-bank file formats: the registry, format detection and one entry point.

Every parser is a pure function ``parse(data, filename) -> ParsedBank`` that never raises on
bad input: what is wrong is listed in ``ParsedBank.problems``. Export: the project workbook
(:func:`.xlsx.write_workbook`) and QTI 2.1 (:func:`.qti.export_items`).
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from flask_babel import lazy_gettext as _l

from examsys.core.errors import Problem

from . import aiken, csv_format, gift, moodle_xml, qti, xlsx
from .base import ParsedBank

logger = logging.getLogger(__name__)

SNIFF_BYTES = 65536
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*[:：]\s*[A-Z]\s*$", re.M | re.I)
_GIFT_ANSWERS = re.compile(r"\{[^{}]*[~=][^{}]*\}|\{\s*(?:T|F|TRUE|FALSE)\s*(?:#[^{}]*)?\}|^\s*::.+?::", re.M | re.I)


@dataclass(frozen=True)
class Format:
    key: str
    title: str
    extensions: tuple[str, ...]
    parse: Callable[[bytes, str], ParsedBank]


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("xlsx", _l("题库 Excel 模板（.xlsx）"), (".xlsx", ".xlsm"), xlsx.parse),
        Format("csv", _l("CSV 表格"), (".csv",), csv_format.parse),
        Format("moodle_xml", _l("Moodle XML"), (".xml",), moodle_xml.parse),
        Format("gift", _l("GIFT 文本"), (".gift", ".txt"), gift.parse),
        Format("aiken", _l("Aiken 文本"), (".txt", ".aiken"), aiken.parse),
        Format("qti", _l("IMS QTI 2.1（试题 XML 或内容包 zip）"), (".xml", ".zip"), qti.parse),
    )
}
_BY_EXTENSION = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".gift": "gift", ".aiken": "aiken", ".zip": "qti"}


def _extension(filename: str) -> str:
    name = posixpath.basename((filename or "").replace("\\", "/")).lower()
    return name[name.rfind(".") :] if "." in name else ""


def _sniff_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = archive.namelist()
            if "xl/workbook.xml" in names:
                return "xlsx"
            if any(posixpath.basename(n) == "imsmanifest.xml" for n in names):
                return "qti"
            for name in (n for n in names if n.lower().endswith(".xml")):
                with archive.open(name) as member:
                    if b"assessmentItem" in member.read(SNIFF_BYTES):
                        return "qti"
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return None
    return None


def _head_text(data: bytes) -> str:
    """The start of the file as text: UTF-8 (a character cut at the end is fine), else GB18030."""
    head = data[:SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:
            return head[: exc.start].decode("utf-8-sig")
    return head.decode("gb18030", errors="ignore")


def _sniff_text(data: bytes) -> str | None:
    head = _head_text(data)
    first_line = head.lstrip("\ufeff").split("\n", 1)[0]
    checks = (
        ("moodle_xml", "<quiz" in head),
        ("qti", "assessmentItem" in head),
        (None, head.lstrip("\ufeff \r\n\t").startswith("<")),  # some other XML
        ("aiken", bool(_AIKEN_ANSWER.search(head))),
        ("gift", bool(_GIFT_ANSWERS.search(head))),
        ("csv", "题干" in first_line and "题型" in first_line),
    )
    return next((key for key, matched in checks if matched), None)


def detect_format(filename: str, data: bytes) -> str | None:
    """The format key for a file, from its extension and, when that is ambiguous or
    unknown (``.xml``, ``.txt``, none), from its content; None when unrecognised."""
    extension = _extension(filename)
    if extension in _BY_EXTENSION:
        return _BY_EXTENSION[extension]
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xlsx"  # an old .xls: the workbook parser explains how to convert it
    return _sniff_text(data)


def parse_file(filename: str, data: bytes, fmt: str | None = None) -> ParsedBank:
    """Parse ``data`` as ``fmt`` (detected when None); problems, never exceptions."""
    key = fmt or detect_format(filename, data)
    if key is None:
        names = "、".join(str(f.title) for f in FORMATS.values())
        return ParsedBank(
            problems=[Problem(_l("无法识别文件「%(name)s」的格式，支持：%(names)s", name=filename, names=names))]
        )
    if key not in FORMATS:
        return ParsedBank(problems=[Problem(_l("不支持的格式：%(key)s", key=key))])
    try:
        return FORMATS[key].parse(data, filename)
    except Exception as exc:  # a parser bug must not become a server error for the user
        logger.exception("parsing %s as %s failed", filename, key)
        return ParsedBank(problems=[Problem(_l("读取文件时出错：%(error)s", error=str(exc) or type(exc).__name__))])
