"""Tests for examsys.core.ids: identity-document validation, masking and fixtures."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta

import pytest
from flask_babel.speaklater import LazyString

from examsys.core.ids import (
    DocumentType,
    IdCheckResult,
    IdDocumentError,
    make_resident_id,
    mask_number,
    mod11_2_check_digit,
    validate_document,
    validate_foreign_permanent_residence,
    validate_hk_mo_permit,
    validate_hmt_residence_permit,
    validate_passport,
    validate_resident_id,
    validate_tw_permit,
)

TODAY = date(2025, 6, 1)
SAMPLE = "11010519491231002X"


def _raises(code: str, func, *args, **kwargs) -> str:
    """Assert ``func`` raises IdDocumentError with ``code``; return its message text."""
    with pytest.raises(IdDocumentError) as excinfo:
        func(*args, **kwargs)
    assert excinfo.value.code == code
    return str(excinfo.value)


def _with_birth(digits: str, region: str = "410102") -> str:
    first17 = f"{region}{digits}123"
    return first17 + mod11_2_check_digit(first17)


# --- check digit ---------------------------------------------------------------------


def test_mod11_2_known_vector():
    assert mod11_2_check_digit("11010519491231002") == "X"
    assert mod11_2_check_digit("44052418800101001") == "4"


@pytest.mark.parametrize("bad", ["1101051949123100", "1101051949123100A", "１" * 17])
def test_mod11_2_rejects_malformed_input(bad):
    with pytest.raises(ValueError):
        mod11_2_check_digit(bad)


# --- resident ID ---------------------------------------------------------------------


def test_sample_resident_id_accepted_and_decoded():
    result = validate_resident_id(SAMPLE, today=TODAY)
    assert result == IdCheckResult(
        number=SAMPLE,
        doc_type=DocumentType.resident_id,
        birth_date=date(1949, 12, 31),
        gender="F",
        region_code="110105",
        warnings=(),
    )


def test_odd_17th_digit_is_male():
    number = make_resident_id(sequence=101)
    assert validate_resident_id(number, today=TODAY).gender == "M"


def test_lower_case_x_and_whitespace_normalised():
    result = validate_resident_id("  11010519491231002x\t", today=TODAY)
    assert result.number == SAMPLE


def test_full_width_characters_normalised():
    result = validate_resident_id("１１０１０５１９４９１２３１００２ｘ", today=TODAY)
    assert result.number == SAMPLE
    assert result.birth_date == date(1949, 12, 31)


def test_wrong_check_digit_names_expected_digit():
    message = _raises("check_digit", validate_resident_id, SAMPLE[:-1] + "3", today=TODAY)
    assert message == "校验位应为 X，实际为 3"


@pytest.mark.parametrize("digits", ["19900230", "20230229", "19901301", "19900100"])
def test_impossible_birth_date_rejected(digits):
    number = _with_birth(digits)
    message = _raises("birth_date", validate_resident_id, number, today=TODAY)
    assert message == f"出生日期 {digits} 不是有效日期"


def test_leap_day_accepted():
    result = validate_resident_id(_with_birth("20000229"), today=TODAY)
    assert result.birth_date == date(2000, 2, 29)


def test_birth_before_1900_rejected():
    message = _raises("birth_date", validate_resident_id, _with_birth("18991231"), today=TODAY)
    assert "18991231" in message and "1900-01-01" in message


def test_future_birth_date_rejected():
    number = make_resident_id(birth=TODAY + timedelta(days=1))
    message = _raises("future_birth", validate_resident_id, number, today=TODAY)
    assert "20250602" in message and "2025-06-01" in message


def test_birth_today_accepted():
    number = make_resident_id(birth=TODAY)
    assert validate_resident_id(number, today=TODAY).birth_date == TODAY


def test_default_today_is_used_without_argument():
    number = make_resident_id(birth=date.today() + timedelta(days=400))
    _raises("future_birth", validate_resident_id, number)


def test_seventeen_characters_rejected_with_length():
    message = _raises("length", validate_resident_id, SAMPLE[:17], today=TODAY)
    assert message == "长度应为 18 位，实际为 17 位"


def test_fifteen_digit_first_generation_id_explained():
    message = _raises("length", validate_resident_id, "110105491231002", today=TODAY)
    assert "15 位" in message and "第一代" in message


def test_letter_inside_rejected_with_position():
    message = _raises("charset", validate_resident_id, "1101051949A231002X", today=TODAY)
    assert message == "第 11 位应为数字，实际为“A”"


def test_bad_last_character_rejected():
    message = _raises("charset", validate_resident_id, SAMPLE[:-1] + "Y", today=TODAY)
    assert "第 18 位" in message and "Y" in message


@pytest.mark.parametrize("empty", ["", "   ", None, "\u3000"])
def test_empty_input_rejected(empty):
    assert _raises("empty", validate_resident_id, empty) == "证件号码不能为空"


def test_inner_space_rejected():
    _raises("charset", validate_resident_id, "110105 19491231002X", today=TODAY)


def test_unknown_province_warns_but_passes():
    number = make_resident_id(region="991234")
    result = validate_resident_id(number, today=TODAY)
    assert result.region_code == "991234"
    assert len(result.warnings) == 1
    assert "991234" in str(result.warnings[0]) and "99" in str(result.warnings[0])


@pytest.mark.parametrize("region", ["110105", "460100", "540102", "650102", "710000"])
def test_known_provinces_have_no_warning(region):
    assert validate_resident_id(make_resident_id(region=region), today=TODAY).warnings == ()


@pytest.mark.parametrize("region", ["160000", "240000", "470000", "660000", "000000"])
def test_gaps_between_province_codes_warn(region):
    result = validate_resident_id(make_resident_id(region=region), today=TODAY)
    assert len(result.warnings) == 1


def test_retired_county_code_is_valid():
    # 110103 (former Chongwen district) was retired in 2010; old IDs stay valid.
    result = validate_resident_id(make_resident_id(region="110103"), today=TODAY)
    assert result.warnings == ()


@pytest.mark.parametrize("region", ["810000", "820000", "830000"])
def test_residence_permit_accepted_as_resident_id(region):
    result = validate_resident_id(make_resident_id(region=region), today=TODAY)
    assert result.doc_type is DocumentType.resident_id
    assert result.region_code == region
    assert result.warnings == ()


def test_odd_hmt_region_under_resident_id_warns():
    result = validate_resident_id(make_resident_id(region="811234"), today=TODAY)
    assert len(result.warnings) == 1 and "810000" in str(result.warnings[0])


# --- HK/Macao/Taiwan residence permit -------------------------------------------------


@pytest.mark.parametrize("region", ["810000", "820000", "830000"])
def test_hmt_residence_permit_accepted(region):
    number = make_resident_id(region=region, birth=date(1990, 1, 1), sequence=124)
    result = validate_hmt_residence_permit(number, today=TODAY)
    assert result.doc_type is DocumentType.hmt_residence_permit
    assert (result.birth_date, result.gender, result.region_code) == (
        date(1990, 1, 1),
        "F",
        region,
    )


@pytest.mark.parametrize("region", ["410102", "811234", "710000"])
def test_hmt_residence_permit_refuses_other_regions(region):
    number = make_resident_id(region=region)
    message = _raises("region", validate_hmt_residence_permit, number, today=TODAY)
    assert region in message


def test_hmt_residence_permit_still_checks_check_digit_and_date():
    number = make_resident_id(region="810000")
    _raises("check_digit", validate_hmt_residence_permit, number[:-1] + "0", today=TODAY)
    _raises("birth_date", validate_hmt_residence_permit, _with_birth("19900230", "810000"))


# --- HK/Macao travel permit ------------------------------------------------------------


@pytest.mark.parametrize("number", ["H12345678", "M87654321", "H1234567801", "m1234567800"])
def test_hk_mo_permit_accepted(number):
    result = validate_hk_mo_permit(number)
    assert result.number == number.upper()
    assert result.doc_type is DocumentType.hk_mo_permit
    assert result.birth_date is None and result.gender is None


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("K12345678", "format"),
        ("12345678", "format"),
        ("H1234567", "length"),
        ("H123456789", "length"),
        ("H123456780123", "length"),
        ("H1234A678", "charset"),
    ],
)
def test_hk_mo_permit_rejected(number, code):
    _raises(code, validate_hk_mo_permit, number)


def test_hk_mo_permit_length_message_counts_digits():
    assert _raises("length", validate_hk_mo_permit, "H123456789") == ("H 之后应为 8 位或 10 位数字，实际为 9 位")


# --- Taiwan travel permit ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("12345678", "12345678"),
        ("1234567890", "1234567890"),
        ("1234567890(B)", "1234567890(B)"),
        ("1234567890(3)", "1234567890(3)"),
        ("１２３４５６７８９０（ｂ）", "1234567890(B)"),
    ],
)
def test_tw_permit_accepted(raw, normalised):
    result = validate_tw_permit(raw)
    assert result.number == normalised
    assert result.doc_type is DocumentType.tw_permit


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("1234567", "length"),
        ("123456789", "length"),
        ("12345678(B)", "format"),
        ("1234567890B", "format"),
        ("1234567890(BC)", "format"),
        ("T1234567", "format"),
    ],
)
def test_tw_permit_rejected(number, code):
    _raises(code, validate_tw_permit, number)


# --- foreign permanent residence ID -------------------------------------------------------


def test_foreign_permanent_residence_18_accepted():
    number = make_resident_id(region="931840", birth=date(1985, 3, 4), sequence=12)
    result = validate_foreign_permanent_residence(number, today=TODAY)
    assert result.doc_type is DocumentType.foreign_permanent_residence
    assert result.birth_date == date(1985, 3, 4)
    assert result.number == number


def test_foreign_permanent_residence_15_accepted_and_normalised():
    result = validate_foreign_permanent_residence("usa110165041201")
    assert result.number == "USA110165041201"
    assert result.birth_date is None


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (make_resident_id(region="410102"), "format"),
        (make_resident_id(region="931840")[:-1] + "Z", "charset"),
        ("US1110165041201", "charset"),
        ("USA11016504120A", "charset"),
        ("USA11016504120", "length"),
        ("9318401985030401", "length"),
        (_with_birth("19850230", "931840"), "birth_date"),
    ],
)
def test_foreign_permanent_residence_rejected(number, code):
    _raises(code, validate_foreign_permanent_residence, number, today=TODAY)


def test_foreign_permanent_residence_wrong_check_digit():
    number = make_resident_id(region="931840")
    wrong = "0" if number[-1] != "0" else "1"
    message = _raises(
        "check_digit",
        validate_foreign_permanent_residence,
        number[:-1] + wrong,
        today=TODAY,
    )
    assert message == f"校验位应为 {number[-1]}，实际为 {wrong}"


# --- passport ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["E12345678", "EA1234567", "G12345678", "P12345678", "D12345678", "S12345678"],
)
def test_chinese_passport_accepted_without_warning(number):
    result = validate_passport(number)
    assert result.doc_type is DocumentType.passport
    assert result.warnings == ()


@pytest.mark.parametrize("number", ["X1234567", "123456789", "AB12345", "C01X00T47", "A" * 17])
def test_foreign_passport_accepted(number):
    assert validate_passport(number.lower()).number == number


@pytest.mark.parametrize("number", ["E1234567", "EAB123456", "E123456789", "E12A45678"])
def test_chinese_looking_passport_warns(number):
    result = validate_passport(number)
    assert len(result.warnings) == 1
    assert number in str(result.warnings[0])


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("A123", "length"),
        ("A" * 18, "length"),
        ("E1234-678", "charset"),
        ("中国12345", "charset"),
    ],
)
def test_passport_rejected(number, code):
    _raises(code, validate_passport, number)


def test_passport_charset_message_names_character():
    assert _raises("charset", validate_passport, "E1234-678") == ("护照号码只能包含字母和数字，第 6 位为“-”")


# --- dispatch and DocumentType -------------------------------------------------------------


@pytest.mark.parametrize("doc_type", [DocumentType.resident_id, "resident_id"])
def test_validate_document_dispatches(doc_type):
    result = validate_document(doc_type, SAMPLE, today=TODAY)
    assert result.doc_type is DocumentType.resident_id


@pytest.mark.parametrize(
    ("doc_type", "number"),
    [
        ("hmt_residence_permit", make_resident_id(region="820000")),
        ("hk_mo_permit", "H12345678"),
        ("tw_permit", "12345678"),
        ("foreign_permanent_residence", "USA110165041201"),
        ("passport", "E12345678"),
    ],
)
def test_validate_document_each_type(doc_type, number):
    assert validate_document(doc_type, number, today=TODAY).doc_type == DocumentType(doc_type)


def test_validate_document_forwards_today():
    number = make_resident_id(birth=date(2020, 1, 1))
    _raises("future_birth", validate_document, "resident_id", number, today=date(2019, 1, 1))


def test_validate_document_unknown_type():
    _raises("unknown_type", validate_document, "driving_licence", "123456")


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("身份证", DocumentType.resident_id),
        ("居民身份证", DocumentType.resident_id),
        (" 居民 身份证 ", DocumentType.resident_id),
        ("resident_id", DocumentType.resident_id),
        ("港澳台居民居住证", DocumentType.hmt_residence_permit),
        ("回乡证", DocumentType.hk_mo_permit),
        ("港澳居民来往内地通行证", DocumentType.hk_mo_permit),
        ("台胞证", DocumentType.tw_permit),
        ("外国人永久居留身份证", DocumentType.foreign_permanent_residence),
        ("护照", DocumentType.passport),
        ("Passport", DocumentType.passport),
        (DocumentType.tw_permit, DocumentType.tw_permit),
    ],
)
def test_document_type_from_label(label, expected):
    assert DocumentType.from_label(label) is expected


@pytest.mark.parametrize("label", ["驾驶证", "", "港澳通行证"])
def test_document_type_from_label_unknown(label):
    _raises("unknown_type", DocumentType.from_label, label)


def test_document_type_titles_and_str():
    assert str(DocumentType.resident_id.title) == "居民身份证"
    assert str(DocumentType.tw_permit.title) == "台湾居民来往大陆通行证"
    assert all(str(t.title) for t in DocumentType)
    assert str(DocumentType.passport) == "passport"
    assert DocumentType.passport == "passport"


# --- error object, result, masking ---------------------------------------------------------


def test_error_is_value_error_with_lazy_message():
    with pytest.raises(ValueError) as excinfo:
        validate_resident_id(SAMPLE[:17])
    err = excinfo.value
    assert isinstance(err, IdDocumentError)
    assert isinstance(err.message, LazyString)
    assert str(err) == str(err.message)


def test_warnings_are_lazy_strings():
    result = validate_resident_id(make_resident_id(region="991234"), today=TODAY)
    assert isinstance(result.warnings[0], LazyString)


def test_result_is_frozen():
    result = validate_resident_id(SAMPLE, today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.number = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((SAMPLE,), "110105********002X"),
        (("11010519491231002x",), "110105********002X"),
        ((SAMPLE, 3, 2), "110*************2X"),
        ((SAMPLE, 0, 0), "*" * 18),
        (("E12345678",), "E1*****78"),
        (("",), ""),
    ],
)
def test_mask_number(args, expected):
    assert mask_number(*args) == expected


def test_mask_number_never_shows_short_number_whole():
    for length in range(1, 12):
        number = "7" * length
        masked = mask_number(number)
        assert len(masked) == length and masked != number


# --- fixture builder ---------------------------------------------------------------------


def test_make_resident_id_default_and_gender():
    number = make_resident_id()
    assert number[:17] == "41010220040506123"
    assert validate_resident_id(number, today=TODAY).gender == "M"
    assert validate_resident_id(make_resident_id(sequence=8), today=TODAY).gender == "F"


@pytest.mark.parametrize(
    "kwargs",
    [{"region": "41010"}, {"region": "41010A"}, {"sequence": 1000}, {"sequence": -1}],
)
def test_make_resident_id_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        make_resident_id(**kwargs)


_PROVINCES = ["11", "23", "31", "37", "44", "46", "50", "54", "61", "65", "71"]


def _random_region(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return rng.choice(["810000", "820000", "830000"])
    return rng.choice(_PROVINCES) + f"{rng.randrange(10000):04d}"


def test_make_resident_id_round_trips_random_values():
    rng = random.Random(20250601)
    span = (TODAY - date(1900, 1, 1)).days
    for _ in range(500):
        region = _random_region(rng)
        birth = date(1900, 1, 1) + timedelta(days=rng.randrange(span + 1))
        sequence = rng.randrange(1000)
        number = make_resident_id(region=region, birth=birth, sequence=sequence)
        result = validate_resident_id(number.lower(), today=TODAY)
        assert (result.number, result.birth_date, result.region_code) == (
            number,
            birth,
            region,
        )
        assert result.gender == ("M" if sequence % 2 else "F")
        assert result.warnings == ()
        wrong = rng.choice([c for c in "0123456789X" if c != number[-1]])
        _raises("check_digit", validate_resident_id, number[:-1] + wrong, today=TODAY)
