"""Import the rooms workbook (layout in :mod:`.room_export`): all rooms or nothing.

:func:`parse_workbook` reads every row and collects every problem with its sheet, Excel row
and column; :func:`import_rooms` adds the checks that need the database (a code that is a
lab here and a venue there, seats or stations with placements that the file would drop) and
then creates new rooms and updates existing ones, matched by code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.core.spreadsheets import open_workbook
from examsys.modules.catalog.models import Occupation
from examsys.modules.scheduling import operations as ops
from examsys.modules.scheduling.models import Room, RoomKind, Seat, Station
from examsys.modules.scheduling.room_export import LAB_COLUMNS, LABS, NO, VENUE_COLUMNS, VENUE_KINDS, VENUES, YES

HEADER_SEARCH_ROWS = 5
LAB_REQUIRED = ("考场编号", "考场名称", "行", "列", "座位号")
VENUE_REQUIRED = ("考场编号", "考场名称", "类型", "工位号")
TRUE_WORDS = {YES, "停用", "true", "1", "y", "yes"}
FALSE_WORDS = {NO, "", "启用", "正常", "false", "0", "n", "no"}
_SEPARATORS = re.compile(r"[；;]")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(value: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(value)))


class Row:
    """One data row: cells by header, where it is, and where its problems go."""

    def __init__(self, sheet: str, line: int, cells: dict[str, object], problems: list[Problem]):
        self.sheet, self.line, self.cells, self.problems = sheet, line, cells, problems

    def text(self, column: str) -> str:
        return _text(self.cells.get(column))

    def report(self, message: str, column: str | None = None) -> None:
        self.problems.append(Problem(message, sheet=self.sheet, row=self.line, column=column))

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self.report(_("「%(c)s」不能为空", c=column), column)
        return value

    def whole(self, column: str, limit: int) -> int | None:
        value = self.cells.get(column)
        text = _text(value)
        number = int(text) if re.fullmatch(r"-?\d+", text) else None
        if number is None or not 1 <= number <= limit:
            self.report(_("「%(c)s」应为 1–%(n)d 的整数，现为「%(v)s」", c=column, n=limit, v=text), column)
            return None
        return number

    def out_of_service(self) -> bool:
        text = self.text("是否停用")
        if text.lower() not in TRUE_WORDS | FALSE_WORDS:
            self.report(_("「是否停用」应填“是”或“否”，现为「%(v)s」", v=text), "是否停用")
        return text.lower() in TRUE_WORDS


@dataclass
class RoomSpec:
    """A room as the file describes it, with the row numbers used to report clashes."""

    code: str
    sheet: str
    line: int
    values: dict[str, object] = field(default_factory=dict)
    seats: list[dict] = field(default_factory=list)
    stations: list[dict] = field(default_factory=list)
    seen: dict[tuple, int] = field(default_factory=dict)  # (what, value) -> first row

    def unique(self, row: Row, what: str, value: object, column: str, message: str) -> None:
        if value in (None, ""):
            return
        first = self.seen.setdefault((what, value), row.line)
        if first != row.line:
            row.report(_("%(m)s与第 %(n)d 行重复", m=message, n=first), column)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    seats: int = 0
    stations: int = 0
    removed: int = 0


def _rows(workbook, name: str, columns: tuple[str, ...], required: tuple[str, ...], problems: list[Problem]):
    sheet = workbook[name]
    sheet.reset_dimensions()  # some writers record a wrong used range
    values = sheet.iter_rows(values_only=True)
    positions, header_line = {}, 0
    for line, cells in enumerate(values, start=1):
        keys = [_header(v) for v in cells]
        if "考场编号" in keys:
            positions = {k: i for i, k in enumerate(keys) if k in columns}
            header_line = line
            break
        if line >= HEADER_SEARCH_ROWS:
            break
    missing = [c for c in required if c not in positions]
    for column in missing:
        problems.append(Problem(_("缺少「%(c)s」列", c=column), sheet=name, column=column))
    if missing:
        return
    for line, cells in enumerate(values, start=header_line + 1):
        row = {c: cells[i] for c, i in positions.items() if i < len(cells)}
        if any(_text(v) for v in row.values()):
            yield Row(name, line, row, problems)


def _shared(spec: RoomSpec, row: Row, column: str, value: object, shown: str | None = None) -> None:
    """A room attribute repeated on each row: set by the first row, later rows blank or equal."""
    if column not in spec.values:
        spec.values[column] = value
    elif value not in (None, "", []) and value != spec.values[column]:
        row.report(_("与本考场第 %(n)d 行的「%(c)s」不一致（%(v)s）", n=spec.line, c=column, v=shown or value), column)


def _spec(specs: dict[str, RoomSpec], row: Row) -> RoomSpec | None:
    code = row.required("考场编号")
    if not code:
        return None
    if len(code) > 30:
        row.report(_("考场编号最多 30 个字符"), "考场编号")
    spec = specs.get(code)
    if spec is None:
        spec = specs[code] = RoomSpec(code, row.sheet, row.line)
        name = row.required("考场名称")
        if len(name) > 100:
            row.report(_("考场名称最多 100 个字符"), "考场名称")
    elif spec.sheet != row.sheet:
        row.report(_("考场编号 %(c)s 已在工作表「%(s)s」中使用", c=code, s=spec.sheet), "考场编号")
        return None
    _shared(spec, row, "考场名称", row.text("考场名称"))
    return spec


def _read_seat(spec: RoomSpec, row: Row) -> None:
    building = row.text("楼宇")
    if len(building) > 60:
        row.report(_("楼宇最多 60 个字符"), "楼宇")
    _shared(spec, row, "楼宇", building)
    r, c = row.whole("行", ops.MAX_ROWS), row.whole("列", ops.MAX_COLS)
    label, hostname, ip = row.required("座位号"), row.text("主机名"), row.text("IP")
    for column, message in (("座位号", label and ops.label_problem(label)), ("主机名", ops.hostname_problem(hostname)),
                            ("IP", ops.ip_problem(ip))):  # fmt: skip
        if message:
            row.report(message, column)
    if r and c:
        spec.unique(row, "position", (r, c), "行", _("座位位置（第 %(r)d 行第 %(c)d 列）", r=r, c=c))
    spec.unique(row, "label", label, "座位号", _("座位号「%(v)s」", v=label))
    spec.unique(row, "hostname", hostname, "主机名", _("主机名「%(v)s」", v=hostname))
    spec.unique(row, "ip", ip, "IP", _("IP「%(v)s」", v=ip))
    seat = {"row": r, "col": c, "label": label, "hostname": hostname, "ip": ip, "in_service": not row.out_of_service()}
    spec.seats.append(seat)


def _occupations(row: Row, known: dict[str, Occupation]) -> list[Occupation]:
    found = []
    for name in filter(None, (n.strip() for n in _SEPARATORS.split(row.text("对应职业")))):
        occupation = known.get(name)
        if occupation is None:
            row.report(_("未知职业「%(n)s」，请先在职业目录中添加", n=name), "对应职业")
        elif occupation not in found:
            found.append(occupation)
    return sorted(found, key=lambda o: o.name)


def _read_station(spec: RoomSpec, row: Row, known: dict[str, Occupation]) -> None:
    kind_word = row.text("类型")
    kind = VENUE_KINDS.get(kind_word)
    if kind_word and kind is None:
        row.report(_("「类型」应为 %(k)s，现为「%(v)s」", k="、".join(VENUE_KINDS), v=kind_word), "类型")
    elif "类型" not in spec.values and kind is None:
        row.report(_("「%(c)s」不能为空", c="类型"), "类型")
    _shared(spec, row, "类型", kind, kind_word)
    area_text = row.text("面积")
    area = float(area_text) if re.fullmatch(r"\d+(\.\d+)?", area_text) else None
    if area_text and area is None:
        row.report(_("「面积」应为不小于 0 的数字，现为「%(v)s」", v=area_text), "面积")
    _shared(spec, row, "面积", area)
    occupations = _occupations(row, known)
    _shared(spec, row, "对应职业", occupations, "；".join(o.name for o in occupations))
    label, station_type = row.text("工位号"), row.text("工位类型")
    if not label:
        if station_type or row.text("是否停用"):
            row.report(_("「%(c)s」不能为空", c="工位号"), "工位号")
        return
    message = ops.label_problem(label, 20) or (len(station_type) > 60 and _("工位类型最多 60 个字符"))
    if message:
        row.report(message, "工位号" if len(label) > 20 else "工位类型")
    spec.unique(row, "label", label, "工位号", _("工位号「%(v)s」", v=label))
    spec.stations.append({"label": label, "station_type": station_type, "in_service": not row.out_of_service()})


def parse_workbook(data: bytes) -> tuple[dict[str, RoomSpec], list[Problem]]:
    """The rooms the workbook describes, by code, and every problem found in it."""
    problems: list[Problem] = []
    workbook = open_workbook(data, problems)
    if workbook is None:
        return {}, problems
    specs: dict[str, RoomSpec] = {}
    try:
        names = {_header(n): n for n in workbook.sheetnames}
        if LABS not in names and VENUES not in names:
            problems.append(Problem(_("工作簿中应有工作表「%(a)s」或「%(b)s」", a=LABS, b=VENUES)))
        if LABS in names:
            for row in _rows(workbook, names[LABS], LAB_COLUMNS, LAB_REQUIRED, problems):
                if spec := _spec(specs, row):
                    _read_seat(spec, row)
        if VENUES in names:
            known = {o.name: o for o in db.session.scalars(sa.select(Occupation))}
            known |= {o.code: o for o in known.values() if o.code}
            for row in _rows(workbook, names[VENUES], VENUE_COLUMNS, VENUE_REQUIRED, problems):
                if spec := _spec(specs, row):
                    _read_station(spec, row, known)
    except Exception as exc:  # a corrupt sheet part surfaces while iterating
        problems.append(Problem(_("无法读取工作簿：%(e)s", e=str(exc) or type(exc).__name__)))
    finally:
        workbook.close()
    if not specs and not problems:
        problems.append(Problem(_("工作簿中没有考场数据")))
    return specs, problems


def _database_problems(specs: dict[str, RoomSpec], rooms: dict[str, Room]) -> list[Problem]:
    problems = []
    for code, spec in specs.items():
        room = rooms.get(code)
        if room is None:
            continue
        is_lab = spec.sheet == LABS
        if is_lab != (room.kind is RoomKind.THEORY_LAB):
            message = _("考场 %(c)s 已是%(k)s，不能改到工作表「%(s)s」", c=code, k=room.kind.title, s=spec.sheet)
            problems.append(Problem(message, sheet=spec.sheet, row=spec.line, column="考场编号"))
            continue
        if is_lab:
            kept = {(s["row"], s["col"]) for s in spec.seats}
            dropped = {s.id: s.label for s in room.seats if (s.row, s.col) not in kept}
            what, column = _("座位"), "座位号"
            placed = ops.placed_seat_ids(dropped)
        else:
            kept = {s["label"] for s in spec.stations}
            dropped = {s.id: s.label for s in room.stations if s.label not in kept}
            what, column = _("工位"), "工位号"
            placed = ops.placed_station_ids(dropped)
        if placed:
            labels = "、".join(sorted(dropped[i] for i in placed))
            message = _("文件中缺少%(w)s %(l)s，但已安排考生，不能删除", w=what, l=labels)
            problems.append(Problem(message, sheet=spec.sheet, row=spec.line, column=column))
    return problems


def _apply_lab(room: Room, spec: RoomSpec) -> int:
    wanted = {(s["row"], s["col"]): s for s in spec.seats}
    by_position = {(s.row, s.col): s for s in room.seats}
    removed = [s for p, s in by_position.items() if p not in wanted]
    for seat in removed:
        room.seats.remove(seat)
    changing = [s for p, s in by_position.items() if p in wanted and s.label != wanted[p]["label"]]
    for seat in changing:
        seat.label = f"~{seat.id}"  # labels are unique per room: free them all before reassigning
    db.session.flush()
    for position, values in sorted(wanted.items()):
        seat = by_position.get(position)
        if seat is None:
            seat = Seat()
            room.seats.append(seat)
        for name, value in values.items():
            setattr(seat, name, value)
    room.building = spec.values.get("楼宇") or ""
    room.rows = max(r for r, _c in wanted)
    room.cols = max(c for _r, c in wanted)
    return len(removed)


def _apply_venue(room: Room, spec: RoomSpec) -> int:
    wanted = {s["label"]: s for s in spec.stations}
    removed = [s for s in room.stations if s.label not in wanted]
    for station in removed:
        room.stations.remove(station)
    by_label = {s.label: s for s in room.stations}
    for label, values in sorted(wanted.items()):
        station = by_label.get(label)
        if station is None:
            station = Station()
            room.stations.append(station)
        for name, value in values.items():
            setattr(station, name, value)
    room.kind = spec.values["类型"]
    room.area_m2 = spec.values.get("面积")
    room.occupations = list(spec.values.get("对应职业") or [])
    return len(removed)


def import_rooms(data: bytes, filename: str = "") -> ImportReport:
    """Create or update every room in the workbook, or raise one DomainError listing every problem."""
    specs, problems = parse_workbook(data)
    rooms = {r.code: r for r in db.session.scalars(sa.select(Room).where(Room.code.in_(list(specs))))}
    problems += _database_problems(specs, rooms)
    if problems:
        raise DomainError(_("文件中有 %(n)d 处错误，未导入任何内容", n=len(problems)), problems)
    report = ImportReport()
    for code, spec in specs.items():
        room = rooms.get(code)
        created = room is None
        if created:
            kind = RoomKind.THEORY_LAB if spec.sheet == LABS else spec.values["类型"]
            room = Room(code=code, kind=kind, rows=0, cols=0)
            db.session.add(room)
        room.name = spec.values["考场名称"]
        apply = _apply_lab if spec.sheet == LABS else _apply_venue
        removed = apply(room, spec)
        report.created += created
        report.updated += not created
        report.seats += len(spec.seats)
        report.stations += len(spec.stations)
        report.removed += removed
        audit.record("room.import", room, after={"code": code, "created": created, "file": filename,
                                                 "seats": len(spec.seats), "stations": len(spec.stations),
                                                 "removed": removed})  # fmt: skip
    return report
