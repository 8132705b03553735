"""Bank pages: bank list and import, a bank's structure/items/tasks, items, blueprints, papers."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from examsys.core import audit
from examsys.core.db import utcnow
from examsys.core.errors import DomainError
from examsys.modules.banks import assembly, blueprints, exports, imports, operations, util
from examsys.modules.banks.formats import FORMATS, parse_file
from examsys.modules.banks.forms import AssembleForm, BlueprintForm, ImportForm, ItemForm, StatusForm
from examsys.modules.banks.models import Category, ItemStatus
from examsys.modules.banks.qtypes import REGISTRY
from examsys.modules.catalog import util as catalog_util
from examsys.web.forms import attach_domain_errors
from examsys.web.i18n import localtime

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _job_choices() -> list[tuple[int, str]]:
    return [(job.id, job.label) for occupation in catalog_util.list_occupations() for job in occupation.jobs]


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response.headers["Cache-Control"] = "no-store"
    return response


def index():
    form = ImportForm()
    form.job_id.choices = _job_choices()
    form.fmt.choices = [("", _("自动识别"))] + [(key, str(spec.title)) for key, spec in FORMATS.items()]
    return render_template("banks/index.html", banks=util.bank_summary(), form=form, blueprints=util.blueprints())


def import_file():
    form = ImportForm()
    form.job_id.choices = _job_choices()
    form.fmt.choices = [("", "")] + [(key, key) for key in FORMATS]
    if not form.validate_on_submit():
        raise DomainError(_("请选择职业、等级和文件"))
    job = catalog_util.get_job(form.job_id.data)
    upload = form.file.data
    parsed = parse_file(upload.filename, upload.read(), form.fmt.data or None)
    report = imports.import_bank(
        parsed, job, form.level.data, status=ItemStatus(form.status.data), filename=upload.filename
    )
    flash(
        _(
            "导入完成：新增 %(c)d 题，更新 %(u)d 题，未变 %(n)d 题，要素 %(e)d 条，实操任务 %(t)d 个",
            c=report.created,
            u=report.updated,
            n=report.unchanged,
            e=report.elements,
            t=report.tasks,
        ),
        "success",
    )
    for warning in report.warnings:
        flash(_("疑似重复：%(w)s", w=warning), "warning")
    return redirect(url_for("banks.bank", job_id=job.id, level=form.level.data))


def template():
    return _download(exports.template(), "题库导入模板.xlsx", XLSX)


def bank(job_id: int, level: int):
    job = catalog_util.get_job(job_id)
    status = request.args.get("status") or None
    items = util.bank_items(job.id, level, ItemStatus(status) if status else None)
    counts: dict[tuple[int, str], int] = {}
    for item in items:
        if item.element is not None:
            key = (item.element.unit.area_id, item.qtype)
            counts[key] = counts.get(key, 0) + 1
    return render_template(
        "banks/bank.html",
        job=job,
        level=level,
        items=items,
        counts=counts,
        qtypes=REGISTRY,
        theory=util.areas(job.id, level, Category.THEORY),
        skill=util.areas(job.id, level, Category.SKILL),
        tasks=util.tasks(job.id, level),
        status=status,
        statuses=list(ItemStatus),
    )


def export_bank(job_id: int, level: int, fmt: str):
    job = catalog_util.get_job(job_id)
    data = exports.export_bank(job, level, fmt)
    if fmt == "xlsx":
        return _download(data, f"{job.label}-{level}级.xlsx", XLSX)
    return _download(data, f"{job.label}-{level}级-qti.zip", "application/zip")


def item(item_id: int):
    found = util.get_item(item_id)
    return render_template(
        "banks/item.html", item=found, status_form=StatusForm(status=found.status.value), qtypes=REGISTRY
    )


_OPTION_LINE = re.compile(r"^\s*([A-Z])\s*[.、．)]\s*(.+)$")


def _content_from_form(form: ItemForm, qtype: str, elements) -> operations.ItemContent:
    if qtype == "true_false":
        options = [{"label": "T", "text": "正确"}, {"label": "F", "text": "错误"}]
        key = ["T"] if form.key.data.strip() in {"正确", "对", "T", "√"} else ["F"]
    else:
        options = [
            {"label": m.group(1), "text": m.group(2)}
            for line in (form.options.data or "").splitlines()
            if (m := _OPTION_LINE.match(line))
        ]
        key = sorted(set(re.sub(r"[^A-Z]", "", form.key.data.upper())))
    element = elements.get(form.element_id.data)
    return operations.ItemContent(
        form.stem.data, options, key, form.explanation.data or "", form.difficulty.data, element
    )


def edit_item(item_id: int):
    found = util.get_item(item_id)
    elements = {e.id: e for a in util.areas(found.job_id, found.level, Category.THEORY) for e in a.elements}
    form = ItemForm(obj=None if request.method == "POST" else found.current)
    form.element_id.choices = [(0, "—")] + [(e.id, f"{e.code} {e.name}") for e in elements.values()]
    if request.method == "GET":
        revision = found.current
        form.options.data = "\n".join(f"{o['label']}. {o['text']}" for o in revision.options)
        form.key.data = (
            "".join(revision.key) if found.qtype != "true_false" else ("正确" if revision.key == ["T"] else "错误")
        )
        form.element_id.data, form.qtype.data = found.element_id or 0, found.qtype
    if form.validate_on_submit():
        try:
            operations.update_item(found, _content_from_form(form, found.qtype, elements))
        except DomainError as error:
            attach_domain_errors(form, error)
            return render_template("banks/item_form.html", form=form, item=found), 422
        _warn_duplicates(found.job_id, found.level, found.current.stem, exclude=found.id)
        flash(_("已保存（启用中的试题会生成新版本）"), "success")
        return redirect(url_for("banks.item", item_id=found.id))
    return render_template("banks/item_form.html", form=form, item=found), 422 if form.errors else 200


def _warn_duplicates(job_id: int, level: int, stem: str, exclude: int | None = None) -> None:
    for other_id, similarity in operations.near_duplicates(job_id, level, stem, exclude=exclude):
        flash(_("疑似重复：与第 %(id)s 号试题相似度 %(p)d%%", id=other_id, p=round(similarity * 100)), "warning")


def new_item(job_id: int, level: int):
    job = catalog_util.get_job(job_id)
    elements = {e.id: e for a in util.areas(job.id, level, Category.THEORY) for e in a.elements}
    form = ItemForm()
    form.element_id.choices = [(0, "—")] + [(e.id, f"{e.code} {e.name}") for e in elements.values()]
    if form.validate_on_submit():
        try:
            created = operations.create_item(
                job.id, level, form.qtype.data, _content_from_form(form, form.qtype.data, elements)
            )
        except DomainError as error:
            attach_domain_errors(form, error)
            return render_template("banks/item_form.html", form=form, item=None, job=job, level=level), 422
        _warn_duplicates(job.id, level, created.current.stem, exclude=created.id)
        flash(_("已保存为草稿，审核后才能启用"), "success")
        return redirect(url_for("banks.item", item_id=created.id))
    return render_template("banks/item_form.html", form=form, item=None, job=job, level=level), (
        422 if form.errors else 200
    )


def item_status(item_id: int):
    found = util.get_item(item_id)
    form = StatusForm()
    if not form.validate_on_submit():
        raise DomainError(_("请选择状态"))
    operations.set_status(found, ItemStatus(form.status.data))
    flash(_("状态已更新"), "success")
    return redirect(url_for("banks.item", item_id=found.id))


def new_blueprint():
    form = BlueprintForm()
    form.job_id.choices = _job_choices()
    if form.validate_on_submit():
        parts = [
            blueprints.PartSpec(
                qtype, getattr(form, f"{qtype}_count").data, Decimal(getattr(form, f"{qtype}_points").data)
            )
            for qtype in REGISTRY
            if getattr(form, f"{qtype}_count").data
        ]
        try:
            saved = blueprints.save_blueprint(
                None,
                job=catalog_util.get_job(form.job_id.data),
                level=form.level.data,
                name=form.name.data,
                parts=parts,
                duration_minutes=form.duration_minutes.data,
                pass_mark=form.pass_mark.data,
                difficulty_target=form.difficulty_target.data,
                difficulty_tolerance=form.difficulty_tolerance.data,
                max_overlap=form.max_overlap.data,
            )
        except DomainError as error:
            attach_domain_errors(form, error)
            return render_template("banks/blueprint_form.html", form=form), 422
        return redirect(url_for("banks.blueprint", blueprint_id=saved.id))
    return render_template("banks/blueprint_form.html", form=form), 422 if form.errors else 200


def blueprint(blueprint_id: int):
    found = util.get_blueprint(blueprint_id)
    return render_template(
        "banks/blueprint.html",
        blueprint=found,
        cells=blueprints.plan_cells(found),
        qtypes=REGISTRY,
        problems=blueprints.feasibility(found),
        papers=util.papers_of(found),
        form=AssembleForm(),
    )


def assemble(blueprint_id: int):
    found = util.get_blueprint(blueprint_id)
    form = AssembleForm()
    if not form.validate_on_submit():
        raise DomainError(_("套数应为 1–52"))
    seed = form.seed.data if form.seed.data is not None else secrets.randbelow(2**31)
    papers = assembly.assemble(found, form.forms.data, seed)
    flash(_("已组卷并封存 %(n)d 套试卷（种子 %(s)d）", n=len(papers), s=seed), "success")
    return redirect(url_for("banks.blueprint", blueprint_id=found.id))


def paper(paper_id: int):
    found = util.get_paper(paper_id)
    audit.record("paper.view", found, after={"hash": found.content_hash})
    return render_template(
        "banks/paper.html",
        paper=found,
        intact=assembly.seal_intact(found),
        qtypes=REGISTRY,
        watermark=f"{current_user.username} {localtime(utcnow(), '%Y-%m-%d %H:%M')}",
    )


def export_paper(paper_id: int):
    found = util.get_paper(paper_id)
    data = exports.export_paper(found, current_user.username, localtime(utcnow(), "%Y-%m-%d %H:%M"))
    return _download(data, f"试卷-{found.blueprint.name}-{found.form}.xlsx", XLSX)
