"""The machine test's rules: seat-bound login, prepared papers, autosave, server time, scoring."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from examsys.core.db import db, refresh_statistics
from examsys.core.errors import DomainError
from examsys.modules.banks.models import PaperItem
from examsys.modules.delivery import clock, login, preparation, saving, submission
from examsys.modules.delivery.models import Answer, Attempt, AttemptEvent, AttemptStatus, EventKind, SubmittedBy
from examsys.modules.scheduling.models import Placement
from tests.delivery.conftest import at


def placement_of(app) -> Placement:
    return db.session.scalars(sa.select(Placement).where(Placement.application_id == app.id)).one()


def id_number(person) -> str:
    return person.documents[0].number


def started(exam, minutes=1):
    attempt, token = login.login(placement_of(exam["app"]), id_number(exam["person"]), "10.0.0.1", at(-5))
    assert login.begin(attempt, at(minutes))
    return attempt, token


def change(attempt, index, labels, seq, flagged=False):
    item_id, _shown = attempt.item_order[index]
    return saving.Change(item_id, tuple(labels), flagged, seq)


def key_of(item_id):
    return db.session.get(PaperItem, item_id).revision.key


def test_every_seat_has_a_prepared_attempt_with_its_form_and_a_full_order(exam):
    attempts = db.session.scalars(sa.select(Attempt)).all()
    assert len(attempts) == 3 and all(a.status is AttemptStatus.PREPARED for a in attempts)
    for attempt in attempts:
        assert attempt.paper.form == attempt.placement.form
        assert len(attempt.item_order) == 20 == len({i for i, _ in attempt.item_order})
    orders = [[i for i, _ in a.item_order] for a in attempts if a.paper.form == attempts[0].paper.form]
    assert preparation.prepare_attempts(exam["session"]) == 0  # preparing again changes nothing
    assert all(a.paper.opens_at == exam["session"].starts_at for a in attempts)
    assert orders


def test_preparing_a_sitting_refreshes_the_planner_statistics_on_postgresql(exam):
    """The synchronised start's lookups are planned on statistics that know this sitting: the
    session's attempts and placements are counted in the same transaction that made them."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's planner keeps no statistics of its own")
    session_id = exam["session"].id
    stats = sa.text("SELECT most_common_vals::text FROM pg_stats WHERE tablename = :t AND attname = 'session_id'")
    for table in ("attempts", "placements"):
        common = db.session.scalar(stats, {"t": table})
        assert common is not None and str(session_id) in common.strip("{}").split(","), (table, common)
    with pytest.raises(ValueError, match="no such tables"):
        refresh_statistics("attempts; DROP TABLE attempts")


def test_wrong_id_is_refused_and_the_right_one_logs_in(exam):
    placement = placement_of(exam["app"])
    with pytest.raises(DomainError) as refused:
        login.login(placement, "110101199001011234", "10.0.0.1", at(-5))
    assert refused.value.problems[0].field == "id_number"
    attempt, token = login.login(placement, id_number(exam["person"]).lower(), "10.0.0.1", at(-5))
    assert token and attempt.client_token == token and attempt.logins == 1
    assert not login.begin(attempt, at(-1))  # before the start: the lobby
    assert login.begin(attempt, at(0)) and attempt.status is AttemptStatus.IN_PROGRESS


def test_the_wrong_machine_is_refused_naming_the_right_room_and_seat(app, exam):
    placement = placement_of(exam["app"])
    other_seat = next(s for s in exam["lab"].seats if s.id != placement.seat_id)
    app.config["EXAM_SEAT_BINDING"] = True
    try:
        with pytest.raises(DomainError) as refused:
            login.login(placement, id_number(exam["person"]), other_seat.ip, at(-5))
        message = refused.value.problems[0].message
        assert exam["lab"].name in message and placement.seat.label in message and other_seat.label in message
        attempt, _token = login.login(placement, id_number(exam["person"]), placement.seat.ip, at(-5))
        kinds = [
            e.kind for e in db.session.scalars(sa.select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id))
        ]
        assert EventKind.SEAT_CHANGE in kinds
    finally:
        app.config["EXAM_SEAT_BINDING"] = False


def test_a_second_login_takes_over_and_alerts(exam):
    attempt, first = started(exam)
    second_attempt, second = login.login(placement_of(exam["app"]), id_number(exam["person"]), "10.0.0.9", at(2))
    assert second_attempt is attempt and second != first
    with pytest.raises(saving.SaveRefused) as refused:
        saving.save(attempt, first, [change(attempt, 0, ["A"], 1)], at(3))
    assert refused.value.reason == "superseded"
    events = db.session.scalars(sa.select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt.id)).all()
    assert EventKind.SECOND_LOGIN in events


def test_saves_are_idempotent_and_a_higher_sequence_wins(exam):
    attempt, token = started(exam)
    assert saving.save(attempt, token, [change(attempt, 0, ["A"], 1)], at(2)) == 1
    assert saving.save(attempt, token, [change(attempt, 0, ["B"], 3), change(attempt, 1, ["C"], 2)], at(3)) == 3
    # A replay of old changes (a lost acknowledgement, a reload) changes nothing.
    assert saving.save(attempt, token, [change(attempt, 0, ["A"], 1), change(attempt, 1, ["D"], 2)], at(4)) == 3
    answers = {a.paper_item_id: a for a in db.session.scalars(sa.select(Answer).where(Answer.attempt_id == attempt.id))}
    assert answers[attempt.item_order[0][0]].choice == ["B"] and answers[attempt.item_order[1][0]].choice == ["C"]
    # Within one batch of changes the highest number per item wins too.
    saving.save(attempt, token, [change(attempt, 2, ["A"], 9), change(attempt, 2, ["B"], 8)], at(5))
    assert db.session.scalars(
        sa.select(Answer.choice).where(Answer.paper_item_id == attempt.item_order[2][0])
    ).one() == ["A"]


