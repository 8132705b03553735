"""Assembling parallel forms from a blueprint, sealing them, and per-candidate orders.

Assembly is deterministic for a seed. Within each (area, type) cell it prefers items not
yet used by an earlier form of the same run, then items with the lowest exposure (papers
that used them before), and steers the running mean difficulty toward the target. Forms
whose overlap exceeds the blueprint's bound are refused with the cells that caused it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import string
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.modules.banks.blueprints import Cell, feasibility, plan_cells
from examsys.modules.banks.models import Blueprint, Item, Paper, PaperItem
from examsys.modules.banks.qtypes import REGISTRY, Scoring, get_type


@dataclass
class Form:
    label: str
    picks: list[tuple[Cell, Item]]

    @property
    def item_ids(self) -> set[int]:
        return {item.id for _cell, item in self.picks}


def _choose(cell: Cell, k: int, used: Counter, rng: random.Random, target: float, state: list[float]) -> list[Item]:
    """Pick ``k`` items of a cell: least used in this run first (a whole tier before any of
    the next), then least exposed, and within a tier the ones that keep the running mean
    difficulty nearest the target."""
    ranked = sorted(cell.pool, key=lambda i: (used[i.id], i.exposure, rng.random()))
    chosen: list[Item] = []
    for _tier, group in itertools.groupby(ranked, key=lambda i: used[i.id]):
        remaining = k - len(chosen)
        tier = list(group)
        if len(tier) > remaining:
            tier = _steer(tier[: max(2 * remaining, remaining + 4)], remaining, target, state)
        else:
            for item in tier:
                state[0], state[1] = state[0] + item.current.difficulty, state[1] + 1
        chosen.extend(tier)
        if len(chosen) == k:
            break
    return chosen


def _steer(candidates: list[Item], k: int, target: float, state: list[float]) -> list[Item]:
    """Greedily take ``k`` candidates keeping the running mean difficulty nearest ``target``."""
    pool, chosen = candidates[:], []
    while len(chosen) < k:
        total, count = state
        best = min(pool, key=lambda i: abs((total + i.current.difficulty) / (count + 1) - target))
        pool.remove(best)
        chosen.append(best)
        state[0], state[1] = total + best.current.difficulty, count + 1
    return chosen


def build_forms(blueprint: Blueprint, count: int, seed: int) -> list[Form]:
    """Plan ``count`` forms without writing anything (raises when the bank cannot do it)."""
    cells = plan_cells(blueprint)
    shortfall = feasibility(blueprint, cells)
    if shortfall:
        raise DomainError(_("题库不满足组卷方案"), shortfall)
    rng, used, forms = random.Random(seed), Counter(), []
    target = float(blueprint.difficulty_target)
    for index in range(count):
        state = [0.0, 0]
        picks = [(cell, item) for cell in cells for item in _choose(cell, cell.need, used, rng, target, state)]
        forms.append(Form(_form_label(index), picks))
        used.update(item.id for _cell, item in picks)
    _check_overlap(blueprint, forms, cells)
    return forms


def _form_label(index: int) -> str:
    letters = string.ascii_uppercase
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


def _check_overlap(blueprint: Blueprint, forms: list[Form], cells: list[Cell]) -> None:
    limit = int(blueprint.max_overlap * blueprint.item_count)
    problems = []
    for i, first in enumerate(forms):
        for second in forms[i + 1 :]:
            shared = len(first.item_ids & second.item_ids)
            if shared > limit:
                problems.append(
                    Problem(
                        _(
                            "%(a)s 卷与 %(b)s 卷有 %(n)d 道相同试题，超过上限 %(limit)d 道",
                            a=first.label,
                            b=second.label,
                            n=shared,
                            limit=limit,
                        )
                    )
                )
    if problems:
        tight = [c for c in cells if len(c.pool) < c.need * len(forms)]
        problems += [
            Problem(
                _(
                    "%(area)s · %(type)s：%(n)d 套试卷共需 %(need)d 道，题库只有 %(have)d 道",
                    area=c.area.name,
                    type=REGISTRY[c.qtype].title,
                    n=len(forms),
                    need=c.need * len(forms),
                    have=len(c.pool),
                )
            )
            for c in tight
        ]
        raise DomainError(_("试卷之间重叠过多"), problems)


def content_hash(paper: Paper) -> str:
    """SHA-256 over everything a candidate would see and be scored on, in order."""
    payload = [
        [
            pi.position,
            pi.revision_id,
            pi.revision.stem,
            pi.revision.options,
            pi.revision.key,
            f"{Decimal(pi.points):.2f}",
        ]
        for pi in sorted(paper.items, key=lambda pi: pi.position)
    ]
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def seal_intact(paper: Paper) -> bool:
    return content_hash(paper) == paper.content_hash


def assemble(blueprint: Blueprint, count: int, seed: int) -> list[Paper]:
    """Assemble, seal and store ``count`` forms; item exposure counts go up."""
    if not 1 <= count <= 52:
        raise DomainError(_("一次可组 1–52 套试卷"), [Problem(_("套数应为 1–52"), field="count")])
    forms = build_forms(blueprint, count, seed)
    points = {part.qtype: part.points for part in blueprint.parts}
    batch = f"{utcnow():%Y%m%d%H%M%S}-{seed}"
    papers = []
    for form in forms:
        paper = Paper(
            blueprint=blueprint,
            batch_label=batch,
            form=form.label,
            seed=seed,
            sealed_at=utcnow(),
            sealed_by_id=audit.current_actor()[0],
            content_hash="",
        )
        order = sorted(form.picks, key=lambda pick: [p.qtype for p in blueprint.parts].index(pick[0].qtype))
        for position, (cell, item) in enumerate(order, start=1):
            paper.items.append(
                PaperItem(
                    position=position,
                    revision=item.current,
                    qtype=item.qtype,
                    points=points[item.qtype],
                    area_id=cell.area.id,
                )
            )
        db.session.add(paper)
        db.session.flush()
        paper.content_hash = content_hash(paper)
        audit.record(
            "paper.seal",
            paper,
            after={
                "blueprint": blueprint.id,
                "form": paper.form,
                "items": len(paper.items),
                "hash": paper.content_hash,
            },
        )
        papers.append(paper)
    _count_exposure(Counter(item.id for form in forms for _cell, item in form.picks))
    return papers


def _count_exposure(uses: Counter) -> None:
    """Add each item's uses in this run to its exposure, one UPDATE per distinct count."""
    by_count: dict[int, list[int]] = {}
    for item_id, times in uses.items():
        by_count.setdefault(times, []).append(item_id)
    for times, ids in by_count.items():
        db.session.execute(
            sa.update(Item).where(Item.id.in_(ids)).values(exposure=Item.exposure + times),
            execution_options={"synchronize_session": "evaluate"},
        )


