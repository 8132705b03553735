"""URL map of the catalogue area."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.catalog import controllers as c

bp = Blueprint("catalog", __name__, url_prefix="/catalog")
view, edit, college_edit = requires("catalog.view"), requires("catalog.edit"), requires("colleges.edit")
GET_POST = ["GET", "POST"]

bp.add_url_rule("/occupations", view_func=view(c.occupations))
bp.add_url_rule("/occupations/new", "new_occupation", edit(c.edit_occupation), methods=GET_POST)
bp.add_url_rule("/occupations/<int:occupation_id>", view_func=view(c.occupation))
bp.add_url_rule("/occupations/<int:occupation_id>/edit", view_func=edit(c.edit_occupation), methods=GET_POST)
bp.add_url_rule("/occupations/<int:occupation_id>/jobs/new", "new_job", edit(c.edit_job), methods=GET_POST)
bp.add_url_rule("/occupations/<int:occupation_id>/jobs/<int:job_id>/edit", view_func=edit(c.edit_job), methods=GET_POST)
bp.add_url_rule("/levels", view_func=view(c.levels))
bp.add_url_rule("/majors", view_func=view(c.majors))
bp.add_url_rule("/majors/new", "new_major", edit(c.edit_major), methods=GET_POST)
bp.add_url_rule("/majors/<int:major_id>/edit", view_func=edit(c.edit_major), methods=GET_POST)
bp.add_url_rule("/colleges", view_func=requires("colleges.view")(c.colleges))
bp.add_url_rule("/colleges/new", "new_college", college_edit(c.edit_college), methods=GET_POST)
bp.add_url_rule("/colleges/<int:college_id>/edit", view_func=college_edit(c.edit_college), methods=GET_POST)
bp.add_url_rule("/body/edit", view_func=college_edit(c.edit_body), methods=GET_POST)
