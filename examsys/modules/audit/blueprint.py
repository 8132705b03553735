"""URL map of the audit area."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.audit import controllers as c

bp = Blueprint("audit", __name__, url_prefix="/audit")

bp.add_url_rule("/", "entries", requires("audit.view")(c.entries))
bp.add_url_rule("/verify", "verify", requires("audit.view")(c.verify))
