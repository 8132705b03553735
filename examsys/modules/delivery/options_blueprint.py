"""URL of the office's machine-test settings."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.delivery import options_controllers as c

bp = Blueprint("exam_options", __name__, url_prefix="/exam-admin")

bp.add_url_rule("/sessions/<int:session_id>/options", "save", requires("delivery.prepare")(c.save_options),
                methods=["POST"])  # fmt: skip
