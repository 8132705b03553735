"""URL map of the accounts area."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.accounts import controllers as c

bp = Blueprint("accounts", __name__)

bp.add_url_rule("/login", view_func=c.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=requires("signed_in")(c.logout), methods=["POST"])
bp.add_url_rule("/locale", view_func=c.set_locale)
bp.add_url_rule("/account/password", view_func=requires("signed_in")(c.change_password), methods=["GET", "POST"])
bp.add_url_rule("/admin/users", view_func=requires("users.manage")(c.users))
bp.add_url_rule("/admin/users/new", view_func=requires("users.manage")(c.new_user), methods=["GET", "POST"])
bp.add_url_rule("/admin/users/<int:user_id>", view_func=requires("users.manage")(c.edit_user), methods=["GET", "POST"])
bp.add_url_rule(
    "/admin/users/<int:user_id>/password", view_func=requires("users.manage")(c.reset_password), methods=["POST"]
)
bp.add_url_rule(
    "/admin/users/<int:user_id>/tokens", view_func=requires("users.manage")(c.issue_token), methods=["POST"]
)
bp.add_url_rule(
    "/admin/users/<int:user_id>/tokens/<int:token_id>/revoke",
    view_func=requires("users.manage")(c.revoke_token),
    methods=["POST"],
)
