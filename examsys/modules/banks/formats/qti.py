"""IMS QTI 2.1 (2.2 tolerated): one ``assessmentItem`` XML file, or a content package zip.

A package's ``imsmanifest.xml`` lists the item resources; without a manifest (or with no item
resource in it) every ``.xml`` in the zip whose root is ``assessmentItem`` is read. Only
``choiceInteraction`` is imported: ``maxChoices="1"`` is single choice, anything else multiple
choice, and two choices reading 正确/错误 or True/False make a true/false item. Images the
package carries are inlined as ``data:`` URIs. :func:`export_items` writes a package.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
import zipfile
from base64 import b64encode
from collections.abc import Callable
from io import BytesIO
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from flask_babel import lazy_gettext as _l

from examsys.core.errors import Problem

from .base import MULTIPLE, SINGLE, TRUE_FALSE, Location, ParsedBank, ParsedItem, ParsedOption
from .common import LETTERS, check_options, true_false_options
from .qti_export import export_items
from .xmlutil import XMLRefused, inner_xml, local, namespace, parse_xml

__all__ = ["export_items", "parse"]

NAMESPACES = ("http://www.imsglobal.org/xsd/imsqti_v2p1", "http://www.imsglobal.org/xsd/imsqti_v2p2")
NOT_STEM = frozenset({"choiceInteraction", "feedbackBlock", "feedbackInline", "modalFeedback", "rubricBlock"})
TRUE_FALSE_WORDS = ({"正确", "错误"}, {"true", "false"}, {"对", "错"})
MAX_MEMBER_SIZE = 50 * 1024 * 1024
_TAG = re.compile(r"<[^>]+>")
_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")', re.I)

Resolver = Callable[[str], str | None]


def parse(data: bytes, filename: str = "") -> ParsedBank:
    """Items from a QTI item file or content package, and every problem found in it."""
    bank = ParsedBank()
    if data.startswith(b"PK"):
        _package(data, bank)
    else:
        _document(data, filename or "item.xml", bank, lambda src: None)
    if not bank.items and not bank.problems:
        bank.problems.append(Problem(_l("文件中没有试题")))
    return bank


# --- content package --------------------------------------------------------------------


def _package(data: bytes, bank: ParsedBank) -> None:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = [i.filename for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        bank.problems.append(Problem(_l("不是有效的 QTI 内容包（zip）：%(error)s", error=str(exc))))
        return
    with archive:
        hrefs = _manifest_items(archive, names, bank)
        if not hrefs:
            hrefs = [n for n in names if n.lower().endswith(".xml") and posixpath.basename(n) != "imsmanifest.xml"]
            hrefs = [n for n in hrefs if _is_item(_read(archive, n))]
        if not hrefs and not bank.problems:
            bank.problems.append(Problem(_l("压缩包中没有 QTI 试题（assessmentItem）")))
        for href in hrefs:
            content = _read(archive, href)
            if content is None:
                bank.problems.append(Problem(_l("清单中列出的 %(href)s 不在压缩包中或无法读取", href=href)))
                continue
            _document(content, href, bank, _zip_resolver(archive, href))


def _read(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
        return archive.read(info) if info.file_size <= MAX_MEMBER_SIZE else None
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return None  # missing, corrupt, or encrypted (RuntimeError)


def _is_item(content: bytes | None) -> bool:
    try:
        return content is not None and local(parse_xml(content).tag) == "assessmentItem"
    except XMLRefused:
        return False


def _manifest_items(archive: zipfile.ZipFile, names: list[str], bank: ParsedBank) -> list[str]:
    manifests = sorted((n for n in names if posixpath.basename(n) == "imsmanifest.xml"), key=len)
    if not manifests:
        return []
    try:
        root = parse_xml(_read(archive, manifests[0]) or b"")
    except XMLRefused as exc:
        bank.problems.append(Problem(_l("imsmanifest.xml 不是有效的 XML：%(error)s", error=str(exc))))
        return []
    base = posixpath.dirname(manifests[0])
    hrefs = []
    for resource in root.iter():
        if local(resource.tag) == "resource" and resource.get("type", "").startswith("imsqti_item"):
            href = resource.get("href")
            if href:
                hrefs.append(posixpath.normpath(posixpath.join(base, unquote(href))))
    return hrefs


def _zip_resolver(archive: zipfile.ZipFile, href: str) -> Resolver:
    folder = posixpath.dirname(href)

    def resolve(src: str) -> str | None:
        if ":" in src or src.startswith("/"):
            return None
        name = posixpath.normpath(posixpath.join(folder, unquote(src)))
        content = _read(archive, name)
        if content is None:
            return None
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return f"data:{mime};base64,{b64encode(content).decode('ascii')}"

    return resolve


# --- one assessmentItem -----------------------------------------------------------------


def _document(data: bytes, name: str, bank: ParsedBank, resolve: Resolver) -> None:
    where = Location(question=name)
    try:
        root = parse_xml(data)
    except XMLRefused as exc:
        bank.problems.append(
            where.problem(_l("不是有效的 QTI XML 文件（%(name)s）：%(error)s", name=name, error=str(exc)))
        )
        return
    tag = local(root.tag)
    if tag == "questestinterop":
        bank.problems.append(where.problem(_l("%(name)s 是 QTI 1.2 文件，只支持 QTI 2.1", name=name)))
    elif tag != "assessmentItem":
        bank.problems.append(
            where.problem(_l("%(name)s 不是 QTI 试题：根元素应为 assessmentItem，现为 %(tag)s", name=name, tag=tag))
        )
    elif namespace(root.tag) not in NAMESPACES:
        ns = namespace(root.tag) or "-"
        bank.problems.append(
            where.problem(_l("%(name)s 的 QTI 版本不受支持（命名空间 %(ns)s），只支持 QTI 2.1", name=name, ns=ns))
        )
    else:
        _item(root, root.get("identifier") or name, bank, resolve)


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local(child.tag) == name]


def _item(root: Element, identifier: str, bank: ParsedBank, resolve: Resolver) -> None:
    location = Location(question=identifier)

    def report(message) -> None:
        bank.problems.append(location.problem(_l("%(problem)s（试题「%(id)s」）", problem=message, id=identifier)))

    body = next(iter(_children(root, "itemBody")), None)
    interactions = [e for e in (body.iter() if body is not None else ()) if local(e.tag).endswith("Interaction")]
    for kind in dict.fromkeys(local(e.tag) for e in interactions if local(e.tag) != "choiceInteraction"):
        report(_l("不支持的交互类型 %(type)s", type=kind))
    choices = [e for e in interactions if local(e.tag) == "choiceInteraction"]
    if len(choices) != 1 or len(interactions) != 1:
        if not interactions:
            report(_l("试题中没有选择题交互（choiceInteraction）"))
        elif len(choices) > 1:
            report(_l("一道试题只能有一个选择题交互，现有 %(n)d 个", n=len(choices)))
        return
    interaction = choices[0]
    try:
        qtype, options = _options(root, interaction)
    except ValueError as exc:
        report(str(exc))
        return
    stem = _with_images(_stem(body, interaction), resolve)
    messages = check_options(qtype, options) + ([] if stem else [_l("题干不能为空")])
    for message in messages:
        report(message)
    if messages:
        return
    for option in options:
        option.text = _with_images(option.text, resolve)
    feedback = "\n".join(inner_xml(e, NOT_STEM).strip() for e in _children(root, "modalFeedback")).strip()
    explanation = _with_images(feedback, resolve)
    bank.items.append(ParsedItem(qtype, stem, options, location, explanation=explanation, external_id=identifier))


def _stem(body: Element, interaction: Element) -> str:
    parts = [e for e in body if local(e.tag) not in NOT_STEM]
    loose_text = (body.text or "").strip() or any((e.tail or "").strip() for e in body)
    if len(parts) == 1 and local(parts[0].tag) == "div" and not parts[0].attrib and not loose_text:
        text = inner_xml(parts[0], NOT_STEM).strip()  # a lone wrapping <div>, as export_items writes
    else:
        text = inner_xml(body, NOT_STEM).strip()
    prompt = next(iter(_children(interaction, "prompt")), None)
    prompt_text = inner_xml(prompt).strip() if prompt is not None else ""
    return "\n".join(part for part in (text, prompt_text) if part)


def _key(root: Element, response: str) -> list[str]:
    for declaration in _children(root, "responseDeclaration"):
        if declaration.get("identifier") != response:
            continue
        values = [v.text.strip() for c in _children(declaration, "correctResponse") for v in c if v.text]
        if values:
            return values
        entries = [e for m in _children(declaration, "mapping") for e in _children(m, "mapEntry")]
        return [e.get("mapKey", "") for e in entries if _number(e.get("mappedValue")) > 0]
    return []


def _number(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


def _options(root: Element, interaction: Element) -> tuple[str, list[ParsedOption]]:
    choices = _children(interaction, "simpleChoice")
    if len(choices) > len(LETTERS):
        raise ValueError(str(_l("选项太多（%(n)d 个），最多 26 个", n=len(choices))))
    identifiers = [c.get("identifier", "") for c in choices]
    key = _key(root, interaction.get("responseIdentifier", "RESPONSE"))
    if not key:
        raise ValueError(str(_l("没有正确答案（responseDeclaration/correctResponse）")))
    unknown = [k for k in key if k not in identifiers]
    if unknown:
        raise ValueError(str(_l("正确答案 %(keys)s 不是本题的选项", keys="、".join(unknown))))
    texts = [inner_xml(c, NOT_STEM).strip() for c in choices]
    words = [_TAG.sub("", t).strip().lower() for t in texts]
    if len(choices) == 2 and set(words) in TRUE_FALSE_WORDS and len(key) == 1:
        chosen = words[identifiers.index(key[0])]
        return TRUE_FALSE, true_false_options(chosen in ("正确", "true", "对"))
    try:
        most = int(interaction.get("maxChoices", "1"))
    except ValueError:
        most = 1
    options = [ParsedOption(LETTERS[i], texts[i], correct=identifiers[i] in key) for i in range(len(choices))]
    return (SINGLE if most == 1 else MULTIPLE), options


def _with_images(html: str, resolve: Resolver) -> str:
    def inline(match: re.Match) -> str:
        uri = resolve(match.group(2))
        return match.group(0) if uri is None else f"{match.group(1)}{uri}{match.group(3)}"

    return _IMG_SRC.sub(inline, html) if "<img" in html.lower() else html
