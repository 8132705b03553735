"""Retention of recordings: kept at least RECORDING_RETENTION_DAYS (default 1830, five years), and
never purged while a batch whose sessions they show is under review or appeal.

Review and appeal have no state in the models yet (they belong to scoring, a later point of
issue #8). :func:`batch_under_review_or_appeal` is the hook: the module that adds the state
registers its check with :func:`register_review_hold`, and until then only age decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from examsys.core import audit
from examsys.core.db import db, utcnow
from examsys.core.media import resolve
from examsys.modules.proctoring.cameras.models import Camera, Gap, Segment
from examsys.modules.registration.models import Batch
from examsys.modules.scheduling.models import ExamSession, plan_batches
from examsys.modules.scheduling.models.plans import session_rooms

DEFAULT_RETENTION_DAYS = 1830
HOLD_MARGIN = timedelta(hours=1)  # around a held session: entry, check-in, hand-in

ReviewHold = Callable[[Batch], bool]
_review_holds: list[ReviewHold] = []


def register_review_hold(check: ReviewHold) -> ReviewHold:
    """Add a check "is this batch under review or appeal?"; usable as a decorator."""
    _review_holds.append(check)
    return check


def unregister_review_hold(check: ReviewHold) -> None:
    _review_holds.remove(check)


def batch_under_review_or_appeal(batch: Batch) -> bool:
    """The hook: True while any registered check says ``batch``'s results are under review or appeal."""
    return any(check(batch) for check in _review_holds)


def retention_days() -> int:
    return int(current_app.config.get("RECORDING_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def held_times(before: datetime) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per room: the times (with a margin) of sessions before ``before`` that belong to a held batch."""
    rows = db.session.execute(
        sa.select(ExamSession, session_rooms.c.room_id, Batch)
        .join(session_rooms, session_rooms.c.session_id == ExamSession.id)
        .join(plan_batches, plan_batches.c.plan_id == ExamSession.plan_id)
        .join(Batch, Batch.id == plan_batches.c.batch_id)
        .where(ExamSession.starts_at < before + HOLD_MARGIN)
    ).tuples()  # fmt: skip
    verdicts: dict[int, bool] = {}
    held: dict[int, list[tuple[datetime, datetime]]] = {}
    for session, room_id, batch in rows:
        if batch.id not in verdicts:
            verdicts[batch.id] = batch_under_review_or_appeal(batch)
        if verdicts[batch.id]:
            held.setdefault(room_id, []).append((session.starts_at - HOLD_MARGIN, session.ends_at + HOLD_MARGIN))
    return held


def _is_held(held: dict[int, list[tuple[datetime, datetime]]], room_id: int, start: datetime, end: datetime) -> bool:
    return any(s < end and start < e for s, e in held.get(room_id, ()))


@dataclass
class PurgeResult:
    cutoff: datetime
    segments: int = 0
    gaps: int = 0
    bytes: int = 0
    kept: int = 0  # expired but held for a review or appeal
    files: list[Path] = field(default_factory=list)  # to remove once the transaction is committed


def purge(now: datetime | None = None, days: int | None = None) -> PurgeResult:
    """Delete the rows of recordings older than the retention period, except held ones (flushes).

    The files go only after the commit (:func:`remove_files`), so a failed transaction never
    leaves rows pointing at deleted video.
    """
    cutoff = (now or utcnow()) - timedelta(days=days if days is not None else retention_days())
    result = PurgeResult(cutoff)
    held = held_times(cutoff)
    for model in (Segment, Gap):
        rows = db.session.execute(
            sa.select(model, Camera.room_id).join(Camera, Camera.id == model.camera_id).where(model.ended_at < cutoff)
        ).tuples()  # fmt: skip
        for row, room_id in rows:
            if _is_held(held, room_id, row.started_at, row.ended_at):
                result.kept += 1
                continue
            if isinstance(row, Segment):
                result.segments += 1
                result.bytes += row.bytes
                result.files.append(resolve(row.path))
            else:
                result.gaps += 1
            db.session.delete(row)
    db.session.flush()
    if result.segments or result.gaps:
        audit.record("recordings.purge", object_type="camera_segments",
                     after={"cutoff": cutoff, "segments": result.segments, "gaps": result.gaps,
                            "bytes": result.bytes, "kept": result.kept})  # fmt: skip
    return result


def remove_files(paths: Iterable[Path]) -> int:
    """Remove purged segment files (after the commit); returns how many were there."""
    removed = 0
    for path in paths:
        if path.exists():
            path.unlink()
            removed += 1
    return removed
