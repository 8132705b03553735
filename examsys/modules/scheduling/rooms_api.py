"""Rooms through /api/v1: list rooms, one room with its seats or stations, change a seat."""

from flask_babel import gettext as _
from flask_smorest import abort
from marshmallow import Schema, fields

from examsys.modules.scheduling import operations as ops
from examsys.modules.scheduling.models import Room, RoomKind
from examsys.web.api import ApiView, api_blueprint

blp = api_blueprint("rooms_api", __name__, "考场：机房座位与实操工位")


def _places(room: Room) -> list:
    return room.seats if room.kind is RoomKind.THEORY_LAB else room.stations


class SeatSchema(Schema):
    id = fields.Integer()
    row = fields.Integer()
    col = fields.Integer()
    label = fields.String()
    hostname = fields.String()
    ip = fields.String()
    in_service = fields.Boolean()


class StationSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    station_type = fields.String()
    in_service = fields.Boolean()


class RoomSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.Function(lambda r: r.kind.value)
    building = fields.String()
    area_m2 = fields.Float(allow_none=True)
    rows = fields.Integer()
    cols = fields.Integer()
    capacity = fields.Integer()
    out_of_service = fields.Function(lambda r: sum(1 for p in _places(r) if not p.in_service))
    front_camera = fields.String()
    back_camera = fields.String()
    active = fields.Boolean()


class RoomDetailSchema(RoomSchema):
    note = fields.String()
    occupations = fields.Function(lambda r: [o.name for o in r.occupations])
    seats = fields.List(fields.Nested(SeatSchema))
    stations = fields.List(fields.Nested(StationSchema))


class SeatPatchSchema(Schema):
    label = fields.String()
    hostname = fields.String()
    ip = fields.String()
    in_service = fields.Boolean()


class RoomQuery(Schema):
    kind = fields.String(load_default=None)


@blp.route("/rooms")
class Rooms(ApiView):
    permissions = {"GET": "rooms.view"}

    @blp.arguments(RoomQuery, location="query")
    @blp.response(200, RoomSchema(many=True))
    def get(self, args):
        """全部考场（可按类型 theory_lab / practical / outdoor 筛选），含容量与停用数"""
        kind = args["kind"]
        if kind and kind not in {k.value for k in RoomKind}:
            abort(422, message=_("kind：%(v)s 无效，可选 %(c)s", v=kind, c=", ".join(k.value for k in RoomKind)))
        return ops.list_rooms(RoomKind(kind) if kind else None)


@blp.route("/rooms/<int:room_id>")
class RoomDetail(ApiView):
    permissions = {"GET": "rooms.view"}

    @blp.response(200, RoomDetailSchema)
    def get(self, room_id: int):
        """一个考场及其全部座位（机房）或工位（场地）"""
        return ops.get_room(room_id)


@blp.route("/rooms/<int:room_id>/seats/<int:seat_id>")
class SeatDetail(ApiView):
    permissions = {"GET": "rooms.view", "PATCH": "rooms.edit"}

    @blp.response(200, SeatSchema)
    def get(self, room_id: int, seat_id: int):
        """一个座位"""
        return ops.get_seat(ops.get_room(room_id), seat_id)

    @blp.arguments(SeatPatchSchema)
    @blp.response(200, SeatSchema)
    def patch(self, args, room_id: int, seat_id: int):
        """修改座位：座位号、主机名、IP、是否可用（只改给出的字段；重复或格式错误按字段报错）"""
        seat = ops.get_seat(ops.get_room(room_id), seat_id)
        current = {"label": seat.label, "hostname": seat.hostname, "ip": seat.ip, "in_service": seat.in_service}
        return ops.update_seat(seat, **{**current, **args})