def test_bad_changes_are_refused_and_nothing_is_written(exam):
    attempt, token = started(exam)
    with pytest.raises(DomainError):
        saving.save(attempt, token, [change(attempt, 0, ["A"], 1), saving.Change(999_999, ("A",), False, 2)], at(2))
    with pytest.raises(DomainError):
        saving.save(attempt, token, [change(attempt, 0, ["Z"], 1)], at(2))
    single = next(
        i for i, (item_id, _) in enumerate(attempt.item_order) if db.session.get(PaperItem, item_id).qtype == "single"
    )
    with pytest.raises(DomainError):
        saving.save(attempt, token, [change(attempt, single, ["A", "B"], 1)], at(2))
    assert attempt.last_seq == 0


def test_no_save_after_the_deadline_and_the_late_save_is_recorded(exam):
    attempt, token = started(exam)
    saving.save(attempt, token, [change(attempt, 0, ["A"], 1)], at(89))
    with pytest.raises(saving.SaveRefused) as refused:
        saving.save(attempt, token, [change(attempt, 0, ["B"], 2)], at(90.1))
    assert refused.value.reason == "deadline"
    assert db.session.scalars(sa.select(AttemptEvent.kind).where(AttemptEvent.kind == EventKind.LATE_SAVE)).all()


def test_pauses_stop_the_clock_and_extensions_and_credits_move_the_deadline(exam):
    attempt, token = started(exam)
    room = clock.room_clock(exam["session"], exam["lab"].id)
    assert attempt.deadline_at == at(90)
    clock.pause_room(exam["session"], exam["lab"], "停电", at(10))
    assert attempt.deadline_at is None and clock.remaining_seconds(attempt, room, at(20)) == 80 * 60
    with pytest.raises(saving.SaveRefused):
        saving.save(attempt, token, [change(attempt, 0, ["A"], 1)], at(15))
    clock.resume_room(exam["session"], exam["lab"], at(25))
    assert attempt.deadline_at == at(105)
    clock.pause_attempt(attempt, "身体不适", at(30))
    clock.resume_attempt(attempt, at(35))
    clock.extend_attempt(attempt, 10, "特殊考生", at(36))
    clock.credit_outage(attempt, 120, "机器故障换座", at(37))
    assert attempt.deadline_at == at(105 + 5 + 10 + 2)
    with pytest.raises(DomainError):
        clock.extend_attempt(attempt, 5, "")


def test_proctor_started_rooms_wait_in_the_lobby(exam, db_session):
    from examsys.modules.delivery.models import SessionOptions

    db_session.add(SessionOptions(session_id=exam["session"].id, start_by_proctor=True))
    db_session.flush()
    attempt, _ = login.login(placement_of(exam["app"]), id_number(exam["person"]), "10.0.0.1", at(-5))
    assert not login.begin(attempt, at(3))
    clock.open_room(exam["session"], exam["lab"], at(5))
    assert login.begin(attempt, at(6)) and attempt.deadline_at == at(95)


def test_submit_scores_through_the_registry_and_is_final(exam):
    attempt, token = started(exam)
    changes = [
        saving.Change(item_id, tuple(key_of(item_id)), False, n)
        for n, (item_id, _) in enumerate(attempt.item_order[:5], 1)
    ]
    saving.save(attempt, token, changes, at(10))
    with pytest.raises(DomainError):
        submission.submit(attempt, SubmittedBy.CANDIDATE, at(20))  # earliest hand-in: 30 minutes
    submission.submit(attempt, SubmittedBy.CANDIDATE, at(31))
    expected = sum(Decimal(db.session.get(PaperItem, i).points) for i, _ in attempt.item_order[:5])
    assert attempt.score == expected and attempt.status is AttemptStatus.SUBMITTED
    assert sum(Decimal(v) for v in attempt.area_scores.values()) == expected
    submission.submit(attempt, SubmittedBy.CANDIDATE, at(32))  # harmless
    assert attempt.submitted_at == at(31)
    with pytest.raises(saving.SaveRefused):
        saving.save(attempt, token, [change(attempt, 6, ["A"], 99)], at(33))


def test_the_deadline_job_submits_open_attempts_only(exam):
    attempt, token = started(exam)
    saving.save(attempt, token, [change(attempt, 0, list(key_of(attempt.item_order[0][0])), 1)], at(5))
    assert submission.submit_overdue(at(89)) == 0
    assert submission.submit_overdue(at(91)) == 1
    assert attempt.status is AttemptStatus.SUBMITTED and attempt.submitted_by is SubmittedBy.DEADLINE
    never_started = db.session.scalars(sa.select(Attempt).where(Attempt.id != attempt.id)).all()
    assert all(a.status is AttemptStatus.PREPARED for a in never_started)  # absent, not submitted


def test_partial_credit_is_an_option(exam, db_session):
    from examsys.modules.delivery.models import SessionOptions

    db_session.add(SessionOptions(session_id=exam["session"].id, partial_credit=True))
    db_session.flush()
    attempt, token = started(exam)
    index = next(
        i for i, (item_id, _) in enumerate(attempt.item_order) if db.session.get(PaperItem, item_id).qtype == "multiple"
    )
    item_id = attempt.item_order[index][0]
    saving.save(attempt, token, [saving.Change(item_id, (key_of(item_id)[0],), False, 1)], at(5))
    submission.submit(attempt, SubmittedBy.PROCTOR, at(40))
    assert attempt.score == Decimal(3)  # one of two correct options of a 6-point item
