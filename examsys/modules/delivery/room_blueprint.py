"""URL map of the staff side of the machine test (/exam-admin)."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.delivery import room_controllers as c

bp = Blueprint("exam_admin", __name__, url_prefix="/exam-admin")
prepare, watch, act = requires("delivery.prepare"), requires("delivery.watch"), requires("delivery.proctor")

bp.add_url_rule("/sessions/<int:session_id>/prepare", "prepare", prepare(c.prepare), methods=["POST"])
bp.add_url_rule("/sessions/<int:session_id>/rooms/<int:room_id>", "room", watch(c.room))
bp.add_url_rule(
    "/sessions/<int:session_id>/rooms/<int:room_id>/room", "room_action", act(c.room_action), methods=["POST"]
)
bp.add_url_rule("/sessions/<int:session_id>/rooms/<int:room_id>/candidate", "candidate_action", act(c.candidate_action),
                methods=["POST"])  # fmt: skip
bp.add_url_rule("/papers/<int:paper_id>/stats", "paper_stats", requires("papers.view")(c.paper_stats))
bp.add_url_rule(
    "/papers/<int:paper_id>/correct-key", "correct_key", requires("banks.edit")(c.correct_key), methods=["POST"]
)
