"""Bank fixtures: a job with a knowledge structure and a generated bank of items."""

from __future__ import annotations

import random

import pytest

from examsys.modules.banks.formats.base import (
    Location,
    ParsedBank,
    ParsedElement,
    ParsedItem,
    ParsedMarkingItem,
    ParsedOption,
    ParsedTask,
)
from examsys.modules.catalog import operations as catalog

AREAS = (("1", "职业道德", 5), ("2", "基础知识", 25), ("3", "营销推广", 40), ("4", "客户服务", 30))


def elements() -> list[ParsedElement]:
    rows = []
    for code, name, weight in AREAS:
        for unit in (1, 2):
            for n in (1, 2):
                rows.append(
                    ParsedElement(
                        "theory",
                        code,
                        name,
                        weight,
                        f"{code}.{unit}",
                        f"{name}单元{unit}",
                        f"{code}.{unit}.{n}",
                        f"{name}要素{unit}-{n}",
                        "X",
                        Location("鉴定要素", 2),
                    )
                )
    rows.append(
        ParsedElement(
            "skill", "S1", "操作", 100, "S1.1", "操作单元", "S1.1.1", "操作要素", "X", Location("鉴定要素", 99)
        )
    )
    return rows


def make_item(qtype: str, area: str, n: int, difficulty: int = 3, row: int = 2) -> ParsedItem:
    stem = f"{area}区第{n}题：关于{['流程', '规范', '数据', '服务', '安全'][n % 5]}的说法{n * 7919 % 1000:03d}号，下列哪项正确？"
    if qtype == "true_false":
        options = [ParsedOption("T", "正确", n % 2 == 0), ParsedOption("F", "错误", n % 2 == 1)]
    else:
        correct = {"A"} if qtype == "single" else {"A", "C"}
        options = [ParsedOption(label, f"选项{label}{n}", label in correct) for label in "ABCD"]
    return ParsedItem(
        qtype,
        stem,
        options,
        Location({"single": "单选题", "multiple": "多选题", "true_false": "判断题"}[qtype], row),
        element_code=f"{area}.1.1",
        difficulty=difficulty,
    )


def make_bank(per_cell: int, seed: int = 1, with_task: bool = True) -> ParsedBank:
    rng = random.Random(seed)
    items, row = [], 2
    for code, _name, _w in AREAS:
        for qtype in ("single", "multiple", "true_false"):
            for n in range(per_cell):
                items.append(make_item(qtype, code, n + 1000 * int(code) + 100 * len(qtype), rng.randint(1, 5), row))
                row += 1
    tasks = []
    if with_task:
        marking = [
            ParsedMarkingItem(1, "操作规范", 30, "按规范操作"),
            ParsedMarkingItem(2, "结果正确", 70, "结果正确"),
            ParsedMarkingItem(3, "安全", 0, "违反安全规定", veto=True),
        ]
        tasks.append(
            ParsedTask(
                "T1",
                "实操任务一",
                "完成操作",
                60,
                100,
                Location("实操任务", 2),
                ["S1.1.1"],
                "电脑",
                "电商运营工位",
                "注意用电",
                marking,
            )
        )
    return ParsedBank(items=items, elements=elements(), tasks=tasks)


@pytest.fixture
def job(db_session):
    occupation = catalog.save_occupation(None, name="测试电商师", code="4-01-02-98")
    return catalog.save_job(occupation.jobs[0], occupation=occupation, name="", levels=[4, 3])
