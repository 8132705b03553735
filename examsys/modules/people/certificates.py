"""Certificates people already hold: validation and an all-or-nothing xlsx/CSV import.

National certificate numbers have 22 characters (a letter S or Y, then digits); older
vocational-qualification certificates have 16 digits and are still accepted. 1+X
certificate numbers vary by issuer and are only checked for shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.core.ids import normalize_number
from examsys.core.spreadsheets import open_workbook, read_csv_records
from examsys.modules.catalog.models import Occupation
from examsys.modules.people.models import CertificateKind, HeldCertificate
from examsys.modules.people.roster import parse_graduation_date as parse_date
from examsys.modules.people.util import people_by_document_numbers

NATIONAL = re.compile(r"^[SY][0-9A-Z]{21}$")
OLDER = re.compile(r"^\d{16}$")
X_NUMBER = re.compile(r"^[0-9A-Za-z-]{6,40}$")
LEVELS = {
    "五级": 5,
    "四级": 4,
    "三级": 3,
    "二级": 2,
    "一级": 1,
    "初级工": 5,
    "中级工": 4,
    "高级工": 3,
    "技师": 2,
    "高级技师": 1,
    "5": 5,
    "4": 4,
    "3": 3,
    "2": 2,
    "1": 1,
}
HEADERS = ("证件号码", "姓名", "证书类别", "职业或证书名称", "工种", "等级", "证书编号", "发证日期", "发证机构")


def check_number(kind: CertificateKind, number: str) -> str | None:
    """A Chinese reason when ``number`` cannot be a certificate number of ``kind``."""
    if kind is CertificateKind.SKILL and not (NATIONAL.match(number) or OLDER.match(number)):
        return _("证书编号应为 22 位（S 或 Y 开头）或旧版 16 位数字，实为「%(n)s」", n=number)
    if kind is CertificateKind.X and not X_NUMBER.match(number):
        return _("1+X 证书编号应为 6–40 位字母或数字，实为「%(n)s」", n=number)
    return None


@dataclass
class CertificateRow:
    row: int
    id_number: str
    name: str
    kind: CertificateKind
    title: str
    job: str
    level: int | None
    x_level: str | None
    number: str
    issued: date
    issuer: str


def _kind(text: str) -> CertificateKind | None:
    if "1+X" in text.upper() or "1+x" in text:
        return CertificateKind.X
    if text in {"", "职业技能等级", "职业技能等级证书", "职业资格", "职业资格证书"}:
        return CertificateKind.SKILL
    return None


def _row(number: int, cells: dict[str, str], problems: list[Problem]) -> CertificateRow | None:
    bad = len(problems)
    kind = _kind(cells.get("证书类别", ""))
    if kind is None:
        problems.append(Problem(_("证书类别应为「职业技能等级」或「1+X」"), row=number, column="证书类别"))
    level_text = cells.get("等级", "").replace("/", "").strip()
    level = x_level = None
    if kind is CertificateKind.X:
        x_level = level_text[:1] if level_text[:1] in {"初", "中", "高"} else None
        if x_level is None:
            problems.append(Problem(_("1+X 证书等级应为 初/中/高"), row=number, column="等级"))
    elif kind is CertificateKind.SKILL:
        level = next((v for k, v in LEVELS.items() if level_text.startswith(k)), None)
        if level is None:
            problems.append(Problem(_("等级应为 五级…一级 或 初级工…高级技师"), row=number, column="等级"))
    cert_number = cells.get("证书编号", "").strip().upper()
    reason = check_number(kind, cert_number) if kind else None
    if reason:
        problems.append(Problem(reason, row=number, column="证书编号"))
    try:
        issued = parse_date(cells.get("发证日期", ""))
    except ValueError:
        issued = None
    if issued is None:
        problems.append(Problem(_("发证日期无效"), row=number, column="发证日期"))
    if not cells.get("职业或证书名称"):
        problems.append(Problem(_("不能为空"), row=number, column="职业或证书名称"))
    if len(problems) > bad:
        return None
    return CertificateRow(
        number,
        normalize_number(cells.get("证件号码", "")),
        cells.get("姓名", ""),
        kind,
        cells["职业或证书名称"],
        cells.get("工种", ""),
        level,
        x_level,
        cert_number,
        issued,
        cells.get("发证机构", ""),
    )


def _table(data: bytes, filename: str, problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    if filename.lower().endswith(".csv"):
        records = read_csv_records(data, problems)
        rows = list(records) if records else []
    else:
        workbook = open_workbook(data, problems)
        rows = list(workbook.worksheets[0].iter_rows(values_only=True)) if workbook else []
    if not rows:
        problems.append(Problem(_("文件中没有数据")))
        return []
    header = [str(h or "").strip() for h in rows[0]]
    missing = [h for h in ("证件号码", "证书类别", "职业或证书名称", "等级", "证书编号", "发证日期") if h not in header]
    problems.extend(Problem(_("缺少列「%(h)s」", h=h), row=1, column=h) for h in missing)
    if missing:
        return []
    table = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {h: str(v).strip() if v is not None else "" for h, v in zip(header, values, strict=False)}
        if any(cells.values()):
            table.append((number, cells))
    return table


def import_certificates(data: bytes, filename: str) -> int:
    """Import held certificates for existing people; all or nothing; re-imports skip known numbers."""
    problems: list[Problem] = []
    rows = [r for n, cells in _table(data, filename, problems) if (r := _row(n, cells, problems))]
    people = people_by_document_numbers([r.id_number for r in rows])
    occupations = {o.name: o.id for o in db.session.scalars(sa.select(Occupation))}
    known = set(db.session.scalars(sa.select(HeldCertificate.number)))
    for row in rows:
        person = people.get(row.id_number)
        if person is None:
            problems.append(
                Problem(_("证件号码 %(n)s 不在人员名单中", n=row.id_number), row=row.row, column="证件号码")
            )
        elif row.name and row.name != person.name:
            problems.append(
                Problem(_("姓名与证件号码不符（登记姓名为 %(n)s）", n=person.name), row=row.row, column="姓名")
            )
    if problems:
        raise DomainError(_("证书文件有 %(n)d 处错误，未导入任何内容", n=len(problems)), problems)
    added = 0
    for row in rows:
        if row.number in known:
            continue
        known.add(row.number)
        people[row.id_number].certificates.append(
            HeldCertificate(
                kind=row.kind,
                name=row.title,
                occupation_id=occupations.get(row.title),
                job_name=row.job,
                level=row.level,
                x_level=row.x_level,
                number=row.number,
                issue_date=row.issued,
                issuer=row.issuer,
            )
        )
        added += 1
    db.session.flush()
    audit.record("certificates.import", object_type="held_certificates", after={"file": filename, "added": added})
    return added
