"""Delivery reads: the candidate's attempt, and the exam state the browser renders."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from examsys.core.db import db, plain
from examsys.core.errors import NotFound
from examsys.modules.banks.models import ItemRevision, Paper, PaperItem
from examsys.modules.delivery import clock, options
from examsys.modules.delivery.models import Answer, Attempt, AttemptStatus
from examsys.modules.people.models import Person
from examsys.modules.proctoring.models import RoomMessage
from examsys.modules.registration.models import Application
from examsys.modules.scheduling.models import ExamSession, Placement, Room


def get_attempt(attempt_id: int) -> Attempt:
    """The attempt with its placement, seat and session in the same query (every exam call uses them)."""
    attempt = db.session.get(Attempt, attempt_id, options=_WITH_SEAT)
    if attempt is None:
        raise NotFound(_("考试记录不存在"))
    return attempt


_WITH_SEAT = (
    joinedload(Attempt.placement).joinedload(Placement.seat),
    joinedload(Attempt.session),
)


def state(attempt: Attempt | int, now: datetime, with_paper: bool, timing: clock.Timing | None = None,
          who: sa.Row | None = None) -> dict:  # fmt: skip
    """Everything the exam page needs, as plain JSON (never the keys). Plain-row reads: every
    candidate asks for it at the synchronised start. ``who`` is a row with the candidate's
    name, room, session (name) and starts_at, when the caller has read them already."""
    attempt_id = attempt if isinstance(attempt, int) else attempt.id
    timing = timing or clock.timing_of(attempt_id)
    connection = plain()
    who = who or connection.execute(_WHO, {"placement_id": timing.placement_id}).one()
    deadline = timing.deadline(now)
    data = {
        "now": now.isoformat(),
        "status": timing.status.value,
        "open": timing.status is AttemptStatus.IN_PROGRESS,
        "paused": timing.paused,
        "remaining": None if deadline is None else max(0, int((deadline - now).total_seconds())),
        "starts_at": (timing.start or who.starts_at).isoformat(),
        "duration_minutes": timing.duration_minutes,
        "earliest_submit_minutes": timing.earliest_submit_minutes,
        "last_seq": timing.last_seq,
        "candidate": {"name": who.name, "room": who.room, "seat": timing.seat, "session": who.session},
    }  # fmt: skip
    data["messages"] = [{"id": m.id, "body": m.body, "at": m.sent_at.isoformat()}  # the proctor's broadcasts
                        for m in connection.execute(_MESSAGES, {"session_id": timing.session_id, "room_id": timing.room_id})]  # fmt: skip
    if with_paper and timing.status is AttemptStatus.IN_PROGRESS:
        data["items"] = _items(timing)
        data["answers"] = {
            str(item_id): {"choice": choice, "flagged": flagged, "seq": seq}
            for item_id, choice, flagged, seq in connection.execute(_ANSWERS, {"attempt_id": attempt_id})
        }
    if timing.status is AttemptStatus.SUBMITTED:
        data.update(options.result_view(get_attempt(attempt_id) if isinstance(attempt, int) else attempt))
    return data


def _items(timing: clock.Timing) -> list[dict]:
    """The paper as this candidate sees it: their item order and option order (no keys)."""
    content = sealed_items(timing)
    items = []
    for number, (item_id, labels) in enumerate(timing.item_order, start=1):
        item = content[item_id]
        items.append({"id": item_id, "number": number, "qtype": item.qtype, "points": item.points,
                      "stem": item.stem, "options": [{"label": lb, "text": item.texts[lb]} for lb in labels]})  # fmt: skip
    return items


class SealedItem(NamedTuple):
    qtype: str
    points: str
    stem: str
    texts: dict[str, str]  # option label -> text
    revision_id: int


_CONTENT: dict[tuple[str, int], dict[int, SealedItem]] = {}


class AttemptPaper(NamedTuple):
    """What an autosave checks its changes against: the attempt's paper (its items are the
    form's, :func:`sealed_items`) and the moment it opened."""

    attempt_id: int
    paper_id: int
    paper_hash: str
    started_at: datetime


_OPEN_PAPERS: dict[tuple[int, str], AttemptPaper] = {}
_LOADING = threading.Lock()


def open_paper_of(attempt_id: int, token: str) -> AttemptPaper | None:
    """The paper of an attempt in progress for the browser holding ``token``, else None.

    Cached per process once the paper is open: its form and item order never change after
    that (preparation only rewrites prepared attempts). Keyed with the login's random token, so
    a new login, or the same attempt id in another database, never finds an old entry; the
    autosave's guarded update checks the token, the status, the form and the opening moment, and
    drops the entry when anything about it is amiss.

    An entry holds no item order: the changes are checked against the form's items, which every
    seat of the form shows. Reading and decoding each seat's order (JSON lists) was most of a
    room's read at the synchronised start, and kept over half a million lists per process at
    6,000 seats of 100 items, which every full collection walked with every thread stopped.
    """
    found = _OPEN_PAPERS.get((attempt_id, token))
    if found is None and token:
        # A miss reads the whole room's open attempts: at the synchronised start every seat's first
        # save misses in every web process, and one read per room instead of per seat keeps that
        # cheap. One read at a time, looking again once it is this one's turn: a room's seats miss
        # together, and each read decodes every paper of the room (a fifth of the server's CPU
        # in the first seconds at 6,000 seats, when concurrent misses each read the room again).
        with _LOADING:
            found = _OPEN_PAPERS.get((attempt_id, token))
            if found is None:
                _read_room_of(attempt_id)
                found = _OPEN_PAPERS.get((attempt_id, token))
    return found


