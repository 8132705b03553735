"""URL map of document jobs."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.documents import controllers as c

bp = Blueprint("documents", __name__, url_prefix="/documents")
view = requires("documents.view")

bp.add_url_rule("/", "index", view(c.index))
bp.add_url_rule("/<int:job_id>", "status", view(c.status))
bp.add_url_rule("/<int:job_id>/download", "download", view(c.download))
