"""URL map of the registration area."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.registration import controllers as c

bp = Blueprint("registration", __name__, url_prefix="/registration")
view, manage = requires("registration.view"), requires("registration.manage")

bp.add_url_rule("/", "index", view(c.index))
bp.add_url_rule("/batches/new", "new_batch", manage(c.new_batch), methods=["GET", "POST"])
bp.add_url_rule("/batches/<int:batch_id>", "batch", view(c.batch))
bp.add_url_rule("/batches/<int:batch_id>/rules", "save_rules", manage(c.save_rules), methods=["POST"])
bp.add_url_rule("/batches/<int:batch_id>/register", "register", manage(c.register), methods=["POST"])
bp.add_url_rule("/batches/<int:batch_id>/review", "review_bulk", manage(c.review_bulk), methods=["POST"])
bp.add_url_rule("/applications/<int:application_id>", "application", view(c.application))
bp.add_url_rule("/applications/<int:application_id>/review", "review_one", manage(c.review_one), methods=["POST"])
bp.add_url_rule("/applications/<int:application_id>/record_form.pdf", "record_form", view(c.record_form))
bp.add_url_rule("/batches/<int:batch_id>/record_forms.pdf", "batch_record_forms", view(c.batch_record_forms))
bp.add_url_rule("/reports/<any(roster, summary):kind>.<any(xlsx, pdf):fmt>", "report", view(c.report))
bp.add_url_rule("/batches/<int:batch_id>/fees", "fees", manage(c.fees), methods=["POST"])
bp.add_url_rule("/batches/<int:batch_id>/register-list", "register_list", manage(c.register_list), methods=["POST"])
bp.add_url_rule("/grants", "grant", requires("colleges.edit")(c.grant), methods=["POST"])
