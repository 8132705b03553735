"""Staffing from the database: ratio checks, examiner cards, recusal, double duty, automatic assignment."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from examsys.core.errors import DomainError
from examsys.core.permissions import Role
from examsys.core.timezone import from_local
from examsys.modules.scheduling import operations as rooms
from examsys.modules.scheduling import practical_seating, seating, sessions, staffing
from examsys.modules.scheduling.models import RecusalKind, RoomKind, SessionKind, StaffingRatio, StaffRole

DAY = date(2026, 12, 10)


def at(hour, minute=0):
    return from_local(datetime(2026, 12, 10, hour, minute))


@pytest.fixture
def exam(school, make_plan, make_exam_batch, enrol, make_lab):
    batch = make_exam_batch()
    apps = enrol(batch, {"24电商1班": 10, "24电商2班": 10})
    plan = make_plan(batches=[batch])
    lab = make_lab(rows=5, cols=6)
    venue = rooms.create_venue("P-DS", "电商实训中心", RoomKind.PRACTICAL, 20, "电商运营工位", [school["occupation"]])
    theory = sessions.create_session(plan, sessions.SessionData(SessionKind.THEORY, "理论", at(8, 30), 90, [lab]))
    practical = sessions.create_session(plan, sessions.SessionData(SessionKind.PRACTICAL, "实操", at(14), 120, [venue]))
    seating.allocate_theory(plan)
    practical_seating.allocate_practical(plan)
    return {"plan": plan, "apps": apps, "lab": lab, "venue": venue, "theory": theory, "practical": practical,
            "occupation": school["occupation"], "batch": batch}  # fmt: skip


def examiner(make_user, occupation, issued=date(2025, 1, 1), until=None, level=3):
    user = make_user(Role.EXAMINER)
    staffing.add_card(user, f"KP{user.id:06d}", occupation, level, issued, until)
    return user


def codes(findings, room_id=None):
    return {f.code for f in findings if room_id is None or f.room_id == room_id}


def test_one_proctor_for_twenty_candidates_is_flagged(exam, make_user):
    staffing.assign_staff(exam["theory"], make_user(Role.PROCTOR), StaffRole.PROCTOR, exam["lab"])
    findings = staffing.staffing_check(exam["theory"])
    shortage = next(f for f in findings if f.code == "proctor_shortage")
    assert "考生 20 人" in shortage.message and "需监考员 2 人" in shortage.message and "现有 1 人" in shortage.message
    assert "no_supervisor" in codes(findings)
    staffing.assign_staff(exam["theory"], make_user(Role.PROCTOR), StaffRole.PROCTOR, exam["lab"])
    staffing.assign_staff(exam["theory"], make_user(Role.SUPERVISOR), StaffRole.SUPERVISOR)
    assert staffing.staffing_check(exam["theory"]) == []


@pytest.mark.parametrize(
    ("count", "per_examiner", "code"),
    [(2, 5, "examiner_shortage"), (4, 5, "examiner_shortage"), (5, 5, None), (4, 10, "examiner_even"), (3, 10, None)],
)
def test_a_venue_with_two_or_four_examiners_is_flagged(exam, make_user, db_session, count, per_examiner, code):
    # 20 candidates, 1 examiner per 5: ceil(20 / 5) = 4, made odd: 5. Per 10: 2, at least 3; 4 is even.
    if per_examiner != 5:
        db_session.add(StaffingRatio(occupation=exam["occupation"], candidates_per_examiner=per_examiner))
        db_session.flush()
    for _ in range(count):
        staffing.assign_staff(exam["practical"], examiner(make_user, exam["occupation"]), StaffRole.EXAMINER,
                              exam["venue"])  # fmt: skip
    found = codes(staffing.staffing_check(exam["practical"]), exam["venue"].id)
    assert found == ({code} if code else set())


def test_an_expired_card_is_refused_and_flagged(exam, make_user):
    lapsed = examiner(make_user, exam["occupation"], issued=date(2023, 1, 1), until=date(2025, 12, 31))
    with pytest.raises(DomainError) as refused:
        staffing.assign_staff(exam["practical"], lapsed, StaffRole.EXAMINER, exam["venue"])
    assert "到期" in refused.value.problems[0].message
    valid_until_exam_day = examiner(make_user, exam["occupation"], issued=date(2023, 12, 11), until=DAY)
    staffing.assign_staff(exam["practical"], valid_until_exam_day, StaffRole.EXAMINER, exam["venue"])


def test_a_card_must_cover_the_occupation_and_level(exam, make_user, make_exam_batch):
    user = make_user(Role.EXAMINER)
    with pytest.raises(DomainError) as refused:
        staffing.assign_staff(exam["practical"], user, StaffRole.EXAMINER, exam["venue"])
    assert "没有电子商务师" in refused.value.problems[0].message and "考评员证" in refused.value.problems[0].message
    low = examiner(make_user, exam["occupation"], level=5)  # covers 五级 only; candidates sit 四级
    with pytest.raises(DomainError):
        staffing.assign_staff(exam["practical"], low, StaffRole.EXAMINER, exam["venue"])


def test_declared_conflicts_relatives_and_taught_classes_are_recused(exam, make_user):
    conflicted, related, teacher = (examiner(make_user, exam["occupation"]) for _ in range(3))
    staffing.declare_recusal(conflicted, exam["apps"][0].person, RecusalKind.CONFLICT, "曾为其实习指导")
    staffing.declare_recusal(related, exam["apps"][1].person, RecusalKind.RELATIVE)
    staffing.record_teaching(teacher, exam["batch"], "24电商2班")
    for user, word in ((conflicted, "利害关系"), (related, "亲属关系"), (teacher, "授课")):
        with pytest.raises(DomainError) as refused:
            staffing.assign_staff(exam["practical"], user, StaffRole.EXAMINER, exam["venue"])
        assert word in refused.value.problems[0].message
    with pytest.raises(DomainError):
        staffing.declare_recusal(conflicted, exam["apps"][0].person, RecusalKind.CONFLICT)


def test_nobody_is_on_duty_in_two_places(exam, make_user, make_lab, make_plan):
    proctor = make_user(Role.PROCTOR)
    staffing.assign_staff(exam["theory"], proctor, StaffRole.PROCTOR, exam["lab"])
    other = sessions.create_session(
        make_plan(), sessions.SessionData(SessionKind.THEORY, "他场", at(9), 60, [make_lab()])
    )
    with pytest.raises(DomainError) as refused:
        staffing.assign_staff(other, proctor, StaffRole.PROCTOR, other.rooms[0])
    assert "值守" in refused.value.problems[0].message
    with pytest.raises(DomainError):
        staffing.assign_staff(exam["theory"], proctor, StaffRole.SUPERVISOR)
    examiner_only = make_user(Role.EXAMINER)
    with pytest.raises(DomainError):
        staffing.assign_staff(exam["theory"], examiner_only, StaffRole.PROCTOR, exam["lab"])


def test_auto_assignment_fills_rooms_skipping_ineligible_examiners_and_reports_shortages(exam, make_user):
    for _ in range(3):
        make_user(Role.PROCTOR)
    make_user(Role.SUPERVISOR)
    good = [examiner(make_user, exam["occupation"]) for _ in range(4)]
    lapsed = examiner(make_user, exam["occupation"], issued=date(2020, 1, 1), until=date(2023, 1, 1))
    added, shortages = staffing.auto_assign(exam["plan"])
    theory = staffing.staffing_check(exam["theory"])
    assert not {"proctor_shortage", "no_supervisor"} & codes(theory)
    practical = staffing.staffing_check(exam["practical"])
    assert codes(practical) == {"examiner_shortage"}  # 4 valid examiners for the 5 needed
    assert any("考评员" in s for s in shortages) and added >= 3 + 4
    assigned = {a.user_id for a in staffing.util.session_staff(exam["practical"]) if a.role is StaffRole.EXAMINER}
    assert lapsed.id not in assigned and len(assigned & {u.id for u in good}) >= 3


def test_ratios_are_stored_per_occupation(exam, make_user, db_session):
    db_session.add(StaffingRatio(occupation=exam["occupation"], candidates_per_proctor=5, min_proctors=2,
                                 candidates_per_examiner=5, min_examiners=3, examiners_odd=True))  # fmt: skip
    db_session.flush()
    for _ in range(2):
        staffing.assign_staff(exam["theory"], make_user(Role.PROCTOR), StaffRole.PROCTOR, exam["lab"])
    shortage = next(f for f in staffing.staffing_check(exam["theory"]) if f.code == "proctor_shortage")
    assert "需监考员 4 人" in shortage.message


def test_ratio_edits_are_validated_and_audited(exam):
    with pytest.raises(DomainError) as refused:
        staffing.set_ratio(exam["occupation"], candidates_per_proctor=0, min_proctors=2, candidates_per_examiner=5,
                           min_examiners=3, examiners_odd=True)  # fmt: skip
    assert refused.value.problems[0].field == "candidates_per_proctor"
    ratio = staffing.set_ratio(exam["occupation"], candidates_per_proctor=10, min_proctors=3, candidates_per_examiner=4,
                               min_examiners=3, examiners_odd=False)  # fmt: skip
    assert ratio.candidates_per_proctor == 10
    again = staffing.set_ratio(exam["occupation"], candidates_per_proctor=12, min_proctors=3, candidates_per_examiner=4,
                               min_examiners=3, examiners_odd=False)  # fmt: skip
    assert again is ratio and ratio.candidates_per_proctor == 12
    shortage = next(f for f in staffing.staffing_check(exam["theory"]) if f.code == "proctor_shortage")
    assert "需监考员 3 人" in shortage.message  # ceil(20 / 12) = 2, at least 3
