"""The plain data the allocator works on: candidates, labs, seats, sittings, the result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SOFT = "提示："


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    class_key: str  # groups classmates, e.g. "college:2024:24电商1班"
    batch_id: int
    name: str = ""  # shown in messages instead of the id when given


@dataclass(frozen=True, slots=True)
class SeatSpec:
    id: int
    row: int  # 1 = front row
    col: int  # 1 = leftmost column
    in_service: bool = True
    label: str = ""  # desk label; defaults to row letter + column, e.g. B03


@dataclass(frozen=True, slots=True)
class Lab:
    id: int
    rows: int
    cols: int
    seats: Sequence[SeatSpec]
    name: str = ""


@dataclass(frozen=True, slots=True)
class Sitting:
    id: int
    order: int
    # The labs booked for this sitting; None = every lab passed to ``allocate``.
    lab_ids: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    spare_per_lab: int = 2
    forms: tuple[str, ...] = ("A", "B")


@dataclass(frozen=True, slots=True)
class Placement:
    sitting_id: int
    lab_id: int
    seat_id: int
    form: str


@dataclass(slots=True)
class Allocation:
    placements: dict[int, Placement]
    unplaced: list[int]
    warnings: list[str]
    # Candidates of ``previous`` whose placement changed because their seat was no longer valid.
    moved: list[int] = field(default_factory=list)
    # Context kept for check_move / apply_move and for re-evaluating warnings.
    class_keys: dict[int, str] = field(default_factory=dict)
    sitting_orders: dict[int, int] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    names: dict[int, str] = field(default_factory=dict)

    def who(self, candidate_id: int) -> str:
        return self.names.get(candidate_id) or str(candidate_id)


@dataclass(frozen=True, slots=True)
class Violations:
    adjacent_classmates: int
    same_form_neighbours: int
    spare_seats_used: int
    out_of_service_used: int
    double_booked: int


class MoveRefused(ValueError):
    """A manual move that breaks a hard rule; ``reasons`` are the Chinese explanations."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("；".join(reasons))
        self.reasons = reasons
