"""The English translation: every UI string is translated, placeholders survive, and the
language switch works for visitors and is remembered on a signed-in user's account.

The msgids are extracted from the current sources exactly as ``bin/update-translations``
does (babel.cfg's method map, the default keywords plus ``_l`` and ``lazy_gettext``), so a
string added to the code without a translation fails here rather than showing up in
Chinese on the English pages.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from markupsafe import escape

from examsys.core.permissions import Role
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "babel.cfg"
EN_PO = ROOT / "examsys" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
HINT = "run bin/update-translations and translate them"

# %(name)s, %(n)d, a bare %s or %d, a stray "% o"; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[a-zA-Z%]")
NAMED = re.compile(r"%\(([^)]*)\)[-#0 +]*(?:\d+|\*)?(?:\.\d+)?([a-zA-Z])")
# CJK ideographs and full-width punctuation (，：（）「」“” and the like).
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2018\u2019\u201c\u201d]")
QUOTED = re.compile(r'"[^"]*"')


def _msgid(message) -> str:
    return message[0] if isinstance(message, tuple | list) else message


def _where(entries: list[tuple[str, int]]) -> str:
    return ", ".join(f"{path}:{line}" for path, line in entries[:3]) + (" …" if len(entries) > 3 else "")


@pytest.fixture(scope="module")
def source_messages() -> dict[tuple[str, str | None], list[tuple[str, int]]]:
    """(msgid, context) -> where it occurs, extracted from the sources as they are now."""
    with BABEL_CFG.open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(BABEL_CFG))
    found: dict[tuple[str, str | None], list[tuple[str, int]]] = defaultdict(list)
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = _msgid(message)
        if msgid:
            found[(msgid, context)].append((filename, lineno))
    assert found, f"no messages extracted from {ROOT} with {BABEL_CFG.name}: is the method map right?"
    return dict(found)


@pytest.fixture(scope="module")
def english() -> Catalog:
    with EN_PO.open("rb") as po:
        return read_po(po)


def _ids(entry) -> tuple[str, ...]:
    return tuple(entry.id) if isinstance(entry.id, tuple | list) else (entry.id,)


def _strings(entry) -> tuple[str, ...]:
    return tuple(entry.string) if isinstance(entry.string, tuple | list) else (entry.string,)


def _translated(entry) -> bool:
    strings = _strings(entry)
    return bool(strings) and all(s and s.strip() for s in strings)


def _en(catalog: Catalog, msgid: str) -> str:
    entry = catalog.get(msgid)
    assert entry is not None and _translated(entry), f"{msgid!r} has no English translation: {HINT}"
    return entry.string


def test_every_source_string_has_an_english_translation(source_messages, english):
    assert not english.fuzzy, f"{EN_PO} has a fuzzy header, so pybabel compile would skip the whole catalogue"
    missing = []
    for (msgid, context), where in sorted(source_messages.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        entry = english.get(msgid, context)
        if entry is None:
            missing.append(f"  {msgid!r} (not in messages.po) at {_where(where)}")
        elif entry.fuzzy:
            missing.append(f"  {msgid!r} (fuzzy) at {_where(where)}")
        elif not _translated(entry):
            missing.append(f"  {msgid!r} (empty msgstr) at {_where(where)}")
    assert not missing, (
        f"{len(missing)} of {len(source_messages)} UI strings have no English translation in "
        f"{EN_PO.relative_to(ROOT)}:\n" + "\n".join(missing) + f"\n{HINT}"
    )


def test_no_entry_is_left_fuzzy(english):
    fuzzy = [entry.id for entry in english if entry.id and entry.fuzzy]
    assert not fuzzy, f"fuzzy entries are not compiled, so they show in Chinese: {fuzzy}\n{HINT}"


def test_english_translations_contain_no_chinese(english):
    """A copied msgid or full-width punctuation (，：（）“”) left in an English string. Chinese
    may appear only as a quoted literal the user has to type, e.g. the sheet value "理论知识"."""
    leftovers = []
    for entry in english:
        if entry.id:
            leftovers += [
                f"  {entry.id!r} -> {s!r}" for s in _strings(entry) if s and CHINESE.search(QUOTED.sub("", s))
            ]
    assert not leftovers, "English msgstr with Chinese text or punctuation:\n" + "\n".join(leftovers)


def test_placeholders_match_between_msgid_and_msgstr(english):
    wrong = []
    for entry in english:
        if not entry.id or not _translated(entry):
            continue
        expected = {p for msgid in _ids(entry) for p in PLACEHOLDER.findall(msgid)} - {"%%"}
        for string in _strings(entry):
            got = set(PLACEHOLDER.findall(string)) - {"%%"}
            if got != expected:
                wrong.append(f"  {entry.id!r}: msgid has {sorted(expected)}, msgstr {string!r} has {sorted(got)}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def _sample_values(text: str) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, conversion in NAMED.findall(text):
        values[name] = 1.5 if conversion in "eEfFgG" else 1 if conversion in "diouxXc" else "x"
    return values


def test_translations_format_like_their_msgid(english):
    """Templates always %-format a translated string (Jinja's newstyle gettext), so a stray
    "%" (instead of "%%") in a msgstr breaks the page even when the msgid has no placeholder."""
    broken = []
    for entry in english:
        if not entry.id or not _translated(entry):
            continue
        values = _sample_values(" ".join(_ids(entry)))
        try:
            _ids(entry)[0] % values
        except (TypeError, ValueError, KeyError):
            continue  # the msgid itself is not a format string; nothing to compare
        for string in _strings(entry):
            try:
                string % values
            except (TypeError, ValueError, KeyError) as error:
                broken.append(f"  {entry.id!r} -> {string!r}: {error}")
    assert not broken, "msgstr that cannot be formatted like its msgid:\n" + "\n".join(broken)


def test_compiled_catalogue_matches_the_po_file(english):
    """The app reads messages.mo (git-ignored, built by `make translations`)."""
    assert EN_MO.exists(), f"{EN_MO.relative_to(ROOT)} is missing: run make translations"
    with EN_MO.open("rb") as mo:
        compiled = read_mo(mo)
    expected = {entry.id: entry.string for entry in english if entry.id and not entry.fuzzy and _translated(entry)}
    actual = {entry.id: entry.string for entry in compiled if entry.id}
    stale = sorted(msgid for msgid in expected if actual.get(msgid) != expected[msgid])
    assert not stale, (
        f"messages.mo is older than messages.po ({len(stale)} entries differ, e.g. {stale[:5]}): run make translations"
    )


# --- behaviour ---------------------------------------------------------------------------


def _nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no main navigation on the page"
    return [label.strip() for label in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1), re.S)]


def test_login_page_is_chinese_until_the_visitor_switches_to_english(client, english):
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "登录" in html

    switched = client.get("/locale?lang=en&next=/login")
    assert switched.status_code == 302
    assert urlsplit(switched.headers["Location"]).path == "/login"

    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert str(escape(_en(english, "登录"))) in html
    assert "登录" not in html


def test_unknown_language_is_ignored(client):
    client.get("/locale?lang=xx&next=/login")
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "登录" in html


def test_signed_in_user_switches_to_english_and_it_is_remembered_on_the_account(
    app, client, login, make_user, db_session, english
):
    user = make_user(Role.EXAM_OFFICE)
    login(user)
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "职业目录" in _nav_labels(html)

    switched = client.get("/locale?lang=en&next=/dashboard")
    assert switched.status_code == 302
    assert urlsplit(switched.headers["Location"]).path == "/dashboard"
    db_session.refresh(user)
    assert user.locale == "en"

    page = client.get("/dashboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html
    labels = _nav_labels(html)
    assert _en(english, "职业目录") in labels
    assert _en(english, "工作台") in labels
    assert not [label for label in labels if CHINESE.search(label)], f"untranslated navigation: {labels}"
    assert str(escape(_en(english, "考务管理组"))) in html  # the role shown next to the name

    # The choice lives on the account: a new browser session signs in straight to English.
    other = app.test_client()
    response = other.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    html = other.get("/dashboard").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert _en(english, "职业目录") in _nav_labels(html)
