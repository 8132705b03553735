"""Configuration: one table of defaults, overridden by ``EXAMSYS_*`` environment variables.

Nothing here touches the disk at import time; :func:`load_config` runs inside
``create_app`` and is the only place that may create ``instance/`` files.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def _bool(value: str) -> bool:
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


@dataclass(frozen=True)
class Setting:
    """One documented configuration variable (the README table is built from these)."""

    env: str
    key: str
    default: Callable[[Path], Any] | Any
    parse: Callable[[str], Any]
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "EXAMSYS_DATABASE_URL",
        "SQLALCHEMY_DATABASE_URI",
        lambda inst: f"sqlite:///{inst / 'examsys.sqlite3'}",
        str,
        "SQLAlchemy URL. Default: SQLite file instance/examsys.sqlite3 (WAL, busy timeout, "
        "foreign keys on). PostgreSQL: postgresql+psycopg://user@host/db",
    ),
    Setting(
        "EXAMSYS_REDIS_URL",
        "REDIS_URL",
        None,
        str,
        "Optional. Redis URL for the Socket.IO message queue, so any process can emit.",
    ),
    Setting(
        "EXAMSYS_REALTIME_PUBLISH_ONLY",
        "REALTIME_PUBLISH_ONLY",
        False,
        _bool,
        "With EXAMSYS_REDIS_URL: this process only publishes real-time events and serves no console "
        "(the machine-test tier, make serve-exam), so it does not listen to every event of the others.",
    ),
    Setting(
        "EXAMSYS_SECRET_KEY",
        "SECRET_KEY",
        None,
        str,
        "Session signing key. Default: generated once into instance/secret_key.",
    ),
    Setting(
        "EXAMSYS_MEDIA_DIR",
        "MEDIA_DIR",
        lambda inst: str(inst / "media"),
        str,
        "Photos, documents and recordings. Default: instance/media",
    ),
    Setting(
        "EXAMSYS_PLAN_LEAD_WORKING_DAYS",
        "PLAN_LEAD_WORKING_DAYS",
        10,
        int,
        "Working days a new exam plan must be filed with the province before its first session.",
    ),
    Setting(
        "EXAMSYS_TIMEZONE",
        "DISPLAY_TIMEZONE",
        "Asia/Shanghai",
        str,
        "Time zone used for display; storage is always UTC.",
    ),
    Setting(
        "EXAMSYS_DEFAULT_LOCALE",
        "BABEL_DEFAULT_LOCALE",
        "zh_Hans_CN",
        str,
        "UI language when the user has not chosen one (zh_Hans_CN or en).",
    ),
    Setting(
        "EXAMSYS_DB_POOL_SIZE",
        "DB_POOL_SIZE",
        20,
        int,
        "Database connections each web process keeps open (10 more are opened under load and closed after).",
    ),
    Setting(
        "EXAMSYS_SQLITE_BUSY_TIMEOUT",
        "SQLITE_BUSY_TIMEOUT",
        30,
        int,
        "Seconds SQLite waits for a lock before failing.",
    ),
    Setting(
        "EXAMSYS_LOGIN_MAX_FAILURES",
        "LOGIN_MAX_FAILURES",
        5,
        int,
        "Failed logins per user name (x4 per client address) before a lock-out.",
    ),
    Setting(
        "EXAMSYS_LOGIN_LOCKOUT_MINUTES",
        "LOGIN_LOCKOUT_MINUTES",
        15,
        int,
        "Window and length of a login lock-out, in minutes.",
    ),
    Setting(
        "EXAMSYS_EXAM_SEAT_BINDING",
        "EXAM_SEAT_BINDING",
        False,
        _bool,
        "Machine test: a candidate may log in only from their seat's machine (its IP address).",
    ),
    Setting(
        "EXAMSYS_EARLIEST_SUBMIT_MINUTES",
        "EARLIEST_SUBMIT_MINUTES",
        30,
        int,
        "Machine test: minutes after the start before a candidate may hand in (per session it can differ).",
    ),
    Setting(
        "EXAMSYS_EXAM_HEARTBEAT_SECONDS",
        "EXAM_HEARTBEAT_SECONDS",
        5,
        float,
        "Machine test: seconds between the exam page's heartbeats (presence only, no database write).",
    ),
    Setting(
        "EXAMSYS_EXAM_OFFLINE_SECONDS",
        "EXAM_OFFLINE_SECONDS",
        15,
        float,
        "Machine test: seconds without a heartbeat after which the console shows a seat offline.",
    ),
    Setting(
        "EXAMSYS_EXAM_IDLE_MINUTES",
        "EXAM_IDLE_MINUTES",
        10,
        int,
        "Machine test: minutes without a saved answer after which the console marks a seat idle.",
    ),
    Setting(
        "EXAMSYS_LATE_ENTRY_MINUTES",
        "LATE_ENTRY_MINUTES",
        15,
        int,
        "Minutes after a session starts after which candidates may not enter; the rest are marked absent.",
    ),
    Setting(
        "EXAMSYS_PDF_WORKERS",
        "PDF_WORKERS",
        2,
        int,
        "Processes that lay out bulk PDFs (tickets, room papers) in parallel; one per CPU core.",
    ),
    Setting(
        "EXAMSYS_CAMERA_SEGMENT_SECONDS",
        "CAMERA_SEGMENT_SECONDS",
        300,
        int,
        "Cameras: length of each recorded segment, in seconds.",
    ),
    Setting(
        "EXAMSYS_RECORDING_RETENTION_DAYS",
        "RECORDING_RETENTION_DAYS",
        1830,
        int,
        "Cameras: days recordings are kept (at least five years); never purged while their batch is under review or appeal.",
    ),
    Setting(
        "EXAMSYS_SECURE_COOKIES",
        "SESSION_COOKIE_SECURE",
        False,
        _bool,
        "Send cookies over HTTPS only (turn on behind TLS).",
    ),
)


class ConfigError(RuntimeError):
    """Raised at start-up when a setting is missing or malformed."""


def _instance_dir(overrides: dict[str, Any]) -> Path:
    path = overrides.get("INSTANCE_DIR") or os.environ.get("EXAMSYS_INSTANCE_DIR")
    return Path(path) if path else DEFAULT_INSTANCE


def _secret_key(instance: Path) -> str:
    """Read the instance secret, creating it once with owner-only permissions."""
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the validated configuration: defaults < environment < ``overrides``."""
    overrides = dict(overrides or {})
    instance = _instance_dir(overrides)
    config: dict[str, Any] = {"INSTANCE_DIR": str(instance)}
    for setting in SETTINGS:
        raw = os.environ.get(setting.env)
        if raw is not None and raw != "":
            try:
                config[setting.key] = setting.parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{setting.env}: {exc}") from exc
        elif callable(setting.default):
            config[setting.key] = setting.default(instance)
        else:
            config[setting.key] = setting.default
    config.update(overrides)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _secret_key(instance)
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _pool_options(config))
    config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "examsys" / "translations"))
    config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("MAX_CONTENT_LENGTH", 64 * 1024 * 1024)
    _validate(config)
    return config


def _pool_options(config: dict[str, Any]) -> dict[str, Any]:
    """Connections kept open for the request threads: on PostgreSQL a connection opened per
    request costs more than the request (SQLAlchemy's default keeps 5, closing the rest after
    use). An in-memory SQLite database has its own single-connection pool."""
    url = config["SQLALCHEMY_DATABASE_URI"]
    if url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url:
        return {}
    return {"pool_size": config["DB_POOL_SIZE"], "max_overflow": 10}


def _validate(config: dict[str, Any]) -> None:
    url = config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith(("sqlite", "postgresql")):
        raise ConfigError(f"EXAMSYS_DATABASE_URL: only SQLite and PostgreSQL are supported, got {url!r}")
    if config["LOGIN_MAX_FAILURES"] < 1:
        raise ConfigError("EXAMSYS_LOGIN_MAX_FAILURES must be at least 1")
