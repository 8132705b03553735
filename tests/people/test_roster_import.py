"""Roster import: all or nothing with every bad row named, matching by ID, reporting changes."""

import io

import sqlalchemy as sa
from openpyxl import Workbook

from examsys.core.db import db
from examsys.core.ids import make_resident_id
from examsys.core.permissions import Role
from examsys.modules.people.models import Person
from examsys.modules.people.roster_import import import_roster

HEADER = ["学号", "姓名", "证件号码", "学院", "专业", "年级", "班级", "层次", "预计毕业时间", "联系电话"]


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row(n, college, major, id_number=None, name=None):
    return [
        f"2024{n:04d}",
        name or f"学生{n}",
        id_number or make_resident_id(sequence=n),
        college,
        major,
        "2024",
        "24电商1班",
        "专科(高职)",
        "2027-06",
        "13800000000",
    ]


def _upload(client, data):
    return client.post(
        "/people/roster", data={"file": (io.BytesIO(data), "花名册.xlsx")}, content_type="multipart/form-data"
    )


def test_the_issue_s_bad_roster_is_refused_as_a_whole_with_each_row_named(client, login, make_user, make_major):
    major = make_major(name="电子商务")
    college = major.college.name
    login(make_user(Role.EXAM_OFFICE))
    good = make_resident_id(sequence=11)
    wrong_check = make_resident_id(sequence=12)[:-1] + ("1" if make_resident_id(sequence=12)[-1] != "1" else "2")
    feb_30 = "41010220040230" + "0134"
    rows = [
        _row(1, college, "电子商务", good),
        _row(2, college, "电子商务", wrong_check),
        _row(3, college, "电子商务", feb_30),
        _row(4, college, "园艺"),
        _row(5, college, "电子商务", good),
    ]
    response = _upload(client, _xlsx(rows))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    for row, what in ((3, "校验位"), (4, "20040230"), (5, "园艺"), (6, "与第 2 行证件号码重复")):
        assert f"第 {row} 行" in body and what in body, (row, what)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


def test_clean_import_then_reimport_updates_and_reports_changes(db_session, make_major):
    major = make_major(name="电子商务")
    rows = [_row(n, major.college.name, "电子商务") for n in range(1, 6)]
    report = import_roster(_xlsx(rows), "r.xlsx")
    assert (report.created, report.updated) == (5, 0)
    person = db.session.scalar(sa.select(Person).where(Person.student_no == "20240001"))
    assert person.major is major and person.expected_graduation.isoformat() == "2027-06-30"
    assert person.gender.value in "MF" and person.birth_date is not None
    rows[0][6] = "24电商2班"
    again = import_roster(_xlsx(rows), "r.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 4)
    assert again.changes == [(2, "学生1", ["class_name"])]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 5


def test_a_coordinator_imports_only_their_college(client, login, make_user, make_major):
    mine, theirs = make_major(name="电子商务"), make_major(name="会计")
    login(make_user(Role.COORDINATOR, college=mine.college))
    response = _upload(client, _xlsx([_row(1, mine.college.name, "电子商务"), _row(2, theirs.college.name, "会计")]))
    assert response.status_code == 422 and "只能导入本学院的学生" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


def test_a_student_number_owned_by_someone_else_is_refused(db_session, make_major, make_person):
    major = make_major(name="电子商务")
    make_person(major=major, student_no="20240001")
    try:
        import_roster(_xlsx([_row(1, major.college.name, "电子商务")]), "r.xlsx")
    except Exception as error:
        assert "已属于另一人" in str(error.problems[0])
    else:
        raise AssertionError("expected the roster to be refused")