def _read_room_of(attempt_id: int) -> None:
    if len(_OPEN_PAPERS) >= 50_000:  # far more seats than one process serves at once
        _OPEN_PAPERS.clear()
    for row in plain().execute(_OPEN_PAPERS_OF_ROOM, {"attempt_id": attempt_id}):
        if row.client_token:
            _OPEN_PAPERS[(row.id, row.client_token)] = AttemptPaper(
                row.id, row.paper_id, row.content_hash, row.started_at
            )


def forget_open_paper(attempt_id: int, token: str) -> None:
    _OPEN_PAPERS.pop((attempt_id, token), None)


def once_per_seal(cache: dict, key: tuple, read: Callable[[], Any]) -> Any:
    """``read()`` once per process for a sealed paper; ``key`` must hold its content hash (the
    seal), so a changed paper - or the same ids in another database - never matches."""
    found = cache.get(key)
    if found is None:
        found = read()
        if len(cache) >= 256:  # forms of the sittings running now; older ones drop out
            cache.clear()
        cache[key] = found
    return found


def sealed_items(paper: clock.Timing | AttemptPaper) -> dict[int, SealedItem]:
    """The items of the attempt's paper (no keys), read once per process: every candidate of a
    form sees them all, each with all its options, in an order of their own
    (banks.assembly.candidate_order), so every autosave checks its changes against them.

    Keyed by the paper's content hash and id (see :func:`once_per_seal`).
    """

    def read() -> dict[int, SealedItem]:
        return {
            row.id: SealedItem(row.qtype, str(row.points), row.stem,
                               {o["label"]: o.get("text", "") for o in row.options}, row.revision_id)
            for row in plain().execute(_PAPER, {"paper_id": paper.paper_id})
        }  # fmt: skip

    return once_per_seal(_CONTENT, (paper.paper_hash, paper.paper_id), read)


_WHO = (
    sa.select(Person.name, Room.name.label("room"), ExamSession.name.label("session"), ExamSession.starts_at)
    .select_from(Placement)
    .join(Application, Application.id == Placement.application_id)
    .join(Person, Person.id == Application.person_id)
    .join(Room, Room.id == Placement.room_id)
    .join(ExamSession, ExamSession.id == Placement.session_id)
    .where(Placement.id == sa.bindparam("placement_id"))
)
_HERE = sa.orm.aliased(Attempt)
_HERE_PLACEMENT = sa.orm.aliased(Placement)
# The attempts in progress in the room (and sitting) of one attempt, with their papers. From the
# attempt to its placement, to the room's placements in that sitting, to their attempts: every
# step an index lookup. (Joining the sitting's attempts first read all of them - 6,000 at a big
# sitting - for every room, 77 ms a miss, which made the synchronised start's first saves wait.)
_OPEN_PAPERS_OF_ROOM = (
    sa.select(Attempt.id, Attempt.client_token, Attempt.paper_id, Paper.content_hash, Attempt.started_at)
    .select_from(_HERE)
    .join(_HERE_PLACEMENT, _HERE_PLACEMENT.id == _HERE.placement_id)
    .join(Placement, sa.and_(Placement.room_id == _HERE_PLACEMENT.room_id,
                             Placement.session_id == _HERE_PLACEMENT.session_id))
    .join(Attempt, Attempt.placement_id == Placement.id)
    .join(Paper, Paper.id == Attempt.paper_id)
    .where(_HERE.id == sa.bindparam("attempt_id"), Attempt.status == AttemptStatus.IN_PROGRESS)
)  # fmt: skip
_PAPER = (
    sa.select(
        PaperItem.id, PaperItem.qtype, PaperItem.points, PaperItem.revision_id, ItemRevision.stem, ItemRevision.options
    )
    .join(ItemRevision, ItemRevision.id == PaperItem.revision_id)
    .where(PaperItem.paper_id == sa.bindparam("paper_id"))
)
_MESSAGES = (  # the room's latest broadcasts, newest first
    sa.select(RoomMessage.id, RoomMessage.body, RoomMessage.sent_at)
    .where(RoomMessage.session_id == sa.bindparam("session_id"), RoomMessage.room_id == sa.bindparam("room_id"))
    .order_by(RoomMessage.sent_at.desc(), RoomMessage.id.desc())
    .limit(3)
)
_ANSWERS = sa.select(Answer.paper_item_id, Answer.choice, Answer.flagged, Answer.seq).where(
    Answer.attempt_id == sa.bindparam("attempt_id")
)
