"""The catalogue through /api/v1."""

from examsys.modules.catalog import util
from examsys.modules.catalog.schemas import (
    CollegeSchema,
    LevelSchema,
    MajorSchema,
    OccupationQuerySchema,
    OccupationSchema,
)
from examsys.web.api import ApiView, api_blueprint

blp = api_blueprint("catalog_api", __name__, "职业目录：职业、工种、等级、学院、专业")
READ = {"GET": "catalog.view"}


@blp.route("/levels")
class Levels(ApiView):
    permissions = READ

    @blp.response(200, LevelSchema(many=True))
    def get(self):
        """五个技能等级"""
        return util.list_levels()


@blp.route("/occupations")
class Occupations(ApiView):
    permissions = READ

    @blp.arguments(OccupationQuerySchema, location="query")
    @blp.response(200, OccupationSchema(many=True))
    def get(self, args):
        """职业列表（含工种和可认定等级）"""
        return util.list_occupations(args["q"], args["college"], args["level"])


@blp.route("/occupations/<int:occupation_id>")
class OccupationDetail(ApiView):
    permissions = READ

    @blp.response(200, OccupationSchema)
    def get(self, occupation_id: int):
        """一个职业"""
        return util.get_occupation(occupation_id)


@blp.route("/colleges")
class Colleges(ApiView):
    permissions = {"GET": "colleges.view"}

    @blp.response(200, CollegeSchema(many=True))
    def get(self):
        """学院列表"""
        return util.list_colleges()


@blp.route("/majors")
class Majors(ApiView):
    permissions = READ

    @blp.response(200, MajorSchema(many=True))
    def get(self):
        """专业列表"""
        return util.list_majors()
