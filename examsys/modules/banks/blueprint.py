"""URL map of the banks area."""

from flask import Blueprint

from examsys.core.permissions import requires
from examsys.modules.banks import controllers as c

bp = Blueprint("banks", __name__, url_prefix="/banks")
view, edit, papers = requires("banks.view"), requires("banks.edit"), requires("papers.view")
GET_POST = ["GET", "POST"]

bp.add_url_rule("/", "index", view(c.index))
bp.add_url_rule("/import", "import_file", edit(c.import_file), methods=["POST"])
bp.add_url_rule("/template.xlsx", "template", view(c.template))
bp.add_url_rule("/<int:job_id>/<int:level>", "bank", view(c.bank))
bp.add_url_rule("/<int:job_id>/<int:level>/export.<any(xlsx, qti):fmt>", "export_bank", edit(c.export_bank))
bp.add_url_rule("/<int:job_id>/<int:level>/items/new", "new_item", edit(c.new_item), methods=GET_POST)
bp.add_url_rule("/items/<int:item_id>", "item", view(c.item))
bp.add_url_rule("/items/<int:item_id>/edit", "edit_item", edit(c.edit_item), methods=GET_POST)
bp.add_url_rule("/items/<int:item_id>/status", "item_status", edit(c.item_status), methods=["POST"])
bp.add_url_rule("/blueprints/new", "new_blueprint", edit(c.new_blueprint), methods=GET_POST)
bp.add_url_rule("/blueprints/<int:blueprint_id>", "blueprint", view(c.blueprint))
bp.add_url_rule("/blueprints/<int:blueprint_id>/assemble", "assemble", edit(c.assemble), methods=["POST"])
bp.add_url_rule("/papers/<int:paper_id>", "paper", papers(c.paper))
bp.add_url_rule("/papers/<int:paper_id>/export", "export_paper", papers(c.export_paper))
