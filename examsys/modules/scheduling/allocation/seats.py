"""Seats and labs: seat labels, forms by position, the spare-seat policy, per-lab plans."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from examsys.modules.scheduling.allocation.model import Lab, SeatSpec, Settings

# --------------------------------------------------------------------------- seats and labs


def _row_letters(row: int) -> str:
    letters = ""
    while row > 0:
        row, rest = divmod(row - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def form_for(row: int, col: int, forms: Sequence[str]) -> str:
    """The form printed for a seat: no two orthogonal neighbours share one (needs two forms)."""
    k = len(forms)
    if k == 2:
        return forms[(row + col) % 2]
    return forms[(row + 2 * col) % k]


def _choose_spares(usable: list[SeatSpec], count: int) -> list[int]:
    """Outermost in-service seats of each row, back row first: right end, then left end."""
    by_row: dict[int, list[SeatSpec]] = defaultdict(list)
    for seat in usable:
        by_row[seat.row].append(seat)
    spares: list[int] = []
    for row in sorted(by_row, reverse=True):
        seats = sorted(by_row[row], key=lambda s: s.col)
        ends = [seats[-1], seats[0]] if len(seats) > 1 else [seats[0]]
        for seat in ends:
            if len(spares) == count:
                return spares
            spares.append(seat.id)
    if len(spares) < count:  # more spares than row ends: take further seats from the back
        taken = set(spares)
        for seat in sorted(usable, key=lambda s: (-s.row, -s.col)):
            if len(spares) == count:
                break
            if seat.id not in taken:
                spares.append(seat.id)
    return spares


class _LabPlan:
    """Everything about one lab the allocator needs, computed once."""

    __slots__ = (
        "black",
        "capacity",
        "forward",
        "index",
        "lab",
        "label",
        "neighbours",
        "position",
        "seat",
        "seat_form",
        "spares",
        "title",
        "usable_free",
        "white",
    )

    def __init__(self, lab: Lab, settings: Settings, index: int) -> None:
        self.lab = lab
        self.index = index
        self.title = lab.name or f"机房（{lab.id}）"
        self.seat: dict[int, SeatSpec] = {}
        at: dict[tuple[int, int], int] = {}
        for s in lab.seats:
            if s.id in self.seat:
                raise ValueError(f"机房 {self.title} 的座位编号 {s.id} 重复")
            if (s.row, s.col) in at:
                raise ValueError(f"机房 {self.title} 第 {s.row} 排第 {s.col} 列有两个座位")
            if not (1 <= s.row <= lab.rows and 1 <= s.col <= lab.cols):
                raise ValueError(f"机房 {self.title} 的座位 {s.id} 不在 {lab.rows}×{lab.cols} 的座位图内")
            self.seat[s.id] = s
            at[(s.row, s.col)] = s.id
        self.label = {s.id: s.label or f"{_row_letters(s.row)}{s.col:02d}" for s in lab.seats}
        self.seat_form = {s.id: form_for(s.row, s.col, settings.forms) for s in lab.seats}
        # neighbours: all four directions; forward: right and behind, each pair once, with its kind.
        self.neighbours: dict[int, tuple[int, ...]] = {}
        self.forward: dict[int, tuple[tuple[int, str], ...]] = {}
        for s in lab.seats:
            near = [at.get(p) for p in ((s.row, s.col + 1), (s.row, s.col - 1), (s.row + 1, s.col), (s.row - 1, s.col))]
            self.neighbours[s.id] = tuple(n for n in near if n is not None)
            fwd = [(near[0], "左右"), (near[2], "前后")]
            self.forward[s.id] = tuple((n, kind) for n, kind in fwd if n is not None)
        ordered = sorted((s for s in lab.seats if s.in_service), key=lambda s: (s.row, s.col))
        self.position = {s.id: i for i, s in enumerate(ordered)}
        self.spares = frozenset(_choose_spares(ordered, max(settings.spare_per_lab, 0)))
        free = [s for s in ordered if s.id not in self.spares]
        self.capacity = len(free)
        even = [s.id for s in free if (s.row + s.col) % 2 == 0]
        odd = [s.id for s in free if (s.row + s.col) % 2 == 1]
        # "black" is the larger colour (ties: even), filled first; both in reading order.
        self.black, self.white = (even, odd) if len(even) >= len(odd) else (odd, even)
        self.usable_free = [*self.black, *self.white]  # preferred order for single placements


def spare_seat_ids(lab: Lab, settings: Settings | None = None) -> list[int]:
    """The seats kept free in ``lab`` under the spare-seat policy (see the module docstring)."""
    plan = _LabPlan(lab, settings or Settings(), 0)
    return sorted(plan.spares, key=lambda sid: plan.position[sid])


def _plans(labs: Iterable[Lab], settings: Settings) -> dict[int, _LabPlan]:
    plans: dict[int, _LabPlan] = {}
    for i, lab in enumerate(labs):
        if lab.id in plans:
            raise ValueError(f"机房编号 {lab.id} 重复")
        plans[lab.id] = _LabPlan(lab, settings, i)
    return plans


def _short_class(class_key: str) -> str:
    return class_key.rsplit(":", 1)[-1]


def usable_seats(lab: Lab, settings: Settings) -> list[tuple[int, str]]:
    """(seat id, form) of the lab's in-service, non-spare seats in the order single placements prefer."""
    plan = _LabPlan(lab, settings, 0)
    return [(seat_id, plan.seat_form[seat_id]) for seat_id in plan.usable_free]
