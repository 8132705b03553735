"""Exports: a bank back to the workbook or QTI, the empty template, and watermarked papers."""

from __future__ import annotations

from examsys.core import audit
from examsys.modules.banks import util
from examsys.modules.banks.formats import qti, xlsx
from examsys.modules.banks.formats.base import (
    Location,
    ParsedBank,
    ParsedElement,
    ParsedItem,
    ParsedMarkingItem,
    ParsedOption,
    ParsedTask,
)
from examsys.modules.banks.models import Category, Item, ItemStatus, Paper
from examsys.modules.catalog.models import Job


def template() -> bytes:
    return xlsx.write_workbook(ParsedBank())


def _parsed_item(item: Item, revision=None) -> ParsedItem:
    revision = revision or item.current
    options = [ParsedOption(o["label"], o["text"], o["label"] in revision.key) for o in revision.options]
    return ParsedItem(
        qtype=item.qtype,
        stem=revision.stem,
        options=options,
        location=Location(),
        element_code=item.element.code if item.element else None,
        difficulty=revision.difficulty,
        explanation=revision.explanation,
        source=item.source,
        external_id=item.external_id or f"examsys-{item.id}",
    )


def _elements(job_id: int, level: int) -> list[ParsedElement]:
    rows = []
    for category in Category:
        for area in util.areas(job_id, level, category):
            for unit in area.units:
                for element in unit.elements:
                    rows.append(
                        ParsedElement(
                            category.value,
                            area.code,
                            area.name,
                            float(area.weight),
                            unit.code,
                            unit.name,
                            element.code,
                            element.name,
                            element.importance.value,
                            Location(),
                        )
                    )
    return rows


def _tasks(job_id: int, level: int) -> list[ParsedTask]:
    return [
        ParsedTask(
            task.code,
            task.title,
            task.instructions,
            task.duration_minutes,
            float(task.points),
            Location(),
            [e.code for e in task.elements],
            task.materials,
            task.station_type,
            task.safety,
            [
                ParsedMarkingItem(m.number, m.title, float(m.points), m.criteria, m.deductions, m.veto)
                for m in task.marking
            ],
        )
        for task in util.tasks(job_id, level)
    ]


def bank_as_parsed(job: Job, level: int) -> ParsedBank:
    items = [i for i in util.bank_items(job.id, level) if i.status is not ItemStatus.RETIRED and i.current]
    return ParsedBank(
        items=[_parsed_item(i) for i in items], elements=_elements(job.id, level), tasks=_tasks(job.id, level)
    )


def export_bank(job: Job, level: int, fmt: str) -> bytes:
    """The bank as the xlsx workbook or a QTI 2.1 package (the export is audited)."""
    bank = bank_as_parsed(job, level)
    data = xlsx.write_workbook(bank) if fmt == "xlsx" else qti.export_items(bank.items)
    audit.record(
        "bank.export",
        object_type="banks",
        object_id=f"{job.id}:{level}",
        after={"format": fmt, "items": len(bank.items)},
    )
    return data


def export_paper(paper: Paper, who: str, when: str) -> bytes:
    """A sealed paper as a workbook whose every stem carries the watermark (who, when)."""
    mark = f"【机密 {who} {when} 导出】"
    items = []
    for paper_item in paper.items:
        parsed = _parsed_item(paper_item.revision.item, paper_item.revision)
        parsed.stem = f"{mark}{parsed.stem}"
        parsed.source = f"{paper.blueprint.name} {paper.form}卷 第{paper_item.position}题 {mark}"
        items.append(parsed)
    audit.record("paper.export", paper, after={"by": who, "at": when, "hash": paper.content_hash})
    return xlsx.write_workbook(ParsedBank(items=items))
