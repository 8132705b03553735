"""URL map of the portal area."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.portal import controllers as c

bp = Blueprint("portal", __name__, url_prefix="/portal")

bp.add_url_rule("/", "home", requires("portal.view")(c.home))
bp.add_url_rule("/apply/<int:batch_id>", "apply", requires("portal.apply")(c.apply), methods=["POST"])
bp.add_url_rule("/tickets/<int:ticket_id>.pdf", "ticket", requires("portal.ticket")(c.ticket))
