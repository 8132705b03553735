"""The camera registry: add and change a room's cameras, seed them from the rooms' camera fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from examsys.core import audit
from examsys.core.db import db, get_or_404
from examsys.core.errors import DomainError, Problem
from examsys.modules.proctoring.cameras.models import Camera, SourceKind
from examsys.modules.scheduling.models import Room

STREAM_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://")
VIDEO_SUFFIXES = (".webm", ".mp4", ".mkv", ".avi", ".mov", ".m4v")
DEVICE_PATTERN = re.compile(r"^(\d{1,2}|/dev/video\d{1,2})$")
CAMERA_FIELDS = ("position", "name", "source_kind", "source", "host", "active")


def classify_source(text: str) -> SourceKind | None:
    """What kind of source ``text`` names, or None when it is only a label ("L101-front")."""
    text = text.strip()
    if text.lower().startswith(STREAM_SCHEMES):
        return SourceKind.RTSP
    if DEVICE_PATTERN.match(text):
        return SourceKind.DEVICE
    if text.lower().endswith(VIDEO_SUFFIXES) and ("/" in text or "\\" in text):
        return SourceKind.FILE
    return None


def _fits(kind: SourceKind | None, source: str) -> bool:
    if kind is SourceKind.RTSP:
        return source.lower().startswith(STREAM_SCHEMES)
    if kind is SourceKind.DEVICE:
        return bool(DEVICE_PATTERN.match(source))
    return kind is SourceKind.FILE


@dataclass
class CameraData:
    position: str
    source: str
    source_kind: SourceKind | None = None  # None: guessed from the source
    name: str = ""
    host: str = ""
    active: bool = True


def _validate(room: Room, data: CameraData, camera: Camera | None) -> CameraData:
    problems = []
    position, source = data.position.strip(), data.source.strip()
    kind = data.source_kind or classify_source(source)
    if not position or len(position) > 30:
        problems.append(Problem(_("请填写机位（不超过 30 个字）"), field="position"))
    if not source or len(source) > 500:
        problems.append(Problem(_("请填写视频源（不超过 500 个字）"), field="source"))
    elif not _fits(kind, source):
        problems.append(Problem(_("视频源应为 rtsp:// 地址、设备编号或视频文件路径"), field="source"))
    if len(data.name) > 100 or len(data.host) > 60:
        problems.append(Problem(_("名称或录像主机过长"), field="name"))
    taken = db.session.scalar(
        sa.select(Camera.id).where(Camera.room_id == room.id, Camera.position == position)
    )  # fmt: skip
    if taken is not None and (camera is None or taken != camera.id):
        problems.append(Problem(_("该考场已有机位「%(p)s」", p=position), field="position"))
    if problems:
        raise DomainError(_("摄像头未保存"), problems)
    return CameraData(position, source, kind, data.name.strip(), data.host.strip(), data.active)


def add_camera(room: Room, data: CameraData) -> Camera:
    """Register a camera of ``room``; the source kind is guessed from the source when not given."""
    clean = _validate(room, data, None)
    camera = Camera(room_id=room.id, position=clean.position, name=clean.name, source_kind=clean.source_kind,
                    source=clean.source, host=clean.host, active=clean.active)  # fmt: skip
    db.session.add(camera)
    audit.record("camera.create", camera, after={"room": room.id, **audit.snapshot(camera, CAMERA_FIELDS)})
    return camera


def update_camera(camera: Camera, data: CameraData) -> Camera:
    """Change a camera's position, source, host or state; its recordings stay as they are."""
    clean = _validate(camera.room, data, camera)
    before = audit.snapshot(camera, CAMERA_FIELDS)
    camera.position, camera.name, camera.source_kind = clean.position, clean.name, clean.source_kind
    camera.source, camera.host, camera.active = clean.source, clean.host, clean.active
    audit.record("camera.update", camera, before=before, after=audit.snapshot(camera, CAMERA_FIELDS))
    return camera


def seed_from_rooms(host: str = "") -> list[Camera]:
    """Register the rooms' free-text front/back camera fields that name a source and are not registered."""
    created = []
    for room in db.session.scalars(sa.select(Room).where(Room.active).order_by(Room.code)):
        have = {c.position for c in room_cameras(room)}
        for position, text in (("front", room.front_camera), ("back", room.back_camera)):
            if position not in have and classify_source(text or ""):
                created.append(add_camera(room, CameraData(position, text, host=host)))
    return created


# --- reads ------------------------------------------------------------------------------------


def get_camera(camera_id: int) -> Camera:
    return get_or_404(Camera, camera_id, _("摄像头不存在"))


def room_cameras(room: Room, *, active_only: bool = False) -> list[Camera]:
    query = sa.select(Camera).where(Camera.room_id == room.id).order_by(Camera.position != "front",
                                                                        Camera.position != "back", Camera.position)  # fmt: skip
    if active_only:
        query = query.where(Camera.active)
    return list(db.session.scalars(query))


def cameras_for_host(host: str | None) -> list[Camera]:
    """The active cameras a recorder on ``host`` records: its own and the unassigned ones (all when None)."""
    query = sa.select(Camera).where(Camera.active).order_by(Camera.id)
    if host is not None:
        query = query.where(Camera.host.in_(("", host)))
    return list(db.session.scalars(query))


def all_cameras() -> list[Camera]:
    return list(db.session.scalars(sa.select(Camera).join(Room).order_by(Room.code, Camera.position)))


STALE_AFTER = timedelta(seconds=30)  # the recorder reports every 5 s while frames arrive
HEALTH_TITLES = {
    "ok": _l("正常"),
    "stale": _l("无画面"),
    "never": _l("尚未收到画面"),
    "inactive": _l("已停用"),
}


def health(camera: Camera, now: datetime) -> str:
    """ok / stale / never / inactive, from the last frame time the recorder wrote."""
    if not camera.active:
        return "inactive"
    if camera.last_frame_at is None:
        return "never"
    return "ok" if now - camera.last_frame_at <= STALE_AFTER else "stale"


def masked_source(camera: Camera) -> str:
    """The source without user name and password (stream URLs often carry them)."""
    if camera.source_kind is not SourceKind.RTSP:
        return camera.source
    parts = urlsplit(camera.source)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
