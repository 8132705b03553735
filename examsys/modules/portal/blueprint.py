"""The candidate portal: what the centre holds about the signed-in candidate."""

from flask import Blueprint, render_template
from flask_login import current_user

from examsys.core.ids import mask_number
from examsys.core.permissions import requires
from examsys.modules.catalog import util as catalog_util

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.route("/")
@requires("portal.view")
def home():
    return render_template(
        "portal/home.html", person=current_user.person, body=catalog_util.certification_body(), mask=mask_number
    )
