"""Room writes: labs with seat maps and venues with stations."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, NotFound, Problem
from examsys.modules.catalog.models import Occupation
from examsys.modules.scheduling.models import Placement, Room, RoomKind, Seat, Station


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


# --- reads used by the writes below and by the rooms pages, API and import ------------------

MAX_ROWS, MAX_COLS = 26, 99  # row letters A-Z; two-digit column numbers
ROOM_FIELDS = ("code", "name", "building", "area_m2", "front_camera", "back_camera", "note", "active")
SEAT_FIELDS = ("label", "hostname", "ip", "in_service")
STATION_FIELDS = ("label", "station_type", "in_service")
_HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")


def list_rooms(kind: RoomKind | None = None) -> list[Room]:
    """Every room by code, with seats, stations and occupations loaded."""
    stmt = sa.select(Room).order_by(Room.code)
    stmt = stmt.options(selectinload(Room.seats), selectinload(Room.stations), selectinload(Room.occupations))
    if kind is not None:
        stmt = stmt.where(Room.kind == kind)
    return list(db.session.scalars(stmt))


def get_room(room_id: int) -> Room:
    room = db.session.get(Room, room_id)
    if room is None:
        raise NotFound(_("考场不存在"))
    return room


def get_seat(room: Room, seat_id: int) -> Seat:
    seat = db.session.get(Seat, seat_id)
    if seat is None or seat.room_id != room.id:
        raise NotFound(_("座位不存在"))
    return seat


def get_station(room: Room, station_id: int) -> Station:
    station = db.session.get(Station, station_id)
    if station is None or station.room_id != room.id:
        raise NotFound(_("工位不存在"))
    return station


def placed_seat_ids(seat_ids: Iterable[int]) -> set[int]:
    """The seats among ``seat_ids`` that a candidate has been placed on (in any session)."""
    ids = [i for i in seat_ids if i is not None]
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(Placement.seat_id).where(Placement.seat_id.in_(ids)).distinct()))


def placed_station_ids(station_ids: Iterable[int]) -> set[int]:
    ids = [i for i in station_ids if i is not None]
    if not ids:
        return set()
    stmt = sa.select(Placement.station_id).where(Placement.station_id.in_(ids)).distinct()
    return set(db.session.scalars(stmt))


# --- validation rules shared by the forms, the API and the workbook import ------------------


def ip_problem(value: str) -> str | None:
    """Why ``value`` is not a dotted IPv4 address (empty is allowed), or None."""
    if not value:
        return None
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return _("IP 地址「%(ip)s」无效，应为 IPv4 地址，如 10.20.1.11", ip=value)
    return None


def hostname_problem(value: str) -> str | None:
    if value and (len(value) > 60 or not _HOSTNAME.match(value)):
        return _("主机名「%(h)s」无效：只能含字母、数字、连字符和点，最长 60 个字符", h=value)
    return None


def label_problem(value: str, limit: int = 10) -> str | None:
    if not value:
        return _("编号不能为空")
    if len(value) > limit:
        return _("编号「%(v)s」过长，最多 %(n)d 个字符", v=value, n=limit)
    return None


def grid_problem(rows: int, cols: int) -> list[Problem]:
    problems = []
    if not 1 <= rows <= MAX_ROWS:
        problems.append(Problem(_("行数应为 1–%(n)d", n=MAX_ROWS), field="rows"))
    if not 1 <= cols <= MAX_COLS:
        problems.append(Problem(_("列数应为 1–%(n)d", n=MAX_COLS), field="cols"))
    return problems


def _raise_if(problems: list[Problem], message: str) -> None:
    if problems:
        raise DomainError(message, problems)


def _clash(seat: Seat, attribute: str, value: str) -> Seat | None:
    if not value:
        return None
    return next((s for s in seat.room.seats if s is not seat and getattr(s, attribute) == value), None)


def seat_problems(seat: Seat, label: str, hostname: str, ip: str) -> list[Problem]:
    """Everything wrong with giving ``seat`` these values (formats and uniqueness in its room)."""
    problems = []
    for name, message in (("label", label_problem(label)), ("hostname", hostname_problem(hostname)),
                          ("ip", ip_problem(ip))):  # fmt: skip
        if message:
            problems.append(Problem(message, field=name))
    titles = {"label": _("座位号"), "hostname": _("主机名"), "ip": _("IP 地址")}
    for name, value in (("label", label), ("hostname", hostname), ("ip", ip)):
        other = _clash(seat, name, value)
        if other is not None:
            message = _("%(what)s「%(v)s」已被本考场座位 %(other)s 使用", what=titles[name], v=value, other=other.label)
            problems.append(Problem(message, field=name))
    return problems


# --- rooms -------------------------------------------------------------------------------


@dataclass
class RoomFields:
    code: str
    name: str
    building: str = ""
    area_m2: float | None = None
    front_camera: str = ""
    back_camera: str = ""
    note: str = ""
    active: bool = True


def _room_problems(room: Room | None, data: RoomFields) -> list[Problem]:
    problems = []
    if not data.code or len(data.code) > 30:
        problems.append(Problem(_("考场编号不能为空，最多 30 个字符"), field="code"))
    elif db.session.scalar(sa.select(Room).where(Room.code == data.code)) not in (None, room):
        problems.append(Problem(_("考场编号 %(c)s 已被其他考场使用", c=data.code), field="code"))
    if not data.name or len(data.name) > 100:
        problems.append(Problem(_("考场名称不能为空，最多 100 个字符"), field="name"))
    limits = (("building", 60), ("front_camera", 200), ("back_camera", 200), ("note", 200))
    for name, limit in limits:
        if len(getattr(data, name)) > limit:
            problems.append(Problem(_("最多 %(n)d 个字符", n=limit), field=name))
    if data.area_m2 is not None and data.area_m2 < 0:
        problems.append(Problem(_("面积不能为负数"), field="area_m2"))
    return problems


def _strip(data: RoomFields) -> RoomFields:
    for name in ("code", "name", "building", "front_camera", "back_camera", "note"):
        setattr(data, name, (getattr(data, name) or "").strip())
    return data


def update_room(room: Room, data: RoomFields) -> Room:
    """Change a room's own fields (code, name, building, area, cameras, note, active)."""
    data = _strip(data)
    _raise_if(_room_problems(room, data), _("考场信息有误"))
    before = audit.snapshot(room, ROOM_FIELDS)
    for name in ROOM_FIELDS:
        setattr(room, name, getattr(data, name))
    audit.record("room.update", room, before=before, after=audit.snapshot(room, ROOM_FIELDS))
    return room


