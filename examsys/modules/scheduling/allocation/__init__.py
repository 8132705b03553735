"""Seat allocation for theory-lab sittings: a pure algorithm over plain dataclasses.

No database and no Flask: callers turn rooms, seats, sessions and registrations into the
dataclasses below, call :func:`allocate`, and store the resulting :class:`Placement` rows.

Vocabulary (as in ``scheduling.models``): a *lab* is a theory room with a ``rows`` x ``cols``
seat map; a *seat* has a 1-based ``row`` (1 = front) and ``col`` (1 = left) and may be out of
service; a *sitting* is one time slot, and every lab is available in every sitting.

Rules
-----
Hard
    One candidate per seat; only in-service seats; ``spare_per_lab`` seats of every lab are kept
    free in every sitting (capacity = in-service seats - spares).
Soft (reported in ``Allocation.warnings`` when not met)
    Two candidates with the same ``class_key`` are never orthogonal neighbours (same row and
    adjacent column: 左右相邻; same column and adjacent row: 前后相邻) in the same lab and sitting.
Forms
    The paper form is a property of the seat: with two forms the checkerboard ``(row + col) % 2``;
    with ``k >= 3`` forms ``(row + 2 * col) % k``, under which orthogonal neighbours differ by 1 or 2
    (mod k) and so never share a form (from four forms on, diagonal neighbours differ too). Any
    pair of occupied neighbours sharing a form is still checked and reported.

Spare-seat policy
    Spares are the outermost in-service seats of the back row (right end, then left end), then
    of the row in front of it, and so on. With the default of two they are the two back corners:
    next to the back door and the side aisles, so an invigilator can move a candidate whose
    machine fails without walking through the room, and the block of seated candidates stays
    whole. The same seats are spare in every sitting.

Algorithm
    1. Candidates are queued by ``(batch_id, class_key, id)`` so a batch, and within it a class,
       sits in consecutive sittings; sittings are filled in ``order``, each to capacity, so the
       fewest sittings are used. A partly filled last sitting uses the fewest labs (labs in the
       order given) whose larger checkerboard colour holds everyone, so nobody sits next to anybody
       and few invigilators are needed.
    2. Within a sitting, candidates are dealt to labs in proportion to the labs' quotas: every
       class is spread evenly over the labs (a class of 40 in 14 labs puts about 3 in each).
    3. Within a lab the seats split into the two checkerboard colours; orthogonal neighbours always
       have different colours, so two classmates can only be neighbours if their class has seats
       on both colours. Classes are packed onto the colours whole (first fit, largest class
       first); at most one class has to be split, and its two parts go to opposite ends of the
       room (the back of one colour and the front of the other). Within a colour, classmates are
       spread evenly over the seats. A lab filled to at most one colour's size has no two
       candidates side by side at all.
    4. A repair pass swaps any candidate still next to a classmate with a candidate of another
       class in the same lab (or moves them to a free non-spare seat) while that lowers the number
       of conflicts. Whatever remains (e.g. a single class filling a lab) is reported.
    Result: no classmates side by side whenever no class in a lab exceeds the smaller checkerboard
    colour of its usable seats (about half the lab; above that it is impossible in a full lab,
    whose only two-colouring is the checkerboard). The tests check 3,000 random mixes of that kind;
    the 10,000-candidate benchmark has 0 pairs (14,538 when seated class by class in order).
    Everything is sorted with explicit keys: the same input always gives the same output.

Stability
    With ``previous`` every candidate whose earlier seat is still valid (the sitting, lab and seat
    exist, the seat is in service, nobody else kept it) keeps it; removed candidates free their
    seats; new candidates (and the few whose seat became invalid, listed in ``Allocation.moved``)
    are placed greedily into free non-spare seats of the earliest sittings with room, each on the
    free seat with the fewest classmates and then the fewest candidates next to it; the repair
    pass then only moves these newly placed candidates. Sittings without any kept candidate are
    filled as in steps 2-4.

Manual moves
    :func:`check_move` lists why a move is refused (unknown candidate, sitting, lab or seat; seat
    out of service; seat occupied) followed by soft warnings prefixed ``提示：`` (the seat is a
    reserved spare, a classmate would be a neighbour); :func:`apply_move` returns a new
    :class:`Allocation` or raises :class:`MoveRefused`.
"""

from examsys.modules.scheduling.allocation.checking import apply_move, check_move, move_problems, recheck, violations
from examsys.modules.scheduling.allocation.model import (
    Allocation,
    Candidate,
    Lab,
    MoveRefused,
    Placement,
    SeatSpec,
    Settings,
    Sitting,
    Violations,
)
from examsys.modules.scheduling.allocation.placing import _repair, allocate  # noqa: F401 - used by tests
from examsys.modules.scheduling.allocation.seats import _LabPlan, form_for, spare_seat_ids, usable_seats  # noqa: F401 - used by tests

__all__ = [
    "Allocation",
    "Candidate",
    "Lab",
    "MoveRefused",
    "Placement",
    "SeatSpec",
    "Settings",
    "Sitting",
    "Violations",
    "allocate",
    "apply_move",
    "check_move",
    "form_for",
    "move_problems",
    "recheck",
    "spare_seat_ids",
    "usable_seats",
    "violations",
]
