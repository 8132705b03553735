"""Practical tasks (技能操作考核) with task cards and marking schemes."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin, enum_type
from examsys.modules.banks.models.items import ItemStatus
from examsys.modules.banks.models.knowledge import KnowledgeElement
from examsys.modules.catalog.models import Job

task_elements = sa.Table(
    "task_elements",
    Base.metadata,
    sa.Column("task_id", sa.ForeignKey("practical_tasks.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("element_id", sa.ForeignKey("knowledge_elements.id", ondelete="CASCADE"), primary_key=True),
)


class PracticalTask(IdMixin, TimestampMixin, Base):
    __tablename__ = "practical_tasks"

    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id"), index=True)
    level: Mapped[int] = mapped_column(sa.ForeignKey("levels.number"))
    code: Mapped[str] = mapped_column(sa.String(30))
    title: Mapped[str] = mapped_column(sa.String(200))
    instructions: Mapped[str] = mapped_column(sa.Text)
    duration_minutes: Mapped[int]
    points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    materials: Mapped[str] = mapped_column(sa.Text, default="")
    station_type: Mapped[str] = mapped_column(sa.String(60), default="")
    safety: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ItemStatus] = mapped_column(enum_type(ItemStatus, "item_status"), default=ItemStatus.ACTIVE)

    job: Mapped[Job] = relationship()
    elements: Mapped[list[KnowledgeElement]] = relationship(secondary=task_elements)
    marking: Mapped[list[MarkingItem]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="MarkingItem.number"
    )

    __table_args__ = (
        sa.UniqueConstraint("job_id", "level", "code"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )


class MarkingItem(IdMixin, Base):
    """One line of a marking scheme; a veto item (否决项) zeroes the whole task when broken."""

    __tablename__ = "marking_items"

    task_id: Mapped[int] = mapped_column(sa.ForeignKey("practical_tasks.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    criteria: Mapped[str] = mapped_column(sa.Text)
    deductions: Mapped[str] = mapped_column(sa.Text, default="")
    veto: Mapped[bool] = mapped_column(default=False)

    task: Mapped[PracticalTask] = relationship(back_populates="marking")

    __table_args__ = (
        sa.UniqueConstraint("task_id", "number"),
        sa.CheckConstraint("NOT veto OR points = 0", name="veto_has_no_points"),
    )
