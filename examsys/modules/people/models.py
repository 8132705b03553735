"""People: students, staff and members of the public, with their identity documents."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin, enum_type
from examsys.core.ids import DocumentType
from examsys.modules.catalog.models import College, Major, StudyLevel


class PersonKind(enum.StrEnum):
    STUDENT = "student"
    STAFF = "staff"
    PUBLIC = "public"

    @property
    def title(self) -> str:
        return str(PERSON_KIND_TITLES[self])


PERSON_KIND_TITLES = {
    PersonKind.STUDENT: _l("学生"),
    PersonKind.STAFF: _l("教职工"),
    PersonKind.PUBLIC: _l("社会人员"),
}


class Gender(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"

    @property
    def title(self) -> str:
        return str(_l("男") if self is Gender.MALE else _l("女"))

    @classmethod
    def from_label(cls, label: str) -> Gender:
        label = label.strip()
        if label in {"M", "男", "male", "Male"}:
            return cls.MALE
        if label in {"F", "女", "female", "Female"}:
            return cls.FEMALE
        raise ValueError(label)


class Person(IdMixin, TimestampMixin, Base):
    __tablename__ = "people"

    kind: Mapped[PersonKind] = mapped_column(enum_type(PersonKind, "person_kind"))
    name: Mapped[str] = mapped_column(sa.String(60), index=True)
    gender: Mapped[Gender] = mapped_column(enum_type(Gender, "gender", length=1))
    birth_date: Mapped[date | None]
    ethnicity: Mapped[str] = mapped_column(sa.String(20), default="")
    political_status: Mapped[str] = mapped_column(sa.String(20), default="")
    education: Mapped[str] = mapped_column(sa.String(20), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    email: Mapped[str] = mapped_column(sa.String(120), default="")
    # Students and staff belong to a college; the public do not.
    college_id: Mapped[int | None] = mapped_column(sa.ForeignKey("colleges.id"), index=True)
    major_id: Mapped[int | None] = mapped_column(sa.ForeignKey("majors.id"), index=True)
    student_no: Mapped[str | None] = mapped_column(sa.String(30), unique=True)
    grade: Mapped[str] = mapped_column(sa.String(10), default="")
    class_name: Mapped[str] = mapped_column(sa.String(60), default="")
    study_level: Mapped[StudyLevel | None] = mapped_column(enum_type(StudyLevel, "study_level"))
    expected_graduation: Mapped[date | None]
    staff_no: Mapped[str | None] = mapped_column(sa.String(30), unique=True)
    department: Mapped[str] = mapped_column(sa.String(100), default="")
    photo_path: Mapped[str | None] = mapped_column(sa.String(255))
    # Normalised copies of the accepted photo: {"record": path, "ticket": path, "certificate": path}
    photo_variants: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    # Why the last uploaded photo was refused (empty when accepted or none uploaded)
    photo_rejection: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    college: Mapped[College | None] = relationship()
    major: Mapped[Major | None] = relationship()
    certificates: Mapped[list[HeldCertificate]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="HeldCertificate.issue_date"
    )
    documents: Mapped[list[IdentityDocument]] = relationship(
        back_populates="person",
        cascade="all, delete-orphan",
        order_by="IdentityDocument.is_primary.desc()",
    )

    __table_args__ = (
        sa.CheckConstraint("kind = 'student' OR student_no IS NULL", name="student_no_for_students"),
        sa.Index("ix_people_college_grade_class", "college_id", "grade", "class_name"),
    )

    @property
    def primary_document(self) -> IdentityDocument | None:
        for document in self.documents:
            if document.is_primary:
                return document
        return self.documents[0] if self.documents else None


class IdentityDocument(IdMixin, TimestampMixin, Base):
    __tablename__ = "identity_documents"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[DocumentType] = mapped_column(enum_type(DocumentType, "document_type"))
    number: Mapped[str] = mapped_column(sa.String(30))
    is_primary: Mapped[bool] = mapped_column(default=True)
    valid_until: Mapped[date | None]

    person: Mapped[Person] = relationship(back_populates="documents")

    __table_args__ = (
        sa.UniqueConstraint("doc_type", "number"),
        sa.Index("ix_identity_documents_number", "number"),
        # The exam login finds the sitting by ID number as typed at the seat, upper-cased: without
        # this index it read every placement of the sitting (6,000 at a big one) for each login.
        sa.Index("ix_identity_documents_number_upper", sa.func.upper(sa.text("number"))),
    )


class CertificateKind(enum.StrEnum):
    SKILL = "skill"  # 职业资格 / 职业技能等级证书
    X = "1+x"  # 1+X 职业技能等级证书

    @property
    def title(self) -> str:
        return str(_l("职业技能等级证书") if self is CertificateKind.SKILL else _l("1+X 证书"))


class HeldCertificate(IdMixin, TimestampMixin, Base):
    """A certificate a person already holds (used by eligibility rules and direct recognition)."""

    __tablename__ = "held_certificates"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_type(CertificateKind, "certificate_kind"))
    name: Mapped[str] = mapped_column(sa.String(120))  # occupation (skill) or certificate title (1+X)
    occupation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("occupations.id"))
    job_name: Mapped[str] = mapped_column(sa.String(100), default="")
    level: Mapped[int | None]  # 1..5 for skill certificates
    x_level: Mapped[str | None] = mapped_column(sa.String(2))  # 初 / 中 / 高 for 1+X
    number: Mapped[str] = mapped_column(sa.String(40))
    issue_date: Mapped[date]
    issuer: Mapped[str] = mapped_column(sa.String(120), default="")

    person: Mapped[Person] = relationship(back_populates="certificates")

    __table_args__ = (
        sa.UniqueConstraint("kind", "number"),
        sa.CheckConstraint("level IS NULL OR level BETWEEN 1 AND 5", name="level_range"),
        sa.CheckConstraint("x_level IS NULL OR x_level IN ('初', '中', '高')", name="x_level_values"),
    )
