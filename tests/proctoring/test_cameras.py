"""Cameras: the recorder fed a generated video file, drop-outs, incident playback, snapshots, retention."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
import sqlalchemy as sa

from examsys.core.audit import AuditEntry
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError
from examsys.core.media import media_root, resolve
from examsys.core.permissions import Role
from examsys.modules.proctoring import operations
from examsys.modules.proctoring.cameras import playback, recorder, registry, retention, snapshots, store
from examsys.modules.proctoring.cameras.models import Camera, Gap, GapReason, IncidentSnapshot, Segment, SourceKind
from examsys.modules.proctoring.cameras.video import SegmentFile, sha256_file
from examsys.modules.proctoring.models import IncidentKind
from examsys.modules.scheduling import sessions
from examsys.modules.scheduling.models import SessionKind
from tests.delivery.conftest import START

FAST = {"backoff_first": 0.1, "backoff_max": 0.2, "health_every": 0.5, "snapshot_every": 0.2}


def make_video(path: Path, frames: int, fps: float = 10, size=(640, 360)) -> Path:
    """A test source: a frame counter drawn on a moving gradient (MJPEG in AVI: quick to write and read)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for i in range(frames):
        frame = np.zeros((size[1], size[0], 3), np.uint8)
        frame[:, :, 1] = np.linspace(0, 200, size[0], dtype=np.uint8)[None, :]
        cv2.putText(frame, f"{i:04d}", (40 + 10 * i % 300, 200), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 6)
        writer.write(frame)
    writer.release()
    return path


def decoded_frames(path: Path) -> int:
    capture, count = cv2.VideoCapture(str(path)), 0
    while capture.read()[0]:
        count += 1
    capture.release()
    return count


def segments_of(camera: Camera) -> list[Segment]:
    return list(
        db.session.scalars(sa.select(Segment).where(Segment.camera_id == camera.id).order_by(Segment.started_at))
    )


def gaps_of(camera: Camera) -> list[Gap]:
    return list(db.session.scalars(sa.select(Gap).where(Gap.camera_id == camera.id).order_by(Gap.started_at)))


@pytest.fixture
def sitting(make_plan, make_lab):
    lab = make_lab(rows=2, cols=2)
    session = sessions.create_session(make_plan(), sessions.SessionData(SessionKind.THEORY, "第1场", START, 90, [lab]))
    return {"session": session, "lab": lab}


def test_the_recorder_writes_segments_whose_hashes_verify_and_snapshots_a_new_incident(sitting, tmp_path):
    source = make_video(tmp_path / "front.avi", frames=20)  # 2 s at 10 fps; a file source loops
    camera = registry.add_camera(sitting["lab"], registry.CameraData("front", str(source)))
    assert camera.source_kind is SourceKind.FILE
    incident = operations.record_incident(sitting["session"], sitting["lab"], IncidentKind.OTHER, "有人大声喧哗",
                                          by=None, occurred_at=utcnow())  # fmt: skip
    began = time.monotonic()
    summary = recorder.record(options=recorder.Options(segment_seconds=1, **FAST), max_seconds=2.6)
    elapsed = time.monotonic() - began

    found = segments_of(camera)
    assert len(found) >= 3 and summary.segments == len(found) and not summary.errors
    for segment in found:
        path = resolve(segment.path)
        assert sha256_file(path) == segment.sha256 and path.stat().st_size == segment.bytes
        assert decoded_frames(path) == segment.frames  # what the row says is what the file holds
        assert (segment.mime, segment.codec, segment.width, segment.height, segment.fps) == ("video/webm", "VP80",
                                                                                               640, 360, 10)  # fmt: skip
        assert segment.seconds <= 1.2
    assert summary.frames == sum(s.frames for s in found)
    assert 20 <= summary.frames <= 27  # 10 fps for ~2.6 s, paced like a camera
    assert gaps_of(camera) == []  # the file looping is no outage
    db.session.refresh(camera)
    assert camera.last_frame_at is not None and camera.last_error == ""
    (shot,) = snapshots.incident_snapshots(incident)
    assert shot.origin == "live" and resolve(shot.path).read_bytes()[:2] == b"\xff\xd8"
    print(f"\nrecorded {summary.frames} frames in {elapsed:.2f} s; segment bytes {[s.bytes for s in found]}")


def test_the_recorder_survives_the_source_dropping_out_and_records_the_gap(make_lab, tmp_path):
    source = make_video(tmp_path / "back.avi", frames=10)  # 1 s
    camera = registry.add_camera(make_lab(), registry.CameraData("back", str(source)))
    away = source.with_suffix(".away")
    began = time.monotonic()

    def script() -> bool:  # the recorder asks "stop?" several times a second
        t = time.monotonic() - began
        if t > 0.4 and source.exists() and not away.exists() and t < 1.0:
            source.rename(away)  # the open file plays to its end, then the source is gone
        if t > 2.0 and away.exists():
            away.rename(source)  # ... and comes back
        return t > 3.0

    recorder.record(options=recorder.Options(segment_seconds=2, **FAST), stop=script)
    (gap,) = gaps_of(camera)
    assert gap.reason is GapReason.LOST and 0.8 <= (gap.ended_at - gap.started_at).total_seconds() <= 1.6
    found = segments_of(camera)
    before = [s for s in found if s.ended_at <= gap.started_at]
    after = [s for s in found if s.started_at >= gap.ended_at]
    assert sum(s.frames for s in before) == 10  # every frame of the first play, none lost
    assert after and all(s.frames > 0 for s in after) and len(before) + len(after) == len(found)
    assert before[-1].ended_at == gap.started_at  # the gap starts where the recording stops
    for segment in found:
        assert sha256_file(resolve(segment.path)) == segment.sha256
    db.session.refresh(camera)
    assert camera.last_error == ""  # healthy again


