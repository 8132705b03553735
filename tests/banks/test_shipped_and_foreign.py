"""The shipped sample banks import through the CLI and the UI; foreign formats import end to end."""

import io
import json
from pathlib import Path

import pytest

from examsys.core.config import PROJECT_ROOT
from examsys.core.db import db
from examsys.core.permissions import Role
from examsys.modules.banks import imports, util
from examsys.modules.banks.formats import parse_file
from examsys.modules.catalog import operations as catalog
from examsys.modules.catalog import util as catalog_util

BANKS = PROJECT_ROOT / "question_banks"
SAMPLES = Path(__file__).parent / "formats" / "samples"
MANIFEST = json.loads((BANKS / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def catalogue(db_session):
    catalog.import_occupations(catalog_util.read_occupations_csv())
    db.session.commit()


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_each_shipped_bank_imports_through_the_cli(app, catalogue, entry):
    args = ["bank", "import", str(BANKS / entry["file"]), "--occupation", entry["code"], "--level", str(entry["level"])]
    if entry["job"]:
        args += ["--job", entry["job"]]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    job = catalog_util.find_job(entry["code"], entry["job"])
    items = util.bank_items(job.id, entry["level"])
    assert len(items) >= 80 and all(i.element is not None for i in items)
    assert sum(float(t.points) for t in util.tasks(job.id, entry["level"])) == 100


def test_a_shipped_bank_imports_through_the_ui(client, login, make_user, catalogue):
    entry = MANIFEST[0]
    job = catalog_util.find_job(entry["code"], entry["job"])
    login(make_user(Role.EXAM_OFFICE))
    data = {
        "job_id": job.id,
        "level": entry["level"],
        "fmt": "",
        "status": "active",
        "file": (io.BytesIO((BANKS / entry["file"]).read_bytes()), entry["file"]),
    }
    response = client.post("/banks/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert len(util.bank_items(job.id, entry["level"])) >= 250


@pytest.mark.parametrize(
    ("sample", "types"),
    [
        ("moodle_quiz.xml", {"single", "multiple", "true_false"}),
        ("electrician.gift", {"single", "multiple", "true_false"}),
        ("aiken.txt", {"single"}),
        ("qti_item_single.xml", {"single"}),
    ],
)
def test_files_from_other_systems_import_into_a_bank(job, sample, types):
    parsed = parse_file(sample, (SAMPLES / sample).read_bytes())
    assert parsed.problems == [], parsed.problems
    report = imports.import_bank(parsed, job, 4, filename=sample)
    items = util.bank_items(job.id, 4)
    assert report.created == len(items) > 0
    assert {i.qtype for i in items} <= types and {i.qtype for i in items} & types
    for item in items:
        assert item.current.key and set(item.current.key) <= {o["label"] for o in item.current.options}
