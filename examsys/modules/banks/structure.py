"""Writing a bank's knowledge structure (areas -> units -> elements) from parsed rows."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core.db import db
from examsys.core.errors import Problem
from examsys.modules.banks import util
from examsys.modules.banks.formats.base import ParsedElement
from examsys.modules.banks.models import (
    Category,
    Importance,
    Item,
    KnowledgeArea,
    KnowledgeElement,
    KnowledgeUnit,
    PracticalTask,
)
from examsys.modules.banks.models.tasks import task_elements


def check_weights(rows: list[ParsedElement], category: Category) -> list[Problem]:
    """Area weights of one category must total 100."""
    weights: dict[str, float] = {}
    for row in rows:
        if row.area_weight is not None:
            weights.setdefault(row.area_code, row.area_weight)
    total = sum(weights.values())
    if rows and abs(total - 100) > 0.01:
        return [
            Problem(
                _("%(cat)s各区域比重合计应为 100%%，实为 %(total)s%%", cat=category.title, total=f"{total:g}"),
                sheet="鉴定要素",
            )
        ]
    return []


def _used_element_ids(job_id: int, level: int) -> set[int]:
    used = set(db.session.scalars(sa.select(Item.element_id).where(Item.job_id == job_id, Item.level == level)))
    used |= set(
        db.session.scalars(
            sa.select(task_elements.c.element_id)
            .join(PracticalTask, PracticalTask.id == task_elements.c.task_id)
            .where(PracticalTask.job_id == job_id, PracticalTask.level == level)
        )
    )
    return used - {None}


def removals_in_use(rows: list[ParsedElement], job_id: int, level: int, category: Category) -> list[Problem]:
    """Elements the file leaves out but items or tasks still use: those cannot go."""
    keep = {row.code for row in rows}
    used = _used_element_ids(job_id, level)
    return [
        Problem(
            _("要素 %(code)s「%(name)s」已被试题或实操任务使用，文件中不能缺少它", code=code, name=element.name),
            sheet="鉴定要素",
        )
        for code, element in util.elements_by_code(job_id, level, category).items()
        if code not in keep and element.id in used
    ]


def write_structure(rows: list[ParsedElement], job_id: int, level: int, category: Category) -> int:
    """Upsert areas, units and elements by code; drop the ones the file no longer has."""
    existing = {area.code: area for area in util.areas(job_id, level, category)}
    seen_areas: set[str] = set()
    for position, row in enumerate(rows):
        area = existing.get(row.area_code)
        if area is None:
            area = KnowledgeArea(job_id=job_id, level=level, category=category, code=row.area_code, units=[])
            db.session.add(area)
            existing[row.area_code] = area
        if row.area_code not in seen_areas:
            area.name, area.position = row.area_name, len(seen_areas)
            seen_areas.add(row.area_code)
        if row.area_weight is not None:
            area.weight = Decimal(str(row.area_weight))
        unit = _unit(area, row)
        element = next((e for e in unit.elements if e.code == row.code), None)
        if element is None:
            element = KnowledgeElement(code=row.code)
            unit.elements.append(element)
        element.name, element.importance, element.position = row.name, Importance(row.importance), position
    _drop_absent(existing, rows)
    db.session.flush()
    return len(rows)


def _unit(area: KnowledgeArea, row: ParsedElement) -> KnowledgeUnit:
    unit = next((u for u in area.units if u.code == row.unit_code), None)
    if unit is None:
        unit = KnowledgeUnit(code=row.unit_code, elements=[], position=len(area.units))
        area.units.append(unit)
    unit.name = row.unit_name
    return unit


def _drop_absent(existing: dict[str, KnowledgeArea], rows: list[ParsedElement]) -> None:
    codes = {row.code for row in rows}
    units = {(row.area_code, row.unit_code) for row in rows}
    for area_code, area in existing.items():
        if area_code not in {row.area_code for row in rows}:
            db.session.delete(area)
            continue
        for unit in list(area.units):
            if (area_code, unit.code) not in units:
                area.units.remove(unit)
                continue
            for element in list(unit.elements):
                if element.code not in codes:
                    unit.elements.remove(element)
