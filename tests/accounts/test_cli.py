"""`flask user create` and `flask user token`."""

import sqlalchemy as sa

from examsys.core.audit import AuditEntry
from examsys.core.db import db
from examsys.core.permissions import Role
from examsys.modules.accounts.models import User
from examsys.modules.accounts.operations import user_for_token


def test_user_create_with_roles_and_college(app, make_college):
    college = make_college(code="CLI1")
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["user", "create", "Zhang", "--role", "college_coordinator", "--role", "proctor", "--college", "CLI1",
              "--password", "abc12345", "--name", "张老师"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "zhang"))
    assert user.roles == {Role.COORDINATOR, Role.PROCTOR} and user.college_id == college.id
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "user.create").order_by(AuditEntry.seq.desc())
    )
    assert entry.actor_label.startswith("cli:")


def test_user_create_reports_every_problem_and_writes_nothing(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["user", "create", "x y", "--role", "college_coordinator", "--password", "short"]
    )
    assert result.exit_code != 0
    assert (
        "用户名" in result.output and "学院联络员必须指定所属学院" in result.output and "密码至少 8 位" in result.output
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_unknown_college_is_named(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["user", "create", "a", "--role", "college_coordinator", "--college", "NOPE", "--password", "abc12345"]
    )
    assert result.exit_code != 0 and "NOPE" in result.output


def test_user_token_prints_a_working_token(app, make_user):
    user = make_user(Role.EXAM_OFFICE, username="integration")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["user", "token", "integration", "--name", "省平台"])
    assert result.exit_code == 0, result.output
    assert user_for_token(result.output.strip()).id == user.id
