"""Importing a parsed bank file: all or nothing, every problem named, re-imports update.

Everything is checked before anything is written. Items already in the bank with the same
stem (by fingerprint) and type are updated instead of duplicated: a changed active item gets
a new revision, so papers keep the revision they used. Near-duplicate stems are reported as
warnings with both places named.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.modules.banks import structure, util
from examsys.modules.banks.formats.base import ParsedBank, ParsedItem, ParsedTask
from examsys.modules.banks.models import (
    Category,
    Item,
    ItemRevision,
    ItemStatus,
    KnowledgeElement,
    MarkingItem,
    PracticalTask,
)
from examsys.modules.banks.operations import ItemContent, new_revision
from examsys.modules.banks.qtypes import REGISTRY
from examsys.modules.banks.text import DuplicateIndex, fingerprint, sanitize
from examsys.modules.catalog.models import Job


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    elements: int = 0
    tasks: int = 0
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class _PlannedItem:
    parsed: ParsedItem
    stem: str
    options: list[dict]
    key: list[str]
    explanation: str
    difficulty: int
    fingerprint: str
    element_code: str | None
    existing: Item | None = None


def import_bank(
    parsed: ParsedBank, job: Job, level: int, *, status: ItemStatus = ItemStatus.ACTIVE, filename: str = ""
) -> ImportReport:
    """Check ``parsed`` against the bank of (job, level), then write it in one go."""
    problems = list(parsed.problems)
    if level not in job.level_numbers:
        problems.append(Problem(_("%(job)s 不能认定 %(level)d 级", job=job.label, level=level)))
    problems += _check_structure(parsed, job, level)
    task_total = sum(task.points for task in parsed.tasks)
    if parsed.tasks and abs(task_total - 100) > 0.01:
        problems.append(
            Problem(_("一套实操任务的配分合计应为 100 分，文件中为 %(t)s 分", t=f"{task_total:g}"), sheet="实操任务")
        )
    theory, skill = _element_codes(parsed, job.id, level)
    report = ImportReport()
    planned = _plan_items(parsed.items, theory, job, level, problems, report)
    for task in parsed.tasks:
        problems += [
            task.location.problem(_("技能要素代码 %(c)s 不存在", c=c), "技能要素代码")
            for c in task.element_codes
            if c not in skill
        ]
    if problems:
        raise DomainError(_("文件有 %(n)d 处错误，未导入任何内容", n=len(problems)), problems)
    _write(parsed, planned, job, level, status, report)
    audit.record(
        "bank.import",
        object_type="banks",
        object_id=f"{job.id}:{level}",
        after={
            "file": filename,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "elements": report.elements,
            "tasks": report.tasks,
        },
    )
    return report


def _check_structure(parsed: ParsedBank, job: Job, level: int) -> list[Problem]:
    problems = []
    for category in Category:
        rows = [e for e in parsed.elements if e.category == category.value]
        if rows:
            problems += structure.check_weights(rows, category)
            problems += structure.removals_in_use(rows, job.id, level, category)
    return problems


def _element_codes(parsed: ParsedBank, job_id: int, level: int) -> tuple[set[str], set[str]]:
    """Element codes items and tasks may use: the file's own list, else the bank's."""
    codes = []
    for category in Category:
        rows = [e.code for e in parsed.elements if e.category == category.value]
        codes.append(set(rows) if rows else set(util.elements_by_code(job_id, level, category)))
    return codes[0], codes[1]


def _plan_items(items, theory, job, level, problems, report) -> list[_PlannedItem]:
    existing = {(i.qtype, i.current.fingerprint): i for i in util.bank_items(job.id, level) if i.current}
    near = DuplicateIndex()
    for (_qtype, print_), item in existing.items():
        near.add(("bank", item.id), print_)
    planned = []
    for parsed in items:
        plan = _plan_item(parsed, theory, problems)
        if plan is None:
            continue
        plan.existing = existing.get((parsed.qtype, plan.fingerprint))
        if plan.existing is None:
            match = near.find(plan.fingerprint)
            if match:
                report.warnings.append(parsed.location.problem(_duplicate_message(match), "题干"))
            near.add(("file", parsed.location.sheet, parsed.location.row or parsed.location.line), plan.fingerprint)
        planned.append(plan)
    return planned


def _duplicate_message(match) -> str:
    (where, *rest), similarity = match
    if where == "bank":
        return _("与题库中第 %(id)s 号试题高度相似（%(p)d%%）", id=rest[0], p=round(similarity * 100))
    return _("与本文件「%(s)s」第 %(r)s 行高度相似（%(p)d%%）", s=rest[0] or "", r=rest[1], p=round(similarity * 100))


def _plan_item(parsed: ParsedItem, theory: set[str], problems: list[Problem]) -> _PlannedItem | None:
    qtype = REGISTRY.get(parsed.qtype)
    if qtype is None:
        problems.append(parsed.location.problem(_("不支持的题型 %(t)s", t=parsed.qtype)))
        return None
    labels, key = [o.label for o in parsed.options], parsed.correct_labels
    bad = [parsed.location.problem(message, "答案") for message in qtype.check(labels, key)]
    stem = sanitize(parsed.stem)
    if not stem:
        bad.append(parsed.location.problem(_("题干不能为空"), "题干"))
    if parsed.element_code and parsed.element_code not in theory:
        bad.append(parsed.location.problem(_("鉴定要素代码 %(c)s 不存在", c=parsed.element_code), "鉴定要素代码"))
    if parsed.difficulty is not None and not 1 <= parsed.difficulty <= 5:
        bad.append(parsed.location.problem(_("难度应为 1–5"), "难度"))
    problems.extend(bad)
    if bad:
        return None
    options = [{"label": o.label, "text": sanitize(o.text)} for o in parsed.options]
    return _PlannedItem(
        parsed,
        stem,
        options,
        key,
        sanitize(parsed.explanation),
        parsed.difficulty or 3,
        fingerprint(stem),
        parsed.element_code,
    )


def _write(parsed: ParsedBank, planned: list[_PlannedItem], job: Job, level: int, status, report) -> None:
    for category in Category:
        rows = [e for e in parsed.elements if e.category == category.value]
        if rows:
            report.elements += structure.write_structure(rows, job.id, level, category)
    theory = util.elements_by_code(job.id, level, Category.THEORY)
    for plan in planned:
        element = theory.get(plan.element_code) if plan.element_code else None
        if plan.existing is None:
            _create_item(plan, element, job, level, status)
            report.created += 1
        elif _update_item(plan, element):
            report.updated += 1
        else:
            report.unchanged += 1
    skill = util.elements_by_code(job.id, level, Category.SKILL)
    for task in parsed.tasks:
        _save_task(task, skill, job, level)
        report.tasks += 1
    db.session.flush()


def _new_revision(item: Item, plan: _PlannedItem, number: int) -> ItemRevision:
    content = ItemContent(plan.stem, plan.options, plan.key, plan.explanation, plan.difficulty)
    revision = new_revision(item, content, number)
    db.session.add(revision)
    return revision


def _create_item(plan: _PlannedItem, element: KnowledgeElement | None, job: Job, level: int, status) -> None:
    item = Item(
        job_id=job.id,
        level=level,
        qtype=plan.parsed.qtype,
        status=status,
        element=element,
        source=plan.parsed.source[:200],
        external_id=plan.parsed.external_id,
    )
    if status in (ItemStatus.REVIEWED, ItemStatus.ACTIVE):
        item.reviewed_by_id, item.reviewed_at = audit.current_actor()[0], utcnow()
    db.session.add(item)
    item.current = _new_revision(item, plan, 1)


def _update_item(plan: _PlannedItem, element: KnowledgeElement | None) -> bool:
    """Apply a re-imported item; True when something changed."""
    item, current = plan.existing, plan.existing.current
    same = (current.options, current.key, current.explanation, current.difficulty) == (
        plan.options,
        plan.key,
        plan.explanation,
        plan.difficulty,
    )
    if same and item.element_id == (element.id if element else None):
        return False
    item.element = element
    if not same:
        item.current = _new_revision(item, plan, len(item.revisions) + 1)
    return True


def _save_task(parsed: ParsedTask, skill: dict, job: Job, level: int) -> PracticalTask:
    task = next((t for t in util.tasks(job.id, level) if t.code == parsed.code), None)
    if task is None:
        task = PracticalTask(job_id=job.id, level=level, code=parsed.code)
        db.session.add(task)
    task.title, task.instructions, task.duration_minutes = parsed.title, parsed.instructions, parsed.duration_minutes
    task.points, task.materials = Decimal(str(parsed.points)), parsed.materials
    task.station_type, task.safety = parsed.station_type, parsed.safety
    task.elements = [skill[code] for code in parsed.element_codes]
    if task.marking:  # old lines go first: (task, number) is unique
        task.marking.clear()
        db.session.flush()
    task.marking = [
        MarkingItem(
            number=m.number,
            title=m.title,
            points=Decimal(str(m.points)),
            criteria=m.criteria,
            deductions=m.deductions,
            veto=m.veto,
        )
        for m in parsed.marking
    ]
    return task


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
