"""Item lifecycle: edits of active items make revisions; the status workflow; manual entry."""

import pytest

from examsys.core.errors import DomainError
from examsys.modules.banks import assembly, blueprints, imports, operations, util
from examsys.modules.banks.models import ItemStatus
from examsys.modules.banks.operations import ItemContent
from tests.banks.conftest import make_bank
from tests.banks.test_blueprints_and_assembly import PARTS

OPTIONS = [{"label": "A", "text": "甲"}, {"label": "B", "text": "乙"}, {"label": "C", "text": "丙"}]


def test_manual_entry_starts_as_a_draft_and_moves_through_review(job):
    item = operations.create_item(job.id, 4, "single", ItemContent("新题干？", OPTIONS, ["B"], difficulty=2))
    assert item.status is ItemStatus.DRAFT and item.current.key == ["B"]
    operations.update_item(item, ItemContent("新题干（改）？", OPTIONS, ["C"]))
    assert len(item.revisions) == 1 and item.current.stem == "新题干（改）？"  # drafts are edited in place
    operations.set_status(item, ItemStatus.REVIEWED)
    assert item.reviewed_at is not None
    operations.set_status(item, ItemStatus.ACTIVE)
    with pytest.raises(DomainError, match="不能从"):
        operations.set_status(item, ItemStatus.DRAFT)


def test_editing_an_active_item_keeps_the_old_revision_for_papers(job):
    imports.import_bank(make_bank(per_cell=12), job, 4)
    bp = blueprints.save_blueprint(None, job=job, level=4, name="p", parts=PARTS)
    paper = assembly.assemble(bp, 1, seed=1)[0]
    used = paper.items[0].revision
    item = used.item
    new = operations.update_item(
        item, ItemContent(used.stem, used.options, ["B"], difficulty=used.difficulty, element=item.element)
    )
    assert new.number == 2 and item.current is new
    assert paper.items[0].revision is used and used.key == ["A"]
    assert assembly.seal_intact(paper)


def test_invalid_content_lists_every_problem(job):
    with pytest.raises(DomainError) as err:
        operations.create_item(job.id, 4, "multiple", ItemContent(" ", OPTIONS[:1], ["A", "Z"], difficulty=9))
    fields = [p.field for p in err.value.problems]
    assert fields.count("key") >= 2 and "stem" in fields and "difficulty" in fields


def test_near_duplicates_are_found_on_entry(job):
    imports.import_bank(make_bank(per_cell=1), job, 4)
    stem = util.bank_items(job.id, 4)[0].current.stem
    assert operations.near_duplicates(job.id, 4, stem.replace("下列", "以下"))
    assert not operations.near_duplicates(job.id, 4, "完全不同的一道关于收银找零规则的题目，请判断")
