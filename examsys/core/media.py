"""Files under EXAMSYS_MEDIA_DIR, stored once by content hash."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


def media_root() -> Path:
    return Path(current_app.config["MEDIA_DIR"])


def store_bytes(category: str, data: bytes, suffix: str) -> str:
    """Write ``data`` once under ``category/`` and return its path relative to the media root.

    The name is the SHA-256 of the content, so storing the same file twice is free and a
    stored file is never overwritten with different bytes. Writes go through a temporary
    file and an atomic rename, so a crash never leaves half a file.
    """
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(category) / digest[:2] / f"{digest}{suffix}"
    target = media_root() / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    return relative.as_posix()


def resolve(relative: str) -> Path:
    """The absolute path of a stored file; refuses paths that escape the media root."""
    root = media_root().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"path outside the media directory: {relative!r}")
    return path
