"""Tickets: one per candidate and plan, numbered once, reprinted with a new version."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, enum_type, utcnow
from examsys.modules.registration.models import Application
from examsys.modules.scheduling.models import ExamPlan

DEFAULT_NUMBER_FORMAT = "{year}{plan:03d}{room:02d}{seat:02d}"


class PageSize(enum.StrEnum):
    A4 = "A4"
    A5 = "A5"


class TicketLayout(Base):
    """The centre's ticket settings (one row): page size, number format, ID masking, seal, rules."""

    __tablename__ = "ticket_layout"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_size: Mapped[PageSize] = mapped_column(enum_type(PageSize, "ticket_page_size", length=4), default=PageSize.A5)
    number_format: Mapped[str] = mapped_column(sa.String(80), default=DEFAULT_NUMBER_FORMAT)
    mask_id_number: Mapped[bool] = mapped_column(default=True)
    # The centre's seal (PNG with transparency) under media/, stamped over the photo's corner.
    seal_path: Mapped[str | None] = mapped_column(sa.String(255))
    rules: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)


class TicketStatus(enum.StrEnum):
    ISSUED = "issued"
    WITHDRAWN = "withdrawn"  # the candidate left the plan; the number is never given to anyone else

    @property
    def title(self) -> str:
        return str({TicketStatus.ISSUED: _l("有效"), TicketStatus.WITHDRAWN: _l("已作废")}[self])


class Ticket(IdMixin, Base):
    """A candidate's admission ticket for one plan. ``version`` goes up at every reprint, and
    only the current version's QR code verifies: a printed copy from before a seat move is void."""

    __tablename__ = "tickets"

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_plans.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    status: Mapped[TicketStatus] = mapped_column(enum_type(TicketStatus, "ticket_status"), default=TicketStatus.ISSUED)
    version: Mapped[int] = mapped_column(default=1)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the current version prints (sessions, rooms, seats): a change means the paper copy is stale.
    fingerprint: Mapped[str] = mapped_column(sa.String(64), default="")

    plan: Mapped[ExamPlan] = relationship()
    application: Mapped[Application] = relationship()

    __table_args__ = (sa.CheckConstraint("version >= 1", name="version"),)


class TicketRelease(Base):
    """The plan's tickets are visible to candidates in the portal from this moment."""

    __tablename__ = "ticket_releases"

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_plans.id", ondelete="CASCADE"), primary_key=True)
    released_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
