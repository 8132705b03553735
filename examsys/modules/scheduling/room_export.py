"""The rooms workbook: its layout (sheets, headers), the empty template and the export.

One workbook describes every room: 机房座位 has one row per lab seat, 实操场地 one row per
venue station (a venue without stations is one row with an empty 工位号), and 说明 explains
both. :mod:`.room_import` reads the same layout, so exporting and re-importing changes nothing.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from examsys.core import audit
from examsys.core.spreadsheets import add_choice, write_guide
from examsys.modules.scheduling.models import Room, RoomKind
from examsys.modules.scheduling.operations import list_rooms

LABS = "机房座位"
VENUES = "实操场地"
LAB_COLUMNS = ("考场编号", "考场名称", "楼宇", "行", "列", "座位号", "主机名", "IP", "是否停用")
VENUE_COLUMNS = ("考场编号", "考场名称", "类型", "面积", "工位号", "工位类型", "对应职业", "是否停用")
# The file format is Chinese whatever the interface language, so these are not translated.
VENUE_KINDS = {"实操场地": RoomKind.PRACTICAL, "室外场地": RoomKind.OUTDOOR}
KIND_WORDS = {kind: word for word, kind in VENUE_KINDS.items()}
YES, NO = "是", "否"
OCCUPATION_SEPARATOR = "；"

WIDTHS = {"考场名称": 24, "主机名": 18, "IP": 16, "工位类型": 20, "对应职业": 36}
GUIDE = (
    ("工作表", "每行是", "说明"),
    (LABS, "理论机房的一个座位", "考场编号相同的行属于同一机房；考场名称、楼宇在该机房的第一行填写即可，后续行可留空，"
     "填写时须一致。行、列为从 1 开始的正整数（行最多 26，列最多 99），机房的行数、列数取各座位的最大行号、列号。"
     "同一机房内座位位置、座位号、主机名、IP 都不能重复；IP 为 IPv4 地址，如 10.20.1.11。是否停用填“是”或“否”（空着为否）。"),
    (VENUES, "实操/室外场地的一个工位", "类型填“实操场地”或“室外场地”；面积为平方米数，可空；同一场地内工位号不能重复。"
     "对应职业填职业名称，多个用中文分号“；”或英文分号“;”分隔，须是系统中已有的职业；同一场地各行填写须一致。"
     "没有工位的场地写一行，工位号留空。"),
    ("", "", ""),
    ("导入规则", "", "按考场编号匹配：新编号新建考场，已有编号更新该考场。机房座位按行、列匹配，文件中没有的座位会被删除；"
     "场地工位按工位号匹配，文件中没有的工位会被删除；已安排考生的座位或工位不能删除。"
     "整个文件要么全部导入，要么全部不导入：有任何一处错误都会列出所在工作表、行号和列名，请修改后重新导入。"),
)  # fmt: skip


def _sheet(workbook: Workbook, title: str, columns: tuple[str, ...], rows: list[tuple]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column, max(8, 2 * len(column) + 4))
    for number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(number, index, value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
    return sheet


def _guide(workbook: Workbook) -> None:
    write_guide(workbook, "考场导入模板", GUIDE, (14, 22, 100))


def _area(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def lab_rows(rooms: list[Room]) -> list[tuple]:
    return [
        (room.code, room.name, room.building, seat.row, seat.col, seat.label, seat.hostname, seat.ip,
         NO if seat.in_service else YES)
        for room in rooms
        if room.kind is RoomKind.THEORY_LAB
        for seat in sorted(room.seats, key=lambda s: (s.row, s.col))
    ]  # fmt: skip


def venue_rows(rooms: list[Room]) -> list[tuple]:
    rows = []
    for room in rooms:
        if room.kind is RoomKind.THEORY_LAB:
            continue
        head = (room.code, room.name, KIND_WORDS[room.kind], _area(room.area_m2))
        occupations = OCCUPATION_SEPARATOR.join(sorted(o.name for o in room.occupations))
        stations = sorted(room.stations, key=lambda s: s.label)
        rows += [(*head, s.label, s.station_type, occupations, NO if s.in_service else YES) for s in stations]
        if not stations:
            rows.append((*head, None, None, occupations, None))
    return rows


def write_workbook(rooms: list[Room]) -> bytes:
    """The rooms as the import workbook; no rooms gives the downloadable template."""
    workbook = Workbook()
    _guide(workbook)
    labs = _sheet(workbook, LABS, LAB_COLUMNS, lab_rows(rooms))
    add_choice(labs, LAB_COLUMNS, "是否停用", f"{YES},{NO}")
    venues = _sheet(workbook, VENUES, VENUE_COLUMNS, venue_rows(rooms))
    add_choice(venues, VENUE_COLUMNS, "类型", ",".join(VENUE_KINDS))
    add_choice(venues, VENUE_COLUMNS, "是否停用", f"{YES},{NO}")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template() -> bytes:
    return write_workbook([])


def export_rooms() -> bytes:
    """Every room in the import layout (the export is audited: it lists hosts and IPs)."""
    rooms = list_rooms()
    audit.record("rooms.export", object_type="rooms", after={"rooms": len(rooms)})
    return write_workbook(rooms)
