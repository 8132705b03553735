"""Room writes: labs with seat maps and venues with stations."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from examsys.core import audit
from examsys.core.db import db
from examsys.modules.catalog.models import Occupation
from examsys.modules.scheduling.models import Room, RoomKind, Seat, Station


def seat_label(row: int, col: int) -> str:
    """Row letter + column number, as printed on desk labels: A01, B12."""
    return f"{chr(ord('A') + row - 1)}{col:02d}"


def create_lab(code: str, name: str, building: str, rows: int, cols: int, subnet: str) -> Room:
    """A theory lab with a full ``rows`` x ``cols`` seat map; each seat gets a host and IP."""
    room = Room(code=code, name=name, kind=RoomKind.THEORY_LAB, building=building, rows=rows, cols=cols,
                front_camera=f"{code}-front", back_camera=f"{code}-back")  # fmt: skip
    for row in range(1, rows + 1):
        for col in range(1, cols + 1):
            n = (row - 1) * cols + col
            room.seats.append(
                Seat(
                    row=row,
                    col=col,
                    label=seat_label(row, col),
                    hostname=f"{code.lower()}-{n:03d}",
                    ip=f"{subnet}.{n + 10}",
                )
            )
    db.session.add(room)
    audit.record("room.create", room, after={"code": code, "kind": room.kind.value, "seats": rows * cols})
    return room


def create_venue(
    code: str, name: str, kind: RoomKind, stations: int, station_type: str, occupations: Iterable[Occupation],
    area_m2: float | None = None, note: str = "",
) -> Room:  # fmt: skip
    room = Room(code=code, name=name, kind=kind, area_m2=area_m2, note=note, occupations=list(occupations))
    room.stations = [Station(label=f"{i:03d}", station_type=station_type) for i in range(1, stations + 1)]
    db.session.add(room)
    audit.record("room.create", room, after={"code": code, "kind": kind.value, "stations": stations})
    return room


def load_rooms(labs, venues) -> int:
    """Create the labs and venues not there yet (matched by code); returns how many."""
    existing = set(db.session.scalars(sa.select(Room.code)))
    occupations = {o.name: o for o in db.session.scalars(sa.select(Occupation))}
    created = 0
    for index, (code, name, building, rows, cols) in enumerate(labs, start=1):
        if code not in existing:
            create_lab(code, name, building, rows, cols, subnet=f"10.20.{index}")
            created += 1
    for venue in venues:
        if venue.code not in existing:
            create_venue(venue.code, venue.name, RoomKind(venue.kind), venue.stations, venue.station_type,
                         [occupations[n] for n in venue.occupations if n in occupations],
                         area_m2=venue.area_m2, note=venue.note)  # fmt: skip
            created += 1
    return created
