"""Small XML helpers for the XML formats (Moodle XML, QTI): safe parsing, local names, and
serialising mixed content back to namespace-free (X)HTML text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape

from flask_babel import lazy_gettext as _l

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
EXPAT_ENCODINGS = frozenset(
    {"utf-8", "utf8", "utf-16", "utf16", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"}
)


class XMLRefused(ValueError):
    """The bytes are not well-formed XML (or declare entities, which we never need)."""


def parse_xml(data: bytes) -> ET.Element:
    """The document's root element; raises :class:`XMLRefused` with a short reason."""
    if not data.strip():
        raise XMLRefused(_l("文件是空的"))
    if _ENTITY_DECLARATION.search(data[:65536]):
        raise XMLRefused(_l("不接受声明实体（<!ENTITY>）的 XML"))
    source: bytes | str = data
    declared = _DECLARED_ENCODING.match(data[:300])
    if declared and declared.group(1).decode("ascii").lower() not in EXPAT_ENCODINGS:
        try:  # GBK, GB2312, GB18030 …: decode here, expat only knows UTF-8/16 and Latin-1
            source = data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError) as exc:
            raise XMLRefused(f"{declared.group(1).decode()}: {exc}") from exc
    try:
        return ET.fromstring(source)
    except ET.ParseError as exc:
        raise XMLRefused(str(exc)) from exc


def local(tag: object) -> str:
    """The tag without its namespace: ``{http://…}itemBody`` -> ``itemBody``."""
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _attributes(element: ET.Element) -> str:
    parts = []
    for name, value in element.attrib.items():
        if name.startswith("{"):
            continue  # xml:lang, xsi:… are not HTML attributes
        parts.append(f' {name}="{escape(value, quote=True)}"')
    return "".join(parts)


def outer_xml(element: ET.Element, skip: frozenset[str] = frozenset()) -> str:
    """The element (and its tail text) as XHTML text, namespace prefixes dropped."""
    name = local(element.tag)
    if not name or name in skip:
        return escape(element.tail or "", quote=False)
    inner = inner_xml(element, skip)
    body = f"<{name}{_attributes(element)}/>" if not inner else f"<{name}{_attributes(element)}>{inner}</{name}>"
    return body + escape(element.tail or "", quote=False)


def inner_xml(element: ET.Element, skip: frozenset[str] = frozenset()) -> str:
    """The element's content (text and children) as XHTML text; descendants named in
    ``skip`` (local names) are left out, the text after them kept."""
    return escape(element.text or "", quote=False) + "".join(outer_xml(child, skip) for child in element)
