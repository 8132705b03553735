"""URL map of the scheduling area: plans, sessions, seating, staff on duty, filing."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.scheduling import controllers as c

bp = Blueprint("scheduling", __name__, url_prefix="/scheduling")
view, manage = requires("scheduling.view"), requires("scheduling.manage")
staff, approve = requires("staffing.manage"), requires("plans.approve")

bp.add_url_rule("/plans", "plans", view(c.plan_list), methods=["GET"])
bp.add_url_rule("/plans", "create_plan", manage(c.plan_list), methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>", "plan", view(c.plan))
bp.add_url_rule("/plans/<int:plan_id>/edit", "edit_plan", manage(c.edit_plan), methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>/sessions", "add_session", manage(c.add_session), methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>/sittings", "plan_sittings", manage(c.plan_sittings), methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>/allocate", "allocate", manage(c.allocate), methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>/allocate-practical", "allocate_practical", manage(c.allocate_practical),
                methods=["POST"])  # fmt: skip
bp.add_url_rule("/plans/<int:plan_id>/file", "file_plan", approve(c.file_plan), methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>/approve", "approve_plan", approve(c.approve_plan), methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>/reopen", "reopen_plan", approve(c.reopen_plan), methods=["POST"])
bp.add_url_rule("/sessions/<int:session_id>", "session", view(c.session_page))
bp.add_url_rule("/sessions/<int:session_id>/edit", "edit_session", manage(c.edit_session), methods=["POST"])
bp.add_url_rule("/sessions/<int:session_id>/rooms/<int:room_id>", "seat_map", view(c.seat_map))
bp.add_url_rule("/placements/<int:placement_id>/move", "move", manage(c.move), methods=["POST"])
bp.add_url_rule("/sessions/<int:session_id>/staff", "assign", staff(c.assign), methods=["POST"])
bp.add_url_rule("/sessions/<int:session_id>/staff/<int:assignment_id>/remove", "unassign", staff(c.unassign),
                methods=["POST"])  # fmt: skip
bp.add_url_rule("/plans/<int:plan_id>/plan.<any(pdf, xlsx):fmt>", "plan_document", view(c.plan_document))
bp.add_url_rule("/plans/<int:plan_id>/auto-staff", "auto_staff", staff(c.auto_staff), methods=["POST"])
bp.add_url_rule("/plans/<int:plan_id>/staffing", "staffing_check", view(c.staffing_check))
bp.add_url_rule("/examiners", "examiners", view(c.examiners))
bp.add_url_rule("/examiners/cards", "add_card", staff(c.add_card), methods=["POST"])
bp.add_url_rule("/examiners/recusals", "declare_recusal", staff(c.declare_recusal), methods=["POST"])
bp.add_url_rule("/examiners/teaching", "record_teaching", staff(c.record_teaching), methods=["POST"])
bp.add_url_rule("/ratios", "set_ratio", staff(c.set_ratio), methods=["POST"])
