"""Staff pages of the machine test: prepare a session's papers, and the proctor's room controls."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsys.core.db import utcnow
from examsys.core.errors import DomainError, Problem
from examsys.modules.banks import util as bank_util
from examsys.modules.delivery import analysis, clock, monitor, preparation, submission, util
from examsys.modules.delivery.models import SubmittedBy
from examsys.modules.proctoring import console
from examsys.modules.proctoring import util as proctoring_util
from examsys.modules.scheduling import util as scheduling_util
from examsys.modules.scheduling.models import SessionKind


def _room(session_id: int, room_id: int):
    session = scheduling_util.get_session(session_id)
    room = scheduling_util.get_room(room_id)
    if room not in session.rooms or session.kind is not SessionKind.THEORY:
        raise DomainError(_("该考场不在此理论场次中"), status=404)
    return session, room


def _back(session, room):
    return redirect(url_for("exam_admin.room", session_id=session.id, room_id=room.id))


def _attempt_in(session, room):
    attempt = util.get_attempt(int(request.form.get("attempt_id", 0)))
    if attempt.session_id != session.id or attempt.placement.room_id != room.id:
        raise DomainError(_("该考生不在本考场"), status=404)
    return attempt


def prepare(session_id: int):
    session = scheduling_util.get_session(session_id)
    papers = preparation.assign_papers(session)
    changed = preparation.prepare_attempts(session)
    flash(_("已分配 %(p)d 份试卷，准备 %(n)d 名考生的试卷", p=len(papers), n=changed), "success")
    return redirect(url_for("scheduling.session", session_id=session.id))


def room(session_id: int, room_id: int):
    session, found = _room(session_id, room_id)
    return render_template("delivery/room.html", session=session, room=found, view=monitor.room_view(session, found, utcnow()),
                           events=monitor.recent_events(session, found), papers=monitor.papers_of(session),
                           messages=proctoring_util.room_messages(session.id, found.id))  # fmt: skip


def room_action(session_id: int, room_id: int):
    session, found = _room(session_id, room_id)
    action, reason = request.form.get("action", ""), request.form.get("reason", "")
    if action == "open":
        clock.open_room(session, found)
    elif action == "pause":
        clock.pause_room(session, found, reason)
    elif action == "resume":
        clock.resume_room(session, found)
    elif action == "broadcast":
        console.broadcast(session, found, request.form.get("message", ""), current_user)
    else:
        raise DomainError(_("未知操作"))
    flash(_("已执行"), "success")
    return _back(session, found)


def candidate_action(session_id: int, room_id: int):
    session, found = _room(session_id, room_id)
    attempt = _attempt_in(session, found)
    action, reason = request.form.get("action", ""), request.form.get("reason", "")
    if action == "pause":
        clock.pause_attempt(attempt, reason)
    elif action == "resume":
        clock.resume_attempt(attempt)
    elif action == "extend":
        clock.extend_attempt(attempt, _minutes(), reason)
    elif action == "credit":
        clock.credit_outage(attempt, _minutes() * 60, reason)
    elif action == "end":
        if not reason.strip():
            raise DomainError(_("请填写原因"), [Problem(_("请填写原因"), field="reason")])
        submission.submit(attempt, SubmittedBy.PROCTOR)
    elif action == "move":
        console.move_to_spare_seat(attempt, _seat_in(found), reason)
    elif action == "relogin":
        console.allow_relogin(attempt, reason)
    else:
        raise DomainError(_("未知操作"))
    flash(_("已执行"), "success")
    return _back(session, found)


def _minutes() -> int:
    try:
        return int(request.form.get("minutes", ""))
    except ValueError as exc:
        raise DomainError(_("请填写分钟数"), [Problem(_("请填写分钟数"), field="minutes")]) from exc


def _seat_in(room):
    seat = next((s for s in room.seats if s.id == request.form.get("seat_id", 0, type=int)), None)
    if seat is None:
        raise DomainError(_("请选择备用座位"), [Problem(_("请选择备用座位"), field="seat_id")])
    return seat


def paper_stats(paper_id: int):
    paper = bank_util.get_paper(paper_id)
    form, rows = analysis.form_statistics(paper)
    pooled = analysis.item_statistics([paper])
    corrections = submission.corrected_keys([i.revision_id for i in paper.items])
    return render_template("delivery/paper_stats.html", paper=paper, form=form, rows=rows, pooled=pooled,
                           corrections=corrections, titles=analysis.FLAG_TITLES)  # fmt: skip


def correct_key(paper_id: int):
    paper = bank_util.get_paper(paper_id)
    item = next((i for i in paper.items if i.id == int(request.form.get("paper_item_id", 0))), None)
    if item is None:
        raise DomainError(_("试卷中没有这道题"), status=404)
    result = analysis.correct_key(item, request.form.getlist("key"), request.form.get("reason", ""))
    flash(_("答案已更正，重新评分 %(n)d 份答卷，其中 %(c)d 份分数变化", n=result["rescored"], c=len(result["changed"])),
          "success")  # fmt: skip
    return redirect(url_for("exam_admin.paper_stats", paper_id=paper.id))
