"""Append-only, hash-chained audit log.

Every state-changing operation calls :func:`record`. Each entry stores the hash of the one
before it, and a single head row holds the last sequence number and hash, so an edited,
deleted, reordered or truncated log is caught by :func:`verify_chain`. Writers serialise
on the head row (row lock on PostgreSQL, the write lock on SQLite), which keeps the chain
linear under concurrency.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user
from sqlalchemy.orm import Mapped, make_transient_to_detached, mapped_column

from examsys.core.db import Base, db, lock_for_write, plain, utcnow

GENESIS = "0" * 64

_actor_override: contextvars.ContextVar[tuple[int | None, str] | None] = contextvars.ContextVar(
    "audit_actor", default=None
)


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[str | None] = mapped_column(sa.String(60))
    before: Mapped[str | None] = mapped_column(sa.Text)
    after: Mapped[str | None] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_entries_object", "object_type", "object_id"),)

    def payload(self) -> dict[str, Any]:
        """The fields covered by the hash, in a canonical form."""
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        blob = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


class AuditHead(Base):
    """One row: the chain's last sequence number and hash."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS)

    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)


@sa.event.listens_for(AuditEntry, "before_update")
@sa.event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper, _conn, _target):
    raise RuntimeError("audit entries are append-only")


@contextlib.contextmanager
def acting_as(label: str, user_id: int | None = None) -> Iterator[None]:
    """Attribute audit entries in this block to ``label`` (CLI commands, scheduled jobs)."""
    token = _actor_override.set((user_id, label))
    try:
        yield
    finally:
        _actor_override.reset(token)


def current_actor() -> tuple[int | None, str]:
    override = _actor_override.get()
    if override is not None:
        return override
    if has_request_context():
        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.username
        return None, "anonymous"
    return None, "system"


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def _dump(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(_jsonable(value), sort_keys=True, ensure_ascii=False)


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of ``obj`` as a dict, for before/after records."""
    return {name: getattr(obj, name) for name in fields}


_HEAD = sa.select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == 1).with_for_update()
_FIRST_HEAD = sa.insert(AuditHead.__table__).values(id=1, last_seq=0, last_hash=GENESIS)
_MOVE_HEAD = (
    sa.update(AuditHead.__table__)
    .where(AuditHead.__table__.c.id == 1)
    .values(last_seq=sa.bindparam("new_seq"), last_hash=sa.bindparam("new_hash"))
)
_APPEND = sa.insert(AuditEntry.__table__)
_ENTRY_FIELDS = tuple(c.key for c in AuditEntry.__table__.c if c.key != "id")


def record(
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry for ``action`` on ``obj`` in the current transaction; returns it, stored.

    Plain statements on the session's connection: every login and hand-in of a sitting comes
    here, and the head row stays locked from here to commit (on PostgreSQL), so this is kept
    short. The ORM never holds the head, so it can never hold a stale copy of it either.
    """
    if obj is not None:
        db.session.flush()  # so a new object has its id
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    actor_id, actor_label = current_actor()
    lock_for_write(db.session)
    connection = plain()
    head = connection.execute(_HEAD).first()
    if head is None:
        connection.execute(_FIRST_HEAD)
        last_seq, last_hash = 0, GENESIS
    else:
        last_seq, last_hash = head
    entry = AuditEntry(
        seq=last_seq + 1,
        created_at=utcnow(),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type or "-",
        object_id=None if object_id is None else str(object_id),
        before=_dump(before),
        after=_dump(after),
        prev_hash=last_hash,
    )
    entry.hash = entry.compute_hash()
    inserted = connection.execute(_APPEND, {name: getattr(entry, name) for name in _ENTRY_FIELDS})
    connection.execute(_MOVE_HEAD, {"new_seq": entry.seq, "new_hash": entry.hash})
    entry.id = inserted.inserted_primary_key[0]
    make_transient_to_detached(entry)
    db.session.add(entry)  # persistent, as if the ORM had inserted it (its own edits are refused)
    return entry


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "edited", "missing", "reordered", "truncated", "head"
    detail: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.kind}: {self.detail}"


def verify_chain(batch: int = 5000) -> ChainProblem | None:
    """Walk the log in sequence order; return the first problem found, or None."""
    expected_seq, prev_hash = 1, GENESIS
    stmt = sa.select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    for entry in db.session.scalars(stmt):
        problem = _check_entry(entry, expected_seq, prev_hash)
        if problem:
            return problem
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    head = db.session.get(AuditHead, 1, populate_existing=True)
    last_seq = head.last_seq if head else 0
    if last_seq != expected_seq - 1 or (head and head.last_hash != prev_hash):
        return ChainProblem(
            expected_seq - 1,
            "truncated",
            f"the head records entry {last_seq} but the log ends at {expected_seq - 1}",
        )
    return None


def _check_entry(entry: AuditEntry, expected_seq: int, prev_hash: str) -> ChainProblem | None:
    if entry.seq != expected_seq:
        return ChainProblem(expected_seq, "missing", f"entry {expected_seq} is missing (next is {entry.seq})")
    if entry.prev_hash != prev_hash:
        return ChainProblem(entry.seq, "reordered", "does not follow the entry before it in the chain")
    if entry.compute_hash() != entry.hash:
        return ChainProblem(entry.seq, "edited", f"content does not match its hash ({entry.action})")
    return None
