"""URL map of the calendar area."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.calendar import controllers as c

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

bp.add_url_rule("/", "index", requires("calendar.view")(c.index))
bp.add_url_rule("/overrides", "save_override", requires("calendar.edit")(c.save_override), methods=["POST"])
bp.add_url_rule(
    "/overrides/<day>/delete", "delete_override", requires("calendar.edit")(c.delete_override), methods=["POST"]
)
