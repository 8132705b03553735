"""examsys: vocational skill-level certification for a school's certification centre."""

from examsys.app import create_app

__all__ = ["create_app"]
