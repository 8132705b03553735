"""Who is asking: session cookies for people, bearer tokens for integrations."""

from __future__ import annotations

from flask import jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import LoginManager

from examsys.modules.accounts import operations as accounts


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def configure(manager: LoginManager) -> None:
    # "basic" marks a session non-fresh on a changed client; "strong" would sign lab machines
    # out when DHCP moves them (MEASURED.md). Revocation rides on User.session_version.
    manager.session_protection = "basic"
    manager.login_view = "accounts.login"
    manager.login_message = None

    @manager.user_loader
    def load_user(session_id: str):
        return accounts.load_session_user(session_id)

    @manager.request_loader
    def load_from_token(_request):
        token = bearer_token()
        return accounts.user_for_token(token) if token else None

    @manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return jsonify(code=401, message=_("需要登录或有效的 API 令牌")), 401
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
