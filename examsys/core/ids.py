"""Identity-document numbers: normalisation, validation, masking.

Candidates register with one of six documents (mainland resident ID, HK/Macao/Taiwan
residence permit, HK/Macao and Taiwan travel permits, foreign permanent residence ID,
passport). This module checks that a number is well formed for its document type and
extracts what the number encodes (birth date, gender, region code). It never talks to
an external verification service: a number that passes here is *plausible*, not proven.

Errors are raised as :class:`IdDocumentError` with a stable English ``code`` and a lazy
Simplified Chinese ``message`` (msgid) that says exactly what is wrong. Problems that do
not make a number invalid (e.g. an unknown province prefix) are returned as warnings.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

__all__ = [
    "DocumentType",
    "IdCheckResult",
    "IdDocumentError",
    "make_resident_id",
    "mask_number",
    "mod11_2_check_digit",
    "normalize_number",
    "validate_document",
    "validate_foreign_permanent_residence",
    "validate_hk_mo_permit",
    "validate_hmt_residence_permit",
    "validate_passport",
    "validate_resident_id",
    "validate_tw_permit",
]

_DIGITS = frozenset("0123456789")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)
_CHINA = ZoneInfo("Asia/Shanghai")
# Province-level prefixes of GB/T 2260, plus 71 (Taiwan) and 81/82/83 (HK/Macao/Taiwan
# residence permits, GB 11643 address codes 810000/820000/830000).
_PROVINCES = frozenset(
    [str(n) for n in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47))]
    + [str(n) for n in (*range(50, 55), *range(61, 66), 71, 81, 82, 83)]
)
_HMT_REGIONS = ("810000", "820000", "830000")
# Full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space -> half-width.
_FULL_TO_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_TW_RE = re.compile(r"[0-9]{8}|[0-9]{10}(\([A-Z0-9]\))?")
_CN_PASSPORT_RE = re.compile(r"[EGPSD][0-9]{8}|E[A-Z][0-9]{7}")


class IdDocumentError(ValueError):
    """An identity-document number is invalid; ``message`` is lazy Chinese text."""

    def __init__(self, code: str, message) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class DocumentType(enum.StrEnum):
    """Identity documents a candidate may register with."""

    resident_id = "resident_id"
    hmt_residence_permit = "hmt_residence_permit"
    hk_mo_permit = "hk_mo_permit"
    tw_permit = "tw_permit"
    foreign_permanent_residence = "foreign_permanent_residence"
    passport = "passport"

    def __str__(self) -> str:
        return self.value

    @property
    def title(self):
        """Lazy Chinese name of the document, for forms and printed tickets."""
        return _TITLES[self]

    @classmethod
    def from_label(cls, label: str | DocumentType) -> DocumentType:
        """Look a type up by value or Chinese name/alias (spreadsheet imports).

        Raises :class:`IdDocumentError` with code ``unknown_type`` when nothing matches.
        """
        if isinstance(label, cls):
            return label
        key = re.sub(r"\s+", "", normalize_number(label or "")).casefold()
        try:
            return cls(key) if key in cls._value2member_map_ else _ALIASES[key]
        except KeyError:
            raise IdDocumentError("unknown_type", _l("未知的证件类型“%(label)s”", label=label)) from None


_TITLES = {
    DocumentType.resident_id: _l("居民身份证"),
    DocumentType.hmt_residence_permit: _l("港澳台居民居住证"),
    DocumentType.hk_mo_permit: _l("港澳居民来往内地通行证"),
    DocumentType.tw_permit: _l("台湾居民来往大陆通行证"),
    DocumentType.foreign_permanent_residence: _l("外国人永久居留身份证"),
    DocumentType.passport: _l("护照"),
}

_ALIASES = {
    alias.casefold(): doc_type
    for doc_type, aliases in {
        DocumentType.resident_id: (
            "居民身份证",
            "身份证",
            "二代身份证",
            "中华人民共和国居民身份证",
        ),
        DocumentType.hmt_residence_permit: (
            "港澳台居民居住证",
            "港澳台居住证",
            "港澳居民居住证",
            "台湾居民居住证",
        ),
        DocumentType.hk_mo_permit: (
            "港澳居民来往内地通行证",
            "回乡证",
            "港澳回乡证",
        ),
        DocumentType.tw_permit: (
            "台湾居民来往大陆通行证",
            "台胞证",
        ),
        DocumentType.foreign_permanent_residence: (
            "外国人永久居留身份证",
            "外国人永久居留证",
            "永居证",
            "中国绿卡",
        ),
        DocumentType.passport: ("护照", "passport"),
    }.items()
    for alias in aliases
}


@dataclass(frozen=True)
class IdCheckResult:
    """A number that passed validation, with what it encodes."""

    number: str
    doc_type: DocumentType
    birth_date: date | None = None
    gender: str | None = None
    region_code: str | None = None
    warnings: tuple[str, ...] = ()


# --- helpers ---------------------------------------------------------------------------


def normalize_number(number: str | int | None) -> str:
    """Strip, convert full-width characters to half-width and upper-case."""
    if number is None:
        return ""
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    if not isinstance(number, str):
        raise TypeError(f"document number must be str, got {type(number).__name__}")
    return number.translate(_FULL_TO_HALF).strip().strip(_INVISIBLE).strip().upper()


def _prepare(number: str | int | None) -> str:
    """Normalise and reject empty input or inner whitespace."""
    text = normalize_number(number)
    if not text:
        raise IdDocumentError("empty", _l("证件号码不能为空"))
    if any(ch.isspace() for ch in text):
        raise IdDocumentError("charset", _l("证件号码中间不能有空格"))
    return text


def _is_digits(text: str) -> bool:
    return bool(text) and all(ch in _DIGITS for ch in text)


def _first_bad(text: str, allowed, offset: int = 0) -> tuple[int, str] | None:
    """1-based position and character of the first char not in ``allowed``."""
    for index, ch in enumerate(text, start=offset + 1):
        if ch not in allowed:
            return index, ch
    return None


def mod11_2_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') for 17 digits."""
    if len(first17) != 17 or not _is_digits(first17):
        raise ValueError("first17 must be exactly 17 ASCII digits")
    total = sum(int(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


# --- GB 11643 style 18-character numbers -------------------------------------------------


def _check_length(text: str, expected: int) -> None:
    if len(text) == expected:
        return
    if expected == 18 and len(text) == 15 and _is_digits(text):
        message = _l("长度应为 18 位，实际为 15 位（15 位的第一代身份证号码已停用）")
    else:
        message = _l(
            "长度应为 %(expected)d 位，实际为 %(actual)d 位",
            expected=expected,
            actual=len(text),
        )
    raise IdDocumentError("length", message)


def _check_gb11643_charset(text: str) -> None:
    bad = _first_bad(text[:17], _DIGITS)
    if bad:
        raise IdDocumentError(
            "charset",
            _l("第 %(pos)d 位应为数字，实际为“%(char)s”", pos=bad[0], char=bad[1]),
        )
    if text[17] not in _DIGITS and text[17] != "X":
        raise IdDocumentError(
            "charset",
            _l("第 18 位（校验位）应为数字或 X，实际为“%(char)s”", char=text[17]),
        )


def _parse_birth_date(digits: str, today: date | None) -> date:
    """Parse YYYYMMDD; must be a real date between 1900-01-01 and ``today``."""
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdDocumentError("birth_date", _l("出生日期 %(digits)s 不是有效日期", digits=digits)) from None
    if born < _EARLIEST_BIRTH:
        raise IdDocumentError("birth_date", _l("出生日期 %(digits)s 早于 1900-01-01", digits=digits))
    # Birth dates are Chinese calendar dates: compare with today's date in China, not UTC.
    today = today or datetime.now(_CHINA).date()
    if born > today:
        raise IdDocumentError(
            "future_birth",
            _l(
                "出生日期 %(digits)s 晚于今天（%(today)s）",
                digits=digits,
                today=today.isoformat(),
            ),
        )
    return born


def _check_check_digit(text: str) -> None:
    expected = mod11_2_check_digit(text[:17])
    if text[17] != expected:
        raise IdDocumentError(
            "check_digit",
            _l(
                "校验位应为 %(expected)s，实际为 %(actual)s",
                expected=expected,
                actual=text[17],
            ),
        )


def _validate_gb11643(number, today: date | None) -> tuple[str, date]:
    """Shared checks for 18-character numbers: length, charset, birth date, check digit."""
    text = _prepare(number)
    _check_length(text, 18)
    _check_gb11643_charset(text)
    born = _parse_birth_date(text[6:14], today)
    _check_check_digit(text)
    return text, born


def _region_warnings(region: str) -> tuple[str, ...]:
    if region[:2] not in _PROVINCES:
        return (
            _l(
                "地区码 %(region)s 的前两位 %(prefix)s 不是已知的省级行政区划代码",
                region=region,
                prefix=region[:2],
            ),
        )
    if region[:2] in ("81", "82", "83") and region not in _HMT_REGIONS:
        return (
            _l(
                "地区码 %(region)s 以 %(prefix)s 开头，但港澳台居民居住证的地区码应为 %(expected)s",
                region=region,
                prefix=region[:2],
                expected=region[:2] + "0000",
            ),
        )
    return ()


def _gender(text: str) -> str:
    return "M" if int(text[16]) % 2 else "F"


def validate_resident_id(number, *, today: date | None = None) -> IdCheckResult:
    """Validate a mainland resident ID (also accepts 81/82/83 residence-permit numbers)."""
    text, born = _validate_gb11643(number, today)
    return IdCheckResult(
        number=text,
        doc_type=DocumentType.resident_id,
        birth_date=born,
        gender=_gender(text),
        region_code=text[:6],
        warnings=_region_warnings(text[:6]),
    )


def validate_hmt_residence_permit(number, *, today: date | None = None) -> IdCheckResult:
    """Validate a HK/Macao/Taiwan residence permit (region 810000/820000/830000)."""
    text = _prepare(number)
    _check_length(text, 18)
    _check_gb11643_charset(text)
    if text[:6] not in _HMT_REGIONS:
        raise IdDocumentError(
            "region",
            _l(
                "港澳台居民居住证号码应以 810000、820000 或 830000 开头，实际为 %(region)s",
                region=text[:6],
            ),
        )
    text, born = _validate_gb11643(text, today)
    return IdCheckResult(
        number=text,
        doc_type=DocumentType.hmt_residence_permit,
        birth_date=born,
        gender=_gender(text),
        region_code=text[:6],
    )


# --- travel permits ---------------------------------------------------------------------


def validate_hk_mo_permit(number) -> IdCheckResult:
    """Validate a 港澳居民来往内地通行证: H/M + 8 digits, or H/M + 10 digits (older cards)."""
    text = _prepare(number)
    if text[0] not in "HM":
        raise IdDocumentError(
            "format",
            _l("首字母应为 H（香港）或 M（澳门），实际为“%(char)s”", char=text[0]),
        )
    bad = _first_bad(text[1:], _DIGITS, offset=1)
    if bad:
        raise IdDocumentError(
            "charset",
            _l("第 %(pos)d 位应为数字，实际为“%(char)s”", pos=bad[0], char=bad[1]),
        )
    if len(text) - 1 not in (8, 10):
        raise IdDocumentError(
            "length",
            _l(
                "%(letter)s 之后应为 8 位或 10 位数字，实际为 %(count)d 位",
                letter=text[0],
                count=len(text) - 1,
            ),
        )
    return IdCheckResult(number=text, doc_type=DocumentType.hk_mo_permit)


def validate_tw_permit(number) -> IdCheckResult:
    """Validate a 台胞证: 8 digits, or the older 10 digits with optional ``(B)`` suffix."""
    text = _prepare(number)
    if _TW_RE.fullmatch(text):
        return IdCheckResult(number=text, doc_type=DocumentType.tw_permit)
    if _is_digits(text):
        raise IdDocumentError(
            "length",
            _l("台胞证号码应为 8 位或 10 位数字，实际为 %(count)d 位", count=len(text)),
        )
    raise IdDocumentError(
        "format",
        _l(
            "台胞证号码“%(number)s”格式不正确：应为 8 位数字，或 10 位数字后加括号内的一个字母或数字，如 1234567890(B)",
            number=text,
        ),
    )


# --- foreign permanent residence ID -----------------------------------------------------


def _validate_fpr_15(text: str) -> IdCheckResult:
    bad = _first_bad(text[:3], "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if bad:
        raise IdDocumentError(
            "charset",
            _l(
                "15 位永居证号码前 3 位应为国家字母代码，第 %(pos)d 位为“%(char)s”",
                pos=bad[0],
                char=bad[1],
            ),
        )
    bad = _first_bad(text[3:], _DIGITS, offset=3)
    if bad:
        raise IdDocumentError(
            "charset",
            _l("第 %(pos)d 位应为数字，实际为“%(char)s”", pos=bad[0], char=bad[1]),
        )
    return IdCheckResult(number=text, doc_type=DocumentType.foreign_permanent_residence)


def _validate_fpr_18(text: str, today: date | None) -> IdCheckResult:
    if text[0] != "9":
        raise IdDocumentError(
            "format",
            _l("18 位永居证号码应以 9 开头，实际为“%(char)s”", char=text[0]),
        )
    text, born = _validate_gb11643(text, today)
    return IdCheckResult(number=text, doc_type=DocumentType.foreign_permanent_residence, birth_date=born)


def validate_foreign_permanent_residence(number, *, today: date | None = None) -> IdCheckResult:
    """Validate a 外国人永久居留身份证: 2023 18-digit form (starts with 9) or old 15-char form."""
    text = _prepare(number)
    if len(text) == 18:
        return _validate_fpr_18(text, today)
    if len(text) == 15:
        return _validate_fpr_15(text)
    raise IdDocumentError(
        "length",
        _l("永居证号码应为 18 位或 15 位，实际为 %(count)d 位", count=len(text)),
    )


# --- passport ---------------------------------------------------------------------------


def _passport_warnings(text: str) -> tuple[str, ...]:
    """Warn when an E-number looks like a Chinese passport but does not fit its pattern."""
    if text[0] != "E" or not 8 <= len(text) <= 10 or _CN_PASSPORT_RE.fullmatch(text):
        return ()
    return (
        _l(
            "以 E 开头的中国护照号码应为 9 位（E 加 8 位数字，或 E 加 1 个字母和 7 位数字），"
            "实际为“%(number)s”，请核对",
            number=text,
        ),
    )


def validate_passport(number) -> IdCheckResult:
    """Validate a passport number: 5–17 letters/digits (Chinese pattern only warns)."""
    text = _prepare(number)
    bad = _first_bad(text, _DIGITS | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if bad:
        raise IdDocumentError(
            "charset",
            _l(
                "护照号码只能包含字母和数字，第 %(pos)d 位为“%(char)s”",
                pos=bad[0],
                char=bad[1],
            ),
        )
    if not 5 <= len(text) <= 17:
        raise IdDocumentError(
            "length",
            _l("护照号码长度应为 5–17 位，实际为 %(count)d 位", count=len(text)),
        )
    return IdCheckResult(number=text, doc_type=DocumentType.passport, warnings=_passport_warnings(text))


# --- dispatch, masking, fixtures ------------------------------------------------------------

_VALIDATORS = {
    DocumentType.resident_id: validate_resident_id,
    DocumentType.hmt_residence_permit: validate_hmt_residence_permit,
    DocumentType.hk_mo_permit: validate_hk_mo_permit,
    DocumentType.tw_permit: validate_tw_permit,
    DocumentType.foreign_permanent_residence: validate_foreign_permanent_residence,
    DocumentType.passport: validate_passport,
}
_DATED = frozenset(
    {
        DocumentType.resident_id,
        DocumentType.hmt_residence_permit,
        DocumentType.foreign_permanent_residence,
    }
)


def _coerce_type(doc_type: DocumentType | str) -> DocumentType:
    if isinstance(doc_type, DocumentType):
        return doc_type
    try:
        return DocumentType(doc_type)
    except ValueError:
        raise IdDocumentError("unknown_type", _l("未知的证件类型“%(label)s”", label=doc_type)) from None


def validate_document(doc_type: DocumentType | str, number, *, today: date | None = None) -> IdCheckResult:
    """Validate ``number`` as ``doc_type`` (a DocumentType or its value string)."""
    kind = _coerce_type(doc_type)
    if kind in _DATED:
        return _VALIDATORS[kind](number, today=today)
    return _VALIDATORS[kind](number)


def mask_number(number, keep_start: int = 6, keep_end: int = 4, mask: str = "*") -> str:
    """Hide the middle of a number: ``11010519491231002X`` -> ``110105********002X``.

    When the number is too short for the requested ends to leave anything hidden,
    only a quarter of it is kept at each end, so the output never shows it whole.
    """
    if keep_start < 0 or keep_end < 0:
        raise ValueError("keep_start and keep_end must not be negative")
    text = normalize_number(number)
    if keep_start + keep_end >= len(text):
        keep_start = keep_end = len(text) // 4
    hidden = len(text) - keep_start - keep_end
    return text[:keep_start] + mask * hidden + text[len(text) - keep_end :]


def make_resident_id(region: str = "410102", birth: date = date(2004, 5, 6), sequence: int = 123) -> str:
    """Build a valid resident ID (test fixtures); the sequence's last digit sets gender."""
    if len(region) != 6 or not _is_digits(region):
        raise ValueError("region must be 6 ASCII digits")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be between 0 and 999")
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + mod11_2_check_digit(first17)
