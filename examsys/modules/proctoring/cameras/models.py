"""Cameras of a room, the segments they recorded, the gaps in between, and incident snapshots."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin, enum_type
from examsys.modules.proctoring.models import Incident
from examsys.modules.scheduling.models import Room


class SourceKind(enum.StrEnum):
    RTSP = "rtsp"  # a network stream: rtsp://, rtsps://, http(s):// (MJPEG)
    DEVICE = "device"  # a local capture device: its index, or /dev/videoN
    FILE = "file"  # a video file played at its own frame rate (tests, demonstrations)

    @property
    def title(self) -> str:
        return str(SOURCE_KIND_TITLES[self])


SOURCE_KIND_TITLES = {
    SourceKind.RTSP: _l("网络视频流"),
    SourceKind.DEVICE: _l("本机设备"),
    SourceKind.FILE: _l("视频文件"),
}


class GapReason(enum.StrEnum):
    OPEN_FAILED = "open_failed"  # the source could not be opened
    LOST = "lost"  # frames stopped arriving (network, camera, end of file)
    RECORDER_OFFLINE = "recorder_offline"  # no recorder ran between two recordings
    WRITE_FAILED = "write_failed"  # frames arrived but the segment could not be written (disk full)

    @property
    def title(self) -> str:
        return str(GAP_REASON_TITLES[self])


GAP_REASON_TITLES = {
    GapReason.OPEN_FAILED: _l("无法连接摄像头"),
    GapReason.LOST: _l("视频信号中断"),
    GapReason.RECORDER_OFFLINE: _l("录像程序未运行"),
    GapReason.WRITE_FAILED: _l("录像写入失败"),
}


class Camera(IdMixin, TimestampMixin, Base):
    """One camera of a room (front, back, or any other position) and where its video comes from."""

    __tablename__ = "cameras"

    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"), index=True)
    position: Mapped[str] = mapped_column(sa.String(30))  # "front", "back" or a free label
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    source_kind: Mapped[SourceKind] = mapped_column(enum_type(SourceKind, "camera_source_kind"))
    source: Mapped[str] = mapped_column(sa.String(500))
    # The recorder host that records this camera; "" lets any recorder take it.
    host: Mapped[str] = mapped_column(sa.String(60), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # Health, written by the recorder: when the last frame arrived and the last failure.
    last_frame_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")

    room: Mapped[Room] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("room_id", "position"),
        sa.CheckConstraint("source <> ''", name="source_given"),
    )

    @property
    def label(self) -> str:
        return self.name or self.position


class Segment(IdMixin, Base):
    """A closed, fixed-length piece of recording: one file under MEDIA_DIR with its hash."""

    __tablename__ = "camera_segments"

    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"))
    started_at: Mapped[datetime]  # the first frame
    ended_at: Mapped[datetime]  # just after the last frame
    frames: Mapped[int]
    fps: Mapped[float]  # the frame rate written into the file (video time = frame / fps)
    width: Mapped[int]
    height: Mapped[int]
    bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    path: Mapped[str] = mapped_column(sa.String(300), unique=True)  # relative to MEDIA_DIR
    codec: Mapped[str] = mapped_column(sa.String(10))  # the fourcc, e.g. VP80
    mime: Mapped[str] = mapped_column(sa.String(40))  # e.g. video/webm

    camera: Mapped[Camera] = relationship()

    __table_args__ = (
        sa.Index("ix_camera_segments_camera_started", "camera_id", "started_at"),
        sa.CheckConstraint("ended_at >= started_at", name="time_order"),
        sa.CheckConstraint("frames > 0 AND bytes >= 0", name="counts"),
    )

    @property
    def seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()


class Gap(IdMixin, Base):
    """A stretch of time a camera did not record, and why."""

    __tablename__ = "camera_gaps"

    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    reason: Mapped[GapReason] = mapped_column(enum_type(GapReason, "camera_gap_reason"))
    detail: Mapped[str] = mapped_column(sa.String(300), default="")

    camera: Mapped[Camera] = relationship()

    __table_args__ = (
        sa.Index("ix_camera_gaps_camera_started", "camera_id", "started_at"),
        sa.CheckConstraint("ended_at >= started_at", name="time_order"),
    )


class IncidentSnapshot(IdMixin, Base):
    """A still picture from one camera of the room for an incident (or why there is none)."""

    __tablename__ = "incident_snapshots"

    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id", ondelete="CASCADE"))
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"))
    taken_at: Mapped[datetime | None]  # the moment the picture shows
    path: Mapped[str | None] = mapped_column(sa.String(300))  # relative to MEDIA_DIR; None: no picture
    origin: Mapped[str] = mapped_column(sa.String(10))  # "live", "segment" or "none"

    incident: Mapped[Incident] = relationship()
    camera: Mapped[Camera] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("incident_id", "camera_id"),
        sa.CheckConstraint("origin IN ('live', 'segment', 'none')", name="origin"),
    )
