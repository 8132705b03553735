"""`flask cameras ...`: the camera registry, the recorder process (one per host), retention."""

from __future__ import annotations

import getpass
import signal
import socket
import tempfile
import threading
from pathlib import Path

import click
import cv2
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from examsys.cli.common import cli_operation
from examsys.core.audit import acting_as
from examsys.core.db import db, lock_for_write, utcnow
from examsys.core.errors import DomainError
from examsys.modules.proctoring.cameras import recorder, registry, retention
from examsys.modules.proctoring.cameras.models import SourceKind
from examsys.modules.proctoring.cameras.video import FOURCC, SUFFIX, SourceSpec, open_capture, probe_writer, sane_fps
from examsys.modules.scheduling.models import Room

cameras_cli = AppGroup("cameras", help="摄像头 / Room cameras: registry, recorder, retention.")


@cameras_cli.command("record")
@click.option("--host", default=None, help="Recorder host name (default: this machine's). Records its cameras "
              "and those assigned to no host.")  # fmt: skip
@click.option("--segment-seconds", type=float, default=None, help="Segment length (default CAMERA_SEGMENT_SECONDS).")
@click.option("--max-seconds", type=float, default=None, help="Stop after this long (default: run until stopped).")
def record(host: str | None, segment_seconds: float | None, max_seconds: float | None) -> None:
    """Record every camera of this host into segments until Ctrl-C / SIGTERM."""
    host = host or socket.gethostname()
    seconds = segment_seconds or float(current_app.config["CAMERA_SEGMENT_SECONDS"])
    if not probe_writer(Path(tempfile.gettempdir())):
        raise click.ClickException(f"this OpenCV build cannot write {FOURCC} {SUFFIX} video")
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    click.echo(f"recording on {host}: {seconds:g} s segments into {current_app.config['MEDIA_DIR']}")
    with acting_as(f"recorder:{host}"):
        summary = recorder.record(host, recorder.Options(segment_seconds=seconds), stop=stopping.is_set,
                                  max_seconds=max_seconds)  # fmt: skip
    click.echo(f"{summary.cameras} cameras: {summary.segments} segments, {summary.frames} frames, "
               f"{summary.gaps} gaps, {summary.snapshots} snapshots")  # fmt: skip
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)


@cameras_cli.command("list")
def list_() -> None:
    """Every camera with its source (without passwords), host and health."""
    now = utcnow()
    for camera in registry.all_cameras():
        seen = camera.last_frame_at.isoformat(timespec="seconds") if camera.last_frame_at else "-"
        click.echo(f"{camera.id:>4} {camera.room.code:<10} {camera.position:<8} {camera.source_kind.value:<6} "
                   f"{registry.masked_source(camera):<40} host={camera.host or '*'} "
                   f"{registry.health(camera, now):<8} last frame {seen} {camera.last_error}")  # fmt: skip


@cameras_cli.command("check")
@click.option("--host", default=None, help="Only the cameras this host records (default: all active cameras).")
def check(host: str | None) -> None:
    """Can we write the segment format, and does each camera deliver a frame now?"""
    ok = probe_writer(Path(tempfile.gettempdir()))
    click.echo(f"writer {FOURCC} {SUFFIX}: {'ok' if ok else 'NOT AVAILABLE'}")
    failed = 0 if ok else 1
    for camera in registry.cameras_for_host(host):
        capture = open_capture(SourceSpec(camera.id, camera.source_kind, camera.source))
        got, frame = capture.read() if capture is not None else (False, None)
        if got:
            fps = sane_fps(capture.get(cv2.CAP_PROP_FPS))
            click.echo(f"{camera.id:>4} {camera.room.code} {camera.position}: ok {frame.shape[1]}x{frame.shape[0]} "
                       f"{fps:g} fps")  # fmt: skip
        else:
            failed += 1
            click.echo(f"{camera.id:>4} {camera.room.code} {camera.position}: NO PICTURE")
        if capture is not None:
            capture.release()
    if failed:
        raise click.exceptions.Exit(1)


@cameras_cli.command("add")
@click.argument("room_code")
@click.argument("position")
@click.argument("source")
@click.option("--kind", type=click.Choice([k.value for k in SourceKind]), default=None, help="Default: guessed.")
@click.option("--name", default="")
@click.option("--host", default="", help="Recorder host that records it (default: any).")
@cli_operation
def add(room_code: str, position: str, source: str, kind: str | None, name: str, host: str) -> None:
    """Register a camera of ROOM_CODE at POSITION (front, back, ...) reading SOURCE."""
    room = db.session.scalar(sa.select(Room).where(Room.code == room_code))
    if room is None:
        raise DomainError(f"no room {room_code!r}")
    data = registry.CameraData(position, source, SourceKind(kind) if kind else None, name=name, host=host)
    camera = registry.add_camera(room, data)
    click.echo(f"camera {camera.id}: {room.code} {camera.position} ({camera.source_kind.value})")


@cameras_cli.command("seed")
@click.option("--host", default="", help="Recorder host for the new cameras (default: any).")
@cli_operation
def seed(host: str) -> None:
    """Register the rooms' front/back camera fields that name a source (URL, device, video file)."""
    created = registry.seed_from_rooms(host)
    for camera in created:
        click.echo(f"camera {camera.id}: {camera.room.code} {camera.position} {registry.masked_source(camera)}")
    click.echo(f"{len(created)} cameras registered")


@cameras_cli.command("purge")
def purge() -> None:
    """Delete recordings older than RECORDING_RETENTION_DAYS, except those under review or appeal."""
    with acting_as(f"cli:{getpass.getuser()}"):
        try:
            lock_for_write(db.session)
            result = retention.purge()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    removed = retention.remove_files(result.files)
    click.echo(f"before {result.cutoff:%Y-%m-%d}: {result.segments} segments ({removed} files, {result.bytes} bytes) "
               f"and {result.gaps} gaps purged; {result.kept} kept for review or appeal")  # fmt: skip
