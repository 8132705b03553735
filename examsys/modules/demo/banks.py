"""The sample question banks shipped in question_banks/, loaded into the demo school."""

from __future__ import annotations

import json
from decimal import Decimal

from examsys.core.config import PROJECT_ROOT
from examsys.modules.banks import blueprints, imports, util
from examsys.modules.banks.formats import parse_file
from examsys.modules.catalog.util import find_job

BANK_DIR = PROJECT_ROOT / "question_banks"
STANDARD_PAPER = [
    blueprints.PartSpec("single", 60, Decimal(1)),
    blueprints.PartSpec("multiple", 20, Decimal(1)),
    blueprints.PartSpec("true_false", 20, Decimal(1)),
]


def manifest() -> list[dict]:
    path = BANK_DIR / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def load_sample_banks() -> dict[str, int]:
    """Import each shipped bank into an empty bank and give it a standard 100-item blueprint."""
    created = {"banks": 0, "blueprints": 0}
    for entry in manifest():
        job = find_job(entry["code"] or entry["occupation"], entry["job"])
        if job is None:
            continue
        level = int(entry["level"])
        if not util.bank_items(job.id, level):
            path = BANK_DIR / entry["file"]
            imports.import_bank(parse_file(path.name, path.read_bytes()), job, level, filename=path.name)
            created["banks"] += 1
        if not util.blueprints(job.id, level):
            # Aim at the bank's own mean difficulty, as a centre would for its first paper.
            levels = [item.current.difficulty for item in util.bank_items(job.id, level)]
            target = Decimal(sum(levels) / len(levels)).quantize(Decimal("0.1"))
            blueprints.save_blueprint(
                None,
                job=job,
                level=level,
                name="标准理论试卷（100 题）",
                parts=STANDARD_PAPER,
                difficulty_target=target,
            )
            created["blueprints"] += 1
    return created
