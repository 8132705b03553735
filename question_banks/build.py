"""Build the sample bank workbooks from question_banks/src/<bank>/ and check them.

    .venv/bin/python question_banks/build.py          # build and check all banks
    .venv/bin/python question_banks/build.py --check  # check only, write nothing

Each workbook is written with the importer's own writer and parsed back with the importer's
own parser; a bank with any problem, or too few items in an area for a 100-item paper, is
refused (nothing written).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from examsys.modules.banks.formats import xlsx  # noqa: E402
from examsys.modules.banks.formats.base import (  # noqa: E402
    Location,
    ParsedBank,
    ParsedElement,
    ParsedItem,
    ParsedMarkingItem,
    ParsedOption,
    ParsedTask,
)

BANKS = ("ecommerce", "cashier", "programmer")
CATEGORY = {"理论知识": "theory", "技能要求": "skill"}
# A 100-item paper: 60 single, 20 multiple, 20 true/false, spread over areas by weight.
PAPER = {"single": 60, "multiple": 20, "true_false": 20}
HEADROOM = 1.6


def to_parsed(module) -> ParsedBank:
    elements = [ParsedElement(CATEGORY[c], ac, an, float(w), uc, un, code, name, imp, Location())
                for c, ac, an, w, uc, un, code, name, imp in module.ELEMENTS]  # fmt: skip
    items = []
    for code, stem, options, answer, difficulty, explanation in module.SINGLE + module.MULTIPLE:
        labels = "ABCDEF"[: len(options)]
        qtype = "single" if len(answer) == 1 else "multiple"
        opts = [ParsedOption(label, text, label in answer) for label, text in zip(labels, options, strict=True)]
        items.append(ParsedItem(qtype, stem, opts, Location(), code, difficulty, explanation))
    for code, stem, truth, difficulty, explanation in module.TRUE_FALSE:
        opts = [ParsedOption("T", "正确", truth), ParsedOption("F", "错误", not truth)]
        items.append(ParsedItem("true_false", stem, opts, Location(), code, difficulty, explanation))
    tasks = [ParsedTask(t["code"], t["title"], t["instructions"], t["minutes"], float(t["points"]), Location(),
                        list(t["elements"]), t["materials"], t["station_type"], t["safety"],
                        [ParsedMarkingItem(n, title, float(points), criteria, deductions, veto)
                         for n, (title, points, criteria, deductions, veto) in enumerate(t["marking"], 1)])
             for t in module.TASKS]  # fmt: skip
    return ParsedBank(items=items, elements=elements, tasks=tasks)


def shortfalls(bank: ParsedBank) -> list[str]:
    """Cells (area, type) with fewer items than HEADROOM x what a 100-item paper needs."""
    areas = {e.area_code: (e.area_name, e.area_weight) for e in bank.elements if e.category == "theory"}
    area_of = {e.code: e.area_code for e in bank.elements if e.category == "theory"}
    have = Counter((area_of.get(i.element_code), i.qtype) for i in bank.items)
    problems = []
    for code, (name, weight) in areas.items():
        for qtype, count in PAPER.items():
            need = round(count * weight / 100 * HEADROOM + 0.49)
            if have[(code, qtype)] < need:
                problems.append(f"{name} {qtype}: {have[(code, qtype)]} < {need}")
    return problems


def build(name: str, write: bool) -> bool:
    module = importlib.import_module(f"src.{name}")
    data = xlsx.write_workbook(to_parsed(module))
    parsed = xlsx.parse(data, module.META["file"])
    problems = [str(p) for p in parsed.problems] + shortfalls(parsed)
    counts = Counter(i.qtype for i in parsed.items)
    print(f"{module.META['file']}: {len(parsed.items)} items {dict(counts)}, {len(parsed.tasks)} tasks")
    for problem in problems:
        print(f"  problem: {problem}")
    if write and not problems:
        (HERE / module.META["file"]).write_bytes(data)
    return not problems


def write_manifest() -> None:
    """manifest.json: which occupation/job/level each shipped workbook belongs to."""
    entries = []
    for name in BANKS:
        meta = importlib.import_module(f"src.{name}").META
        if (HERE / meta["file"]).exists():
            entries.append({key: meta[key] for key in ("file", "occupation", "code", "job", "level")})
    (HERE / "manifest.json").write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check only")
    parser.add_argument("banks", nargs="*", default=list(BANKS))
    args = parser.parse_args()
    ok = all([build(name, write=not args.check) for name in args.banks])
    if ok and not args.check:
        write_manifest()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
