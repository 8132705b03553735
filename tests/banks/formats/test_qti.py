"""IMS QTI 2.1: single item files, content packages (with and without a manifest), export."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest

from examsys.modules.banks.formats import qti
from examsys.modules.banks.formats.base import MULTIPLE, SINGLE, TRUE_FALSE, Location, ParsedItem, ParsedOption

from .helpers import SAMPLES, located, messages

PACKAGE = SAMPLES / "qti_package"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
QTI_NS = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"


def package(*, manifest: bool = True, extra: dict[str, bytes] | None = None) -> bytes:
    """The sample package as a zip, built from the files on disk."""
    extra = extra or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(PACKAGE.rglob("*")):
            name = path.relative_to(PACKAGE).as_posix()
            if path.is_file() and name not in extra and (manifest or name != "imsmanifest.xml"):
                archive.write(path, name)
        for name, content in extra.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_single_item_file():
    bank = qti.parse((SAMPLES / "qti_item_single.xml").read_bytes(), "qti_item_single.xml")

    assert bank.problems == []
    (item,) = bank.items
    assert item.qtype == SINGLE
    assert (
        item.stem == "<p>按国家标准，保护接地线（PE 线）应采用哪种颜色的导线？</p>\n请选择<strong>一个</strong>答案。"
    )
    assert [(o.label, o.text, o.correct) for o in item.options] == [
        ("A", "淡蓝色", False),
        ("B", "绿/黄双色", True),
        ("C", "黑色", False),  # its feedbackInline is not option text
        ("D", "红色", False),
    ]
    assert item.explanation == "PE 线必须使用<em>绿/黄双色</em>绝缘导线。"
    assert item.external_id == "i1598701"
    assert item.location == Location(question="i1598701")


def test_content_package_reads_the_items_its_manifest_lists():
    bank = qti.parse(package(), "electrician.zip")

    assert bank.problems == []
    fuse, neutral = bank.items
    assert (fuse.qtype, fuse.external_id) == (MULTIPLE, "fuse-choice")  # maxChoices="0"
    assert fuse.stem == (  # the lone wrapping <div> dropped, the packaged image inlined
        f'<p>图中 <img src="data:image/png;base64,{PNG}" alt="熔断器" width="32" height="32"/> 所示元件的作用有：</p>'
    )
    assert [(o.label, o.text, o.correct) for o in fuse.options] == [
        ("A", "短路保护", True),
        ("B", "欠压保护", False),
        ("C", "严重过载保护", True),
    ]
    assert neutral.qtype == TRUE_FALSE  # True/False choices, QTI 2.2 namespace tolerated
    assert neutral.stem == "A fuse may be installed in the neutral line of a three-phase four-wire system."
    assert [(o.label, o.text, o.correct) for o in neutral.options] == [("T", "正确", False), ("F", "错误", True)]


def test_package_without_manifest_reads_every_assessment_item():
    bank = qti.parse(package(manifest=False))

    assert bank.problems == []
    assert sorted(i.external_id for i in bank.items) == ["fuse-choice", "neutral-tf"]  # test.xml skipped


def test_manifest_listing_a_missing_file():
    manifest = (PACKAGE / "imsmanifest.xml").read_bytes().replace(b"items/neutral.xml", b"items/gone.xml")
    bank = qti.parse(package(extra={"imsmanifest.xml": manifest}))
    assert messages(bank.problems) == ["清单中列出的 items/gone.xml 不在压缩包中或无法读取"]
    assert [i.external_id for i in bank.items] == ["fuse-choice"]


ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="{identifier}" title="t"
    adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>{key}</value></correctResponse>
  </responseDeclaration>
  <itemBody>{body}</itemBody>
</assessmentItem>"""
CHOICES = """<choiceInteraction responseIdentifier="RESPONSE" maxChoices="1"><prompt>题干</prompt>
  <simpleChoice identifier="a">甲</simpleChoice><simpleChoice identifier="b">乙</simpleChoice></choiceInteraction>"""


def item(body: str = CHOICES, key: str = "a", identifier: str = "q1") -> bytes:
    return ITEM.format(identifier=identifier, key=key, body=body).encode()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            item(body='<p>填空 <textEntryInteraction responseIdentifier="RESPONSE"/></p>'),
            "不支持的交互类型 textEntryInteraction（试题「q1」）",
        ),
        (item(body="<p>只有文字</p>"), "试题中没有选择题交互（choiceInteraction）（试题「q1」）"),
        (item(key="z"), "正确答案 z 不是本题的选项（试题「q1」）"),
        (item(key=""), "没有正确答案（responseDeclaration/correctResponse）（试题「q1」）"),
        (item(body=CHOICES.replace("<prompt>题干</prompt>", "")), "题干不能为空（试题「q1」）"),
    ],
)
def test_item_problems_name_the_item_identifier(data, problem):
    bank = qti.parse(data, "q1.xml")
    assert located(bank.problems) == [("q1", None, None, problem)]
    assert bank.items == []


