"""Account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from examsys.core.permissions import Role


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired()])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired()])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(_l("确认新密码"), validators=[EqualTo("new_password", message=_l("两次输入的密码不一致"))])


def role_choices():
    return [(role.value, role.title) for role in Role]


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("姓名"), validators=[Length(max=100)])
    roles = MultiCheckboxField(_l("角色"), choices=role_choices)
    college_id = SelectField(_l("所属学院（学院联络员必填）"), coerce=int, choices=[])
    password = PasswordField(_l("初始密码"), validators=[Length(max=128)])
    active = BooleanField(_l("启用"), default=True)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(min=8, max=128)])


class TokenForm(FlaskForm):
    name = StringField(_l("令牌用途"), validators=[DataRequired(), Length(max=80)])
