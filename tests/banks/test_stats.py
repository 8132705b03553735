"""Item statistics: facility, point-biserial discrimination, flags and KR-20."""

import pytest

from examsys.modules.banks.stats import analyse, point_biserial


def test_facility_and_discrimination_on_a_known_matrix():
    # Item 0 separates strong from weak candidates; item 1 everyone gets; item 2 favours the weak.
    scores = [
        [1, 1, 0, 1, 1, 1, 1],
        [1, 1, 0, 1, 1, 1, 1],
        [1, 1, 0, 1, 0, 1, 1],
        [0, 1, 1, 0, 0, 0, 0],
        [0, 1, 1, 0, 0, 0, 0],
        [0, 1, 1, 0, 1, 0, 0],
    ]
    stat = analyse(scores)
    first, easy, reversed_ = stat.items[0], stat.items[1], stat.items[2]
    assert first.facility == 0.5 and first.discrimination > 0.5 and first.flags == []
    assert easy.facility == 1.0 and easy.discrimination is None and easy.flags == ["too_easy"]
    assert reversed_.discrimination < 0 and "negative_discrimination" in reversed_.flags
    assert stat.attempts == 6 and stat.mean == pytest.approx(4.0)  # totals 6, 6, 5, 2, 2, 3


def test_point_biserial_matches_pearson():
    item = [1, 0, 1, 1, 0, 0, 1]
    rest = [9, 3, 7, 8, 4, 5, 6]
    mx, my = sum(item) / 7, sum(rest) / 7
    cov = sum((x - mx) * (y - my) for x, y in zip(item, rest, strict=True))
    expected = cov / (sum((x - mx) ** 2 for x in item) ** 0.5 * sum((y - my) ** 2 for y in rest) ** 0.5)
    assert point_biserial(item, rest) == pytest.approx(expected)


def test_reliability_is_high_for_a_consistent_test_and_needs_two_attempts():
    consistent = [[1] * 10, [1] * 8 + [0] * 2, [1] * 5 + [0] * 5, [1] * 2 + [0] * 8, [0] * 10]
    assert analyse(consistent).kr20 > 0.9
    with pytest.raises(ValueError):
        analyse([[1, 0]])
