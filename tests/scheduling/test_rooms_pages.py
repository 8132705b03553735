"""Rooms pages: list, seat map, seat/station/room forms, import/export, and who may do what."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from examsys.core.db import db
from examsys.core.permissions import Role
from examsys.modules.catalog import operations as catalog
from examsys.modules.scheduling import operations as ops
from examsys.modules.scheduling.models import Room, RoomKind
from tests.scheduling.test_room_import import workbook
from tests.scheduling.test_rooms_edit import place


@pytest.fixture
def lab(db_session):
    room = ops.create_lab("L301", "东楼301", "东楼", 2, 3, subnet="10.20.1")
    ops.set_seat_in_service(room.seats[4], False)  # B02
    return room


@pytest.fixture
def venue(db_session):
    lathe = catalog.save_occupation(None, name="车工", code="6-18-01-01")
    return ops.create_venue("P-JJG", "机加工实训中心", RoomKind.PRACTICAL, 2, "车床", [lathe], area_m2=300)


@pytest.fixture
def office(login, make_user):
    login(make_user(Role.EXAM_OFFICE))


def text(response) -> str:
    return response.get_data(as_text=True)


def test_room_list_shows_capacity_out_of_service_and_cameras(client, office, lab, venue):
    page = text(client.get("/rooms/"))
    assert "L301" in page and "P-JJG" in page and "L301-front" in page
    row = re.search(r"<tr>\s*<td><a[^>]*>L301</a>.*?</tr>", page, re.S).group(0)
    assert "<td>5 " in row and "2×3" in row and ">1<" in row
    assert "P-JJG" not in text(client.get("/rooms/?kind=theory_lab"))


def test_seat_map_lists_seats_by_label_with_host_ip_and_state(client, office, lab):
    page = text(client.get(f"/rooms/{lab.id}"))
    assert "讲台" in page and "data-seatmap" in page and "--cols: 3" in page
    labels = re.findall(r'<b class="label">(\w+)</b>', page)
    assert labels == ["A01", "A02", "A03", "B01", "B02", "B03"]
    b02 = lab.seats[4]
    cell = re.search(rf'<a[^>]*id="seat-{b02.id}".*?</a>', page, re.S).group(0)
    assert "seat out" in cell and "l301-005" in cell and "10.20.1.15" in cell and "停用" in cell
    assert "grid-row: 3; grid-column: 2" in cell
    assert f'href="/rooms/{lab.id}/seats/{b02.id}"' in cell
    assert "js/seatmap.js" in page and 'id="seat-editor"' in page


def test_seat_form_saves_and_reports_bad_values_by_field(client, office, lab):
    seat = lab.seats[0]
    url = f"/rooms/{lab.id}/seats/{seat.id}"
    assert "A01" in text(client.get(url))
    response = client.post(url, data={"label": "A1", "hostname": "pc-1", "ip": "10.20.1.99", "in_service": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#seat-{seat.id}")
    db.session.expire_all()
    assert (seat.label, seat.ip, seat.in_service) == ("A1", "10.20.1.99", True)
    bad = client.post(url, data={"label": "A02", "hostname": "pc-1", "ip": "10.20.1.999"})
    assert bad.status_code == 422
    page = text(bad)
    assert "座位号「A02」已被本考场座位 A02 使用" in page and "IP 地址「10.20.1.999」无效" in page
    assert 'value="10.20.1.999"' in page  # what was typed is kept
    db.session.expire_all()
    assert seat.label == "A1"


def test_toggle_seat_service(client, office, lab):
    seat = lab.seats[0]
    response = client.post(f"/rooms/{lab.id}/seats/{seat.id}/service", data={"in_service": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not seat.in_service and lab.capacity == 4


def test_resize_grows_and_refuses_to_drop_a_placed_seat(client, office, lab, make_person):
    assert client.post(f"/rooms/{lab.id}/resize", data={"rows": 3, "cols": 3}).status_code == 302
    db.session.expire_all()
    assert len(lab.seats) == 9
    place(make_person, lab, seat=next(s for s in lab.seats if s.label == "C03"))
    refused = client.post(f"/rooms/{lab.id}/resize", data={"rows": 2, "cols": 3})
    assert refused.status_code == 422 and "座位 C03 已安排考生" in text(refused)
    db.session.expire_all()
    assert len(lab.seats) == 9
    assert client.post(f"/rooms/{lab.id}/resize", data={"rows": "x", "cols": 3}).status_code == 422


def test_edit_room_fields(client, office, lab):
    data = {"code": "L301", "name": "东楼 301", "building": "东楼", "front_camera": "cam-1", "back_camera": "",
            "note": "新装电脑", "active": "1"}  # fmt: skip
    assert client.post(f"/rooms/{lab.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (lab.name, lab.front_camera, lab.note, lab.active) == ("东楼 301", "cam-1", "新装电脑", True)
    bad = client.post(f"/rooms/{lab.id}/edit", data={**data, "name": "", "area_m2": "abc"})
    assert bad.status_code == 422 and "面积应为数字" in text(bad)
    bad = client.post(f"/rooms/{lab.id}/edit", data={**data, "name": ""})
    assert bad.status_code == 422 and "考场名称不能为空" in text(bad)


def test_venue_stations_add_edit_remove_and_occupations(client, office, venue):
    page = text(client.get(f"/rooms/{venue.id}"))
    assert "车床" in page and "data-seatmap" not in page and "车工" in page
    assert client.post(f"/rooms/{venue.id}/stations", data={"count": 2, "station_type": "数控车床"}).status_code == 302
    assert client.post(f"/rooms/{venue.id}/stations", data={"label": "X1"}).status_code == 302
    duplicate = client.post(f"/rooms/{venue.id}/stations", data={"label": "X1"})
    assert duplicate.status_code == 422 and "工位号「X1」已存在" in text(duplicate)
    db.session.expire_all()
    assert [s.label for s in venue.stations] == ["001", "002", "003", "004", "X1"]
    first = venue.stations[0]
    edit = client.post(f"/rooms/{venue.id}/stations/{first.id}", data={"label": "001", "station_type": "普通车床"})
    assert edit.status_code == 302
    db.session.expire_all()
    assert not first.in_service and first.station_type == "普通车床"
    assert client.post(f"/rooms/{venue.id}/stations/{first.id}/remove").status_code == 302
    welder = catalog.save_occupation(None, name="焊工", code="6-18-02-04")
    assert client.post(f"/rooms/{venue.id}/occupations", data={"occupation_id": [str(welder.id)]}).status_code == 302
    db.session.expire_all()
    assert [o.name for o in venue.occupations] == ["焊工"] and len(venue.stations) == 4


def test_removing_a_placed_station_is_refused(client, office, venue, make_person):
    station = venue.stations[0]
    place(make_person, venue, station=station)
    page = text(client.get(f"/rooms/{venue.id}"))
    assert f"/stations/{station.id}/remove" not in page and "已安排考生" in page
    refused = client.post(f"/rooms/{venue.id}/stations/{station.id}/remove")
    assert refused.status_code == 422 and "不能删除" in text(refused)


def test_new_room_page(client, office):
    assert client.get("/rooms/new").status_code == 200
    created = client.post(
        "/rooms/new", data={"kind": "theory_lab", "code": "L9", "name": "新机房", "rows": 2, "cols": 2}
    )
    assert created.status_code == 302
    assert db.session.scalar(sa.select(Room).where(Room.code == "L9")).capacity == 4
    bad = client.post("/rooms/new", data={"kind": "theory_lab", "code": "L9", "name": "", "rows": 0, "cols": 2})
    assert bad.status_code == 422 and "已被其他考场使用" in text(bad) and "行数应为" in text(bad)


def test_import_page_lists_every_problem_and_writes_nothing(client, office):
    assert "下载导入模板" in text(client.get("/rooms/import"))
    data = workbook(
        labs=[("L1", "机房", "", 1, 1, "A01", "", "10.0.0.1", ""), ("L1", "", "", -1, 1, "A01", "", "x", "")]
    )
    response = client.post("/rooms/import", data={"file": (io.BytesIO(data), "rooms.xlsx")})
    assert response.status_code == 422
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", text(response))
    assert ("机房座位", "3", "行", "「行」应为 1–26 的整数，现为「-1」") in rows
    assert {(r[0], r[1], r[2]) for r in rows} == {
        ("机房座位", "3", "行"),
        ("机房座位", "3", "座位号"),
        ("机房座位", "3", "IP"),
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Room)) == 0
    assert client.post("/rooms/import", data={}).status_code == 422


def test_import_page_success_and_downloads(client, office, lab):
    data = workbook(labs=[("L5", "机房五", "西楼", 2, 2, "B02", "", "", "")])
    response = client.post("/rooms/import", data={"file": (io.BytesIO(data), "rooms.xlsx")})
    assert response.status_code == 302
    assert "新建 1 个考场" in text(client.get(response.headers["Location"]))
    exported = client.get("/rooms/export.xlsx")
    assert exported.status_code == 200 and exported.mimetype.endswith("spreadsheetml.sheet")
    labs = list(load_workbook(io.BytesIO(exported.data))["机房座位"].iter_rows(values_only=True))
    assert ("L5", "机房五", "西楼", 2, 2, "B02", None, None, "否") in labs and len(labs) == 1 + 6 + 1
    blank = load_workbook(io.BytesIO(client.get("/rooms/template.xlsx").data))
    assert blank.sheetnames == ["说明", "机房座位", "实操场地"] and blank["实操场地"].max_row == 1


def test_a_proctor_sees_the_map_but_cannot_edit(client, login, make_user, lab):
    login(make_user(Role.PROCTOR))
    page = text(client.get(f"/rooms/{lab.id}"))
    assert "A01" in page and "seat-editor" not in page and f"/seats/{lab.seats[0].id}" not in page
    assert client.get("/rooms/").status_code == 200


EDIT_ROUTES = [
    ("get", "/rooms/new"), ("post", "/rooms/new"), ("get", "/rooms/import"), ("post", "/rooms/import"),
    ("post", "/rooms/{room}/edit"), ("post", "/rooms/{room}/resize"), ("get", "/rooms/{room}/seats/{seat}"),
    ("post", "/rooms/{room}/seats/{seat}"), ("post", "/rooms/{room}/seats/{seat}/service"),
    ("post", "/rooms/{venue}/stations"), ("get", "/rooms/{venue}/stations/{station}"),
    ("post", "/rooms/{venue}/stations/{station}"), ("post", "/rooms/{venue}/stations/{station}/remove"),
    ("post", "/rooms/{venue}/occupations"),
]  # fmt: skip


@pytest.mark.parametrize("role", [Role.PROCTOR, Role.COORDINATOR, Role.SUPERVISOR])
def test_edit_routes_are_denied_to_proctors_coordinators_and_supervisors(client, login, make_user, lab, venue, role):
    login(make_user(role))
    ids = {"room": lab.id, "seat": lab.seats[0].id, "venue": venue.id, "station": venue.stations[0].id}
    for method, url in EDIT_ROUTES:
        response = getattr(client, method)(url.format(**ids), data={"rows": 1, "cols": 1, "label": "Z"})
        assert response.status_code == 403, (method, url)
    db.session.expire_all()
    assert len(lab.seats) == 6 and len(venue.stations) == 2


def test_a_coordinator_cannot_even_view_rooms(client, login, make_user, lab):
    login(make_user(Role.COORDINATOR))
    assert client.get("/rooms/").status_code == 403
    assert client.get(f"/rooms/{lab.id}").status_code == 403
    assert client.get("/rooms/export.xlsx").status_code == 403