@dataclass(frozen=True)
class DeliveredItem:
    paper_item_id: int
    option_order: list[str]  # original labels in the order shown to this candidate


def candidate_order(paper: Paper, candidate_ref: str) -> list[DeliveredItem]:
    """This candidate's item order (shuffled within each section) and option orders.

    Deterministic for (paper, candidate): recorded with the attempt, it maps every shown
    option back to its original label, so answers are always scored against the key.
    """
    rng = random.Random(hashlib.sha256(f"{paper.seed}:{paper.id}:{candidate_ref}".encode()).hexdigest())
    sections: dict[str, list[PaperItem]] = {}
    for paper_item in paper.items:
        sections.setdefault(paper_item.qtype, []).append(paper_item)
    delivered = []
    for section in sections.values():
        shuffled = section[:]
        rng.shuffle(shuffled)
        for paper_item in shuffled:
            labels = [o["label"] for o in paper_item.revision.options]
            if paper_item.qtype != "true_false":  # 正确 always comes before 错误
                rng.shuffle(labels)
            delivered.append(DeliveredItem(paper_item.id, labels))
    return delivered


def score_points(paper_item: PaperItem, chosen_labels: list[str], partial: bool = False) -> Decimal:
    return get_type(paper_item.qtype).score(
        paper_item.revision.key, chosen_labels, paper_item.points, Scoring(partial_credit=partial)
    )
