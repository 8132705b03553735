"""Writes items as an IMS QTI 2.1 content package: ``imsmanifest.xml`` plus one
``assessmentItem`` file per item under ``items/``.

Item identifiers are stable: the item's ``external_id`` when it is a valid identifier,
otherwise ``item-0001`` (its position). Stems, options and explanations are HTML fragments;
they are rewritten as well-formed XHTML (void elements closed, entities resolved).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from html import escape, unescape
from html.parser import HTMLParser
from io import BytesIO

from .base import MULTIPLE, ParsedItem

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]*$")
_TAG = re.compile(r"<[^>]+>")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _XHTML(HTMLParser):
    """An HTML fragment rewritten as well-formed XHTML text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, close: bool) -> None:
        if not _NAME.match(tag):
            return
        unique = {name: value for name, value in attrs if _NAME.match(name) and ":" not in name}
        text = "".join(f' {name}="{escape(value or name, quote=True)}"' for name, value in unique.items())
        if close or tag in VOID:
            self.out.append(f"<{tag}{text}/>")
        else:
            self.out.append(f"<{tag}{text}>")
            self.open.append(tag)

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, close=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, close=True)

    def handle_endtag(self, tag):
        if tag not in self.open:
            return
        while self.open:
            name = self.open.pop()
            self.out.append(f"</{name}>")
            if name == tag:
                break

    def handle_data(self, data):
        self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{name}>" for name in reversed(self.open))


def xhtml(fragment: str) -> str:
    """``fragment`` as well-formed XHTML (checked: it parses inside a wrapper element)."""
    fragment = _NOT_XML.sub("", fragment or "")
    parser = _XHTML()
    parser.feed(fragment)
    text = parser.result()
    try:
        ET.fromstring(f"<div>{text}</div>")
    except ET.ParseError:
        return escape(_TAG.sub("", unescape(fragment)), quote=False)
    return text


def identifiers(items: list[ParsedItem]) -> list[str]:
    """Each item's identifier: its external id when valid (and unused), else ``item-0001``…"""
    used: set[str] = set()
    result = []
    for number, item in enumerate(items, start=1):
        candidate = item.external_id or ""
        if not _IDENTIFIER.match(candidate) or candidate in used:
            candidate = f"item-{number:04d}"
        while candidate in used:
            candidate += "-x"
        used.add(candidate)
        result.append(candidate)
    return result


def _title(item: ParsedItem) -> str:
    text = " ".join(unescape(_TAG.sub(" ", item.stem)).split())
    return text[:60] or "item"


def item_xml(item: ParsedItem, identifier: str) -> str:
    """One ``assessmentItem`` document."""
    multiple = item.qtype == MULTIPLE
    labels = [o.label for o in item.options]
    values = "".join(f"<value>{label}</value>" for label, o in zip(labels, item.options, strict=True) if o.correct)
    choices = "".join(
        f'\n      <simpleChoice identifier="{label}">{xhtml(o.text)}</simpleChoice>'
        for label, o in zip(labels, item.options, strict=True)
    )
    feedback = ""
    if item.explanation:
        feedback = (
            f'\n  <modalFeedback outcomeIdentifier="FEEDBACK" identifier="EXPLANATION" showHide="hide">'
            f"{xhtml(item.explanation)}</modalFeedback>"
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="{QTI}" xmlns:xsi="{XSI}" xsi:schemaLocation="{QTI} {QTI_XSD}"
    identifier="{identifier}" title="{escape(_title(item), quote=True)}" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="{"multiple" if multiple else "single"}" baseType="identifier">
    <correctResponse>{values}</correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float">
    <defaultValue><value>0</value></defaultValue>
  </outcomeDeclaration>
  <outcomeDeclaration identifier="FEEDBACK" cardinality="single" baseType="identifier"/>
  <itemBody>
    <div>{xhtml(item.stem)}</div>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="{0 if multiple else 1}">{choices}
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="{MATCH_CORRECT}"/>{feedback}
</assessmentItem>
"""


def manifest_xml(names: list[str]) -> str:
    resources = "".join(
        f'\n    <resource identifier="{name}" type="imsqti_item_xmlv2p1" href="items/{name}.xml">'
        f'\n      <file href="items/{name}.xml"/>\n    </resource>'
        for name in names
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="{CP}" xmlns:xsi="{XSI}" xsi:schemaLocation="{CP} {CP_XSD}" identifier="MANIFEST-examsys">
  <metadata>
    <schema>QTIv2.1 Package</schema>
    <schemaversion>1.0.0</schemaversion>
  </metadata>
  <organizations/>
  <resources>{resources}
  </resources>
</manifest>
"""


def export_items(items: list[ParsedItem]) -> bytes:
    """The items as a QTI 2.1 content package (zip bytes)."""
    names = identifiers(items)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest_xml(names))
        for name, item in zip(names, items, strict=True):
            archive.writestr(f"items/{name}.xml", item_xml(item, name))
    return buffer.getvalue()
