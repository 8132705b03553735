"""Sign-in, sign-out, language, own password, and the account administration pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from examsys.core.errors import DomainError
from examsys.core.permissions import Role
from examsys.modules.accounts import operations, util
from examsys.modules.accounts.forms import ChangePasswordForm, LoginForm, ResetPasswordForm, TokenForm, UserForm
from examsys.modules.catalog import util as catalog_util
from examsys.web.forms import attach_domain_errors
from examsys.web.i18n import SUPPORTED_LOCALES
from examsys.web.plumbing import keep_changes


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.index")


def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.username.data, form.password.data, request.remote_addr)
        except operations.LoginRefused as refused:
            keep_changes()  # the failure record must survive for throttling
            form.password.errors = [refused.message]
            return render_template("accounts/login.html", form=form), 401
        session.clear()
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


def logout():
    logout_user()
    session.clear()
    flash(_("已退出登录"), "info")
    return redirect(url_for("accounts.login"))


def set_locale():
    locale = request.args.get("lang", "")
    if locale in SUPPORTED_LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            operations.set_locale(current_user, locale)
    return redirect(_safe_next(request.args.get("next")))


def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_own_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            attach_domain_errors(form, error)
            return render_template("accounts/password.html", form=form), 422
        login_user(current_user._get_current_object())  # new cookie for the new session version
        flash(_("密码已修改，其他设备上的登录已失效"), "success")
        return redirect(url_for("home.index"))
    return render_template("accounts/password.html", form=form), 422 if form.errors else 200


def users():
    return render_template("accounts/users.html", users=util.list_users())


def _user_form(user=None) -> UserForm:
    form = UserForm(obj=user)
    form.college_id.choices = [(0, "—")] + [(c.id, c.name) for c in catalog_util.list_colleges()]
    if user is not None and request.method == "GET":
        form.roles.data = [r.value for r in user.roles]
        form.college_id.data = user.college_id or 0
    return form


def new_user():
    form = _user_form()
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                form.username.data,
                form.password.data or "",
                [Role(r) for r in form.roles.data],
                display_name=form.display_name.data,
                college=catalog_util.get_college(form.college_id.data) if form.college_id.data else None,
            )
        except DomainError as error:
            attach_domain_errors(form, error)
            return render_template("accounts/user_form.html", form=form, user=None), 422
        flash(_("已创建账户 %(name)s", name=user.username), "success")
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render_template("accounts/user_form.html", form=form, user=None), 422 if form.errors else 200


def edit_user(user_id: int):
    user = util.get_user(user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            operations.update_user(
                user,
                display_name=form.display_name.data,
                roles=[Role(r) for r in form.roles.data],
                college=catalog_util.get_college(form.college_id.data) if form.college_id.data else None,
                active=form.active.data,
            )
        except DomainError as error:
            attach_domain_errors(form, error)
            return _render_user(user, form), 422
        flash(_("已保存"), "success")
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    return _render_user(user, form), 422 if form.errors else 200


def _render_user(user, form, new_token=None):
    return render_template(
        "accounts/user_form.html",
        form=form,
        user=user,
        reset_form=ResetPasswordForm(),
        token_form=TokenForm(),
        tokens=util.tokens_of(user),
        new_token=new_token,
    )


def reset_password(user_id: int):
    user = util.get_user(user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        raise DomainError(_("新密码不符合要求"))
    operations.set_password(user, form.password.data)
    flash(_("已重置密码"), "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


def issue_token(user_id: int):
    user = util.get_user(user_id)
    form = TokenForm()
    if not form.validate_on_submit():
        raise DomainError(_("令牌名称不能为空"))
    _token, plain = operations.issue_api_token(user, form.name.data)
    flash(_("新令牌只显示这一次，请立即复制保存"), "success")
    return _render_user(user, _user_form(user), new_token=plain)


def revoke_token(user_id: int, token_id: int):
    token = util.get_token(token_id)
    if token.user_id != user_id:
        raise DomainError(_("令牌不属于该账户"), status=404)
    operations.revoke_api_token(token)
    flash(_("令牌已吊销"), "success")
    return redirect(url_for("accounts.edit_user", user_id=user_id))
