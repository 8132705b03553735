"""The recorder: one process per host reads its cameras and writes fixed-length segments.

Video never touches the database. Each camera has a thread (OpenCV releases the GIL while it
decodes and encodes) that writes segment files and puts plain events on a queue; the main
thread turns the events into rows in short transactions of its own, so no write lock is held
while video is read, and a slow or dead camera never holds up the others.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
from flask import current_app

from examsys.core.db import db, lock_for_write, utcnow
from examsys.core.media import media_root
from examsys.modules.proctoring.cameras import snapshots, store
from examsys.modules.proctoring.cameras.models import GapReason, SourceKind
from examsys.modules.proctoring.cameras.registry import cameras_for_host
from examsys.modules.proctoring.cameras.video import ClosedSegment, SegmentFile, SourceSpec, open_capture, sane_fps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    segment_seconds: float = 300.0
    backoff_first: float = 1.0  # seconds before the first reconnect; doubles up to backoff_max
    backoff_max: float = 30.0
    health_every: float = 5.0  # how often last_frame_at is written while all is well
    min_gap: float = 0.5  # shorter outages (a file source looping) are not gaps
    file_speed: float = 1.0  # file sources play at their own frame rate times this
    max_fps: float = 15.0  # faster sources are recorded at this rate (VP8 encoding is the costly part)
    refresh_every: float = 60.0  # re-read the registry: new, changed and retired cameras
    snapshot_every: float = 2.0  # look for incidents that need a snapshot


@dataclass(frozen=True)
class GapEvent:
    camera_id: int
    started_at: datetime
    ended_at: datetime
    reason: GapReason
    detail: str = ""


@dataclass(frozen=True)
class HealthEvent:
    camera_id: int
    last_frame_at: datetime | None
    error: str = ""


@dataclass
class Summary:
    cameras: int = 0
    segments: int = 0
    frames: int = 0
    gaps: int = 0
    snapshots: int = 0
    errors: list[str] = field(default_factory=list)


class CameraWorker(threading.Thread):
    """Reads one source, cuts it into segments, reconnects with backoff and reports outages as gaps."""

    def __init__(self, spec: SourceSpec, root: Path, events: queue.Queue, options: Options):
        super().__init__(name=f"camera-{spec.camera_id}", daemon=True)
        self.spec, self.root, self.events, self.options = spec, root, events, options
        self.halt = threading.Event()
        self.latest: tuple[datetime, np.ndarray] | None = None  # for live snapshots
        self.segment: SegmentFile | None = None
        self._reported, self._error = 0.0, ""
        self._last_end: datetime | None = None  # just after the last frame received

    def stop(self) -> None:
        self.halt.set()

    @property
    def open_segment_start(self) -> datetime | None:
        segment = self.segment
        return segment.started_at if segment else None

    def run(self) -> None:
        down: tuple[datetime, GapReason, str] | None = None
        try:
            down = self._loop()
        except Exception as exc:  # a broken writer or disk: report it; the main thread restarts us
            log.exception("camera %s: recorder thread failed", self.spec.camera_id)
            self._health(str(exc)[:300], force=True)
        finally:
            self._close_segment()
            if down is not None:
                self._gap(down, utcnow())

    def _loop(self) -> tuple[datetime, GapReason, str] | None:
        backoff, down = self.options.backoff_first, None
        offline_since = self.spec.previous_end
        while not self.halt.is_set():
            capture = open_capture(self.spec)
            ok, frame = capture.read() if capture is not None else (False, None)
            if not ok:
                if capture is not None:
                    capture.release()
                reason = GapReason.LOST if self._last_end else GapReason.OPEN_FAILED
                detail = "cannot open source" if capture is None else "no frames from source"
                down = down or (self._last_end or utcnow(), reason, detail)
                self._health(detail, force=True)
                self.halt.wait(backoff)
                backoff = min(backoff * 2, self.options.backoff_max)
                continue
            first_at = utcnow()
            if down is not None:
                self._gap(down, first_at)
                down = None
            elif offline_since is not None:
                self._gap((offline_since, GapReason.RECORDER_OFFLINE, ""), first_at)
            offline_since, backoff = None, self.options.backoff_first
            try:
                self._pump(capture, frame, first_at)
            finally:
                capture.release()
                self._close_segment()
            if not self.halt.is_set():
                down = (self._last_end, GapReason.LOST, "stream ended")
        return down

    def _pump(self, capture, frame: np.ndarray, at: datetime) -> None:
        """Write frames until the source fails or we are told to stop; file sources are paced.

        A source faster than ``max_fps`` is thinned by wall-clock time (frames skipped are not
        converted), so the encoder keeps up and video time stays wall-clock time.
        """
        source_fps = sane_fps(capture.get(cv2.CAP_PROP_FPS))
        fps = min(source_fps, self.options.max_fps)
        step = timedelta(seconds=1 / fps)
        paced, thin = self.spec.kind is SourceKind.FILE, source_fps > fps
        interval, due, keep_at = 1.0 / (source_fps * self.options.file_speed), time.monotonic(), at
        while True:
            if not thin or at >= keep_at - step / 2:
                if frame is None:
                    ok, frame = capture.retrieve()
                    if not ok:
                        return
                self._take(frame, at, fps)
                keep_at = max(keep_at + step, at)
            if self.halt.is_set():
                return
            if paced:
                due += interval
                if self.halt.wait(max(0.0, due - time.monotonic())):
                    return
            if not capture.grab():
                return
            frame, at = None, utcnow()

    def _take(self, frame: np.ndarray, at: datetime, fps: float) -> None:
        size = (frame.shape[1], frame.shape[0])
        segment = self.segment
        if segment is not None and (at - segment.started_at).total_seconds() >= self.options.segment_seconds:
            self._close_segment(ended_at=at)  # back to back: the next segment starts where this one ends
        elif segment is not None and (segment.size != size or segment.fps != fps):
            self._close_segment()
        if self.segment is None:
            self.segment = SegmentFile(self.root, self.spec.camera_id, at, fps, size)
        self.segment.write(frame, at)
        self.latest = (at, frame)
        self._last_end = at + timedelta(seconds=1 / fps)
        self._health("")

    def _close_segment(self, ended_at: datetime | None = None) -> None:
        segment, self.segment = self.segment, None
        if segment is None:
            return
        try:
            self.events.put(segment.close(ended_at))
        except OSError as exc:  # the frames are lost: say so in the health and as a gap
            self._health(str(exc)[:300], force=True)
            until = ended_at or segment.last_at
            self._gap((segment.started_at, GapReason.WRITE_FAILED, str(exc)), max(until, segment.started_at))

    def _gap(self, down: tuple[datetime, GapReason, str], ended_at: datetime) -> None:
        started_at, reason, detail = down
        if (ended_at - started_at).total_seconds() >= self.options.min_gap:
            self.events.put(GapEvent(self.spec.camera_id, started_at, ended_at, reason, detail))

    def _health(self, error: str, force: bool = False) -> None:
        """Report health: at once when it changes (down, back up), else every ``health_every`` seconds."""
        now = time.monotonic()
        if force or error != self._error or now - self._reported >= self.options.health_every:
            self._reported, self._error = now, error
            self.events.put(HealthEvent(self.spec.camera_id, self.latest[0] if self.latest else None, error))


class Recorder:
    """The main thread of ``flask cameras record``: starts workers, stores their events, takes snapshots."""

    def __init__(self, host: str | None, options: Options):
        self.host, self.options = host, options
        self.root = media_root()
        self.events: queue.Queue = queue.Queue()
        self.workers: dict[int, CameraWorker] = {}
        self.pending: list = []
        self.summary = Summary()

    def run(self, stop: Callable[[], bool] | None = None, max_seconds: float | None = None) -> Summary:
        deadline = time.monotonic() + max_seconds if max_seconds else None
        next_refresh = next_snapshot = 0.0
        try:
            while not (stop and stop()) and not (deadline and time.monotonic() >= deadline):
                now = time.monotonic()
                if now >= next_refresh:
                    self.reconcile()
                    next_refresh = now + self.options.refresh_every
                self.drain(timeout=0.1)
                if now >= next_snapshot:
                    self.snapshot()
                    next_snapshot = now + self.options.snapshot_every
        finally:
            for worker in self.workers.values():
                worker.stop()
            for worker in self.workers.values():
                worker.join(timeout=30)
            self.drain(timeout=0)
            self.snapshot()
        return self.summary

    def reconcile(self) -> None:
        """Start a worker for each camera this host records; stop those retired or changed."""
        cameras = {c.id: c for c in cameras_for_host(self.host)}
        ends = store.last_segment_ends(list(cameras))
        wanted = {cid: SourceSpec(cid, c.source_kind, c.source, ends.get(cid)) for cid, c in cameras.items()}
        db.session.commit()  # end the read transaction
        for cid, worker in list(self.workers.items()):
            spec = wanted.get(cid)
            if spec is None or (spec.kind, spec.source) != (worker.spec.kind, worker.spec.source):
                worker.stop()
                worker.join(timeout=30)
                del self.workers[cid]
            elif not worker.is_alive():
                del self.workers[cid]
        for cid, spec in wanted.items():
            if cid not in self.workers:
                self.workers[cid] = CameraWorker(spec, self.root, self.events, self.options)
                self.workers[cid].start()
        self.summary.cameras = len(self.workers)

    def drain(self, timeout: float) -> None:
        """Store what the workers reported, in one short transaction; kept for a retry if it fails."""
        try:
            self.pending.append(self.events.get(timeout=timeout) if timeout else self.events.get_nowait())
            while len(self.pending) < 200:
                self.pending.append(self.events.get_nowait())
        except queue.Empty:
            pass
        if not self.pending:
            return
        try:
            lock_for_write(db.session)
            for event in self.pending:
                self._store(event)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            log.exception("recorder: storing %d events failed; will retry", len(self.pending))
            self.summary.errors.append(str(exc))
            return
        for event in self.pending:
            if isinstance(event, ClosedSegment):
                self.summary.segments += 1
                self.summary.frames += event.frames
            elif isinstance(event, GapEvent):
                self.summary.gaps += 1
        self.pending = []

    def _store(self, event) -> None:
        if isinstance(event, ClosedSegment):
            store.save_segment(event)
        elif isinstance(event, GapEvent):
            store.save_gap(event.camera_id, event.started_at, event.ended_at, event.reason, event.detail)
        elif isinstance(event, HealthEvent):
            store.save_health(event.camera_id, event.last_frame_at, event.error)

    def snapshot(self) -> None:
        """Pictures for new incidents in the rooms recorded here: live when recent, else from a segment."""
        live = {cid: (w.latest, w.open_segment_start) for cid, w in self.workers.items()}
        self.drain(timeout=0)  # a segment closed just before ``live`` was read is stored first
        try:
            self.summary.snapshots += snapshots.take_pending(live)
        except Exception as exc:
            db.session.rollback()
            log.exception("recorder: snapshots failed")
            self.summary.errors.append(str(exc))


def record(host: str | None = None, options: Options | None = None, *, stop: Callable[[], bool] | None = None,
           max_seconds: float | None = None) -> Summary:  # fmt: skip
    """Record every active camera of ``host`` (and the unassigned ones) until ``stop()`` or ``max_seconds``."""
    if options is None:
        options = Options(segment_seconds=float(current_app.config.get("CAMERA_SEGMENT_SECONDS", 300)))
    return Recorder(host, options).run(stop=stop, max_seconds=max_seconds)
