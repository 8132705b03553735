"""Banks through /api/v1: list banks, download the template, import a file, check a blueprint."""

from flask import Response
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from examsys.modules.banks import blueprints, imports, util
from examsys.modules.banks.exports import template
from examsys.modules.banks.formats import FORMATS, parse_file
from examsys.modules.banks.models import ItemStatus
from examsys.modules.catalog import util as catalog_util
from examsys.web.api import ApiView, api_blueprint

blp = api_blueprint("banks_api", __name__, "题库：导入、模板、组卷方案可行性")


class BankSchema(Schema):
    job_id = fields.Function(lambda b: b["job"].id)
    job = fields.Function(lambda b: b["job"].label)
    level = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    tasks = fields.Integer(load_default=0)


class ImportArgs(Schema):
    job_id = fields.Integer(required=True)
    level = fields.Integer(required=True)
    format = fields.String(load_default=None)
    status = fields.String(load_default="active")


class FileSchema(Schema):
    file = Upload(required=True)


class ProblemSchema(Schema):
    message = fields.String()
    sheet = fields.String(allow_none=True)
    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    question = fields.String(allow_none=True)


class ImportReportSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    elements = fields.Integer()
    tasks = fields.Integer()
    warnings = fields.Function(lambda r: [p.as_dict() for p in r.warnings])


class FeasibilitySchema(Schema):
    feasible = fields.Boolean()
    problems = fields.List(fields.String())


@blp.route("/banks")
class Banks(ApiView):
    permissions = {"GET": "banks.view"}

    @blp.response(200, BankSchema(many=True))
    def get(self):
        """各题库及其试题数量（按状态）"""
        return util.bank_summary()


@blp.route("/banks/template.xlsx")
class Template(ApiView):
    permissions = {"GET": "banks.view"}

    @blp.response(200)
    def get(self):
        """空白导入模板（Excel）"""
        return Response(template(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@blp.route("/banks/import")
class Import(ApiView):
    permissions = {"POST": "banks.edit"}

    @blp.arguments(ImportArgs, location="query")
    @blp.arguments(FileSchema, location="files")
    @blp.response(201, ImportReportSchema)
    def post(self, args, files):
        """导入题库文件（全部成功或全部不导入；错误逐条列出位置）"""
        job = catalog_util.get_job(args["job_id"])
        fmt = args["format"] if args["format"] in FORMATS else None
        upload = files["file"]
        parsed = parse_file(upload.filename or "", upload.read(), fmt)
        return imports.import_bank(
            parsed, job, args["level"], status=ItemStatus(args["status"]), filename=upload.filename or ""
        )


@blp.route("/banks/blueprints/<int:blueprint_id>/feasibility")
class Feasibility(ApiView):
    permissions = {"GET": "banks.view"}

    @blp.response(200, FeasibilitySchema)
    def get(self, blueprint_id: int):
        """组卷方案可行性：题库缺口逐项列出"""
        problems = blueprints.feasibility(util.get_blueprint(blueprint_id))
        return {"feasible": not problems, "problems": [str(p) for p in problems]}
