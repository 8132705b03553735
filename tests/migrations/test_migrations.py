"""One linear Alembic history that builds exactly the models, up and down, on this database."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from examsys import create_app
from examsys.core.config import PROJECT_ROOT
from examsys.core.db import db

SCRIPTS = ScriptDirectory(str(PROJECT_ROOT / "migrations"))


def test_there_is_a_single_head_and_a_linear_history():
    assert len(SCRIPTS.get_heads()) == 1
    for revision in SCRIPTS.walk_revisions():
        assert not isinstance(revision.down_revision, tuple), f"merge point {revision.revision}"


@pytest.fixture
def empty_app(app_config, tmp_path):
    """An app on an empty database: a new SQLite file, or a new PostgreSQL schema."""
    url = os.environ.get("EXAMSYS_TEST_DATABASE_URL")
    schema = None
    if url and url.startswith("postgresql"):
        schema = f"mig_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    yield app
    with app.app_context():
        db.engine.dispose()
    if schema:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def _revisions_oldest_first() -> list[str]:
    return [r.revision for r in reversed(list(SCRIPTS.walk_revisions()))]


def test_each_revision_upgrades_from_the_previous_one_and_the_result_matches_the_models(empty_app):
    with empty_app.app_context():
        for revision in _revisions_oldest_first():
            upgrade(revision=revision)
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        with db.engine.connect() as conn:
            levels = conn.execute(sa.text("SELECT number, name, title FROM levels ORDER BY number")).all()
        assert tuple(levels[0]) == (1, "一级", "高级技师") and len(levels) == 5


def test_downgrade_to_empty_and_up_again(empty_app):
    with empty_app.app_context():
        upgrade()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        with db.engine.connect() as conn:
            assert "audit_entries" in sa.inspect(conn).get_table_names()
