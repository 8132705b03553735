"""The plain data of practical-test allocation, its checks and its capacity report.

See :mod:`examsys.modules.scheduling.practical` for the rules; this module holds the dataclasses,
the validated index of the inputs (:class:`_Index`), the hard-rule check shared by the allocator
and manual moves (:func:`_refusals`), the capacity check and the reasons for unplaced candidates.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

Interval = tuple[datetime, datetime]
_Right = tuple[int, int]  # (slot_id, station_id)


@dataclass(frozen=True, slots=True)
class PracticalCandidate:
    id: int
    occupation_id: int
    class_key: str = ""
    busy: tuple[Interval, ...] = ()  # the candidate's other sittings


@dataclass(frozen=True, slots=True)
class Station:
    id: int
    label: str
    station_type: str = ""
    in_service: bool = True


@dataclass(frozen=True, slots=True)
class Venue:
    id: int
    occupation_ids: frozenset[int]
    stations: tuple[Station, ...]
    name: str = ""


@dataclass(frozen=True, slots=True)
class OccupationSpec:
    id: int
    name: str = ""
    station_type: str = ""  # required station type; "" = any station of a serving venue


@dataclass(frozen=True, slots=True)
class Slot:
    id: int
    start: datetime
    end: datetime
    venue_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PracticalInputs:
    candidates: Sequence[PracticalCandidate]
    venues: Sequence[Venue]
    slots: Sequence[Slot]
    occupations: Sequence[OccupationSpec] = ()  # occupations without a spec: any station type
    previous: Mapping[int, tuple[int, ...]] = field(default_factory=dict)


class StationPlacement(NamedTuple):
    slot_id: int
    venue_id: int
    station_id: int


@dataclass(frozen=True, slots=True)
class Shortage:
    occupation_ids: tuple[int, ...]
    candidates: int
    station_slots: int
    stations: int
    slots_needed: int | None  # more slots at the current station count; None when no station at all
    message: str


@dataclass(slots=True)
class PracticalAllocation:
    placements: dict[int, StationPlacement]
    unplaced: dict[int, str]  # candidate id -> reason
    warnings: list[str]
    shortages: list[Shortage] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)


def _overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class _Index:
    """The inputs, validated and indexed once."""

    def __init__(self, inputs: PracticalInputs) -> None:
        self.cand: dict[int, PracticalCandidate] = {}
        for c in inputs.candidates:
            if c.id in self.cand:
                raise ValueError(f"考生 {c.id} 重复")
            self.cand[c.id] = c
        self.venue: dict[int, Venue] = {}
        self.venue_order: dict[int, int] = {}
        self.station: dict[int, tuple[Venue, Station]] = {}
        for i, v in enumerate(inputs.venues):
            if v.id in self.venue:
                raise ValueError(f"场地编号 {v.id} 重复")
            self.venue[v.id], self.venue_order[v.id] = v, i
            for s in v.stations:
                if s.id in self.station:
                    raise ValueError(f"工位编号 {s.id} 重复")
                self.station[s.id] = (v, s)
        self.occ = {o.id: o for o in inputs.occupations}
        self.slots = sorted(inputs.slots, key=lambda s: (s.start, s.end, s.id))
        self.slot = {s.id: s for s in self.slots}
        if len(self.slot) != len(self.slots):
            raise ValueError("场次编号重复")
        self.slot_no = {s.id: i for i, s in enumerate(self.slots, 1)}
        self._check_slots()
        occupations = sorted({c.occupation_id for c in self.cand.values()})
        self.usable = {o: [sid for sid in self.station if self.usable_for(o, sid)] for o in occupations}
        share = defaultdict(int)
        for sids in self.usable.values():
            for sid in sids:
                share[sid] += 1
        key = {sid: (share[sid], self.venue_order[v.id], s.label, sid) for sid, (v, s) in self.station.items()}
        self._eligible: dict[tuple[int, int], list[int]] = {}
        for o, sids in self.usable.items():
            sids.sort(key=key.__getitem__)
            for slot in self.slots:
                open_ = set(slot.venue_ids)
                self._eligible[(o, slot.id)] = [sid for sid in sids if self.station[sid][0].id in open_]

    def _check_slots(self) -> None:
        for s in self.slots:
            if s.start >= s.end:
                raise ValueError(f"场次 {s.id} 的结束时间不晚于开始时间")
            if unknown := [v for v in s.venue_ids if v not in self.venue]:
                raise ValueError(f"场次 {s.id} 开放了不存在的场地 {unknown}")

    def occ_title(self, occupation_id: int) -> str:
        spec = self.occ.get(occupation_id)
        return f"{spec.name}（{occupation_id}）" if spec and spec.name else f"职业 {occupation_id}"

    def required_type(self, occupation_id: int) -> str:
        spec = self.occ.get(occupation_id)
        return spec.station_type if spec else ""

    def usable_for(self, occupation_id: int, station_id: int) -> bool:
        venue, station = self.station[station_id]
        wanted = self.required_type(occupation_id)
        return (
            station.in_service
            and occupation_id in venue.occupation_ids
            and (not wanted or station.station_type == wanted)
        )

    def eligible(self, occupation_id: int, slot_id: int) -> list[int]:
        return self._eligible.get((occupation_id, slot_id), [])

    def busy_in(self, c: PracticalCandidate, slot: Slot) -> Interval | None:
        return next((b for b in c.busy if _overlaps(b, (slot.start, slot.end))), None)

    def slot_title(self, slot: Slot) -> str:
        return f"第 {self.slot_no[slot.id]} 场（{slot.start:%m-%d %H:%M}–{slot.end:%H:%M}）"

    def place_title(self, station_id: int) -> str:
        venue, station = self.station[station_id]
        return f"{venue.name or '实操场地'}（{venue.id}）工位 {station.label}"


def _refusals(ix: _Index, c: PracticalCandidate, slot_id: int, station_id: int) -> list[str]:
    """Why ``c`` cannot sit at the station in the slot, occupancy aside (the allocator's own checks)."""
    slot = ix.slot.get(slot_id)
    out = [] if slot else [f"没有编号为 {slot_id} 的场次"]
    if station_id not in ix.station:
        return [*out, f"没有编号为 {station_id} 的工位"]
    venue, station = ix.station[station_id]
    place, occ = ix.place_title(station_id), ix.occ_title(c.occupation_id)
    if slot and venue.id not in slot.venue_ids:
        out.append(f"{venue.name or '实操场地'}（{venue.id}）在{ix.slot_title(slot)}不开放")
    if not station.in_service:
        out.append(f"{place} 已停用")
    if c.occupation_id not in venue.occupation_ids:
        out.append(f"{venue.name or '实操场地'}（{venue.id}）不承担{occ}的实操考试")
    wanted = ix.required_type(c.occupation_id)
    if wanted and station.station_type != wanted:
        out.append(f"{place} 的类型是“{station.station_type or '未注明'}”，{occ}需要“{wanted}”")
    if slot and (b := ix.busy_in(c, slot)):
        out.append(f"考生 {c.id} 在{ix.slot_title(slot)}另有考试（{b[0]:%m-%d %H:%M}–{b[1]:%H:%M}）")
    return out


def _capacity(ix: _Index) -> list[Shortage]:
    count = defaultdict(int)
    for c in ix.cand.values():
        count[c.occupation_id] += 1
    pairs = {o: {(s.id, sid) for s in ix.slots for sid in ix.eligible(o, s.id)} for o in count}
    found: list[Shortage] = []

    def report(occs: list[int], alone: int = 0) -> None:
        n = sum(count[o] for o in occs)
        have = len(set().union(*(pairs[o] for o in occs)))
        stations = len(set().union(*(ix.usable[o] for o in occs)))
        if n - have <= alone:
            return
        names = "、".join(ix.occ_title(o) for o in occs)
        head = f"{names} 共用工位：考生共 {n} 人" if len(occs) > 1 else f"{names}：考生 {n} 人"
        if not stations:
            found.append(Shortage(tuple(occs), n, 0, 0, None, f"{head}，{_why_unplaced(ix, occs[0])}"))
            return
        more = math.ceil((n - have) / stations)
        msg = f"{head}，可用工位·场次 {have} 个，缺 {n - have} 个；按现有 {stations} 个工位计，还需增加 {more} 场"
        found.append(Shortage(tuple(occs), n, have, stations, more, msg))

    for o in sorted(count):
        report([o])
    groups: dict[int, list[int]] = {}  # union of occupations sharing a station, by smallest member
    for o in sorted(count):
        linked = {g for g, members in groups.items() if any(set(ix.usable[o]) & set(ix.usable[m]) for m in members)}
        merged = sorted({o}.union(*(groups.pop(g) for g in linked)))
        groups[merged[0]] = merged
    for members in sorted(groups.values()):
        if len(members) > 1:
            report(members, alone=sum(max(0, count[o] - len(pairs[o])) for o in members))
    return found


def _why_unplaced(ix: _Index, o: int, c: PracticalCandidate | None = None) -> str:
    occ = ix.occ_title(o)
    if not any(o in v.occupation_ids for v in ix.venue.values()):
        return f"没有场地承担{occ}的实操考试"
    if not ix.usable[o]:
        wanted = ix.required_type(o)
        return f"承担{occ}的场地没有在用的{'“' + wanted + '”' if wanted else ''}工位"
    open_slots = [s for s in ix.slots if ix.eligible(o, s.id)]
    if not open_slots:
        return f"没有场次开放承担{occ}的场地"
    free = [s for s in open_slots if c is None or not ix.busy_in(c, s)]
    if not free:
        return f"{occ}的 {len(open_slots)} 个场次都与该考生的其他考试时间冲突"
    return f"{occ}的可用工位在该考生可参加的 {len(free)} 个场次中已全部排满"
