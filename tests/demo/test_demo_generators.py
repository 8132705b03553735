"""Demo data generators: fictitious identities and synthetic ID portraits.

The resident-ID check digit and the photo checks are recomputed here independently of
the code under test, so a bug there cannot hide behind itself.
"""

from __future__ import annotations

import dataclasses
import io
import random
import re
from collections import Counter
from datetime import date

import cv2
import numpy as np
import pytest
from PIL import Image

from examsys.modules.demo.identities import FakePerson, generate_people
from examsys.modules.demo.portraits import render_portrait

# --- identities -----------------------------------------------------------------------

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_RE = re.compile(r"^41\d{4}(\d{8})\d{2}(\d)[\dX]$")
_CJK_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_PHONE_RE = re.compile(r"^1[3589]\d{9}$")


def expected_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2, written out long-hand for the test."""
    total = 0
    for digit, weight in zip(first17, _WEIGHTS, strict=True):
        total += int(digit) * weight
    remainder = total % 11
    return {0: "1", 1: "0", 2: "X"}.get(remainder, str(12 - remainder))


def test_reference_check_digit_matches_known_numbers() -> None:
    # Published sample number from GB 11643-1999, and one ending in a digit.
    assert expected_check_char("11010519491231002") == "X"
    assert expected_check_char("44052418800101001") == "4"


@pytest.fixture(scope="module")
def people() -> list[FakePerson]:
    return generate_people(1500)


def test_generate_people_is_deterministic_for_a_seed() -> None:
    assert generate_people(60, seed=7) == generate_people(60, seed=7)
    assert generate_people(60) == generate_people(60, seed=2026)


def test_generate_people_differs_between_seeds() -> None:
    first = generate_people(60, seed=7)
    second = generate_people(60, seed=8)
    assert [p.id_number for p in first] != [p.id_number for p in second]
    assert sum(a.name == b.name for a, b in zip(first, second, strict=True)) < 10


def test_generate_people_ignores_and_preserves_global_random_state() -> None:
    random.seed(123)
    expected_next = random.random()
    random.seed(123)
    a = generate_people(30, seed=5)
    assert random.random() == expected_next
    random.seed(999)
    assert generate_people(30, seed=5) == a


def test_count_is_respected(people: list[FakePerson]) -> None:
    assert len(people) == 1500
    assert generate_people(0) == []
    assert len(generate_people(1)) == 1


def test_id_numbers_are_unique_and_valid(people: list[FakePerson]) -> None:
    ids = [p.id_number for p in people]
    assert len(set(ids)) == len(ids)
    for number in ids:
        assert _ID_RE.match(number), number
        assert number[17] == expected_check_char(number[:17]), number


def test_id_numbers_stay_unique_when_the_number_space_is_crowded() -> None:
    # One birth year leaves ~7 million possible numbers: 20,000 people would hold
    # dozens of duplicates unless collisions are re-drawn.
    crowded = generate_people(20_000, seed=11, birth_years=(2005, 2005))
    ids = [p.id_number for p in crowded]
    assert len(set(ids)) == len(ids) == 20_000
    for p in crowded[:2000]:
        assert p.id_number[17] == expected_check_char(p.id_number[:17])
        assert p.id_number[6:14] == p.birth_date.strftime("%Y%m%d")


def test_id_numbers_encode_birth_date_and_gender(people: list[FakePerson]) -> None:
    for p in people:
        match = _ID_RE.match(p.id_number)
        assert match, p.id_number
        assert match.group(1) == p.birth_date.strftime("%Y%m%d")
        gender_digit = int(match.group(2))
        assert p.gender == ("M" if gender_digit % 2 else "F"), p
        assert 2002 <= p.birth_date.year <= 2007


def test_birth_years_argument_is_respected() -> None:
    older = generate_people(300, seed=3, birth_years=(1980, 1981))
    assert {p.birth_date.year for p in older} == {1980, 1981}
    for p in older:
        assert p.id_number[6:14] == p.birth_date.strftime("%Y%m%d")
    with pytest.raises(ValueError):
        generate_people(1, birth_years=(2007, 2002))


def test_person_fields_look_realistic(people: list[FakePerson]) -> None:
    genders = Counter(p.gender for p in people)
    assert set(genders) == {"M", "F"}
    assert min(genders.values()) > 600

    for p in people:
        assert _CJK_RE.match(p.name), p.name
        assert _PHONE_RE.match(p.phone), p.phone
        assert isinstance(p.birth_date, date)

    surnames = Counter(p.name[0] for p in people)
    top = {s for s, _ in surnames.most_common(5)}
    assert len(top & set("王李张刘陈")) >= 4
    compound = [p.name for p in people if p.name[:2] in ("欧阳", "司马")]
    assert 0 < len(compound) < 30

    ethnicities = Counter(p.ethnicity for p in people)
    assert ethnicities.most_common(1)[0][0] == "汉族"
    assert ethnicities["汉族"] > 0.85 * len(people)
    assert len(ethnicities) >= 3
    assert all(e.endswith("族") for e in ethnicities)

    statuses = Counter(p.political_status for p in people)
    assert set(statuses) == {"共青团员", "群众", "中共党员"}
    assert statuses.most_common(1)[0][0] == "共青团员"
    assert statuses["中共党员"] < 0.1 * len(people)


def test_fake_person_is_frozen(people: list[FakePerson]) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        people[0].name = "改名"  # type: ignore[misc]


# --- portraits ------------------------------------------------------------------------

PHOTO_SEEDS = [*range(40), 977, 1234, 40_000, 2**31 - 1]
BORDER = 0.06  # outer band that must be background, as a fraction of each side
BORDER_SIDES_DOWN_TO = 0.75  # side bands stop here: shoulders reach the bottom edges


@pytest.fixture(scope="module")
def cascade() -> cv2.CascadeClassifier:
    classifier = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    assert not classifier.empty()
    return classifier


def detect_faces(cascade: cv2.CascadeClassifier, rgb: np.ndarray) -> np.ndarray:
    gray = cv2.equalizeHist(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    side = int(rgb.shape[1] * 0.2)
    faces = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(side, side))
    return np.asarray(faces).reshape(-1, 4)


def light_border_fraction(rgb: np.ndarray) -> float:
    h, w = rgb.shape[:2]
    bh, bw = round(h * BORDER), round(w * BORDER)
    down_to = round(h * BORDER_SIDES_DOWN_TO)
    band = np.concatenate(
        [
            rgb[:bh].reshape(-1, 3),
            rgb[bh:down_to, :bw].reshape(-1, 3),
            rgb[bh:down_to, w - bw :].reshape(-1, 3),
        ]
    )
    return float((band >= 225).all(axis=1).mean())


@pytest.mark.parametrize("gender", ["M", "F"])
@pytest.mark.parametrize("seed", PHOTO_SEEDS)
def test_portrait_passes_photo_checks(cascade: cv2.CascadeClassifier, seed: int, gender: str) -> None:
    data = render_portrait(seed, gender)

    assert 50 * 1024 <= len(data) <= 200 * 1000, len(data)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    w, h = image.size
    assert abs((w / h) / (413 / 579) - 1) <= 0.01, image.size

    rgb = np.asarray(image.convert("RGB"))
    assert light_border_fraction(rgb) >= 0.95

    faces = detect_faces(cascade, rgb)
    assert len(faces) == 1, faces.tolist()
    x, y, fw, fh = faces[0]
    # The single detection is the drawn face: centred and in the upper half.
    assert abs((x + fw / 2) / w - 0.5) < 0.1
    assert (y + fh / 2) / h < 0.55


def test_portrait_is_deterministic_and_varies() -> None:
    assert render_portrait(11, "F") == render_portrait(11, "F")
    assert render_portrait(11, "F") != render_portrait(12, "F")
    assert render_portrait(11, "M") != render_portrait(11, "F")


def test_portraits_vary_in_appearance() -> None:
    means = set()
    for seed in range(12):
        rgb = np.asarray(Image.open(io.BytesIO(render_portrait(seed, "M"))))
        h = rgb.shape[0]
        # Mean colour of the clothing area and of the face centre, coarsely binned.
        clothing = rgb[int(h * 0.92) :, :].reshape(-1, 3).mean(axis=0)
        face = rgb[int(h * 0.38) : int(h * 0.45), 180:230].reshape(-1, 3).mean(axis=0)
        means.add((tuple((clothing // 12).astype(int)), tuple((face // 12).astype(int))))
    assert len(means) >= 8


def test_portrait_rejects_unknown_gender() -> None:
    with pytest.raises(ValueError):
        render_portrait(1, "X")


def test_portrait_honours_size() -> None:
    image = Image.open(io.BytesIO(render_portrait(3, "M", size=(354, 496))))
    assert image.size == (354, 496)
