"""URL map of tickets and exam-day papers."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.tickets import controllers as c

bp = Blueprint("tickets", __name__, url_prefix="/tickets")
view, manage, generate = requires("tickets.view"), requires("tickets.manage"), requires("tickets.generate")
papers, check = requires("tickets.papers"), requires("tickets.verify")

bp.add_url_rule("/", "index", view(c.index))
bp.add_url_rule("/plans/<int:plan_id>", "plan", view(c.plan))
bp.add_url_rule("/plans/<int:plan_id>/issue", "issue", manage(c.issue), methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>/release", "release", manage(c.release), methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>/generate", "generate", generate(c.generate), methods=["POST"])
bp.add_url_rule("/<int:ticket_id>.pdf", "ticket_pdf", manage(c.ticket_pdf))
bp.add_url_rule("/<int:ticket_id>/reprint", "reprint", manage(c.reprint), methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>/reprint", "reprint_number", manage(c.reprint_number), methods=["POST"])
bp.add_url_rule("/<int:ticket_id>/sessions/<int:session_id>/label.pdf", "label_pdf", manage(c.label_pdf))
bp.add_url_rule("/<int:ticket_id>/photo.jpg", "photo", check(c.photo))
bp.add_url_rule("/sessions/<int:session_id>", "session_papers", papers(c.session_papers), methods=["GET", "POST"])
bp.add_url_rule("/sessions/<int:session_id>/rooms/<int:room_id>/<paper>.pdf", "room_paper", papers(c.room_paper_pdf))
bp.add_url_rule("/settings", "settings", manage(c.settings), methods=["GET", "POST"])
bp.add_url_rule("/verify", "verify", check(c.verify), methods=["GET", "POST"])
