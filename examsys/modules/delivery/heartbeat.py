"""The exam page's heartbeat, answered in front of Flask's request pipeline.

Every seat beats every few seconds (the console bench: 600 seats each second), and a beat
touches no database: it only needs the browser's signed session (which attempt, which room)
and the presence store. Answered by this WSGI layer it costs a fraction of a Flask request,
which keeps the server free for autosaves at the synchronised moments. The check is the seat
guard's: a validly signed session holding an exam login, else 401. A GET, like the state poll:
its only effect is "this page is alive", and it needs no CSRF token.
"""

from __future__ import annotations

import json

from flask import Flask
from itsdangerous import BadSignature
from werkzeug.http import parse_cookie

from examsys.modules.delivery import presence

PATH = "/exam/beat"


class HeartbeatMiddleware:
    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH:
            return self.wsgi_app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "GET":
            return _answer(start_response, "405 METHOD NOT ALLOWED", {"code": 405})
        login = self._exam_login(environ)
        if login is None:
            return _answer(start_response, "401 UNAUTHORIZED", {"code": 401, "reason": "login"})
        notice = presence.beat_in_room(*login, app=self.app)
        if notice is None:
            return _answer(start_response, "401 UNAUTHORIZED", {"code": 401, "reason": "login"})
        return _answer(start_response, "200 OK", {"notice": notice})

    def _exam_login(self, environ) -> tuple[int, str] | None:
        """(attempt, "session:room") from the signed session cookie, or None."""
        cookie = parse_cookie(environ).get(self.app.config["SESSION_COOKIE_NAME"])
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        if not cookie or serializer is None:
            return None
        try:
            data = serializer.loads(cookie, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
            if data.get("exam_token"):
                return int(data["exam_attempt"]), str(data.get("exam_room", ""))
        except (BadSignature, KeyError, TypeError, ValueError):
            pass
        return None


def _answer(start_response, status: str, body: dict):
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload))),
                            ("Cache-Control", "no-store")])  # fmt: skip
    return [payload]


def install(app: Flask) -> None:
    app.wsgi_app = HeartbeatMiddleware(app, app.wsgi_app)
