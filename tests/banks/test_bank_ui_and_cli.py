"""Banks through the UI and the CLI: upload, all-or-nothing refusal, template, blueprint and assembly pages."""

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from examsys.core.db import db
from examsys.core.permissions import Role
from examsys.modules.banks import util
from examsys.modules.banks.formats import xlsx
from examsys.modules.banks.models import Blueprint, Item, Paper
from tests.banks.conftest import make_bank


def _workbook(per_cell=12, break_row=False) -> bytes:
    bank = make_bank(per_cell=per_cell)
    if break_row:
        bank.items[0].options[2].correct = True  # a second key on a single-choice item
    return xlsx.write_workbook(bank)


def test_office_imports_a_workbook_through_the_ui(client, login, make_user, job):
    login(make_user(Role.EXAM_OFFICE))
    data = {"job_id": job.id, "level": 4, "fmt": "", "status": "active", "file": (io.BytesIO(_workbook()), "bank.xlsx")}
    response = client.post("/banks/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "营销推广" in page and "实操任务一" in page
    assert len(util.bank_items(job.id, 4)) == 144


def test_a_bad_row_refuses_the_upload_and_names_the_row(client, login, make_user, job):
    login(make_user(Role.EXAM_OFFICE))
    data = {
        "job_id": job.id,
        "level": 4,
        "fmt": "",
        "status": "active",
        "file": (io.BytesIO(_workbook(break_row=True)), "bank.xlsx"),
    }
    response = client.post("/banks/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "单选题" in body and "第 2 行" in body and "未导入任何内容" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Item)) == 0


def test_template_download_is_the_empty_workbook(client, login, make_user):
    login(make_user(Role.EXAM_OFFICE))
    response = client.get("/banks/template.xlsx")
    assert response.status_code == 200
    sheets = load_workbook(io.BytesIO(response.data)).sheetnames
    assert {"说明", "鉴定要素", "单选题", "多选题", "判断题", "实操任务", "评分细则"} <= set(sheets)
    parsed = xlsx.parse(response.data)
    assert parsed.items == [] and [str(p) for p in parsed.problems] == ["工作簿中没有可导入的数据"]


def test_blueprint_feasibility_and_assembly_pages(client, login, make_user, job):
    login(make_user(Role.EXAM_OFFICE))
    client.post(
        "/banks/import",
        data={
            "job_id": job.id,
            "level": 4,
            "fmt": "",
            "status": "active",
            "file": (io.BytesIO(_workbook(per_cell=2)), "b.xlsx"),
        },
        content_type="multipart/form-data",
    )
    form = {
        "job_id": job.id,
        "level": 4,
        "name": "标准卷",
        "duration_minutes": 90,
        "pass_mark": 60,
        "difficulty_target": 3,
        "difficulty_tolerance": 2,
        "max_overlap": 0.3,
        "single_count": 10,
        "single_points": 5,
        "multiple_count": 5,
        "multiple_points": 6,
        "true_false_count": 5,
        "true_false_points": 4,
    }
    response = client.post("/banks/blueprints/new", data=form)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "营销推广 · 单选题：需要 4 道，题库只有 2 道启用试题，缺 2 道" in page
    client.post(
        "/banks/import",
        data={
            "job_id": job.id,
            "level": 4,
            "fmt": "",
            "status": "active",
            "file": (io.BytesIO(_workbook(per_cell=12)), "b.xlsx"),
        },
        content_type="multipart/form-data",
    )
    blueprint = db.session.scalar(sa.select(Blueprint))
    assert "题库满足该方案" in client.get(f"/banks/blueprints/{blueprint.id}").get_data(as_text=True)
    assert client.post(f"/banks/blueprints/{blueprint.id}/assemble", data={"forms": 2, "seed": 4}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Paper)) == 2


def test_cli_import_export_and_assemble(app, job, tmp_path):
    db.session.commit()
    path = tmp_path / "bank.xlsx"
    path.write_bytes(_workbook())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bank", "import", str(path), "--occupation", "4-01-02-98", "--level", "4"])
    assert result.exit_code == 0, result.output
    assert "144 created" in result.output
    again = runner.invoke(args=["bank", "import", str(path), "--occupation", "测试电商师", "--level", "4"])
    assert "0 created" in again.output and "144 unchanged" in again.output
    out = tmp_path / "out.zip"
    result = runner.invoke(
        args=["bank", "export", str(out), "--occupation", "4-01-02-98", "--level", "4", "--format", "qti"]
    )
    assert result.exit_code == 0 and out.stat().st_size > 1000
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_workbook(break_row=True))
    result = runner.invoke(args=["bank", "import", str(bad), "--occupation", "4-01-02-98", "--level", "4"])
    assert result.exit_code != 0 and "第 2 行" in result.output


def test_manual_entry_through_the_ui_flags_near_duplicates(client, login, make_user, job):
    from examsys.modules.banks import imports

    imports.import_bank(make_bank(per_cell=1), job, 4)
    login(make_user(Role.EXAM_OFFICE))
    existing = util.bank_items(job.id, 4)[0].current
    form = {
        "qtype": "single",
        "stem": existing.stem.replace("下列", "以下"),
        "options": "A. 甲\nB. 乙\nC. 丙",
        "key": "B",
        "explanation": "",
        "difficulty": 2,
        "element_id": 0,
    }
    response = client.post(f"/banks/{job.id}/4/items/new", data=form, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "疑似重复" in page and "草稿" in page
    bad = client.post(f"/banks/{job.id}/4/items/new", data={**form, "key": "Z"})
    assert bad.status_code == 422 and "不在选项中" in bad.get_data(as_text=True)


def test_import_through_the_api_with_a_token(client, make_user, job):
    from examsys.modules.accounts.operations import issue_api_token

    _t, token = issue_api_token(make_user(Role.EXAM_OFFICE), "bank sync")
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/banks/import?job_id={job.id}&level=4"
    ok = client.post(url, data={"file": (io.BytesIO(_workbook(per_cell=2)), "b.xlsx")}, headers=headers)
    assert ok.status_code == 201, ok.json
    assert ok.json["created"] == 24
    bad = client.post(url, data={"file": (io.BytesIO(_workbook(break_row=True)), "b.xlsx")}, headers=headers)
    assert bad.status_code == 422
    assert any(e.get("sheet") == "单选题" and e.get("row") == 2 for e in bad.json["errors"])
    listing = client.get("/api/v1/banks", headers=headers).json
    assert listing[0]["counts"]["active"] == 24
    assert client.get("/api/v1/banks/template.xlsx", headers=headers).data[:2] == b"PK"
