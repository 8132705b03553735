"""Video plumbing with no database: opening sources, the segment file format, hashing.

Segments are written as WebM/VP8 (fourcc ``VP80``): the opencv-python-headless wheels bundle
an FFmpeg with libvpx, and every current browser plays VP8 WebM in a ``<video>`` element,
seekable with Range requests. H.264 needs an encoder the wheels do not ship (``avc1`` fails),
and MJPEG/AVI is not playable in browsers, so VP8 needs no transcoding step at all.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np

from examsys.modules.proctoring.cameras.models import SourceKind

FOURCC, SUFFIX, MIME = "VP80", ".webm", "video/webm"
DEFAULT_FPS = 15.0
TIMEOUT_MS = 10_000  # network sources: how long opening or reading may block


@dataclass(frozen=True)
class SourceSpec:
    """A camera as the recorder threads see it: plain values, no database object."""

    camera_id: int
    kind: SourceKind
    source: str
    previous_end: datetime | None = None  # when this camera's last stored segment ended


def sane_fps(value: float) -> float:
    """The frame rate a source reports, or a default when it reports nonsense (RTSP often says 0 or 90000)."""
    return float(value) if 1.0 <= value <= 60.0 else DEFAULT_FPS


def open_capture(spec: SourceSpec) -> cv2.VideoCapture | None:
    """An opened capture for ``spec``, or None when the source is not available now."""
    if spec.kind is SourceKind.DEVICE:
        target = spec.source
        capture = cv2.VideoCapture(int(target) if target.isdigit() else target)
    elif spec.kind is SourceKind.RTSP:
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, TIMEOUT_MS, cv2.CAP_PROP_READ_TIMEOUT_MSEC, TIMEOUT_MS]
        capture = cv2.VideoCapture(spec.source, cv2.CAP_FFMPEG, params)
    else:
        if not Path(spec.source).is_file():  # spare FFmpeg's error output for a missing file
            return None
        capture = cv2.VideoCapture(spec.source, cv2.CAP_FFMPEG)
    if not capture.isOpened():
        capture.release()
        return None
    return capture


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def segment_path(camera_id: int, started_at: datetime) -> str:
    """Where a segment lives, relative to MEDIA_DIR: one folder per camera and UTC day."""
    return f"recordings/{camera_id}/{started_at:%Y/%m/%d}/{started_at:%H%M%S_%f}{SUFFIX}"


@dataclass(frozen=True)
class ClosedSegment:
    camera_id: int
    started_at: datetime
    ended_at: datetime
    frames: int
    fps: float
    width: int
    height: int
    bytes: int
    sha256: str
    path: str
    codec: str = FOURCC
    mime: str = MIME


class SegmentFile:
    """One segment being written: a hidden part file, renamed into place once closed and hashed."""

    def __init__(self, root: Path, camera_id: int, started_at: datetime, fps: float, size: tuple[int, int]):
        self.root, self.camera_id, self.started_at, self.fps, self.size = root, camera_id, started_at, fps, size
        self.relative = segment_path(camera_id, started_at)
        self.target = root / self.relative
        self.target.parent.mkdir(parents=True, exist_ok=True)
        # OpenCV picks the container from the extension, so the part file keeps ".webm".
        self.part = self.target.with_name(f".{self.target.stem}.part{SUFFIX}")
        self.writer = cv2.VideoWriter(str(self.part), cv2.VideoWriter_fourcc(*FOURCC), fps, size)
        if not self.writer.isOpened():
            raise OSError(f"cannot write {FOURCC} video to {self.part}")
        self.frames = 0
        self.last_at = started_at

    def write(self, frame: np.ndarray, at: datetime) -> None:
        self.writer.write(frame)
        self.frames += 1
        self.last_at = at

    def close(self, ended_at: datetime | None = None) -> ClosedSegment:
        """Finish the file; ``ended_at`` defaults to one frame after the last one."""
        self.writer.release()
        size = self.part.stat().st_size if self.part.exists() else 0
        if size == 0:  # OpenCV reports no write errors; an empty file is how a full disk shows
            self.part.unlink(missing_ok=True)
            raise OSError(f"segment {self.relative} is empty (disk full?)")
        digest = sha256_file(self.part)
        os.replace(self.part, self.target)
        ended = ended_at or self.last_at + timedelta(seconds=1 / self.fps)
        return ClosedSegment(self.camera_id, self.started_at, max(ended, self.started_at), self.frames, self.fps,
                             self.size[0], self.size[1], size, digest, self.relative)  # fmt: skip


def frame_at(path: Path, index: int) -> np.ndarray | None:
    """Frame ``index`` (0-based) of a video file, decoded in order (exact, unlike seeking)."""
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    try:
        frame = None
        for _ in range(index + 1):
            ok, decoded = capture.read()
            if not ok:
                break
            frame = decoded
        return frame
    finally:
        capture.release()


def jpeg(frame: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return data.tobytes()


def probe_writer(tmp_dir: Path) -> bool:
    """Whether this OpenCV build can write the segment format (``cameras check`` reports it)."""
    path = tmp_dir / f".probe{SUFFIX}"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*FOURCC), DEFAULT_FPS, (64, 48))
    try:
        if not writer.isOpened():
            return False
        writer.write(np.zeros((48, 64, 3), np.uint8))
        writer.release()
        return path.stat().st_size > 0
    finally:
        path.unlink(missing_ok=True)
