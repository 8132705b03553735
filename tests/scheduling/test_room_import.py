"""The rooms workbook: round trip, every kind of bad row located, all-or-nothing, updates, CLI."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from examsys.core.audit import AuditEntry
from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.modules.catalog import operations as catalog
from examsys.modules.scheduling import operations as ops
from examsys.modules.scheduling.models import Room, RoomKind
from examsys.modules.scheduling.room_export import LAB_COLUMNS, LABS, VENUE_COLUMNS, VENUES, export_rooms, template
from examsys.modules.scheduling.room_import import import_rooms, parse_workbook
from tests.scheduling.test_rooms_edit import place


def workbook(labs=(), venues=(), lab_header=LAB_COLUMNS, venue_header=VENUE_COLUMNS) -> bytes:
    book = Workbook()
    book.active.title = "说明"
    for title, header, rows in ((LABS, lab_header, labs), (VENUES, venue_header, venues)):
        if header is None:
            continue
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheets(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def rooms() -> dict[str, Room]:
    return {r.code: r for r in db.session.scalars(sa.select(Room))}


def failure(data: bytes) -> set[tuple]:
    with pytest.raises(DomainError) as caught:
        import_rooms(data)
    assert "未导入任何内容" in str(caught.value)
    return {(p.sheet, p.row, p.column) for p in caught.value.problems}


@pytest.fixture
def occupations(db_session):
    return [
        catalog.save_occupation(None, name="车工", code="6-18-01-01"),
        catalog.save_occupation(None, name="焊工", code="6-18-02-04"),
    ]


@pytest.fixture
def estate(occupations):
    lab = ops.create_lab("L301", "东楼301", "东楼", 2, 3, subnet="10.20.1")
    ops.update_seat(lab.seats[1], label="A02", hostname="", ip="", in_service=False)
    ops.create_lab("L302", "东楼302", "东楼", 1, 2, subnet="10.20.2")
    ops.create_venue("P-JJG", "机加工实训中心", RoomKind.PRACTICAL, 2, "车床", occupations, area_m2=300.5)
    ops.create_venue("O-HW", "户外测绘场地", RoomKind.OUTDOOR, 0, "", [], area_m2=None)
    return rooms()


def test_export_then_import_is_the_identity(estate):
    first = export_rooms()
    assert sheets(first)[LABS][0] == LAB_COLUMNS and len(sheets(first)[LABS]) == 1 + 6 + 2
    assert ("L301", "东楼301", "东楼", 1, 2, "A02", None, None, "是") in sheets(first)[LABS]
    venue_rows = sheets(first)[VENUES]
    assert ("O-HW", "户外测绘场地", "室外场地", None, None, None, None, None) in venue_rows
    assert ("P-JJG", "机加工实训中心", "实操场地", 300.5, "001", "车床", "焊工；车工", "否") in venue_rows
    report = import_rooms(first)
    assert (report.created, report.updated, report.removed) == (0, 4, 0)
    assert sheets(export_rooms()) == sheets(first)
    for room in estate.values():  # and from an empty database
        db.session.delete(room)
    db.session.flush()
    assert import_rooms(first).created == 4
    assert sheets(export_rooms()) == sheets(first)
    assert rooms()["L301"].capacity == 5 and rooms()["P-JJG"].kind is RoomKind.PRACTICAL


def test_a_new_lab_takes_its_grid_from_the_largest_row_and_column(occupations):
    data = workbook(
        labs=[
            ("L9", "北楼513", "北楼", 1, 1, "A01", "pc1", "10.0.0.1", None),
            ("L9", None, None, 3, 2, "C02", "pc2", "10.0.0.2", "是"),
            ("L9", "北楼513", "", 2, 4, "B04", "", "", "否"),
        ],
        venues=[
            ("P1", "焊接实训室", "实操场地", 120, "W1", "焊机", "焊工;车工", ""),
            ("P1", "", "", "", "W2", "焊机", "", "停用"),
        ],
    )
    report = import_rooms(data, filename="rooms.xlsx")
    assert (report.created, report.seats, report.stations) == (2, 3, 2)
    lab, venue = rooms()["L9"], rooms()["P1"]
    assert (lab.rows, lab.cols, lab.building, lab.capacity) == (3, 4, "北楼", 2)
    assert [o.name for o in venue.occupations] == ["焊工", "车工"]
    assert venue.area_m2 == 120 and [s.in_service for s in venue.stations] == [True, False]
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "room.import")) == 2


def test_every_bad_row_is_reported_with_sheet_row_and_column_and_nothing_is_written(occupations):
    data = workbook(
        labs=[
            ("L1", "机房一", "东楼", 1, 1, "A01", "pc1", "10.0.0.1", ""),  # 2: fine
            ("L1", "", "", 1, 1, "A02", "pc2", "10.0.0.2", ""),  # 3: same position as row 2
            ("L1", "", "", 1, 2, "A01", "pc3", "10.0.0.3", ""),  # 4: same label as row 2
            ("L1", "", "", 1, 3, "A03", "pc4", "10.0.0.300", ""),  # 5: bad IP
            ("L1", "", "", 1, 4, "A04", "pc5", "10.0.0.1", ""),  # 6: IP of row 2
            ("L1", "", "", 0, 5, "A05", "", "", ""),  # 7: row 0
            ("L1", "", "", 1, -2, "A06", "", "", ""),  # 8: column -2
            ("L1", "", "", 1, "x", "A07", "", "", ""),  # 9: column not a number
            ("L1", "", "", 1, 8, "", "", "", ""),  # 10: no label
            ("L1", "", "", 1, 9, "A09", "", "", "maybe"),  # 11: bad 是否停用
            ("L1", "别的名字", "", 1, 10, "A10", "", "", ""),  # 12: name differs from row 2
            (None, "机房二", "", 1, 1, "A01", "", "", ""),  # 13: no code
            ("L2", None, "", 1, 1, "A01", "bad host!", "", ""),  # 14: first row without name; bad hostname
            ("L1", "", "", 1, 11, "A11", "pc1", "", ""),  # 15: hostname of row 2
        ],
        venues=[
            ("P1", "场地一", "实操场地", 100, "001", "车床", "车工；不存在的职业", ""),  # 2: unknown occupation
            ("P1", "", "", "", "001", "车床", "", ""),  # 3: duplicate station
            ("P2", "场地二", "机房", -5, "001", "", "", ""),  # 4: bad type, negative area
            ("L1", "场地三", "室外场地", "", "", "", "", ""),  # 5: code used on the labs sheet
            ("P3", "场地四", "", "", "001", "", "", ""),  # 6: no type
            ("P1", "", "室外场地", "", "002", "", "", ""),  # 7: type differs from row 2
        ],
    )
    found = failure(data)
    expected = {
        (LABS, 3, "行"), (LABS, 4, "座位号"), (LABS, 5, "IP"), (LABS, 6, "IP"), (LABS, 7, "行"), (LABS, 8, "列"),
        (LABS, 9, "列"), (LABS, 10, "座位号"), (LABS, 11, "是否停用"), (LABS, 12, "考场名称"), (LABS, 13, "考场编号"),
        (LABS, 14, "考场名称"), (LABS, 14, "主机名"), (LABS, 15, "主机名"),
        (VENUES, 2, "对应职业"), (VENUES, 3, "工位号"), (VENUES, 4, "类型"), (VENUES, 4, "面积"),
        (VENUES, 5, "考场编号"), (VENUES, 6, "类型"), (VENUES, 7, "类型"),
    }  # fmt: skip
    assert found == expected
    assert rooms() == {}
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "room.import")) == 0


def test_messages_say_what_is_wrong_in_chinese(occupations):
    data = workbook(
        labs=[("L1", "机房", "", 1, 1, "A01", "", "1.2.3.4", ""), ("L1", "", "", 1, 1, "A01", "", "1.2.3.4", "")]
    )
    with pytest.raises(DomainError) as caught:
        import_rooms(data)
    messages = [str(p) for p in caught.value.problems]
    assert "工作表「机房座位」 第 3 行 「行」列：座位位置（第 1 行第 1 列）与第 2 行重复" in messages
    assert any("座位号「A01」与第 2 行重复" in m for m in messages)
    assert any("IP「1.2.3.4」与第 2 行重复" in m for m in messages)


def test_missing_columns_files_that_are_not_workbooks_and_empty_templates(db_session):
    assert failure(workbook(lab_header=("考场编号", "考场名称", "行", "座位号"), venue_header=None)) == {
        (LABS, None, "列")
    }
    _specs, problems = parse_workbook(b"not a workbook")
    assert "不是有效的 Excel 工作簿" in str(problems[0])
    _specs, problems = parse_workbook(b"\xd0\xcf\x11\xe0rest")
    assert ".xls" in str(problems[0])
    _specs, problems = parse_workbook(template())
    assert [str(p) for p in problems] == ["工作簿中没有考场数据"]
    book = Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    _specs, problems = parse_workbook(buffer.getvalue())
    assert "机房座位" in str(problems[0])


def test_update_matches_seats_by_position_swaps_labels_and_drops_the_rest(estate):
    lab = estate["L301"]
    ids = {(s.row, s.col): s.id for s in lab.seats}
    data = workbook(
        labs=[
            ("L301", "东楼301（新）", "东楼", 1, 1, "A02", "h1", "10.20.1.11", ""),
            ("L301", "", "", 1, 2, "A01", "h2", "10.20.1.12", ""),
            ("L301", "", "", 2, 1, "B01", "h3", "10.20.1.14", "是"),
        ]
    )
    report = import_rooms(data)
    assert (report.updated, report.removed) == (1, 3)
    db.session.expire_all()
    lab = rooms()["L301"]
    assert [(s.id, s.label) for s in lab.seats] == [(ids[1, 1], "A02"), (ids[1, 2], "A01"), (ids[2, 1], "B01")]
    assert (lab.name, lab.rows, lab.cols, lab.capacity) == ("东楼301（新）", 2, 2, 2)
    assert rooms()["L302"].capacity == 2  # rooms not in the file are left alone


def test_update_refuses_to_drop_placed_seats_or_stations_and_kind_changes(estate, make_person):
    lab, venue = estate["L301"], estate["P-JJG"]
    place(make_person, lab, seat=lab.seats[5])  # B03
    place(make_person, venue, station=venue.stations[1])  # 002
    data = workbook(
        labs=[("L301", "东楼301", "东楼", 1, 1, "A01", "", "", ""), ("O-HW", "户外", "", 1, 1, "A01", "", "", "")],
        venues=[("P-JJG", "机加工实训中心", "实操场地", 300, "001", "车床", "车工", "")],
    )
    with pytest.raises(DomainError) as caught:
        import_rooms(data)
    messages = {(p.sheet, p.row, p.column): str(p.message) for p in caught.value.problems}
    assert "B03" in messages[LABS, 2, "座位号"] and "已安排考生" in messages[LABS, 2, "座位号"]
    assert "002" in messages[VENUES, 2, "工位号"]
    assert "已是室外场地" in messages[LABS, 3, "考场编号"]
    db.session.expire_all()
    assert len(rooms()["L301"].seats) == 6 and len(rooms()["P-JJG"].stations) == 2


def test_a_venue_may_switch_between_practical_and_outdoor(estate):
    data = workbook(venues=[("O-HW", "户外测绘场地", "实操场地", 50, "", "", "焊工", "")])
    import_rooms(data)
    venue = rooms()["O-HW"]
    assert venue.kind is RoomKind.PRACTICAL and venue.area_m2 == 50 and [o.name for o in venue.occupations] == ["焊工"]


def test_cli_import_reports_counts_and_problems(app, occupations, tmp_path):
    db.session.commit()
    good = tmp_path / "rooms.xlsx"
    good.write_bytes(workbook(labs=[("L77", "机房", "", 1, 1, "A01", "", "10.1.1.1", "")]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["rooms", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 rooms created" in result.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(labs=[("L78", "机房", "", 0, 1, "A01", "", "10.1.1.999", "")]))
    result = runner.invoke(args=["rooms", "import", str(bad)])
    assert result.exit_code != 0 and "第 2 行" in result.output and "IP" in result.output
    out = tmp_path / "out.xlsx"
    assert runner.invoke(args=["rooms", "export", str(out)]).exit_code == 0
    assert ("L77", "机房", None, 1, 1, "A01", None, "10.1.1.1", "否") in sheets(out.read_bytes())[LABS]
