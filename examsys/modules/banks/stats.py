"""Classical item statistics from scored responses: facility, discrimination, reliability.

Input is a score matrix: one row per attempt, one column per item, each cell the points
earned divided by the item's points (0..1). Delivery stores attempts; this module only does
the arithmetic, so it serves a single form, all forms of a batch, or a what-if re-score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

FACILITY_RANGE = (0.2, 0.9)  # outside: too hard / too easy
MIN_DISCRIMINATION = 0.2  # below: weak; below 0: likely a wrong key


@dataclass
class ItemStat:
    column: int
    facility: float
    discrimination: float | None
    flags: list[str] = field(default_factory=list)


@dataclass
class FormStat:
    attempts: int
    mean: float
    sd: float
    kr20: float | None
    items: list[ItemStat]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _sd(values: list[float]) -> float:
    m = _mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def point_biserial(item: list[float], rest: list[float]) -> float | None:
    """Correlation of the item score with the rest-of-test score (the item left out)."""
    sx, sy = _sd(item), _sd(rest)
    if sx == 0 or sy == 0:
        return None
    mx, my = _mean(item), _mean(rest)
    covariance = sum((x - mx) * (y - my) for x, y in zip(item, rest, strict=True)) / len(item)
    return covariance / (sx * sy)


def flags_for(facility: float, discrimination: float | None) -> list[str]:
    flags = []
    if facility < FACILITY_RANGE[0]:
        flags.append("too_hard")
    if facility > FACILITY_RANGE[1]:
        flags.append("too_easy")
    if discrimination is not None and discrimination < 0:
        flags.append("negative_discrimination")
    elif discrimination is not None and discrimination < MIN_DISCRIMINATION:
        flags.append("low_discrimination")
    return flags


def analyse(scores: list[list[float]]) -> FormStat:
    """Statistics for every item (column) and the form; needs at least two attempts."""
    if len(scores) < 2:
        raise ValueError("need at least two attempts")
    totals = [sum(row) for row in scores]
    items = []
    for column in range(len(scores[0])):
        item = [row[column] for row in scores]
        rest = [total - x for total, x in zip(totals, item, strict=True)]
        facility = _mean(item)
        discrimination = point_biserial(item, rest)
        items.append(
            ItemStat(
                column,
                round(facility, 4),
                None if discrimination is None else round(discrimination, 4),
                flags_for(facility, discrimination),
            )
        )
    return FormStat(len(scores), _mean(totals), _sd(totals), _kr20(scores, totals), items)


def _kr20(scores: list[list[float]], totals: list[float]) -> float | None:
    """KR-20 reliability (for dichotomous items; an estimate otherwise)."""
    k = len(scores[0])
    variance = _sd(totals) ** 2
    if k < 2 or variance == 0:
        return None
    pq = sum(_mean(col) * (1 - _mean(col)) for col in zip(*scores, strict=True))
    return round(k / (k - 1) * (1 - pq / variance), 4)
