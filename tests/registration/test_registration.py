"""Batches, eligibility rules and the two-level review."""

from datetime import date

import pytest

from examsys.core.errors import DomainError, Forbidden
from examsys.modules.people.models import CertificateKind, HeldCertificate
from examsys.modules.registration import eligibility, operations
from examsys.modules.registration.models import ApplicationStatus, Decision, ReviewLevel
from tests.registration.conftest import DURING

PREREQ = [{"rule": "level_prerequisite", "params": {"months": 12}}]


def _cert(person, level, issued, name="电子商务师"):
    person.certificates.append(
        HeldCertificate(
            kind=CertificateKind.SKILL,
            name=name,
            level=level,
            number=f"S{issued:%Y%m%d}{level}{person.id:06d}",
            issue_date=issued,
        )
    )


def test_level_3_without_a_level_4_certificate_held_12_months_is_blocked(setup, make_batch, make_person):
    batch = make_batch(level=3, rules=PREREQ)
    person = make_person(major=setup["major"])
    with pytest.raises(DomainError) as err:
        operations.apply(batch, person, now=DURING)
    assert len(err.value.problems) == 1
    message = str(err.value.problems[0])
    assert message.startswith("持有低一级证书满规定月数") and "四级/中级工" in message and "12 个月" in message
    _cert(person, 4, date(2026, 3, 1))  # only 8 months before the exam
    with pytest.raises(DomainError) as err:
        operations.apply(batch, person, now=DURING)
    assert "仅 8 个月" in str(err.value.problems[0])
    person.certificates.clear()
    _cert(person, 4, date(2025, 11, 20))
    application = operations.apply(batch, person, now=DURING)
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.eligibility[0]["passed"] is True and "已满 12 个月" in application.eligibility[0]["explanation"]


def test_every_failed_rule_is_listed(setup, make_batch, make_person, make_major):
    rules = [
        {"rule": "major_related"},
        {"rule": "minimum_age", "params": {"years": 30}},
        {"rule": "training_hours", "params": {"hours": 80}},
        {"rule": "graduating_in_term", "params": {"from": "2027-06-01", "to": "2027-07-31"}},
    ]
    batch = make_batch(level=4, rules=rules)
    person = make_person(major=make_major(name="机械"), expected_graduation=date(2026, 6, 30))
    with pytest.raises(DomainError) as err:
        operations.apply(batch, person, training_hours=40, now=DURING)
    text = [str(p) for p in err.value.problems]
    assert len(text) == 4
    assert any("机械" in t and "电子商务" in t for t in text)
    assert any("需满 30 周岁" in t for t in text) and any("仅完成 40 学时" in t for t in text)
    assert any("2026-06-30" in t for t in text)


def test_no_recent_certificate_rule(setup, make_batch, make_person):
    batch = make_batch(level=4, rules=[{"rule": "no_recent_certificate", "params": {"months": 12}}])
    person = make_person(major=setup["major"])
    _cert(person, 4, date(2026, 5, 1))
    with pytest.raises(DomainError, match="不符合"):
        operations.apply(batch, person, now=DURING)


def test_related_occupations_count_for_the_prerequisite(setup, make_batch, make_person):
    batch = make_batch(
        level=3, rules=[{"rule": "level_prerequisite", "params": {"months": 12, "related_occupations": "互联网营销师"}}]
    )
    person = make_person(major=setup["major"])
    _cert(person, 4, date(2024, 1, 1), name="互联网营销师")
    assert operations.apply(batch, person, now=DURING).eligibility[0]["passed"]


def test_rule_configuration_is_validated(make_batch):
    with pytest.raises(DomainError):
        make_batch(rules=[{"rule": "no_such_rule"}])
    with pytest.raises(DomainError):
        make_batch(rules=[{"rule": "minimum_age", "params": {"years": "abc"}}])
    assert eligibility.months_between(date(2025, 11, 21), date(2026, 11, 20)) == 11


def test_only_the_owning_college_opens_batches_unless_granted(setup, make_batch, make_college):
    other = make_college(name="信息学院")
    with pytest.raises(DomainError) as err:
        make_batch(level=4, college=other)
    assert "由商贸学院申报" in str(err.value.problems[0])
    operations.grant_occupation(setup["occupation"].id, other)
    assert make_batch(level=4, college=other, name="授权批次").college is other


