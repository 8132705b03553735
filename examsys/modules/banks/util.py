"""Read queries for banks (no writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from examsys.core.db import db, get_or_404
from examsys.modules.banks.models import (
    Blueprint,
    Category,
    Item,
    ItemRevision,
    ItemStatus,
    KnowledgeArea,
    KnowledgeElement,
    KnowledgeUnit,
    Paper,
    PracticalTask,
)
from examsys.modules.catalog.models import Job


@dataclass(frozen=True)
class BankKey:
    """A bank is everything for one job at one level."""

    job: Job
    level: int

    @property
    def label(self) -> str:
        return f"{self.job.label} · {self.level}级"


def areas(job_id: int, level: int, category: Category) -> list[KnowledgeArea]:
    stmt = (
        sa.select(KnowledgeArea)
        .where(KnowledgeArea.job_id == job_id, KnowledgeArea.level == level, KnowledgeArea.category == category)
        .options(selectinload(KnowledgeArea.units).selectinload(KnowledgeUnit.elements))
        .order_by(KnowledgeArea.position, KnowledgeArea.code)
    )
    return list(db.session.scalars(stmt))


def elements_by_code(job_id: int, level: int, category: Category) -> dict[str, KnowledgeElement]:
    return {element.code: element for area in areas(job_id, level, category) for element in area.elements}


def bank_items(job_id: int, level: int, status: ItemStatus | None = None) -> list[Item]:
    stmt = (
        sa.select(Item)
        .where(Item.job_id == job_id, Item.level == level)
        .options(selectinload(Item.current), selectinload(Item.element).selectinload(KnowledgeElement.unit))
        .order_by(Item.id)
    )
    if status is not None:
        stmt = stmt.where(Item.status == status)
    return list(db.session.scalars(stmt))


def bank_summary() -> list[dict]:
    """Every bank with its item counts by status, for the bank list page."""
    stmt = (
        sa.select(Item.job_id, Item.level, Item.status, sa.func.count())
        .group_by(Item.job_id, Item.level, Item.status)
        .order_by(Item.job_id, Item.level)
    )
    banks: dict[tuple[int, int], dict] = {}
    for job_id, level, status, count in db.session.execute(stmt):
        bank = banks.setdefault((job_id, level), {"job": db.session.get(Job, job_id), "level": level, "counts": {}})
        bank["counts"][status.value] = count
    task_stmt = sa.select(PracticalTask.job_id, PracticalTask.level, sa.func.count()).group_by(
        PracticalTask.job_id, PracticalTask.level
    )
    for job_id, level, count in db.session.execute(task_stmt):
        bank = banks.setdefault((job_id, level), {"job": db.session.get(Job, job_id), "level": level, "counts": {}})
        bank["tasks"] = count
    return list(banks.values())


def tasks(job_id: int, level: int) -> list[PracticalTask]:
    stmt = (
        sa.select(PracticalTask)
        .where(PracticalTask.job_id == job_id, PracticalTask.level == level)
        .options(selectinload(PracticalTask.marking), selectinload(PracticalTask.elements))
        .order_by(PracticalTask.code)
    )
    return list(db.session.scalars(stmt))


def get_item(item_id: int) -> Item:
    return get_or_404(Item, item_id, _l("试题不存在"))


def get_revision(revision_id: int) -> ItemRevision:
    return get_or_404(ItemRevision, revision_id, _l("试题版本不存在"))


def get_blueprint(blueprint_id: int) -> Blueprint:
    return get_or_404(Blueprint, blueprint_id, _l("组卷方案不存在"))


def blueprints(job_id: int | None = None, level: int | None = None) -> list[Blueprint]:
    stmt = sa.select(Blueprint).order_by(Blueprint.job_id, Blueprint.level, Blueprint.name)
    if job_id:
        stmt = stmt.where(Blueprint.job_id == job_id)
    if level:
        stmt = stmt.where(Blueprint.level == level)
    return list(db.session.scalars(stmt))


def get_paper(paper_id: int) -> Paper:
    return get_or_404(Paper, paper_id, _l("试卷不存在"))


def papers_of(blueprint: Blueprint) -> list[Paper]:
    stmt = sa.select(Paper).where(Paper.blueprint_id == blueprint.id).order_by(Paper.sealed_at.desc(), Paper.form)
    return list(db.session.scalars(stmt))


def open_to_candidates(paper: Paper, now: datetime) -> bool:
    """Whether candidate-facing routes may show this paper: only once its session has opened.

    A paper no session has claimed (``opens_at`` unset) is never open to candidates.
    """
    return paper.opens_at is not None and now >= paper.opens_at
