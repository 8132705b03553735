"""Writing an allocation: keep unchanged placements, move changed ones, add new, drop the rest."""

from __future__ import annotations

from dataclasses import dataclass, field

from examsys.core.db import db
from examsys.modules.scheduling.models import Placement


@dataclass(frozen=True)
class Spot:
    """Where an application sits in a session: a seat (theory) or a station (practical)."""

    session_id: int
    room_id: int
    seat_id: int | None = None
    station_id: int | None = None
    form: str = ""

    def same_place(self, row: Placement) -> bool:
        return (row.session_id, row.room_id, row.seat_id, row.station_id) == (
            self.session_id, self.room_id, self.seat_id, self.station_id,
        )  # fmt: skip


@dataclass
class Stored:
    kept: int = 0
    new: int = 0
    removed: int = 0
    moved: list[str] = field(default_factory=list)  # names of people whose place changed


def store_placements(existing: dict[int, Placement], wanted: dict[int, Spot]) -> Stored:
    """Make the rows for ``existing``'s applications match ``wanted`` (application id -> spot)."""
    stored = Stored()
    changed: list[tuple[int, Spot]] = []
    for app_id, row in existing.items():
        spot = wanted.get(app_id)
        if spot is None:
            db.session.delete(row)
            stored.removed += 1
        elif not spot.same_place(row):
            db.session.delete(row)
            changed.append((app_id, spot))
            stored.moved.append(row.application.person.name)
        else:
            row.form = spot.form
            stored.kept += 1
    db.session.flush()  # free the places before anyone takes them (unique per session and seat/station)
    for app_id, spot in wanted.items():
        if app_id not in existing:
            changed.append((app_id, spot))
            stored.new += 1
    db.session.add_all(
        Placement(session_id=s.session_id, application_id=app_id, room_id=s.room_id, seat_id=s.seat_id,
                  station_id=s.station_id, form=s.form)
        for app_id, s in changed
    )  # fmt: skip
    db.session.flush()
    return stored