def test_a_source_that_never_opens_is_a_gap_and_shows_in_health(make_lab, tmp_path):
    camera = registry.add_camera(make_lab(), registry.CameraData("front", str(tmp_path / "missing.mp4")))
    recorder.record(options=recorder.Options(segment_seconds=1, **FAST), max_seconds=0.8)
    (gap,) = gaps_of(camera)
    assert gap.reason is GapReason.OPEN_FAILED and segments_of(camera) == []
    db.session.refresh(camera)
    assert camera.last_error == "cannot open source" and registry.health(camera, utcnow()) == "never"


def _fake_recording(camera: Camera, start, segments: int = 3, seconds: int = 60) -> list[Segment]:
    """Segments of ``seconds`` at 1 fps; frame i of each is a flat grey of brightness 4*i."""
    rows = []
    for n in range(segments):
        began = start + timedelta(seconds=n * seconds)
        part = SegmentFile(media_root(), camera.id, began, 1.0, (64, 48))
        for i in range(seconds):
            part.write(np.full((48, 64, 3), 4 * i, np.uint8), began + timedelta(seconds=i))
        rows.append(store.save_segment(part.close(began + timedelta(seconds=seconds))))
    return rows


def test_an_incident_links_to_the_segments_round_its_time_with_the_offset(sitting):
    camera = registry.add_camera(sitting["lab"], registry.CameraData("front", "rtsp://u:pw@10.1.2.3:554/s1"))
    first, second, third = _fake_recording(camera, START)
    store.save_gap(camera.id, START + timedelta(seconds=180), START + timedelta(seconds=200), GapReason.LOST)
    incident = operations.record_incident(sitting["session"], sitting["lab"], IncidentKind.MISCONDUCT, "传递纸条",
                                          by=None, occurred_at=START + timedelta(seconds=90))  # fmt: skip
    assert playback.segment_at(camera.id, incident.occurred_at) == second
    (row,) = playback.incident_recordings(incident)
    clips = row["clips"]
    assert [c.segment for c in clips] == [first, second, third]
    assert [(c.start, c.end, c.at) for c in clips] == [(30.0, 60.0, None), (0.0, 60.0, 30.0), (0.0, 30.0, None)]
    assert clips[1].fragment == "#t=30.0" and row["gaps"] == []
    # An incident near the end: the window reaches into the gap after the recording.
    late = START + timedelta(seconds=170)
    assert [c.at for c in playback.clips(camera.id, late)] == [None, 50.0]
    assert len(playback.gaps_between(camera.id, late - playback.WINDOW, late + playback.WINDOW)) == 1

    # A snapshot from the segment: the frame at 30 s is grey 120.
    taken = snapshots.picture(camera.id, incident.occurred_at)
    assert taken[0] == "segment" and taken[1] == START + timedelta(seconds=90)
    image = cv2.imdecode(np.frombuffer(taken[2], np.uint8), cv2.IMREAD_GRAYSCALE)
    assert abs(float(image.mean()) - 120) < 4
    snapshots.save_snapshot(incident.id, camera.id, taken)
    # Nothing recorded then: a row says so, so the incident is not looked at again.
    assert snapshots.picture(camera.id, START + timedelta(hours=1), now=START + timedelta(hours=2)) == ("none", None,
                                                                                                        None)  # fmt: skip


