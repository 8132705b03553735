"""URL map of the machine test at /exam (the lab machines' browsers open this)."""

from flask import Blueprint

from examsys.core.permissions import SEAT_PERMISSION, requires
from examsys.modules.delivery import controllers as c

bp = Blueprint("delivery", __name__, url_prefix="/exam")
seat = requires(SEAT_PERMISSION)

# The login page is public (PUBLIC_ENDPOINTS); everything else passes the seat guard. The autosave
# and the heartbeat are answered in front of Flask with the same checks (delivery.front).
bp.add_url_rule("/login", "login", c.login, methods=["GET", "POST"])
bp.add_url_rule("/", "exam", seat(c.seat_guard(c.exam)))
bp.add_url_rule("/state", "state", seat(c.seat_guard(c.state)))
bp.add_url_rule("/submit", "submit", seat(c.seat_guard(c.submit)), methods=["POST"])
bp.add_url_rule("/signal", "signal", seat(c.seat_guard(c.signal)), methods=["POST"])
bp.add_url_rule("/logout", "logout", seat(c.seat_guard(c.logout)), methods=["POST"])
