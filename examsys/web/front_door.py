"""What a handler in front of Flask's request pipeline needs: the signed session, CSRF, JSON.

The exam page's heartbeat and autosave are answered by a WSGI layer before Flask (see
delivery.front): at a large sitting they are most of the traffic, and Flask's pipeline
(request and session objects, routing, the hooks) costs more than their work. They check what
the pipeline would check, the same way: the session cookie with the app's own signing
serializer, the CSRF header as Flask-WTF validates it, and the same JSON error shape.
"""

from __future__ import annotations

import hmac
import json
import random
import time
from http import HTTPStatus
from urllib.parse import urlsplit

from flask import Flask
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.http import parse_cookie

_CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's salt: the page's meta token is signed with it


class _Verified:
    """Signed strings this process has checked lately, with what they hold.

    A seat sends the same session cookie and CSRF token with every beat and save; checking the
    signature (two HMACs, base64, JSON) each time was a fifth of a save's CPU. A string is
    checked again within ``RECHECK_SECONDS``, so an expiry still takes effect within that time.
    Each entry's time is drawn from the last half of that span: a sitting's seats are all first
    checked in the same few seconds of its start, and would otherwise all be checked again in
    the same second, every minute. Keyed with the secret, so apps with different keys never
    share an entry.
    """

    RECHECK_SECONDS = 60.0
    LIMIT = 50_000

    def __init__(self, clock=time.monotonic, draw=random.random):
        self.clock, self.draw = clock, draw
        self.entries: dict[tuple, tuple[float, object]] = {}

    def get(self, key: tuple, check):
        now = self.clock()
        found = self.entries.get(key)
        if found is not None and now < found[0]:
            return found[1]
        value = check()
        if len(self.entries) >= self.LIMIT:
            self.entries.clear()
        self.entries[key] = (now + self.RECHECK_SECONDS * (1 - self.draw() / 2), value)
        return value


_sessions = _Verified()
_csrf_tokens = _Verified()


def signed_session(app: Flask, environ) -> dict | None:
    """The browser's session as Flask would open it; None without a validly signed cookie."""
    cookie = parse_cookie(environ).get(app.config["SESSION_COOKIE_NAME"])
    if not cookie:
        return None

    def check() -> dict | None:
        serializer = app.session_interface.get_signing_serializer(app)
        if serializer is None:
            return None
        try:
            data = serializer.loads(cookie, max_age=int(app.permanent_session_lifetime.total_seconds()))
        except BadData:
            return None
        return data if isinstance(data, dict) else None

    data = _sessions.get((app.secret_key, cookie), check)
    return dict(data) if data is not None else None


def csrf_valid(app: Flask, session: dict, environ) -> bool:
    """Flask-WTF's check of a write: the signed header token matches the session's, unexpired
    (and on HTTPS, with strict checking, a same-origin referrer)."""
    config = app.config
    if not config.get("WTF_CSRF_ENABLED", True) or environ.get("REQUEST_METHOD") not in config["WTF_CSRF_METHODS"]:
        return True
    given = next((environ.get("HTTP_" + h.upper().replace("-", "_")) for h in config["WTF_CSRF_HEADERS"]
                  if environ.get("HTTP_" + h.upper().replace("-", "_"))), None)  # fmt: skip
    stored = session.get(config.get("WTF_CSRF_FIELD_NAME") or "csrf_token")
    if not given or not stored:
        return False
    secret = config.get("WTF_CSRF_SECRET_KEY") or app.secret_key

    def check() -> str | None:
        try:
            token = URLSafeTimedSerializer(secret, salt=_CSRF_SALT).loads(
                given, max_age=config.get("WTF_CSRF_TIME_LIMIT") or None
            )
        except BadData:
            return None
        return token if isinstance(token, str) else None

    token = _csrf_tokens.get((secret, given), check)
    if token is None or not hmac.compare_digest(str(stored), token):
        return False
    if environ.get("wsgi.url_scheme") == "https" and config.get("WTF_CSRF_SSL_STRICT", True):
        referrer, host = urlsplit(environ.get("HTTP_REFERER", "")), environ.get("HTTP_HOST", "")
        return referrer.scheme == "https" and referrer.netloc == host
    return True


def read_json(environ, limit: int) -> object:
    """The request body as JSON; ValueError if it is not, OverflowError beyond ``limit`` bytes."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise ValueError("Content-Length") from exc
    if length > limit:
        raise OverflowError(length)
    body = environ["wsgi.input"].read(length) if length else b""
    return json.loads(body) if body else None


def error_body(status: int, message: str, problems=None) -> dict:
    """The JSON shape of every error answer: code, message, and each problem with its field or row."""
    body = {"code": status, "message": message}
    if problems:
        body["errors"] = [p.as_dict() for p in problems]
    return body


def answer(start_response, status: int, body: dict) -> list[bytes]:
    """A JSON answer that no cache keeps."""
    payload = json.dumps(body, ensure_ascii=False).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(payload))),
        ("Cache-Control", "no-store"),
    ]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [payload]