def test_the_console_plays_the_segment_with_range_requests_and_needs_permission(sitting, client, login, make_user):
    camera = registry.add_camera(sitting["lab"], registry.CameraData("front", "rtsp://u:pw@10.1.2.3:554/s1"))
    (segment,) = _fake_recording(camera, START, segments=1)
    incident = operations.record_incident(sitting["session"], sitting["lab"], IncidentKind.OTHER, "断电",
                                          by=None, occurred_at=START + timedelta(seconds=20))  # fmt: skip
    shot = snapshots.save_snapshot(incident.id, camera.id, snapshots.picture(camera.id, incident.occurred_at))
    video = f"/proctoring/segments/{segment.id}/video"

    assert client.get(video).status_code == 302  # to the login page
    login(make_user(Role.COORDINATOR))
    assert client.get(video).status_code == 403
    client.post("/logout")
    login(make_user(Role.PROCTOR))
    whole = client.get(video)
    assert whole.status_code == 200 and whole.mimetype == "video/webm" and len(whole.data) == segment.bytes
    part = client.get(video, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and len(part.data) == 100 and part.data == whole.data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{segment.bytes}"

    data = client.get(f"/proctoring/incidents/{incident.id}/recordings.json").get_json()
    (cam,) = data["cameras"]
    assert cam["clips"][0]["offset"] == 20.0 and cam["clips"][0]["url"].endswith(f"/segments/{segment.id}/video#t=20.0")
    assert cam["snapshot"].endswith(f"/snapshots/{shot.id}.jpg")
    page = client.get(f"/proctoring/incidents/{incident.id}/recordings").get_data(as_text=True)
    assert f'/segments/{segment.id}/video#t=20.0"' in page and "事件截图" in page
    assert client.get(cam["snapshot"]).mimetype == "image/jpeg"

    health = client.get(f"/proctoring/rooms/{sitting['lab'].id}/cameras.json").get_json()["cameras"]
    assert [(c["position"], c["health"], c["source"]) for c in health] == [("front", "never", "rtsp://10.1.2.3:554/s1")]
    page = client.get(f"/proctoring/rooms/{sitting['lab'].id}/cameras").get_data(as_text=True)
    assert "尚未收到画面" in page and "pw@" not in page


def test_retention_keeps_recent_and_held_recordings(sitting, make_lab):
    lab = sitting["lab"]
    camera = registry.add_camera(lab, registry.CameraData("front", "0"))
    during = _fake_recording(camera, START, segments=1, seconds=4)  # in the session: its batch is under appeal
    day_before = _fake_recording(camera, START - timedelta(days=1), segments=1, seconds=4)
    store.save_gap(
        camera.id, START - timedelta(days=2), START - timedelta(days=2) + timedelta(seconds=9), GapReason.LOST
    )
    now = START + timedelta(days=1830 + 3)
    recent = _fake_recording(camera, now - timedelta(days=10), segments=1, seconds=4)
    batch = sitting["session"].plan.batches[0]

    hold = retention.register_review_hold(lambda b: b.id == batch.id)
    try:
        result = retention.purge(now=now)
    finally:
        retention.unregister_review_hold(hold)
    assert (result.segments, result.gaps, result.kept) == (1, 1, 1)
    db.session.commit()
    assert retention.remove_files(result.files) == 1 and not result.files[0].exists()
    assert segments_of(camera) == [*during, *recent] and gaps_of(camera) == []
    assert resolve(during[0].path).exists() and day_before[0] not in segments_of(camera)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "recordings.purge")) is not None
    # Without the appeal the one in the session goes too; nothing younger than five years ever does.
    assert retention.purge(now=now).segments == 1
    assert retention.purge(now=now + timedelta(days=9)).segments == 0


def test_the_registry_seeds_sources_from_the_rooms_and_validates(make_lab):
    lab = make_lab()
    lab.front_camera, lab.back_camera = "rtsp://admin:secret@10.0.0.5/Streaming/Channels/101", "L001-back"
    created = registry.seed_from_rooms()
    assert [(c.position, c.source_kind) for c in created if c.room_id == lab.id] == [("front", SourceKind.RTSP)]
    assert registry.masked_source(created[0]) == "rtsp://10.0.0.5/Streaming/Channels/101"
    assert [c for c in registry.seed_from_rooms() if c.room_id == lab.id] == []  # once only
    assert (
        registry.classify_source("/dev/video0") is SourceKind.DEVICE
        and registry.classify_source("2") is SourceKind.DEVICE
    )
    with pytest.raises(DomainError) as refused:
        registry.add_camera(lab, registry.CameraData("front", "not a source"))
    assert {p.field for p in refused.value.problems} == {"source", "position"}
    side = registry.add_camera(lab, registry.CameraData("side", "1", name="侧面"))
    registry.update_camera(side, registry.CameraData("side", "/srv/demo/side.mp4", name="侧面", active=False))
    assert (side.source_kind, side.active) == (SourceKind.FILE, False)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IncidentSnapshot)) == 0


def test_a_segment_that_could_not_be_written_is_refused_not_registered(tmp_path):
    part = SegmentFile(tmp_path, 1, START, 10.0, (64, 48))
    part.write(np.zeros((48, 64, 3), np.uint8), START)
    part.part.unlink()  # what a full disk leaves: nothing
    with pytest.raises(OSError, match="empty"):
        part.close()
    assert not part.target.exists()


def test_the_scheduler_purges_expired_recordings_hourly(sitting):
    from examsys.jobs import JOBS
    from examsys.modules.proctoring.cameras import tasks

    job = next(j for j in JOBS if j.id == "cameras.purge")
    assert job.background and job.run is tasks.purge_expired and job.every_seconds == 3600
    camera = registry.add_camera(sitting["lab"], registry.CameraData("back", "0"))
    old = _fake_recording(camera, START - timedelta(days=2000), segments=1, seconds=4)
    kept = _fake_recording(camera, START, segments=1, seconds=4)
    assert tasks.purge_expired(START + timedelta(days=1)) == 1
    assert segments_of(camera) == kept and not resolve(old[0].path).exists()
