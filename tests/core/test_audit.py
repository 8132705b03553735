"""The hash-chained audit log catches edits, deletions, reordering and truncation."""

import itertools

import pytest
import sqlalchemy as sa

from examsys.core import audit
from examsys.core.audit import AuditEntry, AuditHead, acting_as, verify_chain
from examsys.core.db import db
from examsys.core.permissions import Role


@pytest.fixture
def chain(db_session):
    with acting_as("tester", user_id=7):
        entries = [audit.record(f"thing.step{i}", object_type="things", object_id=i, after={"i": i}) for i in range(5)]
    db_session.flush()
    return entries


def _raw(sql: str, **params):
    db.session.execute(sa.text(sql), params)


def test_entries_link_to_the_previous_hash_and_name_the_actor(chain):
    assert [e.seq for e in chain] == [chain[0].seq + i for i in range(5)]
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash
    assert chain[0].actor_label == "tester" and chain[0].actor_id == 7
    assert verify_chain() is None


def test_an_edited_entry_is_reported(chain):
    _raw("UPDATE audit_entries SET after = :a WHERE seq = :s", a='{"i": 99}', s=chain[2].seq)
    db.session.expire_all()
    problem = verify_chain()
    assert problem.kind == "edited" and problem.seq == chain[2].seq


def test_a_deleted_entry_is_reported(chain):
    _raw("DELETE FROM audit_entries WHERE seq = :s", s=chain[1].seq)
    problem = verify_chain()
    assert problem.kind == "missing" and problem.seq == chain[1].seq


def test_swapped_entries_are_reported(chain):
    a, b = chain[1].seq, chain[2].seq
    _raw("UPDATE audit_entries SET seq = -1 WHERE seq = :a", a=a)
    _raw("UPDATE audit_entries SET seq = :a WHERE seq = :b", a=a, b=b)
    _raw("UPDATE audit_entries SET seq = :b WHERE seq = -1", b=b)
    db.session.expire_all()
    problem = verify_chain()
    assert problem is not None and problem.seq == a and problem.kind in {"reordered", "edited"}


def test_a_removed_tail_is_reported(chain):
    _raw("DELETE FROM audit_entries WHERE seq = :s", s=chain[-1].seq)
    db.session.expire_all()
    problem = verify_chain()
    assert problem.kind == "truncated"


def test_the_orm_refuses_to_change_or_delete_entries(chain):
    chain[0].action = "forged"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_the_head_tracks_the_last_entry(chain):
    head = db.session.get(AuditHead, 1)
    assert head.last_seq == chain[-1].seq and head.last_hash == chain[-1].hash


def test_before_and_after_are_stored_as_json(db_session):
    entry = audit.record("x.change", object_type="x", object_id=1, before={"a": 1}, after={"a": 2, "when": None})
    stored = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.id == entry.id))
    assert stored.before == '{"a": 1}' and '"a": 2' in stored.after


def test_cli_verify_exits_non_zero_on_tampering(app, chain):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output
    _raw("UPDATE audit_entries SET actor_label = 'someone else' WHERE seq = :s", s=chain[3].seq)
    db.session.expire_all()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1
    assert f"seq {chain[3].seq}: edited" in bad.output


def test_operations_through_the_web_are_attributed_to_the_user(client, login, make_user):
    admin = make_user(Role.ADMIN)
    login(admin)
    response = client.post("/catalog/colleges/new", data={"code": "AUD", "name": "审计学院", "active": "y"})
    assert response.status_code == 302
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "college.save").order_by(AuditEntry.seq.desc())
    )
    assert entry.actor_id == admin.id and entry.actor_label == admin.username
    assert '"name": "审计学院"' in entry.after
