"""URL map of the people area."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.people import controllers as c

bp = Blueprint("people", __name__, url_prefix="/people")
view, edit = requires("people.view"), requires("people.edit")

bp.add_url_rule("/", "search", view(c.search))
bp.add_url_rule("/<int:person_id>", "detail", view(c.detail))
bp.add_url_rule("/new", "new", edit(c.edit), methods=["GET", "POST"])
bp.add_url_rule("/<int:person_id>/edit", "edit", edit(c.edit), methods=["GET", "POST"])
bp.add_url_rule("/roster", "roster", edit(c.roster), methods=["GET", "POST"])
bp.add_url_rule("/roster/template.xlsx", "roster_template", edit(c.roster_template))
bp.add_url_rule("/photos", "photos", edit(c.photos), methods=["GET", "POST"])
bp.add_url_rule("/<int:person_id>/photo", "upload_photo", edit(c.upload_photo), methods=["POST"])
bp.add_url_rule("/<int:person_id>/photo.jpg", "photo", view(c.photo))
bp.add_url_rule("/certificates", "certificates", edit(c.certificates), methods=["GET", "POST"])
