"""Scheduling pages: plans, sessions, seating and the seat map, staff on duty, filing and approval."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from examsys.core.errors import DomainError, Problem
from examsys.core.timezone import from_local
from examsys.modules.catalog import util as catalog_util
from examsys.modules.delivery import options as delivery_options
from examsys.modules.delivery.models import ResultVisibility
from examsys.modules.people import util as people_util
from examsys.modules.registration import util as registration_util
from examsys.modules.scheduling import plan_documents, plans, practical_seating, seating, sessions, staffing, util
from examsys.modules.scheduling.models import RecusalKind, RoomKind, SessionKind, StaffRole
from examsys.web.downloads import XLSX, file_response, pdf_response


def _reason() -> str:
    return request.form.get("reason", "").strip()


def _int(name: str, default: int | None = None) -> int:
    try:
        return int(request.form.get(name, default if default is not None else ""))
    except ValueError as exc:
        raise DomainError(_("请填写整数"), [Problem(_("请填写整数"), field=name)]) from exc


def _date(name: str) -> date:
    try:
        return datetime.strptime(request.form.get(name, ""), "%Y-%m-%d").date()
    except ValueError as exc:
        raise DomainError(_("日期格式应为 YYYY-MM-DD"), [Problem(_("日期格式应为 YYYY-MM-DD"), field=name)]) from exc


def _batches() -> list:
    return [registration_util.get_batch(int(b), None) for b in request.form.getlist("batch_id")]


def plan_list():
    if request.method == "POST":
        plan = plans.create_plan(request.form.get("name", ""), _batches(), spare_seats=_int("spare_seats_per_lab", 2),
                                 forms=_int("form_count", 2), lead_days=_int("lead_working_days", plans.default_lead_days()),
                                 note=request.form.get("note", ""))  # fmt: skip
        flash(_("已创建考试计划"), "success")
        return redirect(url_for("scheduling.plan", plan_id=plan.id))
    return render_template("scheduling/plans.html", plans=util.list_plans(), batches=util.free_exam_batches(),
                           lead_days=plans.default_lead_days())  # fmt: skip


def plan(plan_id: int):
    found = util.get_plan(plan_id)
    applications = util.approved_applications(found)
    return render_template(
        "scheduling/plan.html",
        plan=found,
        approved=len(applications),
        filing=plans.filing_check(found),
        counts={s.id: sum(util.room_counts(s).values()) for s in found.sessions},
        staff={s.id: len(util.session_staff(s)) for s in found.sessions},
        labs=util.rooms_of_kind(RoomKind.THEORY_LAB),
        venues=util.rooms_of_kind(RoomKind.PRACTICAL, RoomKind.OUTDOOR),
        batches=util.free_exam_batches(found),
        kinds=list(SessionKind),
        today=date.today(),
    )


def edit_plan(plan_id: int):
    found = util.get_plan(plan_id)
    plans.update_plan(found, name=request.form.get("name", ""), batches=_batches(),
                      spare_seats=_int("spare_seats_per_lab"), forms=_int("form_count"),
                      lead_days=_int("lead_working_days"), note=request.form.get("note", ""), reason=_reason())  # fmt: skip
    flash(_("计划已保存"), "success")
    return redirect(url_for("scheduling.plan", plan_id=found.id))


def _session_data(kind: SessionKind | None = None) -> sessions.SessionData:
    form = request.form
    try:
        starts = from_local(datetime.strptime(form.get("starts_at", "").replace("T", " "), "%Y-%m-%d %H:%M"))
    except ValueError as exc:
        raise DomainError(
            _("开始时间格式应为 YYYY-MM-DD HH:MM"), [Problem(_("开始时间格式有误"), field="starts_at")]
        ) from exc
    rooms = [util.get_room(int(r)) for r in form.getlist("room_id")]
    kind = kind or SessionKind(form.get("kind", SessionKind.THEORY.value))
    return sessions.SessionData(kind, form.get("name", ""), starts, _int("duration_minutes"), rooms)


def add_session(plan_id: int):
    found = util.get_plan(plan_id)
    created = sessions.create_session(found, _session_data(), reason=_reason())
    flash(_("已添加场次 %(name)s", name=created.name), "success")
    return redirect(url_for("scheduling.plan", plan_id=found.id))


def plan_sittings(plan_id: int):
    found = util.get_plan(plan_id)
    times = []
    for value in request.form.get("times", "").replace("，", ",").split(","):
        if value.strip():
            try:
                times.append(time.fromisoformat(value.strip()))
            except ValueError as exc:
                message = _("开考时间“%(v)s”格式应为 HH:MM", v=value)
                raise DomainError(message, [Problem(message, field="times")]) from exc
    rooms = [util.get_room(int(r)) for r in request.form.getlist("room_id")]
    created = seating.plan_sittings(found, _date("first_day"), times, _int("duration_minutes"), rooms, reason=_reason())
    flash(_("已按需要新增 %(n)d 个理论场次", n=len(created)), "success")
    return redirect(url_for("scheduling.plan", plan_id=found.id))


def allocate(plan_id: int):
    found = util.get_plan(plan_id)
    report = seating.allocate_theory(found, reason=_reason())
    flash(_("理论编排：共 %(placed)d 人，保留 %(kept)d 人，新排 %(new)d 人，调整 %(moved)d 人，移出 %(removed)d 人",
            placed=report.placed, kept=report.kept, new=report.new, moved=len(report.moved), removed=report.removed),
          "success")  # fmt: skip
    if report.unplaced:
        flash(
            _("%(n)d 人未能安排，还需 %(s)d 个同样规模的场次", n=len(report.unplaced), s=report.sittings_needed),
            "error",
        )
    for warning in report.warnings[:50]:
        flash(warning, "warning")
    return redirect(url_for("scheduling.plan", plan_id=found.id))


def allocate_practical(plan_id: int):
    found = util.get_plan(plan_id)
    report = practical_seating.allocate_practical(found, reason=_reason())
    flash(_("实操编排：共 %(placed)d 人，保留 %(kept)d 人，新排 %(new)d 人，调整 %(moved)d 人",
            placed=report.placed, kept=report.kept, new=report.new, moved=len(report.moved)), "success")  # fmt: skip
    for line in report.shortages + report.unplaced[:50]:
        flash(line, "error")
    return redirect(url_for("scheduling.plan", plan_id=found.id))


def session_page(session_id: int):
    found = util.get_session(session_id)
    roles = util.staffing_roles_for(found.kind)
    pool = {role: util.staff_with_role(util.ROLE_OF[role]) for role in roles}
    return render_template(
        "scheduling/session.html",
        session=found,
        plan=found.plan,
        counts=util.room_counts(found),
        staff=util.session_staff(found),
        roles=roles,
        pool=pool,
        rooms=util.rooms_of_kind(*(
            [RoomKind.THEORY_LAB] if found.kind is SessionKind.THEORY else [RoomKind.PRACTICAL, RoomKind.OUTDOOR]
        )),
        exam_options=delivery_options.current_options(found),
        visibility=delivery_options.visibilities(found.plan.batches),
        visibility_choices=list(ResultVisibility),
    )  # fmt: skip


def edit_session(session_id: int):
    found = util.get_session(session_id)
    if request.form.get("delete"):
        plan_id = found.plan_id
        sessions.delete_session(found, reason=_reason())
        flash(_("场次已删除"), "success")
        return redirect(url_for("scheduling.plan", plan_id=plan_id))
    sessions.update_session(found, _session_data(found.kind), reason=_reason())
    flash(_("场次已保存"), "success")
    return redirect(url_for("scheduling.session", session_id=found.id))


def seat_map(session_id: int, room_id: int):
    found = util.get_session(session_id)
    room = util.get_room(room_id)
    if room not in found.rooms:
        raise DomainError(_("该考场不在此场次中"), status=404)
    grid = util.seat_map(found, room) if room.kind is RoomKind.THEORY_LAB else None
    return render_template("scheduling/seat_map.html", session=found, plan=found.plan, room=room, grid=grid,
                           placements=sorted(util.session_placements(found, room), key=_place_key),
                           sittings=seating.theory_sessions(found.plan) if grid else practical_seating.practical_sessions(found.plan))  # fmt: skip


def _place_key(placement) -> tuple:
    spot = placement.seat or placement.station
    return (getattr(spot, "row", 0), getattr(spot, "col", 0), spot.label)


def move(placement_id: int):
    placement = util.get_placement(placement_id)
    if placement.station_id is not None:
        return _move_station(placement)
    target_session = util.get_session(_int("session_id", placement.session_id))
    room = util.get_room(_int("room_id", placement.room_id))
    label = request.form.get("seat", "").strip().upper()
    seat = next((s for s in room.seats if s.label.upper() == label), None)
    if seat is None:
        message = _("%(room)s 没有座位 %(label)s", room=room.name, label=label)
        raise DomainError(message, [Problem(message, field="seat")])
    for warning in seating.move_to_seat(placement, target_session, seat, reason=_reason()):
        flash(warning, "warning")
    flash(_("已调整到 %(room)s %(seat)s", room=room.name, seat=seat.label), "success")
    return redirect(url_for("scheduling.seat_map", session_id=target_session.id, room_id=room.id))


def _move_station(placement):
    target_session = util.get_session(_int("session_id", placement.session_id))
    room = util.get_room(_int("room_id", placement.room_id))
    label = request.form.get("station", "").strip()
    station = next((s for s in room.stations if s.label == label), None)
    if station is None:
        raise DomainError(
            _("%(room)s 没有工位 %(label)s", room=room.name, label=label), [Problem(label, field="station")]
        )
    practical_seating.move_to_station(placement, target_session, station, reason=_reason())
    flash(_("已调整到 %(room)s 工位 %(station)s", room=room.name, station=station.label), "success")
    return redirect(url_for("scheduling.seat_map", session_id=target_session.id, room_id=room.id))


def assign(session_id: int):
    found = util.get_session(session_id)
    role = StaffRole(request.form.get("role", StaffRole.PROCTOR.value))
    user = util.get_user(_int("user_id"))
    room = util.get_room(int(request.form["room_id"])) if request.form.get("room_id") else None
    staffing.assign_staff(found, user, role, room, reason=_reason())
    flash(_("已安排 %(name)s", name=user.display_name), "success")
    return redirect(url_for("scheduling.session", session_id=found.id))


def unassign(session_id: int, assignment_id: int):
    found = util.get_session(session_id)
    assignment = next((a for a in util.session_staff(found) if a.id == assignment_id), None)
    if assignment is None:
        raise DomainError(_("安排不存在"), status=404)
    staffing.unassign_staff(assignment, reason=_reason())
    flash(_("已取消安排"), "success")
    return redirect(url_for("scheduling.session", session_id=found.id))


def file_plan(plan_id: int):
    found = util.get_plan(plan_id)
    check = plans.file_plan(found, _date("filed_on"))
    flash(check.message, "error" if check.late else "success")
    return redirect(url_for("scheduling.plan", plan_id=found.id))


def approve_plan(plan_id: int):
    found = util.get_plan(plan_id)
    plans.approve_plan(found, _date("approved_on"), request.form.get("approval_ref", ""),
                       override_reason=request.form.get("late_override_reason", ""))  # fmt: skip
    flash(_("已登记省中心批准"), "success")
    return redirect(url_for("scheduling.plan", plan_id=found.id))


def reopen_plan(plan_id: int):
    found = util.get_plan(plan_id)
    plans.reopen_plan(found, _reason())
    flash(_("计划已退回草稿"), "success")
    return redirect(url_for("scheduling.plan", plan_id=found.id))


def plan_document(plan_id: int, fmt: str):
    """The plan for the province (认定实施计划) as PDF or xlsx."""
    found = util.get_plan(plan_id)
    name = f"认定实施计划-{found.name}.{fmt}"
    if fmt == "pdf":
        return pdf_response(plan_documents.plan_pdf(found), name)
    return file_response(plan_documents.plan_xlsx(found), name, XLSX)


def auto_staff(plan_id: int):
    found = util.get_plan(plan_id)
    added, shortages = staffing.auto_assign(found, reason=_reason())
    flash(_("已自动安排 %(n)d 人次", n=added), "success")
    for line in shortages[:50]:
        flash(line, "error")
    return redirect(url_for("scheduling.staffing_check", plan_id=found.id))


def staffing_check(plan_id: int):
    found = util.get_plan(plan_id)
    return render_template("scheduling/staffing_check.html", plan=found, findings=staffing.plan_staffing_check(found),
                           staff={s.id: util.staff_groups(s) for s in found.sessions})  # fmt: skip


def examiners():
    return render_template("scheduling/examiners.html", examiners=util.staff_with_role(util.ROLE_OF[StaffRole.EXAMINER]),
                           cards=util.examiner_cards(), recusals=util.recusals(), teaching=util.teaching_records(),
                           occupations=catalog_util.list_occupations(), batches=registration_util.batches(None),
                           kinds=list(RecusalKind), today=date.today(), ratios=util.staffing_ratios())  # fmt: skip


def add_card():
    user = util.get_user(_int("user_id"))
    occupation = catalog_util.get_occupation(_int("occupation_id"))
    until = _date("valid_until") if request.form.get("valid_until") else None
    card = staffing.add_card(user, request.form.get("number", ""), occupation, _int("highest_level"),
                             _date("issued_on"), until, senior=bool(request.form.get("senior")))  # fmt: skip
    flash(_("已登记考评员证 %(n)s，有效期至 %(d)s", n=card.number, d=card.valid_until), "success")
    return redirect(url_for("scheduling.examiners"))


def declare_recusal():
    user = util.get_user(_int("user_id"))
    number = request.form.get("id_number", "").strip()
    person = people_util.find_by_document(number)
    if person is None:
        message = _("没有证件号码为 %(n)s 的人员", n=number)
        raise DomainError(message, [Problem(message, field="id_number")])
    staffing.declare_recusal(user, person, RecusalKind(request.form.get("kind", "conflict")),
                             request.form.get("reason", ""))  # fmt: skip
    flash(_("已登记 %(u)s 对 %(p)s 的回避", u=user.display_name, p=person.name), "success")
    return redirect(url_for("scheduling.examiners"))


def record_teaching():
    user = util.get_user(_int("user_id"))
    batch = registration_util.get_batch(_int("batch_id"), None)
    staffing.record_teaching(user, batch, request.form.get("class_name", ""))
    flash(_("已登记任课班级"), "success")
    return redirect(url_for("scheduling.examiners"))


def set_ratio():
    occupation = catalog_util.get_occupation(_int("occupation_id"))
    staffing.set_ratio(occupation, candidates_per_proctor=_int("candidates_per_proctor"), min_proctors=_int("min_proctors"),
                       candidates_per_examiner=_int("candidates_per_examiner"), min_examiners=_int("min_examiners"),
                       examiners_odd=bool(request.form.get("examiners_odd")))  # fmt: skip
    flash(_("已保存 %(name)s 的考务人员配备比例", name=occupation.name), "success")
    return redirect(url_for("scheduling.examiners"))
