"""Practical-test allocation: candidates to stations (工位) in time slots; a pure algorithm.

No database and no Flask: callers turn registrations, practical venues, stations and the plan's
practical slots into the dataclasses below, call :func:`allocate_practical`, and store the
resulting :class:`StationPlacement` rows. Same input, same output: everything is sorted by
explicit keys.

Vocabulary: a *venue* (实操场地) serves one or more occupations and has *stations*, each with a
``station_type`` (e.g. "举升机") and an in-service flag; a *slot* (场次) is a time interval in
which some venues are open. Station ids are unique across venues. An occupation may require a
station type; ``""`` means any station of a venue serving the occupation.

Rules
-----
Hard (also the checks of :func:`check_move`)
    A candidate only sits at a station that is in service, in a venue that serves their
    occupation and is open in the slot, and of the occupation's required type; one candidate per
    station per slot; never in a slot overlapping one of the candidate's ``busy`` intervals
    (their other sittings, e.g. the theory test; intervals that only touch do not overlap).
Capacity check (before placing; ``PracticalAllocation.shortages`` and ``warnings``)
    Per occupation: candidates vs station-slots (the usable stations of every open venue, summed
    over the slots). A shortage names the occupation, the candidates, the station-slots and how
    many more slots are needed at the current number of usable stations (ceil(missing / stations)).
    Occupations that share stations (one venue for 汽车维修工 and 汽车装调工) are also checked
    together, and reported when sharing makes the shortage worse than the sum of their own.
Order
    Slots are filled in time order, each as far as possible before the next is used. Within an
    occupation candidates go by ``(class_key, id)``, so classmates are contiguous; stations are
    taken in venue order and label order, stations usable by fewer occupations first (so shared
    stations are left for whoever needs them). A candidate whose last usable slot this is goes
    first.
Fair sharing
    When occupations compete for shared stations in a slot, candidates are dealt in proportion to
    each occupation's remaining candidates (weighted round robin), and placement in a slot is an
    augmenting-path matching: a candidate of one occupation is moved off a shared station onto a
    free station only they can use when that lets a candidate of the other occupation in. After
    all slots a last augmenting pass over all slots places whoever is still left if any
    rearrangement allows it, so nobody is unplaced while a valid arrangement for them exists.
Unplaced
    ``PracticalAllocation.unplaced`` maps every candidate left out to the reason (no venue serves
    the occupation, no in-service station of the type, no slot opens such a venue, every such
    slot clashes with the candidate's other sittings, or all such station-slots are taken).
Stability
    With ``previous`` (candidate -> (slot_id, station_id) or (slot_id, venue_id, station_id))
    every candidate whose earlier place still passes the hard rules keeps it, in candidate-id
    order (a station kept by an earlier candidate is not valid for a later one); the others are
    placed anew and listed in ``PracticalAllocation.moved``; kept candidates are never moved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence

from examsys.modules.scheduling.allocation.model import MoveRefused
from examsys.modules.scheduling.practical_model import (
    Interval,
    OccupationSpec,
    PracticalAllocation,
    PracticalCandidate,
    PracticalInputs,
    Shortage,
    Slot,
    Station,
    StationPlacement,
    Venue,
    _capacity,
    _Index,
    _refusals,
    _Right,
    _why_unplaced,
)

__all__ = [
    "Interval",
    "MoveRefused",
    "OccupationSpec",
    "PracticalAllocation",
    "PracticalCandidate",
    "PracticalInputs",
    "Shortage",
    "Slot",
    "Station",
    "StationPlacement",
    "Venue",
    "allocate_practical",
    "apply_move",
    "check_move",
]


def _augment(
    start: int, adj: Callable[[int], list[_Right]], owner: dict[_Right, int], at: dict[int, _Right], fixed: set[int]
) -> bool:
    """Kuhn's augmenting path from ``start`` (iterative), moving only candidates not in ``fixed``.

    Every candidate on the path takes a free place of its own when it has one, so a search moves
    as few candidates as possible and places are taken in adjacency order.
    """
    seen: set[_Right] = set()
    stack: list[tuple[int, Iterator[_Right]]] = []
    path: list[_Right] = []

    def enter(cid: int) -> bool:
        rights = adj(cid)
        free = next((r for r in rights if r not in owner), None)
        if free is None:
            stack.append((cid, iter(rights)))
            return False
        for (c, _), r in zip([*stack, (cid, None)], [*path, free], strict=True):
            at[c], owner[r] = r, c
        return True

    if enter(start):
        return True
    while stack:
        for right in stack[-1][1]:
            if right in seen or owner[right] in fixed:
                continue
            seen.add(right)
            path.append(right)
            if enter(owner[right]):
                return True
            break
        else:
            stack.pop()
            if path:
                path.pop()
    return False


class _Matching:
    """Who sits where: ``owner[(slot_id, station_id)]`` and ``at[candidate_id]``; ``fixed`` never move."""

    def __init__(self, ix: _Index) -> None:
        self.ix = ix
        self.owner: dict[_Right, int] = {}
        self.at: dict[int, _Right] = {}
        self.fixed: set[int] = set()
        self.feasible: dict[int, list[int]] = {}  # slots a candidate may use, in time order

    def keep_previous(self, previous: Mapping[int, tuple[int, ...]]) -> list[int]:
        """Keep every still-valid earlier place; return the ids whose place became invalid."""
        moved = []
        for cid in sorted(c for c in previous if c in self.ix.cand):
            right = (previous[cid][0], previous[cid][-1])
            if right in self.owner or _refusals(self.ix, self.ix.cand[cid], *right):
                moved.append(cid)
            else:
                self.owner[right], self.at[cid] = cid, right
                self.fixed.add(cid)
        return moved

    def adjacent(self, cid: int, slot_ids: Sequence[int]) -> list[_Right]:
        occupation_id = self.ix.cand[cid].occupation_id
        return [(s, sid) for s in slot_ids for sid in self.ix.eligible(occupation_id, s)]

    def fill_slot(self, slot_id: int, left: list[PracticalCandidate]) -> None:
        """Match as many of ``left`` as possible into the slot, in priority order (see the docstring)."""
        total: dict[int, int] = defaultdict(int)
        for c in left:
            total[c.occupation_id] += 1
        rank: dict[int, int] = defaultdict(int)
        keyed = []
        for c in left:  # ``left`` is in queue order, so ranks follow it within an occupation
            k = rank[c.occupation_id]
            rank[c.occupation_id] += 1
            last = self.feasible[c.id][-1:] == [slot_id]
            keyed.append(((not last, (k + 0.5) / total[c.occupation_id], c.occupation_id, c.class_key, c.id), c))
        keyed.sort(key=lambda t: t[0])
        failed: set[int] = set()  # a failed search depends only on the occupation: skip its other candidates
        for _, c in keyed:
            if c.occupation_id in failed or slot_id not in self.feasible[c.id]:
                continue
            if not _augment(c.id, lambda cid: self.adjacent(cid, [slot_id]), self.owner, self.at, self.fixed):
                failed.add(c.occupation_id)

    def final_pass(self, left: list[PracticalCandidate]) -> None:
        """Augmenting paths over all slots for whoever is still left (maximum matching)."""
        failed: set[tuple] = set()
        for c in left:
            sig = (c.occupation_id, tuple(self.feasible[c.id]))
            if sig not in failed and not _augment(
                c.id, lambda cid: self.adjacent(cid, self.feasible[cid]), self.owner, self.at, self.fixed
            ):
                failed.add(sig)


def allocate_practical(inputs: PracticalInputs) -> PracticalAllocation:
    """Place every candidate at a station in the earliest slots; see the module docstring."""
    ix = _Index(inputs)
    m = _Matching(ix)
    moved = m.keep_previous(inputs.previous)
    left = sorted((c for c in ix.cand.values() if c.id not in m.at), key=lambda c: (c.occupation_id, c.class_key, c.id))
    for c in left:
        m.feasible[c.id] = [s.id for s in ix.slots if ix.eligible(c.occupation_id, s.id) and not ix.busy_in(c, s)]
    for slot in ix.slots:
        if not left:
            break
        m.fill_slot(slot.id, left)
        left = [c for c in left if c.id not in m.at]
    m.final_pass(left)

    placements = {cid: StationPlacement(s, ix.station[sid][0].id, sid) for cid, (s, sid) in sorted(m.at.items())}
    unplaced = {
        c.id: _why_unplaced(ix, c.occupation_id, c) for c in sorted(left, key=lambda c: c.id) if c.id not in m.at
    }
    shortages = _capacity(ix)
    warnings = [f"容量不足：{s.message}" for s in shortages]
    if moved:
        warnings.append(f"有 {len(moved)} 名考生的原工位已失效，已重新安排：{'、'.join(map(str, moved))}")
    if unplaced:
        warnings.append(f"还有 {len(unplaced)} 名考生未能安排：{'、'.join(map(str, unplaced))}")
    return PracticalAllocation(placements, unplaced, warnings, shortages, moved)


def check_move(
    allocation: PracticalAllocation, inputs: PracticalInputs, candidate_id: int, slot_id: int, station_id: int
) -> list[str]:
    """Why moving the candidate to the station in the slot is refused; empty when it is allowed."""
    ix = _Index(inputs)
    c = ix.cand.get(candidate_id)
    if c is None:
        return [f"考生 {candidate_id} 不在本次编排中"]
    out = _refusals(ix, c, slot_id, station_id)
    if station_id in ix.station and slot_id in ix.slot:
        for cid, p in allocation.placements.items():
            if (p.slot_id, p.station_id) == (slot_id, station_id):
                where = ix.place_title(station_id)
                if cid == candidate_id:
                    out.append(f"考生 {cid} 已经在{ix.slot_title(ix.slot[slot_id])} {where}")
                else:
                    out.append(f"{where} 在{ix.slot_title(ix.slot[slot_id])}已被考生 {cid} 占用")
    return out


def apply_move(
    allocation: PracticalAllocation, inputs: PracticalInputs, candidate_id: int, slot_id: int, station_id: int
) -> PracticalAllocation:
    """A new allocation with the candidate moved; raises MoveRefused with the reasons otherwise."""
    if refusals := check_move(allocation, inputs, candidate_id, slot_id, station_id):
        raise MoveRefused(refusals)
    venue_id = next(v.id for v in inputs.venues if any(s.id == station_id for s in v.stations))
    placements = dict(allocation.placements)
    placements[candidate_id] = StationPlacement(slot_id, venue_id, station_id)
    unplaced = {cid: why for cid, why in allocation.unplaced.items() if cid != candidate_id}
    warnings = [w for w in allocation.warnings if not w.startswith("还有 ")]
    if unplaced:
        warnings.append(f"还有 {len(unplaced)} 名考生未能安排：{'、'.join(map(str, unplaced))}")
    return PracticalAllocation(
        dict(sorted(placements.items())), unplaced, warnings, list(allocation.shortages), list(allocation.moved)
    )
