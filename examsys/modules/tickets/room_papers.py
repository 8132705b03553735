"""Exam-day papers for every room of a session: door sign (门贴), desk labels (桌贴),
sign-in sheet (签到表) and seat plan — by seat in a lab, by station in a practical venue."""

from __future__ import annotations

from collections import Counter

from flask import current_app, render_template

from examsys.core import media
from examsys.core.pdf import render_html_parts
from examsys.modules.documents.progress import Output, Progress
from examsys.modules.scheduling import util as scheduling_util
from examsys.modules.scheduling.models import ExamSession, Placement, Room, RoomKind, StaffRole
from examsys.modules.tickets import sheet, util
from examsys.modules.tickets.models import Ticket

PAPERS = ("door", "labels", "signin", "plan")
PAPER_TITLES = {"door": "门贴", "labels": "桌贴", "signin": "签到表", "plan": "座位表"}
TEMPLATE = "pdf/tickets/room_papers.html"


def _numbers(session: ExamSession) -> dict[int, str]:
    return {t.application_id: t.number for t in util.plan_tickets(session.plan)}


def _order(p: Placement) -> tuple:
    return (p.seat.row, p.seat.col) if p.seat is not None else (0, p.station.label)


def room_sheet(session: ExamSession, room: Room, numbers: dict[int, str] | None = None) -> dict:
    """Plain dicts for one room's papers."""
    numbers = _numbers(session) if numbers is None else numbers
    mask = util.layout().mask_id_number
    placements = sorted(scheduling_util.session_placements(session, room), key=_order)
    places = []
    for p in placements:
        person = p.application.person
        places.append({
            "place": p.seat.label if p.seat is not None else p.station.label,
            "number": numbers.get(p.application_id, "—"),
            "name": person.name,
            "id_number": sheet.id_line(person, mask)[1],
            "photo": sheet.photo_url(person),
            "form": p.form,
            "class": person.class_name,
        })  # fmt: skip
    occupations = Counter(
        f"{p.application.batch.job.occupation.name}{'（' + p.application.batch.job.name + '）' if p.application.batch.job.name else ''}"
        f" {sheet.level_label(p.application.batch.level)}"
        for p in placements
    )
    staff = scheduling_util.session_staff(session)
    return {
        "centre": sheet.centre_name(),
        "plan": session.plan.name,
        "session": session.name,
        "kind": "理论考试" if room.kind is RoomKind.THEORY_LAB else "技能操作",
        "date": sheet.long_date(session.starts_at),
        "time": sheet.time_range(session),
        "room_code": room.code,
        "room_name": room.name,
        "building": room.building,
        "is_lab": room.kind is RoomKind.THEORY_LAB,
        "occupations": [{"title": title, "count": n} for title, n in sorted(occupations.items())],
        "count": len(places),
        "seat_range": f"{places[0]['place']} – {places[-1]['place']}" if places else "—",
        "places": places,
        "grid": _grid(session, room, placements, numbers) if room.kind is RoomKind.THEORY_LAB else None,
        "proctors": [
            a.user.display_name
            for a in staff
            if a.room_id == room.id and a.role in (StaffRole.PROCTOR, StaffRole.EXAMINER)
        ],
    }


def _grid(session: ExamSession, room: Room, placements: list[Placement], numbers: dict[int, str]) -> list[list[dict]]:
    seat_map = scheduling_util.seat_map(session, room)
    by_seat = {p.seat_id: p for p in placements}
    rows = []
    for row in seat_map["rows"]:
        cells = []
        for cell in row:
            if cell is None:
                cells.append({"empty": True})
                continue
            p = by_seat.get(cell["id"])
            cells.append({
                "label": cell["label"], "empty": False, "out": not cell["in_service"], "spare": cell["spare"],
                "name": p.application.person.name if p else "", "number": numbers.get(p.application_id, "") if p else "",
                "form": p.form if p else "",
            })  # fmt: skip
        rows.append(cells)
    return rows


def papers_html(session: ExamSession, rooms: list[Room], papers: tuple[str, ...] = PAPERS) -> list[str]:
    """One HTML part per room (each a chunk of the final PDF)."""
    numbers = _numbers(session)
    return [render_template(TEMPLATE, room=room_sheet(session, room, numbers), papers=papers) for room in rooms]


def papers_pdf(session: ExamSession, rooms: list[Room], papers: tuple[str, ...] = PAPERS,
               progress: Progress | None = None) -> bytes:  # fmt: skip
    parts = papers_html(session, rooms, papers)
    if progress is not None:
        progress.start(len(parts))
    return render_html_parts(
        parts,
        workers=current_app.config.get("PDF_WORKERS", 2),
        cache_dir=media.media_root() / "pdf-cache",
        on_part=lambda _i, reused: progress.advance(1, reused=reused) if progress is not None else None,
    )


def render_room_papers_job(params: dict, progress: Progress) -> Output:
    """The document job ``room_papers``: params session_id, optionally room_id and papers."""
    session = scheduling_util.get_session(int(params["session_id"]))
    rooms = [scheduling_util.get_room(int(params["room_id"]))] if params.get("room_id") else list(session.rooms)
    papers = tuple(p for p in params.get("papers") or PAPERS if p in PAPERS) or PAPERS
    data = papers_pdf(session, rooms, papers, progress)
    which = "、".join(PAPER_TITLES[p] for p in papers)
    room_part = f"-{rooms[0].code}" if params.get("room_id") else ""
    return Output(data, f"考场文档-{session.id}{room_part}-{which}.pdf")


def label_pdf(ticket: Ticket, session: ExamSession) -> bytes:
    """One desk label again (after a seat move), for the candidate's room in ``session``."""
    placement = next(
        p for p in scheduling_util.session_placements(session) if p.application_id == ticket.application_id
    )
    room = room_sheet(session, placement.room)
    room["places"] = [x for x in room["places"] if x["number"] == ticket.number]
    html = render_template(TEMPLATE, room=room, papers=("labels",))
    return render_html_parts([html], workers=1)
