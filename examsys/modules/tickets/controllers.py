"""Ticket pages: issue and release, bulk PDFs with progress, reprints, exam-day papers, the
centre's layout, and the door's QR verification."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsys.core.errors import DomainError, Forbidden, Problem
from examsys.modules.catalog import util as catalog_util
from examsys.modules.documents import queue
from examsys.modules.people import util as people_util
from examsys.modules.people.controllers import send_photo
from examsys.modules.scheduling import util as scheduling_util
from examsys.modules.tickets import operations, rendering, room_papers, util
from examsys.modules.tickets.models import PageSize
from examsys.web.downloads import pdf_response


def index():
    plans = scheduling_util.list_plans()
    counts = util.issued_counts()
    summary = {p.id: (counts.get(p.id, 0), util.release_of(p)) for p in plans}
    return render_template("tickets/index.html", plans=plans, summary=summary)


def plan(plan_id: int):
    exam_plan = scheduling_util.get_plan(plan_id)
    scope = people_util.scope_college(current_user)
    index, tickets = rendering.select(exam_plan, college_id=scope)
    rows = [{"ticket": t, "home": index.home(t.application_id)} for t in tickets]
    stale = operations.stale_tickets(exam_plan, index, tickets) if tickets and scope is None else []
    rooms = sorted({p.room for ps in index.placements.values() for p in ps}, key=lambda r: r.code)
    return render_template(
        "tickets/plan.html", plan=exam_plan, rows=rows, stale=stale, release=util.release_of(exam_plan),
        colleges=[c for c in catalog_util.list_colleges() if scope is None or c.id == scope], rooms=rooms,
        jobs=[j for j in queue.recent_jobs("tickets") if j.params.get("plan_id") == exam_plan.id],
        scoped=scope is not None,
    )  # fmt: skip


def issue(plan_id: int):
    result = operations.issue(scheduling_util.get_plan(plan_id))
    flash(_("新发准考证 %(new)d 张，保留 %(kept)d 张，作废 %(gone)d 张；需补打 %(stale)d 张",
            new=result.issued, kept=result.kept, gone=result.withdrawn, stale=result.stale), "success")  # fmt: skip
    return redirect(url_for("tickets.plan", plan_id=plan_id))


def release(plan_id: int):
    exam_plan = scheduling_util.get_plan(plan_id)
    if request.form.get("undo"):
        operations.withdraw_release(exam_plan)
        flash(_("已撤回发布，考生暂不能下载准考证"), "success")
    else:
        operations.release(exam_plan, current_user.id)
        flash(_("已发布，考生可在个人门户下载准考证"), "success")
    return redirect(url_for("tickets.plan", plan_id=plan_id))


def generate(plan_id: int):
    """Queue one PDF of a whole plan, one college or one room."""
    exam_plan = scheduling_util.get_plan(plan_id)
    params: dict = {"plan_id": exam_plan.id}
    scope = people_util.scope_college(current_user)
    college_id = request.form.get("college_id", type=int) or scope
    room_id = request.form.get("room_id", type=int)
    if scope is not None and college_id != scope:
        raise Forbidden(_("只能生成本学院的准考证"))
    if college_id:
        params["college_id"] = college_id
    elif room_id:
        params["room_id"] = scheduling_util.get_room(room_id).id
    title = _("准考证：%(plan)s", plan=exam_plan.name)
    job = queue.enqueue("tickets", params, title, current_user.id)
    flash(_("已提交生成任务，完成后可下载"), "success")
    return redirect(url_for("tickets.plan", plan_id=plan_id, _anchor=f"job-{job.id}"))


def ticket_pdf(ticket_id: int):
    ticket = util.get_ticket(ticket_id)
    return pdf_response(rendering.ticket_pdf(ticket), f"准考证-{ticket.number}.pdf")


def reprint(ticket_id: int):
    ticket = operations.reprint(util.get_ticket(ticket_id), request.form.get("reason", ""))
    flash(_("准考证 %(number)s 已补打为第 %(v)d 版，旧证作废", number=ticket.number, v=ticket.version), "success")
    return redirect(url_for("tickets.plan", plan_id=ticket.plan_id, reprinted=ticket.id))


def reprint_number(plan_id: int):
    """Reprint by the number on the candidate's paper (the desk's usual way in)."""
    number = request.form.get("number", "").strip()
    ticket = util.find_ticket(number)
    if ticket is None or ticket.plan_id != plan_id:
        message = _("本计划没有有效的准考证 %(number)s", number=number)
        raise DomainError(message, [Problem(message, field="number")], status=404)
    return reprint(ticket.id)


def label_pdf(ticket_id: int, session_id: int):
    ticket, session = util.get_ticket(ticket_id), scheduling_util.get_session(session_id)
    return pdf_response(room_papers.label_pdf(ticket, session), f"桌贴-{ticket.number}.pdf")


def session_papers(session_id: int):
    session = scheduling_util.get_session(session_id)
    if request.method == "POST":
        papers = [p for p in request.form.getlist("paper") if p in room_papers.PAPERS] or list(room_papers.PAPERS)
        title = _("考场文档：%(session)s", session=session.name)
        queue.enqueue("room_papers", {"session_id": session.id, "papers": papers}, title, current_user.id)
        flash(_("已提交生成任务，完成后可下载"), "success")
        return redirect(url_for("tickets.session_papers", session_id=session_id))
    counts = scheduling_util.room_counts(session)
    jobs = [j for j in queue.recent_jobs("room_papers") if j.params.get("session_id") == session.id]
    return render_template("tickets/session.html", session=session, counts=counts, jobs=jobs,
                           papers=room_papers.PAPER_TITLES)  # fmt: skip


def room_paper_pdf(session_id: int, room_id: int, paper: str):
    session, room = scheduling_util.get_session(session_id), scheduling_util.get_room(room_id)
    if room not in session.rooms:
        raise DomainError(_("%(room)s 不是本场次的考场", room=room.code), status=404)
    papers = room_papers.PAPERS if paper == "all" else (paper,)
    if not set(papers) <= set(room_papers.PAPERS):
        raise DomainError(_("没有这种考场文档"), status=404)
    data = room_papers.papers_pdf(session, [room], papers)
    title = "考场文档" if paper == "all" else room_papers.PAPER_TITLES[paper]
    return pdf_response(data, f"{title}-{room.code}-{session.id}.pdf")


def settings():
    layout = util.layout()
    if request.method == "POST":
        if "seal" in request.files and request.files["seal"].filename:
            operations.set_seal(request.files["seal"].read())
        operations.update_layout(
            page_size=request.form.get("page_size", layout.page_size.value),
            number_format=request.form.get("number_format", layout.number_format),
            mask_id_number=bool(request.form.get("mask_id_number")),
            rules=request.form.get("rules", ""),
        )
        flash(_("准考证设置已保存"), "success")
        return redirect(url_for("tickets.settings"))
    return render_template("tickets/settings.html", layout=layout, sizes=list(PageSize))


def verify():
    """The door's check: scan (camera or hand scanner) or type the code; JSON for the scanner page."""
    code = (request.values.get("code") or "").strip()
    if request.method == "GET" and not code:
        return render_template("tickets/verify.html", result=None, error=None, code="")
    try:
        if not code:
            raise DomainError(_("请扫描或输入准考证二维码"), [Problem(_("请扫描或输入准考证二维码"), field="code")])
        result = operations.verify(code)
    except DomainError as error:
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"ok": False, "message": str(error)}), error.status
        return render_template("tickets/verify.html", result=None, error=str(error), code=code), error.status
    page = {
        **result.page,
        "photo": url_for("tickets.photo", ticket_id=result.ticket.id) if result.page["photo"] else None,
    }
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"ok": True, "ticket": page})
    return render_template("tickets/verify.html", result=page, error=None, code="")


def photo(ticket_id: int):
    """The registered photo for the identity check at the door."""
    return send_photo(util.get_ticket(ticket_id).application.person)
