"""Read queries for accounts."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from examsys.core.db import db
from examsys.core.errors import NotFound
from examsys.modules.accounts.models import ApiToken, User


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.username)))


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("账户不存在"))
    return user


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def get_token(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_l("令牌不存在"))
    return token


def find_user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
