"""Configuration from EXAMSYS_* variables, the instance secret, and SQLite connection settings."""

import os
import stat
import subprocess
import sys
from datetime import UTC

import pytest
import sqlalchemy as sa

from examsys import create_app
from examsys.core import db as db_module
from examsys.core.config import PROJECT_ROOT, SETTINGS, ConfigError, load_config
from examsys.core.db import db


def test_secret_key_is_generated_once_into_the_instance_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("EXAMSYS_SECRET_KEY", raising=False)
    first = load_config({"INSTANCE_DIR": str(tmp_path)})
    second = load_config({"INSTANCE_DIR": str(tmp_path)})
    key_file = tmp_path / "secret_key"
    assert first["SECRET_KEY"] == second["SECRET_KEY"] == key_file.read_text()
    assert len(first["SECRET_KEY"]) == 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("EXAMSYS_SECRET_KEY", "from-env")
    monkeypatch.setenv("EXAMSYS_MEDIA_DIR", str(tmp_path / "m"))
    monkeypatch.setenv("EXAMSYS_LOGIN_MAX_FAILURES", "9")
    monkeypatch.setenv("EXAMSYS_SECURE_COOKIES", "yes")
    config = load_config({"INSTANCE_DIR": str(tmp_path)})
    assert config["SECRET_KEY"] == "from-env" and config["MEDIA_DIR"] == str(tmp_path / "m")
    assert config["LOGIN_MAX_FAILURES"] == 9 and config["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'examsys.sqlite3'}"
    assert config["DISPLAY_TIMEZONE"] == "Asia/Shanghai"


def test_bad_settings_are_refused_at_start(tmp_path, monkeypatch):
    monkeypatch.setenv("EXAMSYS_LOGIN_MAX_FAILURES", "many")
    with pytest.raises(ConfigError, match="EXAMSYS_LOGIN_MAX_FAILURES"):
        load_config({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"})
    monkeypatch.delenv("EXAMSYS_LOGIN_MAX_FAILURES")
    monkeypatch.setenv("EXAMSYS_DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigError, match="SQLite and PostgreSQL"):
        load_config({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"})


def test_importing_the_package_writes_nothing(tmp_path):
    """No side effects at import: only create_app may create instance files."""
    instance = tmp_path / "instance"
    env = {**os.environ, "EXAMSYS_INSTANCE_DIR": str(instance)}
    env.pop("EXAMSYS_SECRET_KEY", None)
    code = "import examsys, examsys.models, examsys.web.registry, examsys.cli"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=PROJECT_ROOT)
    assert not instance.exists()


def test_every_setting_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env}`" in readme, setting.env


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    app = create_app({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})  # fmt: skip
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_datetimes_are_stored_in_utc_and_naive_ones_refused(db_session, make_user):
    from datetime import datetime, timedelta, timezone

    user = make_user()
    shanghai = timezone(timedelta(hours=8))
    user.last_login_at = datetime(2026, 11, 22, 9, 30, tzinfo=shanghai)
    db.session.flush()
    db.session.expire(user)
    assert user.last_login_at == datetime(2026, 11, 22, 1, 30, tzinfo=UTC)
    assert user.last_login_at.tzinfo is not None
    user.last_login_at = datetime(2026, 11, 22, 9, 30)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_times_are_displayed_in_shanghai_time(app):
    from datetime import UTC, datetime

    from examsys.web.i18n import localtime

    with app.app_context():
        assert localtime(datetime(2026, 11, 22, 1, 30, tzinfo=UTC)) == "2026-11-22 09:30"


def test_web_processes_keep_a_pool_of_connections_open(tmp_path, monkeypatch):
    monkeypatch.setenv("EXAMSYS_SECRET_KEY", "k")
    monkeypatch.setenv("EXAMSYS_DB_POOL_SIZE", "7")
    app = create_app({"INSTANCE_DIR": str(tmp_path)})
    with app.app_context():
        assert db.engine.pool.size() == 7 and db.engine.pool._max_overflow == 10
    monkeypatch.delenv("EXAMSYS_DB_POOL_SIZE")
    assert load_config({"INSTANCE_DIR": str(tmp_path)})["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 20
    memory = load_config({"INSTANCE_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert memory["SQLALCHEMY_ENGINE_OPTIONS"] == {}  # one shared in-memory connection: no pool to size


def test_whether_a_statement_would_join_a_session_transaction_is_told_without_making_a_session(tmp_path):
    """The PostgreSQL autosave runs alone in autocommit unless the request's session holds a
    transaction (or sessions are bound to one connection, as in the tests); asking must not
    make the session it would then create, commit and close for nothing."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "INSTANCE_DIR": str(tmp_path)})
    with app.app_context():
        assert not db_module.has_session() and not db_module.in_session_transaction()
        assert not db_module.has_session(), "asking made no session"
        db.session()  # a session that has run nothing holds no transaction
        assert db_module.has_session() and not db_module.in_session_transaction()
        db.session.execute(sa.text("SELECT 1"))
        assert db_module.in_session_transaction()
        db.session.commit()
        assert not db_module.in_session_transaction()
    with app.app_context():
        assert not db_module.has_session(), "each app context (request) has its own"
        connection = db.engine.connect()
        original = db.session
        db.session = sa.orm.scoped_session(sa.orm.sessionmaker(bind=connection), scopefunc=original.registry.scopefunc)
        try:
            assert not db_module.has_session() and db_module.in_session_transaction()
        finally:
            db.session = original
            connection.close()
