"""People through /api/v1 (read-only for now), limited to the caller's college scope."""

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort

from examsys.core.ids import DocumentType
from examsys.modules.catalog import util as catalog_util
from examsys.modules.catalog.models import StudyLevel
from examsys.modules.people import operations, util
from examsys.modules.people.models import Gender, PersonKind
from examsys.modules.people.schemas import PeoplePageSchema, PeopleQuerySchema, PersonCreateSchema, PersonSchema
from examsys.web.api import ApiView, api_blueprint

blp = api_blueprint("people_api", __name__, "人员：学生、教职工、社会人员")


def _enum(enum_cls, value, name):
    if value in (None, ""):
        return None
    try:
        return enum_cls(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum_cls)
        abort(422, message=_("%(name)s：%(value)s 无效，可选 %(choices)s", name=name, value=value, choices=choices))


@blp.route("/people")
class People(ApiView):
    permissions = {"GET": "people.view", "POST": "people.edit"}

    @blp.arguments(PeopleQuerySchema, location="query")
    @blp.response(200, PeoplePageSchema)
    def get(self, args):
        """按姓名、证件号、学号及学院、专业、年级、班级筛选人员"""
        scope = util.scope_college(current_user)
        flt = util.PeopleFilter(
            q=args["q"].strip(),
            kind=_enum(PersonKind, args["kind"], "kind"),
            college_id=scope or args["college"],
            major_id=args["major"],
            grade=args["grade"],
            class_name=args["class_name"],
            study_level=_enum(StudyLevel, args["study_level"], "study_level"),
        )
        page = util.search_people(flt, scope=scope, page=args["page"], per_page=args["per_page"])
        return {
            "items": page.items,
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
            "pages": page.pages,
        }

    @blp.arguments(PersonCreateSchema)
    @blp.response(201, PersonSchema)
    def post(self, args):
        """登记一个人员（证件号码按类型校验；学院联络员只能登记本学院人员）"""
        scope = util.scope_college(current_user)
        data = operations.PersonData(
            kind=_enum(PersonKind, args.pop("kind"), "kind"),
            doc_type=_enum(DocumentType, args.pop("doc_type"), "doc_type"),
            gender=_enum(Gender, args.pop("gender"), "gender"),
            study_level=_enum(StudyLevel, args.pop("study_level"), "study_level"),
            college=catalog_util.get_college(args.pop("college_id")) if args.get("college_id") else None,
            major=catalog_util.get_major(args.pop("major_id")) if args.get("major_id") else None,
            **{k: v for k, v in args.items() if k not in {"college_id", "major_id"}},
        )
        return operations.create_person(data, scope=scope)


@blp.route("/people/<int:person_id>")
class PersonDetail(ApiView):
    permissions = {"GET": "people.view"}

    @blp.response(200, PersonSchema)
    def get(self, person_id: int):
        """一个人员的完整信息"""
        return util.get_person(person_id, scope=util.scope_college(current_user))
