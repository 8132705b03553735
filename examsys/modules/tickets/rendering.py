"""Ticket PDFs: one ticket, or thousands as one document rendered in chunks by two processes.

Tickets go in number order, which is room and seat order at the first issue and never changes
afterwards (numbers are stable; late additions come last). Cut into chunks of ``CHUNK``, the
chunk boundaries stay put, so after a seat move only the chunk holding that page is laid out
again and the rest come from the page cache.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from examsys.core import media
from examsys.core.errors import DomainError
from examsys.core.pdf import render_html_parts
from examsys.modules.documents.progress import Output, Progress
from examsys.modules.scheduling import util as scheduling_util
from examsys.modules.scheduling.models import ExamPlan
from examsys.modules.tickets import sheet, util
from examsys.modules.tickets.models import Ticket, TicketStatus

CHUNK = 100
TEMPLATE = "pdf/tickets/tickets.html"
FRAME_TEMPLATE = "pdf/tickets/ticket_frame.html"
# Where things sit on the page (mm on A5; the templates scale to A4). The frame and the values
# share it, so each candidate's values land in the frame's boxes when the pages are merged.
GEOMETRY = {
    "ID_TOP": 31, "ROW_H": 8, "ID_ROWS": 6, "LEFT": 9, "LABEL_W": 30, "VALUE_RIGHT": 99, "RIGHT": 139,
    "SCHED_TOP": 91, "HEAD_H": 7, "SROW_H": 9, "SROWS": 4,
    "COLS": [(9, 27), (27, 66), (66, 88), (88, 119), (119, 139)], "FOOT_TOP": 141,
}  # fmt: skip


def select(plan: ExamPlan, *, college_id: int | None = None, room_id: int | None = None,
           ticket_ids: list[int] | None = None) -> tuple[util.PlanIndex, list[Ticket]]:  # fmt: skip
    """The plan's valid tickets in number order, narrowed to a college, a room or some tickets."""
    index = util.plan_index(plan)
    tickets = util.plan_tickets(plan)
    if college_id is not None:
        tickets = [t for t in tickets if t.application.person.college_id == college_id]
    if room_id is not None:
        tickets = [t for t in tickets if any(p.room_id == room_id for p in index.placements.get(t.application_id, []))]
    if ticket_ids is not None:
        wanted = set(ticket_ids)
        tickets = [t for t in tickets if t.id in wanted]
    return index, sorted(tickets, key=lambda t: t.number)


def chunks(tickets: list[Ticket]) -> list[list[Ticket]]:
    return [tickets[i : i + CHUNK] for i in range(0, len(tickets), CHUNK)]


def tickets_pdf(
    plan: ExamPlan, index: util.PlanIndex, tickets: list[Ticket], progress: Progress | None = None
) -> bytes:
    """The tickets as one PDF, one page each, in the given order."""
    layout = util.layout()
    frame = sheet.document_frame(layout, plan.name)
    groups = chunks(tickets)
    parts = [values_html(frame, [sheet.ticket_page(t, index, layout) for t in group]) for group in groups]
    if progress is not None:
        progress.start(len(tickets))

    def on_part(i: int, reused: bool) -> None:
        if progress is not None:
            progress.advance(len(groups[i]), reused=reused)

    return render_html_parts(
        parts,
        workers=current_app.config.get("PDF_WORKERS", 2),
        background=frame_html(frame),
        cache_dir=media.media_root() / "pdf-cache",
        on_part=on_part,
    )


def frame_html(frame: dict) -> str:
    """The fixed part of every ticket: boxes, labels, centre, plan and rules."""
    return render_template(FRAME_TEMPLATE, frame=frame, geo=GEOMETRY)


def values_html(frame: dict, pages: list[dict]) -> str:
    """Each candidate's values, one page each, placed to fall into the frame's boxes."""
    return render_template(TEMPLATE, frame=frame, geo=GEOMETRY, tickets=pages)


def ticket_pdf(ticket: Ticket) -> bytes:
    """One candidate's ticket (the portal download, a reprint at the desk); never a void one."""
    if ticket.status is not TicketStatus.ISSUED:
        raise DomainError(_("准考证 %(number)s 已作废", number=ticket.number), status=409)
    return tickets_pdf(ticket.plan, util.plan_index(ticket.plan, [ticket.application_id]), [ticket])


def render_tickets_job(params: dict, progress: Progress) -> Output:
    """The document job ``tickets``: params plan_id and optionally college_id or room_id."""
    plan = scheduling_util.get_plan(int(params["plan_id"]))
    index, tickets = select(plan, college_id=params.get("college_id"), room_id=params.get("room_id"))
    data = tickets_pdf(plan, index, tickets, progress)
    return Output(data, f"准考证-{plan.id}{_scope_suffix(params)}.pdf")


def _scope_suffix(params: dict) -> str:
    if params.get("college_id"):
        return f"-学院{params['college_id']}"
    if params.get("room_id"):
        room = scheduling_util.get_room(int(params["room_id"]))
        return f"-{room.code}"
    return ""
