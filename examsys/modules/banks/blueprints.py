"""Blueprints (组卷方案): saving them, spreading items over areas, and the feasibility check."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.modules.banks import util
from examsys.modules.banks.models import Blueprint, BlueprintPart, Category, Item, ItemStatus, KnowledgeArea
from examsys.modules.banks.qtypes import REGISTRY
from examsys.modules.catalog.models import Job

BLUEPRINT_FIELDS = ("name", "duration_minutes", "pass_mark", "difficulty_target", "difficulty_tolerance", "max_overlap")


@dataclass(frozen=True)
class PartSpec:
    qtype: str
    count: int
    points: Decimal


def save_blueprint(
    blueprint: Blueprint | None,
    *,
    job: Job,
    level: int,
    name: str,
    parts: list[PartSpec],
    duration_minutes: int = 90,
    pass_mark: Decimal = Decimal(60),
    difficulty_target: Decimal = Decimal(3),
    difficulty_tolerance: Decimal = Decimal("0.5"),
    max_overlap: Decimal = Decimal("0.30"),
) -> Blueprint:
    """Create or update a blueprint; its parts must add up to 100 points."""
    problems = []
    if not name.strip():
        problems.append(Problem(_("方案名称不能为空"), field="name"))
    if not parts:
        problems.append(Problem(_("至少需要一种题型"), field="parts"))
    for part in parts:
        if part.qtype not in REGISTRY:
            problems.append(Problem(_("不支持的题型 %(t)s", t=part.qtype), field="parts"))
        if part.count <= 0 or part.points <= 0:
            problems.append(Problem(_("题量和每题分值必须大于 0"), field="parts"))
    total = sum((p.count * p.points for p in parts), Decimal(0))
    if parts and total != 100:
        problems.append(Problem(_("各题型分值合计应为 100 分，现为 %(t)s 分", t=f"{total:g}"), field="parts"))
    if not 0 < pass_mark <= 100:
        problems.append(Problem(_("及格分应在 0–100 之间"), field="pass_mark"))
    if not 1 <= difficulty_target <= 5:
        problems.append(Problem(_("目标难度应在 1–5 之间"), field="difficulty_target"))
    if not 0 <= max_overlap <= 1:
        problems.append(Problem(_("重叠率上限应在 0–1 之间"), field="max_overlap"))
    if problems:
        raise DomainError(_("组卷方案有误"), problems)
    before = _state(blueprint) if blueprint else None
    if blueprint is None:
        blueprint = Blueprint(job_id=job.id, level=level)
        db.session.add(blueprint)
    blueprint.name, blueprint.duration_minutes, blueprint.pass_mark = name.strip(), duration_minutes, pass_mark
    blueprint.difficulty_target, blueprint.difficulty_tolerance = difficulty_target, difficulty_tolerance
    blueprint.max_overlap = max_overlap
    blueprint.parts.clear()
    db.session.flush()
    blueprint.parts.extend(
        BlueprintPart(qtype=p.qtype, count=p.count, points=p.points, position=i) for i, p in enumerate(parts)
    )
    db.session.flush()
    audit.record("blueprint.save", blueprint, before=before, after=_state(blueprint))
    return blueprint


def _state(blueprint: Blueprint) -> dict:
    state = audit.snapshot(blueprint, BLUEPRINT_FIELDS)
    state["parts"] = [(p.qtype, p.count, str(p.points)) for p in blueprint.parts]
    return state


def spread(count: int, areas: list[KnowledgeArea]) -> dict[int, int]:
    """``count`` items over areas in proportion to their weights (largest remainder).

    Each area gets its exact share rounded down or up, so it is always within one item.
    """
    total = sum(a.weight for a in areas)
    if not areas or total <= 0:
        return {}
    exact = {a.id: Decimal(count) * a.weight / total for a in areas}
    result = {area_id: int(share) for area_id, share in exact.items()}
    left = count - sum(result.values())
    by_remainder = sorted(exact, key=lambda area_id: (-(exact[area_id] - result[area_id]), area_id))
    for area_id in by_remainder[:left]:
        result[area_id] += 1
    return result


@dataclass
class Cell:
    area: KnowledgeArea
    qtype: str
    need: int
    pool: list[Item]

    @property
    def missing(self) -> int:
        return max(0, self.need - len(self.pool))


def plan_cells(blueprint: Blueprint) -> list[Cell]:
    """The (area, type) cells of a paper with how many items each needs and its active pool."""
    areas = util.areas(blueprint.job_id, blueprint.level, Category.THEORY)
    pools: dict[tuple[int, str], list[Item]] = defaultdict(list)
    for item in util.bank_items(blueprint.job_id, blueprint.level, ItemStatus.ACTIVE):
        if item.element is not None:
            pools[(item.element.unit.area_id, item.qtype)].append(item)
    cells = []
    for part in blueprint.parts:
        shares = spread(part.count, areas)
        for area in areas:
            need = shares.get(area.id, 0)
            if need:
                cells.append(Cell(area, part.qtype, need, pools[(area.id, part.qtype)]))
    return cells


def feasibility(blueprint: Blueprint, cells: list[Cell] | None = None) -> list[Problem]:
    """Exactly where the bank falls short for this blueprint (empty when it can be assembled)."""
    cells = plan_cells(blueprint) if cells is None else cells
    if not cells:
        return [Problem(_("该职业等级还没有理论知识鉴定要素，无法按比重分配题量"))]
    problems = [
        Problem(
            _(
                "%(area)s · %(type)s：需要 %(need)d 道，题库只有 %(have)d 道启用试题，缺 %(missing)d 道",
                area=c.area.name,
                type=REGISTRY[c.qtype].title,
                need=c.need,
                have=len(c.pool),
                missing=c.missing,
            )
        )
        for c in cells
        if c.missing
    ]
    if not problems:
        problems += _difficulty_problems(blueprint, cells)
    return problems


def _difficulty_problems(blueprint: Blueprint, cells: list[Cell]) -> list[Problem]:
    """Can some choice of items reach the target mean difficulty within the tolerance?"""
    easiest = hardest = 0
    total = 0
    for cell in cells:
        levels = sorted(item.current.difficulty for item in cell.pool)
        easiest += sum(levels[: cell.need])
        hardest += sum(levels[-cell.need :])
        total += cell.need
    low, high = Decimal(easiest) / total, Decimal(hardest) / total
    target, tolerance = blueprint.difficulty_target, blueprint.difficulty_tolerance
    if high < target - tolerance or low > target + tolerance:
        return [
            Problem(
                _(
                    "难度：题库可达到的平均难度为 %(low).2f–%(high).2f，目标 %(t).2f±%(tol).2f 无法满足",
                    low=low,
                    high=high,
                    t=target,
                    tol=tolerance,
                )
            )
        ]
    return []
