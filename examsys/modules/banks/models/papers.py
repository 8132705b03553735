"""Blueprints (组卷方案) and the sealed papers (forms) assembled from them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin
from examsys.modules.banks.models.items import ItemRevision
from examsys.modules.catalog.models import Job


class Blueprint(IdMixin, TimestampMixin, Base):
    __tablename__ = "blueprints"

    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id"), index=True)
    level: Mapped[int] = mapped_column(sa.ForeignKey("levels.number"))
    name: Mapped[str] = mapped_column(sa.String(120))
    duration_minutes: Mapped[int] = mapped_column(default=90)
    pass_mark: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal(60))
    difficulty_target: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), default=Decimal(3))
    difficulty_tolerance: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), default=Decimal("0.5"))
    # The largest share of items two forms of this blueprint may have in common.
    max_overlap: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), default=Decimal("0.30"))

    job: Mapped[Job] = relationship()
    parts: Mapped[list[BlueprintPart]] = relationship(
        back_populates="blueprint", cascade="all, delete-orphan", order_by="BlueprintPart.position"
    )

    __table_args__ = (
        sa.UniqueConstraint("job_id", "level", "name"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("max_overlap >= 0 AND max_overlap <= 1", name="overlap_range"),
    )

    @property
    def total_points(self) -> Decimal:
        return sum((part.count * part.points for part in self.parts), Decimal(0))

    @property
    def item_count(self) -> int:
        return sum(part.count for part in self.parts)


class BlueprintPart(IdMixin, Base):
    """A section of the paper: ``count`` items of one type at ``points`` each."""

    __tablename__ = "blueprint_parts"

    blueprint_id: Mapped[int] = mapped_column(sa.ForeignKey("blueprints.id", ondelete="CASCADE"), index=True)
    qtype: Mapped[str] = mapped_column(sa.String(20))
    count: Mapped[int]
    points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    position: Mapped[int] = mapped_column(default=0)

    blueprint: Mapped[Blueprint] = relationship(back_populates="parts")

    __table_args__ = (
        sa.UniqueConstraint("blueprint_id", "qtype"),
        sa.CheckConstraint("count > 0 AND points > 0", name="positive"),
    )


class Paper(IdMixin, Base):
    """One assembled form. Sealed at creation: its content hash is stored and checked."""

    __tablename__ = "papers"

    blueprint_id: Mapped[int] = mapped_column(sa.ForeignKey("blueprints.id"), index=True)
    batch_label: Mapped[str] = mapped_column(sa.String(40))  # one assembly run, e.g. "20261122-1"
    form: Mapped[str] = mapped_column(sa.String(4))  # A, B, C ...
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    sealed_at: Mapped[datetime]
    sealed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Candidates may see the paper from this moment (set when a session uses it).
    opens_at: Mapped[datetime | None]

    blueprint: Mapped[Blueprint] = relationship()
    items: Mapped[list[PaperItem]] = relationship(
        back_populates="paper", cascade="all, delete-orphan", order_by="PaperItem.position"
    )

    __table_args__ = (sa.UniqueConstraint("blueprint_id", "batch_label", "form"),)


class PaperItem(IdMixin, Base):
    __tablename__ = "paper_items"

    paper_id: Mapped[int] = mapped_column(sa.ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("item_revisions.id"), index=True)
    qtype: Mapped[str] = mapped_column(sa.String(20))
    points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("knowledge_areas.id"))

    paper: Mapped[Paper] = relationship(back_populates="items")
    revision: Mapped[ItemRevision] = relationship()

    __table_args__ = (sa.UniqueConstraint("paper_id", "position"), sa.UniqueConstraint("paper_id", "revision_id"))
