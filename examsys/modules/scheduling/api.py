"""Scheduling through /api/v1: plans, sessions, seating, moves, staff on duty, filing."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from examsys.modules.scheduling import plans, seating, staffing, util
from examsys.modules.scheduling.models import StaffRole
from examsys.web.api import ApiView, api_blueprint

blp = api_blueprint("scheduling_api", __name__, "考试计划：场次、排座、考务人员、报备")


class SessionSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.Function(lambda s: s.kind.value)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    duration_minutes = fields.Integer()
    rooms = fields.Function(lambda s: [r.code for r in s.rooms])


class FilingSchema(Schema):
    first_session = fields.Date(allow_none=True)
    deadline = fields.Date(allow_none=True)
    filed_on = fields.Date(allow_none=True)
    working_days_ahead = fields.Integer(allow_none=True)
    late = fields.Boolean()
    provisional = fields.Boolean()
    message = fields.String()


class PlanSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    status = fields.Function(lambda p: p.status.value)
    batches = fields.Function(lambda p: [b.id for b in p.batches])
    spare_seats_per_lab = fields.Integer()
    form_count = fields.Integer()
    lead_working_days = fields.Integer()
    filed_on = fields.Date(allow_none=True)
    approved_on = fields.Date(allow_none=True)
    approval_ref = fields.String()
    sessions = fields.List(fields.Nested(SessionSchema))
    filing = fields.Function(lambda p: FilingSchema().dump(plans.filing_check(p)))


class ReasonArgs(Schema):
    reason = fields.String(load_default="")


class SeatingSchema(Schema):
    placed = fields.Integer()
    kept = fields.Integer()
    new = fields.Integer()
    removed = fields.Integer()
    moved = fields.List(fields.String())
    unplaced = fields.List(fields.String())
    warnings = fields.List(fields.String())
    capacity_per_sitting = fields.Integer()
    sittings_needed = fields.Integer()


class PlacementSchema(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    name = fields.Function(lambda p: p.application.person.name)
    room = fields.Function(lambda p: p.room.code)
    seat = fields.Function(lambda p: p.seat.label if p.seat else None)
    station = fields.Function(lambda p: p.station.label if p.station else None)
    form = fields.String()
    manual = fields.Boolean()


class MoveArgs(Schema):
    session_id = fields.Integer(required=True)
    seat_id = fields.Integer(required=True)
    reason = fields.String(load_default="")


class MoveResultSchema(Schema):
    placement = fields.Nested(PlacementSchema)
    warnings = fields.List(fields.String())


class StaffSchema(Schema):
    id = fields.Integer()
    user = fields.Function(lambda a: a.user.username)
    name = fields.Function(lambda a: a.user.display_name)
    role = fields.Function(lambda a: a.role.value)
    room = fields.Function(lambda a: a.room.code if a.room else None)
    manual = fields.Boolean()


class AssignArgs(Schema):
    user_id = fields.Integer(required=True)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in StaffRole]))
    room_id = fields.Integer(load_default=None)
    reason = fields.String(load_default="")


class FileArgs(Schema):
    filed_on = fields.Date(required=True)


class ApproveArgs(Schema):
    approved_on = fields.Date(required=True)
    approval_ref = fields.String(required=True)
    late_override_reason = fields.String(load_default="")


@blp.route("/plans")
class Plans(ApiView):
    permissions = {"GET": "scheduling.view"}

    @blp.response(200, PlanSchema(many=True))
    def get(self):
        """考试计划列表"""
        return util.list_plans()


@blp.route("/plans/<int:plan_id>")
class Plan(ApiView):
    permissions = {"GET": "scheduling.view"}

    @blp.response(200, PlanSchema)
    def get(self, plan_id: int):
        """一个考试计划：场次与报备期限"""
        return util.get_plan(plan_id)


@blp.route("/plans/<int:plan_id>/allocate")
class Allocate(ApiView):
    permissions = {"POST": "scheduling.manage"}

    @blp.arguments(ReasonArgs)
    @blp.response(200, SeatingSchema)
    def post(self, args, plan_id: int):
        """理论考试自动排座（保留仍然有效的座位；计划批准后须填写原因）"""
        return seating.allocate_theory(util.get_plan(plan_id), reason=args["reason"]).as_dict()


@blp.route("/plans/<int:plan_id>/file")
class File(ApiView):
    permissions = {"POST": "plans.approve"}

    @blp.arguments(FileArgs)
    @blp.response(200, FilingSchema)
    def post(self, args, plan_id: int):
        """登记报备日期，返回是否逾期"""
        return plans.file_plan(util.get_plan(plan_id), args["filed_on"])


@blp.route("/plans/<int:plan_id>/approve")
class Approve(ApiView):
    permissions = {"POST": "plans.approve"}

    @blp.arguments(ApproveArgs)
    @blp.response(200, PlanSchema)
    def post(self, args, plan_id: int):
        """登记省中心批准（逾期报备须填写中心特批原因）"""
        plan = util.get_plan(plan_id)
        plans.approve_plan(plan, args["approved_on"], args["approval_ref"], args["late_override_reason"])
        return plan


@blp.route("/sessions/<int:session_id>/placements")
class Placements(ApiView):
    permissions = {"GET": "scheduling.view"}

    @blp.response(200, PlacementSchema(many=True))
    def get(self, session_id: int):
        """一个场次的座位/工位安排"""
        return sorted(util.session_placements(util.get_session(session_id)), key=lambda p: (p.room.code, p.id))


@blp.route("/placements/<int:placement_id>/move")
class Move(ApiView):
    permissions = {"POST": "scheduling.manage"}

    @blp.arguments(MoveArgs)
    @blp.response(200, MoveResultSchema)
    def post(self, args, placement_id: int):
        """手动调整座位：占用、停用、不在该场次的座位被拒绝"""
        placement = util.get_placement(placement_id)
        seat = util.get_seat(args["seat_id"])
        warnings = seating.move_to_seat(placement, util.get_session(args["session_id"]), seat, reason=args["reason"])
        return {"placement": placement, "warnings": warnings}


@blp.route("/sessions/<int:session_id>/staff")
class Staff(ApiView):
    permissions = {"GET": "scheduling.view", "POST": "staffing.manage"}

    @blp.response(200, StaffSchema(many=True))
    def get(self, session_id: int):
        """场次的考务人员"""
        return util.session_staff(util.get_session(session_id))

    @blp.arguments(AssignArgs)
    @blp.response(201, StaffSchema)
    def post(self, args, session_id: int):
        """安排考务人员（角色、考场、时间冲突、考评员证与回避均检查）"""
        session = util.get_session(session_id)
        room = util.get_room(args["room_id"]) if args["room_id"] else None
        return staffing.assign_staff(session, util.get_user(args["user_id"]), StaffRole(args["role"]), room,
                                     reason=args["reason"])  # fmt: skip