def test_unsupported_interaction_inside_a_package_refuses_it():
    extended = item(body='<extendedTextInteraction responseIdentifier="RESPONSE"/>', identifier="essay-1")
    manifest = (PACKAGE / "imsmanifest.xml").read_bytes()
    manifest = manifest.replace(
        b"</resources>",
        b'<resource identifier="R3" type="imsqti_item_xmlv2p1" href="items/essay.xml"/></resources>',
    )
    bank = qti.parse(package(extra={"imsmanifest.xml": manifest, "items/essay.xml": extended}))
    assert messages(bank.problems) == ["不支持的交互类型 extendedTextInteraction（试题「essay-1」）"]


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"", "不是有效的 QTI XML 文件（item.xml）：文件是空的"),
        ((SAMPLES / "qti_item_single.xml").read_bytes()[:900], "不是有效的 QTI XML 文件（item.xml）："),  # truncated
        (bytes(range(1, 256)), "不是有效的 QTI XML 文件（item.xml）："),
        (b"PK\x03\x04" + bytes(range(256)), "不是有效的 QTI 内容包（zip）："),
        (b"<questestinterop/>", "item.xml 是 QTI 1.2 文件，只支持 QTI 2.1"),
        (b'<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"/>', "item.xml 的 QTI 版本不受支持"),
        (b"<quiz/>", "item.xml 不是 QTI 试题：根元素应为 assessmentItem，现为 quiz"),
        (b'<?xml version="1.0" encoding="x-unknown"?><a/>', "不是有效的 QTI XML 文件（item.xml）：x-unknown: unknown"),
    ],
)
def test_malformed_files_give_a_problem(data, start):
    bank = qti.parse(data)
    assert len(bank.problems) == 1
    assert messages(bank.problems)[0].startswith(start)


def test_item_declared_in_gbk():
    data = item(identifier="gbk-1").replace(b'encoding="UTF-8"', b'encoding="GBK"').decode().encode("gbk")

    bank = qti.parse(data)

    assert bank.problems == []
    assert [o.text for o in bank.items[0].options] == ["甲", "乙"]


def test_zip_without_items():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes/readme.xml", "<readme/>")
    assert messages(qti.parse(buffer.getvalue()).problems) == ["压缩包中没有 QTI 试题（assessmentItem）"]


# --- export -------------------------------------------------------------------------------


def items_to_export() -> list[ParsedItem]:
    here = Location()
    return [
        ParsedItem(
            SINGLE,
            "H<sub>2</sub>O 中氢的化合价？<br>（单选）",
            [ParsedOption("A", "+1", True), ParsedOption("B", "-1 &amp; 0"), ParsedOption("C", "<b>0</b>")],
            here,
            explanation="<p>化合物中氢通常为 +1 价。</p>",
            external_id="EL-SAFE-001",
        ),
        ParsedItem(
            MULTIPLE,
            "<p>属于导体的有</p><table><tr><td>表格</td></tr></table>",
            [ParsedOption("A", "铜", True), ParsedOption("B", "橡胶"), ParsedOption("C", "铝", True)],
            here,
            external_id="名称 有空格",  # not a valid identifier: a generated one is used
        ),
        ParsedItem(
            TRUE_FALSE, "安全电压最高为 42 V。", [ParsedOption("T", "正确", True), ParsedOption("F", "错误")], here
        ),
    ]


def test_export_writes_a_valid_package_with_stable_identifiers():
    data = qti.export_items(items_to_export())

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        assert names == ["imsmanifest.xml", "items/EL-SAFE-001.xml", "items/item-0002.xml", "items/item-0003.xml"]
        for name in names:
            ET.fromstring(archive.read(name))  # well-formed
        root = ET.fromstring(archive.read("items/EL-SAFE-001.xml"))
    assert root.tag == f"{QTI_NS}assessmentItem"
    assert root.get("identifier") == "EL-SAFE-001"
    assert root.find(f"{QTI_NS}itemBody/{QTI_NS}choiceInteraction").get("maxChoices") == "1"
    assert qti.export_items(items_to_export()) == data  # deterministic


def test_export_then_parse_round_trips_types_stems_options_and_keys():
    original = items_to_export()

    bank = qti.parse(qti.export_items(original), "export.zip")

    assert bank.problems == []
    assert [i.qtype for i in bank.items] == [SINGLE, MULTIPLE, TRUE_FALSE]
    assert [i.stem for i in bank.items] == [
        "H<sub>2</sub>O 中氢的化合价？<br/>（单选）",  # XHTML: the void element is closed
        "<p>属于导体的有</p><table><tr><td>表格</td></tr></table>",
        "安全电压最高为 42 V。",
    ]
    for parsed, source in zip(bank.items, original, strict=True):
        assert [(o.label, o.correct) for o in parsed.options] == [(o.label, o.correct) for o in source.options]
    assert [o.text for o in bank.items[0].options] == ["+1", "-1 &amp; 0", "<b>0</b>"]
    assert bank.items[0].explanation == "<p>化合物中氢通常为 +1 价。</p>"
    assert [i.external_id for i in bank.items] == ["EL-SAFE-001", "item-0002", "item-0003"]
