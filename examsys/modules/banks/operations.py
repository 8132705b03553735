"""Item writes outside imports: manual entry, edits (revisions) and the status workflow."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.modules.banks.models import Item, ItemRevision, ItemStatus, KnowledgeElement, PaperItem
from examsys.modules.banks.qtypes import get_type
from examsys.modules.banks.text import DuplicateIndex, fingerprint, sanitize

TRANSITIONS = {
    ItemStatus.DRAFT: {ItemStatus.REVIEWED, ItemStatus.RETIRED},
    ItemStatus.REVIEWED: {ItemStatus.ACTIVE, ItemStatus.DRAFT, ItemStatus.RETIRED},
    ItemStatus.ACTIVE: {ItemStatus.RETIRED},
    ItemStatus.RETIRED: {ItemStatus.ACTIVE},
}


@dataclass
class ItemContent:
    stem: str
    options: list[dict]  # [{"label": "A", "text": "..."}]
    key: list[str]
    explanation: str = ""
    difficulty: int = 3
    element: KnowledgeElement | None = None


def _clean(qtype: str, content: ItemContent) -> ItemContent:
    problems = [
        Problem(m, field="key") for m in get_type(qtype).check([o["label"] for o in content.options], content.key)
    ]
    stem = sanitize(content.stem)
    if not stem:
        problems.append(Problem(_("题干不能为空"), field="stem"))
    if not 1 <= content.difficulty <= 5:
        problems.append(Problem(_("难度应为 1–5"), field="difficulty"))
    if problems:
        raise DomainError(_("试题有误"), problems)
    options = [{"label": o["label"], "text": sanitize(o["text"])} for o in content.options]
    return ItemContent(
        stem, options, sorted(content.key), sanitize(content.explanation), content.difficulty, content.element
    )


def near_duplicates(job_id: int, level: int, stem: str, exclude: int | None = None) -> list[tuple[int, float]]:
    """Items of the bank whose stem is nearly the same as ``stem``."""
    index = DuplicateIndex()
    rows = db.session.execute(
        sa.select(Item.id, ItemRevision.fingerprint)
        .join(ItemRevision, Item.current_revision_id == ItemRevision.id)
        .where(Item.job_id == job_id, Item.level == level, Item.status != ItemStatus.RETIRED)
    )
    for item_id, print_ in rows:
        if item_id != exclude:
            index.add(item_id, print_)
    match = index.find(fingerprint(sanitize(stem)))
    return [match] if match else []


def new_revision(item: Item, content: ItemContent, number: int) -> ItemRevision:
    """A revision of ``item`` holding already-cleaned ``content``."""
    return ItemRevision(
        item=item,
        number=number,
        stem=content.stem,
        options=content.options,
        key=content.key,
        explanation=content.explanation,
        difficulty=content.difficulty,
        fingerprint=fingerprint(content.stem),
        created_at=utcnow(),
        created_by_id=audit.current_actor()[0],
    )


def create_item(job_id: int, level: int, qtype: str, content: ItemContent, source: str = "") -> Item:
    content = _clean(qtype, content)
    item = Item(
        job_id=job_id, level=level, qtype=qtype, status=ItemStatus.DRAFT, element=content.element, source=source
    )
    db.session.add(item)
    item.current = new_revision(item, content, 1)
    db.session.flush()
    audit.record("item.create", item, after={"qtype": qtype, "stem": content.stem, "key": content.key})
    return item


def _in_use(revision: ItemRevision) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).where(PaperItem.revision_id == revision.id)) > 0


def update_item(item: Item, content: ItemContent) -> ItemRevision:
    """Edit an item. An active item, or a revision a paper uses, gets a new revision instead."""
    content = _clean(item.qtype, content)
    current = item.current
    before = {"revision": current.number, "stem": current.stem, "key": current.key}
    if item.status is ItemStatus.ACTIVE or _in_use(current):
        item.current = new_revision(item, content, len(item.revisions) + 1)
    else:
        current.stem, current.options, current.key = content.stem, content.options, content.key
        current.explanation, current.difficulty = content.explanation, content.difficulty
        current.fingerprint = fingerprint(content.stem)
    item.element = content.element
    db.session.flush()
    audit.record(
        "item.update",
        item,
        before=before,
        after={"revision": item.current.number, "stem": content.stem, "key": content.key},
    )
    return item.current


def set_status(item: Item, status: ItemStatus) -> None:
    """Move an item through draft -> reviewed -> active -> retired, recording the reviewer."""
    if status not in TRANSITIONS[item.status]:
        raise DomainError(_("试题不能从「%(a)s」改为「%(b)s」", a=item.status.title, b=status.title))
    before = item.status
    if status is ItemStatus.REVIEWED:
        item.reviewed_by_id, item.reviewed_at = audit.current_actor()[0], utcnow()
    item.status = status
    audit.record("item.status", item, before={"status": before.value}, after={"status": status.value})
