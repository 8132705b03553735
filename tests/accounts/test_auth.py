"""Sign-in, throttling, session revocation, CSRF and API tokens."""

import pytest
import sqlalchemy as sa

from examsys import create_app
from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.core.ids import make_resident_id
from examsys.core.permissions import Role
from examsys.modules.accounts import operations
from examsys.modules.accounts.models import LoginFailure, User
from tests.conftest import PASSWORD


def test_passwords_are_stored_with_argon2(make_user):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_weak_passwords_and_duplicate_names_are_refused(make_user):
    user = make_user(username="dup")
    with pytest.raises(DomainError) as err:
        operations.create_user("DUP", PASSWORD, [Role.PROCTOR])
    assert "已被使用" in str(err.value.problems[0])
    with pytest.raises(DomainError) as err:
        operations.create_user("weak", "short", [Role.PROCTOR])
    assert {p.field for p in err.value.problems} == {"password"}
    with pytest.raises(DomainError) as err:
        operations.create_user("coord", PASSWORD, [Role.COORDINATOR])
    assert err.value.problems[0].field == "college"
    assert user.username == "dup"


def test_login_and_logout(client, make_user):
    user = make_user(Role.EXAM_OFFICE)
    response = client.post("/login", data={"username": user.username.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_is_refused_with_a_chinese_message(client, make_user):
    user = make_user()
    response = client.post("/login", data={"username": user.username, "password": "wrong-password1"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 1


def test_lockout_after_repeated_failures_even_with_the_right_password(app, client, make_user):
    user = make_user()
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        client.post("/login", data={"username": user.username, "password": "wrong-password1"})
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 401
    assert "登录失败次数过多" in response.get_data(as_text=True)


def test_many_failures_from_one_address_lock_that_address(app, client, make_user):
    user = make_user()
    for n in range(app.config["LOGIN_MAX_FAILURES"] * 4):
        client.post("/login", data={"username": f"nobody{n}", "password": "x"})
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert "登录失败次数过多" in response.get_data(as_text=True)


def test_a_deactivated_account_cannot_sign_in_and_is_signed_out(client, login, make_user):
    admin = make_user(Role.ADMIN)
    login(admin)
    operations.update_user(admin, display_name="x", roles=[Role.ADMIN], college=None, active=False)
    db.session.flush()
    assert client.get("/dashboard").status_code == 302
    response = client.post("/login", data={"username": admin.username, "password": PASSWORD})
    assert response.status_code == 401


def test_password_change_ends_other_sessions(app, make_user):
    user = make_user(Role.SUPERVISOR)
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        assert c.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    response = first.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "n3w-passw0rd", "confirm": "n3w-passw0rd"},
    )
    assert response.status_code == 302
    assert first.get("/dashboard").status_code == 200  # the changer keeps going
    assert second.get("/dashboard").status_code == 302  # the old cookie is dead


def test_wrong_current_password_is_refused(client, login, make_user):
    user = make_user()
    login(user)
    response = client.post(
        "/account/password", data={"current_password": "nope", "new_password": "abc12345", "confirm": "abc12345"}
    )
    assert response.status_code == 422
    assert "当前密码不正确" in response.get_data(as_text=True)


def test_open_redirects_are_refused(client, make_user):
    user = make_user()
    response = client.post("/login?next=//evil.example/x", data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_csrf_is_enforced_on_forms(app_config, db_session, make_user):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    user = make_user()
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_api_token_authenticates_and_revocation_ends_it(client, make_user):
    user = make_user(Role.EXAM_OFFICE)
    token, plain = operations.issue_api_token(user, "省平台对接")
    assert token.token_hash != plain and plain.startswith("exs_")
    headers = {"Authorization": f"Bearer {plain}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json["username"] == user.username
    assert client.get("/api/v1/occupations", headers=headers).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer exs_forged"}).status_code == 401
    operations.revoke_api_token(token)
    db.session.flush()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_api_token_carries_the_roles_of_its_user(client, make_user):
    _token, plain = operations.issue_api_token(make_user(Role.PROCTOR), "x")
    response = client.get("/api/v1/people", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 403


def test_api_writes_need_a_token_not_a_cookie(client, login, make_user, make_major):
    admin = make_user(Role.ADMIN)
    login(admin)
    major = make_major()
    body = {"kind": "student", "name": "王五", "doc_number": make_resident_id(sequence=321),
            "college_id": major.college_id, "major_id": major.id, "student_no": "API001"}  # fmt: skip
    assert client.post("/api/v1/people", json=body).status_code == 403
    _token, plain = operations.issue_api_token(admin, "t")
    created = client.post("/api/v1/people", json=body, headers={"Authorization": f"Bearer {plain}"})
    assert created.status_code == 201, created.json
    assert created.json["name"] == "王五" and created.json["gender"] == "M"  # from the odd 17th digit


def test_admin_manages_accounts_through_the_ui(client, login, make_user, make_college):
    login(make_user(Role.ADMIN))
    college = make_college()
    response = client.post(
        "/admin/users/new",
        data={"username": "newcoord", "display_name": "新联络员", "roles": ["college_coordinator"],
              "college_id": college.id, "password": "abc12345"},
    )  # fmt: skip
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "newcoord"))
    assert user.roles == {Role.COORDINATOR} and user.college_id == college.id
    missing_college = client.post(
        "/admin/users/new",
        data={"username": "bad", "roles": ["college_coordinator"], "college_id": 0, "password": "abc12345"},
    )
    assert missing_college.status_code == 422
    assert "学院联络员必须指定所属学院" in missing_college.get_data(as_text=True)
    page = client.post(f"/admin/users/{user.id}/tokens", data={"name": "对接"}).get_data(as_text=True)
    assert "exs_" in page
