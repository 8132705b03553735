"""Playback reads: the segments covering an instant (±1 minute) and where in them to start.

Video time and wall-clock time are related through the segment: it holds ``frames`` frames
spread over ``started_at``..``ended_at`` and plays them at ``fps``. For a camera delivering its
nominal rate the two are the same; when it delivers fewer frames (network trouble) the offset
is scaled, so ``#t=offset`` still lands on the frame taken at the instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from examsys.core.db import db
from examsys.modules.proctoring.cameras.models import Camera, Gap, Segment
from examsys.modules.proctoring.cameras.registry import room_cameras
from examsys.modules.proctoring.models import Incident

WINDOW = timedelta(minutes=1)


def offset_in(segment: Segment, instant: datetime) -> float:
    """Seconds of video into ``segment`` that show ``instant`` (clamped to the segment)."""
    span = (segment.ended_at - segment.started_at).total_seconds()
    if span <= 0:
        return 0.0
    fraction = min(max((instant - segment.started_at).total_seconds() / span, 0.0), 1.0)
    return round(fraction * segment.frames / segment.fps, 2)


def frame_index(segment: Segment, instant: datetime) -> int:
    """The 0-based frame of ``segment`` nearest to ``instant``."""
    return min(int(offset_in(segment, instant) * segment.fps), segment.frames - 1)


@dataclass(frozen=True)
class Clip:
    """A segment overlapping the window round an instant, with the offsets to play."""

    segment: Segment
    start: float  # where the window starts in this segment (seconds of video)
    end: float  # where it ends
    at: float | None  # where the instant itself is, when this segment covers it

    @property
    def fragment(self) -> str:
        """The media fragment for ``<video src=...#t=...>``: start at the instant, else the window."""
        return f"#t={self.at if self.at is not None else self.start}"


def segments_between(camera_id: int, start: datetime, end: datetime) -> list[Segment]:
    return list(db.session.scalars(
        sa.select(Segment).where(Segment.camera_id == camera_id, Segment.started_at < end, Segment.ended_at > start)
        .order_by(Segment.started_at)
    ))  # fmt: skip


def gaps_between(camera_id: int, start: datetime, end: datetime) -> list[Gap]:
    return list(db.session.scalars(
        sa.select(Gap).where(Gap.camera_id == camera_id, Gap.started_at < end, Gap.ended_at > start)
        .order_by(Gap.started_at)
    ))  # fmt: skip


def segment_at(camera_id: int, instant: datetime) -> Segment | None:
    """The segment whose time covers ``instant`` (the later one on a shared boundary)."""
    return db.session.scalars(
        sa.select(Segment).where(Segment.camera_id == camera_id, Segment.started_at <= instant,
                                 Segment.ended_at > instant).order_by(Segment.started_at.desc()).limit(1)
    ).first()  # fmt: skip


def clips(camera_id: int, instant: datetime, window: timedelta = WINDOW) -> list[Clip]:
    """Every segment of the camera overlapping ``instant`` ± ``window``, in time order."""
    start, end = instant - window, instant + window
    found = []
    for segment in segments_between(camera_id, start, end):
        covers = segment.started_at <= instant < segment.ended_at
        found.append(Clip(segment, offset_in(segment, start), offset_in(segment, end),
                          offset_in(segment, instant) if covers else None))  # fmt: skip
    return found


def incident_recordings(incident: Incident, window: timedelta = WINDOW) -> list[dict]:
    """Per camera of the incident's room: the clips round the incident's time and any gaps in that window."""
    instant = incident.occurred_at
    rows = []
    for camera in room_cameras(incident.room):
        rows.append({
            "camera": camera,
            "clips": clips(camera.id, instant, window),
            "gaps": gaps_between(camera.id, instant - window, instant + window),
        })  # fmt: skip
    return rows


def clip_json(camera: Camera, clip: Clip, url: str) -> dict:
    s = clip.segment
    return {"camera": camera.id, "segment": s.id, "started_at": s.started_at.isoformat(),
            "ended_at": s.ended_at.isoformat(), "offset": clip.at, "window": [clip.start, clip.end],
            "mime": s.mime, "sha256": s.sha256, "url": url + clip.fragment}  # fmt: skip
