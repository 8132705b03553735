"""Proctoring pages: check-in, the room record, incidents and rulings, the supervisor's overview."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsys.core.db import utcnow
from examsys.core.errors import DomainError, Problem
from examsys.core.timezone import from_local
from examsys.modules.people.controllers import send_photo
from examsys.modules.proctoring import documents, operations, reports, util
from examsys.modules.proctoring.models import Assessment, IncidentKind
from examsys.modules.scheduling import util as scheduling_util
from examsys.modules.tickets import operations as ticket_operations
from examsys.web.downloads import pdf_response


def _room(session_id: int, room_id: int):
    session = scheduling_util.get_session(session_id)
    room = scheduling_util.get_room(room_id)
    if room not in session.rooms:
        raise DomainError(_("该考场不在此场次中"), status=404)
    return session, room


def index():
    return render_template("proctoring/index.html", duties=util.my_duties(current_user, utcnow()))


def overview(session_id: int):
    session = scheduling_util.get_session(session_id)
    return render_template("proctoring/overview.html", session=session, rows=util.overview(session),
                           incidents=util.incidents(session), reports=reports.session_reports(session))  # fmt: skip


def room(session_id: int, room_id: int):
    session, found = _room(session_id, room_id)
    placements = util.room_placements(session, found)
    query = request.args.get("q", "").strip()
    if query:
        placements = [
            p for p in placements if query in p.application.person.name or query == (p.seat.label if p.seat else "")
        ]
    return render_template("proctoring/room.html", session=session, room=found, placements=placements,
                           seen=util.attendance(placements), incidents=util.incidents(session, found),
                           kinds=list(IncidentKind), cutoff=operations.cutoff(session), query=query)  # fmt: skip


def check_in(session_id: int, room_id: int):
    session, found = _room(session_id, room_id)
    if request.form.get("code", "").strip():  # the ticket's QR code, scanned at the door
        placement = _scanned_placement(session, found, request.form["code"])
    else:
        placement = next((p for p in util.room_placements(session, found)
                          if p.id == request.form.get("placement_id", 0, type=int)), None)  # fmt: skip
    if placement is None:
        raise DomainError(_("该考生不在本考场"), status=404)
    operations.check_in(placement, current_user)
    flash(_("%(name)s 已签到", name=placement.application.person.name), "success")
    return redirect(url_for("proctoring.room", session_id=session.id, room_id=found.id))


def _scanned_placement(session, room, code: str):
    """The placement in this session of the ticket's holder; elsewhere, say where they belong."""
    ticket = ticket_operations.verify(code).ticket
    placement = next((p for p in scheduling_util.session_placements(session)
                      if p.application_id == ticket.application_id), None)  # fmt: skip
    name = ticket.application.person.name
    if placement is None:
        raise DomainError(_("%(name)s 不参加本场考试", name=name), status=404)
    if placement.room_id != room.id:
        place = placement.seat.label if placement.seat else placement.station.label
        raise DomainError(_("%(name)s 的考场是 %(room)s %(place)s，不在本考场", name=name,
                            room=placement.room.code, place=place), status=409)  # fmt: skip
    return placement


def record_incident(session_id: int, room_id: int):
    session, found = _room(session_id, room_id)
    placement_id = request.form.get("placement_id", type=int)
    placement = next((p for p in util.room_placements(session, found) if p.id == placement_id), None)
    when = request.form.get("occurred_at", "").strip()
    try:
        occurred = (
            from_local(datetime.strptime(f"{session.starts_at:%Y-%m-%d} {when}", "%Y-%m-%d %H:%M")) if when else None
        )
    except ValueError as exc:
        raise DomainError(_("时间格式应为 HH:MM"), [Problem(_("时间格式应为 HH:MM"), field="occurred_at")]) from exc
    operations.record_incident(session, found, IncidentKind(request.form.get("kind", "other")),
                               request.form.get("description", ""), by=current_user, placement=placement,
                               action_taken=request.form.get("action_taken", ""), occurred_at=occurred)  # fmt: skip
    flash(_("已记入考场记录"), "success")
    return redirect(url_for("proctoring.room", session_id=session.id, room_id=found.id))


def note(incident_id: int):
    incident = util.get_incident(incident_id)
    operations.add_supervisor_note(incident, request.form.get("note", ""), current_user)
    flash(_("督导意见已保存"), "success")
    return redirect(url_for("proctoring.overview", session_id=incident.session_id))


def rule(incident_id: int):
    incident = util.get_incident(incident_id)
    operations.rule_misconduct(incident, request.form.get("reason", ""), current_user)
    flash(_("已认定该考生本场成绩无效"), "success")
    return redirect(url_for("proctoring.overview", session_id=incident.session_id))


def room_record(session_id: int, room_id: int):
    session, found = _room(session_id, room_id)
    return pdf_response(documents.room_record_pdf(session, found), f"考场记录表-{found.code}-{session.name}.pdf")


def photo(placement_id: int):
    """The registered photo of a seated candidate, for the identity check at the door."""
    return send_photo(scheduling_util.get_placement(placement_id).application.person)


def supervision(session_id: int):
    """The signed-in supervisor's report for the session: the form, saved (and submitted) on POST."""
    session = scheduling_util.get_session(session_id)
    report = reports.report_of(session, current_user)
    if request.method == "POST":
        report = reports.save_report(session, current_user, reports.data_from_form(session, request.form))
        if request.form.get("submit"):
            reports.submit_report(report)
            flash(_("督导情况反馈表已提交"), "success")
            return redirect(url_for("proctoring.overview", session_id=session.id))
        flash(_("已保存"), "success")
        return redirect(url_for("proctoring.supervision", session_id=session.id))
    visits = {v.room_id: v for v in report.visits} if report else {}
    return render_template("proctoring/supervision.html", session=session, report=report, visits=visits,
                           assessments=list(Assessment), today=utcnow())  # fmt: skip


def supervision_pdf(report_id: int):
    report = reports.get_report(report_id)
    name = f"督导情况反馈表-{report.session.name}-{report.supervisor.display_name}.pdf"
    return pdf_response(documents.supervision_pdf(report), name)
