"""The recorder's writes: segments, gaps and camera health (operations: they flush, the caller commits)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from examsys.core.db import db
from examsys.modules.proctoring.cameras.models import Camera, Gap, GapReason, Segment
from examsys.modules.proctoring.cameras.video import ClosedSegment


def save_segment(closed: ClosedSegment) -> Segment:
    """Register a closed segment file (its hash was computed when it was closed)."""
    segment = Segment(camera_id=closed.camera_id, started_at=closed.started_at, ended_at=closed.ended_at,
                      frames=closed.frames, fps=closed.fps, width=closed.width, height=closed.height,
                      bytes=closed.bytes, sha256=closed.sha256, path=closed.path, codec=closed.codec,
                      mime=closed.mime)  # fmt: skip
    db.session.add(segment)
    db.session.flush()
    return segment


def save_gap(camera_id: int, started_at: datetime, ended_at: datetime, reason: GapReason, detail: str = "") -> Gap:
    gap = Gap(camera_id=camera_id, started_at=started_at, ended_at=ended_at, reason=reason, detail=detail[:300])
    db.session.add(gap)
    db.session.flush()
    return gap


def save_health(camera_id: int, last_frame_at: datetime | None, error: str) -> None:
    """One UPDATE: the time of the last frame (when there was one) and the last error ("" = healthy)."""
    values: dict = {"last_error": error[:300]}
    if last_frame_at is not None:
        values["last_frame_at"] = last_frame_at
    db.session.execute(sa.update(Camera).where(Camera.id == camera_id).values(**values))


def last_segment_ends(camera_ids: list[int]) -> dict[int, datetime]:
    """When each camera's latest stored segment ended (to record the time no recorder ran)."""
    if not camera_ids:
        return {}
    rows = db.session.execute(
        sa.select(Segment.camera_id, sa.func.max(Segment.ended_at)).where(Segment.camera_id.in_(camera_ids))
        .group_by(Segment.camera_id)
    )  # fmt: skip
    return {cid: end for cid, end in rows}  # max() keeps the column's UTC type
