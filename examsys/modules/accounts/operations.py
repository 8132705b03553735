"""Account operations: users, roles, passwords, sign-in throttling and API tokens."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.core.permissions import Role
from examsys.modules.accounts.models import ApiToken, LoginFailure, User, UserRole
from examsys.modules.catalog.models import College
from examsys.modules.people.models import Person

_HASHERS: dict[str, PasswordHasher] = {}
_DUMMY_HASHES: dict[str, str] = {}


def _hasher() -> PasswordHasher:
    """Argon2id with the configured profile (tests use the cheapest one to stay fast)."""
    name = current_app.config.get("PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY")
    if name not in _HASHERS:
        hasher = PasswordHasher.from_parameters(getattr(profiles, name))
        _HASHERS[name] = hasher
        _DUMMY_HASHES[name] = hasher.hash("examsys-not-a-password")
    return _HASHERS[name]


def _dummy_hash() -> str:
    """Checked against when the user name is unknown, so timing does not reveal which exist."""
    _hasher()
    return _DUMMY_HASHES[current_app.config.get("PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY")]


USER_FIELDS = ("username", "display_name", "active", "college_id", "person_id", "locale")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password_strength(password: str) -> list[Problem]:
    problems = []
    if len(password) < 8:
        problems.append(Problem(_("密码至少 8 位"), field="password"))
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append(Problem(_("密码须同时包含字母和数字"), field="password"))
    return problems


def _validate_user(username: str, roles: Iterable[Role], college: College | None, password: str | None):
    problems = []
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        problems.append(Problem(_("用户名不能为空、不能含空格，最长 64 位"), field="username"))
    roles = set(roles)
    if not roles:
        problems.append(Problem(_("至少选择一个角色"), field="roles"))
    if Role.COORDINATOR in roles and college is None:
        problems.append(Problem(_("学院联络员必须指定所属学院"), field="college"))
    if password is not None:
        problems.extend(check_password_strength(password))
    if problems:
        raise DomainError(_("账户信息有误"), problems)


def create_user(
    username: str,
    password: str,
    roles: Iterable[Role],
    *,
    display_name: str = "",
    college: College | None = None,
    person: Person | None = None,
    password_hash: str | None = None,
) -> User:
    """Create an account; user names are case-insensitive and unique.

    ``password_hash`` (of ``password``) saves re-hashing when many accounts get one initial password.
    """
    username = username.strip().lower()
    roles = set(roles)
    _validate_user(username, roles, college, password)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise DomainError(_("用户名已存在"), [Problem(_("用户名 %(name)s 已被使用", name=username), field="username")])
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=password_hash or hash_password(password),
        college=college,
        person=person,
        role_rows=[UserRole(role=r) for r in sorted(roles, key=lambda r: r.value)],
    )
    db.session.add(user)
    audit.record("user.create", user, after=_user_state(user))
    return user


def _user_state(user: User) -> dict:
    state = audit.snapshot(user, USER_FIELDS)
    state["roles"] = sorted(r.value for r in user.roles)
    return state


def update_user(
    user: User,
    *,
    display_name: str,
    roles: Iterable[Role],
    college: College | None,
    active: bool,
) -> User:
    roles = set(roles)
    _validate_user(user.username, roles, college, None)
    before = _user_state(user)
    user.display_name = display_name or user.username
    user.college = college
    if user.active and not active:
        user.session_version += 1  # deactivation ends every open session
    user.active = active
    current = {row.role: row for row in user.role_rows}
    for role in set(current) - roles:
        user.role_rows.remove(current[role])
    for role in roles - set(current):
        user.role_rows.append(UserRole(role=role))
    db.session.flush()
    audit.record("user.update", user, before=before, after=_user_state(user))
    return user


def set_password(user: User, new_password: str) -> None:
    """Change a password and end every session of that user."""
    problems = check_password_strength(new_password)
    if problems:
        raise DomainError(_("新密码不符合要求"), problems)
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    audit.record("user.password", user)


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user, current_password):
        raise DomainError(_("当前密码不正确"), [Problem(_("当前密码不正确"), field="current_password")])
    set_password(user, new_password)


def verify_password(user: User, password: str) -> bool:
    try:
        ok = _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if ok and _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return ok


def end_all_sessions(user: User) -> None:
    user.session_version += 1
    audit.record("user.sessions_ended", user)


def set_locale(user: User, locale: str) -> None:
    """Remember the user's interface language."""
    if user.locale != locale:
        audit.record("user.locale", user, before={"locale": user.locale}, after={"locale": locale})
        user.locale = locale


class LoginRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _recent_failures(column, value: str, since: datetime) -> int:
    stmt = sa.select(sa.func.count()).select_from(LoginFailure).where(column == value, LoginFailure.at >= since)
    return db.session.scalar(stmt) or 0


def _lockout_state(username: str, remote_addr: str) -> bool:
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"])
    limit = cfg["LOGIN_MAX_FAILURES"]
    return (
        _recent_failures(LoginFailure.username, username, since) >= limit
        or _recent_failures(LoginFailure.remote_addr, remote_addr, since) >= limit * 4
    )


def authenticate(username: str, password: str, remote_addr: str) -> User:
    """Return the user for good credentials, or raise :class:`LoginRefused`.

    Failures are recorded per user name and per client address; past the limit the name
    (or the address) is locked for the configured window, even with the right password.
    """
    username = (username or "").strip().lower()
    remote_addr = remote_addr or "-"
    minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
    if _lockout_state(username, remote_addr):
        raise LoginRefused(_("登录失败次数过多，请 %(minutes)d 分钟后再试", minutes=minutes))
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher().verify(_dummy_hash(), password or "x")
    if user is None or not verify_password(user, password) or not user.active:
        db.session.add(LoginFailure(username=username[:64], remote_addr=remote_addr[:64], at=utcnow()))
        db.session.flush()
        raise LoginRefused(_("用户名或密码错误，或账户已停用"))
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.username == username))
    user.last_login_at = utcnow()
    return user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's user loader: ``"<id>:<session_version>"`` must still match."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the plain value is returned once and never stored."""
    if not name.strip():
        raise DomainError(_("令牌名称不能为空"), [Problem(_("令牌名称不能为空"), field="name")])
    plain = "exs_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name.strip()[:80], token_hash=_token_digest(plain), prefix=plain[:12], created_at=utcnow()
    )
    db.session.add(token)
    audit.record("api_token.issue", token, after={"user_id": user.id, "name": token.name, "prefix": token.prefix})
    return token, plain


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoke", token, after={"prefix": token.prefix})


def user_for_token(plain: str) -> User | None:
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _token_digest(plain)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    # Touch at most once a minute so that API reads do not each cause a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token.user
