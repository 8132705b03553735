"""Theory items. The text lives in revisions: papers and answers point at the revision shown."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin, enum_type
from examsys.modules.banks.models.knowledge import KnowledgeElement
from examsys.modules.catalog.models import Job


class ItemStatus(enum.StrEnum):
    DRAFT = "draft"
    REVIEWED = "reviewed"
    ACTIVE = "active"
    RETIRED = "retired"

    @property
    def title(self) -> str:
        return str(ITEM_STATUS_TITLES[self])


ITEM_STATUS_TITLES = {
    ItemStatus.DRAFT: _l("草稿"),
    ItemStatus.REVIEWED: _l("已审核"),
    ItemStatus.ACTIVE: _l("启用"),
    ItemStatus.RETIRED: _l("停用"),
}


class Item(IdMixin, TimestampMixin, Base):
    __tablename__ = "items"

    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id"), index=True)
    level: Mapped[int] = mapped_column(sa.ForeignKey("levels.number"))
    qtype: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[ItemStatus] = mapped_column(enum_type(ItemStatus, "item_status"), default=ItemStatus.DRAFT)
    element_id: Mapped[int | None] = mapped_column(sa.ForeignKey("knowledge_elements.id"), index=True)
    current_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("item_revisions.id", use_alter=True, name="fk_items_current_revision_id_item_revisions")
    )
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    external_id: Mapped[str | None] = mapped_column(sa.String(120))
    # How many assembled papers used this item: exposure control prefers low numbers.
    exposure: Mapped[int] = mapped_column(default=0)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]

    job: Mapped[Job] = relationship()
    element: Mapped[KnowledgeElement | None] = relationship()
    revisions: Mapped[list[ItemRevision]] = relationship(
        back_populates="item", foreign_keys="ItemRevision.item_id", order_by="ItemRevision.number"
    )
    current: Mapped[ItemRevision | None] = relationship(foreign_keys=[current_revision_id], post_update=True)

    __table_args__ = (sa.Index("ix_items_bank", "job_id", "level", "status", "qtype"),)


class ItemRevision(IdMixin, Base):
    """One immutable version of an item's text, options, key and difficulty."""

    __tablename__ = "item_revisions"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    stem: Mapped[str] = mapped_column(sa.Text)
    options: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)  # [{"label": "A", "text": "..."}]
    key: Mapped[list[str]] = mapped_column(sa.JSON)  # correct labels, e.g. ["A", "C"]
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    difficulty: Mapped[int] = mapped_column(default=3)
    fingerprint: Mapped[str] = mapped_column(sa.Text, default="")  # normalised stem for duplicates
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    item: Mapped[Item] = relationship(back_populates="revisions", foreign_keys=[item_id])

    __table_args__ = (
        sa.UniqueConstraint("item_id", "number"),
        sa.CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty_range"),
    )