def create_room(kind: RoomKind, data: RoomFields, rows: int = 0, cols: int = 0) -> Room:
    """A new room: a lab gets a full ``rows`` x ``cols`` seat map, a venue starts without stations."""
    data = _strip(data)
    problems = _room_problems(None, data)
    if kind is RoomKind.THEORY_LAB:
        problems += grid_problem(rows, cols)
    _raise_if(problems, _("考场信息有误"))
    room = Room(kind=kind, rows=0, cols=0, **{name: getattr(data, name) for name in ROOM_FIELDS})
    db.session.add(room)
    audit.record("room.create", room, after={"code": room.code, "kind": kind.value})
    if kind is RoomKind.THEORY_LAB:
        resize_lab(room, rows, cols)
    return room


def _require_lab(room: Room) -> None:
    if room.kind is not RoomKind.THEORY_LAB:
        raise DomainError(_("%(code)s 不是理论机房，没有座位图", code=room.code))


def _require_venue(room: Room) -> None:
    if room.kind is RoomKind.THEORY_LAB:
        raise DomainError(_("%(code)s 是理论机房，没有实操工位", code=room.code))


def _subnet(room: Room) -> tuple[str, set[int]] | None:
    """The one /24 prefix all the room's seat IPs share, and the host numbers in use."""
    prefixes = {s.ip.rsplit(".", 1)[0] for s in room.seats if s.ip}
    if len(prefixes) != 1:
        return None
    return prefixes.pop(), {int(s.ip.rsplit(".", 1)[1]) for s in room.seats if s.ip}


def _new_seat(room: Room, row: int, col: int, free_hosts: list[int], prefix: str | None) -> Seat:
    label = seat_label(row, col)
    taken = next((s for s in room.seats if s.label == label), None)
    if taken is not None:
        problem = Problem(_("新座位的默认座位号 %(l)s 已被第 %(r)d 行第 %(c)d 列的座位使用，请先修改该座位号",
                            l=label, r=taken.row, c=taken.col), field="rows")  # fmt: skip
        raise DomainError(_("无法调整座位图"), [problem])
    hostnames = {s.hostname for s in room.seats}
    hostname = f"{room.code.lower()}-{label.lower()}"
    ip = f"{prefix}.{free_hosts.pop(0)}" if prefix and free_hosts else ""
    return Seat(row=row, col=col, label=label, hostname="" if hostname in hostnames else hostname, ip=ip)


