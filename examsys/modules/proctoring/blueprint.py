"""URL map of proctoring: check-in, incidents, rulings, the room record, the overview, the supervision report."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.proctoring import controllers as c
from examsys.modules.proctoring.cameras import views as camera_views

bp = Blueprint("proctoring", __name__, url_prefix="/proctoring")
view, checkin = requires("proctoring.view"), requires("proctoring.checkin")
record, supervise = requires("proctoring.incident"), requires("proctoring.rule")

bp.add_url_rule("/", "index", view(c.index))
bp.add_url_rule("/sessions/<int:session_id>", "overview", view(c.overview))
bp.add_url_rule("/sessions/<int:session_id>/rooms/<int:room_id>", "room", view(c.room))
bp.add_url_rule(
    "/sessions/<int:session_id>/rooms/<int:room_id>/checkin", "check_in", checkin(c.check_in), methods=["POST"]
)
bp.add_url_rule("/sessions/<int:session_id>/rooms/<int:room_id>/incidents", "record_incident", record(c.record_incident),
                methods=["POST"])  # fmt: skip
bp.add_url_rule("/sessions/<int:session_id>/rooms/<int:room_id>/record.pdf", "room_record", view(c.room_record))
bp.add_url_rule("/incidents/<int:incident_id>/note", "note", supervise(c.note), methods=["POST"])
bp.add_url_rule("/incidents/<int:incident_id>/rule", "rule", supervise(c.rule), methods=["POST"])
bp.add_url_rule("/placements/<int:placement_id>/photo.jpg", "photo", view(c.photo))
bp.add_url_rule(
    "/sessions/<int:session_id>/supervision", "supervision", supervise(c.supervision), methods=["GET", "POST"]
)
bp.add_url_rule("/supervision/<int:report_id>.pdf", "supervision_pdf", view(c.supervision_pdf))
camera_views.register(bp, view)
