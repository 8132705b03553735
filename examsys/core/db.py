"""Database plumbing: the declarative base, naming convention, UTC datetimes, SQLite pragmas."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry, scoped_session

from examsys.core.errors import NotFound

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware datetime stored as UTC on every backend.

    SQLite has no time zone type, so values are normalised to naive UTC on the way in and
    get ``tzinfo=UTC`` back on the way out; naive input is refused to catch local-time bugs.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


db = SQLAlchemy(model_class=Base)


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def configure_sqlite(engine: sa.Engine, busy_timeout_s: int) -> None:
    """WAL, busy timeout and foreign keys for every SQLite connection, and one writer at a time.

    pysqlite's own transaction handling is switched off so that we can issue
    ``BEGIN IMMEDIATE`` for read-modify-write work (see MEASURED.md). Within the process the
    writers also queue on a lock (see :class:`_WriteGate`).
    """
    if engine.dialect.name != "sqlite":
        return
    gate = _WriteGate(busy_timeout_s)
    engine.info_write_gate = gate  # type: ignore[attr-defined]

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "BEGIN")
        conn.exec_driver_sql(mode)

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, _record):
        _release_held()  # the transaction has ended (committed or rolled back): the next writer goes

    if not sa.event.contains(Session, "after_transaction_end", _on_transaction_end):
        sa.event.listen(Session, "after_transaction_end", _on_transaction_end)


def _on_transaction_end(_session, transaction) -> None:
    # A session bound to a caller's connection (the tests' rollback harness) never checks it in.
    if transaction.parent is None:
        _release_held()


_held = threading.local()  # the write gate this thread holds, if any


def _release_held() -> None:
    gate = getattr(_held, "gate", None)
    if gate is not None:
        _held.gate = None
        gate.lock.release()


class _WriteGate:
    """The process's writers queue here before ``BEGIN IMMEDIATE``.

    SQLite lets one writer in at a time; the others wait in its busy handler, which polls with
    sleeps of up to 100 ms, so under load the lock stands idle while writers sleep. Waiting on
    a lock instead hands the database to the next writer the moment the last one's connection
    returns to the pool. Other processes (the scheduler, the CLI) still meet SQLite's own busy
    timeout; a thread that never returned its connection would delay the others only by it.
    """

    def __init__(self, timeout_s: float):
        self.lock = threading.Lock()
        self.timeout_s = timeout_s

    def acquire(self) -> None:
        if getattr(_held, "gate", None) is None and self.lock.acquire(timeout=self.timeout_s):
            _held.gate = self


def lock_for_write(session) -> None:
    """Take the database write lock now on SQLite (no-op elsewhere).

    Call at the start of a read-modify-write transaction; row locks do the job on PostgreSQL.
    Elsewhere no session is created for it (see :func:`has_session`).
    """
    if db.engine.dialect.name != "sqlite":
        return
    session = session() if isinstance(session, scoped_session) else session
    if not session.in_transaction():
        gate = getattr(session.get_bind(), "info_write_gate", None)
        if gate is not None:
            gate.acquire()
        try:
            session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})
        except Exception:
            _release_held()
            raise


def write_after_read(session) -> None:
    """End this transaction's reads and take the write lock (SQLite; a no-op elsewhere).

    For requests that read first and write only if the reads allow: a deferred read cannot
    become a write once another connection has written ("database is locked" at once, whatever
    the busy timeout), and taking the lock before the reads would hold it for the whole
    request. Nothing may have been written yet; what was read may be a moment old, so the
    writes must be guarded (``UPDATE ... WHERE``) against what matters.
    """
    session = session() if isinstance(session, scoped_session) else session
    if session.get_bind().dialect.name != "sqlite":
        return
    session.rollback()
    lock_for_write(session)


def has_session() -> bool:
    """Whether this scope (request, job) has made its database session yet.

    The autosave on PostgreSQL is one statement on a pooled connection in autocommit; a session
    made, committed and closed around it for nothing cost more than the statement's own Python.
    """
    return db.session.registry.has()


def in_session_transaction() -> bool:
    """Whether a statement run now belongs to a transaction of the session: the session has
    begun one, or sessions are bound to one connection (the tests'). Asked without making a
    session (:func:`has_session`)."""
    scoped = db.session
    if scoped.registry.has():
        session = scoped()
        return session.in_transaction() or isinstance(session.bind, sa.Connection)
    return isinstance(scoped.session_factory.kw.get("bind"), sa.Connection)


def plain() -> sa.Connection:
    """The request's connection, for the hot paths' plain statements (autosave, state, login).

    ``db.session.execute`` runs every statement through the ORM (autoflush, ORM result
    loading, synchronising updates with loaded objects), which costs several times the
    statement itself. The connection is the session's own, so the statement belongs to the
    session's transaction, and pending changes are flushed first as autoflush would (nearly
    free when there are none, as on the hot paths). Callers expire loaded objects that a plain
    update changed.
    """
    db.session.flush()
    return db.session.connection()


def refresh_statistics(*tables: str) -> None:
    """Update PostgreSQL's planner statistics of ``tables`` now, after a bulk write that hot
    queries depend on.

    Autovacuum analyzes a table a minute or so after many rows changed; a sitting prepared just
    before its start would otherwise be planned blind (every login then read the whole sitting's
    placements instead of one candidate's). Runs in the caller's transaction and counts its
    rows. SQLite's planner needs no statistics to use the indexes, so nothing happens there.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    known = Base.metadata.tables
    unknown = [t for t in tables if t not in known]
    if unknown:
        raise ValueError(f"no such tables: {unknown}")
    plain().exec_driver_sql("ANALYZE " + ", ".join(tables))


def enum_type(enum_cls, name: str, length: int = 32) -> sa.Enum:
    """Store an enum by its value as a VARCHAR with a named CHECK constraint."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def get_or_404(model, ident, message):
    """``model`` row ``ident``, or :class:`~examsys.core.errors.NotFound` with ``message``."""
    row = db.session.get(model, ident)
    if row is None:
        raise NotFound(message)
    return row
