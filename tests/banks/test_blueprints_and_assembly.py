"""Blueprints spread items by area weight, say exactly what is missing, and assemble sealed forms."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from examsys.core.audit import AuditEntry
from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.modules.banks import assembly, blueprints, imports, util
from examsys.modules.banks.blueprints import PartSpec
from examsys.modules.banks.models import Category
from examsys.modules.banks.qtypes import REGISTRY, Scoring
from tests.banks.conftest import make_bank

PARTS = [PartSpec("single", 10, Decimal(5)), PartSpec("multiple", 5, Decimal(6)), PartSpec("true_false", 5, Decimal(4))]


def _blueprint(job, **kwargs):
    return blueprints.save_blueprint(None, job=job, level=4, name=kwargs.pop("name", "方案一"), parts=PARTS, **kwargs)


def test_parts_must_total_100_points(job):
    with pytest.raises(DomainError) as err:
        blueprints.save_blueprint(None, job=job, level=4, name="x", parts=[PartSpec("single", 10, Decimal(5))])
    assert "合计应为 100 分" in str(err.value.problems[0])


def test_spread_follows_weights_within_one_item(job):
    imports.import_bank(make_bank(per_cell=1), job, 4)
    areas = util.areas(job.id, 4, Category.THEORY)
    for count in (1, 7, 10, 33, 60, 100):
        shares = blueprints.spread(count, areas)
        assert sum(shares.values()) == count
        for area in areas:
            exact = count * float(area.weight) / 100
            assert abs(shares[area.id] - exact) < 1, (count, area.name)


def test_feasibility_names_area_type_and_how_many_are_missing(job):
    imports.import_bank(make_bank(per_cell=2), job, 4)
    problems = [str(p) for p in blueprints.feasibility(_blueprint(job))]
    # 10 single choice over 5/25/40/30 %: 营销推广 needs 4 and the bank has 2 per cell.
    assert "营销推广 · 单选题：需要 4 道，题库只有 2 道启用试题，缺 2 道" in problems
    assert not any("职业道德 · 单选题" in p for p in problems)  # needs 1 (0.5 rounded), has 2


def test_feasibility_reports_an_unreachable_difficulty(job):
    imports.import_bank(make_bank(per_cell=8), job, 4)
    bp = _blueprint(job, difficulty_target=Decimal("4.9"), difficulty_tolerance=Decimal("0.05"))
    problems = blueprints.feasibility(bp)
    assert len(problems) == 1 and "难度" in str(problems[0])


def test_assembly_is_deterministic_and_respects_the_overlap_bound(job):
    imports.import_bank(make_bank(per_cell=12), job, 4)
    bp = _blueprint(job, max_overlap=Decimal("0.2"))
    first = [sorted(f.item_ids) for f in assembly.build_forms(bp, 3, seed=42)]
    again = [sorted(f.item_ids) for f in assembly.build_forms(bp, 3, seed=42)]
    other = [sorted(f.item_ids) for f in assembly.build_forms(bp, 3, seed=7)]
    assert first == again and first != other
    for i, a in enumerate(first):
        assert len(a) == 20
        for b in first[i + 1 :]:
            assert len(set(a) & set(b)) <= 4


def test_forms_follow_the_blueprint_per_area_and_type(job):
    imports.import_bank(make_bank(per_cell=12), job, 4)
    bp = _blueprint(job)
    cells = {(c.area.id, c.qtype): c.need for c in blueprints.plan_cells(bp)}
    form = assembly.build_forms(bp, 1, seed=1)[0]
    got: dict = {}
    for cell, item in form.picks:
        assert item.element.unit.area_id == cell.area.id and item.qtype == cell.qtype
        got[(cell.area.id, cell.qtype)] = got.get((cell.area.id, cell.qtype), 0) + 1
    assert got == cells


def test_too_small_a_bank_cannot_meet_the_overlap_bound(job):
    imports.import_bank(make_bank(per_cell=4), job, 4)
    bp = _blueprint(job, max_overlap=Decimal("0.1"))
    with pytest.raises(DomainError) as err:
        assembly.build_forms(bp, 3, seed=1)
    text = " ".join(str(p) for p in err.value.problems)
    assert "相同试题" in text and "共需" in text


def test_exposure_control_prefers_less_used_items(job):
    imports.import_bank(make_bank(per_cell=12), job, 4)
    bp = _blueprint(job, max_overlap=Decimal("1"))
    first = assembly.assemble(bp, 1, seed=3)[0]
    used = {pi.revision.item_id for pi in first.items}
    second = assembly.build_forms(bp, 1, seed=3)[0]
    assert len(used & second.item_ids) <= 2  # the same seed now avoids the exposed items


def test_papers_are_sealed_and_tampering_is_detected(job):
    imports.import_bank(make_bank(per_cell=12), job, 4)
    papers = assembly.assemble(_blueprint(job), 2, seed=9)
    assert [p.form for p in papers] == ["A", "B"]
    paper = papers[0]
    assert len(paper.items) == 20 and assembly.seal_intact(paper)
    assert [pi.qtype for pi in paper.items] == ["single"] * 10 + ["multiple"] * 5 + ["true_false"] * 5
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "paper.seal")) == 2
    paper.items[0].revision.key = ["B"]  # a key changed behind the seal's back
    assert not assembly.seal_intact(paper)


def test_candidate_order_maps_every_answer_back_to_its_key(job):
    imports.import_bank(make_bank(per_cell=12), job, 4)
    paper = assembly.assemble(_blueprint(job), 1, seed=5)[0]
    one = assembly.candidate_order(paper, "T2026001")
    two = assembly.candidate_order(paper, "T2026002")
    assert one == assembly.candidate_order(paper, "T2026001")
    assert [d.paper_item_id for d in one] != [d.paper_item_id for d in two]
    by_id = {pi.id: pi for pi in paper.items}
    total = Decimal(0)
    for delivered in one:
        paper_item = by_id[delivered.paper_item_id]
        shown_positions = [delivered.option_order.index(label) for label in paper_item.revision.key]
        chosen = [delivered.option_order[i] for i in shown_positions]  # the candidate clicks the right places
        total += assembly.score_points(paper_item, chosen)
    assert total == Decimal(100)


def test_multiple_choice_scoring_all_or_nothing_or_partial():
    qtype = REGISTRY["multiple"]
    assert qtype.score(["A", "C"], ["A", "C"], Decimal(2), Scoring()) == 2
    assert qtype.score(["A", "C"], ["A"], Decimal(2), Scoring()) == 0
    assert qtype.score(["A", "C"], ["A"], Decimal(2), Scoring(partial_credit=True)) == 1
    assert qtype.score(["A", "C"], ["A", "B"], Decimal(2), Scoring(partial_credit=True)) == 0


def test_a_second_form_reuses_only_as_many_items_as_the_bank_forces(job):
    # 7 per cell: two forms reuse an item only where a cell holds fewer than twice its need.
    imports.import_bank(make_bank(per_cell=7), job, 4)
    bp = _blueprint(job, max_overlap=Decimal("1"))
    first, second = assembly.build_forms(bp, 2, seed=2)
    forced = sum(max(0, 2 * c.need - len(c.pool)) for c in blueprints.plan_cells(bp))
    assert len(first.item_ids & second.item_ids) == forced
