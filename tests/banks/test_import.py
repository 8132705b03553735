"""Importing banks: all or nothing, every problem located, re-imports update with revisions."""

import pytest
import sqlalchemy as sa

from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.modules.banks import imports, util
from examsys.modules.banks.formats.base import Location, ParsedBank, ParsedOption
from examsys.modules.banks.models import Category, Item, ItemRevision, ItemStatus, PracticalTask
from tests.banks.conftest import elements, make_bank, make_item


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_import_writes_structure_items_and_tasks(job):
    report = imports.import_bank(make_bank(per_cell=3), job, 4)
    assert (report.created, report.tasks, report.elements) == (36, 1, len(elements()))
    areas = util.areas(job.id, 4, Category.THEORY)
    assert [(a.name, float(a.weight)) for a in areas][:2] == [("职业道德", 5.0), ("基础知识", 25.0)]
    item = util.bank_items(job.id, 4)[0]
    assert item.status is ItemStatus.ACTIVE and item.current.number == 1 and item.element.code == "1.1.1"
    task = util.tasks(job.id, 4)[0]
    assert [m.veto for m in task.marking] == [False, False, True] and task.elements[0].code == "S1.1.1"


def test_one_bad_row_imports_nothing_and_names_the_row(job):
    bank = make_bank(per_cell=2)
    bad = bank.items[6]  # area 2, the first single-choice item
    bad.options[1].correct = True  # a single-choice item with two keys
    bad.location = Location("单选题", 7)
    bank.items[9].element_code = "9.9.9"
    with pytest.raises(DomainError) as err:
        imports.import_bank(bank, job, 4)
    messages = [str(p) for p in err.value.problems]
    assert any("单选题" in m and "第 7 行" in m and "恰好有 1 个正确答案" in m for m in messages), messages
    assert any("9.9.9" in m for m in messages)
    db.session.rollback()
    assert _count(Item) == 0 and _count(PracticalTask) == 0


def test_area_weights_must_total_100(job):
    bank = make_bank(per_cell=1)
    for element in bank.elements:
        if element.area_code == "1":
            element.area_weight = 15
    with pytest.raises(DomainError) as err:
        imports.import_bank(bank, job, 4)
    assert "合计应为 100%" in str(err.value.problems[0])


def test_level_must_be_certifiable(job):
    with pytest.raises(DomainError) as err:
        imports.import_bank(make_bank(per_cell=1), job, 5)
    assert "不能认定 5 级" in str(err.value.problems[0])


def test_reimport_is_idempotent_and_a_changed_key_makes_a_new_revision(job):
    imports.import_bank(make_bank(per_cell=2), job, 4)
    again = imports.import_bank(make_bank(per_cell=2), job, 4)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 24)
    changed = make_bank(per_cell=2)
    first = changed.items[0]
    for option in first.options:
        option.correct = option.label == "B"
    report = imports.import_bank(changed, job, 4)
    assert report.updated == 1
    item = next(i for i in util.bank_items(job.id, 4) if i.current.key == ["B"])
    assert [r.number for r in item.revisions] == [1, 2] and item.revisions[0].key == ["A"]


def test_near_duplicates_are_flagged_with_both_places(job):
    imports.import_bank(make_bank(per_cell=1), job, 4)
    near = make_item("single", "2", 1)
    near.stem = util.bank_items(job.id, 4)[3].current.stem.replace("下列", "以下")
    report = imports.import_bank(ParsedBank(items=[near]), job, 4)
    assert report.created == 1 and len(report.warnings) == 1
    assert "高度相似" in str(report.warnings[0]) and "第 2 行" in str(report.warnings[0])


def test_html_is_sanitised(job):
    item = make_item("single", "1", 5)
    item.stem = '<p onclick="x()">下列<script>alert(1)</script>哪项<b>正确</b>？</p>'
    item.options[0] = ParsedOption("A", '<img src="http://evil/x.png">甲', True)
    imports.import_bank(ParsedBank(items=[item], elements=elements()), job, 4)
    revision = db.session.scalar(sa.select(ItemRevision))
    assert "script" not in revision.stem and "onclick" not in revision.stem and "<b>正确</b>" in revision.stem
    assert "http://evil" not in revision.options[0]["text"]


def test_an_element_in_use_cannot_be_dropped_by_a_new_structure(job):
    imports.import_bank(make_bank(per_cell=1), job, 4)
    fewer = [e for e in elements() if e.code != "1.1.1"]
    with pytest.raises(DomainError) as err:
        imports.import_bank(ParsedBank(elements=fewer), job, 4)
    assert "1.1.1" in str(err.value.problems[0])


def test_a_task_set_must_total_100_points(job):
    bank = make_bank(per_cell=1)
    bank.tasks[0].points = 60
    bank.tasks[0].marking[1].points = 30
    with pytest.raises(DomainError) as err:
        imports.import_bank(bank, job, 4)
    assert "合计应为 100 分" in str(err.value.problems[0])
