"""The catalogue: certification body, colleges, majors, occupations, jobs and levels."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin, enum_type


class LevelNumber(enum.IntEnum):
    """The five national skill levels; 5 is the lowest."""

    FIVE = 5
    FOUR = 4
    THREE = 3
    TWO = 2
    ONE = 1


# (number, 级 name, 工 title, English) — printed on certificates as "四级/中级工".
LEVEL_NAMES: dict[int, tuple[str, str, str]] = {
    5: ("五级", "初级工", "Level 5 / Elementary"),
    4: ("四级", "中级工", "Level 4 / Intermediate"),
    3: ("三级", "高级工", "Level 3 / Advanced"),
    2: ("二级", "技师", "Level 2 / Technician"),
    1: ("一级", "高级技师", "Level 1 / Senior Technician"),
}


class StudyLevel(enum.StrEnum):
    UNDERGRADUATE = "undergraduate"
    HIGHER_VOCATIONAL = "higher_vocational"
    SECONDARY = "secondary"

    @property
    def title(self) -> str:
        return str(STUDY_LEVEL_TITLES[self])

    @classmethod
    def from_label(cls, label: str) -> StudyLevel:
        label = label.strip()
        for member, title in STUDY_LEVEL_TITLES.items():
            if label in {member.value, str(title)} or label in STUDY_LEVEL_ALIASES.get(member, ()):
                return member
        raise ValueError(label)


STUDY_LEVEL_TITLES = {
    StudyLevel.UNDERGRADUATE: _l("本科"),
    StudyLevel.HIGHER_VOCATIONAL: _l("专科(高职)"),
    StudyLevel.SECONDARY: _l("中职"),
}
STUDY_LEVEL_ALIASES = {
    StudyLevel.UNDERGRADUATE: ("本科",),
    StudyLevel.HIGHER_VOCATIONAL: ("专科(高职)", "专科（高职）", "专科", "高职"),
    StudyLevel.SECONDARY: ("中职", "中专"),
}


class Level(Base):
    __tablename__ = "levels"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(sa.String(10), unique=True)
    title: Mapped[str] = mapped_column(sa.String(10))
    english: Mapped[str] = mapped_column(sa.String(40))

    __table_args__ = (sa.CheckConstraint("number BETWEEN 1 AND 5", name="number_range"),)

    @property
    def label(self) -> str:
        return f"{self.name}/{self.title}"


class CertificationBody(Base):
    """The school's certification centre itself (one row)."""

    __tablename__ = "certification_body"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    centre_name: Mapped[str] = mapped_column(sa.String(120), default="")
    institution_code: Mapped[str] = mapped_column(sa.String(40))
    province_code: Mapped[str] = mapped_column(sa.String(2))
    cert_letter: Mapped[str] = mapped_column(sa.String(1))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")

    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint("cert_letter IN ('Y', 'S')", name="cert_letter"),
    )


class College(IdMixin, TimestampMixin, Base):
    __tablename__ = "colleges"

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    majors: Mapped[list[Major]] = relationship(back_populates="college", order_by="Major.name")


job_majors = sa.Table(
    "job_majors",
    Base.metadata,
    sa.Column("job_id", sa.ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("major_id", sa.ForeignKey("majors.id", ondelete="CASCADE"), primary_key=True),
)


class Major(IdMixin, TimestampMixin, Base):
    __tablename__ = "majors"

    college_id: Mapped[int] = mapped_column(sa.ForeignKey("colleges.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20), default="")
    name: Mapped[str] = mapped_column(sa.String(100))
    study_level: Mapped[StudyLevel] = mapped_column(enum_type(StudyLevel, "study_level"))
    active: Mapped[bool] = mapped_column(default=True)

    college: Mapped[College] = relationship(back_populates="majors")
    jobs: Mapped[list[Job]] = relationship(secondary=job_majors, back_populates="majors")

    __table_args__ = (sa.UniqueConstraint("college_id", "name", "study_level"),)


class Occupation(IdMixin, TimestampMixin, Base):
    """An occupation of the national classification (国家职业分类大典)."""

    __tablename__ = "occupations"

    code: Mapped[str] = mapped_column(sa.String(20), default="", index=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    standard: Mapped[str] = mapped_column(sa.String(100), default="国标")
    owner_college_id: Mapped[int | None] = mapped_column(sa.ForeignKey("colleges.id"))
    sources: Mapped[str] = mapped_column(sa.String(60), default="")
    active: Mapped[bool] = mapped_column(default=True)

    owner_college: Mapped[College | None] = relationship()
    jobs: Mapped[list[Job]] = relationship(
        back_populates="occupation", order_by="Job.name", cascade="all, delete-orphan"
    )


class Job(IdMixin, Base):
    """A job or track (工种/职业方向) of an occupation; ``name == ""`` is the occupation itself.

    Everything certifiable hangs off a job: banks, batches and certificates name
    (job, level), so occupations without tracks still have exactly one job row.
    """

    __tablename__ = "jobs"

    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    active: Mapped[bool] = mapped_column(default=True)

    occupation: Mapped[Occupation] = relationship(back_populates="jobs")
    levels: Mapped[list[CertifiableLevel]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="CertifiableLevel.level.desc()"
    )
    majors: Mapped[list[Major]] = relationship(secondary=job_majors, back_populates="jobs")

    __table_args__ = (sa.UniqueConstraint("occupation_id", "name"),)

    @property
    def label(self) -> str:
        if self.name:
            return f"{self.occupation.name}（{self.name}）"
        return self.occupation.name

    @property
    def level_numbers(self) -> list[int]:
        return sorted((lv.level for lv in self.levels), reverse=True)


class CertifiableLevel(Base):
    """A level the centre may certify for a job."""

    __tablename__ = "certifiable_levels"

    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int] = mapped_column(sa.ForeignKey("levels.number"), primary_key=True)

    job: Mapped[Job] = relationship(back_populates="levels")
    level_row: Mapped[Level] = relationship()
