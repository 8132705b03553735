"""The standard's element list (鉴定要素细目表): areas -> units -> elements, per job and level."""

from __future__ import annotations

import enum
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, enum_type
from examsys.modules.catalog.models import Job


class Category(enum.StrEnum):
    THEORY = "theory"
    SKILL = "skill"

    @property
    def title(self) -> str:
        return str(_l("理论知识") if self is Category.THEORY else _l("技能要求"))


class Importance(enum.StrEnum):
    X = "X"  # core
    Y = "Y"  # general
    Z = "Z"  # minor

    @property
    def title(self) -> str:
        return str({"X": _l("核心"), "Y": _l("一般"), "Z": _l("辅助")}[self.value])


class KnowledgeArea(IdMixin, Base):
    __tablename__ = "knowledge_areas"

    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id"), index=True)
    level: Mapped[int] = mapped_column(sa.ForeignKey("levels.number"))
    category: Mapped[Category] = mapped_column(enum_type(Category, "category"))
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(100))
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    position: Mapped[int] = mapped_column(default=0)

    job: Mapped[Job] = relationship()
    units: Mapped[list[KnowledgeUnit]] = relationship(
        back_populates="area", cascade="all, delete-orphan", order_by="KnowledgeUnit.position"
    )

    __table_args__ = (
        sa.UniqueConstraint("job_id", "level", "category", "code"),
        sa.CheckConstraint("weight >= 0 AND weight <= 100", name="weight_range"),
    )

    @property
    def elements(self) -> list[KnowledgeElement]:
        return [element for unit in self.units for element in unit.elements]


class KnowledgeUnit(IdMixin, Base):
    __tablename__ = "knowledge_units"

    area_id: Mapped[int] = mapped_column(sa.ForeignKey("knowledge_areas.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(100))
    position: Mapped[int] = mapped_column(default=0)

    area: Mapped[KnowledgeArea] = relationship(back_populates="units")
    elements: Mapped[list[KnowledgeElement]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="KnowledgeElement.position"
    )

    __table_args__ = (sa.UniqueConstraint("area_id", "code"),)


class KnowledgeElement(IdMixin, Base):
    __tablename__ = "knowledge_elements"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("knowledge_units.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    importance: Mapped[Importance] = mapped_column(enum_type(Importance, "importance", length=1))
    position: Mapped[int] = mapped_column(default=0)

    unit: Mapped[KnowledgeUnit] = relationship(back_populates="elements")

    __table_args__ = (sa.UniqueConstraint("unit_id", "code"),)

    @property
    def area(self) -> KnowledgeArea:
        return self.unit.area
