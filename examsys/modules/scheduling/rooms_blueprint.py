"""URL map of the rooms area: labs with seat maps, venues with stations, the rooms workbook."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.scheduling import rooms_controllers as c

bp = Blueprint("rooms", __name__, url_prefix="/rooms")
view, edit = requires("rooms.view"), requires("rooms.edit")
GET_POST, POST = ["GET", "POST"], ["POST"]

bp.add_url_rule("/", "index", view(c.index))
bp.add_url_rule("/new", "new_room", edit(c.new_room), methods=GET_POST)
bp.add_url_rule("/import", "import_file", edit(c.import_file), methods=GET_POST)
bp.add_url_rule("/export.xlsx", "export", view(c.export))
bp.add_url_rule("/template.xlsx", "template", view(c.template))
bp.add_url_rule("/<int:room_id>", "room", view(c.room))
bp.add_url_rule("/<int:room_id>/edit", "edit_room", edit(c.edit_room), methods=POST)
bp.add_url_rule("/<int:room_id>/resize", "resize", edit(c.resize), methods=POST)
bp.add_url_rule("/<int:room_id>/seats/<int:seat_id>", "seat", edit(c.seat), methods=GET_POST)
bp.add_url_rule("/<int:room_id>/seats/<int:seat_id>/service", "seat_service", edit(c.seat_service), methods=POST)
bp.add_url_rule("/<int:room_id>/stations", "add_stations", edit(c.add_stations), methods=POST)
bp.add_url_rule("/<int:room_id>/stations/<int:station_id>", "station", edit(c.station), methods=GET_POST)
bp.add_url_rule(
    "/<int:room_id>/stations/<int:station_id>/remove", "remove_station", edit(c.remove_station), methods=POST
)
bp.add_url_rule("/<int:room_id>/occupations", "occupations", edit(c.occupations), methods=POST)
