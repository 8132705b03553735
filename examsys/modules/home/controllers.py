"""The root URL and the staff dashboard."""

from flask import redirect, render_template, url_for
from flask_login import current_user

from examsys.core.permissions import Role
from examsys.modules.catalog import util as catalog_util
from examsys.modules.home.util import dashboard_counts
from examsys.modules.people.util import scope_college


def index():
    if current_user.roles == {Role.CANDIDATE}:
        return redirect(url_for("portal.home"))
    return redirect(url_for("home.dashboard"))


def dashboard():
    scope = scope_college(current_user)
    return render_template(
        "home/dashboard.html",
        counts=dashboard_counts(scope),
        body=catalog_util.certification_body(),
        scope_college=catalog_util.get_college(scope) if scope else None,
    )
