"""Proctoring documents as PDF: the room record (考场记录表), the evidence for every ruling, one per
room and session; and the supervision report (督导情况反馈表), one per supervisor and session."""

from __future__ import annotations

import json

from flask_babel import force_locale

from examsys.core.pdf import render_pdf
from examsys.core.timezone import to_local
from examsys.modules.catalog import util as catalog_util
from examsys.modules.proctoring import util
from examsys.modules.proctoring.models import Assessment, SupervisionReport
from examsys.modules.scheduling.models import ExamSession, Room

ACTION_TITLES = {
    "room.open": "开考", "room.pause": "全场暂停", "room.resume": "全场恢复", "attempt.pause": "考生暂停",
    "attempt.resume": "考生恢复", "attempt.extend": "延长时间", "attempt.credit": "补回故障时间",
    "attempt.submit": "交卷", "placement.move": "调换座位", "attempt.relogin": "允许重新登录",
    "room.broadcast": "考场广播",
}  # fmt: skip


def room_record_sheet(session: ExamSession, room: Room) -> dict:
    """Plain dicts for the template (no ORM objects in templates)."""
    placements = util.room_placements(session, room)
    seen = util.attendance(placements)
    voided = util.voided_placements(session)
    body = catalog_util.certification_body()
    seats = [{
        "seat": p.seat.label if p.seat else (p.station.label if p.station else ""),
        "name": p.application.person.name,
        "state": ("缺考" if not seen[p.id].present else "到考") if p.id in seen else "未签到",
        "void": p.id in voided,
    } for p in placements]  # fmt: skip
    with force_locale("zh_Hans_CN"):
        incidents = [{
            "time": f"{to_local(i.occurred_at):%H:%M}", "kind": i.kind.title, "who": i.placement.application.person.name
            if i.placement else "", "description": i.description, "action": i.action_taken,
            "proctor": i.proctor.display_name if i.proctor else "", "note": i.supervisor_note,
            "void": i.voids_result,
        } for i in util.incidents(session, room)]  # fmt: skip
    actions = [{
        "time": f"{to_local(e.created_at):%H:%M:%S}", "action": ACTION_TITLES.get(e.action, e.action),
        "by": e.actor_label, "detail": _detail(e.after),
    } for e in util.room_actions(session, room, placements)]  # fmt: skip
    staff = util.staff_of(session, room)
    return {
        "centre": (body.centre_name or body.name) if body else "",
        "session": session.name,
        "date": f"{to_local(session.starts_at):%Y-%m-%d}",
        "time": f"{to_local(session.starts_at):%H:%M}–{to_local(session.ends_at):%H:%M}",
        "room": f"{room.code} {room.name}",
        "seats": seats,
        "present": sum(1 for s in seats if s["state"] == "到考"),
        "absent": sum(1 for s in seats if s["state"] == "缺考"),
        "incidents": incidents,
        "actions": actions,
        **staff,
    }


def _detail(after: str | None) -> str:
    data = json.loads(after) if after else {}
    seat = data.get("seat") or ""
    if data.get("from"):  # a move to a spare seat during the exam
        seat = f"{data['from']} → {seat}" + (f"（{data['faulty']} 号座位标记故障）" if data.get("faulty") else "")
    parts = [
        data.get("reason") or "",
        f"{data['seconds']} 秒" if data.get("seconds") else "",
        seat,
        data.get("body") or "",
    ]
    return "；".join(p for p in parts if p)


def room_record_pdf(session: ExamSession, room: Room) -> bytes:
    return render_pdf("pdf/proctoring/room_record.html", {"sheet": room_record_sheet(session, room)})


def supervision_sheet(report: SupervisionReport) -> dict:
    """Plain dicts for the supervision report's template."""
    session = report.session
    body = catalog_util.certification_body()
    with force_locale("zh_Hans_CN"):  # the form's tick boxes, the chosen one ticked
        assessments = [{"title": a.title, "chosen": a is report.assessment} for a in Assessment]
    return {
        "centre": (body.centre_name or body.name) if body else "",
        "session": session.name,
        "date": f"{to_local(session.starts_at):%Y-%m-%d}",
        "time": f"{to_local(session.starts_at):%H:%M}–{to_local(session.ends_at):%H:%M}",
        "rooms": len(session.rooms),
        "supervisor": report.supervisor.display_name,
        "assessments": assessments,
        "assessment_note": report.assessment_note,
        "visits": [
            {
                "room": f"{v.room.code} {v.room.name}",
                "from": f"{to_local(v.started_at):%H:%M}",
                "to": f"{to_local(v.ended_at):%H:%M}",
                "note": v.note,
            }
            for v in report.visits
        ],
        "problems": report.problems,
        "suggestions": report.suggestions,
        "signed_name": report.signed_name,
        "signed_on": f"{report.signed_on:%Y-%m-%d}" if report.signed_on else "",
        "draft": report.submitted_at is None,
    }


def supervision_pdf(report: SupervisionReport) -> bytes:
    return render_pdf("pdf/proctoring/supervision_report.html", {"sheet": supervision_sheet(report)})
