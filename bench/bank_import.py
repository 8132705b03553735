"""Benchmark: importing a 5,000-item bank workbook (target: under 10 s, parse + checks + writes).

    .venv/bin/python bench/bank_import.py [--url URL] [--items 5000]

The workbook is written with the project's own template writer from a synthetic bank (the
e-commerce standard's eight areas), then timed through the same path as `flask bank import`:
parse, validate against the bank, near-duplicate check, write. A second import of the same
file (everything unchanged) is timed too. Writes bench/results/bank_import-<backend>.json.
"""

from __future__ import annotations

import argparse
import time

from bank_assembly import synthetic_bank
from common import default_url, fresh_app, save_result

from examsys.core.audit import acting_as
from examsys.core.db import db
from examsys.modules.banks import imports
from examsys.modules.banks.formats import parse_file, xlsx
from examsys.modules.catalog import operations as catalog


def _timed_import(data: bytes, job) -> tuple[float, float, imports.ImportReport]:
    start = time.perf_counter()
    parsed = parse_file("bank.xlsx", data)
    parsed_at = time.perf_counter()
    report = imports.import_bank(parsed, job, 4, filename="bank.xlsx")
    db.session.commit()
    return parsed_at - start, time.perf_counter() - start, report


def run(url: str, n_items: int) -> dict:
    data = xlsx.write_workbook(synthetic_bank(n_items))
    app = fresh_app(url)
    with app.app_context(), acting_as("bench"):
        occupation = catalog.save_occupation(None, name="电子商务师", code="4-01-02-02")
        job = catalog.save_job(occupation.jobs[0], occupation=occupation, name="网商", levels=[4])
        db.session.commit()
        parse_s, total_s, report = _timed_import(data, job)
        again_parse_s, again_total_s, again = _timed_import(data, job)
    return {
        "items": n_items,
        "workbook_bytes": len(data),
        "first_import": {
            "parse_seconds": round(parse_s, 2),
            "total_seconds": round(total_s, 2),
            "created": report.created,
        },
        "re_import_unchanged": {
            "parse_seconds": round(again_parse_s, 2),
            "total_seconds": round(again_total_s, 2),
            "unchanged": again.unchanged,
        },
        "target_seconds": 10,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--items", type=int, default=5000)
    args = parser.parse_args()
    url = args.url or default_url()
    save_result("bank_import", url, run(url, args.items))


if __name__ == "__main__":
    main()
