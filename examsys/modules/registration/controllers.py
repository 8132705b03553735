"""Registration pages: batches and their rules, bulk registration, applications and review."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsys.core.errors import DomainError, Problem
from examsys.core.permissions import Role
from examsys.modules.catalog import util as catalog_util
from examsys.modules.people import util as people_util
from examsys.modules.registration import documents, eligibility, operations, reports, util
from examsys.modules.registration.models import ApplicationStatus, Decision, Path, ReviewLevel


def _scope() -> int | None:
    return people_util.scope_college(current_user)


def _local_datetime(value: str, end_of_day: bool = False) -> datetime:
    """A date typed in the centre's time zone, as an aware UTC datetime."""
    day = datetime.strptime(value, "%Y-%m-%d")
    moment = datetime.combine(day.date(), time(23, 59) if end_of_day else time(0, 0))
    return moment.replace(tzinfo=ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])).astimezone(UTC)


def index():
    can_grant = current_user.can("colleges.edit")
    return render_template(
        "registration/index.html",
        batches=util.batches(_scope()),
        grants=util.grants() if can_grant else [],
        occupations=catalog_util.list_occupations() if can_grant else [],
        colleges=catalog_util.list_colleges() if can_grant else [],
    )


def grant():
    """The centre lets another college certify an occupation it does not own."""
    occupation = catalog_util.get_occupation(request.form.get("occupation_id", type=int) or 0)
    operations.grant_occupation(occupation.id, catalog_util.get_college(request.form.get("college_id", type=int) or 0))
    flash(_("已授权"), "success")
    return redirect(url_for("registration.index"))


def new_batch():
    scope = _scope()
    colleges = [catalog_util.get_college(scope)] if scope else catalog_util.list_colleges()
    jobs = [job for occupation in catalog_util.list_occupations() for job in occupation.jobs]
    if request.method == "POST":
        form = request.form
        try:
            data = operations.BatchData(
                name=form.get("name", ""),
                job=catalog_util.get_job(int(form.get("job_id", 0))),
                level=int(form.get("level", 0)),
                path=Path(form.get("path", "exam")),
                college=catalog_util.get_college(int(form.get("college_id", 0))),
                opens_at=_local_datetime(form["opens"]),
                closes_at=_local_datetime(form["closes"], end_of_day=True),
                exam_date=datetime.strptime(form["exam_date"], "%Y-%m-%d").date() if form.get("exam_date") else None,
                fee=Decimal(form["fee"]) if form.get("fee") else None,
                planned_headcount=int(form.get("planned_headcount") or 0),
            )
        except (KeyError, ValueError, InvalidOperation) as exc:
            raise DomainError(_("请完整填写批次信息（日期格式 YYYY-MM-DD）"), [Problem(str(exc))]) from exc
        batch = operations.save_batch(None, data, scope=scope)
        flash(_("已开设认定批次"), "success")
        return redirect(url_for("registration.batch", batch_id=batch.id))
    return render_template("registration/batch_form.html", colleges=colleges, jobs=jobs, paths=list(Path))


def batch(batch_id: int):
    scope = _scope()
    found = util.get_batch(batch_id, scope)
    status = request.args.get("status") or None
    students = []
    if current_user.can("registration.manage") and request.args.get("grade"):
        flt = people_util.PeopleFilter(
            college_id=scope or found.college_id,
            grade=request.args.get("grade", ""),
            class_name=request.args.get("class", ""),
        )
        students = people_util.search_people(flt, scope=scope, per_page=500).items
    configured = {entry["rule"]: entry.get("params", {}) for entry in found.rules or []}
    return render_template(
        "registration/batch.html",
        batch=found,
        applications=util.applications(found, scope, ApplicationStatus(status) if status else None),
        statuses=list(ApplicationStatus),
        status=status,
        rules=eligibility.RULES,
        configured=configured,
        students=students,
        can_centre=bool(current_user.roles & {Role.ADMIN, Role.EXAM_OFFICE}),
    )


def save_rules(batch_id: int):
    found = util.get_batch(batch_id, _scope())
    rules = []
    for key, rule in eligibility.RULES.items():
        if request.form.get(f"rule_{key}"):
            params = {p.name: request.form.get(f"{key}_{p.name}", "") for p in rule.params}
            rules.append({"rule": key, "params": params})
    operations.set_rules(found, rules)
    flash(_("资格规则已保存"), "success")
    return redirect(url_for("registration.batch", batch_id=found.id))


