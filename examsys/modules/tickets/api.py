"""Tickets through /api/v1: issue, list, reprint, queue bulk PDFs, verify a scanned code."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from examsys.modules.documents import queue
from examsys.modules.scheduling import util as scheduling_util
from examsys.modules.tickets import operations, rendering, util
from examsys.web.api import ApiView, api_blueprint

blp = api_blueprint("tickets_api", __name__, "准考证：生成、补打、批量文档、验证")


class TicketSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    version = fields.Integer()
    status = fields.Function(lambda t: t.status.value)
    application_id = fields.Integer()
    name = fields.Function(lambda t: t.application.person.name)


class IssueSchema(Schema):
    issued = fields.Integer()
    kept = fields.Integer()
    withdrawn = fields.Integer()
    stale = fields.Integer()


class ReprintArgs(Schema):
    reason = fields.String(required=True)


class JobArgs(Schema):
    college_id = fields.Integer(load_default=None)
    room_id = fields.Integer(load_default=None)


class DocumentJobSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.Function(lambda j: j.status.value)
    total = fields.Integer()
    done = fields.Integer()
    percent = fields.Integer()


class VerifyArgs(Schema):
    code = fields.String(required=True)


class SessionLineSchema(Schema):
    kind = fields.String()
    name = fields.String()
    date = fields.String()
    time = fields.String()
    room = fields.String()
    place = fields.String()


class VerifiedSchema(Schema):
    number = fields.String()
    name = fields.String()
    id_type = fields.String()
    id_number = fields.String()
    occupation = fields.String()
    job = fields.String()
    level = fields.String()
    sessions = fields.List(fields.Nested(SessionLineSchema))


@blp.route("/plans/<int:plan_id>/tickets")
class PlanTickets(ApiView):
    permissions = {"GET": "tickets.manage", "POST": "tickets.manage"}

    @blp.response(200, TicketSchema(many=True))
    def get(self, plan_id: int):
        """考试计划的有效准考证（按考场、座位排序）"""
        _index, tickets = rendering.select(scheduling_util.get_plan(plan_id))
        return tickets

    @blp.response(200, IssueSchema)
    def post(self, plan_id: int):
        """为已批准计划中尚无准考证的考生编号发证；已离开计划的作废"""
        return operations.issue(scheduling_util.get_plan(plan_id))


@blp.route("/plans/<int:plan_id>/tickets/jobs")
class TicketJobs(ApiView):
    permissions = {"POST": "tickets.manage"}

    @blp.arguments(JobArgs)
    @blp.response(202, DocumentJobSchema)
    def post(self, args, plan_id: int):
        """排队生成整批（或一个学院、一个考场）的准考证 PDF；进度见 /documents/<id>"""
        plan = scheduling_util.get_plan(plan_id)
        params = {"plan_id": plan.id, **{k: v for k, v in args.items() if v}}
        return queue.enqueue("tickets", params, f"准考证：{plan.name}", current_user.id)


@blp.route("/tickets/<int:ticket_id>/reprint")
class Reprint(ApiView):
    permissions = {"POST": "tickets.manage"}

    @blp.arguments(ReprintArgs)
    @blp.response(200, TicketSchema)
    def post(self, args, ticket_id: int):
        """补打一张准考证：版本加一，旧证二维码作废"""
        return operations.reprint(util.get_ticket(ticket_id), args["reason"])


@blp.route("/tickets/verify")
class Verify(ApiView):
    permissions = {"POST": "tickets.verify"}

    @blp.arguments(VerifyArgs)
    @blp.response(200, VerifiedSchema)
    def post(self, args):
        """验证扫描到的准考证二维码；伪造、改动或已作废的返回错误"""
        return operations.verify(args["code"]).page
