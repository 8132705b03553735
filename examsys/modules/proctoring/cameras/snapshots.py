"""A still picture from every camera of the room for each incident.

The recorder takes them, since it alone holds the live picture: a frame from the live source
when the incident is recent, otherwise the frame at the incident's time from the segment that
covers it (waiting while that segment is still being written). When nothing was recorded at
that time a row without a picture says so, so the incident is not looked at again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import sqlalchemy as sa

from examsys.core.db import db, lock_for_write, utcnow
from examsys.core.media import resolve, store_bytes
from examsys.modules.proctoring.cameras.models import Camera, IncidentSnapshot
from examsys.modules.proctoring.cameras.playback import frame_index, segment_at
from examsys.modules.proctoring.cameras.video import frame_at, jpeg
from examsys.modules.proctoring.models import Incident

LIVE_WINDOW = timedelta(seconds=15)  # a live frame this close to the incident's time will do
LOOKBACK = timedelta(days=1)  # older incidents without a snapshot are left alone

Live = tuple[tuple[datetime, np.ndarray] | None, datetime | None]  # (latest frame, open segment's start)
Picture = tuple[str, datetime | None, bytes | None]  # (origin, moment shown, JPEG)


def pending(camera_ids: list[int], now: datetime) -> list[tuple[int, datetime, int]]:
    """(incident id, time, camera id) of recent incidents in these cameras' rooms with no snapshot yet."""
    if not camera_ids:
        return []
    taken = sa.exists().where(IncidentSnapshot.incident_id == Incident.id, IncidentSnapshot.camera_id == Camera.id)
    return list(db.session.execute(
        sa.select(Incident.id, Incident.occurred_at, Camera.id).join(Camera, Camera.room_id == Incident.room_id)
        .where(Camera.id.in_(camera_ids), Incident.occurred_at >= now - LOOKBACK, ~taken)
        .order_by(Incident.occurred_at)
    ).tuples())  # fmt: skip


def picture(
    camera_id: int, instant: datetime, live: Live = (None, None), now: datetime | None = None
) -> Picture | None:
    """The picture for ``instant``, or None to try again later (its segment is still being written,
    or the camera has not delivered its first frame yet)."""
    latest, open_start = live
    now = now or utcnow()
    if latest is not None and abs(latest[0] - instant) <= LIVE_WINDOW:
        return "live", latest[0], jpeg(latest[1])
    segment = segment_at(camera_id, instant)
    if segment is not None:
        index = frame_index(segment, instant)
        frame = frame_at(resolve(segment.path), index)
        if frame is not None:
            shown = segment.started_at + (segment.ended_at - segment.started_at) * (index / segment.frames)
            return "segment", shown, jpeg(frame)
    if open_start is not None and instant >= open_start:
        return None
    if instant > (latest[0] if latest is not None else now - LIVE_WINDOW):
        return None
    return "none", None, None


def save_snapshot(incident_id: int, camera_id: int, taken: Picture) -> IncidentSnapshot:
    """Store the JPEG under MEDIA_DIR/snapshots and its row (flushes)."""
    origin, moment, data = taken
    path = store_bytes("snapshots", data, ".jpg") if data else None
    row = IncidentSnapshot(incident_id=incident_id, camera_id=camera_id, taken_at=moment, path=path, origin=origin)
    db.session.add(row)
    db.session.flush()
    return row


def take_pending(live: dict[int, Live], now: datetime | None = None) -> int:
    """Snapshots for every pending incident of these cameras, each stored in its own short transaction."""
    rows = pending(list(live), now or utcnow())
    db.session.commit()  # end the read before decoding any video
    done = 0
    for incident_id, instant, camera_id in rows:
        taken = picture(camera_id, instant, live[camera_id])
        db.session.commit()
        if taken is None:
            continue
        lock_for_write(db.session)
        save_snapshot(incident_id, camera_id, taken)
        db.session.commit()
        done += 1
    return done


def incident_snapshots(incident: Incident) -> list[IncidentSnapshot]:
    return list(db.session.scalars(
        sa.select(IncidentSnapshot).where(IncidentSnapshot.incident_id == incident.id)
        .order_by(IncidentSnapshot.camera_id)
    ))  # fmt: skip