def register(batch_id: int):
    scope = _scope()
    found = util.get_batch(batch_id, scope)
    people = [people_util.get_person(int(pid), scope=scope) for pid in request.form.getlist("person_id")]
    if not people:
        raise DomainError(_("请至少选择一名学生"))
    result = operations.apply_many(found, people, scope=scope)
    flash(_("已报名 %(n)d 人", n=len(result.applied)), "success")
    for person, reasons in result.blocked:
        flash(_("%(name)s 未能报名：%(r)s", name=person.name, r="；".join(reasons)), "warning")
    return redirect(url_for("registration.batch", batch_id=found.id))


def _level() -> ReviewLevel:
    if not current_user.roles & {Role.ADMIN, Role.EXAM_OFFICE}:
        return ReviewLevel.COLLEGE
    return ReviewLevel(request.form.get("level", ReviewLevel.CENTRE.value))


def review_bulk(batch_id: int):
    scope = _scope()
    found = util.get_batch(batch_id, scope)
    chosen = [util.get_application(int(aid), scope) for aid in request.form.getlist("application_id")]
    if not chosen or any(a.batch_id != found.id for a in chosen):
        raise DomainError(_("请至少选择一条报名"))
    count = operations.review_many(
        chosen, _level(), Decision(request.form.get("decision", "approve")), request.form.get("reason", ""), scope=scope
    )
    flash(_("已处理 %(n)d 条报名", n=count), "success")
    return redirect(url_for("registration.batch", batch_id=found.id))


def application(application_id: int):
    found = util.get_application(application_id, _scope())
    return render_template(
        "registration/application.html",
        application=found,
        can_centre=bool(current_user.roles & {Role.ADMIN, Role.EXAM_OFFICE}),
    )


def review_one(application_id: int):
    scope = _scope()
    found = util.get_application(application_id, scope)
    operations.review(
        found, _level(), Decision(request.form.get("decision", "approve")), request.form.get("reason", ""), scope=scope
    )
    flash(_("审核意见已保存"), "success")
    return redirect(url_for("registration.application", application_id=found.id))


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


def record_form(application_id: int):
    found = util.get_application(application_id, _scope())
    return _pdf(documents.record_forms_pdf([found]), f"备案表-{found.person.name}.pdf")


def batch_record_forms(batch_id: int):
    scope = _scope()
    found = util.get_batch(batch_id, scope)
    status = request.args.get("status") or None
    chosen = util.applications(found, scope, ApplicationStatus(status) if status else None)
    if not chosen:
        raise DomainError(_("没有符合条件的报名"), status=404)
    return _pdf(documents.record_forms_pdf(chosen), f"备案表-{found.name}.pdf")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report(kind: str, fmt: str):
    """The registration roster or the occupation summary, for one batch or all, as xlsx or PDF."""
    batch_id = request.args.get("batch", type=int)
    scope = _scope()
    if batch_id is not None:
        util.get_batch(batch_id, scope)  # scope check
    apps = reports.applications(scope, batch_id)
    if kind == "roster":
        title, (header, rows) = _("认定报名花名册"), reports.roster_rows(apps)
    else:
        title, (header, rows) = _("申报职业汇总表"), reports.summary_rows(apps)
    if fmt == "xlsx":
        response = Response(reports.to_xlsx(title, header, rows), mimetype=XLSX)
    else:
        body = catalog_util.certification_body()
        response = Response(
            reports.to_pdf(title, header, rows, body.centre_name if body else ""), mimetype="application/pdf"
        )
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.{fmt}"
    return response


def fees(batch_id: int):
    scope = _scope()
    found = util.get_batch(batch_id, scope)
    chosen = [util.get_application(int(aid), scope) for aid in request.form.getlist("application_id")]
    if not chosen or any(a.batch_id != found.id for a in chosen):
        raise DomainError(_("请至少选择一条报名"))
    count = operations.set_fee_paid(chosen, request.form.get("paid") == "1")
    flash(_("已更新 %(n)d 条缴费状态", n=count), "success")
    return redirect(url_for("registration.batch", batch_id=found.id))


def register_list(batch_id: int):
    """Register the students listed (one 学号 or 证件号码 per line) in a text box or file."""
    scope = _scope()
    found = util.get_batch(batch_id, scope)
    text = request.form.get("numbers", "")
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        text += "\n" + upload.read().decode("utf-8-sig", errors="replace")
    numbers = [part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()]
    if not numbers:
        raise DomainError(_("请填写学号或证件号码"))
    result = operations.apply_listed(found, numbers, scope=scope)
    flash(_("已报名 %(n)d 人", n=len(result.applied)), "success")
    for person, reasons in result.blocked:
        flash(_("%(name)s 未能报名：%(r)s", name=person.name, r="；".join(reasons)), "warning")
    return redirect(url_for("registration.batch", batch_id=found.id))
