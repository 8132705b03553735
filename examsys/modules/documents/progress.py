"""What a document renderer gets (a progress reporter) and gives back (the file)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from examsys.core.db import db, utcnow
from examsys.modules.documents.models import DocumentJob


@dataclass(frozen=True)
class Output:
    data: bytes
    filename: str
    mimetype: str = "application/pdf"


class Progress:
    """Handed to a job's renderer: report the total, then each finished step (commits)."""

    def __init__(self, job: DocumentJob):
        self.job = job

    def start(self, total: int) -> None:
        self.job.total, self.job.done, self.job.reused = total, 0, 0
        self._commit()

    def advance(self, steps: int, *, reused: bool = False) -> None:
        self.job.done += steps
        if reused:
            self.job.reused += steps
        self._commit()

    def _commit(self) -> None:
        self.job.heartbeat_at = utcnow()
        db.session.commit()


Renderer = Callable[[dict[str, Any], Progress], Output]
