"""People: identity validation on entry, college scoping, search filters, UI and API."""

from datetime import date

import pytest

from examsys.core.errors import DomainError, Forbidden
from examsys.core.ids import DocumentType, make_resident_id
from examsys.core.permissions import Role
from examsys.modules.accounts.operations import issue_api_token
from examsys.modules.people import operations, util
from examsys.modules.people.models import Gender, PersonKind


def _data(**overrides):
    values = {"kind": PersonKind.PUBLIC, "name": "赵六", "doc_type": DocumentType.resident_id,
              "doc_number": "11010519491231002X"}  # fmt: skip
    values.update(overrides)
    return operations.PersonData(**values)


def test_gender_and_birth_date_come_from_the_id_number(db_session):
    person = operations.create_person(_data(doc_number="11010519491231002x"))
    assert person.gender is Gender.FEMALE and person.birth_date == date(1949, 12, 31)
    assert person.primary_document.number == "11010519491231002X"


def test_a_wrong_check_digit_is_refused_with_the_expected_digit(db_session):
    with pytest.raises(DomainError) as err:
        operations.create_person(_data(doc_number="110105194912310021"))
    problem = err.value.problems[0]
    assert problem.field == "doc_number" and "校验位" in problem.message and "X" in problem.message


def test_an_impossible_birth_date_is_refused(db_session):
    number = "11010519900230" + "0011"
    with pytest.raises(DomainError) as err:
        operations.create_person(_data(doc_number=number))
    assert "19900230" in err.value.problems[0].message


def test_gender_that_contradicts_the_id_is_refused(db_session):
    with pytest.raises(DomainError) as err:
        operations.create_person(_data(gender=Gender.MALE))
    assert err.value.problems[0].field == "gender"


def test_every_problem_is_reported_at_once(db_session, make_person):
    existing = make_person(name="甲")
    with pytest.raises(DomainError) as err:
        operations.create_person(
            _data(kind=PersonKind.STUDENT, name=" ", doc_number=existing.primary_document.number, student_no=None)
        )
    fields = {p.field for p in err.value.problems}
    assert {"name", "doc_number", "college", "student_no"} <= fields


def test_other_document_types_are_checked_by_their_own_rules(db_session):
    person = operations.create_person(
        _data(doc_type=DocumentType.hk_mo_permit, doc_number="H12345678", gender=Gender.MALE)
    )
    assert person.primary_document.doc_type is DocumentType.hk_mo_permit
    with pytest.raises(DomainError):
        operations.create_person(_data(doc_type=DocumentType.hk_mo_permit, doc_number="X12345678", gender=Gender.MALE))
    with pytest.raises(DomainError) as err:
        operations.create_person(_data(doc_type=DocumentType.passport, doc_number="E12345678"))
    assert err.value.problems[0].field == "gender"  # a passport number tells no gender


def test_major_must_belong_to_the_college(db_session, make_major, make_college):
    major = make_major()
    with pytest.raises(DomainError) as err:
        operations.create_person(_data(kind=PersonKind.STUDENT, college=make_college(), major=major, student_no="1"))
    assert err.value.problems[0].field == "major"


def test_update_keeps_one_primary_document_and_is_audited(db_session, make_person):
    person = make_person(name="乙", kind=PersonKind.PUBLIC)
    data = _data(name="乙二", doc_number=make_resident_id(sequence=555))
    operations.update_person(person, data)
    assert person.name == "乙二" and len(person.documents) == 1
    assert person.primary_document.number == data.doc_number


def test_coordinators_are_scoped_to_their_college(db_session, make_person, make_college):
    mine, theirs = make_college(), make_college()
    inside = make_person(name="本院", college=mine)
    outside = make_person(name="外院", college=theirs)
    assert util.get_person(inside.id, scope=mine.id) is inside
    with pytest.raises(Forbidden):
        util.get_person(outside.id, scope=mine.id)
    names = [p.name for p in util.search_people(util.PeopleFilter(), scope=mine.id).items]
    assert names == ["本院"]
    with pytest.raises(Forbidden):
        operations.create_person(_data(kind=PersonKind.PUBLIC), scope=mine.id)


def test_search_filters(db_session, make_person, make_major):
    major = make_major(name="电子商务")
    a = make_person(name="王一", major=major, grade="2024", class_name="24电商1班")
    make_person(name="王二", major=major, grade="2023", class_name="23电商1班")
    make_person(name="李三", kind=PersonKind.PUBLIC)
    search = util.search_people
    assert {p.name for p in search(util.PeopleFilter(q="王"), scope=None).items} == {"王一", "王二"}
    assert [p.name for p in search(util.PeopleFilter(grade="2024", major_id=major.id), scope=None).items] == ["王一"]
    assert [p.name for p in search(util.PeopleFilter(class_name="23电商"), scope=None).items] == ["王二"]
    number = a.primary_document.number
    assert [p.name for p in search(util.PeopleFilter(q=number.lower()), scope=None).items] == ["王一"]
    assert [p.name for p in search(util.PeopleFilter(kind=PersonKind.PUBLIC), scope=None).items] == ["李三"]
    page = search(util.PeopleFilter(q="王"), scope=None, per_page=1, page=2)
    assert page.total == 2 and page.pages == 2 and len(page.items) == 1


def test_coordinator_ui_shows_only_their_college(client, login, make_user, make_person, make_college):
    mine, theirs = make_college(), make_college()
    make_person(name="本院生", college=mine)
    outsider = make_person(name="外院生", college=theirs)
    login(make_user(Role.COORDINATOR, college=mine))
    page = client.get(f"/people/?college={theirs.id}").get_data(as_text=True)
    assert "本院生" in page and "外院生" not in page
    assert client.get(f"/people/{outsider.id}").status_code == 403


def test_office_registers_a_person_through_the_form(client, login, make_user, make_major):
    login(make_user(Role.EXAM_OFFICE))
    major = make_major()
    form = {"kind": "student", "name": "孙七", "doc_type": "resident_id", "doc_number": make_resident_id(sequence=778),
            "gender": "", "college_id": major.college_id, "major_id": major.id, "student_no": "2024001",
            "grade": "2024", "class_name": "24级1班", "study_level": "higher_vocational"}  # fmt: skip
    response = client.post("/people/new", data=form)
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "孙七" in detail and "女" in detail
    form.update(
        student_no="2024002", doc_number=form["doc_number"][:-1] + ("0" if form["doc_number"][-1] != "0" else "1")
    )
    bad = client.post("/people/new", data=form)
    assert bad.status_code == 422 and "校验位" in bad.get_data(as_text=True)


def test_people_api_masks_ids_in_lists_and_respects_scope(client, make_user, make_person, make_college):
    mine = make_college()
    person = make_person(name="接口生", college=mine)
    make_person(name="别院生")
    _t, token = issue_api_token(make_user(Role.COORDINATOR, college=mine), "t")
    data = client.get("/api/v1/people", headers={"Authorization": f"Bearer {token}"}).json
    assert [p["name"] for p in data["items"]] == ["接口生"]
    assert "*" in data["items"][0]["id_number_masked"]
    detail = client.get(f"/api/v1/people/{person.id}", headers={"Authorization": f"Bearer {token}"}).json
    assert detail["documents"][0]["number"] == person.primary_document.number
    bad = client.get("/api/v1/people?kind=alien", headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 422
