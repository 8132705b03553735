"""The candidate's exam pages and their JSON calls; every call after login passes the seat guard."""

from __future__ import annotations

import functools

from flask import g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from examsys.core.db import db, utcnow, write_after_read
from examsys.core.errors import DomainError, NotFound
from examsys.modules.delivery import clock, front, presence, submission, util
from examsys.modules.delivery import login as seat_login
from examsys.modules.delivery.models import AttemptStatus, EventKind, SubmittedBy
from examsys.web.auth import wants_json
from examsys.web.plumbing import keep_changes, render_error

SIGNALS = {EventKind.BLUR, EventKind.HIDDEN, EventKind.COPY, EventKind.PASTE, EventKind.RELOAD}


def seat_guard(view):
    """The browser's session must hold an exam login; the views check its token against the attempt."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        attempt_id, token = session.get("exam_attempt"), session.get("exam_token")
        if not attempt_id or not token:
            if request.method == "GET" and not request.path.endswith("/state"):
                return redirect(url_for("delivery.login"))
            return jsonify({"code": 401, "reason": "login", "message": _("请先登录")}), 401
        g.attempt_id, g.exam_token = attempt_id, token
        return view(*args, **kwargs)

    return guarded


def current_attempt():
    """The guarded request's attempt with its seat and session (loaded once, only by views that need it)."""
    if "attempt" not in g:
        g.attempt = util.get_attempt(g.attempt_id)
    return g.attempt


def login():
    """The login form. From the exam page's script (JSON) the answer carries the page's state
    with the paper, so the synchronised start costs one request per candidate."""
    if request.method == "GET":
        return render_template("delivery/exam.html", attempt_id="", **_page_settings())
    as_json = wants_json()
    try:
        signed = seat_login.sign_in(request.form.get("ticket_no", ""), request.form.get("id_number", ""),
                                    request.remote_addr or "", utcnow(), with_state=as_json)  # fmt: skip
    except seat_login.SeatRefused as refused:
        keep_changes()  # the attempt at the wrong machine is an integrity signal the proctor must see
        return render_error(refused.status, str(refused), refused.problems)
    session["exam_attempt"], session["exam_token"] = signed.attempt_id, signed.token
    session["exam_room"] = presence.room_of(signed.session_id, signed.room_id)  # the heartbeat's room, no query
    if as_json:
        return jsonify({"attempt": signed.attempt_id, "state": signed.state})
    return redirect(url_for("delivery.exam"))


def exam():
    # The page is a shell: no database read (its /state call checks the token and loads the rest).
    return render_template("delivery/exam.html", attempt_id=g.attempt_id, **_page_settings())


def _page_settings() -> dict:
    # The beat and the autosave are answered in front of Flask (delivery.front), so they have no endpoint.
    return {
        "beat_seconds": presence.heartbeat_seconds(),
        "beat_url": request.script_root + front.BEAT_PATH,
        "save_url": request.script_root + front.SAVE_PATH,
    }


def state():
    now = utcnow()
    timing = clock.timing_of(g.attempt_id)  # plain values: the synchronised start reads this 600 times
    if timing is None:
        raise NotFound(_("考试记录不存在"))
    if timing.client_token != g.exam_token:
        return jsonify({"code": 409, "reason": "superseded", "message": _("已在其他地方登录")}), 409
    if timing.status is AttemptStatus.PREPARED and timing.start is not None and now >= timing.start:
        # The first poll after the start writes (begin). A GET's transaction is a deferred read,
        # which SQLite refuses to turn into a write once another request has written meanwhile
        # ("database is locked" at once, whatever the busy timeout): end the read and take the
        # write lock first. Only this one poll per attempt does so.
        write_after_read(db.session)
        now = utcnow()
        timing = seat_login.open_paper(clock.timing_of(g.attempt_id), now)
    with_paper = request.args.get("paper") == "1"
    return jsonify(util.state(g.attempt_id, now, with_paper=with_paper, timing=timing))


def submit():
    status = submission.submit(g.attempt_id, SubmittedBy.CANDIDATE, token=g.exam_token)
    return jsonify({"status": status.value})


def signal():
    body = request.get_json(silent=True) or {}
    try:
        kind = EventKind(body.get("kind", ""))
    except ValueError as exc:
        raise DomainError(_("未知事件")) from exc
    if kind in SIGNALS:
        seat_login.record_signal(current_attempt(), g.exam_token, kind, str(body.get("detail", "")))
    return jsonify({"ok": True})


def logout():
    if current_attempt().status is not AttemptStatus.SUBMITTED:
        return redirect(url_for("delivery.exam"))
    session.pop("exam_attempt", None)
    session.pop("exam_token", None)
    return redirect(url_for("delivery.login"))