def resize_lab(room: Room, rows: int, cols: int) -> Room:
    """Set a lab's grid to ``rows`` x ``cols``: seats outside it go, new positions get seats.

    A seat a candidate has been placed on is never removed; new seats get the default label
    (A01…), a hostname from the room code, and the next free IPs when the lab has one subnet.
    """
    _require_lab(room)
    _raise_if(grid_problem(rows, cols), _("座位图尺寸有误"))
    outside = [s for s in room.seats if s.row > rows or s.col > cols]
    placed = placed_seat_ids(s.id for s in outside)
    if placed:
        labels = "、".join(s.label for s in outside if s.id in placed)
        problem = Problem(_("座位 %(labels)s 已安排考生，不能移出座位图", labels=labels), field="rows")
        raise DomainError(_("无法调整座位图"), [problem])
    before = {"rows": room.rows, "cols": room.cols, "seats": len(room.seats)}
    for seat in outside:
        room.seats.remove(seat)
    db.session.flush()  # free the labels of removed seats before new seats take them
    present = {(s.row, s.col) for s in room.seats}
    subnet = _subnet(room)
    prefix, used = subnet if subnet else (None, set())
    free_hosts = [n for n in range(11, 255) if n not in used]
    for row in range(1, rows + 1):
        for col in range(1, cols + 1):
            if (row, col) not in present:
                room.seats.append(_new_seat(room, row, col, free_hosts, prefix))
    room.rows, room.cols = rows, cols
    audit.record("room.resize", room, before=before, after={"rows": rows, "cols": cols, "seats": len(room.seats)})
    return room


# --- seats -------------------------------------------------------------------------------


def update_seat(seat: Seat, *, label: str, hostname: str, ip: str, in_service: bool) -> Seat:
    """Change one seat; a label, hostname or IP already used in the room is refused by field."""
    label, hostname, ip = label.strip(), hostname.strip(), ip.strip()
    _raise_if(seat_problems(seat, label, hostname, ip), _("座位信息有误"))
    before = audit.snapshot(seat, SEAT_FIELDS)
    seat.label, seat.hostname, seat.ip, seat.in_service = label, hostname, ip, in_service
    audit.record("seat.update", seat, before=before, after=audit.snapshot(seat, SEAT_FIELDS))
    return seat


def set_seat_in_service(seat: Seat, in_service: bool) -> Seat:
    """Take a seat out of service (broken machine) or back in; capacity follows."""
    if seat.in_service != in_service:
        seat.in_service = in_service
        audit.record("seat.service", seat, after={"label": seat.label, "in_service": in_service})
    return seat


# --- stations and occupations of venues ----------------------------------------------------


def _station_problems(room: Room, station: Station | None, label: str, station_type: str) -> list[Problem]:
    problems = []
    message = label_problem(label, 20)
    if message:
        problems.append(Problem(message, field="label"))
    elif any(s.label == label and s is not station for s in room.stations):
        problems.append(Problem(_("工位号「%(l)s」已存在", l=label), field="label"))
    if len(station_type) > 60:
        problems.append(Problem(_("最多 %(n)d 个字符", n=60), field="station_type"))
    return problems


def add_station(room: Room, label: str, station_type: str = "") -> Station:
    _require_venue(room)
    label, station_type = label.strip(), station_type.strip()
    _raise_if(_station_problems(room, None, label, station_type), _("工位信息有误"))
    station = Station(label=label, station_type=station_type)
    room.stations.append(station)
    audit.record("station.create", station, after={"room": room.code, "label": label, "type": station_type})
    return station


def add_stations(room: Room, count: int, station_type: str = "") -> list[Station]:
    """``count`` stations numbered on from the highest numeric label (001, 002, …)."""
    _require_venue(room)
    if not 1 <= count <= 999:
        raise DomainError(_("工位信息有误"), [Problem(_("数量应为 1–999"), field="count")])
    numbers = [int(s.label) for s in room.stations if s.label.isdigit()]
    start = max(numbers, default=0) + 1
    return [add_station(room, f"{n:03d}", station_type) for n in range(start, start + count)]


def update_station(station: Station, *, label: str, station_type: str, in_service: bool) -> Station:
    label, station_type = label.strip(), station_type.strip()
    _raise_if(_station_problems(station.room, station, label, station_type), _("工位信息有误"))
    before = audit.snapshot(station, STATION_FIELDS)
    station.label, station.station_type, station.in_service = label, station_type, in_service
    audit.record("station.update", station, before=before, after=audit.snapshot(station, STATION_FIELDS))
    return station


def remove_station(station: Station) -> None:
    """Delete a station; refused once a candidate has been placed on it (take it out of service instead)."""
    if placed_station_ids([station.id]):
        raise DomainError(_("工位 %(l)s 已安排考生，不能删除，可改为停用", l=station.label))
    room = station.room
    audit.record("station.delete", station, after={"room": room.code, "label": station.label})
    room.stations.remove(station)
    db.session.flush()


def set_occupations(room: Room, occupations: Iterable[Occupation]) -> Room:
    """The occupations a venue is equipped to assess (practical sessions are placed by them)."""
    _require_venue(room)
    chosen = sorted(set(occupations), key=lambda o: o.name)
    before = sorted(o.name for o in room.occupations)
    room.occupations = chosen
    audit.record("room.occupations", room, before={"occupations": before},
                 after={"occupations": [o.name for o in chosen]})  # fmt: skip
    return room
