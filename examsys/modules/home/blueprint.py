"""URL map of the home area."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.home import controllers as c

bp = Blueprint("home", __name__)

bp.add_url_rule("/", "index", requires("signed_in")(c.index))
bp.add_url_rule("/dashboard", "dashboard", requires("staff.home")(c.dashboard))
