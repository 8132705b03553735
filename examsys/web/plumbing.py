"""Per-request plumbing: the permission gate, one commit per request, error pages."""

from __future__ import annotations

from flask import Flask, abort, flash, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from examsys.core.db import db, lock_for_write
from examsys.core.errors import DomainError
from examsys.core.extensions import login_manager
from examsys.core.permissions import SEAT_PERMISSION, UndeclaredPermission, current_request_permission
from examsys.web.api import API_PREFIX, is_token_request
from examsys.web.auth import wants_json
from examsys.web.front_door import error_body
from examsys.web.nav import navigation_for


def keep_changes() -> None:
    """Commit this request's writes even though it answers with an error status."""
    g.keep_changes = True


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def begin_write_transaction():
    """On SQLite, a request that may write takes the write lock before its first read.

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another process wrote in between (MEASURED.md); waiting up front does not.
    """
    if request.method in WRITE_METHODS:
        lock_for_write(db.session)


def check_permission():
    """Deny by default: public allow-list, else a declared permission the user holds."""
    if request.endpoint is None:
        return None  # unknown URL: the 404 handler answers
    try:
        permission = current_request_permission()
    except UndeclaredPermission:
        abort(403)
    if permission is None:
        return None
    if permission == SEAT_PERMISSION:
        return None  # the delivery area's seat guard checks the candidate's exam token itself
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.path.startswith(API_PREFIX) and request.method in WRITE_METHODS and not is_token_request():
        # API views skip the CSRF form token; a write must then carry a bearer token,
        # which a cross-site page cannot attach, so a session cookie alone never suffices.
        abort(403)
    if not current_user.can(permission):
        abort(403)
    return None


def commit_or_rollback(response):
    if response.status_code < 400 or g.get("keep_changes"):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def render_error(status: int, message: str, problems=None):
    if wants_json():
        return jsonify(error_body(status, message, problems)), status
    return render_template("errors/error.html", status=status, message=message, problems=problems or []), status


def handle_domain_error(error: DomainError):
    db.session.rollback()
    if not wants_json() and request.method == "POST" and error.status == 422 and request.referrer:
        for problem in error.problems or [error]:
            flash(str(problem), "error")
        return redirect(request.referrer)
    return render_error(error.status, str(error), error.problems)


def handle_http_error(error: HTTPException):
    if wants_json() and getattr(error, "data", None):
        return error  # flask-smorest's own validation answers
    messages = {
        400: _("请求有误"),
        403: _("没有权限访问此页面"),
        404: _("页面不存在"),
        405: _("不允许的请求方法"),
        413: _("上传的文件过大"),
    }
    return render_error(error.code or 500, messages.get(error.code, error.description or ""))


def handle_csrf_error(error: CSRFError):
    return render_error(400, _("表单已过期或来源不可信，请刷新页面后重试"))


def configure(app: Flask) -> None:
    app.before_request(begin_write_transaction)
    app.before_request(check_permission)
    app.after_request(commit_or_rollback)
    app.teardown_request(lambda exc: db.session.rollback() if exc else None)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.context_processor(lambda: {"navigation": navigation_for(current_user)})
