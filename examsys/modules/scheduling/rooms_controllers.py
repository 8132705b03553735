"""Rooms pages: the list, a lab's seat map or a venue's stations, edits, and the rooms workbook."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.modules.catalog import util as catalog_util
from examsys.modules.scheduling import operations as ops
from examsys.modules.scheduling import room_export, room_import
from examsys.modules.scheduling.models import Room, RoomKind
from examsys.web.downloads import XLSX, file_response


def _field_errors(error: DomainError) -> dict[str, list[str]]:
    """Problems by form field; those without a field (or the bare message) are flashed."""
    errors: dict[str, list[str]] = {}
    for problem in error.problems:
        if problem.field:
            errors.setdefault(problem.field, []).append(str(problem.message))
        else:
            flash(str(problem), "error")
    if not error.problems:
        flash(str(error), "error")
    return errors


def _int(name: str, default: int | None = None) -> int:
    value = request.form.get(name, "").strip()
    if not value and default is not None:
        return default
    try:
        return int(value)
    except ValueError:
        raise DomainError(_("请填写整数"), [Problem(_("请填写整数"), field=name)]) from None


def _room_fields(room: Room | None = None) -> ops.RoomFields:
    form = request.form
    area = form.get("area_m2", "").strip()
    try:
        area_m2 = float(area) if area else None
    except ValueError:
        raise DomainError(_("考场信息有误"), [Problem(_("面积应为数字"), field="area_m2")]) from None
    return ops.RoomFields(
        code=form.get("code", ""),
        name=form.get("name", ""),
        building=form.get("building", ""),
        area_m2=area_m2,
        front_camera=form.get("front_camera", ""),
        back_camera=form.get("back_camera", ""),
        note=form.get("note", ""),
        active=bool(form.get("active")) if room is not None else True,
    )


def index():
    kind = request.args.get("kind", "")
    chosen = RoomKind(kind) if kind in {k.value for k in RoomKind} else None
    return render_template("scheduling/rooms/index.html", rooms=ops.list_rooms(chosen), kinds=list(RoomKind), kind=kind)


def new_room():
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            kind = RoomKind(request.form.get("kind", RoomKind.THEORY_LAB.value))
            rows, cols = _int("rows", 0), _int("cols", 0)
            room = ops.create_room(kind, _room_fields(), rows=rows, cols=cols)
        except (DomainError, ValueError) as error:
            if isinstance(error, ValueError):
                error = DomainError(_("请选择考场类型"), [Problem(_("请选择考场类型"), field="kind")])
            errors = _field_errors(error)
        else:
            flash(_("已新建考场 %(c)s", c=room.code), "success")
            return redirect(url_for("rooms.room", room_id=room.id))
    page = render_template("scheduling/rooms/new.html", kinds=list(RoomKind), errors=errors, values=request.form)
    return page, 422 if request.method == "POST" else 200


def _room_page(room: Room, errors: dict | None = None, status: int = 200):
    placed = ops.placed_seat_ids(s.id for s in room.seats) | ops.placed_station_ids(s.id for s in room.stations)
    chosen = {o.id for o in room.occupations}
    occupations = catalog_util.list_occupations() if room.kind is not RoomKind.THEORY_LAB else []
    values = request.form if request.method == "POST" else {}
    return render_template(
        "scheduling/rooms/room.html", room=room, errors=errors or {}, values=values, placed=placed,
        occupations=occupations, chosen=chosen, lab=room.kind is RoomKind.THEORY_LAB,
    ), status  # fmt: skip


def room(room_id: int):
    return _room_page(ops.get_room(room_id))


def _edit(room: Room, change, message: str):
    """Run ``change()``; on success flash and go back to the room, else show the room with errors."""
    try:
        change()
    except DomainError as error:
        db.session.rollback()  # show the room as it is, not half-changed
        return _room_page(room, _field_errors(error), 422)
    flash(message, "success")
    return redirect(url_for("rooms.room", room_id=room.id))


def edit_room(room_id: int):
    found = ops.get_room(room_id)
    return _edit(found, lambda: ops.update_room(found, _room_fields(found)), _("考场信息已保存"))


def resize(room_id: int):
    found = ops.get_room(room_id)
    return _edit(found, lambda: ops.resize_lab(found, _int("rows"), _int("cols")), _("座位图已调整"))


def seat(room_id: int, seat_id: int):
    found = ops.get_room(room_id)
    chosen = ops.get_seat(found, seat_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = request.form
        try:
            ops.update_seat(chosen, label=form.get("label", ""), hostname=form.get("hostname", ""),
                            ip=form.get("ip", ""), in_service=bool(form.get("in_service")))  # fmt: skip
        except DomainError as error:
            errors = _field_errors(error)
        else:
            flash(_("座位 %(l)s 已保存", l=chosen.label), "success")
            return redirect(url_for("rooms.room", room_id=found.id, _anchor=f"seat-{chosen.id}"))
    values = request.form if request.method == "POST" else {}
    page = render_template("scheduling/rooms/seat.html", room=found, seat=chosen, errors=errors, values=values)
    return page, 422 if request.method == "POST" else 200


def seat_service(room_id: int, seat_id: int):
    found = ops.get_room(room_id)
    chosen = ops.get_seat(found, seat_id)
    ops.set_seat_in_service(chosen, request.form.get("in_service") == "1")
    state = _("启用") if chosen.in_service else _("停用")
    flash(_("座位 %(l)s 已%(s)s", l=chosen.label, s=state), "success")
    return redirect(url_for("rooms.room", room_id=found.id, _anchor=f"seat-{chosen.id}"))


def add_stations(room_id: int):
    found = ops.get_room(room_id)
    label, station_type = request.form.get("label", "").strip(), request.form.get("station_type", "")

    def change():
        if label:
            ops.add_station(found, label, station_type)
        else:
            ops.add_stations(found, _int("count", 1), station_type)

    return _edit(found, change, _("工位已添加"))


def station(room_id: int, station_id: int):
    found = ops.get_room(room_id)
    chosen = ops.get_station(found, station_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = request.form
        try:
            ops.update_station(chosen, label=form.get("label", ""), station_type=form.get("station_type", ""),
                               in_service=bool(form.get("in_service")))  # fmt: skip
        except DomainError as error:
            errors = _field_errors(error)
        else:
            flash(_("工位 %(l)s 已保存", l=chosen.label), "success")
            return redirect(url_for("rooms.room", room_id=found.id))
    values = request.form if request.method == "POST" else {}
    page = render_template("scheduling/rooms/station.html", room=found, station=chosen, errors=errors, values=values)
    return page, 422 if request.method == "POST" else 200


def remove_station(room_id: int, station_id: int):
    found = ops.get_room(room_id)
    chosen = ops.get_station(found, station_id)
    label = chosen.label
    return _edit(found, lambda: ops.remove_station(chosen), _("工位 %(l)s 已删除", l=label))


def occupations(room_id: int):
    found = ops.get_room(room_id)
    ids = {int(i) for i in request.form.getlist("occupation_id") if i.isdigit()}
    chosen = [catalog_util.get_occupation(i) for i in sorted(ids)]
    return _edit(found, lambda: ops.set_occupations(found, chosen), _("对应职业已保存"))


def import_file():
    problems: list[Problem] = []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            problems = [Problem(_("请选择要导入的 Excel 文件（.xlsx）"), field="file")]
        else:
            try:
                report = room_import.import_rooms(upload.read(), filename=upload.filename)
            except DomainError as error:
                problems = error.problems or [Problem(str(error))]
            else:
                flash(_("导入完成：新建 %(c)d 个考场，更新 %(u)d 个；座位 %(s)d 个，工位 %(t)d 个，删除 %(r)d 个",
                        c=report.created, u=report.updated, s=report.seats, t=report.stations, r=report.removed),
                      "success")  # fmt: skip
                return redirect(url_for("rooms.index"))
    page = render_template("scheduling/rooms/import.html", problems=problems)
    return page, 422 if problems else 200


def export():
    return file_response(room_export.export_rooms(), "考场.xlsx", XLSX)


def template():
    return file_response(room_export.template(), "考场导入模板.xlsx", XLSX)
