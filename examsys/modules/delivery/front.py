"""The exam page's two most frequent calls, answered in front of Flask's request pipeline.

Every seat beats every few seconds and saves its answers every few seconds: at a sitting of
6,000 that is over a thousand requests a second, and Flask's pipeline (request and session
objects, routing, extensions, hooks) costs more than the work itself. This WSGI layer answers
the two paths before Flask sees them; every other request passes through untouched.

- ``GET /exam/beat`` touches no database: the signed session (which attempt, which room) and
  the presence store. A GET like the state poll: its only effect is "this page is alive", so
  it needs no CSRF token.
- ``POST /exam/save`` is the autosave. The rule is the views' and the jobs' one,
  :func:`saving.save`; only the pipeline is replaced, and it checks what Flask's would:
  the seat guard (a validly signed session holding an exam login, else 401), Flask-WTF's CSRF
  header (web.front_door), the body, and one transaction committed here (a refused late save
  keeps its record, as ``keep_changes`` does for a view) - unless, as usual on PostgreSQL, the
  save was one statement that committed on its own and no session was made. The real-time
  events go out after the commit as everywhere. An answered save is also a heartbeat.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack

from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _

from examsys.core.db import db, has_session, lock_for_write
from examsys.core.errors import DomainError
from examsys.modules.delivery import presence, saving
from examsys.web.front_door import answer, csrf_valid, error_body, read_json, signed_session

BEAT_PATH = "/exam/beat"
SAVE_PATH = "/exam/save"
MAX_SAVE_BYTES = 256 * 1024  # 500 changes of the longest choice fit several times over
log = logging.getLogger(__name__)


class ExamFront:
    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO")
        if path == BEAT_PATH:
            return self.beat(environ, start_response)
        if path == SAVE_PATH:
            return self.save(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def beat(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET":
            return answer(start_response, 405, {"code": 405})
        login = _exam_login(signed_session(self.app, environ))
        notice = None if login is None else presence.beat_in_room(login[0], login[2], app=self.app)
        if notice is None:
            return answer(start_response, 401, {"code": 401, "reason": "login"})
        return answer(start_response, 200, {"notice": notice})

    def save(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST":
            return answer(start_response, 405, {"code": 405})
        session = signed_session(self.app, environ)
        login = _exam_login(session)
        with ExitStack() as context:
            if not (has_app_context() and current_app._get_current_object() is self.app):
                context.enter_context(self.app.app_context())  # else reuse it, as a Flask request would
            if session and session.get("locale"):
                context.enter_context(force_locale(session["locale"]))
            if login is None:
                return answer(start_response, 401, {"code": 401, "reason": "login", "message": _("请先登录")})
            if not csrf_valid(self.app, session, environ):
                return answer(start_response, 400, error_body(400, _("表单已过期或来源不可信，请刷新页面后重试")))
            status, body = _save(environ, *login)
            return answer(start_response, status, body)


def _exam_login(session: dict | None) -> tuple[int, str, str] | None:
    """(attempt, exam token, "session:room") of the session's exam login, or None."""
    try:
        if session and session.get("exam_token") and session.get("exam_attempt"):
            return int(session["exam_attempt"]), str(session["exam_token"]), str(session.get("exam_room", ""))
    except (TypeError, ValueError):
        pass
    return None


def _save(environ, attempt_id: int, token: str, room_key: str) -> tuple[int, dict]:
    """One autosave in its own transaction: (status, body)."""
    try:
        body = read_json(environ, MAX_SAVE_BYTES)
    except OverflowError:
        return 413, error_body(413, _("上传的文件过大"))
    except ValueError:
        body = None  # not JSON: parse_changes refuses it and names the field
    try:
        changes = saving.parse_changes(body)
        lock_for_write(db.session)  # SQLite's one writer, for the two statements of the usual save
        ack = saving.save(attempt_id, token, changes)
        if has_session():  # else the save was one statement that committed on its own (PostgreSQL)
            db.session.commit()
    except saving.SaveRefused as refused:
        db.session.commit()  # a late save's record stays although the save is refused
        return 409, {"code": 409, "reason": refused.reason, "message": str(refused)}
    except DomainError as error:
        db.session.rollback()
        return error.status, error_body(error.status, str(error), error.problems)
    except Exception:
        db.session.rollback()
        log.exception("autosave of attempt %s failed", attempt_id)
        return 500, error_body(500, _("保存失败，答案仍保留在本机，稍后自动重试"))
    # A save is also a heartbeat: the page skips its next beat, and learns the notice number here.
    try:
        notice = presence.beat_in_room(attempt_id, room_key)
    except Exception:  # the answers are stored: acknowledge them; the page's own beat tries again
        log.exception("presence after the autosave of attempt %s failed", attempt_id)
        notice = None
    return 200, {"ack": ack, "notice": notice}


def install(app: Flask) -> None:
    app.wsgi_app = ExamFront(app, app.wsgi_app)
