"""Benchmark: assembling 20 forms of 100 items from a 5,000-item bank (target: under 2 s).

    .venv/bin/python bench/bank_assembly.py [--url URL] [--items 5000] [--forms 20]

Builds a bank with the e-commerce standard's eight theory areas (weights 5/25/10/10/15/10/10/15),
then times plan + assembly + sealing of the forms. Writes bench/results/bank_assembly-<backend>.json.
"""

from __future__ import annotations

import argparse
import time
from decimal import Decimal

from common import default_url, fresh_app, save_result

from examsys.core.audit import acting_as
from examsys.core.db import db
from examsys.modules.banks import assembly, blueprints, imports
from examsys.modules.banks.formats.base import Location, ParsedBank, ParsedElement, ParsedItem, ParsedOption
from examsys.modules.catalog import operations as catalog

AREAS = [
    ("职业道德", 5),
    ("基础知识", 25),
    ("产品及服务信息管理", 10),
    ("线上店铺设计与装修", 10),
    ("营销推广", 15),
    ("业务处理", 10),
    ("客户服务", 10),
    ("商务数据分析", 15),
]
TYPES = [("single", 0.6), ("multiple", 0.2), ("true_false", 0.2)]


def synthetic_bank(n_items: int) -> ParsedBank:
    elements = [
        ParsedElement("theory", str(i), name, w, f"{i}.1", f"{name}单元", f"{i}.1.1", f"{name}要素", "X", Location())
        for i, (name, w) in enumerate(AREAS, 1)
    ]
    items = []
    for n in range(n_items):
        area = n % len(AREAS) + 1
        qtype = TYPES[0][0] if n % 10 < 6 else TYPES[1][0] if n % 10 < 8 else TYPES[2][0]
        if qtype == "true_false":
            options = [ParsedOption("T", "正确", n % 2 == 0), ParsedOption("F", "错误", n % 2 == 1)]
        else:
            options = [ParsedOption(c, f"选项{c}-{n}", c == "A" or (qtype == "multiple" and c == "C")) for c in "ABCD"]
        items.append(
            ParsedItem(
                qtype,
                f"第{n}号题：关于{AREAS[area - 1][0]}的第{n * 7919 % 99991}条规定，下列说法正确的是",
                options,
                Location("单选题", n + 2),
                f"{area}.1.1",
                n % 5 + 1,
            )
        )
    return ParsedBank(items=items, elements=elements)


def run(url: str, n_items: int, n_forms: int) -> dict:
    app = fresh_app(url)
    with app.app_context(), acting_as("bench"):
        occupation = catalog.save_occupation(None, name="电子商务师", code="4-01-02-02")
        job = catalog.save_job(occupation.jobs[0], occupation=occupation, name="网商", levels=[4])
        start = time.perf_counter()
        imports.import_bank(synthetic_bank(n_items), job, 4)
        db.session.commit()
        import_seconds = time.perf_counter() - start
        bp = blueprints.save_blueprint(
            None,
            job=job,
            level=4,
            name="标准卷",
            max_overlap=Decimal("0.3"),
            parts=[
                blueprints.PartSpec("single", 60, Decimal(1)),
                blueprints.PartSpec("multiple", 20, Decimal(1)),
                blueprints.PartSpec("true_false", 20, Decimal(1)),
            ],
        )
        db.session.commit()
        start = time.perf_counter()
        papers = assembly.assemble(bp, n_forms, seed=2026)
        db.session.commit()
        assemble_seconds = time.perf_counter() - start
        overlaps = [
            len({pi.revision_id for pi in a.items} & {pi.revision_id for pi in b.items})
            for i, a in enumerate(papers)
            for b in papers[i + 1 :]
        ]
    return {
        "bank_items": n_items,
        "forms": n_forms,
        "items_per_form": 100,
        "import_seconds (in-memory bank, DB writes only)": round(import_seconds, 2),
        "assemble_and_seal_seconds": round(assemble_seconds, 3),
        "target_seconds": 2,
        "max_overlap_items": max(overlaps),
        "mean_overlap_items": round(sum(overlaps) / len(overlaps), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--forms", type=int, default=20)
    args = parser.parse_args()
    url = args.url or default_url()
    save_result("bank_assembly", url, run(url, args.items, args.forms))


if __name__ == "__main__":
    main()
