"""The catalogue: the five levels, the occupation list, jobs and majors, and who may edit."""

import pytest
import sqlalchemy as sa

from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.core.permissions import Role
from examsys.modules.catalog import operations, util
from examsys.modules.catalog.models import Job, Occupation, StudyLevel


def test_the_five_levels_come_with_the_schema(db_session):
    levels = util.list_levels()
    assert [lv.number for lv in levels] == [5, 4, 3, 2, 1]
    assert [lv.label for lv in levels] == ["五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"]


@pytest.fixture
def imported(db_session, make_college):
    college = make_college()
    operations.save_major(None, college=college, name="电子商务", study_level=StudyLevel.HIGHER_VOCATIONAL)
    operations.save_major(None, college=college, name="会计学", study_level=StudyLevel.UNDERGRADUATE)
    return operations.import_occupations(util.read_occupations_csv())


def _occupation(name) -> Occupation:
    return db.session.scalar(sa.select(Occupation).where(Occupation.name == name))


def test_every_occupation_of_the_data_file_is_loaded_with_its_levels(imported):
    rows = util.read_occupations_csv()
    for row in rows:
        occupation = _occupation(row.occupation)
        job = next(j for j in occupation.jobs if j.name == row.job)
        assert set(row.levels) <= set(job.level_numbers), row
    assert imported["occupations"] == len({r.occupation for r in rows})


def test_tracks_codes_and_majors(imported):
    ecommerce = _occupation("电子商务师")
    assert ecommerce.code == "4-01-02-02"
    jobs = {j.name: j for j in ecommerce.jobs}
    assert set(jobs) == {"网商", "跨境电子商务师"}  # no empty self-job next to real tracks
    assert jobs["网商"].level_numbers == [4, 3, 2]
    assert jobs["跨境电子商务师"].level_numbers == [4, 3]
    assert [m.name for m in jobs["网商"].majors] == ["电子商务"]
    programmer = _occupation("计算机程序设计员")
    assert [j.name for j in programmer.jobs] == [""] and programmer.jobs[0].label == "计算机程序设计员"
    cashier = _occupation("收银员")
    assert [m.name for m in cashier.jobs[0].majors] == ["会计学"]  # only majors that exist are linked


def test_an_occupation_listed_with_and_without_code_is_one_occupation(imported):
    lathe = db.session.scalars(sa.select(Occupation).where(Occupation.name == "车工")).all()
    assert len(lathe) == 1 and lathe[0].code == "6-18-01-01"
    jobs = {j.name: j.level_numbers for j in lathe[0].jobs}
    assert jobs[""] == [5, 3]  # seed 002 (level 5) and seed 000 (level 3) rows merge
    assert jobs["数控车床"] == [5, 4, 3, 2]
    assert "000" in lathe[0].sources and "002" in lathe[0].sources


def test_import_is_idempotent(imported):
    jobs_before = db.session.scalar(sa.select(sa.func.count()).select_from(Job))
    again = operations.import_occupations(util.read_occupations_csv())
    assert again == {"occupations": 0, "jobs": 0}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == jobs_before


def test_rules_on_occupations_and_jobs(db_session):
    occupation = operations.save_occupation(None, name="测试职业", code="4-01-02-99")
    with pytest.raises(DomainError) as err:
        operations.save_occupation(None, name="测试职业", code="401")
    assert {p.field for p in err.value.problems} == {"code", "name"}
    with pytest.raises(DomainError):
        operations.save_job(None, occupation=occupation, name="", levels=[6])
    job = operations.save_job(occupation.jobs[0], occupation=occupation, name="", levels=[5, 4])
    assert job.level_numbers == [5, 4]
    job = operations.save_job(job, occupation=occupation, name="", levels=[3])
    assert job.level_numbers == [3]


def test_certification_body_validation(db_session):
    with pytest.raises(DomainError) as err:
        operations.save_certification_body(name="X", institution_code="C1", province_code="4", cert_letter="Z")
    assert {p.field for p in err.value.problems} == {"province_code", "cert_letter"}
    body = operations.save_certification_body(name="X校", institution_code="C1", province_code="41", cert_letter="Y")
    assert util.certification_body() is body


def test_office_edits_the_catalogue_in_the_ui(client, login, make_user):
    login(make_user(Role.EXAM_OFFICE))
    response = client.post("/catalog/occupations/new", data={"name": "新职业", "code": "4-99-99-99", "standard": "国标",
                                                              "owner_college_id": 0, "active": "y"})  # fmt: skip
    assert response.status_code == 302
    occupation = _occupation("新职业")
    response = client.post(f"/catalog/occupations/{occupation.id}/jobs/new", data={"name": "方向一", "levels": ["4", "3"],
                                                                                  "active": "y"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/catalog/occupations/{occupation.id}").get_data(as_text=True)
    assert "方向一" in page and "四级/中级工" in page and "三级/高级工" in page
    bad = client.post("/catalog/occupations/new", data={"name": "新职业", "code": "bad", "owner_college_id": 0})
    assert bad.status_code == 422
    assert "职业编码格式应为" in bad.get_data(as_text=True) and "已存在" in bad.get_data(as_text=True)


def test_coordinator_reads_but_cannot_edit_the_catalogue(client, login, make_user):
    login(make_user(Role.COORDINATOR))
    assert client.get("/catalog/occupations").status_code == 200
    assert client.post("/catalog/occupations/new", data={"name": "x"}).status_code == 403


def test_occupation_filters(imported):
    assert [o.name for o in util.list_occupations(q="跨境")] == ["电子商务师"]
    level_one = util.list_occupations(level=1)
    assert level_one == []
    assert "收银员" in [o.name for o in util.list_occupations(q="4-01-02-04")]


def test_catalogue_through_the_api(client, make_user, imported):
    from examsys.modules.accounts.operations import issue_api_token

    _t, token = issue_api_token(make_user(Role.EXAMINER), "api")
    headers = {"Authorization": f"Bearer {token}"}
    data = client.get("/api/v1/occupations?q=电子商务师", headers=headers).json
    assert data[0]["code"] == "4-01-02-02"
    assert {j["name"]: j["levels"] for j in data[0]["jobs"]} == {"网商": [4, 3, 2], "跨境电子商务师": [4, 3]}
    levels = client.get("/api/v1/levels", headers=headers).json
    assert levels[0] == {
        "number": 5,
        "name": "五级",
        "title": "初级工",
        "english": "Level 5 / Elementary",
        "label": "五级/初级工",
    }
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/occupations" in spec["paths"] and "/api/v1/people" in spec["paths"]
