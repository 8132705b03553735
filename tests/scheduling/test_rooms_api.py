"""Rooms through /api/v1: list, one room with seats or stations, patch a seat."""

from __future__ import annotations

import pytest

from examsys.core.db import db
from examsys.core.permissions import Role
from examsys.modules.accounts.operations import issue_api_token
from examsys.modules.catalog import operations as catalog
from examsys.modules.scheduling import operations as ops
from examsys.modules.scheduling.models import RoomKind


@pytest.fixture
def lab(db_session):
    room = ops.create_lab("L301", "东楼301", "东楼", 2, 2, subnet="10.20.1")
    ops.set_seat_in_service(room.seats[3], False)
    return room


@pytest.fixture
def venue(db_session):
    lathe = catalog.save_occupation(None, name="车工", code="6-18-01-01")
    return ops.create_venue("P-JJG", "机加工实训中心", RoomKind.PRACTICAL, 2, "车床", [lathe], area_m2=300)


def bearer(user) -> dict[str, str]:
    _token, plain = issue_api_token(user, "rooms api test")
    return {"Authorization": f"Bearer {plain}"}


def test_list_rooms_with_capacity_and_filter(client, make_user, lab, venue):
    headers = bearer(make_user(Role.PROCTOR))
    listing = client.get("/api/v1/rooms", headers=headers)
    assert listing.status_code == 200
    by_code = {r["code"]: r for r in listing.json}
    assert by_code["L301"]["capacity"] == 3 and by_code["L301"]["out_of_service"] == 1
    assert by_code["L301"]["kind"] == "theory_lab" and by_code["L301"]["rows"] == 2
    assert by_code["P-JJG"]["capacity"] == 2 and by_code["P-JJG"]["area_m2"] == 300
    only_labs = client.get("/api/v1/rooms?kind=theory_lab", headers=headers).json
    assert [r["code"] for r in only_labs] == ["L301"]
    assert client.get("/api/v1/rooms?kind=garage", headers=headers).status_code == 422


def test_room_detail_has_seats_or_stations(client, make_user, lab, venue):
    headers = bearer(make_user(Role.SUPERVISOR))
    detail = client.get(f"/api/v1/rooms/{lab.id}", headers=headers).json
    assert [s["label"] for s in detail["seats"]] == ["A01", "A02", "B01", "B02"]
    assert detail["seats"][0] == {"id": lab.seats[0].id, "row": 1, "col": 1, "label": "A01",
                                  "hostname": "l301-001", "ip": "10.20.1.11", "in_service": True}  # fmt: skip
    assert detail["stations"] == []
    detail = client.get(f"/api/v1/rooms/{venue.id}", headers=headers).json
    assert [s["label"] for s in detail["stations"]] == ["001", "002"] and detail["occupations"] == ["车工"]
    assert client.get("/api/v1/rooms/99999", headers=headers).status_code == 404


def test_patch_a_seat_changes_only_the_given_fields(client, make_user, lab):
    headers = bearer(make_user(Role.EXAM_OFFICE))
    seat = lab.seats[0]
    url = f"/api/v1/rooms/{lab.id}/seats/{seat.id}"
    response = client.patch(url, json={"in_service": False, "ip": "10.20.1.200"}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["in_service"] is False and response.json["ip"] == "10.20.1.200"
    assert response.json["label"] == "A01" and response.json["hostname"] == "l301-001"
    db.session.expire_all()
    assert not seat.in_service and lab.capacity == 2


def test_patch_errors_name_the_field(client, make_user, lab):
    headers = bearer(make_user(Role.EXAM_OFFICE))
    url = f"/api/v1/rooms/{lab.id}/seats/{lab.seats[0].id}"
    bad = client.patch(url, json={"label": "A02", "ip": "300.1.1.1"}, headers=headers)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json["errors"]} == {"label", "ip"}
    assert client.patch(url, json={"in_service": "perhaps"}, headers=headers).status_code == 422
    other = ops.create_lab("L302", "东楼302", "东楼", 1, 1, subnet="10.20.2")
    wrong_room = f"/api/v1/rooms/{other.id}/seats/{lab.seats[0].id}"
    assert client.patch(wrong_room, json={"label": "Z9"}, headers=headers).status_code == 404
    db.session.expire_all()
    assert lab.seats[0].label == "A01"


def test_patch_needs_rooms_edit_and_a_token(client, make_user, login, lab):
    url = f"/api/v1/rooms/{lab.id}/seats/{lab.seats[0].id}"
    assert client.patch(url, json={"label": "Z1"}, headers=bearer(make_user(Role.PROCTOR))).status_code == 403
    assert client.get(url, headers=bearer(make_user(Role.PROCTOR))).status_code == 200
    assert client.get("/api/v1/rooms", headers=bearer(make_user(Role.COORDINATOR))).status_code == 403
    login(make_user(Role.EXAM_OFFICE))
    assert client.patch(url, json={"label": "Z1"}).status_code == 403  # a session cookie alone never writes
