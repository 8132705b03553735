"""Held certificates: number formats, all-or-nothing import, and their use by eligibility."""

import io

import pytest
from openpyxl import Workbook

from examsys.core.errors import DomainError
from examsys.modules.people.certificates import check_number, import_certificates
from examsys.modules.people.models import CertificateKind

HEADER = ["证件号码", "姓名", "证书类别", "职业或证书名称", "工种", "等级", "证书编号", "发证日期", "发证机构"]


def _xlsx(rows):
    workbook = Workbook()
    workbook.active.append(HEADER)
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_number_formats():
    assert check_number(CertificateKind.SKILL, "S000041010101243000123") is None
    assert check_number(CertificateKind.SKILL, "1641000000300123") is None
    assert "22 位" in check_number(CertificateKind.SKILL, "S00004101")
    assert check_number(CertificateKind.X, "1X2023-000123") is None  # dashes allowed
    assert check_number(CertificateKind.X, "ab") is not None


def test_import_is_all_or_nothing_and_names_the_row(make_person):
    person = make_person(name="持证人")
    number = person.primary_document.number
    good = [
        number,
        "持证人",
        "职业技能等级",
        "电子商务师",
        "网商",
        "四级/中级工",
        "S000041010101243000123",
        "2024-06-30",
        "某认定中心",
    ]
    bad = [number, "持证人", "1+X", "网店运营推广", "", "特级", "X2024001", "2024-06-30", "某评价组织"]
    with pytest.raises(DomainError) as err:
        import_certificates(_xlsx([good, bad]), "c.xlsx")
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "等级")]
    assert person.certificates == []
    bad[5] = "中级"
    assert import_certificates(_xlsx([good, bad]), "c.xlsx") == 2
    assert {(c.kind, c.level, c.x_level) for c in person.certificates} == {
        (CertificateKind.SKILL, 4, None),
        (CertificateKind.X, None, "中"),
    }
    assert import_certificates(_xlsx([good, bad]), "c.xlsx") == 0  # known numbers are skipped


def test_unknown_person_and_name_mismatch_are_named(make_person):
    person = make_person(name="甲")
    rows = [
        ["110105194912310021", "", "职业技能等级", "收银员", "", "四级", "1641000000300123", "2020-01-01", ""],
        [
            person.primary_document.number,
            "乙",
            "职业技能等级",
            "收银员",
            "",
            "四级",
            "1641000000300124",
            "2020-01-01",
            "",
        ],
    ]
    with pytest.raises(DomainError) as err:
        import_certificates(_xlsx(rows), "c.xlsx")
    text = [str(p) for p in err.value.problems]
    assert any("第 2 行" in t and "不在人员名单" in t for t in text)
    assert any("第 3 行" in t and "登记姓名为 甲" in t for t in text)
