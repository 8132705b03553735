"""The signed-in account through /api/v1."""

from flask_login import current_user
from marshmallow import Schema, fields

from examsys.web.api import ApiView, api_blueprint

blp = api_blueprint("accounts_api", __name__, "当前账户")


class MeSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    roles = fields.Function(lambda u: sorted(r.value for r in u.roles))
    college_id = fields.Integer(allow_none=True)


@blp.route("/me")
class Me(ApiView):
    permissions = {"GET": "signed_in"}

    @blp.response(200, MeSchema)
    def get(self):
        """当前登录的账户及其角色"""
        return current_user
