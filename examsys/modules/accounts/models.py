"""User accounts, their roles, API tokens and failed-login records."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin, enum_type
from examsys.core.permissions import Role, has_permission
from examsys.modules.catalog.models import College
from examsys.modules.people.models import Person


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    college_id: Mapped[int | None] = mapped_column(sa.ForeignKey("colleges.id"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), unique=True)
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    # Bumped on logout-everywhere and password change: old session cookies stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]

    college: Mapped[College | None] = relationship()
    person: Mapped[Person | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def can(self, permission: str) -> bool:
        return self.active and has_permission(self.roles, permission)

    @property
    def scoped_college_id(self) -> int | None:
        """The only college a coordinator-only account may see; None means all."""
        if self.roles & {Role.ADMIN, Role.EXAM_OFFICE, Role.SUPERVISOR}:
            return None
        return self.college_id if Role.COORDINATOR in self.roles else None


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(IdMixin, Base):
    """A bearer token for integrations; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginFailure(IdMixin, Base):
    """One failed sign-in, kept for throttling across processes."""

    __tablename__ = "login_failures"

    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
