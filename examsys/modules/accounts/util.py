"""Read queries for accounts."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from examsys.core.db import db, get_or_404
from examsys.modules.accounts.models import ApiToken, User


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.username)))


def get_user(user_id: int) -> User:
    return get_or_404(User, user_id, _l("账户不存在"))


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def get_token(token_id: int) -> ApiToken:
    return get_or_404(ApiToken, token_id, _l("令牌不存在"))


def find_user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