def test_one_application_per_person_and_the_window(setup, make_batch, make_person):
    from datetime import UTC, datetime

    batch = make_batch(level=4)
    person = make_person(major=setup["major"])
    operations.apply(batch, person, now=DURING)
    with pytest.raises(DomainError, match="已报名"):
        operations.apply(batch, person, now=DURING)
    with pytest.raises(DomainError, match="不在报名时间内"):
        operations.apply(batch, make_person(major=setup["major"]), now=datetime(2026, 12, 1, tzinfo=UTC))


def test_two_level_review_with_reasons(setup, make_batch, make_person, make_college):
    batch = make_batch(level=4)
    application = operations.apply(batch, make_person(major=setup["major"]), now=DURING)
    college_id = setup["college"].id
    with pytest.raises(DomainError, match="不能进行中心审核"):
        operations.review(application, ReviewLevel.CENTRE, Decision.APPROVE)
    with pytest.raises(DomainError, match="必须填写原因"):
        operations.review(application, ReviewLevel.COLLEGE, Decision.RETURN, " ", scope=college_id)
    with pytest.raises(Forbidden):
        operations.review(application, ReviewLevel.COLLEGE, Decision.APPROVE, scope=make_college().id)
    operations.review(application, ReviewLevel.COLLEGE, Decision.RETURN, "照片不合格", scope=college_id)
    assert application.status is ApplicationStatus.RETURNED and application.last_reason == "照片不合格"
    operations.resubmit(application, now=DURING)
    operations.review(application, ReviewLevel.COLLEGE, Decision.APPROVE, scope=college_id)
    with pytest.raises(Forbidden):
        operations.review(application, ReviewLevel.CENTRE, Decision.APPROVE, scope=college_id)
    operations.review(application, ReviewLevel.CENTRE, Decision.APPROVE)
    assert application.status is ApplicationStatus.APPROVED
    assert [(d.level.value, d.decision.value) for d in application.decisions] == [
        ("college", "return"),
        ("college", "approve"),
        ("centre", "approve"),
    ]


def test_bulk_review_is_all_or_nothing(setup, make_batch, make_person):
    batch = make_batch(level=4)
    apps = [operations.apply(batch, make_person(major=setup["major"]), now=DURING) for _ in range(3)]
    operations.review(apps[0], ReviewLevel.COLLEGE, Decision.REJECT, "资料不全")
    with pytest.raises(DomainError) as err:
        operations.review_many(apps, ReviewLevel.COLLEGE, Decision.APPROVE)
    assert len(err.value.problems) == 1 and "未通过" in str(err.value.problems[0])
    assert [a.status for a in apps[1:]] == [ApplicationStatus.SUBMITTED] * 2
    assert operations.review_many(apps[1:], ReviewLevel.COLLEGE, Decision.APPROVE) == 2


def test_bulk_registration_applies_the_eligible_and_reports_the_rest(setup, make_batch, make_person, make_major):
    batch = make_batch(level=4, rules=[{"rule": "major_related"}])
    good = [make_person(major=setup["major"]) for _ in range(2)]
    bad = make_person(name="外专业", major=make_major(name="园艺"))
    result = operations.apply_many(batch, [*good, bad], now=DURING)
    assert len(result.applied) == 2 and result.blocked[0][0] is bad and "园艺" in result.blocked[0][1][0]


def test_fees_and_registration_by_list(setup, make_batch, make_person):
    from decimal import Decimal

    batch = make_batch(level=4, fee=Decimal("120"))
    listed = make_person(major=setup["major"], student_no="L0001")
    by_id = make_person(major=setup["major"])
    result = operations.apply_listed(batch, ["L0001", by_id.primary_document.number, "NOPE"], now=DURING)
    assert [a.person for a in result.applied] == [listed, by_id]
    assert "NOPE" in result.blocked[0][1][0]
    assert operations.set_fee_paid(result.applied, True) == 2 and all(a.fee_paid for a in result.applied)
    free = make_batch(level=3, name="免费批次")
    free_app = operations.apply(free, make_person(major=setup["major"]), now=DURING)
    with pytest.raises(DomainError, match="不收费"):
        operations.set_fee_paid([free_app], True)
