"""Exam rooms: theory labs with seat maps, practical venues with stations, outdoor venues."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin, enum_type
from examsys.modules.catalog.models import Occupation


class RoomKind(enum.StrEnum):
    THEORY_LAB = "theory_lab"
    PRACTICAL = "practical"
    OUTDOOR = "outdoor"

    @property
    def title(self) -> str:
        return str(ROOM_KIND_TITLES[self])


ROOM_KIND_TITLES = {
    RoomKind.THEORY_LAB: _l("理论机房"),
    RoomKind.PRACTICAL: _l("实操场地"),
    RoomKind.OUTDOOR: _l("室外场地"),
}

room_occupations = sa.Table(
    "room_occupations",
    Base.metadata,
    sa.Column("room_id", sa.ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("occupation_id", sa.ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True),
)


class Room(IdMixin, TimestampMixin, Base):
    __tablename__ = "rooms"

    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[RoomKind] = mapped_column(enum_type(RoomKind, "room_kind"))
    building: Mapped[str] = mapped_column(sa.String(60), default="")
    area_m2: Mapped[float | None]
    # Seat-map grid size for labs; seats outside the map are refused.
    rows: Mapped[int] = mapped_column(default=0)
    cols: Mapped[int] = mapped_column(default=0)
    front_camera: Mapped[str] = mapped_column(sa.String(200), default="")
    back_camera: Mapped[str] = mapped_column(sa.String(200), default="")
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)

    seats: Mapped[list[Seat]] = relationship(
        back_populates="room", cascade="all, delete-orphan", order_by=lambda: (Seat.row, Seat.col)
    )
    stations: Mapped[list[Station]] = relationship(
        back_populates="room", cascade="all, delete-orphan", order_by="Station.label"
    )
    occupations: Mapped[list[Occupation]] = relationship(secondary=room_occupations)

    __table_args__ = (sa.CheckConstraint("rows >= 0 AND cols >= 0", name="grid_size"),)

    @property
    def capacity(self) -> int:
        """Usable places: seats in service for a lab, stations in service for a venue."""
        places = self.seats if self.kind is RoomKind.THEORY_LAB else self.stations
        return sum(1 for p in places if p.in_service)


class Seat(IdMixin, Base):
    __tablename__ = "seats"

    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    row: Mapped[int]
    col: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(10))
    hostname: Mapped[str] = mapped_column(sa.String(60), default="")
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    in_service: Mapped[bool] = mapped_column(default=True)

    room: Mapped[Room] = relationship(back_populates="seats")

    __table_args__ = (
        sa.UniqueConstraint("room_id", "row", "col"),
        sa.UniqueConstraint("room_id", "label"),
        sa.CheckConstraint("row >= 1 AND col >= 1", name="position"),
    )


class Station(IdMixin, Base):
    """A practical work place (工位): a lift, a lathe, a sewing machine, a forklift bay."""

    __tablename__ = "stations"

    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(20))
    station_type: Mapped[str] = mapped_column(sa.String(60), default="")
    in_service: Mapped[bool] = mapped_column(default=True)

    room: Mapped[Room] = relationship(back_populates="stations")

    __table_args__ = (sa.UniqueConstraint("room_id", "label"),)
