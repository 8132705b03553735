"""Camera pages of the proctoring console: health per room, incident recordings, segment playback."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, send_file, url_for
from flask_babel import gettext as _

from examsys.core.db import get_or_404, utcnow
from examsys.core.errors import DomainError
from examsys.core.media import resolve
from examsys.modules.proctoring import util as proctoring_util
from examsys.modules.proctoring.cameras import playback, registry, snapshots
from examsys.modules.proctoring.cameras.models import Camera, IncidentSnapshot, Segment
from examsys.modules.scheduling import util as scheduling_util


def register(bp: Blueprint, guard) -> None:
    """Add the camera routes to the proctoring blueprint, each behind ``guard`` (proctoring.view)."""
    bp.add_url_rule("/rooms/<int:room_id>/cameras", "cameras", guard(cameras))
    bp.add_url_rule("/rooms/<int:room_id>/cameras.json", "cameras_json", guard(cameras_json))
    bp.add_url_rule("/incidents/<int:incident_id>/recordings", "recordings", guard(recordings))
    bp.add_url_rule("/incidents/<int:incident_id>/recordings.json", "recordings_json", guard(recordings_json))
    bp.add_url_rule("/segments/<int:segment_id>/video", "segment_video", guard(segment_video))
    bp.add_url_rule("/snapshots/<int:snapshot_id>.jpg", "snapshot", guard(snapshot))


def _camera_rows(room) -> list[dict]:
    now = utcnow()
    return [{"camera": c, "health": registry.health(c, now), "source": registry.masked_source(c)}
            for c in registry.room_cameras(room)]  # fmt: skip


def cameras(room_id: int):
    room = scheduling_util.get_room(room_id)
    return render_template("proctoring/cameras.html", room=room, rows=_camera_rows(room),
                           titles=registry.HEALTH_TITLES)  # fmt: skip


def cameras_json(room_id: int):
    room = scheduling_util.get_room(room_id)
    return jsonify({"room": room.id, "cameras": [{
        "id": r["camera"].id, "position": r["camera"].position, "name": r["camera"].name,
        "source_kind": r["camera"].source_kind.value, "source": r["source"], "active": r["camera"].active,
        "health": r["health"], "health_title": str(registry.HEALTH_TITLES[r["health"]]),
        "last_frame_at": r["camera"].last_frame_at.isoformat() if r["camera"].last_frame_at else None,
        "last_error": r["camera"].last_error,
    } for r in _camera_rows(room)]})  # fmt: skip


def _recordings(incident) -> list[dict]:
    shots = {s.camera_id: s for s in snapshots.incident_snapshots(incident)}
    rows = playback.incident_recordings(incident)
    for row in rows:
        row["snapshot"] = shots.get(row["camera"].id)
    return rows


def recordings(incident_id: int):
    incident = proctoring_util.get_incident(incident_id)
    return render_template("proctoring/recordings.html", incident=incident, rows=_recordings(incident))


def recordings_json(incident_id: int):
    incident = proctoring_util.get_incident(incident_id)
    cams = []
    for row in _recordings(incident):
        camera: Camera = row["camera"]
        shot = row["snapshot"]
        cams.append({
            "camera": camera.id, "position": camera.position, "name": camera.name,
            "clips": [playback.clip_json(camera, clip, url_for("proctoring.segment_video", segment_id=clip.segment.id))
                      for clip in row["clips"]],
            "gaps": [{"started_at": g.started_at.isoformat(), "ended_at": g.ended_at.isoformat(),
                      "reason": g.reason.value, "title": g.reason.title} for g in row["gaps"]],
            "snapshot": url_for("proctoring.snapshot", snapshot_id=shot.id) if shot and shot.path else None,
        })  # fmt: skip
    return jsonify({"incident": incident.id, "occurred_at": incident.occurred_at.isoformat(), "cameras": cams})


def segment_video(segment_id: int):
    """The segment file, with Range support (browsers seek with it) and its hash as the ETag."""
    segment = get_or_404(Segment, segment_id, _("录像不存在"))
    path = resolve(segment.path)
    if not path.is_file():
        raise DomainError(_("录像文件不存在"), status=404)
    response = send_file(path, mimetype=segment.mime, conditional=True, etag=segment.sha256, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def snapshot(snapshot_id: int):
    shot = get_or_404(IncidentSnapshot, snapshot_id, _("截图不存在"))
    if not shot.path:
        raise DomainError(_("截图不存在"), status=404)
    response = send_file(resolve(shot.path), mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
